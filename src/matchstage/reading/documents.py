"""Documents as matchstage reads them, and the reasons a file can be skipped.

Every reader turns a file into a :class:`Document` or raises :class:`Unreadable` with a
:class:`SkipReason`; nothing else escapes from reading. The messages a person reads live in
``SKIP_MESSAGES`` and ``READER_DETAILS`` so that they can be reviewed (and translated) in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from matchstage.i18n import N_, _, translate_filled


class SkipReason(enum.StrEnum):
    """Why a candidate file was not ranked. The value is the short code shown in JSON and CSV."""

    ENCRYPTED = "encrypted"
    SCANNED = "scanned"
    CORRUPT = "corrupt"
    EMPTY = "empty"
    NOT_A_PDF = "not-a-pdf"
    TOO_LARGE = "too-large"
    TIMEOUT = "timeout"
    UNSUPPORTED_LANGUAGE = "unsupported-language"
    NOT_A_CV = "not-a-cv"
    DUPLICATE = "duplicate"
    UNREADABLE = "unreadable"


# One sentence each; ``{name}`` is the file's name, ``{detail}`` what the reader found.
SKIP_MESSAGES: dict[SkipReason, str] = {
    SkipReason.ENCRYPTED: N_("{name}: protected by a password ({detail}); "
                             "ask the candidate for a copy without a password."),
    SkipReason.SCANNED: N_("{name}: no text layer, it looks like a scan ({detail}); ask for a PDF with text if "
                           "OCR cannot read it."),
    SkipReason.CORRUPT: N_("{name}: the file is damaged and cannot be parsed ({detail}); ask for a new copy."),
    SkipReason.EMPTY: N_("{name}: no text to read ({detail})."),
    SkipReason.NOT_A_PDF: N_("{name}: the content does not match the extension ({detail})."),
    SkipReason.TOO_LARGE: N_("{name}: over the size limit ({detail}); raise --max-pages or --max-mb to read it."),
    SkipReason.TIMEOUT: N_("{name}: text extraction took longer than {detail}; raise --timeout to try again."),
    SkipReason.UNSUPPORTED_LANGUAGE: N_("{name}: written in a language matchstage cannot analyse ({detail})."),
    SkipReason.NOT_A_CV: N_("{name}: does not look like a CV or a cover letter ({detail})."),
    SkipReason.DUPLICATE: N_("{name}: same document as {detail}; ranked once."),
    SkipReason.UNREADABLE: N_("{name}: cannot be read ({detail})."),
}

# What readers found, as they write it: the detail of a skip (in brackets in the sentences above) or a note
# on a document that was read. Readers run in worker processes and the cache keeps their details, so they
# are written in English, always; each is translated when a message shows it, by finding the template
# here that it fills (tests/test_i18n.py checks that every detail the readers can write is listed).
READER_DETAILS: tuple[str, ...] = (
    # readers/__init__.py
    N_("matchstage does not read {suffix} files"),
    N_("extension-less"),
    N_("zero bytes"),
    N_("{size} MB, limit {limit} MB"),
    N_("no text in it"),
    N_("a PDF named {suffix}; read as a PDF"),
    N_("reading it needs more memory than allowed"),
    N_("its structure loops on itself"),
    # readers/office.py
    N_("a password-protected {kind} file"),
    N_("a password-protected OpenDocument file"),
    N_("an old Office 97-2003 file named {suffix}; ask for a .docx, .odt or PDF copy"),
    N_("not a valid {kind} file (the zip container is damaged)"),
    N_("{part} is missing from the file"),
    N_("{part} unzips to {size} MB, limit {limit} MB"),
    N_("content.xml declares entities, which an OpenDocument file never does"),
    N_("content.xml is not valid XML ({error})"),
    N_("no text body in content.xml; is it a spreadsheet or a drawing?"),
    # readers/pdf.py
    N_("it is a zip archive, perhaps a Word or OpenDocument file renamed .pdf"),
    N_("it is an old Microsoft Office file renamed .pdf"),
    N_("it is an image renamed .pdf"),
    N_("it is a web page saved as .pdf"),
    N_("it is a text file, not a PDF"),
    N_("no PDF header in it"),
    N_("it uses a feature pypdf cannot decode: {error}"),
    N_("its encryption is not supported: {error}"),
    N_("the password given does not open it"),
    N_("it opens only with a password; for an offer, pass --password"),
    N_("its page tree is broken: {error}"),
    N_("a PDF with no pages"),
    N_("{count} pages, limit {limit}"),
    N_("no text could be recovered; pypdf: {complaint}"),
    N_("{count} page(s) without text or images"),
    N_("page(s) {pages} look scanned; their text is missing"),
    N_("{count} page(s) could not be read: {first}"),
    N_("the file is damaged and was repaired; some text may be missing ({complaint})"),
    N_("page {number}: {error}"),
    N_("page {number}: its content refers to itself"),
    N_("{count} of {total} page(s) are images without text"),
    N_("a page image"),
    N_("{what}; {missing}"),
    N_("{what}; OCR turned off by --no-ocr"),
    N_("{seconds} s a page (OCR)"),
    N_("{what}; OCR failed: {error}"),
    N_("{what}; OCR found no text"),
    N_("text read by OCR; expect errors"),
    # readers/ocr.py
    N_("OCR needs tesseract with French data: {command}"),
    N_("OCR needs tesseract's French data: {command}"),
    N_("OCR could not run tesseract"),
    # readers/text.py
    N_("not valid text in any encoding"),
    N_("binary content, not text"),
    N_("decoded as {encoding}"),
    # extraction.py (the worker processes)
    N_("the reader could not start"),
    N_("the reader crashed"),
    N_("the reader crashed ({signal})"),
    N_("the reader failed: {error}"),
    N_("its text is too large to hand back"),
    # match.py and inspection.py (read, but not a CV matchstage can use)
    N_("{pages} pages and no CV section"),
    N_("detected language: {language}"),
)


def localized_detail(detail: str) -> str:
    """A reader's detail or note (English, see ``READER_DETAILS``) in the interface language."""
    return translate_filled(detail, READER_DETAILS)


class Unreadable(Exception):
    """A file that cannot be turned into text, with the reason and a detail for the message."""

    def __init__(self, reason: SkipReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail

    def message(self, name: str) -> str:
        """The sentence a person reads about the file called ``name``, in the interface language."""
        detail = localized_detail(self.detail) if self.detail else self.reason.value
        return _(SKIP_MESSAGES[self.reason]).format(name=name, detail=detail)


@dataclass(frozen=True)
class Document:
    """The text of one file, normalised, with its pages kept apart for section and header handling."""

    path: Path
    text: str
    pages: int = 1
    format: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    ocr: bool = False  # the text was read by OCR from page images


@dataclass(frozen=True)
class ReadLimits:
    """Limits that keep one hostile file from taking the run down (see README, "Limits")."""

    max_pages: int = 50
    max_mb: float = 20.0
    timeout_s: float = 15.0
    password: str | None = None
    # Scanned PDFs are read by OCR when tesseract with French data is installed (--no-ocr: skipped instead).
    ocr: bool = True
    # Pages of one scanned file read by OCR at once (read_many sets it to its number of workers).
    ocr_jobs: int = 1

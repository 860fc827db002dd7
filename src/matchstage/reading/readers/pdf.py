"""PDF with pypdf (the project's PDF engine): the text of every page, or the precise reason there is none.

Hostile PDFs are expected: this reader runs inside a worker process (see ``matchstage.reading.extraction``) that
is killed when it takes too long or grows too big; here it only has to say *why* a file gives no text.
Scanned pages are read by OCR (``matchstage.reading.readers.ocr``) when ``limits.ocr`` is set and tesseract
with French data is installed.
"""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matchstage.reading.readers.ocr as ocr
from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.reading.normalize import normalize_pages

# A document with images and fewer letters than this per page on average is a scan with, at most, a
# stray caption or stamp in its text layer (a real CV page holds well over a thousand letters).
SCANNED_LETTERS_PER_PAGE = 60
# A browser printing an image (a photo of a CV opened in a tab) writes a header and a footer around it: the
# date, the file's name and size, its address, "1/1". Text in the page's top and bottom bands this deep (a
# share of its height) is not counted as the page's own text, on a page that draws an image and has fewer
# letters than CAPTION_CHECK_LETTERS (a CV page with a photo has far more; only such pages are measured).
CAPTION_BAND = 0.07
CAPTION_CHECK_LETTERS = 400
# OCR stops this long before the file's deadline, so that its timeout is the one reported, not the worker's.
_OCR_DEADLINE_MARGIN_S = 0.5
# Form XObjects nest; hostile files make them refer to themselves. Look this deep for images, no deeper.
_MAX_XOBJECT_DEPTH = 4
_MAGIC = b"%PDF-"
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s.*?\sID\s", re.DOTALL)
# pypdf messages about a missing optional package, not about damage to the file.
_NOT_DAMAGE = re.compile(r"is required|install", re.IGNORECASE)

# pypdf reports repairs through logging and warnings. Nothing of it may reach the user's terminal;
# while a file is read its messages are collected instead (see _collected_messages).
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
logging.getLogger("pypdf").addHandler(logging.NullHandler())


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < 20:
            with contextlib.suppress(Exception):
                self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collected_messages() -> Iterator[list[str]]:
    """Silence pypdf's logging and warnings for the duration, and hand back what it said."""
    logger = logging.getLogger("pypdf")
    handler = _Collect()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler.messages
            handler.messages.extend(str(w.message) for w in caught[:10])
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _what_it_is(head: bytes) -> str:
    """A guess at what a file without a PDF header really is, for the skip message."""
    if head.startswith(b"PK\x03\x04"):
        return "it is a zip archive, perhaps a Word or OpenDocument file renamed .pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an old Microsoft Office file renamed .pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "it is an image renamed .pdf"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "it is a web page saved as .pdf"
    try:
        head.decode("utf-8")
        return "it is a text file, not a PDF"
    except UnicodeDecodeError:
        return "no PDF header in it"


def _squash(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _short(exc: BaseException) -> str:
    return _squash(str(exc)) or type(exc).__name__


def _has_images(resources: Any, depth: int = 0, seen: set[int] | None = None) -> bool:
    """Whether these page resources draw a raster image, looking inside form XObjects, cycle-safe."""
    seen = set() if seen is None else seen
    if depth > _MAX_XOBJECT_DEPTH or not resources:
        return False
    xobjects = resources.get_object().get("/XObject")
    if not xobjects:
        return False
    for name in xobjects.get_object():
        xobject = xobjects.get_object()[name].get_object()
        if id(xobject) in seen:
            continue
        seen.add(id(xobject))
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            return True
        if subtype == "/Form" and _has_images(xobject.get("/Resources"), depth + 1, seen):
            return True
    return False


def _page_has_images(page: Any) -> bool:
    try:
        if _has_images(page.get("/Resources")):
            return True
        contents = page.get_contents()
        return bool(contents is not None and _INLINE_IMAGE.search(contents.get_data()))
    except Exception:  # a damaged resource dictionary: no image can be shown from it either
        return False


def _form_values(pdf: Any) -> list[str]:
    """Values typed into a fillable form: pypdf's page text does not include them."""
    try:
        fields = pdf.get_form_text_fields() or {}
    except Exception:
        return []
    return [value for value in fields.values() if isinstance(value, str) and value.strip()]


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _body_letters(page: Any) -> int:
    """Letters of the page's text outside its top and bottom bands (where browsers print headers, footers)."""
    try:
        box = page.mediabox
        turned = int(page.get("/Rotate", 0) or 0) % 180 == 90  # the page's height then runs along x
        low, high = (float(box.left), float(box.right)) if turned else (float(box.bottom), float(box.top))
    except Exception:
        return 0
    band = (high - low) * CAPTION_BAND
    counted = 0

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: Any) -> None:
        nonlocal counted
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if low + band < (x if turned else y) < high - band:
            counted += _letters(text)

    try:
        page.extract_text(visitor_text=visit)
    except Exception:
        return 0
    return counted


def _open(path: Path, limits: ReadLimits) -> Any:
    """The pypdf reader, decrypted if need be (empty password first, then ``limits.password``)."""
    from pypdf import PdfReader as Pdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        pdf = Pdf(str(path), strict=False)
    except DependencyError as exc:
        raise Unreadable(SkipReason.CORRUPT, f"it uses a feature pypdf cannot decode: {_short(exc)}") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise Unreadable(SkipReason.CORRUPT, _short(exc)) from None
    if not pdf.is_encrypted:
        return pdf
    tried = ["", limits.password] if limits.password else [""]
    for password in tried:
        try:
            if pdf.decrypt(password):
                return pdf
        except (NotImplementedError, DependencyError, FileNotDecryptedError, PdfReadError) as exc:
            raise Unreadable(SkipReason.ENCRYPTED, f"its encryption is not supported: {_short(exc)}") from None
    if limits.password:
        raise Unreadable(SkipReason.ENCRYPTED, "the password given does not open it")
    raise Unreadable(SkipReason.ENCRYPTED, "it opens only with a password; for an offer, pass --password")


class PdfReader:
    """PDF files: text per page with pypdf, running headers dropped; scans found and optionally OCR'd."""

    suffixes: tuple[str, ...] = (".pdf",)

    def read(self, path: Path, limits: ReadLimits) -> Document:
        with path.open("rb") as handle:
            head = handle.read(1024)
        if not head:
            raise Unreadable(SkipReason.EMPTY, "zero bytes")
        if _MAGIC not in head:
            raise Unreadable(SkipReason.NOT_A_PDF, _what_it_is(head))
        with _collected_messages() as said:
            pdf = _open(path, limits)
            try:
                count = len(pdf.pages)
            except Exception as exc:  # cyclic or broken page tree
                raise Unreadable(SkipReason.CORRUPT, f"its page tree is broken: {_short(exc)}") from None
            if count == 0:
                raise Unreadable(SkipReason.EMPTY, "a PDF with no pages")
            if count > limits.max_pages:
                raise Unreadable(SkipReason.TOO_LARGE, f"{count} pages, limit {limits.max_pages}")
            pages, failures, image_pages = self._pages(pdf, count)
            typed = _form_values(pdf)
            if typed:
                pages[-1] = "\n".join([pages[-1], *typed])
            own = [self._own_letters(pdf, number, text, image_pages) for number, text in enumerate(pages, 1)]
        complaints = [message for message in said if not _NOT_DAMAGE.search(message)]
        letters = sum(_letters(page) for page in pages)
        if failures and len(failures) == count and letters == 0:
            raise Unreadable(SkipReason.CORRUPT, failures[0])
        if image_pages and sum(own) < SCANNED_LETTERS_PER_PAGE * count:
            return self._scanned(path, count, image_pages, limits)
        if letters == 0:
            if complaints:  # pypdf had to repair the file and found nothing: damage, not an empty page
                raise Unreadable(SkipReason.CORRUPT, f"no text could be recovered; pypdf: {_squash(complaints[0])}")
            raise Unreadable(SkipReason.EMPTY, f"{count} page(s) without text or images")
        notes = []
        bare = [n for n in sorted(image_pages) if own[n - 1] < SCANNED_LETTERS_PER_PAGE]
        if bare:
            notes.append(f"page(s) {', '.join(map(str, bare))} look scanned; their text is missing")
        if failures:
            notes.append(f"{len(failures)} page(s) could not be read: {failures[0]}")
        elif complaints:
            notes.append(f"the file is damaged and was repaired; some text may be missing ({_squash(complaints[0])})")
        return Document(path, normalize_pages(pages), count, "pdf", tuple(notes))

    @staticmethod
    def _pages(pdf: Any, count: int) -> tuple[list[str], list[str], set[int]]:
        """Text of each page, the errors met, and the numbers of the pages that draw images."""
        pages: list[str] = []
        failures: list[str] = []
        image_pages: set[int] = set()
        for number in range(1, count + 1):
            try:
                page = pdf.pages[number - 1]
            except Exception as exc:
                failures.append(f"page {number}: {_short(exc)}")
                pages.append("")
                continue
            try:
                pages.append(page.extract_text() or "")
            except RecursionError:
                failures.append(f"page {number}: its content refers to itself")
                pages.append("")
            except Exception as exc:  # one damaged page: keep the others
                failures.append(f"page {number}: {_short(exc)}")
                pages.append("")
            if _page_has_images(page):
                image_pages.add(number)
        return pages, failures, image_pages

    @staticmethod
    def _own_letters(pdf: Any, number: int, text: str, image_pages: set[int]) -> int:
        """Letters of page ``number``'s own text: on a page that draws an image and holds little text, what a
        browser printed above and below the image (date, file name, address) does not count."""
        letters = _letters(text)
        if number not in image_pages or letters >= CAPTION_CHECK_LETTERS or letters == 0:
            return letters
        try:
            return _body_letters(pdf.pages[number - 1])
        except Exception:
            return letters

    @staticmethod
    def _scanned(path: Path, count: int, image_pages: set[int], limits: ReadLimits) -> Document:
        what = f"{len(image_pages)} of {count} page(s) are images without text" if count > 1 else "a page image"
        if not limits.ocr:
            raise Unreadable(SkipReason.SCANNED, f"{what}; OCR turned off by --no-ocr")
        missing = ocr.ocr_missing()
        if missing:
            raise Unreadable(SkipReason.SCANNED, f"{what}; {missing}")
        # The time limit is per page for OCR: reading a page image takes seconds, not milliseconds.
        allowed = limits.timeout_s * count
        ocr.time_needed(allowed)
        deadline = time.monotonic() + allowed - _OCR_DEADLINE_MARGIN_S
        try:
            pages = ocr.read_pages(path, count, password=limits.password, jobs=limits.ocr_jobs, deadline=deadline)
        except subprocess.TimeoutExpired:
            raise Unreadable(SkipReason.TIMEOUT, f"{limits.timeout_s:g} s a page (OCR)") from None
        except subprocess.CalledProcessError as exc:
            error = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else ""
            raise Unreadable(SkipReason.SCANNED, f"{what}; OCR failed: {_squash(error) or _short(exc)}") from None
        except MemoryError:
            raise
        except Exception as exc:  # PDFium could not render the file, or tesseract could not start
            raise Unreadable(SkipReason.SCANNED, f"{what}; OCR failed: {_short(exc)}") from None
        text = normalize_pages(pages)
        if not any(c.isalpha() for c in text):
            raise Unreadable(SkipReason.SCANNED, f"{what}; OCR found no text")
        return Document(path, text, count, "pdf", (ocr.OCR_NOTE,), ocr=True)

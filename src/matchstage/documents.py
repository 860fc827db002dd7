"""Documents as matchstage reads them, and the reasons a file can be skipped.

Every reader turns a file into a :class:`Document` or raises :class:`Unreadable` with a
:class:`SkipReason`; nothing else escapes from reading. The messages a person reads live in
``SKIP_MESSAGES`` so that they can be reviewed (and translated) in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class SkipReason(str, enum.Enum):
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
    SkipReason.ENCRYPTED: "{name}: protected by a password ({detail}); "
    "ask the candidate for a copy without a password.",
    SkipReason.SCANNED: "{name}: no text layer, it looks like a scan ({detail}); run with --ocr if tesseract "
    "with French data is installed, or ask for a text PDF.",
    SkipReason.CORRUPT: "{name}: the file is damaged and cannot be parsed ({detail}); ask for a new copy.",
    SkipReason.EMPTY: "{name}: no text to read ({detail}).",
    SkipReason.NOT_A_PDF: "{name}: the content does not match the extension ({detail}).",
    SkipReason.TOO_LARGE: "{name}: over the size limit ({detail}); raise --max-pages or --max-mb to read it.",
    SkipReason.TIMEOUT: "{name}: text extraction took longer than {detail}; raise --timeout to try again.",
    SkipReason.UNSUPPORTED_LANGUAGE: "{name}: written in a language matchstage cannot analyse ({detail}).",
    SkipReason.NOT_A_CV: "{name}: does not look like a CV or a cover letter ({detail}).",
    SkipReason.DUPLICATE: "{name}: same document as {detail}; ranked once.",
    SkipReason.UNREADABLE: "{name}: cannot be read ({detail}).",
}


class Unreadable(Exception):
    """A file that cannot be turned into text, with the reason and a detail for the message."""

    def __init__(self, reason: SkipReason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail

    def message(self, name: str) -> str:
        return SKIP_MESSAGES[self.reason].format(name=name, detail=self.detail or self.reason.value)


@dataclass(frozen=True)
class Document:
    """The text of one file, normalised, with its pages kept apart for section and header handling."""

    path: Path
    text: str
    pages: int = 1
    format: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReadLimits:
    """Limits that keep one hostile file from taking the run down (see README, "Limits")."""

    max_pages: int = 50
    max_mb: float = 20.0
    timeout_s: float = 15.0
    password: str | None = None
    ocr: bool = False

"""Readers: each format behind one small interface, picked from a registry by file suffix.

``read_document`` turns a file into a :class:`~matchstage.reading.documents.Document` or raises
:class:`~matchstage.reading.documents.Unreadable`; no other exception escapes. Adding a format means writing a
class with ``suffixes`` and ``read`` and listing it in ``READERS``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Protocol

from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.reading.readers.office import DocxReader, OdtReader
from matchstage.reading.readers.pdf import PdfReader
from matchstage.reading.readers.text import HtmlReader, TextReader

__all__ = ["CANDIDATE_SUFFIXES", "OFFER_SUFFIXES", "READERS", "Reader", "is_document", "preload", "read_document",
           "reader_for"]


class Reader(Protocol):
    """A file format: the suffixes it claims, and how to turn such a file into a Document."""

    suffixes: tuple[str, ...]

    def read(self, path: Path, limits: ReadLimits) -> Document:
        """The file's normalised text, or :class:`Unreadable` with the reason."""
        ...


READERS: tuple[Reader, ...] = (PdfReader(), DocxReader(), OdtReader(), TextReader(), HtmlReader())
# What a candidate folder is read for; .txt and .md there are notes, not CVs.
CANDIDATE_SUFFIXES = frozenset({".pdf", ".docx", ".odt"})
OFFER_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt"})
_PDF = READERS[0]


def reader_for(path: Path) -> Reader | None:
    """The reader for this file's suffix (any case), or None for a type matchstage does not read."""
    suffix = path.suffix.lower()
    return next((reader for reader in READERS if suffix in reader.suffixes), None)


def is_document(path: Path) -> bool:
    """Whether matchstage reads files of this type (.pdf .docx .odt .txt .md .html .htm)."""
    return reader_for(path) is not None


def preload() -> None:
    """Import the reader libraries now (they load lazily), so that forked workers share them."""
    import docx  # noqa: F401
    import pypdf  # noqa: F401


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:100]}" if text else type(exc).__name__


def read_document(path: Path, limits: ReadLimits = ReadLimits()) -> Document:
    """Read ``path`` with the reader for its suffix; raise :class:`Unreadable` with a reason otherwise.

    Size is checked before anything is parsed; a PDF under another extension is read as a PDF. Any
    failure of a reader library is reported as ``corrupt`` with the exception's name.
    """
    reader = reader_for(path)
    if reader is None:
        raise Unreadable(SkipReason.UNREADABLE, f"matchstage does not read {path.suffix or 'extension-less'} files")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise Unreadable(SkipReason.UNREADABLE, exc.strerror or type(exc).__name__) from None
    if size == 0:
        raise Unreadable(SkipReason.EMPTY, "zero bytes")
    if size > limits.max_mb * 1024 * 1024:
        raise Unreadable(SkipReason.TOO_LARGE, f"{size / 1024 / 1024:.1f} MB, limit {limits.max_mb:g} MB")
    notes: tuple[str, ...] = ()
    if reader is not _PDF and head.startswith(b"%PDF-"):
        reader, notes = _PDF, (f"a PDF named {path.suffix}; read as a PDF",)
    try:
        document = reader.read(path, limits)
    except Unreadable:
        raise
    except MemoryError:
        raise Unreadable(SkipReason.TOO_LARGE, "reading it needs more memory than allowed") from None
    except RecursionError:
        raise Unreadable(SkipReason.CORRUPT, "its structure loops on itself") from None
    except Exception as exc:  # a reader library failing on hostile input: the file is damaged
        raise Unreadable(SkipReason.CORRUPT, _short(exc)) from None
    if not any(c.isalnum() for c in document.text):
        raise Unreadable(SkipReason.EMPTY, "no text in it")
    if notes:
        document = dataclasses.replace(document, warnings=notes + document.warnings)
    return document

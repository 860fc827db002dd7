"""Readers: each format behind one small interface, picked from a registry by file suffix.

``read_document`` turns a file into a :class:`~matchstage.documents.Document` or raises
:class:`~matchstage.documents.Unreadable`; no other exception escapes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from matchstage.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.readers.office import DocxReader, OdtReader
from matchstage.readers.pdf import PdfReader
from matchstage.readers.text import HtmlReader, TextReader


class Reader(Protocol):
    suffixes: tuple[str, ...]

    def read(self, path: Path, limits: ReadLimits) -> Document: ...


READERS: tuple[Reader, ...] = (PdfReader(), DocxReader(), OdtReader(), TextReader(), HtmlReader())
CANDIDATE_SUFFIXES = frozenset({".pdf", ".docx", ".odt"})
OFFER_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt"})


def reader_for(path: Path) -> Reader | None:
    suffix = path.suffix.lower()
    return next((r for r in READERS if suffix in r.suffixes), None)


def is_document(path: Path) -> bool:
    return reader_for(path) is not None


def read_document(path: Path, limits: ReadLimits = ReadLimits()) -> Document:
    """Read ``path`` with the reader for its suffix; raise :class:`Unreadable` with a reason otherwise."""
    reader = reader_for(path)
    if reader is None:
        raise Unreadable(SkipReason.UNREADABLE, f"matchstage does not read {path.suffix or 'extension-less'} files")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Unreadable(SkipReason.UNREADABLE, exc.strerror or type(exc).__name__) from None
    if size == 0:
        raise Unreadable(SkipReason.EMPTY, "zero bytes")
    if size > limits.max_mb * 1024 * 1024:
        raise Unreadable(SkipReason.TOO_LARGE, f"{size / 1024 / 1024:.1f} MB, limit {limits.max_mb:g} MB")
    try:
        document = reader.read(path, limits)
    except Unreadable:
        raise
    except MemoryError:
        raise Unreadable(SkipReason.TOO_LARGE, "reading it needs more memory than allowed") from None
    except RecursionError:
        raise Unreadable(SkipReason.CORRUPT, "its structure loops on itself") from None
    except Exception as exc:  # a reader library failing on hostile input: the file is damaged
        raise Unreadable(SkipReason.CORRUPT, f"{type(exc).__name__}: {str(exc)[:120]}") from None
    if not document.text.strip():
        raise Unreadable(SkipReason.EMPTY, "no text in it")
    return document

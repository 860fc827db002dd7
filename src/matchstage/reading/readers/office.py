"""Word (DOCX, opened with python-docx) and OpenDocument text (ODT, zipped XML read with the standard library).

Both are walked in document order: paragraphs, tables (one line per cell paragraph) and text boxes, which
CV templates use a lot; headers and footers of DOCX files come first and last. Deleted tracked changes,
field codes and comments are left out.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.reading.normalize import normalize_text

# An XML part larger than this once unzipped is a zip bomb, not a CV (a long CV's XML is under 2 MB).
MAX_XML_BYTES = 64 * 1024**2

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Inside a paragraph: subtrees without visible text of their own (text boxes are read as blocks).
_W_SKIP = {f"{_W}{t}" for t in ("delText", "instrText", "del", "drawing", "pict", "rPr", "pPr", "object")} | {
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODF_SPACE = re.compile(r"[ \t\r\n]+")
_ODT_SKIP = {f"{_TEXT}{t}" for t in ("tracked-changes", "note", "sequence-decls", "variable-decls", "user-field-decls",
                                     "alphabetical-index-mark", "bookmark", "reference-mark")} | {
    f"{_OFFICE}annotation", f"{_OFFICE}forms", f"{_DRAW}frame"}


def _open_zip(path: Path, kind: str) -> zipfile.ZipFile:
    """The document's zip container, or the reason it is not one."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in path.read_bytes():
            raise Unreadable(SkipReason.ENCRYPTED, f"a password-protected {kind} file")
        raise Unreadable(SkipReason.UNREADABLE, f"an old Office 97-2003 file named {path.suffix}; "
                                                "ask for a .docx, .odt or PDF copy")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise Unreadable(SkipReason.CORRUPT, f"not a valid {kind} file (the zip container is damaged)") from None


def _check_size(archive: zipfile.ZipFile, name: str) -> None:
    try:
        size = archive.getinfo(name).file_size
    except KeyError:
        raise Unreadable(SkipReason.CORRUPT, f"{name} is missing from the file") from None
    if size > MAX_XML_BYTES:
        raise Unreadable(SkipReason.TOO_LARGE, f"{name} unzips to {size / 1024**2:.0f} MB, "
                                               f"limit {MAX_XML_BYTES // 1024**2} MB")


def _outermost(node: Any, tag: str, stop: Callable[[Any], bool]) -> Iterator[Any]:
    """Descendants of ``node`` with ``tag``, not looking inside a match or a subtree ``stop`` rejects."""
    for child in node:
        if not isinstance(child.tag, str) or stop(child):
            continue
        if child.tag == tag:
            yield child
        else:
            yield from _outermost(child, tag, stop)


# --- DOCX -------------------------------------------------------------------------------------------------------


def _docx_inline(node: Any) -> Iterator[str]:
    for child in node:
        tag = child.tag
        if not isinstance(tag, str) or tag in _W_SKIP:
            continue
        if tag == f"{_W}t":
            yield child.text or ""
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            yield "\t"
        elif tag in (f"{_W}br", f"{_W}cr"):
            yield "\n"
        elif tag == f"{_W}noBreakHyphen":
            yield "-"
        else:
            yield from _docx_inline(child)


def _docx_blocks(container: Any) -> Iterator[str]:
    for child in container:
        tag = child.tag
        if tag == f"{_W}p":
            yield "".join(_docx_inline(child))
            for box in _outermost(child, f"{_W}txbxContent", lambda e: e.tag == _MC_FALLBACK):
                yield from _docx_blocks(box)
        elif tag == f"{_W}tbl":
            yield from _docx_table(child)
        elif isinstance(tag, str) and tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            yield from _docx_blocks(child)


def _docx_table(table: Any) -> Iterator[str]:
    for row in _outermost(table, f"{_W}tr", lambda e: e.tag == f"{_W}tbl"):
        for cell in _outermost(row, f"{_W}tc", lambda e: e.tag == f"{_W}tbl"):
            yield from _docx_blocks(cell)


class DocxReader:
    """Word ``.docx`` files."""

    suffixes: tuple[str, ...] = (".docx",)

    def read(self, path: Path, limits: ReadLimits) -> Document:
        from docx import Document as open_docx

        with _open_zip(path, "Word") as archive:
            _check_size(archive, "word/document.xml")
            for name in archive.namelist():
                if name.startswith(("word/header", "word/footer")):
                    _check_size(archive, name)
        document = open_docx(str(path))
        headers: list[str] = []
        footers: list[str] = []
        for rel in document.part.rels.values():
            kind = rel.reltype.rsplit("/", 1)[-1]
            if kind in ("header", "footer") and not rel.is_external:
                text = "\n".join(_docx_blocks(rel.target_part.element)).strip()
                target = headers if kind == "header" else footers
                if text and text not in target:
                    target.append(text)
        body = "\n".join(_docx_blocks(document.element.body))
        return Document(path, normalize_text("\n".join([*headers, body, *footers])), 1, "docx")


# --- ODT --------------------------------------------------------------------------------------------------------


def _odt_inline(node: ElementTree.Element) -> Iterator[str]:
    # ODF collapses white space in text like HTML does; repeated spaces are spelled <text:s text:c="n"/>.
    yield _ODF_SPACE.sub(" ", node.text or "")
    for child in node:
        tag = child.tag
        if tag == f"{_TEXT}s":
            yield " " * int(child.get(f"{_TEXT}c", "1") or 1)
        elif tag == f"{_TEXT}tab":
            yield "\t"
        elif tag == f"{_TEXT}line-break":
            yield "\n"
        elif tag not in _ODT_SKIP:
            yield from _odt_inline(child)
        yield _ODF_SPACE.sub(" ", child.tail or "")


def _odt_blocks(container: ElementTree.Element) -> Iterator[str]:
    for child in container:
        tag = child.tag
        if tag in (f"{_TEXT}p", f"{_TEXT}h"):
            yield "".join(_odt_inline(child))
            for box in _outermost(child, f"{_DRAW}text-box", lambda e: False):
                yield from _odt_blocks(box)
        elif tag in _ODT_SKIP and tag != f"{_DRAW}frame":
            continue
        else:  # lists, list items, tables, rows, cells, sections, frames: containers of paragraphs
            yield from _odt_blocks(child)


class OdtReader:
    """OpenDocument text ``.odt`` files (LibreOffice)."""

    suffixes: tuple[str, ...] = (".odt",)

    def read(self, path: Path, limits: ReadLimits) -> Document:
        with _open_zip(path, "OpenDocument") as archive:
            if "META-INF/manifest.xml" in archive.namelist() and b"encryption-data" in archive.read(
                    "META-INF/manifest.xml")[:MAX_XML_BYTES]:
                raise Unreadable(SkipReason.ENCRYPTED, "a password-protected OpenDocument file")
            _check_size(archive, "content.xml")
            content = archive.read("content.xml")
        if b"<!DOCTYPE" in content[:4096] or b"<!ENTITY" in content[:4096]:
            raise Unreadable(SkipReason.CORRUPT, "content.xml declares entities, which an OpenDocument file never does")
        try:
            root = ElementTree.fromstring(content)
        except ElementTree.ParseError as exc:
            raise Unreadable(SkipReason.CORRUPT, f"content.xml is not valid XML ({exc})") from None
        body = root.find(f"{_OFFICE}body/{_OFFICE}text")
        if body is None:
            raise Unreadable(SkipReason.CORRUPT, "no text body in content.xml; is it a spreadsheet or a drawing?")
        return Document(path, normalize_text("\n".join(_odt_blocks(body))), 1, "odt")

"""Word (DOCX, with python-docx) and OpenDocument (ODT, zipped XML read with the standard library)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

from matchstage.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.normalize import normalize_text

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _check_zip(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        raise Unreadable(SkipReason.CORRUPT, "not a valid office document (the zip container is damaged)")


class DocxReader:
    suffixes = (".docx",)

    def read(self, path: Path, limits: ReadLimits) -> Document:
        from docx import Document as open_docx

        _check_zip(path)
        document = open_docx(str(path))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                cells: list[str] = []
                for cell in row.cells:
                    if cell.text not in cells:  # merged cells repeat their text
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
        return Document(path, normalize_text("\n".join(lines)), 1, "docx")


class OdtReader:
    suffixes = (".odt",)

    def read(self, path: Path, limits: ReadLimits) -> Document:
        _check_zip(path)
        with zipfile.ZipFile(path) as archive:
            if "content.xml" not in archive.namelist():
                raise Unreadable(SkipReason.CORRUPT, "no content.xml in the OpenDocument file")
            root = ElementTree.fromstring(archive.read("content.xml"))
        lines = []
        for element in root.iter():
            if element.tag in (f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h"):
                lines.append("".join(element.itertext()))
        return Document(path, normalize_text("\n".join(lines)), 1, "odt")

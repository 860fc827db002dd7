"""PDF with pypdf (the project's PDF engine): text, or a precise reason it cannot be had."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from matchstage.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.normalize import normalize_pages

# Fewer letters than this on every page, with images present: a scan.
_MIN_LETTERS_PER_DOCUMENT = 20
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def _looks_like_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"%PDF-" in handle.read(1024)


def _has_images(page: object) -> bool:
    try:
        resources = page.get("/Resources") or {}  # type: ignore[attr-defined]
        xobjects = resources.get("/XObject") or {}
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:
        return False


def ocr_available() -> str:
    """Empty when OCR can run; else what to install."""
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        return "install tesseract-ocr, tesseract-ocr-fra and poppler-utils"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout
    return "" if "fra" in langs.split() else "install the French data for tesseract (tesseract-ocr-fra)"


def _ocr(path: Path, pages: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "200", "-gray", "-l", str(pages), str(path), f"{tmp}/p"],
                       check=True, capture_output=True)
        texts = []
        for image in sorted(Path(tmp).glob("p*.pgm")):
            result = subprocess.run(["tesseract", str(image), "-", "-l", "fra"], capture_output=True, text=True,
                                    check=True)
            texts.append(result.stdout)
        return texts


class PdfReader:
    suffixes = (".pdf",)

    def read(self, path: Path, limits: ReadLimits) -> Document:
        from pypdf import PdfReader as Pdf
        from pypdf.errors import FileNotDecryptedError, PdfReadError

        if not _looks_like_pdf(path):
            raise Unreadable(SkipReason.NOT_A_PDF, "no PDF header; it may be another kind of file renamed")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                pdf = Pdf(str(path), strict=False)
                if pdf.is_encrypted:
                    self._decrypt(pdf, limits)
                count = len(pdf.pages)
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise Unreadable(SkipReason.ENCRYPTED, f"cannot decrypt: {str(exc)[:80]}") from None
            except PdfReadError as exc:
                raise Unreadable(SkipReason.CORRUPT, str(exc)[:120]) from None
            if count == 0:
                raise Unreadable(SkipReason.EMPTY, "no pages")
            if count > limits.max_pages:
                raise Unreadable(SkipReason.TOO_LARGE, f"{count} pages, limit {limits.max_pages}")
            pages: list[str] = []
            images = False
            failures: list[str] = []
            for page in pdf.pages:
                try:
                    pages.append(page.extract_text() or "")
                except Exception as exc:  # one damaged page: keep the others
                    failures.append(f"{type(exc).__name__}: {str(exc)[:80]}")
                    pages.append("")
                images = images or _has_images(page)
            if failures and len(failures) == count:
                raise Unreadable(SkipReason.CORRUPT, failures[0])
        letters = sum(c.isalpha() for p in pages for c in p)
        if letters < _MIN_LETTERS_PER_DOCUMENT:
            if not images:
                raise Unreadable(SkipReason.EMPTY, f"{count} page(s) without text or images")
            missing = ocr_available() if limits.ocr else "run with --ocr"
            if missing:
                raise Unreadable(SkipReason.SCANNED, f"{count} page(s) of images; {missing}")
            pages = _ocr(path, count)
        return Document(path, normalize_pages(pages), count, "pdf")

    @staticmethod
    def _decrypt(pdf: object, limits: ReadLimits) -> None:
        from pypdf import PasswordType

        for password in ("", limits.password):
            if password is None:
                continue
            if pdf.decrypt(password) != PasswordType.NOT_DECRYPTED:  # type: ignore[attr-defined]
                return
        detail = "the password given does not open it" if limits.password else "no password given"
        raise Unreadable(SkipReason.ENCRYPTED, detail)

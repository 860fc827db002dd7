"""OCR of scanned PDF pages: PDFium (pypdfium2) renders each page, tesseract reads it in French.

Runs inside a reader worker (see ``matchstage.reading.extraction``): pages are rendered there one at a time (PDFium
is not thread-safe), within the worker's memory cap, and each rendered page goes to its own ``tesseract``
process, a few at once, each given only the time left before the file's deadline. The worker is the
leader of its process group, so a worker killed at its deadline takes its tesseract processes with it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

# What a person installs for OCR to run (Debian, Ubuntu); the README says the same next to the two commands.
INSTALL_COMMAND = "apt-get install tesseract-ocr tesseract-ocr-fra"
# The note on every document whose text came from OCR (translated through READER_DETAILS).
OCR_NOTE = "text read by OCR; expect errors"
# tesseract reads 300 dpi best; CVs are small print.
OCR_DPI = 300
# A page whose longer side would exceed this many pixels at OCR_DPI is rendered smaller: a hostile MediaBox
# (metres wide) must not allocate gigabytes; A3 at 300 dpi is 4,961 pixels long.
MAX_SIDE_PX = 5000
LANGUAGE = "fra"



def _nobody(seconds: float) -> None:
    """Reading outside a worker: no deadline to move."""


# Told, when OCR of a file begins, how many seconds from now it may take: a reader worker
# (matchstage.reading.extraction) sets it, and its parent moves the file's deadline.
time_needed: Callable[[float], None] = _nobody


def ocr_missing() -> str:
    """What to install for OCR to run; empty when tesseract and its French data are there."""
    tesseract = shutil.which("tesseract")
    if not tesseract:
        return f"OCR needs tesseract with French data: {INSTALL_COMMAND}"
    listed = _languages(tesseract)
    if listed is None:
        return "OCR could not run tesseract"
    if LANGUAGE not in listed.split():
        return f"OCR needs tesseract's French data: {INSTALL_COMMAND}"
    return ""


def _languages(tesseract: str) -> str | None:
    try:
        result = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False,
                                stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout + result.stderr


def ocr_state(wanted: bool) -> str:
    """How OCR stands for a run, as the reading cache tells runs apart: ``off`` (not asked for), ``missing: …``
    (asked for, cannot run: the message says what to install), or ``tesseract …`` (which tesseract, with which
    languages: a tesseract upgraded or moved reads scans anew)."""
    if not wanted:
        return "off"
    missing = ocr_missing()
    if missing:
        return f"missing: {missing}"
    tesseract = shutil.which("tesseract") or ""
    stat = os.stat(tesseract)
    languages = _languages(tesseract) or ""
    digest = hashlib.sha256(f"{tesseract}\0{stat.st_size}\0{stat.st_mtime_ns}\0{languages}".encode()).hexdigest()
    return f"tesseract {digest[:16]}"


def _render(pdf: object, index: int) -> tuple[bytes, int]:
    """Page ``index`` as a greyscale PGM image, and the resolution it was rendered at (dpi)."""
    page = pdf[index]  # type: ignore[index]
    try:
        width, height = page.get_size()
        scale = min(OCR_DPI / 72, MAX_SIDE_PX / max(width, height, 1.0))
        bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
        pixels = bitmap.to_numpy()
        if pixels.ndim == 3:  # PDFium hands greyscale back with a channel axis
            pixels = pixels[..., 0]
        image = b"P5 %d %d 255\n" % (pixels.shape[1], pixels.shape[0]) + pixels.tobytes()
        return image, max(1, round(scale * 72))
    finally:
        page.close()


def _tesseract(tesseract: str, image: bytes, dpi: int, deadline: float) -> str:
    # One thread per tesseract: its own OpenMP threads would only fight the other pages' processes for the cores.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run([tesseract, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(dpi)], input=image,
                            capture_output=True, timeout=max(0.1, deadline - time.monotonic()), check=True, env=env)
    return result.stdout.decode("utf-8", "replace")


def read_pages(path: Path, pages: int, *, password: str | None, jobs: int, deadline: float) -> list[str]:
    """The text of the first ``pages`` pages of the PDF at ``path``, one string per page, read by OCR with up to
    ``jobs`` pages at once. Raises :class:`subprocess.TimeoutExpired` past ``deadline`` (``time.monotonic()``),
    :class:`subprocess.CalledProcessError` or :class:`OSError` when tesseract fails, and PDFium's errors when
    it cannot open the file."""
    import pypdfium2 as pdfium

    tesseract = shutil.which("tesseract")
    if not tesseract:
        raise OSError("tesseract is not installed")
    pdf = pdfium.PdfDocument(str(path), password=password)
    try:
        count = min(pages, len(pdf))
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures: list[Future[str]] = []
            for index in range(count):
                # Render a page only when a tesseract is free for it: rendered pages wait in memory otherwise.
                while sum(not f.done() for f in futures) >= max(1, jobs):
                    wait(futures, return_when=FIRST_COMPLETED)
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(tesseract, 0)
                image, dpi = _render(pdf, index)
                futures.append(pool.submit(_tesseract, tesseract, image, dpi, deadline))
            return [future.result() for future in futures]
    finally:
        pdf.close()

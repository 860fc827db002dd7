"""Scanned CVs: read by OCR by default where tesseract (French) is installed, flagged in every output, and
skipped with what to install where it is not; a page image with a browser's caption around it is a scan.

The tests that run tesseract skip without it, except in CI (``CI`` set), where they must run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.reading.documents import ReadLimits, SkipReason, Unreadable
from matchstage.reading.readers import ocr, read_document
from tests import hostile
from tests.factories import ACCOUNTANT, OFFER, SOCIOLOGIST, write_pdf, write_scanned_pdf

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-fra"


def _needs_tesseract() -> None:
    """Skip without tesseract and its French data, but never in CI, where OCR must be tested."""
    missing = ocr.ocr_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing + ": CI must run the OCR tests")
        pytest.skip(missing)


def _match(folder: Path, *options: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["match", str(folder / "offre.txt"), str(folder / "cands"), "--format", "json",
                                      "--jobs", "2", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offer, an off-field CV as text, the on-field CV as a scan (turned, grey, speckled) and as a page image
    printed from a browser (date, file name and address around it)."""
    root = tmp_path_factory.mktemp("ocr")
    (root / "offre.txt").write_text(OFFER, encoding="utf-8")
    write_pdf(root / "cands" / "CV_Paul_Martin.pdf", ACCOUNTANT)
    write_scanned_pdf(root / "cands" / "CV_Camille_Durand_scan.pdf", SOCIOLOGIST)
    return root


def test_a_scanned_cv_is_read_by_ocr_ranked_above_an_off_field_cv_and_flagged(folder: Path, tmp_path: Path) -> None:
    _needs_tesseract()
    data = _match(folder, "--no-cache", "-o", str(tmp_path / "out.csv"), "-o", str(tmp_path / "out.html"))
    ranking = data["offers"][0]["ranking"]
    assert [r["candidate"] for r in ranking] == ["CV_Camille_Durand_scan.pdf", "CV_Paul_Martin.pdf"]
    assert ranking[0]["score"] > ranking[1]["score"]
    assert any(m.startswith("Sociologie") for m in ranking[0]["facets"]["disciplines"]["matched"])
    assert data["skipped"] == []
    assert data["flags"] == [{"path": "CV_Camille_Durand_scan.pdf", "flag": "ocr",
                              "message": "CV_Camille_Durand_scan.pdf: text read by OCR; expect errors"}]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["notes"] == "CV_Camille_Durand_scan.pdf: text read by OCR; expect errors"
    assert rows[1]["notes"] == ""
    assert "text read by OCR; expect errors" in (tmp_path / "out.html").read_text(encoding="utf-8")


def test_the_terminal_notes_a_file_read_by_ocr(folder: Path) -> None:
    _needs_tesseract()
    result = CliRunner().invoke(cli, ["match", str(folder / "offre.txt"), str(folder / "cands"), "--no-cache"])
    assert result.exit_code == 0
    assert "note [ocr] CV_Camille_Durand_scan.pdf: text read by OCR; expect errors" in result.stderr


def test_no_ocr_skips_the_scan_and_says_why(folder: Path) -> None:
    data = _match(folder, "--no-cache", "--no-ocr")
    assert [r["candidate"] for r in data["offers"][0]["ranking"]] == ["CV_Paul_Martin.pdf"]
    assert data["skipped"] == [{
        "path": "CV_Camille_Durand_scan.pdf", "reason": "scanned",
        "message": "CV_Camille_Durand_scan.pdf: no text layer, it looks like a scan (a page image; OCR turned off by "
                   "--no-ocr); ask for a PDF with text if OCR cannot read it."}]


def test_what_ran_before_does_not_change_the_output(folder: Path, tmp_path: Path) -> None:
    """The scan read by OCR into a shared cache is not ranked by a later run without OCR, nor the other way."""
    _needs_tesseract()
    cache = ["--cache-dir", str(tmp_path / "cache")]
    alone = {ocr_option: _match(folder, "--no-cache", ocr_option) for ocr_option in ("--ocr", "--no-ocr")}
    for ocr_option in ("--ocr", "--no-ocr", "--ocr", "--no-ocr"):
        assert _match(folder, *cache, ocr_option) == alone[ocr_option]
    assert len(alone["--ocr"]["offers"][0]["ranking"]) == 2 and len(alone["--no-ocr"]["offers"][0]["ranking"]) == 1


def test_without_tesseract_the_message_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    path = hostile.image_only_pdf(tmp_path)
    with pytest.raises(Unreadable) as caught:
        read_document(path)
    assert caught.value.reason is SkipReason.SCANNED
    assert caught.value.message(path.name) == (
        f"CV_scanne.pdf: no text layer, it looks like a scan (a page image; OCR needs tesseract with French data: "
        f"{INSTALL}); ask for a PDF with text if OCR cannot read it.")


def test_without_french_data_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    class Listed:
        stdout = 'List of available languages in "/usr/share/tessdata/" (2):\neng\nosd\n'
        stderr = ""

    monkeypatch.setattr(ocr.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(ocr.subprocess, "run", lambda *args, **kwargs: Listed())
    assert ocr.ocr_missing() == f"OCR needs tesseract's French data: {INSTALL}"
    Listed.stdout += "fra\n"
    assert ocr.ocr_missing() == ""


def test_a_page_image_with_a_browsers_caption_is_a_scan(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "cv.pdf", SOCIOLOGIST, browser_caption=True)
    with pytest.raises(Unreadable) as caught:
        read_document(path, ReadLimits(ocr=False))
    assert caught.value.reason is SkipReason.SCANNED
    assert caught.value.detail == "a page image; OCR turned off by --no-ocr"


def test_a_page_image_with_a_browsers_caption_is_read_by_ocr(tmp_path: Path) -> None:
    _needs_tesseract()
    document = read_document(write_scanned_pdf(tmp_path / "cv.pdf", SOCIOLOGIST, browser_caption=True))
    assert document.ocr and "Sociologie" in document.text


def test_a_cv_with_a_photo_is_not_a_scan(tmp_path: Path) -> None:
    """Text with a picture beside it (an ID photo) is read from the text layer, never by OCR."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "cv_photo.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.drawImage(ImageReader(Image.new("L", (60, 80), 128)), 450, 700, 90, 120)
    for n, line in enumerate(SOCIOLOGIST.splitlines()):
        pdf.drawString(50, 800 - 14 * n, line)
    pdf.save()
    document = read_document(path)
    assert not document.ocr and "Sociologie" in document.text


def test_ocr_past_its_time_is_a_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page is allowed --timeout seconds; a tesseract that takes longer is stopped and the file skipped."""
    _needs_tesseract()

    def slow(*args: object, **kwargs: object) -> str:
        raise subprocess.TimeoutExpired("tesseract", 0.1)

    monkeypatch.setattr(ocr, "_tesseract", slow)
    with pytest.raises(Unreadable) as caught:
        read_document(hostile.image_only_pdf(tmp_path), ReadLimits(timeout_s=0.5))
    assert caught.value.reason is SkipReason.TIMEOUT
    assert caught.value.message("CV_scanne.pdf") == (
        "CV_scanne.pdf: text extraction took longer than 0.5 s a page (OCR); raise --timeout to try again.")

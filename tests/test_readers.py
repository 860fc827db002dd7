"""Readers: each hostile file gives its own skip reason and a message naming it; good files give their text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from matchstage.reading.documents import ReadLimits, SkipReason, Unreadable
from matchstage.reading.readers import (
    CANDIDATE_SUFFIXES,
    OFFER_SUFFIXES,
    is_document,
    read_document,
    reader_for,
)
from matchstage.reading.readers.office import DocxReader, OdtReader
from matchstage.reading.readers.pdf import PdfReader
from matchstage.reading.readers.text import HtmlReader, TextReader
from tests import hostile


def skip_of(path: Path, limits: ReadLimits = ReadLimits()) -> Unreadable:
    with pytest.raises(Unreadable) as caught:
        read_document(path, limits)
    return caught.value


@pytest.mark.parametrize(
    ("make", "reason", "says"),
    [
        (hostile.encrypted_pdf, SkipReason.ENCRYPTED, "pass --password"),
        (hostile.truncated_pdf, SkipReason.CORRUPT, "damaged"),
        (hostile.zero_byte, SkipReason.EMPTY, "zero bytes"),
        (hostile.text_named_pdf, SkipReason.NOT_A_PDF, "it is a text file, not a PDF"),
        (hostile.image_only_pdf, SkipReason.SCANNED, "ask for a PDF with text"),
        (hostile.blank_pdf, SkipReason.EMPTY, "without text or images"),
        (hostile.broken_zip, SkipReason.CORRUPT, "zip container is damaged"),
    ],
)
def test_each_hostile_file_gets_its_reason_and_a_message_naming_it(
    tmp_path: Path, make: Callable[[Path], Path], reason: SkipReason, says: str
) -> None:
    path = make(tmp_path)
    skip = skip_of(path)
    assert skip.reason is reason
    message = skip.message(path.name)
    assert message.startswith(f"{path.name}: ")
    assert says in message


def test_encrypted_message_shape(tmp_path: Path) -> None:
    path = hostile.encrypted_pdf(tmp_path)
    assert skip_of(path).message(path.name) == (
        "CV_protege.pdf: protected by a password (it opens only with a password; for an offer, pass --password); "
        "ask the candidate for a copy without a password."
    )


def test_the_right_password_opens_a_pdf_and_a_wrong_one_is_named(tmp_path: Path) -> None:
    path = hostile.encrypted_pdf(tmp_path, user_password="secret")
    assert "Master 2 Sociologie" in read_document(path, ReadLimits(password="secret")).text
    skip = skip_of(path, ReadLimits(password="wrong"))
    assert skip.reason is SkipReason.ENCRYPTED and skip.detail == "the password given does not open it"


def test_a_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path: Path) -> None:
    path = hostile.encrypted_pdf(tmp_path, "CV_exporte.pdf", user_password="")
    assert "Enquêtes qualitatives" in read_document(path).text


def test_a_scan_says_how_many_pages_are_images(tmp_path: Path) -> None:
    path = hostile.image_only_pdf(tmp_path, pages=3)
    skip = skip_of(path, ReadLimits(ocr=False))
    assert skip.reason is SkipReason.SCANNED
    assert skip.message(path.name) == (
        "CV_scanne.pdf: no text layer, it looks like a scan (3 of 3 page(s) are images without text; OCR turned off "
        "by --no-ocr); ask for a PDF with text if OCR cannot read it."
    )


def test_too_many_pages_and_too_many_megabytes_are_too_large(tmp_path: Path) -> None:
    path = hostile.headed_pdf(tmp_path, pages=3)
    pages = skip_of(path, ReadLimits(max_pages=2))
    assert pages.reason is SkipReason.TOO_LARGE and pages.detail == "3 pages, limit 2"
    size = skip_of(path, ReadLimits(max_mb=0.001))
    assert size.reason is SkipReason.TOO_LARGE and "limit 0.001 MB" in size.detail
    assert "raise --max-pages or --max-mb" in size.message(path.name)


def test_text_pdf_is_read_with_its_accents(tmp_path: Path) -> None:
    document = read_document(hostile.text_pdf(tmp_path))
    assert document.format == "pdf" and document.pages == 1
    assert document.text.splitlines() == list(hostile.CV_LINES)


def test_ligatures_are_spelled_out_and_hyphenated_words_joined(tmp_path: Path) -> None:
    text = read_document(hostile.ligature_pdf(tmp_path)).text
    assert "Profil : chargée de mission confirmée, flexible" in text
    assert "l'organisation des ateliers" in text
    assert "Jean-\nPierre Durand" in text  # a capital after the break: a compound, kept as it is
    assert not any(0xFB00 <= ord(c) <= 0xFB06 for c in text)


def test_running_header_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    document = read_document(hostile.headed_pdf(tmp_path))
    assert document.pages == 3
    assert "Curriculum vitae" not in document.text and "Page" not in document.text
    assert document.text.splitlines()[0] == "Formation"
    assert "Centres d'intérêt : randonnée" in document.text


def test_pypdf_complaints_never_reach_the_terminal(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    good = hostile.pdf_bytes([hostile.CV_LINES])
    start = good.rindex(b"startxref") + len(b"startxref\n")
    damaged = tmp_path / "CV_repare.pdf"
    damaged.write_bytes(good[:start] + b"999" + good[start:].lstrip(b"0123456789"))
    document = read_document(damaged)
    skip_of(hostile.truncated_pdf(tmp_path))
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    assert "Camille Martin" in document.text
    assert any("damaged and was repaired" in note for note in document.warnings)


def test_latin1_and_windows1252_offers_are_decoded(tmp_path: Path) -> None:
    assert read_document(hostile.latin1_offer(tmp_path)).text == hostile.OFFER_TEXT.strip()
    windows = read_document(hostile.cp1252_offer(tmp_path))
    assert "L'association recrute un·e stagiaire pour son œuvre éducative." in windows.text
    assert "coordonner l'équipe — « vie associative »" in windows.text
    assert windows.warnings == ("decoded as cp1252",)


def test_utf8_with_a_bom_and_markdown_tags(tmp_path: Path) -> None:
    path = tmp_path / "offre.md"
    path.write_bytes("\ufeff# Stage\n\nAnalyse <b>géographique</b> <!-- brouillon --> &amp; SIG\n".encode())
    document = read_document(path)
    assert document.text == "# Stage\n\nAnalyse géographique & SIG"
    assert document.format == "md" and document.warnings == ()


def test_bytes_that_are_no_text_are_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "offre.txt"
    path.write_bytes(bytes(range(256)) * 8)
    skip = skip_of(path)
    assert skip.reason is SkipReason.UNREADABLE
    assert skip.message("offre.txt") in ("offre.txt: cannot be read (not valid text in any encoding).",
                                         "offre.txt: cannot be read (binary content, not text).")


def test_html_keeps_only_visible_text_in_lines(tmp_path: Path) -> None:
    document = read_document(hostile.html_offer(tmp_path))
    assert document.text.splitlines() == [
        "Stage : chargé·e de mission biodiversité",
        "",
        "L'agence recherche un·e stagiaire pour six mois.",
        "",
        "Missions",
        "",
        "- Inventaires de terrain",
        "",
        "- Analyse des données avec QGIS & R",
        "",
        "Rémunération : gratification légale",
        "Lieu : Montpellier",
    ]
    for hidden in ("tracker", "font-family", "Accueil", "Connexion", "masqué", "JavaScript", "Modèle", "logo",
                   "Mentions", "Site emploi"):
        assert hidden not in document.text


def test_html_meta_charset_is_respected(tmp_path: Path) -> None:
    path = tmp_path / "offre.htm"
    path.write_bytes('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>Été ’26</p>'
                     .encode("cp1252"))
    assert read_document(path).text == "Été '26"


def test_docx_header_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    document = read_document(hostile.docx_with_table(tmp_path))
    assert document.format == "docx"
    assert document.text.splitlines() == [
        "Camille Martin — camille@example.org", "Formation", "Master 2 Sociologie, Université de Lyon", "Compétences",
        "Méthodes", "Entretiens semi-directifs", "Logiciels", "R, QGIS", "Permis B",
    ]


def test_docx_text_boxes_are_read_once(tmp_path: Path) -> None:
    text = read_document(hostile.docx_with_text_box(tmp_path)).text
    assert text == "Camille Martin\nCompétences : cartographie\nExpérience"


def test_odt_paragraphs_lists_tables_without_notes_or_deletions(tmp_path: Path) -> None:
    document = read_document(hostile.odt(tmp_path))
    assert document.format == "odt"
    assert document.text.splitlines() == [
        "Expérience", "Chargée de mission chez Terre", "Vivante", "Animation de réunions", "Suivi budgétaire",
        "Langues", "Anglais C1",
    ]


def test_password_protected_and_old_office_files_are_named(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    (tmp_path / "CV_protege.docx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le"))
    (tmp_path / "CV_ancien.docx").write_bytes(ole + b"WordDocument")
    assert skip_of(tmp_path / "CV_protege.docx").reason is SkipReason.ENCRYPTED
    old = skip_of(tmp_path / "CV_ancien.docx")
    assert old.reason is SkipReason.UNREADABLE and "Office 97-2003" in old.detail
    encrypted = ('<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
                 "</manifest:file-entry>")
    assert skip_of(hostile.odt(tmp_path, "CV_chiffre.odt", manifest=encrypted)).reason is SkipReason.ENCRYPTED


def test_an_odt_without_text_body_or_with_entities_is_corrupt(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert skip_of(hostile.odt(tmp_path, "bomb.odt", bomb)).reason is SkipReason.CORRUPT
    sheet = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
             "<office:body><office:spreadsheet/></office:body></office:document-content>")
    assert "no text body" in skip_of(hostile.odt(tmp_path, "sheet.odt", sheet)).detail


def test_a_pdf_under_another_extension_is_read_as_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "CV.docx"
    path.write_bytes(hostile.pdf_bytes([hostile.CV_LINES]))
    document = read_document(path)
    assert "Camille Martin" in document.text
    assert document.warnings == ("a PDF named .docx; read as a PDF",)


def test_unexpected_reader_failures_become_reasons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = hostile.text_pdf(tmp_path)

    def explode(self: PdfReader, path: Path, limits: ReadLimits) -> None:
        raise ValueError("bad   value\nhere")

    monkeypatch.setattr(PdfReader, "read", explode)
    skip = skip_of(path)
    assert skip.reason is SkipReason.CORRUPT and skip.detail == "ValueError: bad value here"

    def exhaust(self: PdfReader, path: Path, limits: ReadLimits) -> None:
        raise MemoryError

    monkeypatch.setattr(PdfReader, "read", exhaust)
    assert skip_of(path).reason is SkipReason.TOO_LARGE


def test_registry_by_suffix_in_any_case(tmp_path: Path) -> None:
    assert isinstance(reader_for(Path("CV.PDF")), PdfReader)
    assert isinstance(reader_for(Path("cv.Docx")), DocxReader)
    assert isinstance(reader_for(Path("cv.odt")), OdtReader)
    assert isinstance(reader_for(Path("offre.MD")), TextReader)
    assert isinstance(reader_for(Path("offre.htm")), HtmlReader)
    assert reader_for(Path("photo.jpg")) is None and not is_document(Path("Thumbs.db"))
    assert all(is_document(Path(f"x{suffix}")) for suffix in OFFER_SUFFIXES | CANDIDATE_SUFFIXES)
    assert CANDIDATE_SUFFIXES == {".pdf", ".docx", ".odt"}
    assert OFFER_SUFFIXES == {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".odt"}
    (tmp_path / "cv.rtf").write_text("{\\rtf1}")
    assert skip_of(tmp_path / "cv.rtf").reason is SkipReason.UNREADABLE

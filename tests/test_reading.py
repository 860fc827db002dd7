"""Reading hostile input: every file gives text or a precise reason; nothing hangs or escapes."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from matchstage.cli import cli
from matchstage.reading.documents import ReadLimits, SkipReason, Unreadable
from matchstage.reading.extraction import read_many
from matchstage.reading.normalize import normalize_pages, normalize_text
from matchstage.reading.readers import read_document
from tests.factories import OFFER, SOCIOLOGIST, write_docx, write_pdf


def _png(width: int = 40, height: int = 40) -> bytes:
    """A small grey PNG written by hand (no imaging library needed)."""
    raw = b"".join(b"\x00" + bytes([(x * y) % 256 for x in range(width)]) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def image_only_pdf(path: Path) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.drawImage(ImageReader(io.BytesIO(_png())), 50, 400, width=400, height=400)
    pdf.save()
    return path


def encrypted_pdf(source: Path, path: Path, password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def odt(path: Path, lines: list[str]) -> Path:
    body = "".join(f"<text:p>{line}</text:p>" for line in lines)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               f"{body}</office:text></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    good = write_pdf(root / "CV_Bon.pdf", SOCIOLOGIST)
    encrypted_pdf(good, root / "CV_Protege.pdf", "secret")
    encrypted_pdf(good, root / "CV_Vide_Mdp.pdf", "")
    (root / "CV_Tronque.pdf").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    (root / "CV_Zero.pdf").write_bytes(b"")
    image_only_pdf(root / "CV_Scan.pdf")
    (root / "CV_Texte.pdf").write_text("Je suis un fichier texte, pas un PDF.", encoding="utf-8")
    write_docx(root / "CV_Word.docx", SOCIOLOGIST)
    odt(root / "CV_Libre.odt", SOCIOLOGIST.splitlines())
    (root / "CV_Faux.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return root


@pytest.mark.parametrize(
    ("name", "reason"),
    [("CV_Protege.pdf", SkipReason.ENCRYPTED), ("CV_Tronque.pdf", SkipReason.CORRUPT),
     ("CV_Zero.pdf", SkipReason.EMPTY), ("CV_Scan.pdf", SkipReason.SCANNED), ("CV_Texte.pdf", SkipReason.NOT_A_PDF),
     ("CV_Faux.docx", SkipReason.CORRUPT)],
)
def test_each_hostile_file_gets_its_reason_and_a_message_naming_it(hostile: Path, name: str,
                                                                   reason: SkipReason) -> None:
    with pytest.raises(Unreadable) as caught:
        read_document(hostile / name)
    assert caught.value.reason is reason
    assert caught.value.message(name).startswith(f"{name}: ")


def test_scanned_message_says_ocr_was_turned_off(hostile: Path) -> None:
    with pytest.raises(Unreadable) as caught:
        read_document(hostile / "CV_Scan.pdf", ReadLimits(ocr=False))
    assert "OCR turned off by --no-ocr" in caught.value.message("CV_Scan.pdf")


def test_encrypted_message_says_what_to_do(hostile: Path) -> None:
    with pytest.raises(Unreadable) as caught:
        read_document(hostile / "CV_Protege.pdf")
    assert "without a password" in caught.value.message("CV_Protege.pdf")
    assert "Master 2 Sociologie" in read_document(hostile / "CV_Protege.pdf", ReadLimits(password="secret")).text


def test_pdf_with_an_empty_user_password_is_read(hostile: Path) -> None:
    assert "Master 2 Sociologie" in read_document(hostile / "CV_Vide_Mdp.pdf").text


@pytest.mark.parametrize("name", ["CV_Word.docx", "CV_Libre.odt", "CV_Bon.pdf"])
def test_docx_odt_and_pdf_cvs_are_read(hostile: Path, name: str) -> None:
    text = read_document(hostile / name).text
    assert "30 entretiens compréhensifs auprès de soignants" in text


def test_too_many_pages_is_too_large(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "long.pdf", "\n".join(f"ligne {i}" for i in range(200)))
    with pytest.raises(Unreadable) as caught:
        read_document(path, ReadLimits(max_pages=2))
    assert caught.value.reason is SkipReason.TOO_LARGE and "limit 2" in caught.value.detail


def test_a_file_that_hangs_is_cut_off_and_the_rest_is_read(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matchstage.reading.extraction as extraction

    real = extraction.read_document

    def slow(path: Path, limits: ReadLimits):  # type: ignore[no-untyped-def]
        if path.name == "CV_Bon.pdf":
            time.sleep(30)
        return real(path, limits)

    monkeypatch.setattr(extraction, "read_document", slow)
    paths = [hostile / "CV_Bon.pdf", hostile / "CV_Word.docx", hostile / "CV_Zero.pdf"]
    started = time.monotonic()
    outcomes = dict(read_many(paths, ReadLimits(timeout_s=1.0), jobs=2))
    assert time.monotonic() - started < 10
    assert set(outcomes) == set(paths)
    timed_out = outcomes[hostile / "CV_Bon.pdf"]
    assert isinstance(timed_out, Unreadable) and timed_out.reason is SkipReason.TIMEOUT
    assert not isinstance(outcomes[hostile / "CV_Word.docx"], Unreadable)


def test_latin1_and_windows1252_offers_are_decoded(tmp_path: Path) -> None:
    latin1 = "Stage en économie sociale et solidaire, méthodes qualitatives"
    (tmp_path / "latin1.txt").write_bytes(latin1.encode("latin-1"))
    (tmp_path / "cp1252.txt").write_bytes("L’équipe cherche un·e stagiaire : œuvres, « enquête »".encode("cp1252"))
    assert "économie sociale" in read_document(tmp_path / "latin1.txt").text
    assert "'équipe" in read_document(tmp_path / "cp1252.txt").text
    assert "œuvres" in read_document(tmp_path / "cp1252.txt").text


def test_html_offer_keeps_only_visible_text(tmp_path: Path) -> None:
    page = ("<html><head><title>T</title><style>p{color:red}</style><script>var x = 'secret';</script></head>"
            "<body><nav>Accueil Menu</nav><h2>Profil recherch&eacute;</h2><p>Ma&icirc;trise des SIG&nbsp;;"
            " l&#8217;&eacute;quipe</p><footer>Mentions légales</footer></body></html>")
    (tmp_path / "offre.html").write_text(page, encoding="utf-8")
    text = read_document(tmp_path / "offre.html").text
    assert "Profil recherché" in text and "Maîtrise des SIG ; l'équipe" in text
    for hidden in ("secret", "color", "Accueil", "Mentions"):
        assert hidden not in text


def test_normalisation_of_ligatures_spaces_and_hyphenation() -> None:
    assert normalize_text("e\ufb03cace et \ufb01nance") == "efficace et finance"
    assert normalize_text("sociologie\u00a0: terrain\u202fde 6\u00a0mois") == "sociologie : terrain de 6 mois"
    assert normalize_text("une organi-\nsation solidaire") == "une organisation solidaire"
    assert normalize_text("étudiant·es et habitant⋅es") == "étudiant·es et habitant⋅es"
    assert normalize_text("co\u00adconstruction") == "coconstruction"


def test_repeated_headers_and_page_numbers_are_dropped() -> None:
    pages = [f"Léa Martin — CV\nContenu de la page {i}\nPage {i} / 3" for i in range(1, 4)]
    assert normalize_pages(pages) == "Contenu de la page 1\nContenu de la page 2\nContenu de la page 3"


def test_duplicates_and_csv_injection_through_the_cli(tmp_path: Path) -> None:
    cands = tmp_path / "c"
    write_pdf(cands / "CV_Ana.pdf", SOCIOLOGIST)
    (cands / "CV_Ana_copie.pdf").write_bytes((cands / "CV_Ana.pdf").read_bytes())
    write_docx(cands / "=HYPERLINK(1).docx", SOCIOLOGIST.replace("Camille", "Ana"))
    (cands / "Thumbs.db").write_bytes(b"\0")
    (tmp_path / "offre.txt").write_text(OFFER, encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["match", str(tmp_path / "offre.txt"), str(cands), "--no-cache",
                                      "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["duplicates"] == [{"path": "CV_Ana_copie.pdf", "same_as": "CV_Ana.pdf"}]
    assert [s["reason"] for s in data["skipped"]] == ["duplicate"]
    assert data["ignored"] == ["Thumbs.db"]
    assert "1 duplicate(s)" in result.stderr
    assert "'=HYPERLINK(1).docx" in out.read_text(encoding="utf-8-sig")
    assert ",=HYPERLINK" not in out.read_text(encoding="utf-8-sig")


def test_an_unsupported_language_is_skipped_not_misscored(tmp_path: Path) -> None:
    german = ("Lebenslauf\nAusbildung\nMaster in Soziologie an der Universität und die Arbeit mit den Menschen "
              "für die Stadt, mit der Gruppe und dem Verein, in der Region und bei der Firma.\n") * 3
    write_pdf(tmp_path / "c" / "CV_Deutsch.pdf", german)
    write_pdf(tmp_path / "c" / "CV_Ana.pdf", SOCIOLOGIST)
    (tmp_path / "offre.txt").write_text(OFFER, encoding="utf-8")
    result = CliRunner().invoke(cli, ["match", str(tmp_path / "offre.txt"), str(tmp_path / "c"), "--no-cache",
                                      "--format", "json"])
    skipped = json.loads(result.stdout)["skipped"]
    assert [(s["path"], s["reason"]) for s in skipped] == [("CV_Deutsch.pdf", "unsupported-language")]

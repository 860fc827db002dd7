"""Generators of the awkward files CV folders really contain, written into a test's tmp_path.

Nothing here is committed as a binary fixture: every file is made on the fly with reportlab, pypdf,
python-docx, zipfile or by hand (a few raw PDFs whose every byte is spelled out below).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import docx
import reportlab
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

CV_LINES = (
    "Camille Martin",
    "Formation",
    "Master 2 Sociologie des organisations, Université de Lyon",
    "Compétences",
    "Enquêtes qualitatives, entretiens semi-directifs, analyse statistique avec R",
    "Expérience",
    "Stage de six mois au sein d'une collectivité territoriale",
)

_VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


def _vera() -> str:
    """A TrueType font with ligature glyphs (ﬁ, ﬂ), embedded so the PDF maps them back to Unicode."""
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", str(_VERA)))
    return "Vera"


def pdf_bytes(pages: Sequence[Sequence[str]], font: str = "Helvetica") -> bytes:
    """A text PDF, one list of lines per page (reportlab, deterministic output)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for lines in pages:
        pdf.setFont(font, 11)
        y = A4[1] - 60
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def text_pdf(folder: Path, name: str = "CV_Camille_Martin.pdf", lines: Sequence[str] = CV_LINES) -> Path:
    path = folder / name
    path.write_bytes(pdf_bytes([lines]))
    return path


def encrypted_pdf(folder: Path, name: str = "CV_protege.pdf", user_password: str = "secret") -> Path:
    """A text PDF encrypted with pypdf; ``user_password=""`` makes one that opens without a password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([CV_LINES]))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    path = folder / name
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def truncated_pdf(folder: Path, name: str = "CV_tronque.pdf") -> Path:
    """The first half of a valid PDF, as an interrupted download leaves it."""
    whole = pdf_bytes([CV_LINES] * 3)
    path = folder / name
    path.write_bytes(whole[: len(whole) // 2])
    return path


def zero_byte(folder: Path, name: str = "CV_vide.pdf") -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def text_named_pdf(folder: Path, name: str = "CV_texte.pdf") -> Path:
    path = folder / name
    path.write_text("Ceci n'est pas un PDF mais un simple fichier texte.\n", encoding="utf-8")
    return path


def _raw_pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF from its numbered objects (1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def image_only_pdf(folder: Path, name: str = "CV_scanne.pdf", pages: int = 1) -> Path:
    """Pages that only paint a raster image (a grey gradient standing for a scan), no text layer."""
    side = 16
    pixels = bytes((x * 16 + y) % 256 for y in range(side) for x in range(side))
    kids = b" ".join(b"%d 0 R" % (3 + 3 * i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    for i in range(pages):
        page, image, contents = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (image, contents))
        objects.append(_stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                               b"/BitsPerComponent 8" % (side, side), pixels))
        objects.append(_stream(b"", b"q 595 0 0 842 0 0 cm /Im0 Do Q"))
        assert page == len(objects) - 2
    path = folder / name
    path.write_bytes(_raw_pdf(objects))
    return path


def blank_pdf(folder: Path, name: str = "CV_blanc.pdf") -> Path:
    """A valid one-page PDF that draws nothing at all."""
    path = folder / name
    path.write_bytes(_raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]))
    return path


def ligature_pdf(folder: Path, name: str = "CV_ligatures.pdf") -> Path:
    """Ligature glyphs (ﬁ, ﬂ) that extract as U+FB01/U+FB02, and a word hyphenated across two lines."""
    lines = ["Proﬁl : chargée de mission conﬁrmée, ﬂexible", "Responsable de l'organi-", "sation des ateliers",
             "Jean-", "Pierre Durand, tuteur"]
    path = folder / name
    path.write_bytes(pdf_bytes([lines], font=_vera()))
    return path


def headed_pdf(folder: Path, name: str = "CV_trois_pages.pdf", pages: int = 3) -> Path:
    """Several pages, each with the same running header and a "Page N / M" footer."""
    body = [
        ["Formation", "Master Géographie, Université de Rennes", "Licence Aménagement du territoire"],
        ["Expérience", "Chargée d'études à l'agence d'urbanisme", "Cartographie avec QGIS"],
        ["Langues", "Anglais courant, espagnol intermédiaire", "Centres d'intérêt : randonnée"],
    ]
    content = [["Camille Martin - Curriculum vitae", *body[i % 3], f"Page {i + 1} / {pages}"] for i in range(pages)]
    path = folder / name
    path.write_bytes(pdf_bytes(content))
    return path


OFFER_TEXT = ("Offre de stage : chargé(e) d'études en économie sociale et solidaire.\n"
              "Missions : enquête auprès des acteurs, rédaction d'une synthèse.\n"
              "Profil : Master en sociologie ou en économie, goût pour le travail d'équipe.\n")


def latin1_offer(folder: Path, name: str = "offre_latin1.txt") -> Path:
    path = folder / name
    path.write_bytes(OFFER_TEXT.encode("latin-1"))
    return path


CP1252_TEXT = ("L’association recrute un·e stagiaire pour son œuvre éducative.\n"
               "Missions : animer des ateliers, coordonner l’équipe — « vie associative ».\n"
               "Compétences : rigueur, écoute, maîtrise d’un tableur.\n")


def cp1252_offer(folder: Path, name: str = "offre_windows.txt") -> Path:
    path = folder / name
    path.write_bytes(CP1252_TEXT.encode("cp1252"))
    return path


HTML_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="windows-1252"><title>Offre | Site emploi</title>
<style>body { font-family: sans-serif; } .menu { display: block; }</style>
<script>var tracker = "ne pas afficher"; if (a < b && c > d) { track(); }</script></head>
<body>
<nav><ul><li>Accueil</li><li>Offres</li><li>Connexion</li></ul></nav>
<header><h1>Stage&nbsp;: chargé&middot;e de mission biodiversité</h1></header>
<main>
<p>L&rsquo;agence recherche un&middot;e stagiaire
   pour six mois.</p>
<h2>Missions</h2>
<ul><li>Inventaires de terrain</li><li>Analyse des donn&eacute;es avec QGIS &amp; R</li></ul>
<p hidden>Texte masqué</p><div style="display: none">Aussi masqué</div>
<noscript>Activez JavaScript</noscript>
<template><p>Modèle</p></template>
<svg><text>logo</text></svg>
<p>Rémunération : gratification légale<br>Lieu : Montpellier</p>
</main>
<footer>Mentions légales — © Site emploi</footer>
</body></html>
"""


def html_offer(folder: Path, name: str = "offre.html") -> Path:
    path = folder / name
    path.write_bytes(HTML_PAGE.encode("cp1252"))
    return path


def docx_with_table(folder: Path, name: str = "CV_Word.docx") -> Path:
    """A Word CV: a header, paragraphs, and a table holding the skills."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Camille Martin — camille@example.org"
    document.add_heading("Formation", level=1)
    document.add_paragraph("Master 2 Sociologie, Université de Lyon")
    document.add_heading("Compétences", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Méthodes"
    table.cell(0, 1).text = "Entretiens semi-directifs"
    table.cell(1, 0).text = "Logiciels"
    table.cell(1, 1).text = "R, QGIS"
    document.add_paragraph("Permis B")
    path = folder / name
    document.save(str(path))
    return path


_ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" office:version="1.3">
<office:body><office:text>
<text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Figure"/></text:sequence-decls>
<text:h text:outline-level="1">Expérience</text:h>
<text:p>Chargée<text:s/>de<text:s text:c="3"/>mission <text:span>chez</text:span> Terre<text:line-break/>Vivante
</text:p>
<text:list><text:list-item><text:p>Animation de réunions</text:p></text:list-item>
<text:list-item><text:p>Suivi budgétaire<text:note><text:note-citation>1</text:note-citation>
<text:note-body><text:p>Note de bas de page</text:p></text:note-body></text:note></text:p></text:list-item></text:list>
<table:table><table:table-row><table:table-cell><text:p>Langues</text:p></table:table-cell>
<table:table-cell><text:p>Anglais C1</text:p></table:table-cell></table:table-row></table:table>
<text:tracked-changes><text:changed-region><text:deletion><text:p>Texte supprimé</text:p></text:deletion>
</text:changed-region></text:tracked-changes>
</office:text></office:body></office:document-content>
"""

_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def odt(folder: Path, name: str = "CV_LibreOffice.odt", content: str = _ODT_CONTENT,
        manifest: str = _ODT_MANIFEST) -> Path:
    """A minimal OpenDocument text file, zipped by hand as LibreOffice lays it out."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def broken_zip(folder: Path, name: str = "CV_abime.docx") -> Path:
    path = folder / name
    path.write_bytes(b"PK\x03\x04" + os.urandom(64))
    return path


_TEXT_BOX_RUN = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><mc:AlternateContent>
<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>
<w:p><w:r><w:t>Compétences : cartographie</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData>
</a:graphic></wp:anchor></w:drawing></mc:Choice>
<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Compétences : cartographie</w:t></w:r></w:p>
</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""


def docx_with_text_box(folder: Path, name: str = "CV_modele.docx") -> Path:
    """A Word CV template's text box, stored twice (modern shape and VML fallback) as Word does."""
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("Camille Martin")
    paragraph._p.append(parse_xml(_TEXT_BOX_RUN))
    document.add_paragraph("Expérience")
    path = folder / name
    document.save(str(path))
    return path

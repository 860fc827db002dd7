"""Small builders for candidate documents written in tests (no binary fixtures are committed)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from docx import Document as DocxDocument
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def write_pdf(path: Path, text: str) -> Path:
    """A text PDF, one line of ``text`` per line of the page (new page every 60 lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_pdf_to(str(path), text)
    return path


def write_pdf_to(target: str | io.BytesIO, text: str) -> None:
    pdf = canvas.Canvas(target, pagesize=A4, invariant=1)
    y = 800
    for line in text.splitlines():
        if y < 50:
            pdf.showPage()
            y = 800
        pdf.setFont("Helvetica", 10)
        pdf.drawString(50, y, line)
        y -= 13
    pdf.save()


# What a browser prints around an image opened in a tab and printed: date and title above, address and page below.
BROWSER_HEADER = ("05/06/2023 15:08", "CV_Camille_Durand_sociologie_2023.png (670×849)")
BROWSER_FOOTER = ("file:///home/camille/Documents/candidatures/CV_Camille_Durand_sociologie_2023.png", "1/1")


def write_scanned_pdf(path: Path, text: str, *, angle: float = 1.2, dpi: int = 200,
                      browser_caption: bool = False) -> Path:
    """``text`` as a scan would give it: a page image only, turned by ``angle`` degrees, on grey paper with
    speckles (fixed seed), no text layer. ``browser_caption``: with the date, title, address and page number
    that a browser prints around an image, as text (the one text on the page)."""
    import pypdfium2 as pdfium
    from PIL import Image

    clean = io.BytesIO()
    write_pdf_to(clean, text)
    page = pdfium.PdfDocument(clean.getvalue())[0]
    pixels = page.render(scale=dpi / 72, grayscale=True).to_numpy()
    pixels = pixels[..., 0] if pixels.ndim == 3 else pixels
    image = Image.fromarray(pixels).rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    grey = np.asarray(image, dtype=np.float64) * (225 - 35) / 255 + 35  # ink 35, paper 225
    speckles = np.random.default_rng(13).random(grey.shape)
    grey[speckles < 0.002] = 30
    grey[speckles > 0.998] = 250
    scan = Image.fromarray(grey.astype(np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if browser_caption:
        margin = 28  # the image inside the page's margins, the caption in them
        pdf.drawImage(ImageReader(scan), margin, margin, A4[0] - 2 * margin, A4[1] - 2 * margin)
        pdf.setFont("Helvetica", 8)
        pdf.drawString(20, A4[1] - 16, BROWSER_HEADER[0])
        pdf.drawCentredString(A4[0] / 2, A4[1] - 16, BROWSER_HEADER[1])
        pdf.drawString(20, 10, BROWSER_FOOTER[0])
        pdf.drawRightString(A4[0] - 20, 10, BROWSER_FOOTER[1])
    else:
        pdf.drawImage(ImageReader(scan), 0, 0, A4[0], A4[1])
    pdf.save()
    return path


def write_docx(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = DocxDocument()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


OFFER = """Stage de recherche : accompagner un réseau d'acteurs de la santé
Présentation de la structure
L'association fédère les acteurs de l'économie sociale et solidaire du territoire.
Missions
Conduite d'une enquête qualitative par entretiens semi-directifs auprès des habitant.es.
Animation d'ateliers participatifs avec les membres du réseau.
Rédaction d'un rapport et de livrables de médiation.
Profil recherché
Master 2 en sociologie, géographie ou économie sociale et solidaire.
Maîtrise des méthodes qualitatives en SHS.
Pratique de la conduite de projet.
La connaissance des SIG serait un plus.
Candidatures
Envoyer CV et lettre avant le 13 novembre.
"""

SOCIOLOGIST = """Camille Durand
camille.durand@exemple.fr - 06 00 00 00 11
Formation
2023-2025 Master 2 Sociologie, parcours santé et territoires, Université Lyon 2
2020-2023 Licence de sociologie
Expériences
Stage de recherche (6 mois) : 30 entretiens compréhensifs auprès de soignants et d'usagers
Observation participante dans une maison de santé, analyse thématique
Coordination d'un projet associatif et animation de réunions publiques
Compétences
Enquête de terrain, entretiens, NVivo, rédaction de rapports
Langues
Anglais B2
"""

ACCOUNTANT = """Paul Martin
paul.martin@exemple.fr
Formation
BTS Comptabilité et gestion
Expériences
Comptable en cabinet : saisie, bilans, déclarations fiscales, paie
Compétences
Excel, Sage, rapprochements bancaires
Centres d'intérêt
Football, cuisine
"""

LETTER = """Madame, Monsieur,
Étudiante en master de géographie, je souhaite rejoindre votre association pour conduire
une enquête par entretiens auprès des habitants et animer des ateliers de concertation.
Je vous prie d'agréer mes salutations distinguées.
"""

GEOGRAPHER = """Inès Haddad
Formation
Master 2 Géographie et aménagement, développement territorial
Expériences
Diagnostic territorial et cartographie sous QGIS pour une communauté de communes
Entretiens avec des élus et des associations locales
"""

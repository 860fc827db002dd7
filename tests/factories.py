"""Small builders for candidate documents written in tests (no binary fixtures are committed)."""

from __future__ import annotations

from pathlib import Path

from docx import Document as DocxDocument
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def write_pdf(path: Path, text: str) -> Path:
    """A text PDF, one line of ``text`` per line of the page (new page every 60 lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = 800
    for line in text.splitlines():
        if y < 50:
            pdf.showPage()
            y = 800
        pdf.setFont("Helvetica", 10)
        pdf.drawString(50, y, line)
        y -= 13
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

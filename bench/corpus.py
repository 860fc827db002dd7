"""Build the benchmark corpus once, reproducibly: 1,000 French CV PDFs, 6 offers, 10 extra CVs.

Fictional people; sentences drawn from word lists with a fixed seed; reportlab with invariant=1, so the
same script gives the same bytes. Both cores are used. Output in bench/corpus/ (git-ignored).
"""

from __future__ import annotations

import hashlib
import random
import sys
from multiprocessing import Pool
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ROOT = Path(__file__).parent / "corpus"
COUNT = 1000
EXTRA = 10
SEED = 2026

FIRST = ["Léa", "Hugo", "Inès", "Karim", "Chloé", "Mamadou", "Zoé", "Lucas", "Amina", "Théo", "Sarah", "Yanis",
         "Camille", "Nadia", "Louis", "Fatou", "Emma", "Wen", "Jules", "Anaïs", "Rayan", "Manon", "Paul", "Lina"]
LAST = ["Martin", "Nguyen", "Diallo", "Bernard", "Haddad", "Roux", "Petit", "Kone", "Garcia", "Morel", "Lefèvre",
        "Benali", "Dubois", "Laurent", "Fontaine", "Mercier", "Chevalier", "Da Silva", "Schmitt", "Perrin"]
DISCIPLINES = ["sociologie", "anthropologie", "géographie et aménagement", "sciences de l'information et de la "
               "communication", "économie sociale et solidaire", "science politique", "psychologie sociale",
               "santé publique", "sciences de l'éducation", "écologie et gestion de la biodiversité", "agronomie",
               "statistique et science des données", "droit des associations", "design de services",
               "histoire contemporaine", "urbanisme", "médiation culturelle", "informatique", "gestion"]
METHODS = ["entretiens semi-directifs", "observation participante", "questionnaires en ligne", "analyse statistique "
           "sous R", "cartographie sous QGIS", "analyse de contenu", "focus groups", "recherche-action",
           "revue de littérature", "diagnostic territorial", "analyse de réseaux", "enquête ethnographique",
           "tests utilisateurs", "évaluation d'impact social", "inventaires naturalistes", "récits de vie"]
SKILLS = ["gestion de projet", "animation d'ateliers", "rédaction de rapports", "communication externe",
          "conception de modules e-learning", "montage de dossiers de subvention", "coordination de partenaires",
          "organisation d'événements", "médiation auprès des publics", "réseaux sociaux", "Canva et suite Adobe",
          "Excel avancé", "Python", "bases de données SQL", "accompagnement de porteurs de projet", "plaidoyer"]
PLACES = ["une association d'éducation populaire", "une coopérative d'activités", "un laboratoire de recherche",
          "une collectivité territoriale", "un parc naturel régional", "une mutuelle", "un tiers-lieu",
          "un bureau d'études", "une maison de santé", "une fédération d'associations", "une start-up de la civic tech"]
PUBLICS = ["habitant·es", "bénévoles", "élu.es", "jeunes", "agriculteurs/trices", "soignant·es", "usagers",
           "étudiant.es", "personnes âgées", "acteurs/trices locaux/ales"]
VERBS = ["Conduite de", "Réalisation de", "Mise en place de", "Participation à", "Coordination de", "Analyse de"]
TOPICS = ["l'accès aux soins", "la transition alimentaire", "la participation citoyenne", "l'usage du numérique",
          "la mobilité rurale", "l'habitat participatif", "l'insertion professionnelle", "la biodiversité urbaine",
          "les communs numériques", "l'engagement bénévole", "la précarité étudiante", "l'économie circulaire"]


def _cv(rng: random.Random, index: int) -> tuple[str, list[str]]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    discipline = rng.choice(DISCIPLINES)
    lines = [name, f"Étudiant·e en Master 2 {discipline}", f"{name.split()[0].lower()}{index}@exemple.fr · 06 00 00 "
             f"{index // 100 % 100:02d} {index % 100:02d}", "", rng.choice(["FORMATION", "Parcours universitaire",
                                                                            "Formation"])]
    lines += [f"{2020 + rng.randint(0, 4)} Master {rng.choice([1, 2])} {discipline}, Université de "
              f"{rng.choice(['Lyon', 'Lille', 'Rennes', 'Toulouse', 'Grenoble', 'Nantes'])}",
              f"{2017 + rng.randint(0, 3)} Licence {rng.choice(DISCIPLINES)}", "",
              rng.choice(["EXPÉRIENCES PROFESSIONNELLES", "Expériences", "Stages et expériences"])]
    for _ in range(rng.randint(3, 7)):
        lines.append(f"Stage de {rng.randint(2, 6)} mois dans {rng.choice(PLACES)}")
        for _ in range(rng.randint(2, 5)):
            lines.append(f"– {rng.choice(VERBS)} {rng.choice(METHODS)} auprès de {rng.randint(8, 60)} "
                         f"{rng.choice(PUBLICS)} sur {rng.choice(TOPICS)} ; {rng.choice(SKILLS)} et "
                         f"{rng.choice(SKILLS)} avec l'équipe.")
    lines += ["", "Compétences", ", ".join(rng.sample(METHODS, 4)), ", ".join(rng.sample(SKILLS, 5)), "",
              "Langues", f"Anglais {rng.choice(['B2', 'C1'])}, espagnol {rng.choice(['A2', 'B1'])}", "",
              "Centres d'intérêt", f"{rng.choice(['Randonnée', 'Théâtre', 'Photographie'])}, "
                                   f"{rng.choice(['chorale', 'jardinage', 'vélo'])}"]
    return name, lines


def _write_pdf(path: Path, lines: list[str], two_columns: bool) -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    width, height = A4
    x, y, col_width = 45, height - 50, (width - 90) if not two_columns else (width - 110) / 2
    chars = int(col_width / 5.2)
    for line in lines:
        chunks = [line[i:i + chars] for i in range(0, len(line), chars)] or [""]
        for chunk in chunks:
            if y < 50:
                if two_columns and x < width / 2:
                    x, y = 45 + col_width + 20, height - 50
                else:
                    pdf.showPage()
                    x, y = 45, height - 50
            pdf.setFont("Helvetica", 9.5)
            pdf.drawString(x, y, chunk)
            y -= 12
    pdf.save()


def _make(job: tuple[int, str]) -> None:
    index, folder = job
    rng = random.Random(SEED * 100_003 + index)
    name, lines = _cv(rng, index)
    path = ROOT / folder / f"CV_{index:04d}_{name.replace(' ', '_')}.pdf"
    _write_pdf(path, lines, two_columns=index % 3 == 0)


def _offers() -> None:
    rng = random.Random(SEED)
    (ROOT / "offers").mkdir(parents=True, exist_ok=True)
    for i in range(1, 7):
        discipline = rng.choice(DISCIPLINES)
        text = [f"Offre de stage {i} : {rng.choice(TOPICS)}", "Présentation de la structure",
                f"L'association {rng.choice(PLACES)} accompagne les {rng.choice(PUBLICS)} depuis 2012.", "Missions"]
        text += [f"- {rng.choice(VERBS)} {rng.choice(METHODS)} sur {rng.choice(TOPICS)}" for _ in range(8)]
        text += ["Profil recherché", f"Master 2 en {discipline} ou {rng.choice(DISCIPLINES)}.",
                 f"Maîtrise de {rng.choice(METHODS)} et de {rng.choice(METHODS)}.",
                 f"Compétences en {rng.choice(SKILLS)} et {rng.choice(SKILLS)}.",
                 f"La pratique de {rng.choice(SKILLS)} serait un plus.", "Candidatures",
                 "CV et lettre avant le 1er mars."]
        (ROOT / "offers" / f"offer_{i}.txt").write_text("\n".join(text * 3) + "\n", encoding="utf-8")


def build(count: int = COUNT) -> Path:
    stamp = ROOT / "MANIFEST"
    expected = hashlib.sha256(f"{count}:{EXTRA}:{SEED}:{Path(__file__).read_bytes()!r}".encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == expected:
        return ROOT
    for folder in ("cvs", "extra"):
        (ROOT / folder).mkdir(parents=True, exist_ok=True)
        for old in (ROOT / folder).glob("*.pdf"):
            old.unlink()
    _offers()
    jobs = [(i, "cvs") for i in range(count)] + [(count + i, "extra") for i in range(EXTRA)]
    with Pool(2) as pool:
        pool.map(_make, jobs, chunksize=25)
    stamp.write_text(expected)
    return ROOT


if __name__ == "__main__":
    print(build(int(sys.argv[1]) if len(sys.argv) > 1 else COUNT))

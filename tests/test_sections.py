from __future__ import annotations

import pytest

from matchstage.analysis.sections import load_section_rules, match_heading, split_sections

CV = """Léa Martin
Étudiante en master
FORMATION
2023-2025 Master 2 Sociologie, Université Lyon 2
Expériences professionnelles (2019-2024)
Stage de six mois
Compétences : R, QGIS, entretiens
Langues: anglais B2
Centres d'intérêt
Lecture, randonnée
"""

OFFER = """**Description de la structure** : L'association accompagne les habitants.
### **Missions principales :**
- Conduite d'enquêtes
### **PROFIL RECHERCHÉ**
**Savoirs :** Master 2 sociologie
- La maîtrise de QGIS serait un plus
### **CANDIDATURES**
Envoyez un CV.
"""


def test_cv_headings_and_their_variants_open_sections() -> None:
    names = [(s.name, s.lines) for s in split_sections(CV, "cv")]
    assert names == [
        ("default", ("Léa Martin", "Étudiante en master")),
        ("formation", ("2023-2025 Master 2 Sociologie, Université Lyon 2",)),
        ("experience", ("Stage de six mois",)),
        ("competences", ("R, QGIS, entretiens",)),
        ("langues", ("anglais B2",)),
        ("interets", ("Lecture, randonnée",)),
    ]


def test_offer_sections_say_what_is_required() -> None:
    sections = {s.name: s for s in split_sections(OFFER, "offer")}
    assert sections["contexte"].required is False
    assert sections["profil"].required is True
    assert sections["conditions"].weight == 0
    assert "Master 2 sociologie" in sections["profil"].text


def test_appreciated_lines_are_recognised() -> None:
    rules = load_section_rules()
    assert rules.is_appreciated("La maîtrise de QGIS serait un plus")
    assert rules.is_appreciated("Anglais courant, l'espagnol est un plus")
    assert rules.is_appreciated("Première expérience dans le domaine du web appréciée")
    assert not rules.is_appreciated("Maîtrise des méthodes qualitatives")


def test_a_list_item_with_a_colon_is_not_a_heading() -> None:
    text = "Formation\nMaster 2 Sociologie\n– Mémoire : « Tenir le soin », 25 entretiens\n• Outils : NVivo\n"
    sections = split_sections(text, "cv")
    assert [s.name for s in sections] == ["formation"]
    assert sections[0].lines[1].startswith("– Mémoire")


def test_an_appreciated_sub_heading_makes_what_follows_optional() -> None:
    text = "Profil recherché\nRequis :\n- Master 2 de sociologie\nApprécié :\n- Pratique de QGIS\n"
    sections = split_sections(text, "offer")
    assert [(s.name, s.required, s.lines) for s in sections] == [
        ("profil", True, ("- Master 2 de sociologie",)),
        ("apprecie", False, ("- Pratique de QGIS",)),
    ]


def test_an_offer_opens_with_its_title_then_a_preamble() -> None:
    text = ("Chargé·e d'études statisticien·ne – CDD 12 mois\n"
            "L'observatoire est une association qui emploie des statisticiens, des épidémiologistes, des "
            "sociologues et des chargés de communication au service de la santé publique de la région.\n"
            "Missions\n- Redresser les données d'enquête\n")
    sections = split_sections(text, "offer")
    assert [s.name for s in sections] == ["titre", "preambule", "missions"]
    assert sections[0].required and not sections[1].required
    # Without any heading, the whole offer is asked for.
    unheaded = split_sections("Stage : enquête sur les usages de l'IA dans l'ESS.", "offer")
    assert [s.name for s in unheaded] == ["default"]


def test_a_web_page_stops_being_the_offer_after_how_to_apply() -> None:
    text = ("Chef·fe de projet digital\nDescription de la mission\n- Animation de formations sur Decidim\n"
            "Forme du contrat et rémunération\n- CDI, Paris\nProfil recherché\n- Gestion de projet agile\n"
            "Comment postuler ?\nEnvoyez vos candidatures (CV + email) via la plateforme.\n"
            "Assistant·e comptable en alternance\nDescription de la mission\n- Saisie comptable\n")
    sections = split_sections(text, "offer")
    assert [s.name for s in sections] == ["titre", "missions", "conditions", "profil", "conditions", "hors_offre"]
    assert not sections[-1].scored and "- Saisie comptable" in sections[-1].lines
    # An article after the offer, announced by a line such as "Annonce publiée le ...", is not the offer either.
    page = "Stage SIG\nMissions\n- Cartographie\nAnnonce publiée le 3 mars\nNos nouveautés : un article\n"
    assert [s.name for s in split_sections(page, "offer")] == ["titre", "missions", "hors_offre"]


@pytest.mark.parametrize(("line", "side", "name"), [
    ("Vos missions", "offer", "missions"),
    ("Ton profil :", "offer", "profil"),
    ("Seront appréciés :", "offer", "apprecie"),
    ("CE QUE NOUS PROPOSONS", "offer", "conditions"),
    ("Mes expériences", "cv", "experience"),
    ("Langues : anglais B2", "cv", "langues"),
    # Not headings: a title, a sentence.
    ("Stage de 6 mois à Lyon", "offer", None),
    ("La gestion de projet", "cv", None),
])
def test_headings_with_an_article_or_a_possessive(line: str, side: str, name: str | None) -> None:
    rules = load_section_rules()
    found = match_heading(line, tuple(s for s in rules.specs(side) if s.headings))  # type: ignore[arg-type]
    assert (found[0].name if found else None) == name


def test_an_article_before_the_offer_on_a_web_page_is_not_scored() -> None:
    article = " ".join(["Notre guide pratique des conventions citoyennes étudiantes est paru ce mois-ci."] * 12)
    page = f"{article}\n\nChef·fe de projet digital\n\nA propos d'OSP\nUne entreprise de la civic tech.\n" \
           "Description de la mission\n- Animation de formations\n"
    sections = split_sections(page, "offer")
    assert [s.name for s in sections] == ["hors_offre", "titre", "contexte", "missions"]
    assert not sections[0].scored
    assert [line for line in sections[1].lines if line.strip()] == ["Chef·fe de projet digital"]
    # A presentation paragraph right above the first heading is the offer's own: it stays.
    offer = f"Chargé·e d'études\n{article}\nMissions\n- Enquêtes\n"
    assert [s.name for s in split_sections(offer, "offer")] == ["titre", "preambule", "missions"]

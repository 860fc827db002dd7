from __future__ import annotations

import pytest

from matchstage.analysis.levels import asked_level, levels_in, reached_level
from matchstage.ranking.scoring import ScoringRules


@pytest.mark.parametrize(("line", "years"), [
    ("Master 1 ou 2 (ou école d'ingénieur) en géomatique", [4, 5]),
    ("Formation requise : Master 2 - 5e année, exceptionnellement M1", [5, 5, 4]),
    ("Étudiante en Master 2 Sociologie – santé", [5]),
    ("Licence ou plus : sciences de la vie", [3]),
    ("BUT Carrières sociales, IUT de Tours", [3]),
    ("MSc student in Spatial Management", [5]),
    ("Doctorante en sociologie (contrat doctoral)", [8, 8]),
    ("BTS Négociation et digitalisation de la relation client", [2]),
    # Not degrees: a certification, an English word, mastery of a tool, a class.
    ("Certification Professional Scrum Master I", []),
    ("Le but de la mission est de cartographier", []),
    ("Maîtrise de QGIS et de R", []),
    ("Masterclass de photographie", []),
])
def test_degrees_named_on_a_line(line: str, years: list[int]) -> None:
    assert [level.years for level in levels_in(line)] == years


def test_an_offer_asks_for_the_lowest_level_its_lines_open_to() -> None:
    asked = asked_level(["Étudiant·e en Master 1 ou 2 de géographie", "Formation : Master 2 souhaité"])
    assert asked is not None and asked.years == 4
    assert asked_level(["Aucun diplôme demandé"]) is None


def test_a_candidate_has_reached_the_highest_level_named() -> None:
    reached = reached_level(["2021 Baccalauréat ES", "2024 Licence de sociologie", "2025 Master 1 sociologie"])
    assert reached is not None and (reached.years, reached.words) == (4, "Master 1")


def test_a_lower_level_lowers_the_score_an_unknown_or_higher_one_does_not() -> None:
    rules = ScoringRules.load()
    m2 = asked_level(["Master 2"])
    m1, phd, licence = reached_level(["M1"]), reached_level(["Doctorat"]), reached_level(["Licence"])
    assert rules.level_factor(m2, m1) == pytest.approx(1 - rules.level_per_year)
    assert rules.level_factor(m2, licence) < rules.level_factor(m2, m1) < 1
    assert rules.level_factor(m2, phd) == 1.0
    assert rules.level_factor(m2, None) == 1.0
    assert rules.level_factor(None, licence) == 1.0

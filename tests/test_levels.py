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


# -- level and experience (issue 12, class 3) ---------------------------------------------------------------------

SOFT_OFFER = """Développeur·se web (H/F)
Missions
Développement d'applications web en Python.
Profil recherché
Bac+3 recommandé, profil junior accepté.
"""
HARD_OFFER = """Stage de recherche en sociologie
Profil recherché
Master 2 en sociologie exigé.
"""
SENIOR_DEV = """Développeur web
15 ans d'expérience
Expériences
2010 - aujourd'hui : développeur web, agence Numérik, Lyon
2008 - 2010 : technicien informatique, mairie de Bron
Formation
2007 Baccalauréat STI
"""
BAC_ONLY = """Vendeur
Expériences
Juillet 2024 : job d'été, vendeur
Formation
2024 Baccalauréat général
"""
LICENCE_STUDENT = """Étudiante en sociologie
Formation
2025 Licence de sociologie
Expériences
2025 : stage de deux mois, centre social
"""


@pytest.fixture(scope="module")
def level_fits(small_taxonomy, small_matcher, analyzer):
    from matchstage.analysis.profiles import Profiler
    from matchstage.ranking.scoring import Scorer

    profiler = Profiler(analyzer, small_matcher)
    offers = dict(zip(("soft", "hard"), profiler.offers([SOFT_OFFER, HARD_OFFER]), strict=True))
    # Ids that are no word of the CVs (a candidate's id gives name words, which are left out).
    documents = (("CV_A.pdf", SENIOR_DEV), ("CV_B.pdf", BAC_ONLY), ("CV_C.pdf", LICENCE_STUDENT))
    cvs = profiler.candidate_documents([(n, n, t) for n, t in documents])
    scorer = Scorer(small_taxonomy, ScoringRules.load())
    return {(o, c): s.level for o, offer in offers.items()
            for c, s in zip(("senior", "bac", "licence"), scorer.score(offer, cvs, [0.5] * len(cvs)), strict=True)}


def test_a_recommended_level_is_soft_and_a_required_one_is_not(level_fits) -> None:
    soft, hard = level_fits["soft", "bac"], level_fits["hard", "bac"]
    assert soft.asked.soft and soft.asked.years == 3
    assert not hard.asked.soft and hard.asked.years == 5
    assert "recommended" in soft.describe()


def test_an_experienced_candidate_without_the_degree_is_not_cut_on_a_recommended_level(level_fits) -> None:
    senior = level_fits["soft", "senior"]
    assert senior.reached is not None and senior.reached.years == 0  # a baccalauréat
    assert senior.experience >= 15
    assert senior.factor >= 0.9
    assert "15 years of work" in senior.describe()
    # Without experience, a recommended level still costs little; a required one more.
    assert 0.9 <= level_fits["soft", "bac"].factor < 1
    assert level_fits["hard", "licence"].factor < level_fits["soft", "bac"].factor


def test_years_of_work_make_up_for_years_of_study(level_fits) -> None:
    rules = ScoringRules.load()
    m2, licence = asked_level(["Master 2"]), reached_level(["Licence"])
    assert rules.level_factor(m2, licence, experience=2) > rules.level_factor(m2, licence)
    assert level_fits["hard", "senior"].factor == 1.0  # 15 years of work: a Master 2 and more


@pytest.mark.parametrize(("experience", "everything", "years"), [
    (["2021 – 2025 – CHRS, Privas", "2019 – 2021 – service ASLL, Valence", "2018 – 2019 – CCAS"], [], 7),
    (["sept. 2005 à juin 2008 : technicien", "2009 - aujourd'hui : développeur"], ["CV 2024"], 18),
    (["09/2018 - 06/2020 animatrice", "2020-2021 : service civique"], [], 3),
    (["Since 2015, software engineer"], ["2025"], 10),
    (["Stage de six mois, mars 2024"], ["Plus de 12 ans d'expérience en gestion"], 12),
    (["Stage, 2024"], [], 0),
    # A degree's dates are years of study, even where a CV's headings mix them with work; a job naming a degree
    # further on is work.
    (["2021 – 2024 Licence de géographie, Université Lyon 2", "2023 – 2024 Animatrice bénévole"], [], 1),
    (["2015 – 2020 Formatrice BPJEPS, CFA de Valence"], [], 5),
])
def test_years_of_work_a_cv_shows(experience: list[str], everything: list[str], years: int) -> None:
    from matchstage.analysis.levels import experience_years

    assert experience_years(experience, [*experience, *everything]) == years


def test_a_degree_far_above_the_level_asked_costs_only_when_the_rules_say_so() -> None:
    import dataclasses

    m2, phd, master = asked_level(["Master 2"]), reached_level(["Doctorat"]), reached_level(["Master 2"])
    rules = dataclasses.replace(ScoringRules.load(), level_over_per_year=0.1, level_over_margin=2)
    assert rules.level_factor(m2, phd) == pytest.approx(0.9)  # a doctorate is 3 years above a Master 2
    assert rules.level_factor(m2, master) == 1.0
    assert rules.level_factor(asked_level(["Licence"]), master) == 1.0  # 2 years above: within the margin
    assert dataclasses.replace(rules, level_over_per_year=0.0).level_factor(m2, phd) == 1.0

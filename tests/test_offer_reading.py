"""Reading an offer as a recruiter does, whatever its layout: what the page repeats counts once, workplace culture
and perks ask for nothing, and the organisation's presentation cannot make a discipline required."""

from __future__ import annotations

import pytest

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import Profile, Profiler
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.ranking.scoring import Score, Scorer, ScoringRules, TextSimilarity

# A page with no heading, as job boards publish them: title, the organisation, the internship, the profile.
PRESENTATION = ("L'association, créée en 2005, fédère des chercheurs en sociologie et en anthropologie et mène "
                "des projets d'économie sociale et solidaire. Elle anime aussi un réseau de cartographie "
                "participative.")
INTERNSHIP = ("Le stage vise à conduire des entretiens semi-directifs auprès des habitants et une observation "
              "participante des ateliers de quartier.")
PROFILE = "Nous recherchons un·e étudiant·e en master, autonome, formé·e aux méthodes qualitatives."
HEADLESS = f"Stage : enquête auprès des habitants d'un quartier\n\n{PRESENTATION}\n\n{INTERNSHIP}\n\n{PROFILE}\n"

CANDIDATES = {
    "interviews": "Formation\nMaster 2 géographie sociale.\nExpériences\nStage : 25 entretiens semi-directifs et "
                  "une observation participante dans un centre social.\n",
    "anthropology": "Formation\nMaster 2 anthropologie.\nExpériences\nAssistant dans une librairie.\n",
    "ess": "Formation\nMaster économie sociale et solidaire.\nExpériences\nChargée de mission dans une "
           "coopérative, cartographie des acteurs.\n",
    "accountant": "Formation\nBTS comptabilité.\nExpériences\nComptable dans un cabinet.\n",
}


@pytest.fixture(scope="module")
def profiler(small_matcher: ConceptMatcher, analyzer: Analyzer) -> Profiler:
    return Profiler(analyzer, small_matcher)


@pytest.fixture(scope="module")
def candidates(profiler: Profiler) -> list[Profile]:
    return profiler.candidate_documents([(name, "cv.pdf", text) for name, text in CANDIDATES.items()])


def scores(offer_text: str, profiler: Profiler, candidates: list[Profile], taxonomy: Taxonomy) -> list[Score]:
    """Every candidate's score with the shipped rules and weights (text included)."""
    offer = profiler.offers([offer_text])[0]
    similarities = TextSimilarity().fit([offer, *candidates]).similarities([offer], candidates)[0]
    return Scorer(taxonomy, ScoringRules.load()).score(offer, candidates, list(similarities))


def requirements(offer_text: str, profiler: Profiler, taxonomy: Taxonomy) -> dict[str, tuple[float, bool]]:
    offer = profiler.offers([offer_text])[0]
    found = Scorer(taxonomy, ScoringRules.load()).requirements(offer)
    return {r.concept: (r.importance, r.required) for reqs in found.values() for r in reqs}


@pytest.mark.parametrize("repeated", [PRESENTATION, INTERNSHIP, PROFILE], ids=["presentation", "missions", "profile"])
def test_a_paragraph_repeated_scores_every_candidate_as_with_it_once(
        repeated: str, profiler: Profiler, candidates: list[Profile], small_taxonomy: Taxonomy) -> None:
    once = scores(HEADLESS, profiler, candidates, small_taxonomy)
    # As a web page often shows it: the same paragraphs again, further down.
    twice = scores(HEADLESS + f"\n{repeated}\n", profiler, candidates, small_taxonomy)
    for a, b in zip(once, twice, strict=True):
        assert b.score == pytest.approx(a.score)
        assert b.text == pytest.approx(a.text)
        assert b.values == pytest.approx(a.values)


def test_a_repeated_paragraph_is_shown_once_read_and_not_scored(profiler: Profiler) -> None:
    offer = profiler.offers([HEADLESS + f"\n{INTERNSHIP}\n"])[0]
    repeated = [s for s in offer.sections if s.name == "repetition"]
    assert [s.text.strip() for s in repeated] == [INTERNSHIP]
    assert not repeated[0].scored


@pytest.mark.parametrize("culture", [
    "Ambiance conviviale et afterworks avec l'équipe de gestion de projet.",
    "Tickets restaurant, mutuelle, télétravail possible et une équipe dynamique en conduite de projet.",
    "Rejoignez une équipe à taille humaine, passionnée de gestion de projet !",
])
def test_a_culture_or_perks_line_asks_for_nothing(
        culture: str, profiler: Profiler, candidates: list[Profile], small_taxonomy: Taxonomy) -> None:
    without = scores(HEADLESS, profiler, candidates, small_taxonomy)
    with_culture = scores(HEADLESS + f"\n{culture}\n", profiler, candidates, small_taxonomy)
    assert "gestion-projet" not in {c for c, (importance, _) in requirements(HEADLESS + f"\n{culture}\n", profiler,
                                                                   small_taxonomy).items() if importance > 0}
    for a, b in zip(without, with_culture, strict=True):
        assert b.values == pytest.approx(a.values)
        assert b.text == pytest.approx(a.text)


def test_the_organisations_presentation_alone_cannot_make_a_discipline_required(
        profiler: Profiler, candidates: list[Profile], small_taxonomy: Taxonomy) -> None:
    asked = requirements(HEADLESS, profiler, small_taxonomy)
    presented_only = ("sociologie", "anthropologie", "ess")
    for concept in presented_only:
        importance, required = asked[concept]
        assert not required, concept
        assert importance < asked["entretien-semi-directif"][0], concept
    assert asked["entretien-semi-directif"][1] and asked["observation-participante"][1]
    ranked = sorted(zip(CANDIDATES, scores(HEADLESS, profiler, candidates, small_taxonomy)),
                    key=lambda pair: -pair[1].score)
    # The interviewer the internship asks for comes first, and no explanation lists a discipline only the
    # presentation names as missing.
    assert ranked[0][0] == "interviews"
    labels = {small_taxonomy[c].label for c in presented_only}
    for _name, score in ranked:
        assert not labels & set(score.facets[Facet.DISCIPLINES].missing)


def test_a_requirement_beside_culture_words_is_kept(profiler: Profiler, small_taxonomy: Taxonomy) -> None:
    offer = HEADLESS + "\nCapacité à conduire des entretiens semi-directifs dans un cadre de travail souple.\n"
    sections = profiler.offers([offer])[0].sections
    kept = [s for s in sections if "cadre de travail souple" in s.text]
    assert [s.name for s in kept] == ["default"] and kept[0].required


def test_the_field_a_research_subject_serves_is_its_context_not_a_requirement(
        profiler: Profiler, small_taxonomy: Taxonomy) -> None:
    # A research subject with no heading: the field the work serves first, then the work itself.
    subject = ("Outils cartographiques pour l'accès aux soins\n"
               "- Encadrante : une chercheuse du laboratoire\n\n"
               "L'accès aux soins dans les quartiers est un objet classique de la sociologie de la santé, qui en "
               "décrit les inégalités depuis longtemps.\n\n"
               "Nous proposons de construire un système d'information géographique des lieux de soins.\n")
    asked = requirements(subject, profiler, small_taxonomy)
    assert asked["sig"][1]
    assert not asked["sociologie-sante"][1]
    assert asked["sociologie-sante"][0] < asked["sig"][0]
    # What the subject asks of the candidate is never context, however it is laid out.
    prerequisite = subject.replace("\n\nL'accès",
                                   "\n- Prérequis : solides notions de sociologie de la santé\n\nL'accès")
    assert requirements(prerequisite, profiler, small_taxonomy)["sociologie-sante"][1]


@pytest.mark.parametrize("line", [
    "- Animer des ateliers utiles à l'association et à ses adhérents",
    "L'association recrute une personne pour animer des ateliers, poste à pourvoir dès mars.",
    "Depuis son arrivée, la personne recrutée animera des ateliers ; horaires à définir ensemble.",
])
def test_the_job_named_beside_the_organisation_or_the_conditions_stays_asked_for(
        line: str, profiler: Profiler, small_taxonomy: Taxonomy) -> None:
    importance, required = requirements(HEADLESS + f"\n{line}\n", profiler, small_taxonomy)["animation-ateliers"]
    assert required and importance >= 0.8

from __future__ import annotations

import dataclasses

import pytest

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import Profiler
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.ranking.scoring import Scorer, ScoringRules, TextSimilarity, Weights, WeightsError

OFFER = """Missions
Conduite d'une enquête qualitative auprès des habitants.
Profil recherché
Master en sociologie de la santé.
Maîtrise des entretiens semi-directifs.
Gestion de projet.
La maîtrise du SIG serait un plus.
Autonomie.
"""
GOOD = """Formation
Master 2 sociologie de la santé, Université Lyon 2.
Expériences
Stage : 20 entretiens compréhensifs auprès de soignants, observation participante en EHPAD.
Conduite de projet associatif.
"""
BROADER = """Formation
Licence de sociologie.
Expériences
Enquête par entretiens semi-directifs.
"""
OFF = """Formation
BTS comptabilité.
Expériences
Comptable dans un cabinet, gestion des paies.
"""
STUFFED = """Formation
BTS comptabilité.
Expériences
Comptable dans un cabinet.
Mots-clés
sociologie de la santé, entretiens semi-directifs, gestion de projet, SIG, enquête qualitative
"""


@pytest.fixture(scope="module")
def scored(small_taxonomy: Taxonomy, small_matcher: ConceptMatcher, analyzer: Analyzer):
    profiler = Profiler(analyzer, small_matcher)
    offer = profiler.offers([OFFER])[0]
    cands = profiler.candidate_documents([(n, n, t) for n, t in
                                          [("good", GOOD), ("broader", BROADER), ("off", OFF), ("stuffed", STUFFED)]])
    sim = TextSimilarity().fit([offer, *cands]).similarities([offer], cands)[0]
    # Facet-led weights: these tests are about the facets (the defaults lean on text, see weights.toml).
    facet_led = Weights(disciplines=0.35, methods=0.30, skills=0.20, text=0.15)
    scorer = Scorer(small_taxonomy, ScoringRules.load(), facet_led)
    return offer, dict(zip(["good", "broader", "off", "stuffed"], scorer.score(offer, cands, list(sim)))), scorer


def test_relevant_cv_outranks_broader_stuffed_and_off_field(scored) -> None:
    _, s, _ = scored
    assert s["good"].score > s["broader"].score > s["stuffed"].score > s["off"].score


def test_explanations_name_matched_and_missing_concepts(scored) -> None:
    _, s, _ = scored
    methods = s["good"].facets[Facet.METHODS]
    assert "Entretien semi-directif" in [m.label for m in methods.matched]
    assert any("entretiens compréhensifs" in m.words for m in methods.matched)
    assert "Sociologie de la santé" in s["off"].facets[Facet.DISCIPLINES].missing
    assert s["off"].facets[Facet.DISCIPLINES].score == 0


def test_appreciated_concepts_are_not_required(scored) -> None:
    offer, s, scorer = scored
    reqs = {r.concept: r for rs in scorer.requirements(offer).values() for r in rs}
    assert reqs["sig"].required is False
    assert reqs["entretien-semi-directif"].required is True
    assert "Systèmes d'information géographique" not in s["good"].facets[Facet.METHODS].missing


def test_broader_discipline_earns_partial_credit(scored) -> None:
    _, s, _ = scored
    assert 0 < s["broader"].facets[Facet.DISCIPLINES].score < s["good"].facets[Facet.DISCIPLINES].score


def test_soft_skills_weigh_less(scored) -> None:
    offer, _, scorer = scored
    reqs = {r.concept: r for rs in scorer.requirements(offer).values() for r in rs}
    assert reqs["autonomie"].importance < reqs["gestion-projet"].importance


def test_weights_parse_and_reject_nonsense() -> None:
    w = Weights().with_overrides("disciplines=0.4, text=0.1")
    assert (w.disciplines, w.text, w.methods) == (0.4, 0.1, Weights().methods)
    for bad in ("disciplines", "colour=0.3", "methods=2", "skills=abc"):
        with pytest.raises(WeightsError):
            Weights().with_overrides(bad)


CLAIMED = """Formation
BTS comptabilité.
Expériences
Comptable dans un cabinet.
Compétences
Entretiens semi-directifs, SIG.
"""
SHOWN = """Formation
BTS comptabilité.
Expériences
Enquête par entretiens semi-directifs, cartographie SIG des quartiers.
"""


def test_a_skill_only_claimed_counts_less_than_one_shown_at_work(
        small_taxonomy: Taxonomy, small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    profiler = Profiler(analyzer, small_matcher)
    claimed, shown = profiler.candidate_documents([("claimed", "cv.pdf", CLAIMED), ("shown", "cv.pdf", SHOWN)])
    scorer = Scorer(small_taxonomy, ScoringRules.load())
    rules = scorer.rules
    claimed_strength = scorer.strengths(claimed)["entretien-semi-directif"][0]
    shown_strength = scorer.strengths(shown)["entretien-semi-directif"][0]
    assert shown_strength == pytest.approx(1.0)
    expected = rules.section_weights.get("methods", {}).get("competences", 0.6) * rules.uncorroborated
    assert claimed_strength == pytest.approx(expected)
    assert rules.uncorroborated < 1


def test_a_facet_only_named_in_the_presentation_weighs_less(
        small_taxonomy: Taxonomy, small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    profiler = Profiler(analyzer, small_matcher)
    # Methods named only where the structure presents itself; disciplines in the profile.
    offer = profiler.offers(["Stage en sociologie\nPrésentation de la structure\nL'association mène des entretiens "
                             "semi-directifs.\nProfil recherché\nMaster de sociologie.\n"])[0]
    methods_only, discipline_only = profiler.candidate_documents([
        ("m", "cv.pdf", "Expériences\nEntretiens semi-directifs auprès d'habitants.\n"),
        ("d", "cv.pdf", "Formation\nMaster 2 sociologie.\n")])
    weights = Weights(disciplines=0.5, methods=0.5, skills=0.0, text=0.0)
    rules = dataclasses.replace(ScoringRules.load(), discipline_gate=1.0)  # facets alone, weighed
    demand = Scorer(small_taxonomy, rules, weights)
    flat = Scorer(small_taxonomy, dataclasses.replace(rules, facet_by_demand=False), weights)
    by_demand = demand.score(offer, [methods_only, discipline_only], [0.0, 0.0])
    by_flat = flat.score(offer, [methods_only, discipline_only], [0.0, 0.0])
    assert by_flat[0].score == pytest.approx(by_flat[1].score)
    assert by_demand[0].score < by_demand[1].score


def test_a_candidate_without_the_discipline_asked_for_keeps_at_most_the_gate(
        small_taxonomy: Taxonomy, small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    profiler = Profiler(analyzer, small_matcher)
    offer = profiler.offers(["Profil recherché\nMaster de sociologie, entretiens semi-directifs.\n"])[0]
    with_it, without = profiler.candidate_documents([
        ("a", "cv.pdf", "Formation\nMaster 2 sociologie.\nExpériences\nEntretiens semi-directifs.\n"),
        ("b", "cv.pdf", "Formation\nMaster 2 comptabilité.\nExpériences\nEntretiens semi-directifs.\n")])
    weights = Weights(disciplines=0.0, methods=1.0, skills=0.0, text=0.0)  # the same methods, nothing else weighed
    for gate in (1.0, 0.8):
        scorer = Scorer(small_taxonomy, dataclasses.replace(ScoringRules.load(), discipline_gate=gate), weights)
        a, b = scorer.score(offer, [with_it, without], [0.0, 0.0])
        assert a.values[Facet.METHODS] == b.values[Facet.METHODS]
        assert b.score == pytest.approx(a.score * gate)

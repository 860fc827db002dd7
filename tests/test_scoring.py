from __future__ import annotations

import pytest

from matchstage.analysis import Analyzer
from matchstage.facets import ConceptMatcher
from matchstage.profiles import Profiler
from matchstage.scoring import Scorer, ScoringRules, TextSimilarity, Weights, WeightsError
from matchstage.taxonomy import Facet, Taxonomy

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

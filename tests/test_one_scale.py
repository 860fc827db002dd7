"""Issue 12, classes 4 and 5, over the labelled sample sets: one scale for a CV and its English translation, and
explanations that never contradict themselves.

Each set is matched once (the candidates analysed into a cache shared by the module); the development set is
matched with a CV and its faithful English translation added (``tests/data/translation/``, a fictional candidate).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from matchstage.analysis.taxonomy import Facet
from matchstage.match import Engine, MatchOptions, MatchResult, match, offer_files, prepare
from matchstage.ranking.crosslingual import concept_term_hashes, on_text_scale
from matchstage.ranking.text import TextSimilarity
from tests.factories import write_docx

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
PAIR = Path(__file__).resolve().parent / "data" / "translation"
FRENCH, ENGLISH = "Jeanne_Verdier_CV.docx", "Jeanne_Verdier_Resume_EN.docx"
SETS = {"dev": SAMPLES, "validation": SAMPLES / "validation", "heldout": SAMPLES / "heldout"}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each set's candidates; the development set's with the translation pair added."""
    root = tmp_path_factory.mktemp("one_scale")
    dev = root / "dev"
    shutil.copytree(SAMPLES / "candidatures", dev)
    write_docx(dev / FRENCH, (PAIR / "cv_fr.txt").read_text(encoding="utf-8"))
    write_docx(dev / ENGLISH, (PAIR / "cv_en.txt").read_text(encoding="utf-8"))
    return {"dev": dev, "validation": SETS["validation"] / "candidatures", "heldout": SETS["heldout"] / "candidatures",
            "cache": root / "cache"}


@pytest.fixture(scope="module")
def results(folders: dict[str, Path]) -> dict[str, MatchResult]:
    return {name: match([SETS[name] / "offres"], folders[name], MatchOptions(cache_dir=folders["cache"]))
            for name in SETS}


@pytest.mark.parametrize("name", list(SETS))
def test_no_concept_is_both_matched_and_missing(results: dict[str, MatchResult], name: str) -> None:
    """Every (offer, candidate) pair of the set: a concept the offer asks for is in one list at most, and a match
    below full credit through the concept itself is shown as partial."""
    contradictions = []
    for offer in results[name].offers:
        for ranked in offer.ranking:
            for facet, explained in ranked.score.facets.items():
                matched = {m.label for m in explained.matched}
                contradictions += [(offer.offer.id, ranked.candidate, facet.value, label)
                                   for label in matched & set(explained.missing)]
                assert all(m.partial for m in explained.matched if m.credit < 0.5)
    assert contradictions == []


def test_the_english_cv_is_compared_on_the_text_score_too(results: dict[str, MatchResult]) -> None:
    """An English CV is no longer scored on the facets alone: its text score counts, and it is ranked near its
    French original on the offer both fit best."""
    offer = next(o for o in results["dev"].offers if o.offer.id == "stage_sig_biodiversite_parc")
    ranks = {r.candidate: r.rank for r in offer.ranking}
    assert ranks[FRENCH] <= 5 and ranks[ENGLISH] <= 8
    for o in results["dev"].offers:
        english = next(r for r in o.ranking if r.candidate == ENGLISH)
        # Concepts an English CV cannot name (no English label) are not held against it as missing.
        free = {c.label for c in _free_concepts()}
        assert all(label in free for f in Facet for label in english.score.facets[f].missing)


def _free_concepts():  # the taxonomy's concepts that a document in English can name
    from matchstage.analysis.taxonomy import load_taxonomy
    from matchstage.ranking.crosslingual import language_free_concepts

    taxonomy = load_taxonomy()
    return [taxonomy[c] for c in language_free_concepts(taxonomy)]


def test_concept_only_text_scores_are_brought_onto_the_text_scale(folders: dict[str, Path]) -> None:
    """The scale a cross-language pair's text score is put on: for the French CVs, whose full text score is known,
    the concept-only score so rescaled lands within a few points of it (median over the CVs of each offer)."""
    engine = Engine.create()
    run = prepare(offer_files([SETS["dev"] / "offres"]), folders["dev"], MatchOptions(), engine)
    full = TextSimilarity.fitted_similarities(run.offer_profiles, run.candidate_profiles)
    concepts = TextSimilarity.fitted_similarities(run.offer_profiles, run.candidate_profiles,
                                                  only=concept_term_hashes(engine.taxonomy))
    french = np.array([p.language in ("fr", "und") for p in run.candidate_profiles])
    medians = []
    for i in range(len(run.offers)):
        scaled = full[i] / full[i].max()
        medians.append(float(np.median(np.abs(on_text_scale(scaled, concepts[i], french) - scaled)[french])))
    assert max(medians) < 0.1
    assert sum(medians) / len(medians) < 0.05


def test_a_cv_and_its_english_translation_score_within_5_points_on_every_offer(
        results: dict[str, MatchResult]) -> None:
    gaps = {}
    for offer in results["dev"].offers:
        scores = {r.candidate: r.score.score for r in offer.ranking}
        gaps[offer.offer.id] = round(abs(scores[FRENCH] - scores[ENGLISH]) * 100, 1)
    assert {o: gap for o, gap in gaps.items() if gap > 5} == {}

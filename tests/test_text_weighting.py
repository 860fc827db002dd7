"""How term counts become the text score's weights (models/text.toml, [weighting])."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from matchstage import cache as cache_module
from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import Profile, Profiler
from matchstage.analysis.taxonomy import Taxonomy
from matchstage.cache import analysis_version
from matchstage.paths import models_dir
from matchstage.ranking.scoring import Scorer, ScoringRules
from matchstage.ranking.text import TextSimilarity, TextWeighting

OFFER = """Missions
Conduite d'une enquête qualitative auprès des habitants sur l'accès aux soins.
Profil recherché
Master en sociologie de la santé.
Maîtrise des entretiens semi-directifs et de l'analyse thématique.
"""
SHOWN = """Formation
Master 2 sociologie de la santé, Université Lyon 2.
Expériences
Stage : enquête qualitative sur l'accès aux soins, entretiens semi-directifs auprès d'habitants,
analyse thématique des entretiens.
Bénévole dans une association de quartier.
"""
STUFFED_LINE = "sociologie santé enquête qualitative entretiens semi-directifs analyse thématique accès soins habitants"
STUFFED = "Formation\nBTS comptabilité.\nExpériences\nComptable dans un cabinet.\nMots-clés\n" + "\n".join(
    [STUFFED_LINE] * 10) + "\n"
OTHERS = ["Formation\nLicence de géographie.\nExpériences\nCartographie des espaces verts avec QGIS.\n",
          "Formation\nBTS comptabilité.\nExpériences\nComptable dans un cabinet, gestion des paies.\n",
          "Formation\nMaster de science politique.\nExpériences\nÉtude des politiques de santé publique.\n"]


@pytest.fixture(scope="module")
def profiles(small_matcher: ConceptMatcher, analyzer: Analyzer) -> tuple[Profile, list[Profile]]:
    profiler = Profiler(analyzer, small_matcher)
    texts = [("shown", SHOWN), ("stuffed", STUFFED), *((f"other{i}", t) for i, t in enumerate(OTHERS))]
    return profiler.offers([OFFER])[0], profiler.candidate_documents([(n, n, t) for n, t in texts])


def test_a_cv_repeating_the_offers_words_ten_times_does_not_outrank_one_using_them_at_work(
        profiles, small_taxonomy: Taxonomy) -> None:
    offer, candidates = profiles
    text = TextSimilarity.fitted_similarities([offer], candidates)[0]
    rules = ScoringRules.load()
    shown, stuffed, *others = (s.score for s in Scorer(small_taxonomy, rules, rules.weights).score(
        offer, candidates, list(text)))
    assert shown > stuffed > max(others)
    assert shown > 1.5 * stuffed


def test_saturation_curbs_what_repeating_a_keyword_line_earns(profiles, small_matcher: ConceptMatcher,
                                                              analyzer: Analyzer) -> None:
    offer, candidates = profiles
    once = Profiler(analyzer, small_matcher).candidate_documents(
        [("once", "once", STUFFED.replace("\n".join([STUFFED_LINE] * 10), STUFFED_LINE))])
    pool = [*candidates, *once]

    def gain(weighting: TextWeighting) -> float:
        text = TextSimilarity.fitted_similarities([offer], pool, weighting=weighting)[0]
        return float(text[1] / text[-1])  # ten times over once

    assert gain(TextWeighting(saturation=1.2, length_norm=0.75)) < gain(TextWeighting())


def test_without_a_bm25_share_the_text_score_is_the_plain_cosine(profiles) -> None:
    offer, candidates = profiles
    plain = TextSimilarity.fitted_similarities([offer], candidates, weighting=TextWeighting())
    fitted = TextSimilarity(weighting=TextWeighting()).fit([offer, *candidates])
    assert np.allclose(plain, fitted.similarities([offer], candidates))
    # A share of BM25 moves the scores but keeps the best candidate's level: the channel stays on its scale.
    blended = TextSimilarity.fitted_similarities([offer], candidates, weighting=TextWeighting(bm25_blend=0.3))
    assert not np.allclose(blended, plain) and blended.max() == pytest.approx(plain.max())
    pivoted = TextSimilarity.fitted_similarities([offer], candidates, weighting=TextWeighting(norm_power=0.7))
    assert pivoted.max() == pytest.approx(plain.max())


def test_the_shipped_weighting_is_read_from_models_text_toml() -> None:
    shipped = TextWeighting.load()
    assert 0 <= shipped.bm25_blend <= 1 and shipped.norm_power > 0
    assert dataclasses.replace(shipped) == shipped


def test_changing_the_weighting_re_scores_without_re_analysing(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    copy = tmp_path / "models"
    shutil.copytree(models_dir(), copy)
    monkeypatch.setattr(cache_module, "models_dir", lambda: copy)
    before = analysis_version("t")
    text = (copy / "text.toml").read_text(encoding="utf-8")
    (copy / "text.toml").write_text(text.replace("\nbm25_blend = ", "\nbm25_blend = 0.45 #"), encoding="utf-8")
    assert analysis_version("t") == before
    (copy / "text.toml").write_text(text.replace("\nconcepts = ", "\nconcepts = 1.5 #"), encoding="utf-8")
    assert analysis_version("t") != before

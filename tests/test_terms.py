"""Term counts as compact arrays, and the text similarity built on them: the same as over the lemmas themselves."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics.pairwise import cosine_similarity

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import Profile, Profiler
from matchstage.analysis.terms import TermCounts, lemma_hash
from matchstage.ranking.scoring import TextSimilarity
from tests.factories import ACCOUNTANT, GEOGRAPHER, LETTER, OFFER, SOCIOLOGIST


def test_counts_sum_the_weights_of_each_lemma() -> None:
    terms = TermCounts.from_lemmas(["enquête", "terrain", "enquête", "sociologie"], [1.0, 0.5, 0.25, 1.0])
    counts = dict(zip(terms.hashes.tolist(), terms.counts.tolist()))
    assert counts == {lemma_hash("enquête"): 1.25, lemma_hash("terrain"): 0.5, lemma_hash("sociologie"): 1.0}
    back = TermCounts.from_bytes(terms.to_bytes())
    assert back.hashes.tolist() == terms.hashes.tolist() and back.counts.tolist() == terms.counts.tolist()
    assert len(TermCounts.from_bytes(TermCounts.from_lemmas([], []).to_bytes())) == 0


def test_lemma_hashes_are_the_same_in_every_process() -> None:
    assert lemma_hash("sociologie") == 11490550241790951405  # what the cache of any earlier run holds
    code = "from matchstage.analysis.terms import lemma_hash; print(lemma_hash('économie'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(other.stdout) == lemma_hash("économie") == 13664203007025789634


def _reference(offers: list[Profile], candidates: list[Profile]) -> np.ndarray:
    """The text similarity computed straight from the lemmas and concept terms: one dict of damped counts per
    profile."""
    def counts(profile: Profile) -> dict[str, float]:
        summed: dict[str, float] = {}
        for lemma, weight in [*zip(profile.lemmas, profile.weights_of_lemmas()), *profile.concept_terms]:
            summed[lemma] = summed.get(lemma, 0.0) + weight
        return {lemma: math.log1p(count) for lemma, count in summed.items() if count > 0}

    matrix = DictVectorizer().fit_transform([counts(p) for p in [*offers, *candidates]])
    tfidf = TfidfTransformer().fit_transform(matrix)
    return cosine_similarity(tfidf[: len(offers)], tfidf[len(offers):])


@pytest.fixture(scope="module")
def profiles(analyzer: Analyzer, small_matcher: ConceptMatcher) -> tuple[list[Profile], list[Profile]]:
    profiler = Profiler(analyzer, small_matcher)
    offers = profiler.offers([OFFER, GEOGRAPHER])
    documents = profiler.candidate_documents([(n, n, t) for n, t in [("a", SOCIOLOGIST), ("b", ACCOUNTANT),
                                                                      ("c", GEOGRAPHER), ("c", LETTER)]])
    return offers, [documents[0], documents[1], Profile.merge(documents[2:])]


def test_similarities_are_those_of_tfidf_over_the_lemmas(profiles: tuple[list[Profile], list[Profile]]) -> None:
    offers, candidates = profiles
    reference = _reference(offers, candidates)
    fitted = TextSimilarity.fitted_similarities(offers, candidates)
    assert np.allclose(fitted, reference, rtol=0, atol=1e-12)
    separate = TextSimilarity().fit([*offers, *candidates]).similarities(offers, candidates)
    assert np.allclose(separate, reference, rtol=0, atol=1e-12)
    assert fitted[0].argmax() == 0  # the sociologist for the research offer


def test_a_lemma_unseen_when_fitting_counts_for_nothing(profiles: tuple[list[Profile], list[Profile]]) -> None:
    offers, candidates = profiles
    model = TextSimilarity().fit([offers[0], *candidates[:2]])
    unseen = Profile((), ("zzzinconnu",), "fr", lemma_weights=(1.0,))
    assert model.similarities([unseen], candidates[:2]).tolist() == [[0.0, 0.0]]


class _Memo:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def get_blob(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def put_blob(self, key: str, value: bytes) -> None:
        self.blobs[key] = value


def test_kept_similarities_are_read_back_for_the_same_documents_only(
        profiles: tuple[list[Profile], list[Profile]]) -> None:
    offers, candidates = profiles
    memo = _Memo()
    first = TextSimilarity.fitted_similarities(offers, candidates, memo=memo)
    (key, blob), = memo.blobs.items()
    memo.blobs[key] = np.full_like(first, 0.5).tobytes()  # what is read back is what was kept
    assert TextSimilarity.fitted_similarities(offers, candidates, memo=memo).tolist() == [[0.5] * 3] * 2
    assert np.array_equal(TextSimilarity.fitted_similarities(offers, candidates[::-1], memo=memo), first[:, ::-1])
    assert len(memo.blobs) == 2  # other documents (here, another order): another key


def test_a_run_without_any_lemma_has_zero_similarities() -> None:
    empty = Profile((), (), "fr")
    assert TextSimilarity.fitted_similarities([empty], [empty, empty]).tolist() == [[0.0, 0.0]]


def test_scipy_stats_is_imported_only_when_used() -> None:
    code = (
        "import sys\n"
        "from matchstage.analysis.profiles import Profile\n"
        "from matchstage.ranking.scoring import TextSimilarity\n"
        "a = Profile((), ('enquête', 'terrain'), 'fr')\n"
        "b = Profile((), ('enquête', 'comptabilité'), 'fr')\n"
        "print(round(float(TextSimilarity.fitted_similarities([a], [a, b])[0, 1]), 4))\n"
        "print('scipy.stats._stats_py' in sys.modules)\n"
        "from scipy import stats\n"
        "print(stats.rankdata([30, 10, 20]).tolist(), 'scipy.stats._stats_py' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    similarity, imported, used = done.stdout.splitlines()
    assert 0 < float(similarity) < 1
    assert imported == "False"  # TF-IDF fitted without it
    assert used == "[3.0, 1.0, 2.0] True"  # and there, as usual, once used

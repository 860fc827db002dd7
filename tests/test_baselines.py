from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from matchstage.evaluation.baselines import BM25, rank_bm25, rank_tfidf_raw

# Four short pre-tokenised documents of different lengths (3, 2, 5 and 1 tokens; mean 2.75).
DOCS = [
    ["sociologie", "entretien", "sociologie"],
    ["entretien", "terrain"],
    ["terrain", "terrain", "sig", "cartographie", "python"],
    ["sociologie"],
]


def reference_bm25(doc: Sequence[str], docs: Sequence[Sequence[str]], query: Sequence[str], k1: float,
                   b: float) -> float:
    """Okapi BM25 written out term by term, straight from the formula."""
    n = len(docs)
    avg_length = sum(len(d) for d in docs) / n
    score = 0.0
    for term in query:
        df = sum(1 for d in docs if term in d)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        tf = doc.count(term)
        score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avg_length))
    return score


def test_tfidf_puts_the_document_sharing_the_offer_words_first() -> None:
    texts = {
        "compta": "Comptabilité générale et paie, clôture des comptes.",
        "socio": "Enquête de terrain en sociologie : entretiens semi-directifs.",
        "geo": "Cartographie et SIG, analyse spatiale.",
    }
    ranking = rank_tfidf_raw("Stage : enquête sociologie, conduite d'entretiens", texts)
    assert ranking[0] == "socio"


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        ("ÉCONOMIE", ["accents", "folded"]),  # lower-cased, accents kept: "economie" does not match
        ("entretiens", ["plural", "singular"]),  # no lemmas: "entretien" does not match
        ("le la et", ["stopwords", "zzz"]),  # no stop-word list: "le" and "la" count
    ],
)
def test_tfidf_works_on_raw_lowercase_words(offer: str, expected: list[str]) -> None:
    texts = {
        "accents": "économie", "folded": "economie", "plural": "entretiens", "singular": "entretien",
        "stopwords": "le et la", "zzz": "rien",
    }
    ranking = rank_tfidf_raw(offer, texts)
    assert ranking[0] == expected[0]
    assert ranking.index(expected[0]) < ranking.index(expected[1])


def test_tfidf_ties_and_degenerate_inputs_are_ordered_by_id() -> None:
    assert rank_tfidf_raw("sociologie", {"b": "sociologie", "a": "sociologie", "c": "droit"}) == ["a", "b", "c"]
    # no token of two letters or more anywhere: nothing to compare, but still a ranking
    assert rank_tfidf_raw("a", {"y": "", "x": "é"}) == ["x", "y"]
    assert rank_tfidf_raw("sociologie", {}) == []


@pytest.mark.parametrize(("k1", "b"), [(1.5, 0.75), (1.2, 0.75), (2.0, 0.3), (1.5, 0.0), (1.5, 1.0)])
@pytest.mark.parametrize(
    "query", [["sociologie"], ["terrain", "sig"], ["entretien", "sociologie", "inconnu"], ["terrain", "terrain"]]
)
def test_bm25_matches_the_reference_formula(k1: float, b: float, query: list[str]) -> None:
    scores = BM25(k1=k1, b=b).fit(DOCS).score(query)
    expected = [reference_bm25(doc, DOCS, query, k1, b) for doc in DOCS]
    assert scores == pytest.approx(expected)


def test_bm25_hand_computed_idf() -> None:
    model = BM25().fit(DOCS)
    # "sig" occurs in 1 of 4 documents: log(1 + 3.5/1.5); "terrain" in 2: log(1 + 2.5/2.5) = log 2
    assert model.idf_[model.vocabulary_["sig"]] == pytest.approx(math.log(1 + 3.5 / 1.5))
    assert model.idf_[model.vocabulary_["terrain"]] == pytest.approx(math.log(2))
    assert model.avg_length_ == pytest.approx(2.75)


def test_bm25_longer_document_with_same_term_frequency_scores_lower() -> None:
    docs = [["sig", "python"], ["sig", "python", "r", "excel", "word", "powerpoint"], ["droit"]]
    short, long, _ = BM25().fit(docs).score(["sig"])
    assert 0 < long < short
    # without length normalisation the two are equal
    short, long, _ = BM25(b=0.0).fit(docs).score(["sig"])
    assert long == pytest.approx(short)


def test_bm25_term_frequency_saturates() -> None:
    docs = [["sig"] * tf + ["x"] * (10 - tf) for tf in (1, 2, 5, 10)] + [["y"] * 10]
    scores = BM25().fit(docs).score(["sig"])[:4]
    gains = np.diff(scores)
    assert (gains > 0).all()
    # each extra occurrence adds less than the one before
    assert gains[0] > gains[1] / 3 > gains[2] / 5


def test_bm25_follows_scikit_learn_habits() -> None:
    model = BM25(k1=1.2, b=0.5)
    assert model.get_params() == {"k1": 1.2, "b": 0.5}
    assert not hasattr(model, "weights_")
    with pytest.raises(NotFittedError):
        model.score(["sig"])
    assert model.fit(DOCS) is model
    with pytest.raises(TypeError):
        BM25(1.2)  # type: ignore[call-arg]


def test_bm25_without_any_token() -> None:
    assert BM25().fit([[], []]).score(["sig"]).tolist() == [0.0, 0.0]
    assert BM25().fit([]).score(["sig"]).tolist() == []
    assert BM25().fit(DOCS).score([]).tolist() == [0.0] * len(DOCS)


def test_bm25_scores_ten_thousand_documents() -> None:
    rng = random.Random(7)
    vocabulary = [f"mot{i}" for i in range(3000)]
    docs = [[rng.choice(vocabulary) for _ in range(rng.randint(20, 200))] for _ in range(10_000)]
    docs[4321] = ["mot1", "mot2", "mot3"] * 3
    query = ["mot1", "mot2", "mot3", "absent"]
    scores = BM25().fit(docs).score(query)
    assert scores.shape == (10_000,)
    assert int(np.argmax(scores)) == 4321
    for i in [*rng.sample(range(len(docs)), 5), 4321]:
        assert scores[i] == pytest.approx(reference_bm25(docs[i], docs, query, 1.5, 0.75))


def test_rank_bm25_orders_by_score_then_id() -> None:
    candidates = {"c": ["droit"], "long": ["sig", "a", "b", "c", "d"], "short": ["sig", "a"], "b": ["droit"]}
    assert rank_bm25(["sig"], candidates) == ["short", "long", "b", "c"]
    assert rank_bm25(["sig"], {}) == []

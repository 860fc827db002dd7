from __future__ import annotations

import math
from pathlib import Path

import pytest

from matchstage.evaluation.baselines import BM25, rank_bm25, rank_tfidf_raw
from matchstage.evaluation.metrics import average_precision, dcg_at_k, ndcg_at_k, read_qrels


def test_ndcg_perfect_and_known_case() -> None:
    grades = {"a": 3, "b": 2, "c": 0}
    assert ndcg_at_k(["a", "b", "c"], grades, 5) == pytest.approx(1.0)
    # c, a, b: (0 + 7/log2(3) + 3/log2(4)) / (7 + 3/log2(3))
    expected = (7 / math.log2(3) + 3 / 2) / (7 + 3 / math.log2(3))
    assert ndcg_at_k(["c", "a", "b"], grades, 5) == pytest.approx(expected)
    assert ndcg_at_k(["c"], {"c": 0}, 5) == 0.0
    assert dcg_at_k([3], 1) == 7


def test_ideal_uses_graded_items_that_were_not_ranked() -> None:
    assert ndcg_at_k(["a"], {"a": 1, "z": 3}, 5) < 0.5


def test_average_precision() -> None:
    grades = {"a": 3, "b": 0, "c": 2, "d": 1}
    assert average_precision(["a", "b", "c", "d"], grades) == pytest.approx((1 + 2 / 3) / 2)


def test_qrels_reader_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text("candidate\toffer\tgrade\n# comment\nA.pdf\to1\t3\n\nB.pdf\to1\t0\n", encoding="utf-8")
    assert read_qrels(path) == {"o1": {"A.pdf": 3, "B.pdf": 0}}
    path.write_text("A.pdf\to1\t7\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q.tsv, line 1: grade '7'"):
        read_qrels(path)


def test_tfidf_baseline_puts_the_document_sharing_words_first() -> None:
    texts = {"x": "comptabilité et paie", "y": "sociologie, entretiens"}
    ranking = rank_tfidf_raw("enquête sociologie entretiens", texts)
    assert ranking == ["y", "x"]


def test_bm25_matches_the_reference_formula() -> None:
    docs = [["a", "b", "a"], ["b", "c"], ["c", "c", "d", "e"], ["a"]]
    model = BM25(k1=1.2, b=0.75).fit(docs)
    n, avg = 4, sum(map(len, docs)) / 4

    def reference(doc: list[str], query: list[str]) -> float:
        score = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            score += idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * len(doc) / avg))
        return score

    for i, doc in enumerate(docs):
        assert model.score(["a", "c"])[i] == pytest.approx(reference(doc, ["a", "c"]))


def test_bm25_longer_document_with_same_term_frequency_scores_lower() -> None:
    ranking = rank_bm25(["sig"], {"long": ["sig", "x", "y", "z", "w"], "short": ["sig", "x"]})
    assert ranking == ["short", "long"]

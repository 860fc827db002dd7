from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from matchstage.evaluation.metrics import (
    OfferScores,
    average_precision,
    dcg_at_k,
    evaluate_rankings,
    mean_scores,
    ndcg_at_k,
    read_qrels,
)

LOG2_3 = math.log2(3)


def test_dcg_uses_exponential_gain_and_log2_rank_plus_one_discount() -> None:
    # grades 3, 2, 0, 1 cut at 3: 7/log2(2) + 3/log2(3) + 0/log2(4) = 7 + 1.8928 = 8.8928
    assert dcg_at_k([3, 2, 0, 1], 3) == pytest.approx(7 + 3 / LOG2_3)
    assert dcg_at_k([3, 2, 0, 1], 3) == pytest.approx(8.8928, abs=1e-4)
    # the fourth grade adds 1/log2(5)
    assert dcg_at_k([3, 2, 0, 1], 10) == pytest.approx(7 + 3 / LOG2_3 + 1 / math.log2(5))
    assert dcg_at_k([], 5) == 0.0


def test_dcg_rejects_a_cutoff_below_one() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        dcg_at_k([3], 0)


@pytest.mark.parametrize("k", [1, 3, 5, 10])
def test_perfect_ranking_has_ndcg_one(k: int) -> None:
    grades = {"a": 3, "b": 2, "c": 2, "d": 1, "e": 0}
    assert ndcg_at_k(["a", "b", "c", "d", "e"], grades, k) == pytest.approx(1.0)


def test_ndcg_hand_computed_example() -> None:
    grades = {"a": 3, "b": 2, "c": 1, "d": 0}
    # ranking d, b, a:  DCG  = 0/1 + 3/log2(3) + 7/log2(4) = 1.8928 + 3.5       = 5.3928
    # ideal  a, b, c:   IDCG = 7/1 + 3/log2(3) + 1/log2(4) = 7 + 1.8928 + 0.5   = 9.3928
    # nDCG@5 = 5.3928 / 9.3928 = 0.5741
    expected = (3 / LOG2_3 + 7 / 2) / (7 + 3 / LOG2_3 + 1 / 2)
    assert ndcg_at_k(["d", "b", "a"], grades, 5) == pytest.approx(expected)
    assert ndcg_at_k(["d", "b", "a"], grades, 5) == pytest.approx(0.5741, abs=1e-4)


def test_ideal_dcg_counts_graded_items_that_were_not_ranked() -> None:
    # z (grade 3) was left out: DCG = 1, IDCG = 7 + 1/log2(3) = 7.6309
    assert ndcg_at_k(["a"], {"a": 1, "z": 3}, 5) == pytest.approx(1 / (7 + 1 / LOG2_3))


def test_ungraded_items_count_as_zero() -> None:
    # x is unjudged: DCG = 0 + 7/log2(3), IDCG = 7
    assert ndcg_at_k(["x", "a"], {"a": 3}, 5) == pytest.approx(1 / LOG2_3)


def test_ndcg_cutoff() -> None:
    grades = {"f": 3}
    ranking = ["a", "b", "c", "d", "e", "f"]
    assert ndcg_at_k(ranking, grades, 5) == 0.0
    assert ndcg_at_k(ranking, grades, 10) == pytest.approx(1 / math.log2(7))


@pytest.mark.parametrize("grades", [{}, {"a": 0, "b": 0}])
def test_ndcg_is_zero_without_a_positive_grade(grades: dict[str, int]) -> None:
    assert ndcg_at_k(["a", "b"], grades, 5) == 0.0


def test_a_candidate_listed_twice_counts_once() -> None:
    grades = {"a": 3, "b": 3}
    assert ndcg_at_k(["a", "a"], grades, 5) == pytest.approx(ndcg_at_k(["a"], grades, 5))
    assert average_precision(["a", "a"], grades) == pytest.approx(0.5)


def test_average_precision_relevant_at_ranks_one_and_three() -> None:
    grades = {"a": 3, "b": 0, "c": 2, "d": 1}
    # relevant (grade >= 2): a at rank 1 (precision 1/1), c at rank 3 (precision 2/3)
    assert average_precision(["a", "b", "c", "d"], grades) == pytest.approx((1 + 2 / 3) / 2)


def test_average_precision_divides_by_every_relevant_item_judged() -> None:
    # two relevant items, only b retrieved, at rank 2: (1/2) / 2
    assert average_precision(["x", "b"], {"a": 3, "b": 2}) == pytest.approx(0.25)


def test_average_precision_threshold() -> None:
    grades = {"a": 1, "b": 3}
    assert average_precision(["a", "b"], grades) == pytest.approx(1 / 2)
    # with grade 1 relevant: precisions 1/1 and 2/2
    assert average_precision(["a", "b"], grades, threshold=1) == pytest.approx(1.0)


def test_average_precision_is_zero_without_relevant_items() -> None:
    assert average_precision(["a", "b"], {"a": 1, "b": 0}) == 0.0


def test_evaluate_rankings_per_offer_in_offer_order() -> None:
    rankings = {"o2": ["b", "a"], "o1": ["a", "b"], "o3": ["a"]}
    qrels = {"o1": {"a": 3, "b": 0}, "o2": {"a": 3, "b": 0}}
    scores = evaluate_rankings(rankings, qrels)
    assert [s.offer for s in scores] == ["o1", "o2", "o3"]
    assert scores[0] == OfferScores("o1", 1.0, 1.0, 1.0)
    assert scores[1].ndcg5 == pytest.approx(1 / LOG2_3)
    assert scores[1].ap == pytest.approx(0.5)
    assert scores[2] == OfferScores("o3", 0.0, 0.0, 0.0)


def test_mean_scores() -> None:
    mean = mean_scores([OfferScores("o1", 1.0, 0.5, 0.25), OfferScores("o2", 0.0, 0.5, 0.75)])
    assert mean == OfferScores("mean", 0.5, 0.5, 0.5)
    assert mean_scores([]) == OfferScores("mean", 0.0, 0.0, 0.0)


def test_offer_scores_are_frozen() -> None:
    scores = OfferScores("o1", 1.0, 1.0, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scores.ap = 0.0  # type: ignore[misc]


QRELS = (
    "\ufeffcandidate\toffer\tgrade\n"
    "# graded by the project officer, 0-3\n"
    "CV_Martin.pdf\toffre_socio\t3\n"
    "\n"
    "   \n"
    "  CV Léa Dupont.docx \t offre_socio\t 2 \r\n"
    "CV_Martin.pdf\t\toffre_compta\t0\n"
    "CV_Bernard.pdf\toffre_compta\t1\tnot sure about this one\n"
    "CV_Morel.pdf   offre_compta   3\n"
    "    # indented comment\n"
    "CV_Martin.pdf\toffre_socio\t3\n"
)


def test_read_qrels_tolerates_whitespace_blank_lines_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "relevance.tsv"
    path.write_bytes(QRELS.encode("utf-8"))
    assert read_qrels(path) == {
        "offre_socio": {"CV_Martin.pdf": 3, "CV Léa Dupont.docx": 2},
        "offre_compta": {"CV_Martin.pdf": 0, "CV_Bernard.pdf": 1, "CV_Morel.pdf": 3},
    }


def test_read_qrels_without_header(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text("A\to1\t0\n", encoding="utf-8")
    assert read_qrels(path) == {"o1": {"A": 0}}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A.pdf\to1\t7", r"q\.tsv, line 3: grade '7' must be an integer from 0 to 3"),
        ("A.pdf\to1\t-1", r"q\.tsv, line 3: grade '-1' must be an integer from 0 to 3"),
        ("A.pdf\to1\t2.5", r"q\.tsv, line 3: grade '2\.5' must be an integer from 0 to 3"),
        ("A.pdf\to1\tbon", r"q\.tsv, line 3: grade 'bon' must be an integer from 0 to 3"),
        ("A.pdf\to1", r"q\.tsv, line 3: expected candidate<TAB>offer<TAB>grade, found 2 field\(s\)"),
        ("A.pdf\to1\t1", r"q\.tsv, line 3: A\.pdf for o1 graded 1 here but 3 on line 2"),
    ],
)
def test_read_qrels_errors_name_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.tsv"
    path.write_text(f"candidate\toffer\tgrade\nA.pdf\to1\t3\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        read_qrels(path)
    assert str(path) in str(info.value)


def test_read_qrels_rejects_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_bytes("CV_Léa.pdf\to1\t3\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"q\.tsv: not UTF-8 text .* save it as UTF-8"):
        read_qrels(path)

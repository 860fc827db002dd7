"""Ranking-quality metrics over graded relevance judgements (qrels)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


def dcg_at_k(grades_in_rank_order: Sequence[float], k: int) -> float:
    """Discounted cumulative gain with gain ``2**g - 1`` and discount ``log2(rank + 1)``."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades_in_rank_order[:k]))


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """nDCG@k; the ideal ordering is built from every graded item, ranked or not. 0 without relevant items."""
    ideal = dcg_at_k(sorted(grades.values(), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k([grades.get(item, 0) for item in ranking], k) / ideal


def average_precision(ranking: Sequence[str], grades: Mapping[str, int], threshold: int = 2) -> float:
    """AP with relevant = grade >= threshold, divided by every relevant item in ``grades``."""
    relevant = sum(1 for g in grades.values() if g >= threshold)
    if relevant == 0:
        return 0.0
    hits, total = 0, 0.0
    for i, item in enumerate(ranking, start=1):
        if grades.get(item, 0) >= threshold:
            hits += 1
            total += hits / i
    return total / relevant


@dataclass(frozen=True)
class OfferScores:
    offer: str
    ndcg5: float
    ndcg10: float
    ap: float


def evaluate_rankings(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> list[OfferScores]:
    return [
        OfferScores(offer, ndcg_at_k(ranking, qrels.get(offer, {}), 5), ndcg_at_k(ranking, qrels.get(offer, {}), 10),
                    average_precision(ranking, qrels.get(offer, {})))
        for offer, ranking in sorted(rankings.items())
    ]


def mean_scores(scores: Sequence[OfferScores]) -> OfferScores:
    n = max(len(scores), 1)
    return OfferScores("mean", sum(s.ndcg5 for s in scores) / n, sum(s.ndcg10 for s in scores) / n,
                       sum(s.ap for s in scores) / n)


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read ``candidate<TAB>offer<TAB>grade`` lines (a header line and ``#`` comments allowed)."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        fields = [f.strip() for f in line.split("\t")]
        if not line.strip() or line.lstrip().startswith("#") or fields[:3] == ["candidate", "offer", "grade"]:
            continue
        if len(fields) < 3:
            raise ValueError(f"{path}, line {number}: expected candidate<TAB>offer<TAB>grade")
        candidate, offer, grade = fields[:3]
        if grade not in {"0", "1", "2", "3"}:
            raise ValueError(f"{path}, line {number}: grade {grade!r} must be an integer from 0 to 3")
        qrels.setdefault(offer, {})[candidate] = int(grade)
    return qrels

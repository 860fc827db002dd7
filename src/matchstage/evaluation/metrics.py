"""Ranking-quality metrics over graded relevance judgements (qrels): nDCG@k and average precision.

Grades run from 0 (not relevant) to 3 (excellent match). A ranking is a sequence of candidate ids, best
first; a candidate the judgements do not mention counts as grade 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matchstage.i18n import _

MAX_GRADE = 3
# Relevant for average precision: a good or excellent match.
RELEVANT_GRADE = 2
_HEADER = ("candidate", "offer", "grade")
_GRADE = re.compile(rf"[0-{MAX_GRADE}]")


def dcg_at_k(grades_in_rank_order: Sequence[float], k: int) -> float:
    """DCG of the first ``k`` grades: sum of ``(2**g - 1) / log2(i + 1)`` with ``i`` the 1-based rank.

    The exponential gain makes one excellent match worth more than two fair ones; rank 1 is not discounted.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    return sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(grades_in_rank_order[:k], start=1))


def _unique(ranking: Sequence[str]) -> list[str]:
    # A candidate listed twice would be counted twice and could push a score above 1.
    return list(dict.fromkeys(ranking))


def ndcg_at_k(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """nDCG@k in [0, 1]; 0 when no item has a positive grade.

    The ideal DCG orders *every* graded item, ranked or not, so a system that leaves out a good candidate
    is penalised rather than judged only on what it chose to return.
    """
    ideal = dcg_at_k(sorted(grades.values(), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k([grades.get(item, 0) for item in _unique(ranking)], k) / ideal


def average_precision(ranking: Sequence[str], grades: Mapping[str, int], threshold: int = RELEVANT_GRADE) -> float:
    """Average precision with relevant meaning ``grade >= threshold``; 0 when nothing is relevant.

    The sum of precisions at each relevant rank is divided by the number of relevant items in ``grades``,
    not by those found, so relevant items missing from the ranking count as never retrieved.
    """
    relevant = sum(1 for g in grades.values() if g >= threshold)
    if relevant == 0:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(_unique(ranking), start=1):
        if grades.get(item, 0) >= threshold:
            hits += 1
            total += hits / rank
    return total / relevant


@dataclass(frozen=True)
class OfferScores:
    """Quality of one offer's ranking (or, with ``offer="mean"``, the mean over offers)."""

    offer: str
    ndcg5: float
    ndcg10: float
    ap: float


def evaluate_rankings(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> list[OfferScores]:
    """Scores of each offer's ranking, in offer order; an offer without judgements scores 0."""
    scores = []
    for offer, ranking in sorted(rankings.items()):
        grades = qrels.get(offer, {})
        scores.append(
            OfferScores(offer, ndcg_at_k(ranking, grades, 5), ndcg_at_k(ranking, grades, 10),
                        average_precision(ranking, grades))
        )
    return scores


def mean_scores(scores: Sequence[OfferScores]) -> OfferScores:
    """The mean of each metric over offers (zeros when there are none), labelled ``"mean"``."""
    n = max(len(scores), 1)
    return OfferScores("mean", sum(s.ndcg5 for s in scores) / n, sum(s.ndcg10 for s in scores) / n,
                       sum(s.ap for s in scores) / n)


def _fields(line: str) -> list[str]:
    # Tabs separate fields (ids may contain spaces); runs of tabs are alignment, not empty fields.
    # A line typed with spaces only is accepted when it splits into exactly three words.
    fields = [f.strip() for f in re.split(r"\t+", line.strip())]
    if len(fields) == 1 and len(line.split()) == len(_HEADER):
        return line.split()
    return fields


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Judgements as offer -> candidate -> grade, from a ``candidate<TAB>offer<TAB>grade`` file.

    Blank lines, ``#`` comments and the header line are skipped. Raises ValueError naming the file and
    line for a malformed line, a grade other than 0-3, or a pair judged twice with different grades.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(_("{path}: not UTF-8 text (byte {byte}) — save it as UTF-8").format(
            path=path, byte=exc.start)) from exc
    qrels: dict[str, dict[str, int]] = {}
    first_seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = _fields(line)
        if tuple(f.lower() for f in fields[:3]) == _HEADER:
            continue
        if len(fields) < len(_HEADER):
            raise ValueError(
                _("{path}, line {number}: expected candidate<TAB>offer<TAB>grade, found {count} field(s)").format(
                    path=path, number=number, count=len(fields))
            )
        # Columns after the grade (a reviewer's note) are ignored.
        candidate, offer, grade = fields[:3]
        if not _GRADE.fullmatch(grade):
            raise ValueError(_("{path}, line {number}: grade {grade!r} must be an integer from 0 to {max}").format(
                path=path, number=number, grade=grade, max=MAX_GRADE))
        judged = qrels.setdefault(offer, {})
        if candidate in judged and judged[candidate] != int(grade):
            raise ValueError(
                _("{path}, line {number}: {candidate} for {offer} graded {grade} here but {first} on line "
                  "{line}").format(path=path, number=number, candidate=candidate, offer=offer, grade=grade,
                                   first=judged[candidate], line=first_seen[candidate, offer])
            )
        judged[candidate] = int(grade)
        first_seen.setdefault((candidate, offer), number)
    return qrels

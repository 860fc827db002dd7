"""Several offers, one pool of candidates: every candidate's score for every offer, as one matrix.

Built from a :class:`~matchstage.match.MatchResult` (each offer's ranking) so that every renderer — table,
CSV, JSON, HTML — shows the same rows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchstage.ranking.results import MatchResult


@dataclass(frozen=True)
class MatrixRow:
    """One candidate across the offers, in :attr:`FitMatrix.offers` order.

    ``scores`` and ``ranks`` are ``None`` for an offer that did not rank the candidate. ``best`` holds
    the indexes of the offers where the candidate scores highest (several on an exact tie, none when
    every score is 0).
    """

    candidate: str
    scores: tuple[float | None, ...]
    ranks: tuple[int | None, ...]
    best: tuple[int, ...]

    @property
    def top_score(self) -> float:
        return max((s for s in self.scores if s is not None), default=0.0)

    @property
    def best_rank(self) -> int | None:
        """The candidate's best position in any offer's ranking."""
        return min((r for r in self.ranks if r is not None), default=None)


@dataclass(frozen=True)
class FitMatrix:
    """Candidates × offers. Rows go from the highest best score down, then by candidate id."""

    offers: tuple[str, ...]
    rows: tuple[MatrixRow, ...]

    @cached_property
    def _by_candidate(self) -> dict[str, MatrixRow]:
        return {r.candidate: r for r in self.rows}

    def row(self, candidate: str) -> MatrixRow:
        return self._by_candidate[candidate]

    def score(self, candidate: str, offer: str) -> float | None:
        return self.row(candidate).scores[self.offers.index(offer)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "offers": list(self.offers),
            "rows": [
                {
                    "candidate": r.candidate,
                    "scores": dict(zip(self.offers, r.scores)),
                    "ranks": dict(zip(self.offers, r.ranks)),
                    "best": [self.offers[i] for i in r.best],
                }
                for r in self.rows
            ],
        }


def fit_matrix(result: MatchResult) -> FitMatrix:
    """Every candidate ranked for at least one offer, with their score and rank for each offer."""
    offers = tuple(o.offer.id for o in result.offers)
    by_offer = [{r.candidate: r for r in o.ranking} for o in result.offers]
    candidates = sorted({c for ranking in by_offer for c in ranking})
    rows = []
    for candidate in candidates:
        entries = [ranking.get(candidate) for ranking in by_offer]
        scores = tuple(None if e is None else e.score.score for e in entries)
        top = max((s for s in scores if s is not None), default=0.0)
        best = tuple(i for i, s in enumerate(scores) if top > 0 and s == top)
        rows.append(MatrixRow(candidate, scores, tuple(None if e is None else e.rank for e in entries), best))
    rows.sort(key=lambda r: (-r.top_score, r.candidate))
    return FitMatrix(offers, tuple(rows))

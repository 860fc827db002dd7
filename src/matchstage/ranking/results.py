"""What a run gives: each offer's ranking, the files skipped or set aside, and a suggested assignment.

These records are shared by the ranking, the assignment and every output, so they live apart from the code
that makes them (the library in :mod:`matchstage.match`, the solver in :mod:`matchstage.ranking.assignment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchstage import __version__
from matchstage.analysis.taxonomy import Facet
from matchstage.i18n import _
from matchstage.ranking.scoring import Score, Weights
from matchstage.reading.documents import SkipReason

# The facets in the order every output shows them.
FACETS = (Facet.SKILLS, Facet.DISCIPLINES, Facet.METHODS)


def suggestion_note() -> str:
    return _("suggestion: the decision is yours; it maximises the sum of scores and ignores everything "
             "matchstage cannot see")


@dataclass(frozen=True)
class Pair:
    offer: str
    candidate: str
    score: float
    rank: int | None  # the candidate's rank in that offer's ranking


@dataclass(frozen=True)
class OfferSlots:
    """An offer's places: how many, how many the suggestion fills, how many candidates could fill one."""

    offer: str
    capacity: int
    filled: int
    eligible: int  # candidates with a score above 0 and at least the minimum for this offer

    @property
    def unfilled(self) -> int:
        return self.capacity - self.filled


@dataclass(frozen=True)
class Assignment:
    """A suggested assignment: pairs by offer (in the offers' order, best score first)."""

    pairs: tuple[Pair, ...]
    slots: tuple[OfferSlots, ...]
    unassigned: tuple[str, ...]  # candidates on no offer, best score first
    min_score: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(p.score for p in self.pairs), 4)

    @property
    def unfilled(self) -> tuple[OfferSlots, ...]:
        return tuple(s for s in self.slots if s.unfilled > 0)

    @property
    def note(self) -> str:
        return suggestion_note()

    def pairs_for(self, offer: str) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.offer == offer)

    def offer_of(self, candidate: str) -> str | None:
        return next((p.offer for p in self.pairs if p.candidate == candidate), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "total": self.total,
            "min_score": self.min_score,
            "pairs": [{"offer": p.offer, "candidate": p.candidate, "score": p.score, "rank": p.rank}
                      for p in self.pairs],
            "slots": [{"offer": s.offer, "capacity": s.capacity, "filled": s.filled, "unfilled": s.unfilled,
                       "eligible": s.eligible} for s in self.slots],
            "unassigned": list(self.unassigned),
        }


@dataclass(frozen=True)
class Offer:
    id: str
    path: Path
    text: str


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: SkipReason
    message: str


@dataclass(frozen=True)
class Duplicate:
    path: str
    same_as: str


@dataclass(frozen=True)
class Flag:
    path: str
    code: str
    message: str


@dataclass(frozen=True)
class Ranked:
    rank: int
    candidate: str
    files: tuple[str, ...]
    score: Score


@dataclass(frozen=True)
class OfferResult:
    offer: Offer
    ranking: tuple[Ranked, ...]


@dataclass(frozen=True)
class MatchResult:
    offers: tuple[OfferResult, ...]
    skipped: tuple[Skipped, ...]
    ignored: tuple[str, ...]
    duplicates: tuple[Duplicate, ...] = ()
    flags: tuple[Flag, ...] = ()
    weights: Weights = Weights()
    version: str = __version__
    taxonomy_version: str = ""
    # A suggested assignment of candidates to offers, when asked for (matchstage.ranking.assignment.with_assignment).
    assignment: Assignment | None = None
    # Candidates and files are pseudonyms (see matchstage.outputs.blinding).
    blind: bool = False

    @property
    def candidates_ranked(self) -> int:
        return max((len(o.ranking) for o in self.offers), default=0)

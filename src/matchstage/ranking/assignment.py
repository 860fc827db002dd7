"""Suggest who could go where when several offers share one pool of candidates.

The suggestion maximises the sum of scores, each candidate on at most one offer and each offer within
its number of places, solved exactly as an assignment problem (one column per place) by SciPy's
``linear_sum_assignment``. A candidate is placed on an offer only with a score above 0 and at least
the minimum score. It is a suggestion: it knows nothing of what matchstage cannot see.

Ties: scores are compared as reported (4 decimals). Among suggestions with the same total, the one
whose candidates rank higher on their offers wins (the largest sum of ``candidates + 1 - rank``); a tie
left after that is settled by the solver on candidates sorted by id and offers in the order given, so
the same run always gives the same suggestion, whatever order the files come in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from matchstage.i18n import _
from matchstage.ranking.matrix import FitMatrix, fit_matrix
from matchstage.ranking.results import Assignment, MatchResult, OfferSlots, Pair

DEFAULT_CAPACITY = 1
# Scores are reported with 4 decimals: the solver works on whole units of 0.0001, so ties are exact.
SCORE_UNITS = 10_000
# Weights stay whole numbers a float64 holds exactly, so the solver's sums and differences are exact.
_EXACT = 2**53


class AssignError(ValueError):
    """Capacities or a minimum score that cannot be used."""


def unfilled_reason(slots: OfferSlots, min_score: float = 0.0) -> str:
    """Why places of an offer stay empty, in a sentence."""
    others = slots.eligible - slots.filled
    if others > 0:
        return _("the {n} other candidate(s) who qualify are suggested for other offers").format(n=others)
    if slots.eligible == 0:
        if min_score > 0:
            return _("no candidate reaches the minimum score {score:g}").format(score=round(min_score * 100, 2))
        return _("no candidate has a score above 0")
    if min_score > 0:
        return _("only {n} candidate(s) reach the minimum score {score:g}").format(
            n=slots.eligible, score=round(min_score * 100, 2))
    return _("only {n} candidate(s) have a score above 0").format(n=slots.eligible)


def _items(specs: Iterable[str]) -> list[str]:
    """``a=2,b=1`` and repeated options as items; a piece with no ``=`` that is not a number belongs to
    the next piece (an offer id with a comma in it)."""
    items: list[str] = []
    for spec in specs:
        pending = ""
        for piece in spec.split(","):
            piece = pending + piece
            if "=" not in piece and not re.fullmatch(r"\s*[0-9]+\s*", piece) and piece.strip():
                pending = piece + ","
                continue
            pending = ""
            if piece.strip():
                items.append(piece.strip())
        if pending:
            items.append(pending.rstrip(",").strip())
    return items


def _places(text: str, item: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise AssignError(_("{item!r}: the number of places must be a whole number, 0 or more").format(item=item))
    return int(text)


def parse_capacities(specs: Iterable[str], offers: Sequence[str]) -> dict[str, int]:
    """Places per offer from ``OFFER=N`` items (comma-separated or repeated); a bare ``N`` sets every
    offer not named. Every offer gets an entry; an unnamed one has 1 place."""
    default: int | None = None
    named: dict[str, int] = {}
    for item in _items(specs):
        offer, equals, value = item.rpartition("=")
        if not equals:
            if not re.fullmatch(r"[0-9]+", item):
                raise AssignError(_("{item!r}: expected OFFER=N (an offer id, then the number of places) or N "
                                    "(places for every offer not named)").format(item=item))
            places = int(item)
            if default is not None and default != places:
                raise AssignError(_("two default capacities given: {a} and {b}").format(a=default, b=places))
            default = places
            continue
        offer = offer.strip()
        if not offer:
            raise AssignError(_("{item!r}: expected OFFER=N (an offer id, then the number of places)")
                              .format(item=item))
        places = _places(value, item)
        if offer in named and named[offer] != places:
            raise AssignError(_("offer {offer!r} is given two capacities: {a} and {b}")
                              .format(offer=offer, a=named[offer], b=places))
        named[offer] = places
    check_offers(named, offers)
    base = DEFAULT_CAPACITY if default is None else default
    return {offer: named.get(offer, base) for offer in offers}


def check_offers(capacities: Mapping[str, int], offers: Sequence[str]) -> None:
    unknown = [o for o in capacities if o not in offers]
    if unknown:
        raise AssignError(_("unknown offer {offer!r} in the capacities; the offers are: {known}")
                          .format(offer=unknown[0], known=", ".join(offers)))


def suggest_assignment(
    matrix: FitMatrix, capacities: Mapping[str, int] | None = None, *, min_score: float = 0.0
) -> Assignment:
    """The assignment of candidates to offers' places with the largest sum of scores.

    ``capacities`` maps offer ids to their number of places (an offer not named has 1);
    ``min_score`` (0–1) is the lowest score that may fill a place, 0 meaning any score above 0.
    """
    if not 0 <= min_score <= 1:
        raise AssignError(_("the minimum score must be between 0 and 1, not {value}").format(value=min_score))
    capacities = dict(capacities or {})
    check_offers(capacities, matrix.offers)
    for offer, count in capacities.items():
        if count < 0:
            raise AssignError(_("offer {offer!r}: the number of places must be 0 or more").format(offer=offer))
    places = [capacities.get(offer, DEFAULT_CAPACITY) for offer in matrix.offers]

    rows = sorted(matrix.rows, key=lambda r: r.candidate)
    n, k = len(rows), len(matrix.offers)
    units = np.zeros((n, k), dtype=np.int64)
    preference = np.zeros((n, k), dtype=np.int64)
    lowest = round(min_score * SCORE_UNITS)  # in whole units, like the scores: 2.2 / 100 is 0.0220
    for i, row in enumerate(rows):
        for j, (score, rank) in enumerate(zip(row.scores, row.ranks)):
            value = 0 if score is None or score <= 0 else max(1, round(score * SCORE_UNITS))
            if value and value >= lowest:
                units[i, j] = value
                preference[i, j] = n + 1 - (rank if rank is not None else n)
    eligible = units > 0

    slot_offer = np.repeat(np.arange(k), places)
    chosen: list[tuple[int, int]] = []
    if n and slot_offer.size:
        pairs_at_most = min(n, int(slot_offer.size))
        # The rank preference only breaks ties: its largest possible sum stays below one score unit.
        unit = pairs_at_most * n + 1
        if (int(units.max()) * unit + n) * pairs_at_most >= _EXACT:
            unit, preference = 1, np.zeros_like(preference)
        weights = np.where(eligible, units * unit + preference, 0)[:, slot_offer].astype(np.float64)
        from scipy.optimize import linear_sum_assignment  # here: half a second to import, for --assign only

        for i, slot in zip(*linear_sum_assignment(weights, maximize=True)):
            j = int(slot_offer[slot])
            if eligible[i, j]:
                chosen.append((int(i), j))

    pairs = sorted(
        (Pair(matrix.offers[j], rows[i].candidate, float(rows[i].scores[j] or 0.0), rows[i].ranks[j])
         for i, j in chosen),
        key=lambda p: (matrix.offers.index(p.offer), -p.score, p.candidate),
    )
    filled = np.bincount(np.array([j for _, j in chosen], dtype=np.int64), minlength=k)
    slots = tuple(OfferSlots(offer, places[j], int(filled[j]), int(eligible[:, j].sum()))
                  for j, offer in enumerate(matrix.offers))
    placed = {p.candidate for p in pairs}
    unassigned = tuple(r.candidate for r in matrix.rows if r.candidate not in placed)
    return Assignment(tuple(pairs), slots, unassigned, min_score)


def with_assignment(
    result: MatchResult, capacities: Mapping[str, int] | None = None, *, min_score: float = 0.0
) -> MatchResult:
    """``result`` with a suggested assignment of its candidates to its offers attached."""
    return replace(result, assignment=suggest_assignment(fit_matrix(result), capacities, min_score=min_score))

"""What an offer requires: each concept it names, how much it asks for it (the section it stands in, a line
saying it is only a plus, soft skills weighing less), grouped by facet."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from matchstage.analysis.levels import Level
from matchstage.analysis.profiles import Profile
from matchstage.analysis.sections import load_section_rules
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.ranking.rules import ScoringRules


@dataclass(frozen=True)
class Requirement:
    """A concept the offer asks for: how much (0..1), whether required or only appreciated, and the offer's
    words that asked for it, in which section (none when it comes from a requirements file)."""

    concept: str
    importance: float
    required: bool
    words: str = ""
    section: str = ""


@dataclass(frozen=True)
class OfferRequirements:
    """Everything an offer asks for that the facets and the level score: read in its text by
    :meth:`OfferDemand.asked`, or from a requirements file (``source``) the project officer corrected
    (:mod:`matchstage.ranking.requirements_file`)."""

    by_facet: Mapping[Facet, tuple[Requirement, ...]]
    level: Level | None = None
    source: Path | None = None


class OfferDemand:
    """What an offer asks for, worked out with a taxonomy and the scoring rules."""

    def __init__(self, taxonomy: Taxonomy, rules: ScoringRules) -> None:
        self.taxonomy = taxonomy
        self.rules = rules
        self._soft = {cid: w for cid, w in rules.concept_weights.items() if cid in taxonomy.concepts}
        self._offer_section_weight = {spec.name: spec.weight for spec in load_section_rules().offer}
        self._concept_weights: dict[str, float] = {}

    def concept_weight(self, concept: str) -> float:
        weight = self._concept_weights.get(concept)
        if weight is None:
            factors = [w for root, w in self._soft.items() if self.taxonomy.is_under(concept, root)]
            weight = self._concept_weights[concept] = min(factors) if factors else 1.0
        return weight

    def requirements(self, offer: Profile) -> dict[Facet, list[Requirement]]:
        """Per facet, the concepts the offer asks for (at least ``asked_from``), most asked for first."""
        by_facet: dict[Facet, list[Requirement]] = {f: [] for f in Facet}
        for req in self.read_requirements(offer):
            if req.importance > 0 and req.importance >= self.rules.asked_from:
                by_facet[self.taxonomy[req.concept].facet].append(req)
        return by_facet

    def asked(self, offer: Profile) -> OfferRequirements:
        """What the offer's text asks for, as a requirements file would say it."""
        return OfferRequirements({f: tuple(reqs) for f, reqs in self.requirements(offer).items()}, offer.level)

    def read_requirements(self, offer: Profile) -> list[Requirement]:
        """Every concept read in the offer, with how much it asks for it (0: not at all, a line of its
        conditions say) and its words, most asked for first, then by concept id."""
        best: dict[str, Requirement] = {}
        for e in offer.evidence:
            weight = e.weight
            override = self.rules.offer_section_weights.get(e.section)
            nominal = self._offer_section_weight.get(e.section)
            if override is not None and nominal:
                weight = override * e.weight / nominal  # keeps the "appreciated" factor of the line
            importance = max(0.0, weight * self.concept_weight(e.concept))
            old = best.get(e.concept)
            if old is None or importance > old.importance:
                # A line that asks for nothing (importance 0) does not make the concept required either.
                inherited = old is not None and old.importance > 0 and old.required
                best[e.concept] = Requirement(e.concept, importance, e.required or inherited, e.words, e.section)
            elif e.required and not old.required and importance > 0:
                best[e.concept] = dataclasses.replace(old, required=True)
        return sorted(best.values(), key=lambda r: (-r.importance, r.concept))

"""What an offer requires: each concept it names, how much it asks for it (the section it stands in, a line
saying it is only a plus, soft skills weighing less), grouped by facet."""

from __future__ import annotations

from dataclasses import dataclass

from matchstage.analysis.profiles import Profile
from matchstage.analysis.sections import load_section_rules
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.ranking.rules import ScoringRules


@dataclass(frozen=True)
class Requirement:
    concept: str
    importance: float
    required: bool



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
        best: dict[str, Requirement] = {}
        for e in offer.evidence:
            weight = e.weight
            override = self.rules.offer_section_weights.get(e.section)
            nominal = self._offer_section_weight.get(e.section)
            if override is not None and nominal:
                weight = override * e.weight / nominal  # keeps the "appreciated" factor of the line
            importance = weight * self.concept_weight(e.concept)
            if importance <= 0:
                continue
            old = best.get(e.concept)
            if old is None or importance > old.importance:
                best[e.concept] = Requirement(e.concept, importance, e.required or (old.required if old else False))
            elif e.required and not old.required:
                best[e.concept] = Requirement(e.concept, old.importance, True)
        by_facet: dict[Facet, list[Requirement]] = {f: [] for f in Facet}
        for req in best.values():
            by_facet[self.taxonomy[req.concept].facet].append(req)
        return by_facet

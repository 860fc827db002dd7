"""The combination: a candidate's overall score against an offer, and its explanation.

Split by what each part decides: what the offer requires (:mod:`matchstage.ranking.requirements`), what a
candidate shows (:mod:`matchstage.ranking.evidence`), credit through the taxonomy's hierarchy
(:mod:`matchstage.ranking.credit`), text similarity (:mod:`matchstage.ranking.text`) and the rules they all read
(:mod:`matchstage.ranking.rules`). Here, per facet: for each concept the offer asks for (weighted by how much it
asks for it and by its rarity among the run's candidates), the best credit the candidate earns; then the facets
and the text score weighed together, the discipline gate and the level factor; and for each candidate, the
concepts matched (fully or partly) and missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np

from matchstage import i18n
from matchstage.analysis.levels import Level
from matchstage.analysis.profiles import Evidence, Profile
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.ranking.credit import HierarchyCredit
from matchstage.ranking.crosslingual import language_free_concepts, on_text_scale
from matchstage.ranking.evidence import CandidateEvidence, CandidateMatrix
from matchstage.ranking.requirements import OfferDemand, OfferRequirements, Requirement
from matchstage.ranking.rules import ScoringRules, Weights, WeightsError
from matchstage.ranking.text import TextSimilarity

# What other modules import from here, wherever it is defined.
__all__ = ["CandidateMatrix", "FacetScore", "LevelFit", "Match", "Requirement", "Score", "Scorer", "ScoringRules",
           "TextSimilarity", "Weights", "WeightsError"]

# An offer concept counts as matched (listed in explanations) from this credit on, missing below it: each concept
# is in one list only. Below PARTIAL_BELOW, or earned through a related concept, the match is shown as partial.
MATCHED_FROM = 0.3
PARTIAL_BELOW = 0.5
# A requirement counts as met by a candidate, for its rarity, from this credit on.
RARITY_MET = 0.5
# Below this many candidates, rarity says nothing and is not applied.
RARITY_MIN_CANDIDATES = 5

@dataclass(frozen=True)
class Match:
    """How one concept the offer asks for is met: by which candidate concept, with which words."""

    concept: str
    label: str
    credit: float
    by: str
    by_label: str
    words: str
    required: bool

    @property
    def partial(self) -> bool:
        """Partial credit: earned through a related concept, or the CV shows the concept itself only weakly (a
        word in a skills list, a hobby)."""
        return self.by != self.concept or self.credit < PARTIAL_BELOW

    def describe(self) -> str:
        related = f" ~ {self.by_label}" if self.by != self.concept else "~" if self.partial else ""
        return f"{self.label}{related} «{self.words}»"


@dataclass(frozen=True)
class FacetScore:
    score: float | None
    matched: tuple[Match, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class LevelFit:
    """The degree level the offer asks for, the candidate's, and the factor applied to the overall score."""

    asked: Level
    reached: Level | None
    factor: float
    # The candidate's years of work, when they count toward the level.
    experience: float = 0.0

    def describe(self) -> str:
        reached = self.reached.label if self.reached else "?"
        if self.reached and self.experience >= 1:
            reached = i18n.ngettext("{level} + {years} year of work", "{level} + {years} years of work",
                                    round(self.experience)).format(level=reached, years=round(self.experience))
        asked = self.asked.label
        if self.asked.soft:
            asked = i18n._("{level} recommended").format(level=asked)
        note = "" if self.factor >= 1 else f" (×{self.factor:.2f})"
        if self.factor < 1 and self.reached and self.reached.years > self.asked.years:
            return i18n._("{reached} / {asked}: above the level asked{note}").format(reached=reached, asked=asked,
                                                                                  note=note)
        return f"{reached} / {asked}{note}"


@dataclass(frozen=True)
class Score:
    """A candidate's overall score, text similarity and facet scores; the explanations (``facets``) are
    worked out when first read, so that ranking thousands of candidates does not pay for them."""

    score: float
    text: float
    values: Mapping[Facet, float | None]
    explain: Callable[[], Mapping[Facet, FacetScore]] = field(repr=False, compare=False)
    level: LevelFit | None = None

    @cached_property
    def facets(self) -> Mapping[Facet, FacetScore]:
        return self.explain()



class Scorer:
    """Scores candidate profiles against offer profiles: what the offer requires (:mod:`.requirements`), what
    each candidate shows (:mod:`.evidence`), the credit one earns toward the other through the taxonomy
    (:mod:`.credit`) and the text similarity (:mod:`.text`, computed by the caller), combined here into the
    overall score with its explanation."""

    def __init__(self, taxonomy: Taxonomy, rules: ScoringRules, weights: Weights | None = None) -> None:
        self.taxonomy = taxonomy
        self.rules = rules
        self.weights = weights or rules.weights
        self.demand = OfferDemand(taxonomy, rules)
        self.shown = CandidateEvidence(taxonomy, rules)
        self.credit = HierarchyCredit(taxonomy, rules)

    # -- the parts, as one object (what the matrix and the tests call) --------------------------------------
    def concept_weight(self, concept: str) -> float:
        return self.demand.concept_weight(concept)

    def requirements(self, offer: Profile) -> dict[Facet, list[Requirement]]:
        return self.demand.requirements(offer)

    def strengths(self, candidate: Profile) -> dict[str, tuple[float, Evidence]]:
        return self.shown.strengths(candidate)

    def evidence_weigher(self) -> Callable[[Evidence], float]:
        return self.shown.evidence_weigher()

    def attestation_matrix(self, concepts: tuple[str, ...]) -> np.ndarray:
        return self.shown.attestation_matrix(concepts)

    def similarity(self, wanted: str, shown: str) -> float:
        return self.credit.similarity(wanted, shown)

    def credit_row(self, wanted: str, concepts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        return self.credit.credit_row(wanted, concepts)

    # -- scores ---------------------------------------------------------------------------------------
    def score(self, offer: Profile, candidates: Sequence[Profile], text_scores: Sequence[float],
              concept_scores: Sequence[float] | None = None) -> list[Score]:
        """Score every candidate against one offer (vectorised over candidates)."""
        return self.score_many(offer, CandidateMatrix.build(self, candidates), text_scores,
                               concept_scores=concept_scores)

    def asked(self, offer: Profile) -> OfferRequirements:
        return self.demand.asked(offer)

    def score_many(self, offer: Profile, matrix: CandidateMatrix, text_scores: Sequence[float],
                   asked: OfferRequirements | None = None, concept_scores: Sequence[float] | None = None
                   ) -> list[Score]:
        """``text_scores``: each candidate's text similarity to the offer; ``asked``: what the offer asks for,
        when not what its text says (a requirements file); ``concept_scores``: the text similarity on the
        language-independent concept terms alone, which a CV in another language than the offer's is compared on
        (:mod:`matchstage.ranking.crosslingual`; without them, such a CV is scored on the facets alone)."""
        asked = asked or self.asked(offer)
        reqs = {f: list(asked.by_facet.get(f, ())) for f in Facet}
        n = len(matrix.profiles)
        same_language = matrix.same_language(offer.language)
        cross = ~same_language
        # What a CV in another language can show: a requirement outside it is neither counted nor listed as missing.
        free = language_free_concepts(self.taxonomy)
        findable = {f: np.array([r.concept in free for r in reqs[f]], dtype=bool) for f in Facet}
        credits: dict[Facet, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for facet in Facet:
            concepts = [r.concept for r in reqs[facet]]
            credit, best = matrix.credits(self, concepts)  # n × reqs: credit earned, concept that earned it
            importance = np.array([r.importance for r in reqs[facet]], dtype=float)
            if self.rules.rarity and n >= RARITY_MIN_CANDIDATES and concepts:
                # IDF-like: a concept that nearly every candidate meets cannot tell them apart.
                met = (credit >= RARITY_MET).sum(axis=0)
                importance = importance * (np.log((n + 1) / (met + 1)) + 1)
            credits[facet] = (credit, best, importance)
        # Cosines of TF-IDF vectors sit far below 1 even for the best CV; rescaled so that the closest
        # candidate of the run gets 1, text is on the same scale as the facets it is weighed against.
        raw = np.asarray(text_scores, dtype=float)
        top_text = raw.max() if raw.size else 0.0
        scaled = raw / top_text if top_text > 0 else np.zeros_like(raw)
        facet_values: dict[Facet, np.ndarray | None] = {}
        total = np.zeros(n)
        used = np.zeros(n)
        for facet, (credit, _, importance) in credits.items():
            if not importance.size:
                facet_values[facet] = None
                continue
            concepts = [r.concept for r in reqs[facet]]
            weight: float | np.ndarray
            values, weight = self._facet(facet, credit, importance, concepts, [r.importance for r in reqs[facet]])
            if cross.any():
                # A cross-language CV: the requirements it can show only.
                keep = findable[facet]
                values_cross, weight_cross = (self._facet(facet, credit[:, keep], importance[keep],
                                                          [c for c, k in zip(concepts, keep) if k],
                                                          [r.importance for r, k in zip(reqs[facet], keep) if k])
                                              if keep.any() else (np.zeros(n), 0.0))
                values = np.where(cross, values_cross, values)
                weight = np.where(cross, weight_cross, weight)
            facet_values[facet] = values
            if self.rules.rescale_facets:
                # Like text: the run's best candidate on this facet sets its scale, so that a facet whose scores all
                # sit low (an offer asking for many concepts) still tells candidates apart.
                top = values.max()
                values = values / top if top > 0 else values
            total += weight * values
            used += weight
        # An English CV's words are read into French (analysis/translation.py): its text score is a French one.
        # Word overlap with a CV in another language means nothing: such a CV is compared on the concept terms
        # alone, brought onto the scale of the same-language candidates' text scores.
        read = matrix.read_in(offer.language)
        text = scaled
        if (~read).any() and concept_scores is not None:
            text = np.where(read, scaled, on_text_scale(scaled, np.asarray(concept_scores, dtype=float), same_language))
        counted = read | (concept_scores is not None)
        total += np.where(counted, self.weights.text * text, 0.0)
        used += np.where(counted, self.weights.text, 0.0)
        overall = np.divide(total, used, out=np.zeros(n), where=used > 0).clip(0.0, 1.0)
        # Graders read the discipline first: a candidate showing none of the disciplines the offer asks for keeps
        # at most `discipline_gate` of the score (1 disables it).
        disciplines = facet_values.get(Facet.DISCIPLINES)
        if disciplines is not None and self.rules.discipline_gate < 1:
            overall = overall * (self.rules.discipline_gate + (1 - self.rules.discipline_gate) * disciplines)
        levels: list[LevelFit | None] = [None] * n
        level = asked.level
        if level is not None:
            # Candidates of one level and as many years of work share one record.
            fits: dict[tuple[Level | None, float], LevelFit] = {}
            counts_work = self.rules.level_per_experience_year > 0
            for i, p in enumerate(matrix.profiles):
                key = (p.level, p.experience if counts_work else 0.0)
                fit = fits.get(key)
                if fit is None:
                    fit = fits[key] = LevelFit(level, p.level, self.rules.level_factor(level, *key), key[1])
                levels[i] = fit
            overall = overall * np.array([fit.factor for fit in levels if fit is not None])

        plans = {f: self._explanation_plan(reqs[f]) for f in Facet}

        def explain(i: int) -> Mapping[Facet, FacetScore]:
            return {f: self._explain(plans[f], credits[f], facet_values[f], matrix, i,
                                     findable[f] if cross[i] else None) for f in Facet}

        columns = [(f, None if v is None else v.tolist()) for f, v in facet_values.items()]
        return [
            Score(total_i, text_i, {f: None if v is None else v[i] for f, v in columns}, partial(explain, i), levels[i])
            for i, (total_i, text_i) in enumerate(zip(np.round(overall, 4).tolist(), np.round(raw, 4).tolist()))
        ]

    def _facet(self, facet: Facet, credit: np.ndarray, importance: np.ndarray, concepts: Sequence[str],
               asked: Sequence[float]) -> tuple[np.ndarray, float]:
        """A facet's score for every candidate (from the credit each earns toward each requirement), and its weight
        in the overall score."""
        share = float(self.rules.best_share.get(facet.value, 0.0))
        credit, importance = self.credit.grouped(credit, importance, concepts)
        mean = credit @ importance / importance.sum()
        best = (credit * (importance / importance.max())).max(axis=1)
        values = (1 - share) * mean + share * best
        # A facet weighs as much as the offer asks for it: in full when its profile or missions name one of its
        # concepts, less when only its presentation does.
        weight = self.weights.of(facet) * min(1.0, max(asked) if self.rules.facet_by_demand else 1.0)
        return values, weight

    def _explanation_plan(self, reqs: Sequence[Requirement]) -> list[tuple[int, Requirement, str, bool]]:
        """What every candidate's explanation of one facet reads, worked out once per offer: the requirements
        most asked for first, with their label and whether a shortfall is listed as missing (soft skills are
        rarely written in CVs: not listed)."""
        order = sorted(range(len(reqs)), key=lambda k: -reqs[k].importance)
        return [(j, reqs[j], self.taxonomy[reqs[j].concept].label,
                 reqs[j].required and self.concept_weight(reqs[j].concept) >= 1.0) for j in order]

    def _explain(self, plan: Sequence[tuple[int, Requirement, str, bool]],
                 credits: tuple[np.ndarray, np.ndarray, np.ndarray], values: np.ndarray | None,
                 matrix: CandidateMatrix, i: int, findable: np.ndarray | None = None) -> FacetScore:
        """Candidate ``i``'s matched and missing concepts of one facet; with ``findable`` (a CV in another language
        than the offer's), a concept it could not name in its language is not listed as missing."""
        if values is None:
            return FacetScore(None)
        credit, best, _ = credits
        matched: list[Match] = []
        missing: list[str] = []
        row, best_row = credit[i].tolist(), best[i].tolist()
        for j, req, label, listed_if_missing in plan:
            value = row[j]
            if value >= MATCHED_FROM:
                by = matrix.concepts[best_row[j]]
                evidence = matrix.best_evidence.get((i, best_row[j]))
                matched.append(Match(req.concept, label, round(value, 3), by, self.taxonomy[by].label,
                                     evidence.words if evidence else "", req.required))
            elif listed_if_missing and (findable is None or findable[j]):
                missing.append(label)
        return FacetScore(float(values[i]), tuple(matched), tuple(missing))

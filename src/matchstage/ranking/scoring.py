"""Score candidates against an offer: one score per facet, lemma TF-IDF similarity, and their weighted sum.

Facet score: for each concept the offer asks for (weighted by how much it asks for it), the best credit
the candidate earns — full for the same or a narrower concept, partial for a broader or sibling one,
scaled by where in the CV the evidence stands — averaged over the offer's concepts of that facet.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from matchstage import i18n
from matchstage.analysis.levels import Level
from matchstage.analysis.profiles import Evidence, Profile
from matchstage.analysis.sections import load_section_rules
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.analysis.terms import HASH_DTYPE
from matchstage.paths import models_dir
from matchstage.ranking.lazy_imports import defer_scipy_stats

# An offer concept counts as matched (listed in explanations) from this credit on, missing below it.
MATCHED_FROM = 0.3
MISSING_BELOW = 0.5
# A requirement counts as met by a candidate, for its rarity, from this credit on.
RARITY_MET = 0.5
# Below this many candidates, rarity says nothing and is not applied.
RARITY_MIN_CANDIDATES = 5


class WeightsError(ValueError):
    """Weights given on the command line or in a config file that cannot be used."""


@dataclass(frozen=True)
class Weights:
    disciplines: float = 0.20
    methods: float = 0.10
    skills: float = 0.10
    text: float = 0.60

    def of(self, facet: Facet) -> float:
        return float(getattr(self, facet.value))

    def as_dict(self) -> dict[str, float]:
        return {"disciplines": self.disciplines, "methods": self.methods, "skills": self.skills, "text": self.text}

    def with_overrides(self, spec: str | Mapping[str, float]) -> Weights:
        """``"disciplines=0.4,methods=0.3"`` or a mapping; unnamed weights keep their value."""
        values = self.as_dict()
        items = spec.items() if isinstance(spec, Mapping) else _parse_pairs(spec)
        for key, value in items:
            if key not in values:
                raise WeightsError(i18n._("unknown weight {key!r}: use {names}").format(
                    key=key, names=", ".join(values)))
            if not 0 <= float(value) <= 1:
                raise WeightsError(i18n._("weight {key}={value} must be between 0 and 1").format(
                    key=key, value=value))
            values[key] = float(value)
        if sum(values.values()) <= 0:
            raise WeightsError(i18n._("at least one weight must be above 0"))
        return Weights(**values)


def _parse_pairs(spec: str) -> list[tuple[str, float]]:
    pairs = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = part.partition("=")
        try:
            pairs.append((key.strip(), float(value)))
        except ValueError:
            raise WeightsError(i18n._("cannot read {part!r}: write name=number, e.g. disciplines=0.4").format(
                part=part)) from None
        if not sep:
            raise WeightsError(i18n._("cannot read {part!r}: write name=number, e.g. disciplines=0.4").format(
                part=part))
    return pairs


@dataclass(frozen=True)
class ScoringRules:
    """Everything in ``models/weights.toml``."""

    weights: Weights = Weights()
    credit: Mapping[str, float] = field(default_factory=dict)
    concept_weights: Mapping[str, float] = field(default_factory=dict)
    section_weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    repeat_bonus: float = 0.1
    best_share: Mapping[str, float] = field(default_factory=dict)
    rarity: bool = True
    # Per facet: how much a concept on a line naming a degree counts ("Master 2 Sociologie"), where that is more
    # than its section gives; sections where it does not apply (a degree among hobbies is still a hobby).
    degree_line: Mapping[str, float] = field(default_factory=dict)
    degree_line_ignored: tuple[str, ...] = ()
    # The level adjustment: each year of study below what the offer asks costs this share, down to the floor.
    level_per_year: float = 0.0
    level_floor: float = 1.0
    facet_by_demand: bool = True
    rescale_facets: bool = False
    discipline_gate: float = 1.0
    # Requirements of one family (one concept broader than the other: "lineage"; or also sharing a parent:
    # "family") count once, met by the best of them: an offer that names four participatory approaches asks
    # for participation, not four times as much of it. "none": every concept counts on its own.
    group_related: str = "none"
    # A concept a CV only claims (skills list, keywords, profile, hobbies) without its education or experience
    # showing it, or a concept of its lineage, counts this much of what it would (a keyword-stuffed CV).
    uncorroborated: float = 1.0
    substance_sections: tuple[str, ...] = ("formation", "experience")
    corroborate_by: str = "lineage"
    # How much a concept the offer names counts, by offer section, where it differs from models/sections.toml.
    offer_section_weights: Mapping[str, float] = field(default_factory=dict)

    def evidence_weight(self, evidence: Evidence) -> float:
        """How much a concept found in a CV counts where it stands: its section's weight, or this facet's own
        weight for that section (``[section_weights]``), times the cover-letter factor."""
        override = self.section_weights.get(evidence.facet.value, {}).get(evidence.section)
        weight = evidence.weight if override is None else override
        degree = self.degree_line.get(evidence.facet.value)
        if evidence.degree and degree is not None and evidence.section not in self.degree_line_ignored:
            weight = max(weight, degree)  # "Master 2 Sociologie": a degree in the discipline
        return weight * evidence.factor

    @classmethod
    def load(cls, path: Path | None = None) -> ScoringRules:
        path = path or models_dir() / "weights.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            weights=Weights().with_overrides(data.get("weights", {})),
            credit=data.get("credit", {}),
            concept_weights=data.get("concept_weights", {}),
            section_weights=data.get("section_weights", {}),
            repeat_bonus=float(data.get("evidence", {}).get("repeat_bonus", 0.1)),
            best_share=data.get("best_share", {}),
            rarity=bool(data.get("evidence", {}).get("rarity", True)),
            degree_line={k: float(v) for k, v in data.get("degree_line", {}).items() if k != "ignored_in"},
            degree_line_ignored=tuple(data.get("degree_line", {}).get("ignored_in", ())),
            level_per_year=float(data.get("level", {}).get("per_year", 0.0)),
            level_floor=float(data.get("level", {}).get("floor", 1.0)),
            facet_by_demand=bool(data.get("facets", {}).get("by_demand", True)),
            rescale_facets=bool(data.get("facets", {}).get("rescale", False)),
            discipline_gate=float(data.get("facets", {}).get("discipline_gate", 1.0)),
            group_related=str(data.get("facets", {}).get("group_related", "none")),
            offer_section_weights=data.get("offer_section_weights", {}),
            uncorroborated=float(data.get("corroboration", {}).get("uncorroborated", 1.0)),
            substance_sections=tuple(data.get("corroboration", {}).get("substance", ("formation", "experience"))),
            corroborate_by=str(data.get("corroboration", {}).get("by", "lineage")),
        )

    def level_factor(self, asked: Level | None, reached: Level | None) -> float:
        """1 unless the offer names a level and the candidate's is lower (an unknown level is not held against)."""
        if asked is None or reached is None or reached.years >= asked.years:
            return 1.0
        return max(self.level_floor, 1.0 - self.level_per_year * (asked.years - reached.years))


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

    def describe(self) -> str:
        related = "" if self.by == self.concept else f" ~ {self.by_label}"
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

    def describe(self) -> str:
        reached = self.reached.label if self.reached else "?"
        note = "" if self.factor >= 1 else f" (×{self.factor:.2f})"
        return f"{reached} / {self.asked.label}{note}"


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


@dataclass(frozen=True)
class Requirement:
    concept: str
    importance: float
    required: bool


class Scorer:
    """Scores candidate profiles against offer profiles with a taxonomy and scoring rules."""

    def __init__(self, taxonomy: Taxonomy, rules: ScoringRules, weights: Weights | None = None) -> None:
        self.taxonomy = taxonomy
        self.rules = rules
        self.weights = weights or rules.weights
        self._soft = {cid: w for cid, w in rules.concept_weights.items() if cid in taxonomy.concepts}
        self._credit_rows: dict[tuple[str, tuple[str, ...]], tuple[np.ndarray, np.ndarray]] = {}
        self._offer_section_weight = {spec.name: spec.weight for spec in load_section_rules().offer}
        self._weigher: Callable[[Evidence], float] | None = None
        self._concept_weights: dict[str, float] = {}
        self._attestation: tuple[tuple[str, ...], np.ndarray] | None = None

    # -- what the offer asks for, what the candidate shows -------------------------------------------
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

    def strengths(self, candidate: Profile) -> dict[str, tuple[float, Evidence]]:
        """For each concept the candidate shows: how strongly (0..1) and the best evidence."""
        weigh = self._evidence_weigher()
        substance_sections = self.rules.substance_sections
        best: dict[str, tuple[float, Evidence]] = {}
        sections: dict[str, set[str]] = {}
        substance: set[str] = set()
        for e in candidate.evidence:
            weight = weigh(e)
            old = best.get(e.concept)
            if old is None or weight > old[0]:
                best[e.concept] = (weight, e)
            if weight > 0:
                sections.setdefault(e.concept, set()).add(e.section)
            if e.section in substance_sections:
                substance.add(e.concept)
        attested = self._attested(substance) if self.rules.uncorroborated < 1 else None
        bonus = self.rules.repeat_bonus
        result = {}
        for concept, (weight, evidence) in best.items():
            strength = min(1.0, weight + bonus * max(0, len(sections.get(concept, ())) - 1))
            if attested is not None and not self._is_attested(concept, substance, attested):
                strength *= self.rules.uncorroborated
            result[concept] = (strength, evidence)
        return result

    def _evidence_weigher(self) -> Callable[[Evidence], float]:
        """``rules.evidence_weight`` with its lookups done once per facet and section (it runs for every
        concept of every CV)."""
        if self._weigher is None:
            memo: dict[tuple[Facet, str, bool], tuple[float | None, float | None]] = {}
            rules = self.rules

            def weigh(e: Evidence) -> float:
                key = (e.facet, e.section, e.degree)
                found = memo.get(key)
                if found is None:
                    override = rules.section_weights.get(e.facet.value, {}).get(e.section)
                    degree = rules.degree_line.get(e.facet.value)
                    found = memo[key] = (override, degree if e.degree and e.section not in
                                         rules.degree_line_ignored else None)
                override, degree = found
                weight = e.weight if override is None else override
                if degree is not None and degree > weight:
                    weight = degree  # "Master 2 Sociologie": a degree in the discipline
                return weight * e.factor

            self._weigher = weigh
        return self._weigher

    def attestation_matrix(self, concepts: tuple[str, ...]) -> np.ndarray:
        """concepts × concepts, 1 where showing the row's concept in education or experience attests the
        column's: the concept itself, a broader or a narrower one, and (``corroborate_by = "family"``) one that
        shares a parent with it. Built once per scorer."""
        if self._attestation is None or self._attestation[0] != concepts:
            index = {c: k for k, c in enumerate(concepts)}
            narrower: dict[str, set[str]] = {c: set() for c in concepts}
            children: dict[str, set[str]] = {c: set() for c in concepts}
            for concept in concepts:
                for broader, distance in self.taxonomy.ancestors(concept).items():
                    if broader in narrower:
                        narrower[broader].add(concept)
                        if distance == 1:
                            children[broader].add(concept)
            matrix = np.zeros((len(concepts), len(concepts)), dtype=np.float32)
            for concept in concepts:
                up = self.taxonomy.ancestors(concept)
                attested = {concept} | {a for a in up if a in index} | narrower[concept]
                if self.rules.corroborate_by == "family":
                    attested |= {c for a, d in up.items() if d == 1 and a in children for c in children[a]}
                matrix[index[concept], [index[c] for c in attested]] = 1.0
            self._attestation = (concepts, matrix)
        return self._attestation[1]

    def _attested(self, substance: set[str]) -> tuple[set[str], set[str]]:
        """What a CV's education and experience attest: their concepts with every broader one, and (for
        ``corroborate_by = "family"``) their direct parents."""
        closure, parents = set(substance), set[str]()
        for concept in substance:
            up = self.taxonomy.ancestors(concept)
            closure.update(up)
            parents.update(a for a, distance in up.items() if distance == 1)
        return closure, parents

    def _is_attested(self, concept: str, substance: set[str], attested: tuple[set[str], set[str]]) -> bool:
        """Whether ``concept`` is attested: itself or a narrower concept is in the education or experience
        ("cartographie" in a job attests "SIG" listed), or a broader one is, or (family) a sibling is."""
        closure, parents = attested
        if concept in closure:
            return True
        up = self.taxonomy.ancestors(concept)
        if not substance.isdisjoint(up):
            return True
        return self.rules.corroborate_by == "family" and any(d == 1 and a in parents for a, d in up.items())

    def similarity(self, wanted: str, shown: str) -> float:
        """Credit for showing concept ``shown`` when the offer wants ``wanted``."""
        if wanted == shown:
            return 1.0
        credit = self.rules.credit
        up_shown = self.taxonomy.ancestors(shown)
        if wanted in up_shown:
            return float(credit.get("narrower", 1.0))
        up_wanted = self.taxonomy.ancestors(wanted)
        if shown in up_wanted:
            decay = float(credit.get("broader_decay", 0.5)) ** (up_wanted[shown] - 1)
            return float(credit.get("broader", 0.6)) * decay
        common = [max(up_wanted[a], up_shown[a]) for a in up_wanted.keys() & up_shown.keys()]
        if not common:
            return 0.0
        nearest = min(common)
        if nearest == 1:
            return float(credit.get("sibling", 0.35))
        if nearest == 2:
            return float(credit.get("cousin", 0.15))
        return 0.0

    # -- scores ---------------------------------------------------------------------------------------
    # -- scores ---------------------------------------------------------------------------------------
    def score(self, offer: Profile, candidates: Sequence[Profile], text_scores: Sequence[float]) -> list[Score]:
        """Score every candidate against one offer (vectorised over candidates)."""
        return self.score_many(offer, CandidateMatrix.build(self, candidates), text_scores)

    def score_many(self, offer: Profile, matrix: CandidateMatrix, text_scores: Sequence[float]) -> list[Score]:
        reqs = self.requirements(offer)
        n = len(matrix.profiles)
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
        for facet, (credit, _, importance) in credits.items():
            if not importance.size:
                facet_values[facet] = None
                continue
            share = float(self.rules.best_share.get(facet.value, 0.0))
            credit, importance = self._grouped(credit, importance, [r.concept for r in reqs[facet]])
            mean = credit @ importance / importance.sum()
            best = (credit * (importance / importance.max())).max(axis=1)
            facet_values[facet] = (1 - share) * mean + share * best
        total = np.zeros(n)
        used = np.zeros(n)
        for facet, values in facet_values.items():
            if values is not None:
                # A facet weighs as much as the offer asks for it: in full when its profile or missions name
                # one of its concepts, less when only its presentation does.
                asked = max(r.importance for r in reqs[facet]) if self.rules.facet_by_demand else 1.0
                weight = self.weights.of(facet) * min(1.0, asked)
                if self.rules.rescale_facets:
                    # Like text: the run's best candidate on this facet sets its scale, so that a facet whose
                    # scores all sit low (an offer asking for many concepts) still tells candidates apart.
                    top = values.max()
                    values = values / top if top > 0 else values
                total += weight * values
                used += weight
        # Word overlap between a French offer and an English CV means nothing: such a CV is scored on
        # the facets alone, which match through the taxonomy's English labels.
        same_language = matrix.same_language(offer.language)
        total += np.where(same_language, self.weights.text * scaled, 0.0)
        used += np.where(same_language, self.weights.text, 0.0)
        overall = np.divide(total, used, out=np.zeros(n), where=used > 0).clip(0.0, 1.0)
        # Graders read the discipline first: a candidate showing none of the disciplines the offer asks for keeps
        # at most `discipline_gate` of the score (1 disables it).
        disciplines = facet_values.get(Facet.DISCIPLINES)
        if disciplines is not None and self.rules.discipline_gate < 1:
            overall = overall * (self.rules.discipline_gate + (1 - self.rules.discipline_gate) * disciplines)
        levels: list[LevelFit | None] = [None] * n
        if offer.level is not None:
            fits: dict[Level | None, LevelFit] = {}  # candidates of one level share one record
            for i, p in enumerate(matrix.profiles):
                fit = fits.get(p.level)
                if fit is None:
                    fit = fits[p.level] = LevelFit(offer.level, p.level, self.rules.level_factor(offer.level, p.level))
                levels[i] = fit
            overall = overall * np.array([fit.factor for fit in levels if fit is not None])

        plans = {f: self._explanation_plan(reqs[f]) for f in Facet}

        def explain(i: int) -> Mapping[Facet, FacetScore]:
            return {f: self._explain(plans[f], credits[f], facet_values[f], matrix, i) for f in Facet}

        columns = [(f, None if v is None else v.tolist()) for f, v in facet_values.items()]
        return [
            Score(total_i, text_i, {f: None if v is None else v[i] for f, v in columns}, partial(explain, i), levels[i])
            for i, (total_i, text_i) in enumerate(zip(np.round(overall, 4).tolist(), np.round(raw, 4).tolist()))
        ]

    def _grouped(self, credit: np.ndarray, importance: np.ndarray, concepts: Sequence[str]
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Columns of related requirements merged into one (best credit, highest importance); see group_related."""
        mode = self.rules.group_related
        if mode == "none" or len(concepts) < 2:
            return credit, importance
        group = list(range(len(concepts)))

        def root(i: int) -> int:
            while group[i] != i:
                i = group[i]
            return i

        for a in range(len(concepts)):
            for b in range(a + 1, len(concepts)):
                up_a, up_b = self.taxonomy.ancestors(concepts[a]), self.taxonomy.ancestors(concepts[b])
                related = concepts[a] in up_b or concepts[b] in up_a
                if mode == "family" and not related:
                    related = any(up_a.get(c) == 1 and up_b.get(c) == 1 for c in up_a.keys() & up_b.keys())
                if related:
                    group[root(b)] = root(a)
        roots = sorted({root(i) for i in range(len(concepts))})
        if len(roots) == len(concepts):
            return credit, importance
        members = [[i for i in range(len(concepts)) if root(i) == r] for r in roots]
        return (np.stack([credit[:, m].max(axis=1) for m in members], axis=1),
                np.array([importance[m].max() for m in members]))

    def _explanation_plan(self, reqs: Sequence[Requirement]) -> list[tuple[int, Requirement, str, bool]]:
        """What every candidate's explanation of one facet reads, worked out once per offer: the requirements
        most asked for first, with their label and whether a shortfall is listed as missing (soft skills are
        rarely written in CVs: not listed)."""
        order = sorted(range(len(reqs)), key=lambda k: -reqs[k].importance)
        return [(j, reqs[j], self.taxonomy[reqs[j].concept].label,
                 reqs[j].required and self.concept_weight(reqs[j].concept) >= 1.0) for j in order]

    def _explain(self, plan: Sequence[tuple[int, Requirement, str, bool]],
                 credits: tuple[np.ndarray, np.ndarray, np.ndarray], values: np.ndarray | None,
                 matrix: CandidateMatrix, i: int) -> FacetScore:
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
            if listed_if_missing and value < MISSING_BELOW:
                missing.append(label)
        return FacetScore(float(values[i]), tuple(matched), tuple(missing))

    def credit_row(self, wanted: str, concepts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Columns of ``concepts`` that earn credit for ``wanted``, and that credit (cached per run)."""
        key = (wanted, concepts)
        row = self._credit_rows.get(key)
        if row is None:
            # Only concepts of its family can earn credit: itself, broader and narrower ones, and those that
            # share an ancestor at most two levels up (siblings, cousins).
            family = {wanted, *self.taxonomy.ancestors(wanted), *self.taxonomy.descendants(wanted)}
            for broader, distance in self.taxonomy.ancestors(wanted).items():
                if distance <= 2:
                    family.update(c for c, d in self.taxonomy.descendants(broader).items() if d <= 2)
            pairs = [(k, self.similarity(wanted, c)) for k, c in enumerate(concepts) if c in family]
            related = [(k, v) for k, v in pairs if v > 0]
            row = (np.array([k for k, _ in related], dtype=int), np.array([v for _, v in related]))
            self._credit_rows[key] = row
        return row


class _BestEvidence:
    """(candidate row, concept column) -> the evidence behind that strength."""

    def __init__(self, cells: np.ndarray, index: np.ndarray, evidence: Sequence[Evidence], width: int) -> None:
        self.cells, self.index, self.evidence, self.width = cells, index, evidence, width
        self._by_cell: dict[int, int] | None = None

    def get(self, key: tuple[int, int]) -> Evidence | None:
        if self._by_cell is None:  # built when an explanation first asks (ranking alone does not)
            self._by_cell = dict(zip(self.cells.tolist(), self.index.tolist()))
        found = self._by_cell.get(key[0] * self.width + key[1])
        return None if found is None else self.evidence[found]


@dataclass(frozen=True)
class CandidateMatrix:
    """What the candidates show, as a matrix candidates × concepts of strengths (0..1), with the best
    evidence of each (candidate, concept) for explanations."""

    profiles: Sequence[Profile]
    concepts: tuple[str, ...]
    strengths: np.ndarray
    # (candidate row, concept column) -> the evidence that gave that strength
    best_evidence: _BestEvidence

    @cached_property
    def _by_column(self) -> np.ndarray:
        """The strengths laid out column by column: gathering a requirement's related concepts reads contiguous
        memory."""
        return np.asfortranarray(self.strengths, dtype=np.float32)

    @cached_property
    def _shown(self) -> np.ndarray:
        return np.asarray(self.strengths.any(axis=0), dtype=bool)

    @cached_property
    def _languages(self) -> np.ndarray:
        return np.array([p.language for p in self.profiles], dtype=object)

    def prepare(self) -> None:
        """Lay out now what scoring reads (column by column, which concepts anyone shows), ahead of the first offer."""
        self._by_column  # noqa: B018
        self._shown  # noqa: B018
        self._languages  # noqa: B018

    def same_language(self, language: str) -> np.ndarray:
        """Which candidates write in ``language`` (an undetermined language on either side counts as the same)."""
        if language == "und":
            return np.ones(len(self.profiles), dtype=bool)
        return (self._languages == language) | (self._languages == "und")

    @classmethod
    def build(cls, scorer: Scorer, profiles: Sequence[Profile]) -> CandidateMatrix:
        """:meth:`Scorer.strengths` for every candidate at once, with numpy over all their evidence."""
        concepts = tuple(scorer.taxonomy.concepts)
        column = {c: k for k, c in enumerate(concepts)}
        n, m = len(profiles), len(concepts)
        rules = scorer.rules
        weigh = scorer._evidence_weigher()
        substance_sections = frozenset(rules.substance_sections)
        section_ids: dict[str, int] = {}
        evidence = [e for p in profiles for e in p.evidence]
        if not evidence:
            return cls(profiles, concepts, np.zeros((n, m)), _BestEvidence(np.zeros(0, dtype=np.int64),
                                                                           np.zeros(0, dtype=np.int64), [], m))
        rows = np.repeat(np.arange(n), [len(p.evidence) for p in profiles])
        # What each evidence gives (column, weight, section, in education or experience), worked out once per
        # distinct evidence object: the same concept found with the same words in the same section recurs across
        # CVs, and the cache hands out one object for all of them.
        ids, first, inverse = np.unique(np.fromiter(map(id, evidence), dtype=np.int64, count=len(evidence)),
                                        return_index=True, return_inverse=True)
        distinct = [evidence[i] for i in first.tolist()]
        cols = np.fromiter((column[e.concept] for e in distinct), dtype=np.int64, count=len(distinct))[inverse]
        weights = np.fromiter(map(weigh, distinct), dtype=float, count=len(distinct))[inverse]
        sections = np.fromiter((section_ids.setdefault(e.section, len(section_ids)) for e in distinct),
                               dtype=np.int64, count=len(distinct))[inverse]
        in_substance = np.fromiter((e.section in substance_sections for e in distinct), dtype=bool,
                                   count=len(distinct))[inverse]
        cells = rows * m + cols
        # The best evidence of each cell: the first of its cell once sorted by weight, highest first.
        order = np.lexsort((-weights, cells))
        first = np.ones(order.size, dtype=bool)
        first[1:] = cells[order][1:] != cells[order][:-1]
        best = order[first]
        strengths = np.zeros(n * m)
        strengths[cells[best]] = weights[best]
        # The same concept shown in several sections adds repeat_bonus per extra section (weights above 0).
        shown = weights > 0
        kinds = max(1, len(section_ids))
        pairs = _distinct(cells[shown] * kinds + sections[shown])
        extra = np.bincount(pairs // kinds, minlength=n * m).astype(float) - 1
        strengths = np.minimum(1.0, strengths + rules.repeat_bonus * np.clip(extra, 0, None)).reshape(n, m)
        if rules.uncorroborated < 1:
            substance = np.zeros((n, m), dtype=bool)
            substance[rows[in_substance], cols[in_substance]] = True
            attested = (substance.astype(np.float32) @ scorer.attestation_matrix(concepts)) > 0
            strengths = np.where(attested | (strengths == 0), strengths, strengths * rules.uncorroborated)
        return cls(profiles, concepts, strengths, _BestEvidence(cells[best], best, evidence, m))

    def credits(self, scorer: Scorer, wanted: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For each candidate and wanted concept: the best credit earned, and the concept column earning it."""
        n = len(self.profiles)
        if not wanted:
            return np.zeros((n, 0)), np.zeros((n, 0), dtype=int)
        credit = np.zeros((n, len(wanted)))
        best = np.zeros((n, len(wanted)), dtype=int)
        shown = self._shown
        for j, concept in enumerate(wanted):
            columns, values = scorer.credit_row(concept, self.concepts)
            keep = shown[columns]  # concepts no candidate shows earn nothing
            columns, values = columns[keep], values[keep]
            if columns.size:
                products = self._by_column[:, columns] * values  # n × related concepts only
                credit[:, j] = products.max(axis=1)
                best[:, j] = columns[products.argmax(axis=1)]
        return credit, best


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for integers, by sorting: NumPy 2.4 takes a hash table for a plain ``np.unique``, some
    fifty times slower on the 400,000 evidence cells of 10,000 candidates."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class BlobStore(Protocol):
    """Where fitted similarities are kept between runs (the cache)."""

    def get_blob(self, key: str) -> bytes | None: ...

    def put_blob(self, key: str, value: bytes) -> None: ...


class TextSimilarity:
    """Lemma TF-IDF and cosine similarity, fitted on the run's offers and candidates.

    A lemma's count is the sum of its section weights (a keyword list or a hobby counts less than a
    job), damped like ``sublinear_tf`` with ``log(1 + count)``; IDF and l2 normalisation are
    scikit-learn's ``TfidfTransformer``. The counts come from each profile's
    :class:`~matchstage.analysis.terms.TermCounts` (hashed lemmas), put into one CSR matrix with numpy: the
    columns are the run's distinct hashes (``vocabulary_``, sorted), not a hashing space, so IDF is
    the same as over the lemmas themselves. scikit-learn and SciPy are imported only here, when
    something is computed: a run whose similarities are in the cache does without them.
    """

    def __init__(self, *, smooth_idf: bool = True) -> None:
        self.smooth_idf = smooth_idf

    @staticmethod
    def preload() -> None:
        """Import scikit-learn and SciPy now (half a second or so), while the run waits for something else."""
        defer_scipy_stats()
        import scipy.sparse  # noqa: F401
        import sklearn.feature_extraction.text  # noqa: F401

    def fit(self, profiles: Sequence[Profile]) -> TextSimilarity:
        self.fit_transform(profiles)
        return self

    def fit_transform(self, profiles: Sequence[Profile]) -> Any:
        defer_scipy_stats()
        from sklearn.feature_extraction.text import TfidfTransformer

        counts, self.vocabulary_ = _count_matrix(profiles, None)
        # No lemma at all in the run: nothing to weigh, every similarity is 0.
        self.transformer_ = TfidfTransformer(smooth_idf=self.smooth_idf).fit(counts) if counts.shape[1] else None
        return self.transformer_.transform(counts) if self.transformer_ else counts

    def transform(self, profiles: Sequence[Profile]) -> Any:
        counts, _ = _count_matrix(profiles, self.vocabulary_)
        return self.transformer_.transform(counts) if self.transformer_ else counts

    def similarities(self, offers: Sequence[Profile], candidates: Sequence[Profile]) -> np.ndarray:
        """Matrix offers × candidates of cosine similarities."""
        if not candidates:
            return np.zeros((len(offers), 0))
        return _cosines(self.transform(offers), self.transform(candidates))

    @classmethod
    def fitted_similarities(cls, offers: Sequence[Profile], candidates: Sequence[Profile],
                            memo: BlobStore | None = None) -> np.ndarray:
        """Fit on offers and candidates together and return their similarities, vectorising each once.

        With ``memo``, the result is kept under a hash of every profile's term counts, and a run on the
        same documents (again, or with other weights) reads it back instead of fitting again. The key
        also holds this module's code and scikit-learn's version: a change to either fits again.
        """
        if not candidates:
            return np.zeros((len(offers), 0))
        key = _memo_key(offers, candidates) if memo is not None else ""
        if memo is not None:
            stored = memo.get_blob(key)
            if stored is not None and len(stored) == 8 * len(offers) * len(candidates):
                return np.frombuffer(stored, dtype="<f8").reshape(len(offers), len(candidates))
        matrix = cls().fit_transform([*offers, *candidates])
        result = _cosines(matrix[: len(offers)], matrix[len(offers):])
        if memo is not None:
            memo.put_blob(key, result.astype("<f8").tobytes())
        return result


def _count_matrix(profiles: Sequence[Profile], vocabulary: np.ndarray | None) -> tuple[Any, np.ndarray]:
    """The profiles' damped counts as a CSR matrix profiles × vocabulary, and the vocabulary (sorted hashes).

    Without a vocabulary, it is every hash with a positive count; with one, hashes outside it are dropped.
    """
    import scipy.sparse as sp

    terms = [p.term_counts for p in profiles]
    lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    hashes = np.concatenate([t.hashes for t in terms]) if terms else np.zeros(0, dtype=HASH_DTYPE)
    counts = np.concatenate([t.counts for t in terms]) if terms else np.zeros(0)
    rows = np.repeat(np.arange(len(terms)), lengths)
    keep = counts > 0
    if vocabulary is None:
        vocabulary, columns = np.unique(hashes[keep], return_inverse=True)
    else:
        columns = np.searchsorted(vocabulary, hashes)
        keep &= columns < vocabulary.size
        keep[keep] = vocabulary[columns[keep]] == hashes[keep]
        columns = columns[keep]
    # COO to CSR sums repeated (row, column) pairs; the damping comes after the sum, as over a dict of counts.
    matrix = sp.coo_matrix((counts[keep], (rows[keep], columns)), shape=(len(terms), vocabulary.size)).tocsr()
    matrix.data = np.log1p(matrix.data)
    return matrix, vocabulary


def _cosines(a: Any, b: Any) -> np.ndarray:
    """Cosines of the rows of two l2-normalised sparse matrices (TfidfTransformer's output): their dot products."""
    return np.asarray((a @ b.T).toarray(), dtype=float)


def _memo_key(offers: Sequence[Profile], candidates: Sequence[Profile]) -> str:
    digest = hashlib.sha256(f"{_code_version()} {len(offers)} {len(candidates)}".encode())
    for profile in (*offers, *candidates):
        terms = profile.term_counts
        digest.update(len(terms).to_bytes(8, "little"))
        digest.update(terms.hashes.data)
        digest.update(terms.counts.data)
    return "similarities:" + digest.hexdigest()


@cache
def _code_version() -> str:
    """This module's source and scikit-learn's version: what the similarities computed here depend on."""
    from importlib import metadata

    try:
        sklearn = metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        sklearn = "absent"
    return hashlib.sha256(Path(__file__).read_bytes() + sklearn.encode()).hexdigest()

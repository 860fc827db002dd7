"""The scoring rules (``models/weights.toml``) and the weights of the overall score: everything a user or the
cross-validation (``scripts/crossval.py``) may change without touching the code."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from matchstage import i18n
from matchstage.analysis.levels import Level
from matchstage.analysis.profiles import Evidence
from matchstage.analysis.taxonomy import Facet
from matchstage.paths import models_dir


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
    # The level adjustment: each year of study below what the offer asks costs this share, down to the floor; for a
    # level the offer only recommends, soft_per_year down to soft_floor. Each year of work counts as this much of a
    # year of study (as a VAE does).
    level_per_year: float = 0.0
    level_floor: float = 1.0
    level_soft_per_year: float = 0.0
    level_soft_floor: float = 1.0
    level_per_experience_year: float = 0.0
    # A degree more than ``level_over_margin`` years above the level asked (a doctorate for a Master 2 internship)
    # costs ``level_over_per_year`` a year beyond the margin, down to the floor (0: off).
    level_over_per_year: float = 0.0
    level_over_margin: float = 2.0
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
    # A concept the offer asks for less than this is not asked for (a requirements file lists it commented out);
    # one added to a requirements file without a weight, or un-commented there, takes ``added_weight``.
    asked_from: float = 0.0
    added_weight: float = 1.0

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
            level_soft_per_year=float(data.get("level", {}).get("soft_per_year", 0.0)),
            level_soft_floor=float(data.get("level", {}).get("soft_floor", 1.0)),
            level_per_experience_year=float(data.get("level", {}).get("per_experience_year", 0.0)),
            level_over_per_year=float(data.get("level", {}).get("over_per_year", 0.0)),
            level_over_margin=float(data.get("level", {}).get("over_margin", 2.0)),
            facet_by_demand=bool(data.get("facets", {}).get("by_demand", True)),
            rescale_facets=bool(data.get("facets", {}).get("rescale", False)),
            discipline_gate=float(data.get("facets", {}).get("discipline_gate", 1.0)),
            group_related=str(data.get("facets", {}).get("group_related", "none")),
            offer_section_weights=data.get("offer_section_weights", {}),
            uncorroborated=float(data.get("corroboration", {}).get("uncorroborated", 1.0)),
            substance_sections=tuple(data.get("corroboration", {}).get("substance", ("formation", "experience"))),
            corroborate_by=str(data.get("corroboration", {}).get("by", "lineage")),
            asked_from=float(data.get("requirements", {}).get("asked_from", 0.0)),
            added_weight=float(data.get("requirements", {}).get("added_weight", 1.0)),
        )

    def level_factor(self, asked: Level | None, reached: Level | None, experience: float = 0.0) -> float:
        """1 unless the offer names a level and the candidate's is lower (an unknown level is not held against);
        years of work make up for years of study (``per_experience_year`` each), a level only recommended costs
        less. A degree far above the level asked may cost too (``level_over_per_year``)."""
        if asked is None or reached is None:
            return 1.0
        over = reached.years - asked.years - self.level_over_margin
        if over > 0 and self.level_over_per_year > 0:
            return max(self.level_floor, 1.0 - self.level_over_per_year * over)
        short = asked.years - reached.years - self.level_per_experience_year * experience
        if short <= 0:
            return 1.0
        if asked.soft:
            return max(self.level_soft_floor, 1.0 - self.level_soft_per_year * short)
        return max(self.level_floor, 1.0 - self.level_per_year * short)

"""What a candidate shows: how strongly each concept stands in a CV (its section, a degree line, repeated in
several sections, only claimed or shown at work), for one CV or as a matrix candidates × concepts for a run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from matchstage.analysis.profiles import Evidence, Profile
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.analysis.translation import ENGLISH
from matchstage.ranking.rules import ScoringRules


class CandidateEvidence:
    """How much each concept a CV names counts, with a taxonomy and the scoring rules."""

    def __init__(self, taxonomy: Taxonomy, rules: ScoringRules) -> None:
        self.taxonomy = taxonomy
        self.rules = rules
        self._weigher: Callable[[Evidence], float] | None = None
        self._attestation: tuple[tuple[str, ...], np.ndarray] | None = None

    def strengths(self, candidate: Profile) -> dict[str, tuple[float, Evidence]]:
        """For each concept the candidate shows: how strongly (0..1) and the best evidence."""
        weigh = self.evidence_weigher()
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

    def evidence_weigher(self) -> Callable[[Evidence], float]:
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


class Shows(Protocol):
    """What :meth:`CandidateMatrix.build` reads (a :class:`CandidateEvidence`, or a scorer holding one)."""

    taxonomy: Taxonomy
    rules: ScoringRules

    def evidence_weigher(self) -> Callable[[Evidence], float]: ...

    def attestation_matrix(self, concepts: tuple[str, ...]) -> np.ndarray: ...


class Credits(Protocol):
    """What :meth:`CandidateMatrix.credits` reads (a :class:`~matchstage.ranking.credit.HierarchyCredit`, or a
    scorer holding one)."""

    def credit_row(self, wanted: str, concepts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]: ...


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

    def read_in(self, language: str) -> np.ndarray:
        """Which candidates' text score reads in ``language``: those writing in it, and for a French offer those
        writing in English, whose words the lexicon reads into French (:mod:`matchstage.analysis.translation`)."""
        same = self.same_language(language)
        return same | (self._languages == ENGLISH) if language == "fr" else same

    @classmethod
    def build(cls, scorer: Shows, profiles: Sequence[Profile]) -> CandidateMatrix:
        """:meth:`CandidateEvidence.strengths` for every candidate at once, with numpy over all their evidence."""
        # Columns for the concepts some candidate shows only: one no candidate shows earns nothing, and the
        # taxonomy holds tens of thousands (ESCO, ROME) where a run's CVs show a few thousand at most.
        present = {e.concept for p in profiles for e in p.evidence}
        concepts = tuple(c for c in scorer.taxonomy.concepts if c in present)
        column = {c: k for k, c in enumerate(concepts)}
        n, m = len(profiles), len(concepts)
        rules = scorer.rules
        weigh = scorer.evidence_weigher()
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

    def credits(self, scorer: Credits, wanted: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
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


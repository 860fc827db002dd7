"""Credit through the taxonomy's hierarchy: how much showing one concept earns toward another the offer asks for
(the same or a narrower one in full, a broader, sibling or cousin one in part), and related requirements counted
once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matchstage.analysis.taxonomy import Taxonomy
from matchstage.ranking.rules import ScoringRules


class HierarchyCredit:
    """Partial credit between concepts, from ``[credit]`` and ``group_related`` in ``models/weights.toml``."""

    def __init__(self, taxonomy: Taxonomy, rules: ScoringRules) -> None:
        self.taxonomy = taxonomy
        self.rules = rules
        self._credit_rows: dict[tuple[str, tuple[str, ...]], tuple[np.ndarray, np.ndarray]] = {}

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

    def grouped(self, credit: np.ndarray, importance: np.ndarray, concepts: Sequence[str]
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

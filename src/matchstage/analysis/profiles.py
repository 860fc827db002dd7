"""From a document's text to its profile: the concepts found, per section, and the lemmas TF-IDF counts.

A profile is everything ranking needs from a document, so it is what a cache would keep.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

from matchstage.analysis.acronyms import Expander, load_expansions
from matchstage.analysis.concepts import ConceptMatcher, Hit
from matchstage.analysis.language import detect_language
from matchstage.analysis.lemmas import AnalysedText, Analyzer, fold
from matchstage.analysis.levels import (
    Level,
    asked_level,
    experience_years,
    names_a_degree,
    reached_level,
    recommends,
    softened,
)
from matchstage.analysis.personal import Removed, name_words, strip_personal
from matchstage.analysis.sections import Section, SectionRules, Side, load_section_rules, split_sections
from matchstage.analysis.taxonomy import Facet
from matchstage.analysis.terms import TermCounts
from matchstage.analysis.translation import ENGLISH, Translator, read_lexicon
from matchstage.paths import models_dir

# A cover letter states intentions; what it claims counts this much of what a CV shows.
LETTER_FACTOR = 0.75
# The prefix that tells a concept's term from a lemma in term counts ("§sociologie").
CONCEPT_TERM = "§"


@dataclass(frozen=True)
class TextRules:
    """What the text score counts (``models/text.toml``)."""

    min_section_weight: float = 0.2
    concepts: float = 0.0
    broader_decay: float = 0.5
    uncorroborated: float = 1.0
    substance: tuple[str, ...] = ("formation", "experience")
    acronym_expansion: float = 0.0

    @classmethod
    @cache
    def load(cls) -> TextRules:
        data = tomllib.loads((models_dir() / "text.toml").read_text(encoding="utf-8")).get("text", {})
        return cls(float(data.get("min_section_weight", 0.2)), float(data.get("concepts", 0.0)),
                   float(data.get("broader_decay", 0.5)), float(data.get("uncorroborated", 1.0)),
                   tuple(data.get("substance", ("formation", "experience"))),
                   float(data.get("acronym_expansion", 0.0)))
_LETTER_NAME = re.compile(r"lettre|motivation|cover|\blm\b|^lm[_ -]", re.IGNORECASE)
_LETTER_OPENING = re.compile(r"^\s*(madame|monsieur|dear|bonjour)\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Evidence:
    """One concept found in a document: where, with which words, and how much it counts there."""

    concept: str
    facet: Facet
    words: str
    section: str
    weight: float
    required: bool = False
    factor: float = 1.0
    # Found on a line that names a degree ("Master 2 Sociologie"): for a discipline, a degree in it.
    degree: bool = False


@dataclass(frozen=True)
class Profile:
    evidence: tuple[Evidence, ...]
    lemmas: tuple[str, ...]
    language: str
    removed: tuple[Removed, ...] = ()
    sections: tuple[Section, ...] = ()
    # How much each lemma counts in the text score: its section's weight (a keyword list counts less).
    lemma_weights: tuple[float, ...] = ()
    # An offer: the degree level it asks for; a CV: the highest level it names.
    level: Level | None = None
    # Where each evidence was found: (index in ``sections``, line in that section). Like ``sections``, only
    # in a profile built in this run (the cache keeps neither); ``inspect`` shows them.
    places: tuple[tuple[int, int], ...] = ()
    # Terms of the text score besides the lemmas: the taxonomy concepts found ("§sociologie", weight), broader ones
    # included, and the lemmas of the listed acronyms' expansions (models/acronyms.toml).
    concept_terms: tuple[tuple[str, float], ...] = ()
    # A CV: the years of work it shows (its experience section's periods, or a stated figure), which count toward
    # a level as a VAE does.
    experience: float = 0.0
    # The terms and weights summed per term, when already known (from the cache); else worked out on first use.
    terms: TermCounts | None = field(default=None, compare=False, repr=False)

    @cached_property
    def term_counts(self) -> TermCounts:
        """What the text score counts: each distinct lemma and concept term with the sum of its weights."""
        if self.terms is not None:
            return self.terms
        return TermCounts.from_lemmas((*self.lemmas, *(t for t, _ in self.concept_terms)),
                                      (*self.weights_of_lemmas(), *(w for _, w in self.concept_terms)))

    @staticmethod
    def merge(profiles: Sequence[Profile]) -> Profile:
        """One candidate's documents read together (CV + cover letter)."""
        if len(profiles) == 1 and len(profiles[0].lemma_weights) == len(profiles[0].lemmas):
            return profiles[0]  # what the general case below would rebuild, field for field (speed only)
        languages = [p.language for p in profiles if p.language != "und"]
        offsets = [sum(len(p.sections) for p in profiles[:i]) for i in range(len(profiles))]
        placed = all(len(p.places) == len(p.evidence) for p in profiles)  # not so for a profile from the cache
        return Profile(
            evidence=tuple(e for p in profiles for e in p.evidence),
            lemmas=tuple(lemma for p in profiles for lemma in p.lemmas),
            language=max(set(languages), key=languages.count) if languages else "und",
            removed=tuple(r for p in profiles for r in p.removed),
            sections=tuple(s for p in profiles for s in p.sections),
            lemma_weights=tuple(w for p in profiles for w in p.weights_of_lemmas()),
            level=max((p.level for p in profiles if p.level), key=lambda level: level.years, default=None),
            places=tuple((offset + section, line) for p, offset in zip(profiles, offsets)
                         for section, line in p.places) if placed else (),
            concept_terms=tuple(t for p in profiles for t in p.concept_terms),
            experience=max(p.experience for p in profiles),
            # Each document's counts as they are (a profile from the cache keeps its concept terms only there).
            terms=TermCounts.concatenated([p.term_counts for p in profiles]),
        )

    def weights_of_lemmas(self) -> tuple[float, ...]:
        return self.lemma_weights if len(self.lemma_weights) == len(self.lemmas) else (1.0,) * len(self.lemmas)


def is_cover_letter(name: str, text: str) -> bool:
    return bool(_LETTER_NAME.search(name)) or bool(_LETTER_OPENING.search(text[:400]))


class Profiler:
    """Builds profiles for many documents at once (one batched pass of the French pipeline)."""

    def __init__(self, analyzer: Analyzer, matcher: ConceptMatcher, rules: SectionRules | None = None,
                 text_rules: TextRules | None = None) -> None:
        self.analyzer = analyzer
        self.matcher = matcher
        self.rules = rules or load_section_rules()
        self.text_rules = text_rules or TextRules.load()
        # The taxonomy's acronyms, folded: in a file's name, what the CV is about rather than a name.
        self._acronyms = frozenset(fold(a) for c in matcher.taxonomy.concepts.values() for a in c.acronyms)
        # An acronym the taxonomy holds is bridged to its full words by its concept already.
        self.expander = Expander(analyzer, {acronym: words for acronym, words in load_expansions().items()
                                            if fold(acronym) not in self._acronyms})
        self._english: Translator | None = None

    def offers(self, texts: Sequence[str]) -> list[Profile]:
        return self._profiles([(t, "offer", 1.0, set()) for t in texts])

    def candidate_documents(
        self, documents: Sequence[tuple[str, str, str]], *, n_process: int = 1,
        on_done: Callable[[], None] = lambda: None,
    ) -> list[Profile]:
        """Profiles of ``(candidate_id, file_name, text)`` documents, personal details removed."""
        jobs: list[tuple[str, Side, float, set[str]]] = []
        removed_per_doc = []
        for candidate_id, file_name, text in documents:
            names = name_words(candidate_id, [line for line in text.splitlines() if line.strip()][:2],
                               self._acronyms)
            clean, removed = strip_personal(text, names)
            factor = LETTER_FACTOR if is_cover_letter(file_name, text) else 1.0
            jobs.append((clean, "cv", factor, names))
            removed_per_doc.append(tuple(removed))
        profiles = self._profiles(jobs, n_process=n_process, on_done=on_done)
        return [dataclasses.replace(p, removed=removed) for p, removed in zip(profiles, removed_per_doc)]

    def _profiles(
        self, jobs: Sequence[tuple[str, Side, float, set[str]]], *, n_process: int = 1,
        on_done: Callable[[], None] = lambda: None,
    ) -> list[Profile]:
        split = [split_sections(text, side, self.rules) for text, side, _, _ in jobs]
        analysed = self.analyzer.iter_analyse((s.text for sections in split for s in sections), n_process=n_process)
        profiles = []
        for (text, side, factor, _), sections in zip(jobs, split):
            language = detect_language(text)
            evidence: list[Evidence] = []
            places: list[tuple[int, int]] = []
            lemmas: list[str] = []
            weights: list[float] = []
            lemma_sections: list[str] = []
            expanded: list[tuple[str, float]] = []
            for index, section in enumerate(sections):
                tokens = next(analysed)
                if not section.scored:
                    continue
                # An English CV is read into French words too: the French terms of the taxonomy find what it
                # shows, and the text score counts the French words (analysis/translation.py).
                read = self._translator().read(tokens) if language == ENGLISH and side == "cv" else tokens
                if section.weight >= self.text_rules.min_section_weight:
                    content = read.content_lemmas()
                    lemmas.extend(content)
                    weights.extend([section.weight * factor] * len(content))
                    lemma_sections.extend([section.name] * len(content))
                    if self.text_rules.acronym_expansion > 0:
                        weight = section.weight * factor * self.text_rules.acronym_expansion
                        expanded.extend((lemma, weight) for lemma in self.expander.lemmas(tokens.tokens))
                for hit in self._hits(tokens, read):
                    weight = section.weight
                    required = section.required
                    line = section.lines[hit.line]
                    # A line that says it is a plus, in a section of what is required (in an "Apprécié :"
                    # section, the section's weight already says so).
                    if side == "offer" and section.required and self.rules.is_appreciated(line):
                        weight *= self.rules.appreciated_factor
                        required = False
                    evidence.append(Evidence(hit.concept, hit.facet, hit.words, section.name, weight, required, factor,
                                             names_a_degree(line)))
                    places.append((index, hit.line))
            if side == "cv":
                weights = self._corroborated(lemmas, weights, lemma_sections)
            profiles.append(Profile(tuple(evidence), tuple(lemmas), language, (), tuple(sections),
                                    tuple(weights), self._level(side, sections), tuple(places),
                                    self._concept_terms(evidence) + tuple(expanded),
                                    self._experience(side, sections)))
            on_done()
        return profiles

    def _hits(self, tokens: AnalysedText, read: AnalysedText) -> list[Hit]:
        """The concepts found in a section, and for an English CV also in its French reading (a concept found on
        a line counts once)."""
        hits = self.matcher.find(tokens)
        if read is tokens:
            return hits
        seen = {(h.concept, h.line) for h in hits}
        return hits + [h for h in self.matcher.find(read) if (h.concept, h.line) not in seen]

    def _translator(self) -> Translator:
        """English CVs' words read into French ones (:mod:`matchstage.analysis.translation`), made on first need."""
        if self._english is None:
            self._english = Translator(read_lexicon(), self.analyzer)
        return self._english

    def _corroborated(self, lemmas: list[str], weights: list[float], sections: list[str]) -> list[float]:
        """Weights of a CV's words, those only claimed lowered (see ``uncorroborated`` in models/text.toml)."""
        rules = self.text_rules
        substance = {lemma for lemma, name in zip(lemmas, sections) if name in rules.substance}
        if not substance or rules.uncorroborated >= 1:
            return weights
        return [w * rules.uncorroborated if name not in rules.substance and lemma not in substance else w
                for lemma, w, name in zip(lemmas, weights, sections)]

    def _concept_terms(self, evidence: Sequence[Evidence]) -> tuple[tuple[str, float], ...]:
        """The concepts found as text terms, each as much as the words that named it, and its broader ones less."""
        rules = self.text_rules
        if rules.concepts <= 0:
            return ()
        taxonomy = self.matcher.taxonomy
        terms: list[tuple[str, float]] = []
        for e in evidence:
            weight = e.weight * e.factor * rules.concepts
            if weight <= 0:
                continue
            terms.append((CONCEPT_TERM + e.concept, weight))
            terms.extend((CONCEPT_TERM + broader, weight * rules.broader_decay ** distance)
                         for broader, distance in taxonomy.ancestors(e.concept).items())
        return tuple(terms)

    @staticmethod
    def _experience(side: Side, sections: Sequence[Section]) -> float:
        if side != "cv":
            return 0.0
        return experience_years((line for s in sections if s.name == "experience" for line in s.lines),
                                (line for s in sections if s.scored for line in s.lines))

    def _level(self, side: Side, sections: Sequence[Section]) -> Level | None:
        """An offer's asked level (from its profile if it names one, else its other requirement lines); a CV's
        reached level (education and headline)."""
        if side == "cv":
            return reached_level(line for s in sections if s.name in ("formation", "default") for line in s.lines)
        # A level a line only recommends ("Bac+3 recommandé", "Master souhaité") is soft; a required one wins.
        def soft(line: str) -> bool:
            return self.rules.is_appreciated(line) or recommends(line)

        lines = [line for s in sections if s.required for line in s.lines]
        in_profile = [line for s in sections if s.name == "profil" for line in s.lines]
        return (asked_level(line for line in in_profile if not soft(line))
                or asked_level(line for line in lines if not soft(line))
                or softened(asked_level(line for line in in_profile if soft(line))
                            or asked_level(line for line in lines if soft(line))))


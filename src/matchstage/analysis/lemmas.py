"""French text analysis: from normalised text to tokens with lemma keys.

One :class:`Analyzer` is built per run and shared: it owns the spaCy pipeline (loaded on first use,
with only the components lemmas need) and the stop words. Every token carries *keys*: its lemma and
its own lower-cased form, both without accents. Matching on more than one form absorbs the French
model's tagging slips (``solidaire`` tagged VERB, ``data`` lemmatised ``dater``).
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from matchstage.analysis.inclusive import reduce_inclusive
from matchstage.analysis.pipeline import load_french_pipeline
from matchstage.paths import models_dir

# Words written in capitals at least this long are headings or shouting, not acronyms.
_MAX_ACRONYM_LEN = 5
_CAPS_WORD = re.compile(rf"\b[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ]{{{_MAX_ACRONYM_LEN},}}\b")
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])[-‐‑](?=[^\W\d_])")
# A one-letter prefix is joined to its word rather than split off ("e-learning", "e-santé", "t-shirt"): alone,
# the letter would be dropped and "learning" would match "machine learning".
_LETTER_PREFIX = re.compile(r"(?<![\w\-‐‑])([a-zA-Z])[-‐‑](?=[^\W\d_]{2})")
_ACRONYM = re.compile(rf"^[A-Z][A-Z0-9&]{{1,{_MAX_ACRONYM_LEN - 1}}}s?$")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Punctuation between two phrases or list items (not the apostrophe or the hyphen inside a term).
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]{}•·▪■●◆►|/?!.…«»\x7f]")
# Tags under which a gendered ending is a matter of gender, not of conjugation.
_GENDERED_POS = {"NOUN", "ADJ", "VERB", "PROPN", "X"}


# Gendered and plural endings, longest first: a word ending so gets this ending instead of the model's
# lemma, because the model lemmatises the two genders of one word differently ("employée" -> employe,
# "employé" -> employer; "doctorant" -> doctorer). A score must not depend on grammatical gender.
_GENDER_ENDINGS = (
    ("trices", "teur"), ("trice", "teur"), ("teurs", "teur"), ("euses", "eur"), ("euse", "eur"), ("eurs", "eur"),
    ("eures", "eur"), ("eure", "eur"), ("effes", "ef"), ("effe", "ef"),
    ("iennes", "ien"), ("ienne", "ien"), ("iens", "ien"), ("ières", "ier"), ("ière", "ier"), ("iers", "ier"),
    ("ives", "if"), ("ive", "if"), ("ifs", "if"), ("ées", "é"), ("ée", "é"), ("és", "é"), ("antes", "ant"),
    ("ante", "ant"), ("ants", "ant"), ("ant", "ant"), ("é", "é"), ("ier", "ier"), ("eur", "eur"), ("if", "if"),
)


# Short words the endings above cannot take apart safely.
_GENDERED_WORDS = {"cheffe": "chef", "cheffes": "chef"}


def gender_neutral(word: str) -> str | None:
    """The word with a gendered ending made masculine singular, or None when it has no such ending."""
    lower = word.lower()
    if lower in _GENDERED_WORDS:
        return _GENDERED_WORDS[lower]
    for ending, replacement in _GENDER_ENDINGS:
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            return lower[: -len(ending)] + replacement
    return None


class _Folding(dict[int, str]):
    """``str.translate`` table: a character -> itself without its accents (NFD, combining marks dropped), worked
    out when first seen. Character by character gives what the whole text decomposed at once gives: NFD only
    splits a character into its base and marks, and every mark is dropped."""

    def __missing__(self, code: int) -> str:
        value = self[code] = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        return value


_FOLDING = _Folding()


def fold(text: str) -> str:
    """Lower-case without accents or typographic apostrophes: the form every comparison uses."""
    return text.lower().replace("’", "'").translate(_FOLDING)


# Words recur across a run's documents: each one's folded form and gender-neutral form are worked out once
# per process (speed only; the same functions as above).
_fold_word = lru_cache(maxsize=1 << 18)(fold)
_gender_neutral_word = lru_cache(maxsize=1 << 18)(gender_neutral)


@cache
def load_stop_words(path: Path | None = None) -> frozenset[str]:
    """Stop words from ``models/stopwords_fr.txt`` (folded)."""
    path = path or models_dir() / "stopwords_fr.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line.strip()) for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Token:
    """One word of a text: what was written, its matching keys, and where it stands."""

    word: str
    keys: frozenset[str]
    lemma: str
    stop: bool
    acronym: bool
    line: int
    # Which clause of the text the word is in: punctuation that separates items or phrases (, ; : ( ) • ...)
    # starts a new one, so that a term is not read across "Compétences : communication".
    clause: int = 0
    # What an explanation shows for the word when not ``word`` itself: the English word a French word was read
    # from (analysis/translation.py; "" for the other French words of the same English one).
    shown: str | None = None

    @property
    def display(self) -> str:
        return self.word if self.shown is None else self.shown


@dataclass(frozen=True)
class AnalysedText:
    """The tokens of one text; punctuation, numbers and spaces are left out."""

    tokens: tuple[Token, ...]

    @property
    def content(self) -> list[Token]:
        return [t for t in self.tokens if not t.stop]

    def content_lemmas(self) -> list[str]:
        """What TF-IDF counts: lemmas of the words that are not stop words."""
        return [t.lemma for t in self.tokens if not t.stop]


def prepare(text: str) -> str:
    """Rewrite the text so that spaCy tokenises it well, keeping it readable.

    Inclusive forms are reduced, hyphens inside words become spaces (so ``semi-directif`` and
    ``semi directif`` agree) but after a one-letter prefix (``e-learning`` -> ``elearning``), and words in
    capitals longer than an acronym are lower-cased (the model takes capitalised words for names).
    """
    text = reduce_inclusive(text)
    text = _LETTER_PREFIX.sub(r"\1", text)
    text = _INNER_HYPHEN.sub(" ", text)
    return _CAPS_WORD.sub(lambda m: m.group(0).lower(), text)


class Analyzer:
    """Lemmatise French texts into :class:`AnalysedText`; build once, reuse for every document."""

    def __init__(
        self,
        *,
        stop_words: frozenset[str] | None = None,
        nlp_loader: Callable[[], Any] = load_french_pipeline,
        batch_size: int = 32,
    ) -> None:
        self.stop_words = stop_words if stop_words is not None else load_stop_words()
        self.nlp_loader = nlp_loader
        self.batch_size = batch_size
        self._nlp: Any = None

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = self.nlp_loader()
        return self._nlp

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def analyse(self, text: str) -> AnalysedText:
        return self.analyse_many([text])[0]

    def analyse_many(self, texts: Sequence[str]) -> list[AnalysedText]:
        return list(self.iter_analyse(texts))

    def iter_analyse(self, texts: Iterable[str], n_process: int = 1) -> Iterator[AnalysedText]:
        """Analyse lazily, in order; ``n_process`` > 1 forks workers (worth it for hundreds of texts)."""
        prepared = (prepare(t) for t in texts)
        first, second = itertools.tee(prepared)
        docs = self.nlp.pipe(first, batch_size=self.batch_size, n_process=n_process)
        for text, doc in zip(second, docs):
            yield self._to_tokens(text, doc)

    def _to_tokens(self, text: str, doc: Iterable[Any]) -> AnalysedText:
        line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        tokens = []
        clause = 0
        for tok in doc:
            word = tok.text
            if not _HAS_LETTER.search(word) or len(word) < 2 and not word.isupper():
                if _CLAUSE_BREAK.search(word):
                    clause += 1
                continue
            acronym = bool(_ACRONYM.match(word))
            if acronym:
                lemma = _fold_word(word[:-1] if word.endswith("s") else word)
            else:
                neutral = _gender_neutral_word(word)
                lemma = _fold_word(neutral if neutral is not None and tok.pos_ in _GENDERED_POS else tok.lemma_)
            surface = _fold_word(word)
            keys = {lemma, surface}
            if len(surface) > 3 and surface.endswith("s"):
                keys.add(surface[:-1])
            if len(surface) > 4 and surface.endswith("aux"):  # the model's -aux plurals vary: "sociaux" -> social
                keys.add(surface[:-3] + "al")
            stop = (surface in self.stop_words or lemma in self.stop_words) and not acronym
            line = bisect.bisect_right(line_starts, tok.idx) - 1
            tokens.append(Token(word, frozenset(keys), lemma, stop, acronym, line, clause))
        return AnalysedText(tuple(tokens))

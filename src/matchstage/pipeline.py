"""Build the French spaCy pipeline with only what lemmas need, without its slowest start-up step.

Built once per run and passed around (see :class:`matchstage.analysis.Analyzer`).

spaCy's French tokenizer matches exceptions (``auto-école``, ``entr'ouvrir``...) with one regular
expression of 266 alternatives over very large character classes; compiling it costs seconds in every
process (MEASUREMENTS.md). :class:`LazyTokenMatch` gives the same answers without compiling it up
front, because of how every alternative is built:

- each begins with a letter, so a string that does not start with one never matches;
- all but a dozen require a hyphen character, so a string without one only needs those dozen,
  which compile in milliseconds;
- only a string that starts with a letter and holds a hyphen needs the full expression, compiled
  the first time it is needed. matchstage writes hyphens between letters as spaces before
  tokenising (``analysis.prepare``), so in practice that compile never happens.

``tests/test_pipeline.py`` checks token-for-token and lemma-for-lemma identity with spaCy's own
tokenizer on more than 100,000 tokens. If the French module is not built as verified (another spaCy
version), the plain ``spacy.load`` is used.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Lemmas need tok2vec + morphologizer + lemmatizer; the rest only costs time (see MEASUREMENTS.md).
EXCLUDED_COMPONENTS = ("parser", "ner", "senter", "attribute_ruler")
MODEL = "fr_core_news_sm"
VERIFIED_SPACY = "3.8"
_EXCEPTIONS_MODULE = "spacy.lang.fr.tokenizer_exceptions"
# The hyphen class every hyphenated alternative requires, as spaCy 3.8 writes it.
_HYPHEN_CLASS = "[-–—‐‑]"
_HYPHEN = re.compile(_HYPHEN_CLASS)
# The French pattern is the only one this long; shorter patterns compile as usual.
_BIG_PATTERN = 100_000


class LazyTokenMatch:
    """Drop-in for ``re.compile(pattern).match`` on spaCy's French exception pattern.

    Each alternative is compiled on its own, the first time a string gets past its literal head
    (``^auto[-–—‐‑]``, cheap to compile); a match of any alternative is a match of the whole.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._alternatives: list[tuple[re.Pattern[str], str, bool]] | None = None
        self._compiled: dict[str, re.Pattern[str]] = {}

    def _load(self) -> list[tuple[re.Pattern[str], str, bool]]:
        if self._alternatives is None:
            from spacy.lang.char_classes import ALPHA, ALPHA_LOWER

            alternatives = sys.modules[_EXCEPTIONS_MODULE]._regular_exp
            loaded = []
            for alternative in alternatives:
                cuts = [i for i in (alternative.find("[" + ALPHA_LOWER), alternative.find("[" + ALPHA)) if i >= 0]
                head = alternative[: min(cuts)] if cuts else alternative
                loaded.append((_real_compile(head, re.IGNORECASE | re.UNICODE), alternative,
                               _HYPHEN_CLASS in alternative))
            self._alternatives = loaded
        return self._alternatives

    def _alternative(self, alternative: str) -> re.Pattern[str]:
        compiled = self._compiled.get(alternative)
        if compiled is None:
            compiled = self._compiled[alternative] = _real_compile("(?iu)" + alternative, self.flags)
        return compiled

    def match(self, text: str) -> re.Match[str] | None:
        if not text or not text[0].isalpha():
            return None
        hyphenated = _HYPHEN.search(text) is not None
        for head, alternative, needs_hyphen in self._load():
            if needs_hyphen and not hyphenated or not head.match(text):
                continue
            found = self._alternative(alternative).match(text)
            if found:
                return found
        return None


_real_compile = re.compile


def _is_french_exception_pattern(pattern: object) -> bool:
    return isinstance(pattern, str) and len(pattern) > _BIG_PATTERN and pattern.startswith("(?iu)")


class _LazyCompiled:
    """What ``re.compile`` returns for the French pattern while the pipeline loads: only ``.match`` and
    ``.pattern`` are used by spaCy (``Tokenizer`` keeps ``token_match``; serialisation reads the pattern)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.lazy = LazyTokenMatch(pattern, flags)
        self.match = self.lazy.match


@contextmanager
def _lazy_french_exceptions() -> Iterator[None]:
    def compile_(pattern: Any, flags: int = 0) -> Any:
        if _is_french_exception_pattern(pattern):
            return _LazyCompiled(pattern, flags)
        return _real_compile(pattern, flags)

    re.compile = compile_  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = _real_compile


def _verified(module: Any) -> bool:
    alternatives = getattr(module, "_regular_exp", None)
    if not alternatives:
        return False
    # Every alternative starts with a letter (or a letter class, or an optional letter group) ...
    starts_with_letter = all(
        re.match(r"\^(?:\(\?:[a-zé]+\)\?)?(?:[A-Za-zÀ-ÿ]|\[(?:[A-Za-zé]))", a) for a in alternatives
    )
    # ... and where the hyphen class appears it is required, never optional.
    hyphen_required = all(
        a[i + len(_HYPHEN_CLASS):i + len(_HYPHEN_CLASS) + 1] not in ("*", "?", "{")
        for a in alternatives for i in [m.start() for m in re.finditer(re.escape(_HYPHEN_CLASS), a)]
    )
    return starts_with_letter and hyphen_required


def _fast_lemmatizer(nlp: Any) -> None:
    """The French lemmatizer searches its exception lists linearly; sets give the same answers faster."""
    try:
        lemmatizer = nlp.get_pipe("lemmatizer")
        table = lemmatizer.lookups.get_table("lemma_index")
    except (KeyError, ValueError):
        return
    for pos, words in list(table.items()):
        if isinstance(words, list):
            table[pos] = frozenset(words)


def load_french_pipeline() -> Any:
    import spacy

    if spacy.__version__.rsplit(".", 1)[0] != VERIFIED_SPACY or _EXCEPTIONS_MODULE in sys.modules:
        nlp: Any = spacy.load(MODEL, exclude=list(EXCLUDED_COMPONENTS))
    else:
        with _lazy_french_exceptions():
            nlp = spacy.load(MODEL, exclude=list(EXCLUDED_COMPONENTS))
        lazy = getattr(nlp.tokenizer.token_match, "__self__", None)
        module = sys.modules.get(_EXCEPTIONS_MODULE)
        if isinstance(lazy, LazyTokenMatch) and (module is None or not _verified(module)):
            nlp.tokenizer.token_match = _real_compile(lazy.pattern, lazy.flags).match  # unverified: spaCy's way
    _fast_lemmatizer(nlp)
    return nlp

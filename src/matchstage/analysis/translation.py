"""A CV written in English read into French words, word by word: what its text score counts and where the
taxonomy's French terms find its concepts.

The French pipeline leaves English words nearly as written ("surveys", "wetlands", "running"): a French offer and
an English CV would share names and tools only. ``models/lexicon_en_fr.tsv`` gives, for the English vocabulary of
CVs and job ads, the French word a recruiter's offer would use; its French side is lemmatised by the same
pipeline as any French text, so "enquête" counts as the lemma a French CV's "enquêtes" gives. An English word the
lexicon does not hold stays as it is (names, tools, acronyms, words spelt alike in both languages); one it maps to
nothing ("the", "with") is dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from matchstage.analysis.lemmas import AnalysedText, Analyzer, Token, fold
from matchstage.paths import models_dir

LEXICON = "lexicon_en_fr.tsv"
# The language code the detector (analysis/language.py) gives English.
ENGLISH = "en"
# Inflections reduced before looking a word up, in this order: (ending, replacement).
_ENDINGS = (("ies", "y"), ("ves", "f"), ("es", ""), ("s", ""), ("ing", ""), ("ing", "e"), ("ied", "y"),
            ("ed", ""), ("ed", "e"), ("'s", ""))


def read_lexicon(path: Path | None = None) -> dict[str, str]:
    """English word (folded) -> its French words as written in the file ("" for a word that is dropped)."""
    path = path or models_dir() / LEXICON
    lexicon: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, _, french = line.partition("\t")
        lexicon.setdefault(fold(english.strip().lower()), french.strip())
    return lexicon


# A French word alone is lemmatised unlike in a sentence ("cartographie" alone gives "cartographi"): each is read
# inside this carrier, whose own words are then left out.
_CARRIER = "Compétences : {} et autres."
_CARRIER_LEMMAS = ("competence", "autre")


class Translator:
    """English words -> French tokens, the French side analysed once by the French pipeline (so that its lemmas are
    those a French text gives)."""

    def __init__(self, lexicon: dict[str, str], analyzer: Analyzer) -> None:
        phrases = sorted({french for french in lexicon.values() if french})
        analysed = analyzer.analyse_many([_CARRIER.format(phrase) for phrase in phrases])
        french = {phrase: _without_carrier(a.tokens) for phrase, a in zip(phrases, analysed)}
        self._words = {english: french[f] if f else () for english, f in lexicon.items()}

    def read(self, text: AnalysedText) -> AnalysedText:
        """An English text's tokens read into French ones, each on the line and in the clause of the word it comes
        from, in the same order: what the concept matcher and TF-IDF read for an English CV ("field inventory of
        wetlands" is read "terrain inventaire zone humide")."""
        tokens: list[Token] = []
        for token in text.tokens:
            found = None if token.stop else self.lookup(token.lemma)
            if found is None:
                tokens.append(token)
            else:
                # An explanation shows the English word, once ("wetlands", not "zone humide").
                tokens.extend(dataclasses.replace(french, line=token.line, clause=token.clause,
                                                  shown=token.word if k == 0 else "")
                              for k, french in enumerate(found))
        return AnalysedText(tuple(tokens))

    def lookup(self, word: str) -> tuple[Token, ...] | None:
        """The French tokens of an English word (or of its base form); None when the lexicon does not hold it."""
        found = self._words.get(word)
        if found is not None:
            return found
        for ending, replacement in _ENDINGS:
            if word.endswith(ending) and len(word) > len(ending) + 2:
                found = self._words.get(word[: -len(ending)] + replacement)
                if found is not None:
                    return found
        return None


def _without_carrier(tokens: Sequence[Token]) -> tuple[Token, ...]:
    first, last = _CARRIER_LEMMAS
    start = 1 if tokens[:1] and tokens[0].lemma == first else 0
    end = len(tokens)
    if end - start >= 2 and tokens[-1].lemma == last:  # "... et autres"
        end -= 2
    return tuple(tokens[start:end])

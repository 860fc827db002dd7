"""Reduce French inclusive writing to the base word before lemmatisation.

spaCy's French model keeps ``étudiant.e`` or ``habitant·es`` as one token that it cannot lemmatise,
and splits ``acteurs/trices`` into junk (see MEASUREMENTS.md). Reducing the written form to its first
(masculine) part gives the lemma every other occurrence of the word gets, which is what matching needs.
"""

from __future__ import annotations

import re

# Endings that inclusive writing appends after a separator; longest first so the regex prefers them.
ENDINGS = (
    "trices", "trice", "rices", "rice", "ices", "ice", "euses", "euse", "eresses", "eresse",
    "ères", "ère", "esses", "esse", "ales", "ale", "elles", "elle", "nes", "ne", "les", "le",
    "tes", "te", "ses", "se", "fes", "fe", "ques", "que", "es", "e", "s", "x",
)
# Separators used between the word and its feminine/plural ending.
SEPARATORS = "\u00b7\u22c5\u2022\u2027\u2219.\\-/"

_ending = "|".join(ENDINGS)
_INCLUSIVE = re.compile(
    rf"(?<![\w@/.])([^\W\d_]{{2,}})(?:[{SEPARATORS}](?:{_ending}))+(?![\w@]|[{SEPARATORS}][^\W\d_])",
)
# The dot and the hyphen also end sentences and join compounds: only treat them as inclusive
# separators when the ending is one of the forms that cannot be a word of its own there.
_AMBIGUOUS_SEPARATOR_ENDINGS = {"le", "les", "se", "ses", "ne", "nes", "te", "tes", "que", "ques", "x", "elle", "elles"}

# Base forms whose masculine is not the written stem (nombreu·ses -> nombreux).
_STEM_FIXES = {"tou": "tous"}


def _base(match: re.Match[str]) -> str:
    whole = match.group(0)
    stem = match.group(1)
    rest = whole[len(stem):]
    separator = rest[0]
    first_ending = re.split(f"[{SEPARATORS}]", rest[1:])[0]
    if separator in ".-" and first_ending in _AMBIGUOUS_SEPARATOR_ENDINGS and not _looks_inclusive(stem, rest):
        return whole
    if stem.endswith("eu") and first_ending in {"se", "ses"}:
        return stem + "x"
    return _STEM_FIXES.get(stem.lower(), stem)


def _looks_inclusive(stem: str, rest: str) -> bool:
    # "professionnel.les", "local.es", "public/ques", "principaux/les": the ending restates the stem's end.
    ending = re.split(f"[{SEPARATORS}]", rest[1:])[0]
    return ending[:1] == stem[-1:] or ending in {"les", "le"} and stem.endswith(("el", "aux", "eul"))


def reduce_inclusive(text: str) -> str:
    """Return ``text`` with inclusive forms reduced: ``chercheur.es`` -> ``chercheur``."""
    return _INCLUSIVE.sub(_base, text)

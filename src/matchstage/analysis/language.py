"""Tell a document's language from its function words, cheaply and without a model."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

from matchstage.paths import models_dir

ANALYSED = ("fr", "en")
_WORD = re.compile(r"[^\W\d_]+")
# Below this many function words the guess is not worth making.
_MIN_MARKERS = 8


@cache
def _markers(path: Path | None = None) -> dict[str, frozenset[str]]:
    data = tomllib.loads((path or models_dir() / "languages.toml").read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data["languages"].items()}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the most likely language, or ``"und"`` when the text is too short to tell."""
    counts = Counter(w.lower() for w in _WORD.findall(text[:20000]))
    scores = {lang: sum(counts[w] for w in words) for lang, words in _markers().items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= _MIN_MARKERS else "und"

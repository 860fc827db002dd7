"""One scale for every CV: how a CV written in another language than the offer is compared with it.

An English CV against a French offer is read into French words first (:mod:`matchstage.analysis.translation`):
its text score is a French one. Any other pair of languages (a Spanish CV, an English offer) shares no words, but
the taxonomy's concepts are the same in every language: a CV names them through their English labels (and
acronyms). Such a pair is therefore compared on the language-independent part of every channel, on both sides:
the text score on the concept terms alone (:meth:`~matchstage.ranking.text.TextSimilarity.fitted_similarities`
with ``only``), brought onto the scale of the same-language candidates' text scores by a fit over them (their full
score against their concept-only score). Whatever the language, a CV in another language than the offer's has its
facets measured on the concepts it can name (an English label, an acronym), and only those can be missing.
"""

from __future__ import annotations

import numpy as np

from matchstage.analysis.profiles import CONCEPT_TERM
from matchstage.analysis.taxonomy import Taxonomy
from matchstage.analysis.terms import HASH_DTYPE, lemma_hash

# Below this many same-language candidates with a concept score, the fit says nothing: the concept-only score is
# rescaled on its own (the run's closest CV gets 1).
MIN_FIT_CANDIDATES = 3


# Per taxonomy (by its version, a digest of its files): worked out once per process.
_FREE: dict[str, frozenset[str]] = {}
_HASHES: dict[str, np.ndarray] = {}


def language_free_concepts(taxonomy: Taxonomy) -> frozenset[str]:
    """The concepts a document in another language can name: those with an English label or an acronym, and the
    broader concepts of those (a concept found counts toward every broader one)."""
    found = _FREE.get(taxonomy.version)
    if found is None:
        named = {cid for cid, concept in taxonomy.concepts.items() if concept.en or concept.acronyms}
        found = _FREE[taxonomy.version] = frozenset(named | {up for cid in named for up in taxonomy.ancestors(cid)})
    return found


def concept_term_hashes(taxonomy: Taxonomy) -> np.ndarray:
    """The hashes of the language-independent concept terms, sorted (what a cross-language text score counts)."""
    found = _HASHES.get(taxonomy.version)
    if found is None:
        hashes = [lemma_hash(CONCEPT_TERM + cid) for cid in language_free_concepts(taxonomy)]
        found = _HASHES[taxonomy.version] = np.unique(np.array(hashes, dtype=HASH_DTYPE))
    return found


def on_text_scale(scaled: np.ndarray, concepts: np.ndarray, same_language: np.ndarray) -> np.ndarray:
    """Concept-only text scores brought onto the scale of the full ones (``scaled``: 1 for the run's closest CV).

    The mapping is a least-squares line through the same-language candidates' (concept-only, full) scores, which
    lie close to it (on the labelled sets, the median gap is 0.03 to 0.05); with too few of them, or a line that
    does not rise, the concept-only scores are rescaled so that the closest CV gets 1. A CV with no concept in
    common with the offer scores 0.
    """
    fit = same_language & (concepts > 0)
    if fit.sum() >= MIN_FIT_CANDIDATES and np.ptp(concepts[fit]) > 0:
        slope, intercept = np.polyfit(concepts[fit], scaled[fit], 1)
        if slope > 0:
            return np.where(concepts > 0, np.clip(intercept + slope * concepts, 0.0, 1.0), 0.0)
    top = float(concepts.max()) if concepts.size else 0.0
    return np.clip(concepts / top, 0.0, 1.0) if top > 0 else np.zeros_like(concepts)

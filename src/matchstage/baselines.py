"""Two baselines for ``matchstage evaluate``: TF-IDF on raw words, and Okapi BM25 on lemmas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


def _order(ids: Sequence[str], scores: np.ndarray) -> list[str]:
    return [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-float(scores[i]), ids[i]))]


def rank_tfidf_raw(offer_text: str, candidate_texts: Mapping[str, str]) -> list[str]:
    """Candidates by cosine of raw-word TF-IDF vectors (lower-cased, no lemmas, no stop words)."""
    ids = list(candidate_texts)
    if not ids:
        return []
    vectorizer = TfidfVectorizer(lowercase=True, strip_accents=None)
    matrix = vectorizer.fit_transform([offer_text, *candidate_texts.values()])
    return _order(ids, cosine_similarity(matrix[0], matrix[1:])[0])


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


class BM25:
    """Okapi BM25 over pre-tokenised documents, with sparse matrices (no per-document loop at query time)."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b

    def fit(self, docs: Sequence[Sequence[str]]) -> BM25:
        self.vectorizer_ = CountVectorizer(analyzer=_identity)
        counts = self.vectorizer_.fit_transform(docs).tocsc().astype(np.float64)
        n = counts.shape[0]
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        df = np.diff(counts.indptr)
        self.idf_ = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = self.k1 * (1 - self.b + self.b * lengths / max(lengths.mean(), 1e-9))
        weights = counts.tocoo()
        tf = weights.data
        weights.data = tf * (self.k1 + 1) / (tf + norm[weights.row]) * self.idf_[weights.col]
        self.weights_ = weights.tocsc()
        return self

    def score(self, query: Sequence[str]) -> np.ndarray:
        vocabulary = self.vectorizer_.vocabulary_
        columns = [vocabulary[t] for t in query if t in vocabulary]
        if not columns:
            return np.zeros(self.weights_.shape[0])
        return np.asarray(self.weights_[:, columns].sum(axis=1)).ravel()


def rank_bm25(offer_tokens: Sequence[str], candidate_tokens: Mapping[str, Sequence[str]]) -> list[str]:
    ids = list(candidate_tokens)
    if not ids:
        return []
    return _order(ids, BM25().fit(list(candidate_tokens.values())).score(list(offer_tokens)))

"""Two baselines for ``matchstage evaluate``: TF-IDF on raw words, and Okapi BM25 on pre-tokenised text.

Both rank candidates by decreasing score, ties broken by candidate id so that a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.utils.validation import check_is_fitted


def _order(ids: Sequence[str], scores: np.ndarray) -> list[str]:
    return [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-float(scores[i]), ids[i]))]


def rank_tfidf_raw(offer_text: str, candidate_texts: Mapping[str, str]) -> list[str]:
    """Candidates by cosine similarity of TF-IDF vectors over raw lower-cased words.

    scikit-learn's default token pattern, accents kept, no lemmas, no stop words: the naive system
    matchstage has to beat. IDF is learnt from the offer and the candidates of this run.
    """
    ids = list(candidate_texts)
    texts = [offer_text, *candidate_texts.values()]
    vectorizer = TfidfVectorizer(lowercase=True, strip_accents=None, stop_words=None)
    # Without a single word of two letters or more every score would be 0, and scikit-learn refuses to fit.
    analyze = vectorizer.build_analyzer()
    if not ids or not any(analyze(text) for text in texts):
        return sorted(ids)
    matrix = vectorizer.fit_transform(texts)
    return _order(ids, cosine_similarity(matrix[0], matrix[1:])[0])


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    # A named function rather than a lambda, so that a fitted BM25 can be pickled.
    return tokens


class BM25(BaseEstimator):  # for get_params, repr and check_is_fitted
    """Okapi BM25 over pre-tokenised documents.

    ``fit`` stores each (document, term) weight ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))``
    in a sparse matrix, with ``idf = log(1 + (N - df + 0.5) / (df + 0.5))`` (never negative, unlike the
    original). Scoring a query is then one sparse matrix-vector product: no Python loop over documents.
    """

    def __init__(self, *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b

    def fit(self, docs: Sequence[Sequence[str]]) -> BM25:
        """Learn vocabulary, IDF and per-document term weights from ``docs`` (lists of tokens)."""
        n = len(docs)
        if any(len(doc) for doc in docs):
            vectorizer = CountVectorizer(analyzer=_identity)
            counts = sp.csr_matrix(vectorizer.fit_transform(docs), dtype=np.float64)
            self.vocabulary_: dict[str, int] = dict(vectorizer.vocabulary_)
        else:
            counts = sp.csr_matrix((n, 0), dtype=np.float64)
            self.vocabulary_ = {}
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_: np.ndarray = np.log1p((n - df + 0.5) / (df + 0.5))
        self.avg_length_ = float(lengths.mean()) if n else 0.0
        # The floor only matters when every document is empty, and then there is no weight to normalise.
        norm = self.k1 * (1 - self.b + self.b * lengths / max(self.avg_length_, 1e-12))
        # One entry per stored (document, term) pair: its row is the document, its column the term.
        rows = np.repeat(np.arange(n), np.diff(counts.indptr))
        tf = counts.data
        weights = counts.copy()
        weights.data = self.idf_[counts.indices] * tf * (self.k1 + 1) / (tf + norm[rows])
        self.weights_: sp.csr_matrix = weights
        return self

    def score(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every fitted document for ``query``, in fitting order.

        A query term that occurs twice counts twice; terms never seen in fitting add nothing.
        """
        check_is_fitted(self, "weights_")
        columns = [self.vocabulary_[t] for t in query if t in self.vocabulary_]
        term_counts = np.bincount(np.asarray(columns, dtype=np.intp), minlength=len(self.vocabulary_))
        return np.asarray(self.weights_ @ term_counts.astype(np.float64)).ravel()


def rank_bm25(offer_tokens: Sequence[str], candidate_tokens: Mapping[str, Sequence[str]]) -> list[str]:
    """Candidates by BM25 score (default parameters) of their tokens for the offer's tokens."""
    ids = list(candidate_tokens)
    if not ids:
        return []
    return _order(ids, BM25().fit(list(candidate_tokens.values())).score(offer_tokens))

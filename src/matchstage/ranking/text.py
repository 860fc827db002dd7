"""Text similarity: TF-IDF over each document's lemmas and concept terms, and the cosine of an offer and a CV."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from matchstage.analysis.profiles import Profile
from matchstage.analysis.terms import HASH_DTYPE
from matchstage.ranking.lazy_imports import defer_scipy_stats


class BlobStore(Protocol):
    """Where fitted similarities are kept between runs (the cache)."""

    def get_blob(self, key: str) -> bytes | None: ...

    def put_blob(self, key: str, value: bytes) -> None: ...


class TextSimilarity:
    """Lemma TF-IDF and cosine similarity, fitted on the run's offers and candidates.

    A lemma's count is the sum of its section weights (a keyword list or a hobby counts less than a
    job), damped like ``sublinear_tf`` with ``log(1 + count)``; IDF and l2 normalisation are
    scikit-learn's ``TfidfTransformer``. The counts come from each profile's
    :class:`~matchstage.analysis.terms.TermCounts` (hashed lemmas), put into one CSR matrix with numpy: the
    columns are the run's distinct hashes (``vocabulary_``, sorted), not a hashing space, so IDF is
    the same as over the lemmas themselves. scikit-learn and SciPy are imported only here, when
    something is computed: a run whose similarities are in the cache does without them.
    """

    def __init__(self, *, smooth_idf: bool = True) -> None:
        self.smooth_idf = smooth_idf

    @staticmethod
    def preload() -> None:
        """Import scikit-learn and SciPy now (half a second or so), while the run waits for something else."""
        defer_scipy_stats()
        import scipy.sparse  # noqa: F401
        import sklearn.feature_extraction.text  # noqa: F401

    def fit(self, profiles: Sequence[Profile]) -> TextSimilarity:
        self.fit_transform(profiles)
        return self

    def fit_transform(self, profiles: Sequence[Profile]) -> Any:
        defer_scipy_stats()
        from sklearn.feature_extraction.text import TfidfTransformer

        counts, self.vocabulary_ = _count_matrix(profiles, None)
        # No lemma at all in the run: nothing to weigh, every similarity is 0.
        self.transformer_ = TfidfTransformer(smooth_idf=self.smooth_idf).fit(counts) if counts.shape[1] else None
        return self.transformer_.transform(counts) if self.transformer_ else counts

    def transform(self, profiles: Sequence[Profile]) -> Any:
        counts, _ = _count_matrix(profiles, self.vocabulary_)
        return self.transformer_.transform(counts) if self.transformer_ else counts

    def similarities(self, offers: Sequence[Profile], candidates: Sequence[Profile]) -> np.ndarray:
        """Matrix offers × candidates of cosine similarities."""
        if not candidates:
            return np.zeros((len(offers), 0))
        return _cosines(self.transform(offers), self.transform(candidates))

    @classmethod
    def fitted_similarities(cls, offers: Sequence[Profile], candidates: Sequence[Profile],
                            memo: BlobStore | None = None) -> np.ndarray:
        """Fit on offers and candidates together and return their similarities, vectorising each once.

        With ``memo``, the result is kept under a hash of every profile's term counts, and a run on the
        same documents (again, or with other weights) reads it back instead of fitting again. The key
        also holds this module's code and scikit-learn's version: a change to either fits again.
        """
        if not candidates:
            return np.zeros((len(offers), 0))
        key = _memo_key(offers, candidates) if memo is not None else ""
        if memo is not None:
            stored = memo.get_blob(key)
            if stored is not None and len(stored) == 8 * len(offers) * len(candidates):
                return np.frombuffer(stored, dtype="<f8").reshape(len(offers), len(candidates))
        matrix = cls().fit_transform([*offers, *candidates])
        result = _cosines(matrix[: len(offers)], matrix[len(offers):])
        if memo is not None:
            memo.put_blob(key, result.astype("<f8").tobytes())
        return result


def _count_matrix(profiles: Sequence[Profile], vocabulary: np.ndarray | None) -> tuple[Any, np.ndarray]:
    """The profiles' damped counts as a CSR matrix profiles × vocabulary, and the vocabulary (sorted hashes).

    Without a vocabulary, it is every hash with a positive count; with one, hashes outside it are dropped.
    """
    import scipy.sparse as sp

    terms = [p.term_counts for p in profiles]
    lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    hashes = np.concatenate([t.hashes for t in terms]) if terms else np.zeros(0, dtype=HASH_DTYPE)
    counts = np.concatenate([t.counts for t in terms]) if terms else np.zeros(0)
    rows = np.repeat(np.arange(len(terms)), lengths)
    keep = counts > 0
    if vocabulary is None:
        vocabulary, columns = np.unique(hashes[keep], return_inverse=True)
    else:
        columns = np.searchsorted(vocabulary, hashes)
        keep &= columns < vocabulary.size
        keep[keep] = vocabulary[columns[keep]] == hashes[keep]
        columns = columns[keep]
    # COO to CSR sums repeated (row, column) pairs; the damping comes after the sum, as over a dict of counts.
    matrix = sp.coo_matrix((counts[keep], (rows[keep], columns)), shape=(len(terms), vocabulary.size)).tocsr()
    matrix.data = np.log1p(matrix.data)
    return matrix, vocabulary


def _cosines(a: Any, b: Any) -> np.ndarray:
    """Cosines of the rows of two l2-normalised sparse matrices (TfidfTransformer's output): their dot products."""
    return np.asarray((a @ b.T).toarray(), dtype=float)


def _memo_key(offers: Sequence[Profile], candidates: Sequence[Profile]) -> str:
    digest = hashlib.sha256(f"{_code_version()} {len(offers)} {len(candidates)}".encode())
    for profile in (*offers, *candidates):
        terms = profile.term_counts
        digest.update(len(terms).to_bytes(8, "little"))
        digest.update(terms.hashes.data)
        digest.update(terms.counts.data)
    return "similarities:" + digest.hexdigest()


@cache
def _code_version() -> str:
    """This module's source and scikit-learn's version: what the similarities computed here depend on."""
    from importlib import metadata

    try:
        sklearn = metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        sklearn = "absent"
    return hashlib.sha256(Path(__file__).read_bytes() + sklearn.encode()).hexdigest()

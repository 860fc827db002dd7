"""Text similarity: TF-IDF over each document's lemmas and concept terms, and the cosine of an offer and a CV."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from matchstage.analysis.profiles import Profile
from matchstage.analysis.terms import HASH_DTYPE
from matchstage.paths import models_dir
from matchstage.ranking.lazy_imports import defer_scipy_stats


@dataclass(frozen=True)
class TextWeighting:
    """How a document's term counts become the weights the text score compares (``[weighting]`` in
    ``models/text.toml``). The defaults are the plain TF-IDF cosine: ``log(1 + count)``, IDF over the run.

    ``saturation`` (BM25's k1; 0 keeps ``log(1 + count)``): a count becomes ``count (k1 + 1) / (count + k1 L)``,
    which approaches k1 + 1 however often a word is repeated, with ``L = 1 - b + b length / mean length``
    (``length_norm`` is b; a document's length is the sum of its counts). ``idf_candidates``: IDF learnt from
    the candidates alone rather than the offers and candidates together. ``bm25_blend``: this share of the
    score is an Okapi BM25 score of the offer's terms against the CV (k1 ``bm25_k1``, b ``bm25_b``, IDF over
    the candidates), brought onto the cosine's scale per offer (its best candidate level with the best cosine).
    ``norm_power``: a CV's vector is divided by its norm to this power rather than by its norm (1, the cosine):
    below 1, a longer CV that covers more of the offer is penalised less for its length (pivoted normalisation);
    the scores are then brought onto the cosine's scale per offer too.
    """

    saturation: float = 0.0
    length_norm: float = 0.0
    idf_candidates: bool = False
    bm25_blend: float = 0.0
    bm25_k1: float = 1.5
    bm25_b: float = 0.75
    norm_power: float = 1.0

    @classmethod
    @cache
    def load(cls) -> TextWeighting:
        data = tomllib.loads((models_dir() / "text.toml").read_text(encoding="utf-8")).get("weighting", {})
        default = cls()
        return cls(float(data.get("saturation", default.saturation)),
                   float(data.get("length_norm", default.length_norm)),
                   bool(data.get("idf_candidates", default.idf_candidates)),
                   float(data.get("bm25_blend", default.bm25_blend)),
                   float(data.get("bm25_k1", default.bm25_k1)),
                   float(data.get("bm25_b", default.bm25_b)),
                   float(data.get("norm_power", default.norm_power)))


class BlobStore(Protocol):
    """Where fitted similarities are kept between runs (the cache)."""

    def get_blob(self, key: str) -> bytes | None: ...

    def put_blob(self, key: str, value: bytes) -> None: ...


class TextSimilarity:
    """Lemma TF-IDF and cosine similarity, fitted on the run's offers and candidates.

    A lemma's count is the sum of its section weights (a keyword list or a hobby counts less than a
    job), damped like ``sublinear_tf`` with ``log(1 + count)`` or saturated as in BM25 (:class:`TextWeighting`);
    IDF and l2 normalisation are scikit-learn's ``TfidfTransformer``. The counts come from each profile's
    :class:`~matchstage.analysis.terms.TermCounts` (hashed lemmas), put into one CSR matrix with numpy: the
    columns are the run's distinct hashes (``vocabulary_``, sorted), not a hashing space, so IDF is
    the same as over the lemmas themselves. scikit-learn and SciPy are imported only here, when
    something is computed: a run whose similarities are in the cache does without them.
    """

    def __init__(self, *, smooth_idf: bool = True, only: np.ndarray | None = None,
                 weighting: TextWeighting | None = None) -> None:
        self.smooth_idf = smooth_idf
        self.only = only
        self.weighting = weighting or TextWeighting()

    @staticmethod
    def preload() -> None:
        """Import scikit-learn and SciPy now (half a second or so), while the run waits for something else."""
        defer_scipy_stats()
        import scipy.sparse  # noqa: F401
        import sklearn.feature_extraction.text  # noqa: F401

    def fit(self, profiles: Sequence[Profile]) -> TextSimilarity:
        self.fit_transform(profiles)
        return self

    def fit_transform(self, profiles: Sequence[Profile], idf_rows: slice = slice(None)) -> Any:
        """Fit on ``profiles`` (IDF on the rows ``idf_rows`` of them) and return their weights."""
        defer_scipy_stats()
        from sklearn.feature_extraction.text import TfidfTransformer

        raw, self.vocabulary_ = _count_matrix(profiles, None, self.only)
        # Kept only for a share of BM25, which reads the counts themselves.
        self.raw_counts_ = raw.copy() if self.weighting.bm25_blend > 0 else None
        lengths = _lengths(raw) if self.weighting.saturation > 0 else np.zeros(0)
        self.mean_length_ = float(lengths.mean()) if lengths.size else 0.0
        counts = self._damped(raw, lengths)
        # No lemma at all in the run: nothing to weigh, every similarity is 0.
        fitted = counts[idf_rows]
        self.transformer_ = (TfidfTransformer(smooth_idf=self.smooth_idf).fit(fitted)
                             if counts.shape[1] and fitted.shape[0] else None)
        if self.transformer_ is not None and self.weighting.norm_power != 1:
            self.unnormalised_ = counts.multiply(self.transformer_.idf_).tocsr()
        return self.transformer_.transform(counts) if self.transformer_ else counts

    def transform(self, profiles: Sequence[Profile]) -> Any:
        raw, _ = _count_matrix(profiles, self.vocabulary_, self.only)
        counts = self._damped(raw, _lengths(raw) if self.weighting.saturation > 0 else np.zeros(0))
        return self.transformer_.transform(counts) if self.transformer_ else counts

    def _damped(self, counts: Any, lengths: np.ndarray) -> Any:
        """The counts as the cosine weighs them, in place: ``log(1 + count)``, or saturated (see
        :class:`TextWeighting`; ``lengths``: each row's, read only then)."""
        k1, b = self.weighting.saturation, self.weighting.length_norm
        if k1 <= 0:
            counts.data = np.log1p(counts.data)
            return counts
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norm = k1 * (1 - b + b * lengths / max(self.mean_length_, 1e-12))
        counts.data = counts.data * (k1 + 1) / (counts.data + norm[rows])
        return counts

    def similarities(self, offers: Sequence[Profile], candidates: Sequence[Profile]) -> np.ndarray:
        """Matrix offers × candidates of cosine similarities."""
        if not candidates:
            return np.zeros((len(offers), 0))
        return _cosines(self.transform(offers), self.transform(candidates))

    @classmethod
    def fitted_similarities(cls, offers: Sequence[Profile], candidates: Sequence[Profile],
                            memo: BlobStore | None = None, only: np.ndarray | None = None,
                            weighting: TextWeighting | None = None) -> np.ndarray:
        """Fit on offers and candidates together and return their similarities, vectorising each once.

        With ``memo``, the result is kept under a hash of every profile's term counts, and a run on the
        same documents (again, or with other weights) reads it back instead of fitting again. The key
        also holds this module's code and scikit-learn's version: a change to either fits again. With ``only``
        (sorted term hashes), every other term is left out, IDF included: the language-independent concept terms
        of :mod:`matchstage.ranking.crosslingual`. ``weighting``: how counts become weights (by default
        ``models/text.toml``'s); the key holds it too.
        """
        if not candidates:
            return np.zeros((len(offers), 0))
        weighting = weighting or TextWeighting.load()
        key = _memo_key(offers, candidates, only, weighting) if memo is not None else ""
        if memo is not None:
            stored = memo.get_blob(key)
            if stored is not None and len(stored) == 8 * len(offers) * len(candidates):
                return np.frombuffer(stored, dtype="<f8").reshape(len(offers), len(candidates))
        similarity = cls(only=only, weighting=weighting)
        n = len(offers)
        matrix = similarity.fit_transform([*offers, *candidates],
                                          slice(n, None) if weighting.idf_candidates else slice(None))
        result = _cosines(matrix[:n], matrix[n:])
        if weighting.norm_power != 1 and similarity.transformer_ is not None:
            result = _on_scale(_pivoted(similarity.unnormalised_[:n], similarity.unnormalised_[n:],
                                        weighting.norm_power), result)
        if weighting.bm25_blend > 0 and similarity.raw_counts_ is not None:
            bm25 = _bm25(similarity.raw_counts_[:n], similarity.raw_counts_[n:], weighting.bm25_k1, weighting.bm25_b)
            result = (1 - weighting.bm25_blend) * result + weighting.bm25_blend * _on_scale(bm25, result)
        if memo is not None:
            memo.put_blob(key, result.astype("<f8").tobytes())
        return result


def _count_matrix(profiles: Sequence[Profile], vocabulary: np.ndarray | None,
                  only: np.ndarray | None = None) -> tuple[Any, np.ndarray]:
    """The profiles' damped counts as a CSR matrix profiles × vocabulary, and the vocabulary (sorted hashes).

    Without a vocabulary, it is every hash with a positive count; with one, hashes outside it are dropped; with
    ``only``, hashes outside ``only`` too.
    """
    import scipy.sparse as sp

    terms = [p.term_counts for p in profiles]
    lengths = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    hashes = np.concatenate([t.hashes for t in terms]) if terms else np.zeros(0, dtype=HASH_DTYPE)
    counts = np.concatenate([t.counts for t in terms]) if terms else np.zeros(0)
    rows = np.repeat(np.arange(len(terms)), lengths)
    keep = counts > 0
    if only is not None:
        keep &= np.isin(hashes, only, assume_unique=False)
    if vocabulary is None:
        vocabulary, columns = np.unique(hashes[keep], return_inverse=True)
    else:
        columns = np.searchsorted(vocabulary, hashes)
        keep &= columns < vocabulary.size
        keep[keep] = vocabulary[columns[keep]] == hashes[keep]
        columns = columns[keep]
    # COO to CSR sums repeated (row, column) pairs; the damping comes after the sum, as over a dict of counts.
    matrix = sp.coo_matrix((counts[keep], (rows[keep], columns)), shape=(len(terms), vocabulary.size)).tocsr()
    return matrix, vocabulary


def _pivoted(queries: Any, documents: Any, power: float) -> np.ndarray:
    """Dot products of the l2-normalised queries with the documents divided by their norm to ``power``."""
    q = np.sqrt(np.asarray(queries.multiply(queries).sum(axis=1), dtype=float)).ravel()
    d = np.sqrt(np.asarray(documents.multiply(documents).sum(axis=1), dtype=float)).ravel()
    dots = np.asarray((queries @ documents.T).toarray(), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(dots / np.maximum(q, 1e-12)[:, None] / np.maximum(d, 1e-12)[None, :] ** power)


def _on_scale(scores: np.ndarray, cosines: np.ndarray) -> np.ndarray:
    """``scores`` rescaled per offer (row) so that its best candidate is level with the best cosine."""
    top = scores.max(axis=1, keepdims=True)
    return np.divide(scores, top, out=np.zeros_like(scores), where=top > 0) * cosines.max(axis=1, keepdims=True)


def _lengths(counts: Any) -> np.ndarray:
    """Each row's length: the sum of its (weighted) counts."""
    return np.asarray(counts.sum(axis=1), dtype=float).ravel()


def _bm25(queries: Any, documents: Any, k1: float, b: float) -> np.ndarray:
    """Queries × documents: Okapi BM25 of each query's terms (its counts as query weights) in each document,
    with the IDF ``log(1 + (N - df + 0.5) / (df + 0.5))`` over the documents, as the BM25 baseline."""
    n = documents.shape[0]
    lengths = _lengths(documents)
    mean = float(lengths.mean()) if n else 0.0
    df = np.bincount(documents.indices, minlength=documents.shape[1])
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    rows = np.repeat(np.arange(n), np.diff(documents.indptr))
    weights = documents.copy()
    tf = weights.data
    weights.data = idf[weights.indices] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[rows] / max(mean, 1e-12)))
    return np.asarray((queries @ weights.T).toarray(), dtype=float)


def _cosines(a: Any, b: Any) -> np.ndarray:
    """Cosines of the rows of two l2-normalised sparse matrices (TfidfTransformer's output): their dot products."""
    return np.asarray((a @ b.T).toarray(), dtype=float)


def _memo_key(offers: Sequence[Profile], candidates: Sequence[Profile], only: np.ndarray | None = None,
              weighting: TextWeighting | None = None) -> str:
    digest = hashlib.sha256(f"{_code_version()} {len(offers)} {len(candidates)} "
                            f"{astuple(weighting or TextWeighting())}".encode())
    if only is not None:
        digest.update(b"only")
        digest.update(np.ascontiguousarray(only).data)
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

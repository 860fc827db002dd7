"""What the text score counts in a document, as two compact arrays: its distinct lemmas, each hashed to
64 bits, and their weighted counts (the sum of the section weights of each occurrence).

Thousands of documents then become one sparse matrix with a few numpy calls instead of a Python loop
over every lemma (see :class:`matchstage.ranking.scoring.TextSimilarity`), and the cache stores the arrays as
raw bytes that decode without parsing. 64-bit hashes (BLAKE2b) make two different lemmas of a run
share a column with a probability of about n² / 2⁶⁵: below one in a billion for 100,000 distinct
lemmas, where a 32-bit hash à la ``HashingVectorizer`` would already merge a few.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HASH_DTYPE = np.dtype("<u8")
COUNT_DTYPE = np.dtype("<f8")
# Lemmas repeat across documents: each is hashed once per process (a few hundred thousand at most).
_HASHES: dict[str, int] = {}


def lemma_hash(lemma: str) -> int:
    """A stable 64-bit hash of a lemma (the same in every process and on every machine)."""
    value = _HASHES.get(lemma)
    if value is None:
        value = _HASHES[lemma] = int.from_bytes(hashlib.blake2b(lemma.encode(), digest_size=8).digest(), "little")
    return value


@dataclass(frozen=True, eq=False)
class TermCounts:
    """The distinct lemmas of a document (hashed) and how much each counts, in first-seen order."""

    hashes: np.ndarray  # HASH_DTYPE
    counts: np.ndarray  # COUNT_DTYPE

    @classmethod
    def concatenated(cls, parts: Sequence[TermCounts]) -> TermCounts:
        """Several documents' counts as one (a term in two of them appears twice: the count matrix sums them)."""
        return cls(np.concatenate([p.hashes for p in parts]) if parts else np.zeros(0, dtype=HASH_DTYPE),
                   np.concatenate([p.counts for p in parts]) if parts else np.zeros(0, dtype=COUNT_DTYPE))

    @classmethod
    def from_lemmas(cls, lemmas: Sequence[str], weights: Sequence[float]) -> TermCounts:
        """Sum each lemma's weights, in the order they come (the same float sums as a dict would make)."""
        counts: dict[str, float] = {}
        for lemma, weight in zip(lemmas, weights):
            counts[lemma] = counts.get(lemma, 0.0) + weight
        hashes = np.fromiter(map(lemma_hash, counts), dtype=HASH_DTYPE, count=len(counts))
        return cls(hashes, np.fromiter(counts.values(), dtype=COUNT_DTYPE, count=len(counts)))

    def __len__(self) -> int:
        return int(self.hashes.size)

    def to_bytes(self) -> bytes:
        return self.hashes.astype(HASH_DTYPE, copy=False).tobytes() + self.counts.astype(COUNT_DTYPE,
                                                                                           copy=False).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> TermCounts:
        """The arrays read in place from ``data`` (no copy; read-only)."""
        n = len(data) // (HASH_DTYPE.itemsize + COUNT_DTYPE.itemsize)
        return cls(np.frombuffer(data, HASH_DTYPE, n), np.frombuffer(data, COUNT_DTYPE, n, n * HASH_DTYPE.itemsize))

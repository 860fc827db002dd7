"""The concept taxonomy: three facets read from TOML files a project officer can edit.

See ``models/taxonomy/README.md`` for the format.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import re
import tomllib
import unicodedata
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Protocol

from matchstage.analysis.pipeline import collection_paused
from matchstage.i18n import N_, _
from matchstage.paths import models_dir


class Facet(enum.StrEnum):
    """The three facets a candidate is scored on; the value is the key in JSON and CSV."""

    SKILLS = "skills"
    DISCIPLINES = "disciplines"
    METHODS = "methods"


# How messages name each facet (lower case, in English; translated where shown).
FACET_NAMES = {Facet.SKILLS: N_("skills"), Facet.DISCIPLINES: N_("disciplines"), Facet.METHODS: N_("methods")}


class TaxonomyError(Exception):
    """A taxonomy folder that cannot be used, with the file and the reason."""


# Where a concept's words come from (README, "Attribution").
SOURCES = ("curated", "ESCO", "ROME")
# The folder of a taxonomy that holds the concepts generated from ESCO and ROME (models/taxonomy/README.md),
# and how their ids start (and curated ids do not): tests and reports tell them apart by it.
IMPORTED_DIR = "imported"
IMPORTED_PREFIXES = ("esco-", "rome-")
_FIELDS = frozenset({"label", "terms", "acronyms", "en", "broader", "source"})
_CONCEPT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]\s]+)\s*\]", re.MULTILINE)
# The analyser reads a run of 6 capitals or more as shouting and lower-cases it (analysis._MAX_ACRONYM_LEN),
# and splits words at hyphens: such an acronym could never match the written word.
_SHOUTING = re.compile(r"[A-ZÀ-ÖØ-Þ]{6,}")
_NOT_ONE_WORD = re.compile(r"[\s\-‐‑]")
# Hyphens (read as spaces) and the combining marks of decomposed accented letters (dropped): _term_key.
_HYPHEN_OR_MARK = re.compile("[-‐‑\u0300-\u036f]")


@dataclass(frozen=True)
class Concept:
    id: str
    facet: Facet
    label: str
    terms: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    source: tuple[str, ...] = ()

    @property
    def imported(self) -> bool:
        """Generated from ESCO or ROME by scripts/import_taxonomies.py rather than curated."""
        return self.id.startswith(IMPORTED_PREFIXES)


def default_taxonomy_dir() -> Path:
    return models_dir() / "taxonomy"


@dataclass(frozen=True)
class Taxonomy:
    concepts: dict[str, Concept]
    version: str

    def __len__(self) -> int:
        return len(self.concepts)

    def __getitem__(self, concept_id: str) -> Concept:
        return self.concepts[concept_id]

    @cached_property
    def _ancestors(self) -> dict[str, dict[str, int]]:
        return {cid: self._walk_up(cid) for cid in self.concepts}

    def _walk_up(self, cid: str) -> dict[str, int]:
        depths: dict[str, int] = {}
        queue = deque((parent, 1) for parent in self.concepts[cid].broader)
        while queue:
            parent, depth = queue.popleft()
            if parent in depths or parent == cid or parent not in self.concepts:
                continue
            depths[parent] = depth
            queue.extend((grand, depth + 1) for grand in self.concepts[parent].broader)
        return depths

    @cached_property
    def _descendants(self) -> dict[str, dict[str, int]]:
        down: dict[str, dict[str, int]] = {cid: {} for cid in self.concepts}
        for cid, up in self._ancestors.items():
            for broader, distance in up.items():
                down[broader][cid] = distance
        return down

    def descendants(self, concept_id: str) -> dict[str, int]:
        """Narrower concepts of ``concept_id`` with their distance (1 = direct child)."""
        return self._descendants.get(concept_id, {})

    def ancestors(self, concept_id: str) -> dict[str, int]:
        """Broader concepts of ``concept_id`` with their distance (1 = direct parent)."""
        return self._ancestors[concept_id]

    def is_under(self, concept_id: str, root: str) -> bool:
        return concept_id == root or root in self._ancestors.get(concept_id, {})


class ArtefactStore(Protocol):
    """Where a taxonomy already read and checked is kept between runs (the cache)."""

    def get_artefact(self, key: str) -> Any | None: ...

    def put_artefact(self, key: str, value: Any) -> None: ...


@collection_paused()  # tens of thousands of long-lived objects made at once: no collection walks them meanwhile
def load_taxonomy(directory: Path | None = None, memo: ArtefactStore | None = None) -> Taxonomy:
    """Read ``disciplines.toml``, ``methods.toml`` and ``skills.toml`` from ``directory``, then the same files
    in its ``imported/`` folder where there are any (concepts generated from ESCO and ROME; their broader
    concepts may be curated ones of the same facet).

    Raises :class:`TaxonomyError`, naming the file and the concept, for anything that would make a
    concept silently unmatchable or the hierarchy meaningless (see ``models/taxonomy/README.md``).
    With ``memo``, the concepts of files read and checked before (the same bytes, the same code) are
    read back from it instead of parsed and checked again.
    """
    directory = directory or default_taxonomy_dir()
    raws: list[tuple[Facet, Path, bytes]] = []
    digest = hashlib.sha256()
    for facet in Facet:
        path = directory / f"{facet.value}.toml"
        if not path.is_file():
            raise TaxonomyError(
                _("{path}: missing (a taxonomy folder holds disciplines.toml, methods.toml, skills.toml)").format(
                    path=path)
            )
        raws.append((facet, path, path.read_bytes()))
    # Concepts generated from ESCO and ROME (scripts/import_taxonomies.py), after the curated ones: optional.
    for facet in Facet:
        path = directory / IMPORTED_DIR / f"{facet.value}.json"
        if path.is_file():
            raws.append((facet, path, path.read_bytes()))
    for _facet, path, raw in raws:
        digest.update(f"{path.relative_to(directory)}\0".encode())
        digest.update(raw)
    version = digest.hexdigest()[:16]
    key = f"taxonomy:{digest.hexdigest()}:{_code_version()}"
    stored = memo.get_artefact(key) if memo is not None else None
    if stored is not None:
        return Taxonomy({row[0]: _stored_concept(row) for row in stored}, version)
    concepts: dict[str, Concept] = {}
    files: dict[str, Path] = {}
    for facet, path, raw in raws:
        for cid, table in _read_tables(path, raw).items():
            if cid in concepts:
                raise TaxonomyError(f"{path}: concept id {cid!r} is defined twice (also in {files[cid].name})")
            if cid.startswith(IMPORTED_PREFIXES) != (path.parent.name == IMPORTED_DIR and path.parent != directory):
                raise TaxonomyError(f"{path}: concept id {cid!r}: ids starting with {' or '.join(IMPORTED_PREFIXES)} "
                                    f"are those of the {IMPORTED_DIR}/ folder, and only those")
            concepts[cid] = _concept(path, cid, facet, table)
            files[cid] = path
    _check_hierarchy(concepts, files)
    _check_terms(concepts, files)
    if memo is not None:
        memo.put_artefact(key, [dataclasses.astuple(c) for c in concepts.values()])
    return Taxonomy(concepts, version)


def _stored_concept(row: list[Any]) -> Concept:
    """A concept back from :func:`dataclasses.astuple` through JSON: its fields in order, lists as tuples."""
    cid, facet, label, *lists = row
    return Concept(cid, Facet(facet), label, *map(tuple, lists))


@cache
def _code_version() -> str:
    """This module's source: a change to how a taxonomy is read or checked reads every taxonomy again."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _read_tables(path: Path, raw: bytes) -> dict[str, dict[str, object]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path}: not UTF-8 ({exc})") from exc
    if path.suffix == ".json":  # generated (imported/): one object, a concept id -> its table
        try:
            tables = json.loads(text, object_pairs_hook=_no_twice(path))
        except ValueError as exc:
            raise TaxonomyError(f"{path}: not valid JSON ({exc})") from exc
        if not isinstance(tables, dict):
            raise TaxonomyError(f"{path}: not a JSON object of concepts")
        return _tables(path, tables)
    # tomllib's own message for a table declared twice is cryptic; say it in the taxonomy's terms.
    headers = Counter(_TABLE_HEADER.findall(text))
    twice = sorted(h for h, n in headers.items() if n > 1)
    if twice:
        raise TaxonomyError(f"{path}: concept id {twice[0]!r} is defined twice")
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML ({exc})") from exc
    return _tables(path, tables)


def _no_twice(path: Path) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        table = dict(pairs)
        if len(table) < len(pairs):
            twice = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
            raise TaxonomyError(f"{path}: {twice[0]!r} is defined twice")
        return table
    return pairs_to_dict


def _tables(path: Path, tables: dict[str, Any]) -> dict[str, dict[str, object]]:
    for cid, table in tables.items():
        if not isinstance(table, dict):
            raise TaxonomyError(f"{path}: {cid!r} is not a concept table (write it under a [concept-id] header)")
    return tables


def _strings(path: Path, cid: str, table: dict[str, object], key: str) -> tuple[str, ...]:
    value = table.get(key, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{path}: concept {cid!r}: {key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _concept(path: Path, cid: str, facet: Facet, table: dict[str, object]) -> Concept:
    if not _CONCEPT_ID.match(cid):
        raise TaxonomyError(f"{path}: concept id {cid!r}: use lowercase ascii letters and digits joined by '-'")
    unknown = sorted(table.keys() - _FIELDS)
    if unknown:
        raise TaxonomyError(f"{path}: concept {cid!r}: unknown field {unknown[0]!r} "
                            f"(fields: {', '.join(sorted(_FIELDS))})")
    label = table.get("label")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{path}: concept {cid!r}: label must be a non-empty string")
    acronyms = _strings(path, cid, table, "acronyms")
    for acronym in acronyms:
        if _NOT_ONE_WORD.search(acronym) or _SHOUTING.search(acronym) or acronym == acronym.lower():
            raise TaxonomyError(
                f"{path}: concept {cid!r}: acronym {acronym!r} cannot match the written word: an acronym is one "
                "word with capitals, at most 5 in a row (write other forms in terms)")
    sources = _strings(path, cid, table, "source")
    bad = [s for s in sources if s not in SOURCES]
    if bad:
        raise TaxonomyError(f"{path}: concept {cid!r}: source {bad[0]!r} is not one of {', '.join(SOURCES)}")
    return Concept(
        id=cid,
        facet=facet,
        label=label.strip(),
        terms=_strings(path, cid, table, "terms"),
        acronyms=acronyms,
        en=_strings(path, cid, table, "en"),
        broader=_strings(path, cid, table, "broader"),
        source=sources,
    )


def _check_hierarchy(concepts: dict[str, Concept], files: dict[str, Path]) -> None:
    narrower: set[str] = set()
    for concept in concepts.values():
        where = f"{files[concept.id]}: concept {concept.id!r}"
        for parent in concept.broader:
            if parent == concept.id:
                raise TaxonomyError(f"{where}: broader names the concept itself")
            if parent not in concepts:
                raise TaxonomyError(f"{where}: broader {parent!r} is not a concept of this taxonomy")
            if concepts[parent].facet is not concept.facet:
                raise TaxonomyError(f"{where}: broader {parent!r} is in {files[parent].name}; "
                                    "a broader concept must be in the same file")
            narrower.add(parent)
    for concept in concepts.values():
        if not (concept.terms or concept.acronyms or concept.en or concept.id in narrower):
            raise TaxonomyError(f"{files[concept.id]}: concept {concept.id!r} has no term, acronym or English "
                                "label and no narrower concept: nothing can ever match it")
    cycle = _find_cycle(concepts)
    if cycle:
        raise TaxonomyError(f"{files[cycle[0]]}: concept {cycle[0]!r}: broader concepts form a cycle "
                            f"({' -> '.join(cycle)})")


def _find_cycle(concepts: dict[str, Concept]) -> list[str]:
    """One cycle of the broader relation as a path that ends where it starts, or []."""
    done: set[str] = set()
    for start in concepts:
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            cid, i = stack.pop()
            if i == 0:
                path.append(cid)
                on_path.add(cid)
            parents = concepts[cid].broader
            if i < len(parents):
                stack.append((cid, i + 1))
                parent = parents[i]
                if parent in on_path:
                    return path[path.index(parent):] + [parent]
                if parent not in done:
                    stack.append((parent, 0))
            else:
                done.add(cid)
                on_path.discard(cid)
                path.pop()
    return []


def _check_terms(concepts: dict[str, Concept], files: dict[str, Path]) -> None:
    """A term (folded, hyphens as spaces) or an acronym belongs to one concept only."""
    owners: dict[str, str] = {}
    for concept in concepts.values():
        written = {_term_key(t): t for t in (*concept.terms, *concept.en)}
        written.update({f"acronym:{a}": a for a in concept.acronyms})
        for key, term in written.items():
            other = owners.setdefault(key, concept.id)
            if other != concept.id:
                raise TaxonomyError(f"{files[concept.id]}: concept {concept.id!r}: {term!r} already belongs to "
                                    f"concept {other!r} ({files[other].name}); a term names one concept")


def _term_key(term: str) -> str:
    decomposed = unicodedata.normalize("NFD", term.lower().replace("’", "'"))
    return " ".join(_HYPHEN_OR_MARK.sub(lambda m: "" if "\u0300" <= m.group() <= "\u036f" else " ", decomposed).split())

"""The concept taxonomy: three facets read from TOML files a project officer can edit.

See ``models/taxonomy/README.md`` for the format.
"""

from __future__ import annotations

import enum
import hashlib
from collections import deque
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import tomllib

from matchstage.i18n import N_, _
from matchstage.paths import models_dir


class Facet(str, enum.Enum):
    """The three facets a candidate is scored on; the value is the key in JSON and CSV."""

    SKILLS = "skills"
    DISCIPLINES = "disciplines"
    METHODS = "methods"


# How messages name each facet (lower case, in English; translated where shown).
FACET_NAMES = {Facet.SKILLS: N_("skills"), Facet.DISCIPLINES: N_("disciplines"), Facet.METHODS: N_("methods")}


class TaxonomyError(Exception):
    """A taxonomy folder that cannot be used, with the file and the reason."""


@dataclass(frozen=True)
class Concept:
    id: str
    facet: Facet
    label: str
    terms: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


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

    def ancestors(self, concept_id: str) -> dict[str, int]:
        """Broader concepts of ``concept_id`` with their distance (1 = direct parent)."""
        return self._ancestors[concept_id]

    def is_under(self, concept_id: str, root: str) -> bool:
        return concept_id == root or root in self._ancestors.get(concept_id, {})


def load_taxonomy(directory: Path | None = None) -> Taxonomy:
    """Read ``disciplines.toml``, ``methods.toml`` and ``skills.toml`` from ``directory``."""
    directory = directory or default_taxonomy_dir()
    concepts: dict[str, Concept] = {}
    digest = hashlib.sha256()
    for facet in Facet:
        path = directory / f"{facet.value}.toml"
        if not path.is_file():
            raise TaxonomyError(
                _("{path}: missing (a taxonomy folder holds disciplines.toml, methods.toml, skills.toml)").format(
                    path=path)
            )
        raw = path.read_bytes()
        digest.update(raw)
        try:
            tables = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise TaxonomyError(_("{path}: not valid TOML ({error})").format(path=path, error=exc)) from exc
        for cid, table in tables.items():
            if not isinstance(table, dict):
                continue
            if cid in concepts:
                raise TaxonomyError(_("{path}: concept id {id!r} is defined twice").format(path=path, id=cid))
            broader = table.get("broader", ())
            concepts[cid] = Concept(
                id=cid,
                facet=facet,
                label=str(table.get("label", cid)),
                terms=tuple(table.get("terms", ())),
                acronyms=tuple(table.get("acronyms", ())),
                en=tuple(table.get("en", ())),
                broader=(broader,) if isinstance(broader, str) else tuple(broader),
            )
    return Taxonomy(concepts, digest.hexdigest()[:16])

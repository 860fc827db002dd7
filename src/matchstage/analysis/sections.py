"""Cut a CV or an offer into its sections (Formation, Expériences, Profil recherché, ...).

The headings and what each section weighs are data: ``models/sections.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from matchstage.analysis.lemmas import fold
from matchstage.paths import models_dir

Side = Literal["cv", "offer"]

_DECORATION = re.compile(r"^[\s#*_>•·▪■●◆►–—\-=|]+|[\s#*_|=]+$")
_NUMBERING = re.compile(r"^(?:\d{1,2}|[ivx]{1,4})[.)]\s+", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)|\d{4}\s*[-–]\s*\d{2,4}|\d{4}")
_MAX_HEADING_WORDS = 6
# A list item ("– Mémoire : « Tenir le soin »", "• Outils : QGIS") is not a heading, even with a colon.
_BULLET = re.compile(r"^[-–—•·▪■●◆►*\x7f]\s")


@dataclass(frozen=True)
class SectionSpec:
    name: str
    weight: float
    required: bool = False
    scored: bool = True
    headings: tuple[str, ...] = ()
    # An offer's section of what would be a plus ("Apprécié :"): what it names is asked for, not required.
    appreciated: bool = False


@dataclass(frozen=True)
class SectionRules:
    cv: tuple[SectionSpec, ...]
    offer: tuple[SectionSpec, ...]
    appreciated_markers: tuple[str, ...]
    appreciated_factor: float
    apply_markers: tuple[re.Pattern[str], ...] = ()
    end_markers: tuple[str, ...] = ()

    def specs(self, side: Side) -> tuple[SectionSpec, ...]:
        return self.cv if side == "cv" else self.offer

    def is_appreciated(self, line: str) -> bool:
        folded = f" {fold(line)} "
        return any(f" {marker} " in folded or f" {marker}," in folded or f" {marker}." in folded
                   or f"{marker} :" in folded for marker in self.appreciated_markers)


@dataclass(frozen=True)
class Section:
    """A run of lines under one heading; ``lines`` exclude the heading itself."""

    name: str
    heading: str
    lines: tuple[str, ...]
    weight: float
    required: bool = False
    scored: bool = True
    appreciated: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@cache
def load_section_rules(path: Path | None = None) -> SectionRules:
    path = path or models_dir() / "sections.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def specs(side: str) -> tuple[SectionSpec, ...]:
        return tuple(
            SectionSpec(
                name=name,
                weight=float(table["weight"]),
                required=bool(table.get("required", False)),
                scored=bool(table.get("scored", True)),
                headings=tuple(fold(h) for h in table.get("headings", ())),
                appreciated=bool(table.get("appreciated", False)),
            )
            for name, table in data[side].items()
        )

    markers = data.get("offer_markers", {})
    return SectionRules(
        cv=specs("cv"),
        offer=specs("offer"),
        appreciated_markers=tuple(fold(m) for m in markers.get("appreciated", ())),
        appreciated_factor=float(markers.get("appreciated_factor", 0.5)),
        apply_markers=tuple(re.compile(m) for m in markers.get("apply", ())),
        end_markers=tuple(fold(m) for m in markers.get("end", ())),
    )


# A heading may open with an article or a possessive: "Vos missions", "Ton profil", "Mes expériences".
_DETERMINER = re.compile(r"^(?:l'|(?:le|la|les|votre|vos|ton|ta|tes|notre|nos|mon|ma|mes|your|our|my|the)\s+)")


def _clean_heading(line: str) -> str:
    text = _DECORATION.sub("", line.strip())
    text = _NUMBERING.sub("", text)
    return _DETERMINER.sub("", fold(text).rstrip(" :.?!").strip())


def match_heading(line: str, specs: tuple[SectionSpec, ...]) -> tuple[SectionSpec, str] | None:
    """The section a line opens, and what follows the heading on the same line ("Langues : anglais")."""
    stripped = line.strip()
    if not stripped:
        return None
    head, sep, rest = stripped.partition(":")
    inline = sep and len(head.split()) <= _MAX_HEADING_WORDS and not _BULLET.match(stripped)
    candidates = [(head, rest.strip())] if inline else []
    if len(stripped) <= 90:
        candidates.append((stripped, ""))
    index = _heading_index(specs)
    for text, remainder in candidates:
        cleaned = _clean_heading(text)
        if not cleaned or len(cleaned.split()) > _MAX_HEADING_WORDS:
            continue
        without_dates = _PARENTHESES.sub("", cleaned).strip(" -–:")
        # The first heading, in the order of models/sections.toml, that the line is, or that it starts with.
        exact = (index.get(cleaned, ()), index.get(without_dates, ()))
        found: list[tuple[int, bool]] = [(order, True) for places in exact for order in places]
        if not remainder and len(cleaned.split()) <= 6:
            for end in (i for i, c in enumerate(cleaned) if c == " "):
                heading, rest = cleaned[:end], cleaned[end + 1:]
                # "Compétences recherchées", "Projets associatifs": a one-word heading and one qualifier.
                if " " in heading or re.match(r"(et |&|/|-|,|\()", rest) or len(cleaned.split()) == 2:
                    found.extend((order, False) for order in index.get(heading, ()))
        if found:
            order, whole = min(found)
            spec = _heading_specs(specs)[order]
            return spec, _DECORATION.sub("", remainder) if whole else ""
    return None


@cache
def _heading_specs(specs: tuple[SectionSpec, ...]) -> tuple[SectionSpec, ...]:
    """Each heading's section, in the order the headings are read (their place in models/sections.toml)."""
    return tuple(spec for spec in specs for _ in spec.headings)


@cache
def _heading_index(specs: tuple[SectionSpec, ...]) -> dict[str, tuple[int, ...]]:
    """Heading -> its places in that order (a heading may stand in two sections: the first place wins)."""
    index: dict[str, list[int]] = {}
    order = 0
    for spec in specs:
        for heading in spec.headings:
            index.setdefault(heading, []).append(order)
            order += 1
    return {heading: tuple(places) for heading, places in index.items()}


def split_sections(text: str, side: Side, rules: SectionRules | None = None) -> list[Section]:
    """Cut ``text`` at recognised headings; text before the first heading goes to ``default``."""
    rules = rules or load_section_rules()
    specs = rules.specs(side)
    default = next(s for s in specs if s.name == "default")
    headed = tuple(s for s in specs if s.headings)
    sections: list[Section] = []
    current, heading = default, ""
    lines: list[str] = []

    def close() -> None:
        if any(line.strip() for line in lines):
            sections.append(Section(current.name, heading, tuple(lines), current.weight, current.required,
                                    current.scored, current.appreciated))

    offer_end = _OfferEnd(rules) if side == "offer" else None
    all_lines = text.splitlines()
    for number, line in enumerate(all_lines):
        found = match_heading(line, headed)
        if offer_end is not None and offer_end.ends_at(line, found[0] if found else current):
            close()
            rest = next(s for s in specs if s.name == "hors_offre")
            sections.append(Section(rest.name, line.strip(), tuple(all_lines[number:]), rest.weight, rest.required,
                                    rest.scored))
            return _title_and_preamble(sections, specs)
        if found is None:
            lines.append(line)
            continue
        close()
        current, heading = found[0], line.strip()
        lines = [found[1]] if found[1] else []
    close()
    if side == "offer":
        sections = _title_and_preamble(sections, specs)
    return sections


class _OfferEnd:
    """Follows an offer line by line to tell where it ends on a web page that goes on with other content."""

    _BODY = frozenset({"missions", "profil", "savoir_etre", "apprecie"})
    _OTHER_OFFER = frozenset({"missions", "profil", "savoir_etre", "apprecie", "contexte"})

    def __init__(self, rules: SectionRules) -> None:
        self.rules = rules
        self.body_seen = False
        self.apply_seen = False

    def ends_at(self, line: str, section: SectionSpec) -> bool:
        """Whether ``line``, which belongs to (or opens) ``section``, is the first line after the offer."""
        folded = fold(line.strip())
        if self.body_seen and folded and any(folded.startswith(marker) for marker in self.rules.end_markers):
            return True
        if self.apply_seen and section.name in self._OTHER_OFFER:
            return True
        if section.name in self._BODY:
            self.body_seen = True
        elif self.body_seen and (section.name == "conditions" and _is_apply_heading(folded)
                                 or any(m.search(folded) for m in self.rules.apply_markers)):
            self.apply_seen = True
        return False


def _is_apply_heading(folded: str) -> bool:
    return any(word in folded for word in ("candidat", "postuler", "apply", "contact"))


# The title of an offer copied from a web page: short lines right above its first heading.
_PAGE_TITLE_WORDS = 8
# ... below at least this much text, which then is not the offer.
_PAGE_BEFORE_WORDS = 120


def _page_before_the_offer(lines: Sequence[str]) -> int:
    """Where the offer's title starts when the text before an offer's first heading ends with a few short lines
    (its title) under a long text (an article, another page's content): the index of the title's first line,
    else 0."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    title: list[int] = []
    for i in reversed(filled):
        if len(lines[i].split()) > _PAGE_TITLE_WORDS or len(title) == _TITLE_LINES:
            break
        title.insert(0, i)
    if not title or title[0] == filled[0]:
        return 0
    before = sum(len(lines[i].split()) for i in filled if i < title[0])
    return title[0] if before >= _PAGE_BEFORE_WORDS else 0


# The title of an offer: its first lines, each at most this many words.
_TITLE_LINES = 3
_TITLE_WORDS = 25


def _title_and_preamble(sections: list[Section], specs: tuple[SectionSpec, ...]) -> list[Section]:
    """In an offer with headed sections, the text before the first heading is its title, then a preamble that
    presents the structure (or, on a web page, whatever came before the offer): the title says what the job is,
    the preamble counts like context. An offer with no heading at all keeps its text as ``default``."""
    by_name = {s.name: s for s in specs}
    if (len(sections) < 2 or sections[0].name != "default" or not {"titre", "preambule"} <= by_name.keys()
            or not any(s.name in _OfferEnd._OTHER_OFFER for s in sections)):
        return sections
    lines = sections[0].lines
    page_start = _page_before_the_offer(lines)
    if page_start:
        # A web page: an article (or a menu) came before the offer, whose title stands right above its first
        # heading. What came before is kept (``inspect`` shows it) but not scored.
        outside = by_name["hors_offre"]
        head = Section(outside.name, "", tuple(lines[:page_start]), outside.weight, outside.required, outside.scored)
        title_spec = by_name["titre"]
        return [head, Section(title_spec.name, "", tuple(lines[page_start:]), title_spec.weight,
                              title_spec.required, title_spec.scored), *sections[1:]]
    title: list[str] = []
    rest = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if len(title) == _TITLE_LINES or len(line.split()) > _TITLE_WORDS:
            break
        title.append(line)
        rest = i + 1
    result = []
    for spec, part in ((by_name["titre"], title), (by_name["preambule"], list(lines[rest:]))):
        if any(line.strip() for line in part):
            result.append(Section(spec.name, "", tuple(part), spec.weight, spec.required, spec.scored))
    return result + sections[1:]

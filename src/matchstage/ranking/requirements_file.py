"""What an offer asks for as a file the project officer reads and corrects: ``OFFER.requirements.toml``.

:func:`requirements_text` writes what matchstage reads in an offer (the :class:`OfferRequirements` that
:mod:`matchstage.ranking.requirements` works out from its text): the degree level, and per facet one line per
concept with its weight, whether it is required or appreciated, and the offer's words that made matchstage read
it. Concepts read but asked for too little to count (``asked_from`` in ``models/weights.toml``) are written
commented out: un-commenting one adds it. :func:`read_requirements` reads the file back, checked whole: a
concept the taxonomy does not hold, a weight outside 0–1, a level that does not exist or a file written for
another offer is an error that names the file and the line, and nothing is ranked on it.

The text is written here, deterministically, rather than through a TOML library: the same offer gives the same
bytes, and the layout (one inline table a line, its trigger words as a trailing comment) is the file's point.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matchstage.analysis.lemmas import fold
from matchstage.analysis.levels import Level, levels_in, load_degrees
from matchstage.analysis.taxonomy import FACET_NAMES, Concept, Facet, Taxonomy
from matchstage.i18n import _
from matchstage.ranking.requirements import OfferRequirements, Requirement
from matchstage.ranking.rules import ScoringRules

SUFFIX = ".requirements.toml"
ASKED = ("required", "appreciated")
ENTRY_KEYS = ("label", "weight", "asked")
EXAMPLE = '{ label = "...", weight = 0.8, asked = "required" }'
# Facets in the order the file lists them: what graders read first.
FILE_FACETS = (Facet.DISCIPLINES, Facet.METHODS, Facet.SKILLS)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TABLE_LINE = re.compile(r"^\s*\[\s*([^\]\s]+)\s*\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


class RequirementsError(Exception):
    """A requirements file that cannot be used: the message names the file, the line and what to write."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        self.path, self.line, self.detail = path, line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


def requirements_path(offer_path: Path) -> Path:
    """Where the requirements of an offer stand by default: beside it, named after it."""
    return offer_path.with_name(offer_path.stem + SUFFIX)


# -- writing ----------------------------------------------------------------------------------------------
def _key(text: str) -> str:
    return text if _BARE_KEY.fullmatch(text) else _string(text)


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped) + '"'


def _number(value: float) -> str:
    """The weight as written: short (0.15, not 0.15000000000000002), and read back as the same ranking."""
    return repr(round(float(value), 6))


def _words(text: str) -> str:
    return " ".join(text.split())


def _entry(req: Requirement, taxonomy: Taxonomy, weight: float) -> str:
    label = taxonomy[req.concept].label
    asked = ASKED[0] if req.required else ASKED[1]
    line = f"{_key(req.concept)} = {{ label = {_string(label)}, weight = {_number(weight)}, asked = \"{asked}\" }}"
    if req.words:
        line += f"  # «{_words(req.words)}»" + (f" ({req.section})" if req.section else "")
    return line


def requirements_text(offer_id: str, offer_name: str, asked: OfferRequirements, below: Sequence[Requirement],
                      taxonomy: Taxonomy, rules: ScoringRules) -> str:
    """The requirements file of one offer. ``below``: concepts read in it but asked for too little to count,
    written commented out with the weight they would take once un-commented (``added_weight``)."""
    labels = ", ".join(f'"{d.label}"' for d in load_degrees()[1])
    out = [
        "# " + _("What matchstage reads as asked for in {offer}. Correct it, then run:").format(offer=offer_name),
        f"#   matchstage match {offer_name} CANDIDATES/",
        "# " + _("Beside the offer, this file sets what the facets ask for, their weights and the level;"),
        "# " + _("the text score still reads the offer itself."),
        "#",
        "# " + _("One line per concept: its weight from 0 to 1, asked \"required\" or only \"appreciated\":"),
        f"#   key = {EXAMPLE}",
        "# " + _("The key names the concept (its id); the label is there to read. After each line: the offer's"),
        "# " + _("words that made matchstage read it, and the section they stand in."),
        "# " + _("Delete a line to drop a concept; remove the # before a commented line to add it."),
        "# " + _("Add a concept by its label or any of its terms, e.g.:") + ' "QGIS" = { weight = 1 }',
        "",
        f"offer = {_string(offer_id)}",
        "# " + _("The degree level asked: one of {levels},").format(levels=labels),
        "# " + _("or \"\" for none; level_soft = true when the offer only wishes for it."),
    ]
    level = f"level = {_string(asked.level.label if asked.level else '')}"
    if asked.level and asked.level.words:
        level += f"  # «{_words(asked.level.words)}»"
    out += [level, f"level_soft = {'true' if asked.level and asked.level.soft else 'false'}"]
    for facet in FILE_FACETS:
        out += ["", f"[{facet.value}]"]
        out += [_entry(req, taxonomy, req.importance) for req in asked.by_facet.get(facet, ())]
        low = [req for req in below if taxonomy[req.concept].facet is facet]
        if low:
            out.append("# " + _("Read in the offer, but asked for too little to count (under {weight}):").format(
                weight=_number(rules.asked_from)))
            out += ["# " + _entry(req, taxonomy, rules.added_weight) for req in low]
    return "\n".join(out) + "\n"


# -- reading ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Located:
    """Where each key of the file stands: (table or "", key) -> line number (1-based)."""

    lines: Mapping[tuple[str, str], int]

    @classmethod
    def scan(cls, text: str) -> _Located:
        found: dict[tuple[str, str], int] = {}
        table = ""
        for number, line in enumerate(text.splitlines(), start=1):
            header = _TABLE_LINE.match(line)
            if header:
                table = header.group(1).strip("\"'")
                found.setdefault((table, ""), number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                written = key.group(1)
                try:
                    name = str(next(iter(tomllib.loads(f"{written} = 0"))))
                except tomllib.TOMLDecodeError:
                    name = written
                found.setdefault((table, name), number)
        return cls(found)

    def of(self, table: str, key: str = "") -> int | None:
        return self.lines.get((table, key))


def _name_key(name: str) -> str:
    """A name as compared: folded, hyphens as spaces (as the taxonomy compares its terms)."""
    return " ".join(re.sub(r"[-‐‑]", " ", fold(name)).split())


def find_concept(key: str, taxonomy: Taxonomy) -> Concept:
    """The concept a key names: its id, or else its label, one of its terms, acronyms or English labels.

    Raises ``LookupError`` with what to write: no concept holds it, or several do (listed)."""
    if key in taxonomy.concepts:
        return taxonomy[key]
    wanted = _name_key(key)
    found: dict[str, Concept] = {}
    for concept in taxonomy.concepts.values():
        names = (concept.id, concept.label, *concept.terms, *concept.en)
        if any(_name_key(name) == wanted for name in names) or key.strip() in concept.acronyms:
            found[concept.id] = concept
    if not found:
        raise LookupError(_("no concept of the taxonomy is named {key!r}: write a concept's id, label or one of "
                            "its terms (matchstage inspect --offer shows them)").format(key=key))
    if len(found) > 1:
        listed = ", ".join(f"{c.id} ({c.label})" for c in sorted(found.values(), key=lambda c: c.id))
        raise LookupError(_("{key!r} names several concepts: {names}; write the id of the one meant").format(
            key=key, names=listed))
    return next(iter(found.values()))


def _level(value: object, path: Path, line: int | None) -> Level | None:
    degrees = load_degrees()[1]
    labels = ", ".join(f'"{d.label}"' for d in degrees)
    if not isinstance(value, str):
        raise RequirementsError(path, _("level must be text: one of {levels}, or \"\" for none").format(
            levels=labels), line)
    if not value.strip():
        return None
    for degree in degrees:
        if fold(degree.label) == fold(value.strip()):
            return Level(degree.years, degree.label, "")
    named = levels_in(value)  # "M2", "Bac+5": a level's own way of being written, all of the value
    if len(named) == 1 and fold(named[0].words) == fold(value.strip()):
        return Level(named[0].years, named[0].label, "")
    raise RequirementsError(path, _("no level is named {value!r}: write one of {levels}, or \"\" for none").format(
        value=value, levels=labels), line)


def _entry_requirement(path: Path, where: _Located, facet: Facet, key: str, value: object, taxonomy: Taxonomy,
                       rules: ScoringRules) -> Requirement:
    line = where.of(facet.value, key)
    if not isinstance(value, dict):
        raise RequirementsError(path, _("{key}: write {example}").format(key=key, example=EXAMPLE), line)
    unknown = sorted(set(value) - set(ENTRY_KEYS))
    if unknown:
        raise RequirementsError(path, _("{key}: unknown field {field!r}: use {fields}").format(
            key=key, field=unknown[0], fields=", ".join(ENTRY_KEYS)), line)
    try:
        concept = find_concept(key, taxonomy)
    except LookupError as error:
        raise RequirementsError(path, str(error), line) from None
    if concept.facet is not facet:
        raise RequirementsError(path, _("{key}: {label} is one of the {facet}, not of the {table}: move it under "
                                        "[{facet_key}]").format(
            key=key, label=concept.label, facet=_(FACET_NAMES[concept.facet]), table=_(FACET_NAMES[facet]),
            facet_key=concept.facet.value), line)
    weight = value.get("weight", rules.added_weight)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
        raise RequirementsError(path, _("{key}: weight {weight} must be a number between 0 and 1").format(
            key=key, weight=_shown(weight)), line)
    asked = value.get("asked", ASKED[0])
    if asked not in ASKED:
        raise RequirementsError(path, _("{key}: asked {asked} must be \"required\" or \"appreciated\"").format(
            key=key, asked=_shown(asked)), line)
    return Requirement(concept.id, float(weight), asked == ASKED[0])


def _shown(value: object) -> str:
    return _string(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def read_requirements(path: Path, offer_id: str, taxonomy: Taxonomy, rules: ScoringRules) -> OfferRequirements:
    """The requirements a file gives for the offer ``offer_id``; :class:`RequirementsError` on anything amiss."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RequirementsError(path, error.strerror or str(error)) from None
    except UnicodeDecodeError:
        raise RequirementsError(path, _("not UTF-8 text: save it as UTF-8")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = _TOML_LINE.search(str(error))
        detail = _TOML_LINE.sub("", str(error)).strip()
        raise RequirementsError(path, _("not valid TOML: {detail}").format(detail=detail),
                                int(at.group(1)) if at else None) from None
    where = _Located.scan(text)
    allowed = ("offer", "level", "level_soft", *(f.value for f in FILE_FACETS))
    for key in data:
        if key not in allowed:
            raise RequirementsError(path, _("unknown entry {key!r}: use {keys}").format(
                key=key, keys=", ".join(allowed)), where.of("", key) or where.of(key))
    written_for = data.get("offer")
    if written_for != offer_id:
        raise RequirementsError(path, _("written for the offer {written!r}, not {offer!r}: write offer = "
                                        "{offer_key} or give the file of that offer").format(
            written=written_for, offer=offer_id, offer_key=_string(offer_id)), where.of("", "offer"))
    level = _level(data.get("level", ""), path, where.of("", "level"))
    soft = data.get("level_soft", False)
    if not isinstance(soft, bool):
        raise RequirementsError(path, _("level_soft must be true or false"), where.of("", "level_soft"))
    if level is not None and soft:
        level = dataclasses.replace(level, soft=True)
    by_facet: dict[Facet, tuple[Requirement, ...]] = {}
    seen: dict[str, str] = {}
    for facet in FILE_FACETS:
        table = data.get(facet.value, {})
        if not isinstance(table, dict):
            raise RequirementsError(path, _("{facet} must be a table: [{facet}] then one line per concept").format(
                facet=facet.value), where.of("", facet.value))
        reqs = []
        for key, value in table.items():
            req = _entry_requirement(path, where, facet, key, value, taxonomy, rules)
            if req.concept in seen:
                raise RequirementsError(path, _("{key}: {label} is listed twice (also as {other})").format(
                    key=key, label=taxonomy[req.concept].label, other=seen[req.concept]),
                    where.of(facet.value, key))
            seen[req.concept] = key
            if req.importance > 0:
                reqs.append(req)
        by_facet[facet] = canonical(reqs)
    return OfferRequirements(by_facet, level, path)


def canonical(reqs: Iterable[Requirement]) -> tuple[Requirement, ...]:
    """The order requirements are scored and written in: most asked for first, then by concept id (so that
    reordering a file changes nothing)."""
    return tuple(sorted(reqs, key=lambda r: (-r.importance, r.concept)))


def _offer_written(path: Path) -> object:
    """The ``offer`` a file says it is written for (None when it cannot be read: reading it whole says why)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("offer")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def load_requirements(offers: Sequence[tuple[str, Path]], given: Sequence[Path], taxonomy: Taxonomy,
                      rules: ScoringRules) -> list[OfferRequirements | None]:
    """For each offer (id, path): the requirements file given for it (``given``, paired by the offer each names;
    with one offer and one file, that file), else ``OFFER.requirements.toml`` beside it if there is one, else
    None (what its text says). Every file is read whole before anything is ranked."""
    ids = [offer_id for offer_id, _path in offers]
    chosen: dict[str, Path] = {}
    for path in given:
        if len(offers) == 1 and len(given) == 1:
            written: object = ids[0]
        else:
            written = _offer_written(path)
            if written is None:
                read_requirements(path, "", taxonomy, rules)  # raises what is wrong with it
            if written not in ids:
                raise RequirementsError(path, _("written for the offer {written!r}, which this run does not rank "
                                                "(its offers: {offers})").format(written=written,
                                                                                 offers=", ".join(ids)))
        if str(written) in chosen:
            raise RequirementsError(path, _("a second requirements file for the offer {offer!r} (the first: "
                                            "{first})").format(offer=written, first=chosen[str(written)]))
        chosen[str(written)] = path
    found: list[OfferRequirements | None] = []
    for offer_id, offer_path in offers:
        path = chosen.get(offer_id) or requirements_path(offer_path)
        given_here = offer_id in chosen
        found.append(read_requirements(path, offer_id, taxonomy, rules) if given_here or path.is_file() else None)
    return found

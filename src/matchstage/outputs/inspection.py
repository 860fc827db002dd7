"""What matchstage saw in one document: the library behind ``matchstage inspect``.

How the file was read (or why it cannot be, or why ``match`` would skip it), its text cut into sections
with their weights, its language, the concepts found in each section with the words that triggered them
and how much each counts there, and the personal details left out of scoring. Everything comes from the
pieces ``match`` uses (the same readers in a worker process, limits, sections, profiler and matcher), so
what is shown is what ranking sees.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchstage.analysis.language import ANALYSED
from matchstage.analysis.levels import Level
from matchstage.analysis.personal import Removed
from matchstage.analysis.profiles import Profile, is_cover_letter
from matchstage.analysis.sections import Side
from matchstage.analysis.taxonomy import FACET_NAMES, Facet
from matchstage.i18n import N_, _, ngettext
from matchstage.match import (
    LANGUAGE_DETAIL,
    NOT_A_CV_DETAIL,
    OFFER_MIN_WORDS,
    Engine,
    MatchError,
    looks_like_cv,
    offer_profiles,
    read_offers,
)
from matchstage.outputs.report import write_atomically
from matchstage.ranking.requirements_file import requirements_path, requirements_text
from matchstage.ranking.scoring import Scorer
from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable, localized_detail
from matchstage.reading.extraction import read_many
from matchstage.reading.readers import CANDIDATE_SUFFIXES


class Outcome(enum.StrEnum):
    """What ``match`` would do with the document; the value is the code shown in JSON."""

    USED = "used"  # ranked (a CV) or matched against (an offer)
    SKIPPED = "skipped"  # read, but left out, with a reason
    IGNORED = "ignored"  # a type of file that a candidates folder does not read
    UNREADABLE = "unreadable"  # cannot be read at all


@dataclass(frozen=True)
class InspectOptions:
    offer: bool = False
    taxonomy_dir: Path | None = None
    limits: ReadLimits = ReadLimits()


@dataclass(frozen=True)
class Found:
    """A concept found in a section: the words that triggered it, its line, and how much it counts there.

    In a CV, ``counts`` is the evidence it gives (the section's weight for its facet, times 0.75 in a cover
    letter); in an offer, how much the offer asks for it (the section's weight, halved on a line that says
    it is only appreciated, times 0.3 for a soft skill).
    """

    concept: str
    label: str
    facet: Facet
    words: str
    line: str
    counts: float
    required: bool = False
    appreciated: bool = False


@dataclass(frozen=True)
class InspectedSection:
    name: str
    heading: str
    weight: float
    scored: bool
    required: bool
    text: str
    found: tuple[Found, ...]
    # An offer's part read into this section by a phrase it holds, not by a heading ("repeated": already read).
    cue: str = ""


@dataclass(frozen=True)
class Inspection:
    path: Path
    side: Side
    outcome: Outcome
    reason: SkipReason | None = None
    message: str = ""
    format: str = ""
    pages: int = 0
    words: int = 0
    language: str = "und"
    cover_letter: bool = False
    notes: tuple[str, ...] = ()
    sections: tuple[InspectedSection, ...] = ()
    removed: tuple[Removed, ...] = ()
    # An offer: the degree level it asks for (soft when it only recommends it); a CV: its highest degree and the
    # years of work it shows (which count toward a level).
    level: Level | None = None
    experience: float = 0.0

    @property
    def readable(self) -> bool:
        return self.outcome is not Outcome.UNREADABLE


def inspect_document(path: Path, options: InspectOptions = InspectOptions(), *,
                     engine: Engine | None = None) -> Inspection:
    """Read and analyse ``path`` as ``match`` would, as a CV (the default) or as an offer."""
    side: Side = "offer" if options.offer else "cv"
    name = str(path)
    outcome = dict(read_many([path], options.limits, jobs=1))[path]
    if isinstance(outcome, Unreadable):
        return Inspection(path, side, Outcome.UNREADABLE, outcome.reason, outcome.message(name))
    engine = engine or Engine.create(options.taxonomy_dir)
    if side == "offer":
        profile = engine.profiler.offers([outcome.text])[0]
        letter = False
    else:
        # The file's name stands for the candidate id (in a subfolder, match would use the folder's name).
        profile = engine.profiler.candidate_documents([(path.name, path.name, outcome.text)])[0]
        letter = is_cover_letter(path.name, outcome.text)
    verdict, reason, message = _verdict(name, side, outcome, profile)
    notes = [localized_detail(warning) for warning in outcome.warnings]
    if side == "cv" and profile.language == "en":
        notes.append(_("written in English: its words are read into French by a lexicon, its facets count the "
                       "concepts it names in English"))
    if letter:
        notes.append(_("read as a cover letter: what it shows counts 0.75 of what a CV shows"))
    return Inspection(
        path, side, verdict, reason, message, outcome.format, outcome.pages, len(outcome.text.split()),
        profile.language, letter, tuple(notes), _sections(profile, side, engine), profile.removed,
        profile.level, profile.experience,
    )


def _verdict(name: str, side: Side, document: Document, profile: Profile) -> tuple[Outcome, SkipReason | None, str]:
    if side == "offer":
        if len(document.text.split()) < OFFER_MIN_WORDS:
            return Outcome.SKIPPED, SkipReason.EMPTY, _("{name}: the offer holds no text to match against; "
                                                        "matchstage match would stop").format(name=name)
        return Outcome.USED, None, ""
    if document.path.suffix.lower() not in CANDIDATE_SUFFIXES:
        return Outcome.IGNORED, None, _(
            "{name}: in a candidates folder, matchstage match ignores {suffix} files (it reads {suffixes}); "
            "shown here as if it were a CV").format(name=name, suffix=document.path.suffix or _("extension-less"),
                                                    suffixes=" ".join(sorted(CANDIDATE_SUFFIXES)))
    if not looks_like_cv(document):
        reason = SkipReason.NOT_A_CV
        return Outcome.SKIPPED, reason, Unreadable(reason, NOT_A_CV_DETAIL.format(pages=document.pages)).message(name)
    if profile.language not in ANALYSED and profile.language != "und":
        reason = SkipReason.UNSUPPORTED_LANGUAGE
        detail = LANGUAGE_DETAIL.format(language=profile.language)
        return Outcome.SKIPPED, reason, Unreadable(reason, detail).message(name)
    return Outcome.USED, None, ""


def _sections(profile: Profile, side: Side, engine: Engine) -> tuple[InspectedSection, ...]:
    scorer = Scorer(engine.taxonomy, engine.rules)
    found: list[list[Found]] = [[] for _section in profile.sections]
    for evidence, (index, line_no) in zip(profile.evidence, profile.places):
        section = profile.sections[index]
        line = section.lines[line_no].strip() if line_no < len(section.lines) else ""
        if side == "offer":
            counts = evidence.weight * scorer.concept_weight(evidence.concept)
            appreciated = section.appreciated or engine.profiler.rules.is_appreciated(line)
        else:
            counts, appreciated = engine.rules.evidence_weight(evidence), False
        found[index].append(Found(evidence.concept, engine.taxonomy[evidence.concept].label, evidence.facet,
                                  evidence.words, line, round(counts, 4), evidence.required, appreciated))
    return tuple(
        InspectedSection(s.name, s.heading, s.weight, s.scored, s.required, s.text, tuple(hits), s.cue)
        for s, hits in zip(profile.sections, found)
    )


# The kinds of personal details as the text output names them: the codes of JSON in English, words in French.
PERSONAL_KINDS = (N_("name"), N_("email"), N_("url"), N_("phone"), N_("address"), N_("birth"), N_("nationality"),
                  N_("age"), N_("photo"), N_("family"), N_("gender"))


# -- output -------------------------------------------------------------------------------------------------
def to_json(inspection: Inspection) -> dict[str, Any]:
    return {
        "path": str(inspection.path),
        "as": inspection.side,
        "outcome": inspection.outcome.value,
        "reason": inspection.reason.value if inspection.reason else None,
        "message": inspection.message,
        "format": inspection.format,
        "pages": inspection.pages,
        "words": inspection.words,
        "language": inspection.language,
        "cover_letter": inspection.cover_letter,
        "notes": list(inspection.notes),
        "sections": [
            {
                "name": s.name, "heading": s.heading, "weight": s.weight, "scored": s.scored,
                "required": s.required, "text": s.text, "cue": s.cue,
                "concepts": [
                    {"concept": f.concept, "label": f.label, "facet": f.facet.value, "words": f.words,
                     "line": f.line, "counts": f.counts, "required": f.required, "appreciated": f.appreciated}
                    for f in s.found
                ],
            }
            for s in inspection.sections
        ],
        "personal_details_removed": [{"kind": r.kind, "text": r.text} for r in inspection.removed],
        "level": None if inspection.level is None else {
            "label": inspection.level.label, "years": inspection.level.years, "words": inspection.level.words,
            "recommended_only": inspection.level.soft},
        "experience_years": inspection.experience,
    }


def json_text(inspection: Inspection) -> str:
    return json.dumps(to_json(inspection), ensure_ascii=False, indent=2) + "\n"


def _verdict_line(inspection: Inspection) -> str:
    reason = inspection.reason.value if inspection.reason else ""
    if inspection.outcome is Outcome.UNREADABLE:
        return _("cannot be read [{reason}]: {message}").format(reason=reason, message=inspection.message)
    if inspection.outcome is Outcome.SKIPPED:
        return _("matchstage match would skip it [{reason}]: {message}").format(reason=reason,
                                                                                 message=inspection.message)
    if inspection.outcome is Outcome.IGNORED:
        return _("matchstage match would ignore it: {message}").format(message=inspection.message)
    if inspection.side == "offer":
        return _("matchstage match would match candidates against it.")
    return _("matchstage match would rank it.")


def _found_line(found: Found, side: Side) -> str:
    tags = []
    if side == "offer":
        tags.append(_("required") if found.required else _("appreciated") if found.appreciated else _("not required"))
    text = _("{label} ({facet}) «{words}» counts {counts:.2f}").format(
        label=found.label, facet=_(FACET_NAMES[found.facet]), words=found.words, counts=found.counts)
    return f"{text}{'  [' + ', '.join(tags) + ']' if tags else ''}"


def _level_line(inspection: Inspection) -> str:
    level = inspection.level
    if inspection.side == "offer":
        if level is None:
            return _("degree level asked: none named")
        asked = _("{level} recommended").format(level=level.label) if level.soft else level.label
        return _("degree level asked: {level} «{words}»").format(level=asked, words=level.words)
    reached = _("degree level: {level} «{words}»").format(level=level.label, words=level.words) if level else _(
        "degree level: none named")
    years = round(inspection.experience)
    return reached + "; " + ngettext("{years} year of work", "{years} years of work", years).format(years=years)


def format_inspection(inspection: Inspection) -> str:
    """The inspection as plain text for a terminal."""
    header = _("{path}, inspected as an offer") if inspection.side == "offer" else _("{path}, inspected as a CV")
    lines = [header.format(path=inspection.path)]
    if not inspection.readable:
        return "\n".join([*lines, "  " + _verdict_line(inspection)]) + "\n"
    lines.append("  " + _("read as {format}, {pages} page(s), {words} words, language: {language}").format(
        format=inspection.format or "?", pages=inspection.pages, words=inspection.words,
        language=inspection.language))
    lines.append("  " + _verdict_line(inspection))
    lines.append("  " + _level_line(inspection))
    lines += ["  " + _("note: {note}").format(note=note) for note in inspection.notes]
    if inspection.side == "cv":
        lines += ["", _("Personal details left out of scoring ({count})").format(count=len(inspection.removed))]
        kinds = [_(r.kind) if r.kind in PERSONAL_KINDS else r.kind for r in inspection.removed]
        width = max(map(len, kinds), default=0)
        lines += [f"  {kind:<{width}}  {r.text}" for kind, r in zip(kinds, inspection.removed)] or [
            "  " + _("none found")]
    lines += ["", _("Sections ({count}), the text as analysed").format(count=len(inspection.sections))]
    for section in inspection.sections:
        heading = section.heading if len(section.heading) <= 70 else section.heading[:69] + "…"
        if section.cue == "repeated":
            where = _("already read above, counted once")
        elif section.cue:
            where = _("by the words «{cue}»").format(cue=section.cue)
        else:
            where = f"«{heading}»" if heading else _("before any heading")
        about = [section.name, where,
                 _("weight {weight:.2f}").format(weight=section.weight)]
        if not section.scored:
            about.append(_("not scored"))
        elif inspection.side == "offer" and section.required:
            about.append(_("required"))
        lines += ["", "── " + " · ".join(about)]
        lines += [f"   | {line}" for line in section.text.splitlines() if line.strip()]
        if section.found:
            lines.append("   " + _("concepts found:"))
            lines += [f"     {_found_line(found, inspection.side)}" for found in section.found]
        elif section.scored:
            lines.append("   " + _("no concept found"))
    return "\n".join(lines) + "\n"


# -- requirements files -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RequirementsOptions:
    output: Path | None = None
    force: bool = False
    taxonomy_dir: Path | None = None
    limits: ReadLimits = ReadLimits()


def write_requirements(paths: Sequence[Path], options: RequirementsOptions = RequirementsOptions(), *,
                       engine: Engine | None = None) -> list[Path]:
    """Write, for each offer, what matchstage reads as asked for in it as an editable requirements file
    (``OFFER.requirements.toml`` beside it unless ``options.output``); returns the files written. A file that
    exists is kept unless ``options.force``: it may hold a project officer's corrections."""
    offers = read_offers(paths, options.limits)
    if options.output is not None and len(offers) > 1:
        raise MatchError(_("-o names one file: give one offer with it ({count} given)").format(count=len(offers)))
    targets = [options.output or requirements_path(o.path) for o in offers]
    existing = [t for t in targets if t.exists()]
    if existing and not options.force:
        raise MatchError(_("{path}: already exists, kept (it may hold corrections); --force writes over it").format(
            path=existing[0]))
    engine = engine or Engine.create(options.taxonomy_dir)
    scorer = Scorer(engine.taxonomy, engine.rules)
    for offer, profile, target in zip(offers, offer_profiles(offers, engine), targets):
        asked = scorer.asked(profile)
        used = {r.concept for reqs in asked.by_facet.values() for r in reqs}
        below = [r for r in scorer.demand.read_requirements(profile) if r.concept not in used]
        write_atomically(target, requirements_text(offer.id, offer.path.name, asked, below, engine.taxonomy,
                                                   engine.rules))
    return targets


"""The shortlist as one self-contained HTML page (``-o shortlist.html``), for the people who decide.

:func:`render_html` turns a :class:`MatchResult` into a string. The page comes from Jinja2 templates in
``templates/`` with autoescaping on (CV text is untrusted input), its CSS and its one small script inlined,
bars drawn as inline SVG (printed even when a browser leaves background colours out), and a
Content-Security-Policy that lets the page load nothing at all: no network, no fonts, no images.

The page is a sequence of sections (:data:`SECTIONS`): each is a template ``templates/sections/NAME.html.j2``
and a function that builds what the template shows from the :class:`Page`, or returns ``None`` to leave the
section out. Adding a part of the report is adding one of each.

Every English string of the templates goes through ``_()`` (gettext, Jinja2's i18n extension, new style:
``_("%(n)s files", n=3)``); ``translations`` takes a :class:`gettext.GNUTranslations` once a catalogue exists.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from gettext import NullTranslations
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from matchstage.ranking.assignment import unfilled_reason
from matchstage.ranking.results import FACETS, Flag, MatchResult, OfferResult, Ranked
from matchstage.ranking.scoring import Match

# Matched concepts shown on a candidate's line (all of them are under "Evidence"), so that 200 candidates
# stay readable.
HIGHLIGHTS = 8


@dataclass(frozen=True)
class Bar:
    """A score from 0 to 1 drawn as a bar; ``value`` is ``None`` when the offer does not ask for that facet."""

    value: float | None

    @property
    def percent(self) -> int | None:
        return None if self.value is None else round(self.value * 100)

    @property
    def width(self) -> str:
        """The bar's length out of 100, as an SVG attribute."""
        return f"{max(0.0, min(1.0, self.value or 0.0)) * 100:.1f}"


@dataclass(frozen=True)
class FacetView:
    facet: str
    bar: Bar
    matched: tuple[Match, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class CandidateView:
    anchor: str
    rank: int
    candidate: str
    files: tuple[str, ...]
    overall: Bar
    text: Bar
    facets: tuple[FacetView, ...]
    notes: tuple[Flag, ...]

    @property
    def matched(self) -> tuple[Match, ...]:
        return tuple(m for f in self.facets for m in f.matched)

    @property
    def highlights(self) -> tuple[Match, ...]:
        """The matches shown on the candidate's line, fullest credit first; Evidence lists them all."""
        return tuple(sorted(self.matched, key=lambda m: -m.credit)[:HIGHLIGHTS])

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(label for f in self.facets for label in f.missing)


@dataclass(frozen=True)
class OfferView:
    number: int
    anchor: str
    id: str
    path: str
    candidates: tuple[CandidateView, ...]
    asked: tuple[str, ...]  # facets the offer mentions, in FACETS order

    @property
    def not_asked(self) -> tuple[str, ...]:
        return tuple(f.value for f in FACETS if f.value not in self.asked)


@dataclass(frozen=True)
class MatrixCell:
    score: Bar
    rank: int
    anchor: str
    best: bool


@dataclass(frozen=True)
class MatrixRow:
    candidate: str
    cells: tuple[MatrixCell | None, ...]


@dataclass(frozen=True)
class Page:
    """What every section builder reads: the result, its offers made ready to show, and when it was made."""

    result: MatchResult
    offers: tuple[OfferView, ...]
    generated: datetime


@dataclass(frozen=True)
class Section:
    """One part of the page: ``templates/sections/{name}.html.j2`` shows what ``build`` returns (``None``: left out)."""

    name: str
    build: Callable[[Page], object | None]

    @property
    def template(self) -> str:
        return f"sections/{self.name}.html.j2"


def _notes_by_file(flags: Sequence[Flag]) -> dict[str, list[Flag]]:
    notes: dict[str, list[Flag]] = {}
    for flag in flags:
        notes.setdefault(flag.path, []).append(flag)
    return notes


def _candidate(number: int, entry: Ranked, top_text: float, notes: dict[str, list[Flag]]) -> CandidateView:
    facets = entry.score.facets
    return CandidateView(
        anchor=f"offer-{number}-rank-{entry.rank}",
        rank=entry.rank,
        candidate=entry.candidate,
        files=entry.files,
        overall=Bar(entry.score.score),
        # The overall score counts text rescaled so that the run's closest CV gets 1 (see Scorer.score_many):
        # the bar shows that same scale, not the raw cosine of the CSV.
        text=Bar(entry.score.text / top_text if top_text > 0 else 0.0),
        facets=tuple(FacetView(f.value, Bar(facets[f].score), facets[f].matched, facets[f].missing)
                     for f in FACETS),
        notes=tuple(flag for path in entry.files for flag in notes.get(path, ())),
    )


def offer_views(result: MatchResult) -> tuple[OfferView, ...]:
    notes = _notes_by_file(result.flags)
    views = []
    for number, offer in enumerate(result.offers, start=1):
        top_text = max((r.score.text for r in offer.ranking), default=0.0)
        candidates = tuple(_candidate(number, r, top_text, notes) for r in offer.ranking)
        asked = tuple(f.value for f in FACETS if any(r.score.values.get(f) is not None for r in offer.ranking))
        # The file name only: a folder path on the officer's machine is no business of the report's readers.
        views.append(OfferView(number, f"offer-{number}", offer.offer.id, offer.offer.path.name, candidates, asked))
    return tuple(views)


def matrix_rows(offers: Sequence[OfferResult]) -> tuple[MatrixRow, ...]:
    """Candidates × offers: each cell the candidate's score and rank for that offer, its best offer(s) marked.

    Rows go from the highest best score down, then by candidate id.
    """
    cells: dict[str, dict[int, Ranked]] = {}
    for i, offer in enumerate(offers):
        for entry in offer.ranking:
            cells.setdefault(entry.candidate, {})[i] = entry
    rows = []
    for candidate, by_offer in cells.items():
        best = max(entry.score.score for entry in by_offer.values())
        row: list[MatrixCell | None] = [None] * len(offers)
        for i, entry in by_offer.items():
            row[i] = MatrixCell(Bar(entry.score.score), entry.rank, f"offer-{i + 1}-rank-{entry.rank}",
                                entry.score.score == best)
        rows.append(MatrixRow(candidate, tuple(row)))
    return tuple(sorted(rows, key=lambda row: (-max(c.score.value or 0.0 for c in row.cells if c), row.candidate)))


def _overview(page: Page) -> Page:
    return page


def _matrix(page: Page) -> tuple[MatrixRow, ...] | None:
    if len(page.result.offers) < 2:
        return None
    return matrix_rows(page.result.offers)


def _offers(page: Page) -> tuple[OfferView, ...]:
    return page.offers


@dataclass(frozen=True)
class AssignmentRow:
    offer: str
    anchor: str
    first: bool
    place: int
    candidate: str
    percent: int | None
    rank: int | None
    reason: str


@dataclass(frozen=True)
class AssignmentView:
    note: str
    total: float
    rows: tuple[AssignmentRow, ...]
    unassigned: int


def _assignment(page: Page) -> AssignmentView | None:
    """The suggested assignment, one row per place (unfilled places say why), when the run made one."""
    assignment = page.result.assignment
    if assignment is None:
        return None
    anchors = {view.id: view.anchor for view in page.offers}
    rows: list[AssignmentRow] = []
    for slots in assignment.slots:
        pairs = assignment.pairs_for(slots.offer)
        for place in range(1, slots.capacity + 1):
            pair = pairs[place - 1] if place <= len(pairs) else None
            rows.append(AssignmentRow(
                slots.offer, anchors.get(slots.offer, ""), place == 1, place,
                pair.candidate if pair else "", Bar(pair.score).percent if pair else None,
                pair.rank if pair else None,
                "" if pair else unfilled_reason(slots, assignment.min_score)))
    return AssignmentView(assignment.note, assignment.total, tuple(rows), len(assignment.unassigned))


def _files(page: Page) -> MatchResult:
    return page.result


def _about(page: Page) -> Page:
    return page


SECTIONS: tuple[Section, ...] = (
    Section("overview", _overview),
    Section("matrix", _matrix),
    Section("assignment", _assignment),
    Section("offers", _offers),
    Section("files", _files),
    Section("about", _about),
)


def _environment(translations: NullTranslations) -> Environment:
    env = Environment(
        loader=PackageLoader("matchstage.outputs", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def _inline(env: Environment, name: str, closing: str) -> Markup:
    """A packaged CSS or JS file to inline; ours, so trusted, but it must not close its own element."""
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    text = source.strip()
    if closing in text.lower():
        raise ValueError(f"templates/{name} must not contain {closing}")
    return Markup(text)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def render_html(
    result: MatchResult,
    *,
    generated: datetime | None = None,
    translations: NullTranslations | None = None,
    lang: str = "en",
    sections: Sequence[Section] = SECTIONS,
) -> str:
    """The shortlist page for ``result``; ``generated`` defaults to now, ``lang`` is the page's language."""
    env = _environment(translations or NullTranslations())
    css = _inline(env, "shortlist.css", "</style")
    script = _inline(env, "print.js", "</script")
    # Nothing may be fetched; only this page's own style and script run (an injected one would not).
    csp = (f"default-src 'none'; style-src {_sha256(css)}; script-src {_sha256(script)}; "
           "base-uri 'none'; form-action 'none'")
    page = Page(result, offer_views(result), generated or datetime.now().astimezone())
    parts: list[tuple[str, Any]] = []
    for section in sections:
        view = section.build(page)
        if view is not None:
            parts.append((section.template, view))
    return env.get_template("shortlist.html.j2").render(
        page=page, sections=parts, css=css, script=script, csp=csp, lang=lang,
        weights=result.weights.as_dict(),
    )

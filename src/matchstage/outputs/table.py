"""The ranked shortlist as a terminal table (rich): readable at 80 columns, colour only on a terminal.

Each candidate takes a line of scores (rank, candidate, overall score, one per facet), then the matched
concepts (``~``: partial credit, through a related concept or weak evidence) and the missing required ones on
indented lines that wrap to the terminal's width; what does not fit is counted (``… +3``) and is in the CSV and JSON.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import IO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from matchstage.analysis.taxonomy import Facet
from matchstage.i18n import N_, _, ngettext
from matchstage.outputs.report import summary
from matchstage.ranking.assignment import unfilled_reason
from matchstage.ranking.matrix import fit_matrix
from matchstage.ranking.results import FACETS, Assignment, MatchResult, OfferResult

_FACET_HEADINGS = {Facet.SKILLS: N_("Skills"), Facet.DISCIPLINES: N_("Disciplines"), Facet.METHODS: N_("Methods")}
# For a terminal too narrow for the headings above.
_FACET_SHORT = {Facet.SKILLS: N_("Skl"), Facet.DISCIPLINES: N_("Disc"), Facet.METHODS: N_("Meth")}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100):d}"


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: short column headings for offers."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


# Offer ids up to this long head the matrix's columns; longer ones get a letter and a legend.
_SHORT_OFFER = 5
_NAME_MIN, _NAME_MAX = 14, 30


def _render_matrix(console: Console, result: MatchResult, top: int) -> None:
    matrix = fit_matrix(result)
    shown = [r for r in matrix.rows if r.best_rank is not None and r.best_rank <= top]
    if not shown:
        return
    legend = any(len(o) > _SHORT_OFFER for o in matrix.offers)
    labels = [_letters(i) if legend else o for i, o in enumerate(matrix.offers)]
    cell = max(4, *(len(label) for label in labels))
    # Columns are one space apart; the candidate column gives up width (down to _NAME_MIN) before
    # the offers are split over several tables.
    name = min(_NAME_MAX, max(len(_("Candidate")), *(len(r.candidate) for r in shown)))
    room = console.width - len(matrix.offers) * (cell + 1)
    if room >= _NAME_MIN:
        per_table, name = len(matrix.offers), min(name, room)
    else:
        fits = max(1, (console.width - name) // (cell + 1))
        per_table = -(-len(matrix.offers) // -(-len(matrix.offers) // fits))  # as even as the tables can be
    console.print(escape(_("Candidates × offers — score 0–100, * best offer for the candidate")), style="bold")
    for start in range(0, len(matrix.offers), per_table):
        columns = range(start, min(start + per_table, len(matrix.offers)))
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, padding=(0, 0))
        table.add_column(_("Candidate"), no_wrap=True, overflow="ellipsis", width=name)
        for j in columns:
            table.add_column(escape(labels[j]), justify="right", no_wrap=True, width=cell)
        for row in shown:
            cells = []
            for j in columns:
                text = _pct(row.scores[j])
                cells.append(f"[bold green]{text}*[/bold green]" if j in row.best else f"{text} ")
            table.add_row(escape(row.candidate), *cells)
        console.print(table)
    if legend:
        for label, offer in zip(labels, matrix.offers):
            console.print(f"  {label:>{len(labels[-1])}}  {escape(offer)}")
    if len(matrix.rows) > len(shown):
        more = len(matrix.rows) - len(shown)
        console.print(escape("  " + ngettext("… {n} more candidate(s) in CSV/JSON (--matrix FILE.csv)",
                                             "… {n} more candidate(s) in CSV/JSON (--matrix FILE.csv)",
                                             more).format(n=more)))
    console.print()


def _render_assignment(console: Console, assignment: Assignment) -> None:
    title = _("Suggested assignment — total {total} (sum of the scores, 0–100 each)").format(
        total=round(assignment.total * 100))
    table = Table(title=escape(title), title_justify="left", pad_edge=False, box=box.SIMPLE_HEAD, expand=True)
    table.add_column(_("Offer / candidate"), overflow="fold")
    table.add_column(_("Score"), justify="right", no_wrap=True, width=5)
    table.add_column(_("Rank"), justify="right", no_wrap=True, width=4)
    for slots in assignment.slots:
        places = ngettext("{n} place(s)", "{n} place(s)", slots.capacity).format(n=slots.capacity)
        table.add_row(f"[bold]{escape(slots.offer)}[/bold] [dim]({escape(places)})[/dim]", "", "")
        for pair in assignment.pairs_for(slots.offer):
            table.add_row(f"  {escape(pair.candidate)}", f"[bold]{round(pair.score * 100):d}[/bold]",
                          "" if pair.rank is None else str(pair.rank))
        if slots.unfilled:
            reason = ngettext("{n} place(s) unfilled: {reason}", "{n} place(s) unfilled: {reason}",
                              slots.unfilled).format(
                n=slots.unfilled, reason=unfilled_reason(slots, assignment.min_score))
            table.add_row(f"  [dim]{escape(reason)}[/dim]", "", "")
    console.print(table)
    console.print(escape(assignment.note), style="bold yellow")
    details = ngettext("{n} candidate(s) on no offer", "{n} candidate(s) on no offer",
                       len(assignment.unassigned)).format(n=len(assignment.unassigned))
    if assignment.min_score > 0:
        details += _("; minimum score {score:g}").format(score=round(assignment.min_score * 100, 2))
    console.print(escape(details))
    console.print()


def render_table(result: MatchResult, *, top: int = 10, file: IO[str] | None = None, width: int | None = None) -> None:
    """Each offer's ranking, then the matrix (several offers), the assignment (if asked) and what was left out.

    Colour only when ``file`` is a terminal (rich decides); no line is longer than the console's width.
    """
    console = Console(file=file, width=width, soft_wrap=False, highlight=False)
    for offer in result.offers:
        _render_offer(console, offer, top)
    if len(result.offers) > 1:
        _render_matrix(console, result, top)
    if result.assignment is not None:
        _render_assignment(console, result.assignment)
    if result.duplicates:
        _print_wrapped(console, _("Duplicates (ranked once): {pairs}").format(
            pairs="; ".join(f"{d.path} = {d.same_as}" for d in result.duplicates)))
    if result.skipped:
        _print_wrapped(console, ngettext("Skipped: {n} file(s), see messages above or the JSON 'skipped' list.",
                                         "Skipped: {n} file(s), see messages above or the JSON 'skipped' list.",
                                         len(result.skipped)).format(n=len(result.skipped)))
    _print_wrapped(console, summary(result), style="dim")


# -- one offer's ranking: a line of scores per candidate, then why, on indented lines ----------------------------
_WHY_ORDER = (Facet.DISCIPLINES, Facet.METHODS, Facet.SKILLS)
# Lines of explanation under a candidate, at most: matched concepts, missing required ones, degree level.
_MATCHED_LINES, _MISSING_LINES = 2, 1
_GAP = "  "


def _print_wrapped(console: Console, text: str, *, style: str = "", indent: int = 0) -> None:
    for line in textwrap.wrap(text, width=max(console.width - indent, 20), break_on_hyphens=False,
                              subsequent_indent="  "):
        console.print(Text(" " * indent + line, style=style))


def _fitted(items: Sequence[str], width: int, lines: int) -> list[str]:
    """``items`` comma-separated in at most ``lines`` lines of ``width``; those that do not fit are counted
    at the end of the last line (``… +3``)."""
    for shown in range(len(items), -1, -1):
        text = ", ".join(items[:shown])
        if shown < len(items):
            text = f"{text} … +{len(items) - shown}".strip()
        wrapped = textwrap.wrap(text, width=width, break_on_hyphens=False)
        if len(wrapped) <= lines:
            return wrapped
    return [f"… +{len(items)}"]


def _why(console: Console, indent: int, label: str, items: Sequence[str], lines: int, style: str) -> None:
    """``label`` then ``items`` on up to ``lines`` lines, continuation lines aligned after the label."""
    hang = indent + len(label) + 1
    for number, line in enumerate(_fitted(items, max(console.width - hang, 10), lines)):
        head = " " * indent + label + " " if number == 0 else " " * hang
        console.print(Text(head, style="dim") + Text(line, style=style))


def _render_offer(console: Console, offer: OfferResult, top: int) -> None:
    shown = offer.ranking[:top]
    count = ngettext("{n} candidate(s)", "{n} candidate(s)", len(offer.ranking)).format(n=len(offer.ranking))
    _print_wrapped(console, f"{offer.offer.id} — {count}", style="bold")
    headings = [_("Score"), *(_(_FACET_HEADINGS[f]) for f in FACETS)]
    rank_width = max(1, len(str(shown[-1].rank)) if shown else 1)
    indent = 1 + rank_width + len(_GAP)  # where the candidate column starts; explanations start there too
    cells = [max(len(h), 3) for h in headings]
    room = console.width - indent - sum(len(_GAP) + c for c in cells)
    if room < 12:  # a narrow terminal: short headings
        headings = [_("Score"), *(_(_FACET_SHORT[f]) for f in FACETS)]
        cells = [max(len(h), 3) for h in headings]
        room = console.width - indent - sum(len(_GAP) + c for c in cells)
    name_width = max(4, min(room, max([len(_("Candidate")), *(len(e.candidate) for e in shown)])))

    def line(rank: str, name: str, values: Sequence[str]) -> str:
        return f" {rank:>{rank_width}}{_GAP}{name:<{name_width}}" + "".join(
            f"{_GAP}{value:>{cell}}" for value, cell in zip(values, cells))

    console.print()
    console.print(Text(line("#", _("Candidate"), headings), style="bold"))
    console.print(Text(" " + "─" * min(console.width - 1, len(line("#", "", headings)) - 1), style="dim"))
    for entry in shown:
        facets = entry.score.facets
        name = textwrap.wrap(entry.candidate, width=name_width, break_on_hyphens=False) or [""]
        values = [str(round(entry.score.score * 100)), *(_pct(facets[f].score) for f in FACETS)]
        first = Text(line(str(entry.rank), name[0], values))
        first.stylize("bold", indent, indent + len(name[0]))
        score_start = indent + name_width + len(_GAP)
        first.stylize("bold", score_start, score_start + cells[0])
        console.print(first)
        for more in name[1:]:
            console.print(Text(" " * indent + more, style="bold"))
        # Disciplines, then methods, then skills (what a reader checks first), fullest credit first in each: when
        # the lines are full, what is left out counts least.
        matches = [m for f in _WHY_ORDER for m in sorted(facets[f].matched, key=lambda m: -m.credit)]
        matched = [f"{m.label}~" if m.partial else m.label for m in matches]
        if matched:
            _why(console, indent, _("matched:"), matched, _MATCHED_LINES, "")
        else:
            _why(console, indent, _("matched:"), [_("no concept of the offer")], 1, "dim")
        missing = [label for f in _WHY_ORDER for label in facets[f].missing]
        if missing:
            _why(console, indent, _("missing:"), missing, _MISSING_LINES, "dim")
        level = entry.score.level
        if level is not None and level.factor < 1:
            _why(console, indent, _("level:"), [level.describe()], 1, "dim")
    if len(offer.ranking) > top:
        _print_wrapped(console, _("… {n} more in CSV/JSON (--top to show more)").format(n=len(offer.ranking) - top),
                       indent=2)
    console.print()

"""The ranked shortlist as a terminal table (rich): readable at 80 columns, colour only on a terminal."""

from __future__ import annotations

from typing import IO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchstage.assign import Assignment, unfilled_reason
from matchstage.i18n import _
from matchstage.match import MatchResult
from matchstage.matrix import fit_matrix
from matchstage.report import FACETS, summary

_SHORT = {"skills": "Skl", "disciplines": "Disc", "methods": "Meth"}


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
        console.print(escape(_("  … {n} more candidate(s) in CSV/JSON (--matrix FILE.csv)").format(
            n=len(matrix.rows) - len(shown))))
    console.print()


def _render_assignment(console: Console, assignment: Assignment) -> None:
    title = _("Suggested assignment — total {total} (sum of the scores, 0–100 each)").format(
        total=round(assignment.total * 100))
    table = Table(title=escape(title), title_justify="left", pad_edge=False, box=box.SIMPLE_HEAD, expand=True)
    table.add_column(_("Offer / candidate"), overflow="fold")
    table.add_column(_("Score"), justify="right", no_wrap=True, width=5)
    table.add_column(_("Rank"), justify="right", no_wrap=True, width=4)
    for slots in assignment.slots:
        places = _("{n} place(s)").format(n=slots.capacity)
        table.add_row(f"[bold]{escape(slots.offer)}[/bold] [dim]({escape(places)})[/dim]", "", "")
        for pair in assignment.pairs_for(slots.offer):
            table.add_row(f"  {escape(pair.candidate)}", f"[bold]{round(pair.score * 100):d}[/bold]",
                          "" if pair.rank is None else str(pair.rank))
        if slots.unfilled:
            reason = _("{n} place(s) unfilled: {reason}").format(
                n=slots.unfilled, reason=unfilled_reason(slots, assignment.min_score))
            table.add_row(f"  [dim]{escape(reason)}[/dim]", "", "")
    console.print(table)
    console.print(escape(assignment.note), style="bold yellow")
    details = _("{n} candidate(s) on no offer").format(n=len(assignment.unassigned))
    if assignment.min_score > 0:
        details += _("; minimum score {score:g}").format(score=round(assignment.min_score * 100, 2))
    console.print(escape(details))
    console.print()


def render_table(result: MatchResult, *, top: int = 10, file: IO[str] | None = None, width: int | None = None) -> None:
    console = Console(file=file, width=width, soft_wrap=False, highlight=False)
    for offer in result.offers:
        table = Table(title=escape(f"{offer.offer.id} — {len(offer.ranking)} candidate(s)"), title_justify="left",
                      show_lines=True, expand=True, pad_edge=False, box=box.SIMPLE_HEAD)
        table.add_column("#", justify="right", no_wrap=True, width=2)
        table.add_column("Candidate", overflow="fold", ratio=3, min_width=18, max_width=32)
        table.add_column("Score", justify="right", no_wrap=True, width=5)
        for facet in FACETS:
            table.add_column(_SHORT[facet.value], justify="right", no_wrap=True, width=4)
        table.add_column("Matched (~ partial) / missing", overflow="fold", ratio=5, min_width=24)
        for entry in offer.ranking[:top]:
            facets = entry.score.facets
            matched = [m.label if m.by == m.concept else f"{m.label}~" for f in FACETS for m in facets[f].matched]
            missing = [label for f in FACETS for label in facets[f].missing]
            why = escape(", ".join(matched[:6]) + (" …" if len(matched) > 6 else ""))
            if missing:
                why += f"\n[dim]missing: {escape(', '.join(missing[:3]))}{' …' if len(missing) > 3 else ''}[/dim]"
            level = entry.score.level
            if level is not None and level.factor < 1:
                why += f"\n[dim]level: {escape(level.describe())}[/dim]"
            table.add_row(
                str(entry.rank), escape(entry.candidate), f"[bold]{round(entry.score.score * 100):d}[/bold]",
                *(_pct(facets[f].score) for f in FACETS), why,
            )
        console.print(table)
        if len(offer.ranking) > top:
            console.print(f"  … {len(offer.ranking) - top} more in CSV/JSON (--top to show more)")
        console.print()
    if len(result.offers) > 1:
        _render_matrix(console, result, top)
    if result.assignment is not None:
        _render_assignment(console, result.assignment)
    if result.duplicates:
        console.print(escape("Duplicates (ranked once): " + "; ".join(f"{d.path} = {d.same_as}"
                                                                         for d in result.duplicates)))
    if result.skipped:
        console.print(f"Skipped: {len(result.skipped)} file(s), see messages above or the JSON 'skipped' list.")
    console.print(summary(result), style="dim")

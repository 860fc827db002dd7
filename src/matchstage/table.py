"""The ranked shortlist as a terminal table (rich): readable at 80 columns, colour only on a terminal."""

from __future__ import annotations

from typing import IO

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from matchstage.match import MatchResult
from matchstage.report import FACETS, summary

_SHORT = {"skills": "Skl", "disciplines": "Disc", "methods": "Meth"}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100):d}"


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
    if result.duplicates:
        console.print(escape("Duplicates (ranked once): " + "; ".join(f"{d.path} = {d.same_as}"
                                                                         for d in result.duplicates)))
    if result.skipped:
        console.print(f"Skipped: {len(result.skipped)} file(s), see messages above or the JSON 'skipped' list.")
    console.print(summary(result), style="dim")

"""Turn a :class:`MatchResult` into what people and programs read: JSON, CSV, a terminal table.

Files are written atomically (a temporary file renamed into place) so that an interrupted run never
leaves half a CSV behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from matchstage.i18n import N_, _, current_language, ngettext, translations
from matchstage.ranking.assignment import unfilled_reason
from matchstage.ranking.matrix import fit_matrix
from matchstage.ranking.results import FACETS, MatchResult, Ranked

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")



def _facet_json(entry: Ranked) -> dict[str, Any]:
    out = {}
    for facet in FACETS:
        fs = entry.score.facets[facet]
        out[facet.value] = {
            "score": None if fs.score is None else round(fs.score, 4),
            "matched": [m.describe() for m in fs.matched],
            "missing": list(fs.missing),
        }
    return out


def _level_json(entry: Ranked) -> dict[str, Any] | None:
    fit = entry.score.level
    if fit is None:
        return None
    return {"asked": fit.asked.label, "reached": fit.reached.label if fit.reached else None,
            "words": fit.reached.words if fit.reached else None, "factor": fit.factor}


def to_json(result: MatchResult) -> dict[str, Any]:
    return {
        "offers": [
            {
                "offer": o.offer.id,
                "path": str(o.offer.path),
                "ranking": [
                    {
                        "rank": r.rank,
                        "candidate": r.candidate,
                        "files": list(r.files),
                        "score": r.score.score,
                        "facets": _facet_json(r),
                        "level": _level_json(r),
                    }
                    for r in o.ranking
                ],
            }
            for o in result.offers
        ],
        "skipped": [{"path": s.path, "reason": s.reason.value, "message": s.message} for s in result.skipped],
        "ignored": list(result.ignored),
        "duplicates": [{"path": d.path, "same_as": d.same_as} for d in result.duplicates],
        "flags": [{"path": f.path, "flag": f.code, "message": f.message} for f in result.flags],
        "weights": result.weights.as_dict(),
        "matrix": fit_matrix(result).as_dict(),
        "assignment": None if result.assignment is None else result.assignment.as_dict(),
        "blind": result.blind,
        "matchstage_version": result.version,
    }


def json_text(result: MatchResult) -> str:
    """The JSON document, indented, each ranked candidate on a line of its own.

    ``json.dumps(indent=...)`` runs in pure Python (about a second for 5,000 ranked candidates); each
    candidate is written by the C encoder instead, and set in the indented document by its place.
    """
    data = to_json(result)
    rankings = []
    for k, offer in enumerate(data["offers"]):
        rankings.append(offer["ranking"])
        offer["ranking"] = f"\0ranking {k}\0"
    text = json.dumps(data, ensure_ascii=False, indent=2)
    for k, ranking in enumerate(rankings):
        marker = json.dumps(f"\0ranking {k}\0")
        at = text.index(marker)
        indent = " " * (at - text.rindex("\n", 0, at) - 1 - len('"ranking": '))
        lines = ",\n".join(f"{indent}  {json.dumps(entry, ensure_ascii=False)}" for entry in ranking)
        text = text[:at] + (f"[\n{lines}\n{indent}]" if ranking else "[]") + text[at + len(marker):]
    return text + "\n"


# Column names in English; a CSV is for people with a spreadsheet, so its header is written in the interface
# language (csv_header()). JSON keys stay in English: JSON is for programs.
CSV_HEADER = (
    N_("offer"), N_("rank"), N_("candidate"), N_("score"),
    N_("skills_score"), N_("disciplines_score"), N_("methods_score"), N_("text_score"), N_("level"),
    N_("skills_matched"), N_("disciplines_matched"), N_("methods_matched"),
    N_("skills_missing"), N_("disciplines_missing"), N_("methods_missing"),
    N_("files"), N_("notes"),
)


def csv_header(columns: tuple[str, ...] = CSV_HEADER) -> tuple[str, ...]:
    """Column names in the interface language."""
    return tuple(_(column) for column in columns)


def safe_cell(value: object) -> object:
    """Neutralise a text cell that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _score_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def csv_rows(result: MatchResult) -> list[list[object]]:
    rows: list[list[object]] = []
    notes: dict[str, list[str]] = {}  # what the run noted about each file (read by OCR, written in English...)
    for flag in result.flags:
        notes.setdefault(flag.path, []).append(flag.message)
    for o in result.offers:
        for r in o.ranking:
            facets = r.score.facets
            rows.append([
                o.offer.id, r.rank, r.candidate, f"{r.score.score:.4f}",
                *(_score_cell(facets[f].score) for f in FACETS), f"{r.score.text:.4f}",
                r.score.level.describe() if r.score.level else "",
                *("; ".join(m.describe() for m in facets[f].matched) for f in FACETS),
                *("; ".join(facets[f].missing) for f in FACETS),
                "; ".join(r.files),
                " ".join(note for path in r.files for note in notes.get(path, ())),
            ])
    return rows


def csv_text(result: MatchResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header())
    for row in csv_rows(result):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def _csv(header: tuple[str, ...], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def matrix_csv_text(result: MatchResult) -> str:
    """Candidates × offers: ``candidate``, one score column per offer (named by its id), ``best_offer``."""
    matrix = fit_matrix(result)
    rows: list[list[object]] = [
        [r.candidate, *(_score_cell(s) for s in r.scores), "; ".join(matrix.offers[i] for i in r.best)]
        for r in matrix.rows
    ]
    return _csv((_("candidate"), *matrix.offers, _("best_offer")), rows)


ASSIGNMENT_CSV_HEADER = (N_("offer"), N_("place"), N_("candidate"), N_("score"), N_("rank"), N_("note"))


def assignment_csv_text(result: MatchResult) -> str:
    """One row per place of each offer (unfilled places say why), then the total and the caveat."""
    assignment = result.assignment
    if assignment is None:
        raise ValueError("this result holds no assignment (see matchstage.ranking.assignment.with_assignment)")
    rows: list[list[object]] = []
    for slots in assignment.slots:
        pairs = assignment.pairs_for(slots.offer)
        for place, pair in enumerate(pairs, start=1):
            rows.append([slots.offer, place, pair.candidate, f"{pair.score:.4f}", pair.rank or "", ""])
        for place in range(len(pairs) + 1, slots.capacity + 1):
            rows.append([slots.offer, place, "", "", "", _("unfilled: {reason}").format(
                reason=unfilled_reason(slots, assignment.min_score))])
    rows.append(["", "", "", f"{assignment.total:.4f}", "",
                 _("total of the scores above; {note}").format(note=assignment.note)])
    return _csv(csv_header(ASSIGNMENT_CSV_HEADER), rows)


def write_atomically(path: Path, text: str, *, bom: bool = False, mode: int | None = None) -> None:
    """Write ``text`` as UTF-8 (with a BOM for spreadsheets) through a temporary file in the same folder.

    ``mode`` sets the file's permissions before anything is written into it (0o600: its owner only).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


OUTPUT_SUFFIXES = (".csv", ".json", ".html")


def write_output(result: MatchResult, path: Path) -> None:
    """Write ``.csv``, ``.json`` or ``.html`` (the shortlist page) by the file's extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomically(path, csv_text(result), bom=True)
    elif suffix == ".json":
        write_atomically(path, json_text(result))
    elif suffix == ".html":
        from matchstage.outputs.html_report import render_html  # Jinja2 is loaded only for this output

        write_atomically(path, render_html(result, translations=translations(), lang=current_language()))
    else:
        raise ValueError(_("{path}: write .csv, .json or .html").format(path=path))


def summary(result: MatchResult) -> str:
    """One line that counts every file: ranked, skipped (by reason code), ignored, duplicates."""
    reasons = Counter(s.reason.value for s in result.skipped)
    by_reason = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
    # English keeps "(s)" in both forms; a translation has a singular and a plural.
    parts = [
        ngettext("{n} candidate(s) ranked", "{n} candidate(s) ranked", result.candidates_ranked).format(
            n=result.candidates_ranked),
        ngettext("{n} file(s) skipped", "{n} file(s) skipped", len(result.skipped)).format(n=len(result.skipped))
        + (f" ({by_reason})" if by_reason else ""),
        ngettext("{n} ignored", "{n} ignored", len(result.ignored)).format(n=len(result.ignored)),
        ngettext("{n} duplicate(s)", "{n} duplicate(s)", len(result.duplicates)).format(n=len(result.duplicates)),
    ]
    return ", ".join(parts)

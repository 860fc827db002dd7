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

from matchstage.match import MatchResult, Ranked
from matchstage.taxonomy import Facet

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FACETS = (Facet.SKILLS, Facet.DISCIPLINES, Facet.METHODS)


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


CSV_HEADER = (
    "offer", "rank", "candidate", "score",
    "skills_score", "disciplines_score", "methods_score", "text_score",
    "skills_matched", "disciplines_matched", "methods_matched",
    "skills_missing", "disciplines_missing", "methods_missing",
    "files",
)


def safe_cell(value: object) -> object:
    """Neutralise a text cell that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _score_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def csv_rows(result: MatchResult) -> list[list[object]]:
    rows: list[list[object]] = []
    for o in result.offers:
        for r in o.ranking:
            facets = r.score.facets
            rows.append([
                o.offer.id, r.rank, r.candidate, f"{r.score.score:.4f}",
                *(_score_cell(facets[f].score) for f in FACETS), f"{r.score.text:.4f}",
                *("; ".join(m.describe() for m in facets[f].matched) for f in FACETS),
                *("; ".join(facets[f].missing) for f in FACETS),
                "; ".join(r.files),
            ])
    return rows


def csv_text(result: MatchResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in csv_rows(result):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def write_atomically(path: Path, text: str, *, bom: bool = False) -> None:
    """Write ``text`` as UTF-8 (with a BOM for spreadsheets) through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_output(result: MatchResult, path: Path) -> None:
    """Write ``.csv`` or ``.json`` by the file's extension."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomically(path, csv_text(result), bom=True)
    elif suffix == ".json":
        write_atomically(path, json_text(result))
    else:
        raise ValueError(f"{path}: write .csv or .json")


def summary(result: MatchResult) -> str:
    reasons = Counter(s.reason.value for s in result.skipped)
    by_reason = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
    return (
        f"{result.candidates_ranked} candidate(s) ranked, {len(result.skipped)} file(s) skipped"
        f"{f' ({by_reason})' if by_reason else ''}, {len(result.ignored)} ignored, "
        f"{len(result.duplicates)} duplicate(s)"
    )

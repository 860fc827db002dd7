"""Read every PDF of a corpus through matchstage's isolated readers and report what became of each.

    .venv/bin/python scripts/corpus_report.py [FOLDER] [--jobs 2] [--timeout 10]

FOLDER defaults to ``../shared/corpora/pdfs`` next to the repository. Prints one row per file (outcome,
reason, seconds, the manifest's description when a ``MANIFEST.tsv`` is there), the count per reason and
the total wall time. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

from matchstage.reading.documents import Document, ReadLimits
from matchstage.reading.extraction import read_many_timed

DEFAULT_FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "pdfs"


def manifest(folder: Path) -> dict[str, str]:
    path = folder / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row.get("special", "") for row in csv.DictReader(handle, delimiter="\t")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--password", default=None)
    args = parser.parse_args()

    paths = sorted(args.folder.glob("*.pdf"))
    notes = manifest(args.folder)
    limits = ReadLimits(timeout_s=args.timeout, password=args.password)
    started = time.monotonic()
    rows: list[tuple[str, str, str, float, str]] = []
    for path, outcome, seconds in read_many_timed(paths, limits, jobs=args.jobs):
        if isinstance(outcome, Document):
            words = f"{outcome.pages} p, {len(outcome.text.split())} words"
            rows.append((path.name, "text", words, seconds, "; ".join(outcome.warnings)))
        else:
            rows.append((path.name, "skip", outcome.reason.value, seconds, outcome.detail))
    wall = time.monotonic() - started

    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'file':<{width}}  {'outcome':<7}  {'reason':<20}  {'seconds':>7}  {'detail':<60}  manifest")
    for name, outcome, reason, seconds, detail in sorted(rows):
        note = notes.get(name, "")[:50]
        print(f"{name:<{width}}  {outcome:<7}  {reason:<20}  {seconds:7.2f}  {detail[:60]:<60}  {note}")
    counts = Counter("text" if r[1] == "text" else r[2] for r in rows)
    print()
    for reason, count in counts.most_common():
        print(f"{reason:<12} {count}")
    print(f"{len(rows)} of {len(paths)} files in {wall:.1f} s with jobs={args.jobs}, timeout={args.timeout:g} s")


if __name__ == "__main__":
    main()

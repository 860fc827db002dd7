"""make bench: wall time, CVs per second and peak memory of matchstage's scenarios, beside the naive
pipeline, each run as a fresh process so start-up costs count. Prints a table and writes it to
bench/last_results.md. Usage: python bench/run.py [--naive-sample N] [--only 1,2,...]"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from corpus import build  # noqa: E402

BIN = Path(sys.executable).parent


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one command (its own process tree's peak via wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def scoring_scale(cache_dir: Path) -> float:
    """Seconds to score 10,000 cached profiles (the 1,000 real ones, ten times) against 10 offers."""
    code = f"""
import time, random
from pathlib import Path
from matchstage.cache import Cache
from matchstage.match import Engine
from matchstage.scoring import CandidateMatrix, Scorer, TextSimilarity
with Cache(Path({str(cache_dir)!r})) as cache:
    rows = cache._db.execute("SELECT key FROM documents").fetchall()
    docs = [d.profile for d in cache.get_documents([r[0] for r in rows]).values() if d.profile]
engine = Engine.create()
profiles = (docs * (10000 // max(len(docs), 1) + 1))[:10000]
offers = docs[:10]
start = time.perf_counter()
sim = TextSimilarity().fit([*offers, *profiles])
matrix = sim.similarities(offers, profiles)
scorer = Scorer(engine.taxonomy, engine.rules)
candidates = CandidateMatrix.build(scorer, profiles)
for i, offer in enumerate(offers):
    ranking = sorted(scorer.score_many(offer, candidates, list(matrix[i])), key=lambda s: -s.score)
print(time.perf_counter() - start)
"""
    out = subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--naive-sample", type=int, default=1000, help="CVs for the naive pipeline (extrapolated)")
    parser.add_argument("--only", default="0,1,2,3,4,5,6")
    args = parser.parse_args()
    only = {int(x) for x in args.only.split(",")}
    root = build()
    cvs, offers = root / "cvs", sorted((root / "offers").glob("*.txt"))
    work = Path(tempfile.mkdtemp(prefix="matchstage-bench-"))
    cache = work / "cache"
    folder = work / "cvs"
    shutil.copytree(cvs, folder, copy_function=os.link)
    match = [str(BIN / "matchstage"), "match", "-q", "--format", "json", "--cache-dir", str(cache)]
    rows: list[tuple[str, float, int, float, str]] = []

    def run(label: str, command: list[str], n: int, note: str = "") -> None:
        wall, peak = measure(command)
        rows.append((label, wall, n, peak, note))
        print(f"{label:<44} {wall:7.1f} s {n / wall:7.1f} CVs/s {peak:7.0f} MB {note}", flush=True)

    if 0 in only:
        n = min(args.naive_sample, 1000)
        wall, peak = measure([str(BIN / "python"), str(HERE / "naive.py"), str(offers[0]), str(cvs), str(n)])
        note = "" if n == 1000 else f"(measured on {n}, extrapolated)"
        rows.append(("0 naive pipeline, cold, 1,000 CVs", wall * 1000 / n, 1000, peak, note))
        print(f"{rows[-1][0]:<44} {rows[-1][1]:7.1f} s {1000 / rows[-1][1]:7.1f} CVs/s {peak:7.0f} MB {note}")
    if 1 in only:
        run("1 cold, empty cache, 1,000 CVs, 1 offer", [*match, str(offers[0]), str(folder)], 1000)
    if 2 in only:
        run("2 same run again, warm cache", [*match, str(offers[0]), str(folder)], 1000)
    if 3 in only:
        run("3 warm cache, a new offer", [*match, str(offers[1]), str(folder)], 1000)
    if 4 in only:
        for extra in sorted((root / "extra").glob("*.pdf")):
            os.link(extra, folder / extra.name)
        run("4 warm cache, 10 new CVs", [*match, str(offers[0]), str(folder)], 1010)
    if 5 in only:
        run("5 warm cache, 5 offers × 1,010 CVs", [*match, *map(str, offers[:5]), str(folder)], 1010)
    lines = [f"# matchstage bench — {date.today()} — {platform.node() or 'machine'}, {os.cpu_count()} cores", "",
             "| scenario | wall (s) | CVs/s | peak (MB) | note |", "|---|---|---|---|---|"]
    lines += [f"| {label} | {wall:.1f} | {n / wall:.1f} | {peak:.0f} | {note} |" for label, wall, n, peak, note in rows]
    naive = next((r for r in rows if r[0].startswith("0 ")), None)
    cold = next((r for r in rows if r[0].startswith("1 ")), None)
    if naive and cold:
        lines.append(f"\ncold speed-up over the naive pipeline: {naive[1] / cold[1]:.1f}x")
    if 6 in only:
        seconds = scoring_scale(cache)
        lines.append(f"scoring 10,000 cached CVs against 10 offers: {seconds:.2f} s")
    print("\n".join(lines[4 + len(rows):]))
    (HERE / "last_results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

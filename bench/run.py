"""make bench: how long matchstage takes, and how much memory, in the situations a user meets; beside
the naive pipeline (bench/naive.py) on the same CVs.

Every scenario runs as a fresh process, so that start-up (imports, loading the French pipeline) counts.
Wall time comes from the clock around the process; peak memory from ``os.wait4``'s rusage
(``ru_maxrss``: the largest resident set of the process or of any worker it waited for), and, beside
it, the process tree's summed PSS sampled every 0.2 s (what forked workers really add together).

Scenarios (the CVs are hard links to bench/corpus/, in a temporary folder):

0. the naive pipeline, cold, 1,000 CVs, one offer (``--naive-sample N`` times it on N CVs and on none,
   and extrapolates: start-up + per-CV time × 1,000; labelled so);
1. matchstage, empty cache, 1,000 CVs, one offer;
2. the same run again (warm cache);
3. warm cache, an offer not seen before;
4. warm cache, the 1,000 CVs and 10 new ones;
5. warm cache, 5 offers (not seen before) against the 1,000 CVs;
6. scoring scale: 10,000 cached CVs (the 1,000 profiles ten times) against 10 offers, timing only the
   library's ``rank`` (reading the cache and the offers' analysis are not timed);
7. the reading bound: the 1,000 CVs' text extracted by matchstage's readers in ``--jobs`` workers and
   nothing else (pypdf's share of a cold run: what scenario 1 would take if analysis cost nothing).

Scenarios 3-6 each start from a copy of the cache as scenario 1 left it, so that they do not depend on
one another; 2-6 run ``--repeat`` times (median reported). Timing is reported, never asserted: the
test suite does not look at it.

Usage: python bench/run.py [--only 0,1,2] [--jobs N] [--repeat N] [--cold-repeat N] [--naive-sample N]
                           [--keep] [--profile N]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))
import make_corpus  # noqa: E402

CVS = make_corpus.CVS
RESULTS = HERE / "last_results.md"
# What the scenarios aim at (the project's targets); reported beside the figures, never asserted.
TARGET_SECONDS = {2: 1.5, 3: 2.5, 6: 3.0}
TARGET_SPEEDUP = 3.0
TARGET_MB = 600.0
MEMORY_SCENARIOS = {1, 2, 3, 4, 5}


@dataclasses.dataclass
class Measure:
    wall: float
    rss_mb: float  # ru_maxrss of the process and its waited-for children (largest single process)
    tree_mb: float  # largest sampled sum of PSS over the process tree (0 if /proc has no PSS)
    stdout: Path
    stderr: Path
    cpu: float = 0.0  # user + system seconds of the process and its waited-for children
    load: float = 0.0  # 1-minute load average when it started (other work on the machine)


@dataclasses.dataclass
class Row:
    number: int
    label: str
    wall: float
    cvs: int
    rss_mb: float
    tree_mb: float
    note: str = ""
    cpu: float = 0.0
    load: float = 0.0
    walls: tuple[float, ...] = ()

    @property
    def rate(self) -> float:
        return self.cvs / self.wall if self.wall > 0 else 0.0

    @property
    def spread(self) -> str:
        return f"{min(self.walls):.2f}–{max(self.walls):.2f}" if len(self.walls) > 1 else ""


def median_measure(measures: Sequence[Measure]) -> tuple[Measure, tuple[float, ...]]:
    """The run of median wall time (its memory, CPU and output), and every wall time."""
    ordered = sorted(measures, key=lambda m: m.wall)
    return ordered[(len(ordered) - 1) // 2], tuple(m.wall for m in measures)


# -- measuring one process -------------------------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped; keeps the largest."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.pid)))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(command: Sequence[str], work: Path, name: str, env: dict[str, str] | None = None) -> Measure:
    """Run ``command`` once as a child process; its wall time and peak memory. Raises on failure."""
    stdout, stderr = work / f"{name}.out", work / f"{name}.err"
    load = os.getloadavg()[0]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, env=env)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
    process.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = stderr.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"bench: exit {code} from {' '.join(command)}\n{tail}")
    return Measure(wall, usage.ru_maxrss / 1024, sampler.peak_kb / 1024, stdout, stderr,
                   usage.ru_utime + usage.ru_stime, load)


# -- the work folder -------------------------------------------------------------------------------------

def link_all(files: Sequence[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        try:
            os.link(path, folder / path.name)
        except OSError:  # another file system: copy
            shutil.copy2(path, folder / path.name)
    return folder


def ranked_counts(stdout: Path) -> list[int]:
    """How many candidates each offer of a ``--format json`` output ranks."""
    data = json.loads(stdout.read_text(encoding="utf-8"))
    return [len(offer["ranking"]) for offer in data["offers"]]


def source_digest() -> str:
    """A hash of matchstage's code and models, to notice another engineer's edit during a run."""
    digest = hashlib.sha256()
    for folder in (ROOT / "src" / "matchstage", ROOT / "models"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


SPACY_CHECK = """
import atexit, sys
atexit.register(lambda: open({flag!r}, "w").write(str(any(m == "spacy" or m.startswith("spacy.")
                                                        for m in sys.modules))))
sys.argv = {argv!r}
from matchstage.cli import main
main()
"""


def loads_spacy(argv: list[str], work: Path) -> bool:
    """Whether a ``matchstage`` run with these arguments imports spaCy (run once more, untimed)."""
    flag = work / "spacy-loaded.txt"
    code = SPACY_CHECK.format(flag=str(flag), argv=["matchstage", *argv])
    subprocess.run([str(BIN / "python"), "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return flag.read_text() == "True"


# -- scenario 7: reading alone ---------------------------------------------------------------------------

READING = """
from pathlib import Path
from matchstage.reading.documents import ReadLimits
from matchstage.reading.extraction import read_many
paths = sorted(Path({folder!r}).glob("*.pdf"))
print(sum(getattr(outcome, "pages", 0) for _, outcome in read_many(paths, ReadLimits(), jobs={jobs})))
"""

# -- scenario 6: scoring scale, in its own process ----------------------------------------------------------

SCORING = """
import dataclasses, json, resource, sys, time
from pathlib import Path
from matchstage.cache import Cache
from matchstage.match import Engine, MatchOptions, prepare, rank

offers = [Path(p) for p in {offers!r}]
with Cache(Path({cache!r})) as cache:
    engine = Engine.create(cache=cache)
    options = MatchOptions(cache_dir=Path({cache!r}))
    run = prepare(offers, Path({folder!r}), options, engine)
    spacy_loaded = "spacy" in sys.modules
    copies = {copies}
    candidates = tuple(dataclasses.replace(c, id=f"{{c.id}}~{{k}}") for k in range(copies) for c in run.candidates)
    big = dataclasses.replace(run, candidates=candidates, candidate_profiles=run.candidate_profiles * copies,
                              candidate_texts=run.candidate_texts * copies)
    weights = engine.rules.weights
    try:  # what rank() imports when it first fits TF-IDF (scikit-learn, SciPy): not the scoring's own time
        from matchstage.ranking.scoring import TextSimilarity
        TextSimilarity.preload()
    except (ImportError, AttributeError):
        pass
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu_started = time.perf_counter(), time.process_time()
    result = rank(big, engine, weights)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parts = {{}}
    try:  # where the time goes, with the building blocks rank() uses today (skipped if they change)
        from matchstage.analysis.pipeline import collection_paused
        from matchstage.ranking.scoring import CandidateMatrix, Scorer, TextSimilarity
        paused = collection_paused()  # as in rank()
        paused.__enter__()
        t0 = time.perf_counter()
        text = TextSimilarity.fitted_similarities(big.offer_profiles, big.candidate_profiles)
        t1 = time.perf_counter()
        scorer = Scorer(engine.taxonomy, engine.rules, weights)
        matrix = CandidateMatrix.build(scorer, big.candidate_profiles)
        t2 = time.perf_counter()
        for i, offer in enumerate(big.offer_profiles):
            scorer.score_many(offer, matrix, list(text[i]))
        t3 = time.perf_counter()
        paused.__exit__(None, None, None)
        parts = {{"text TF-IDF (fitted, not read back)": t1 - t0, "candidate matrix": t2 - t1,
                  "facet scores (Scorer.score_many)": t3 - t2}}
    except Exception as exc:
        parts = {{"breakdown unavailable": repr(exc)}}
print(json.dumps({{"seconds": seconds, "cpu_seconds": cpu_seconds, "offers": len(result.offers),
                  "candidates": len(big.candidates), "ranked": [len(o.ranking) for o in result.offers],
                  "spacy_loaded": spacy_loaded, "rss_before_mb": before / 1024, "rss_after_mb": after / 1024,
                  "parts": parts}}))
"""


# -- profiling ------------------------------------------------------------------------------------------

def profile(command: list[str], work: Path, name: str) -> str:
    """Top costs of one matchstage run: cProfile of the main process, and the slowest imports."""
    prof = work / f"{name}.prof"
    argv = command[1:]
    subprocess.run([str(BIN / "python"), "-m", "cProfile", "-o", str(prof), "-m", "matchstage", *argv],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    imports = subprocess.run([str(BIN / "python"), "-X", "importtime", "-m", "matchstage", *argv],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True).stderr
    buffer = io.StringIO()
    stats = pstats.Stats(str(prof), stream=buffer)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    rows = []
    for line in imports.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
            if parts[1].isdigit():
                rows.append((int(parts[1]), parts[2]))
    top = [(us, mod) for us, mod in rows if not mod.startswith(" ")]  # top-level imports only
    lines = [f"{us / 1e6:6.2f} s  {mod}" for us, mod in sorted(top, reverse=True)[:12]]
    return buffer.getvalue() + "\nslowest top-level imports (cumulative):\n" + "\n".join(lines)


# -- the report -------------------------------------------------------------------------------------------

def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine() -> str:
    memory = "?"
    try:
        with open("/proc/meminfo") as handle:
            kb = int(handle.readline().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Linux {platform.release()}, Python {platform.python_version()}"


def commit() -> str:
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--", "src", "models", "pyproject.toml")
    return head + (" + uncommitted changes in src/models" if dirty else "")


def verdict(row: Row, speedup: float | None) -> str:
    marks = []
    if row.number in TARGET_SECONDS:
        limit = TARGET_SECONDS[row.number]
        marks.append(f"< {limit:g} s {'ok' if row.wall < limit else 'MISSED'}")
    if row.number == 1 and speedup is not None:
        marks.append(f"≥ {TARGET_SPEEDUP:g}× naive {'ok' if speedup >= TARGET_SPEEDUP else 'MISSED'}")
    # The memory target is for 1,000 CVs (scenario 6 holds 10,000): the whole process tree when it was sampled
    # (workers included), else the largest process.
    memory = row.tree_mb or row.rss_mb
    if row.number in MEMORY_SCENARIOS and memory:
        marks.append(f"< {TARGET_MB:g} MB {'tree ' if row.tree_mb else ''}{'ok' if memory < TARGET_MB else 'MISSED'}")
    return "; ".join(marks)


def table(rows: list[Row], speedup: float | None) -> list[str]:
    lines = ["| scenario | wall (s) | runs: min–max | CPU (s) | load | CVs/s | peak RSS (MB) | tree PSS (MB) | "
             "target | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        tree = f"{row.tree_mb:.0f}" if row.tree_mb else "–"
        rss = f"{row.rss_mb:.0f}" if row.rss_mb else "–"
        cpu = f"{row.cpu:.2f}" if row.cpu else "–"
        lines.append(f"| {row.number} {row.label} | {row.wall:.2f} | {row.spread} | {cpu} | {row.load:.1f} | "
                     f"{row.rate:,.0f} | {rss} | {tree} | {verdict(row, speedup)} | {row.note} |")
    return lines


# -- main ------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="0,1,2,3,4,5,6,7", help="scenarios to run, e.g. 1,2,3 (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="matchstage --jobs (default: cores)")
    parser.add_argument("--naive-sample", type=int, default=CVS, metavar="N",
                        help=f"time the naive pipeline on N CVs and extrapolate to {CVS} (default: all, no "
                             "extrapolation)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="use only the first N CVs (a quick check; results are not written)")
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="run scenarios 2-6 N times each, each from its own copy of the cache, and report the "
                             "median (default: 3)")
    parser.add_argument("--cold-repeat", type=int, default=1, metavar="N",
                        help="run scenario 1 N times, each with an empty cache (default: 1)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (caches, outputs)")
    parser.add_argument("--profile", type=int, default=None, metavar="N",
                        help="also run matchstage scenario N (1-5) under cProfile and -X importtime; print the top")
    parser.add_argument("--write", action="store_true", help="write bench/last_results.md even for a partial run")
    parser.add_argument("--corpus", type=Path, default=make_corpus.DEFAULT_OUT, help="corpus folder")
    args = parser.parse_args()
    only = {int(x) for x in args.only.split(",") if x.strip()}
    partial = only != set(range(8)) or args.limit is not None or args.naive_sample < CVS

    root = make_corpus.build(args.corpus)
    cv_files = sorted((root / "cvs").glob("*.pdf"))[: args.limit]
    extra_files = sorted((root / "extra").glob("*.pdf"))
    offers = sorted((root / "offers").glob("offer_*.txt"), key=lambda p: int(p.stem.split("_")[1]))
    scale_offers = offers + sorted((root / "scale_offers").glob("offer_*.txt"), key=lambda p: int(p.stem.split("_")[1]))
    n = len(cv_files)

    work = Path(tempfile.mkdtemp(prefix="matchstage-bench-"))
    folder = link_all(cv_files, work / "cvs")
    folder_plus = link_all([*cv_files, *extra_files], work / "cvs_plus")
    cold_cache, snapshot = work / "cache", work / "cache-after-1"
    started_digest, load = source_digest(), os.getloadavg()
    rows: list[Row] = []
    checks: list[str] = []

    def matchstage(offer_paths: Sequence[Path], cvs: Path, cache: Path) -> list[str]:
        return [str(BIN / "matchstage"), "match", *map(str, offer_paths), str(cvs), "--format", "json",
                "--cache-dir", str(cache), "--jobs", str(args.jobs), "-q"]

    def fresh_cache(name: str) -> Path:
        target = work / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(snapshot, target)
        return target

    def record(number: int, label: str, measures: Sequence[Measure], cvs: int, note: str = "",
               expect: tuple[int, int] | None = None) -> None:
        measured, walls = median_measure(measures)
        if expect is not None:
            for each in measures:
                counts = ranked_counts(each.stdout)
                offers_wanted, ranked_wanted = expect
                if len(counts) != offers_wanted or any(c != ranked_wanted for c in counts):
                    note = (note + f" ranked {counts}, expected {offers_wanted}×{ranked_wanted}").strip()
                    break
        if len(measures) > 1:
            note = (f"median of {len(measures)}; " + note).strip("; ")
        row = Row(number, label, measured.wall, cvs, measured.rss_mb, measured.tree_mb, note, measured.cpu,
                  measured.load, walls)
        rows.append(row)
        print(f"{number} {label:<46} {row.wall:8.2f} s [{row.spread}] {row.cpu:7.2f} CPU s {row.rate:8,.0f} CVs/s "
              f"{row.rss_mb:6.0f} MB RSS {row.tree_mb:6.0f} MB tree  load {row.load:.1f}  {note}", flush=True)

    def run(number: int, label: str, command: Callable[[], list[str]], cvs: int, expect: tuple[int, int],
            note: str = "") -> None:
        """``command`` is called before each repeat (so that it can give each its own copy of the cache)."""
        measures = [measure(command(), work, f"scenario{number}-{k}") for k in range(max(1, args.repeat))]
        record(number, label, measures, cvs, note, expect)

    print(f"bench: {n} CVs, {args.jobs} jobs, work folder {work}", flush=True)
    if 0 in only:
        naive = [str(BIN / "python"), str(HERE / "naive.py"), str(offers[0])]
        sample = min(args.naive_sample, n)
        if sample >= n:
            record(0, f"naive pipeline, cold, {n:,} CVs, 1 offer", [measure([*naive, str(folder)], work, "naive")], n)
        else:
            step = n / sample
            picked = [cv_files[int(k * step)] for k in range(sample)]
            measured = measure([*naive, str(link_all(picked, work / "naive-sample"))], work, "naive")
            started = measure([*naive, str(link_all([], work / "naive-empty"))], work, "naive-startup")
            startup = started.wall
            per_cv = (measured.wall - startup) / sample
            measured.wall = startup + per_cv * n
            measured.cpu = started.cpu + (measured.cpu - started.cpu) / sample * n
            record(0, f"naive pipeline, cold, {n:,} CVs, 1 offer", [measured], n,
                   f"EXTRAPOLATED from {sample} CVs ({startup:.1f} s start-up + {per_cv:.3f} s/CV × {n})")
    needs_cache = only & {2, 3, 4, 5, 6}
    if 1 in only or needs_cache:
        command = matchstage(offers[:1], folder, cold_cache)
        if 1 in only:
            colds = []
            for k in range(max(1, args.cold_repeat)):
                shutil.rmtree(cold_cache, ignore_errors=True)
                colds.append(measure(command, work, f"scenario1-{k}"))
            record(1, f"cold, empty cache, {n:,} CVs, 1 offer", colds, n, "", (1, n))
        else:
            measure(command, work, "warm-up")
            print("  (cache warmed, untimed)", flush=True)
        shutil.copytree(cold_cache, snapshot)
    if 2 in only:
        run(2, "same run again, warm cache", lambda: matchstage(offers[:1], folder, cold_cache), n, (1, n))
        loaded = loads_spacy(matchstage(offers[:1], folder, cold_cache)[1:], work)
        checks.append(f"warm run with every document cached loads spaCy: {'YES' if loaded else 'no'}")
    if 3 in only:
        run(3, "warm cache, a new offer", lambda: matchstage(offers[1:2], folder, fresh_cache("cache3")), n, (1, n))
    if 4 in only:
        run(4, f"warm cache, {len(extra_files)} new CVs",
            lambda: matchstage(offers[:1], folder_plus, fresh_cache("cache4")), n + len(extra_files),
            (1, n + len(extra_files)))
    if 5 in only:
        run(5, f"warm cache, 5 new offers × {n:,} CVs", lambda: matchstage(offers[1:6], folder, fresh_cache("cache5")),
            n, (5, n), "5 offers new to the cache")
    if 6 in only:
        base6 = fresh_cache("cache6-base")
        # The 10 offers analysed into the cache beforehand, untimed (against one CV: offers are cached alone).
        measure(matchstage(scale_offers, link_all(cv_files[:1], work / "one-cv"), base6), work, "scoring-warm-up")
        copies = 10_000 // max(n, 1)
        measures, results = [], []
        for k in range(max(1, args.repeat)):
            cache6 = work / f"cache6-{k}"  # each from the cache as warmed up (no similarities kept from a repeat)
            shutil.copytree(base6, cache6)
            code = SCORING.format(offers=[str(p) for p in scale_offers], cache=str(cache6), folder=str(folder),
                                  copies=copies)
            measured = measure([str(BIN / "python"), "-c", code], work, f"scoring-{k}")
            result: dict[str, Any] = json.loads(measured.stdout.read_text().strip().splitlines()[-1])
            measured.wall = result["seconds"]
            measured.cpu = result["cpu_seconds"]
            measured.tree_mb = 0.0  # the tree figure would be the whole process's, not the scoring's
            measures.append(measured)
            results.append(result)
        result = results[[m.wall for m in measures].index(median_measure(measures)[0].wall)]
        parts = ", ".join(f"{k} {v:.2f} s" if isinstance(v, float) else f"{k}: {v}"
                          for k, v in result["parts"].items())
        note = f"only rank() timed (libraries imported before); {parts}"
        if result["spacy_loaded"]:
            note += "; spaCy was loaded"
        record(6, f"scoring scale: {result['candidates']:,} cached CVs × {result['offers']} offers", measures,
               result["candidates"], note)
        checks.append(f"scenario 6 process: peak RSS {result['rss_before_mb']:.0f} MB after loading "
                      f"{n:,} profiles and 10 offers from the cache, {result['rss_after_mb']:.0f} MB after "
                      "scoring")

    if 7 in only:
        code = READING.format(folder=str(folder), jobs=args.jobs)
        measured = measure([str(BIN / "python"), "-c", code], work, "reading")
        pages = int(measured.stdout.read_text().split()[0])
        record(7, f"reading only (the pypdf bound), {n:,} CVs", [measured], n,
               f"{pages:,} pages, {measured.cpu * 1000 / max(pages, 1):.0f} ms CPU a page")

    ended_digest = source_digest()
    naive_row = next((r for r in rows if r.number == 0), None)
    cold_row = next((r for r in rows if r.number == 1), None)
    speedup = naive_row.wall / cold_row.wall if naive_row and cold_row else None
    summary = []
    if speedup is not None:
        extrapolated = " (naive extrapolated)" if naive_row and "EXTRAPOLATED" in naive_row.note else ""
        summary.append(f"Cold matchstage vs the naive pipeline: {speedup:.1f}× faster{extrapolated}.")
        if naive_row and cold_row and cold_row.cpu:
            summary.append(f"CPU time (less sensitive to other work on the machine): naive {naive_row.cpu:.0f} s, "
                           f"matchstage {cold_row.cpu:.0f} s ({naive_row.cpu / cold_row.cpu:.1f}× less), spread "
                           f"over {args.jobs} cores.")
    summary += [c[0].upper() + c[1:] + "." for c in checks]
    if ended_digest != started_digest:
        summary.append("WARNING: matchstage's code or models changed during the run; figures may mix versions.")

    lines = table(rows, speedup)
    print("\n" + "\n".join(lines + [""] + summary))
    header = [
        "# matchstage bench — last results", "",
        f"- date: {datetime.now().astimezone().isoformat(timespec='minutes')}",
        f"- machine: {machine()}",
        f"- load average at start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (the load column: 1-minute load "
        "average when each scenario started, the bench's own previous scenario included)",
        f"- git commit: {commit()}",
        f"- corpus: {make_corpus.summary(root)}",
        f"- command: `python bench/run.py {' '.join(sys.argv[1:])}`".replace("`python bench/run.py `",
                                                                          "`python bench/run.py`"),
        f"- matchstage `--jobs {args.jobs}`; peak RSS is `ru_maxrss` from `os.wait4` (largest single process); "
        "tree PSS is the largest sampled sum over the process and its workers (every 0.2 s)", "",
    ]
    if partial and not args.write:
        print(f"\n(partial run: {RESULTS.name} not written; --write to write it)")
    else:
        RESULTS.write_text("\n".join(header + lines + [""] + summary) + "\n", encoding="utf-8")
        print(f"\nwritten to {RESULTS.relative_to(ROOT)}")

    if args.profile is not None:
        commands: dict[int, Callable[[], list[str]]] = {
            1: lambda: matchstage(offers[:1], folder, work / "cache-profile"),
            2: lambda: matchstage(offers[:1], folder, cold_cache),
            3: lambda: matchstage(offers[1:2], folder, fresh_cache("cache-profile3")),
            4: lambda: matchstage(offers[:1], folder_plus, fresh_cache("cache-profile4")),
            5: lambda: matchstage(offers[1:6], folder, fresh_cache("cache-profile5")),
        }
        if args.profile not in commands or (args.profile > 1 and not snapshot.exists()):
            print(f"--profile {args.profile}: needs a scenario 1-5 (2-5 with their cache warmed in this run)")
        else:
            print(f"\n# profile of scenario {args.profile}\n" + profile(commands[args.profile](), work,
                                                                       f"profile{args.profile}"))
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Read many files in worker processes, so that a hostile file costs a skip and never the run.

A PDF can make pypdf loop for minutes, eat memory without bound or crash the interpreter. Each file is
read by one of a few long-lived workers (started with ``fork``, fed over a pipe); the parent enforces
the per-file timeout by killing the worker and starting a replacement, and a worker that dies marks
its file as damaged. Results come back in completion order, every path exactly once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import faulthandler
import functools
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.reading.readers import ocr, preload, read_document
from matchstage.reading.readers.text import HtmlReader, TextReader

# Address space a worker may add to what it inherits from the parent (RLIMIT_AS). A decompression
# bomb then fails inside the worker with MemoryError (reported "too-large") or kills it ("corrupt").
WORKER_MEMORY_BYTES = 2 * 1024**3
# How long a finished worker gets to exit on its own before it is killed.
_EXIT_GRACE_S = 2.0

Outcome = Document | Unreadable
# A worker's message that is not an outcome: the file needs more time (see readers.ocr.time_needed).
_MORE_TIME = "more-time"
PLAIN_TEXT_SUFFIXES = frozenset((*TextReader.suffixes, *HtmlReader.suffixes))


def default_jobs() -> int:
    """How many worker processes a run uses by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def _limit_memory() -> None:
    """Cap this process's address space at what it has now plus WORKER_MEMORY_BYTES."""
    inherited = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                inherited = int(line.split()[1]) * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = inherited + WORKER_MEMORY_BYTES
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def jobs_received(conn: Connection) -> Iterator[Any]:
    """In a worker process: what the parent sends, one job at a time, until it sends None or goes away."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        yield job


def _worker(conn: Connection) -> None:
    """Read the files the parent sends until it sends None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # A group of its own: killed at a file's deadline, the worker takes the programs it started (OCR) with it.
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    with contextlib.suppress(OSError):  # nothing a reader library prints may reach the user's terminal
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        sys.stderr = open(os.devnull, "w")  # lives as long as the worker
    if faulthandler.is_enabled():  # (python -X faulthandler, pytest): its dump of a crash goes nowhere either;
        faulthandler.disable()  # the parent reports the crash, as "corrupt"
    _limit_memory()
    for index, path, limits in jobs_received(conn):
        ocr.time_needed = functools.partial(_ask_for_time, conn, index)
        reply: Document | tuple[str, str]  # a skip travels as plain values: Unreadable does not pickle
        try:
            reply = read_document(Path(path), limits)
        except Unreadable as exc:
            reply = (exc.reason.value, exc.detail)
        except MemoryError:
            reply = (SkipReason.TOO_LARGE.value, "reading it needs more memory than allowed")
        except BaseException as exc:  # read_document wraps everything; this is the last line of defence
            reply = (SkipReason.CORRUPT.value, f"the reader failed: {type(exc).__name__}")
        try:
            conn.send((index, reply))
        except MemoryError:
            conn.send((index, (SkipReason.TOO_LARGE.value, "its text is too large to hand back")))
        except (OSError, EOFError):
            return


def _ask_for_time(conn: Connection, index: int, seconds: float) -> None:
    """In a worker: tell the parent that file ``index`` needs ``seconds`` more from now (OCR is starting)."""
    with contextlib.suppress(OSError, EOFError):
        conn.send((index, _MORE_TIME, seconds))


@dataclass
class _Job:
    index: int
    path: Path
    started: float
    deadline: float


class _Worker:
    def __init__(self, context: BaseContext) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(target=_worker, args=(child,), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()
        self.job: _Job | None = None

    def give(self, job: _Job, limits: ReadLimits) -> None:
        self.job = job
        self.conn.send((job.index, str(job.path), limits))

    def kill(self) -> None:
        if self.process.is_alive():
            if self.process.pid:  # the worker's group: it and the OCR processes it started
                with contextlib.suppress(OSError):
                    os.killpg(self.process.pid, signal.SIGKILL)
            self.process.kill()
        self.process.join(_EXIT_GRACE_S)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(_EXIT_GRACE_S)
        self.kill()


def _crash_detail(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"the reader crashed ({signal.Signals(-code).name})"
    return "the reader crashed"


def read_many(paths: Sequence[Path], limits: ReadLimits, jobs: int = 2) -> Iterator[tuple[Path, Outcome]]:
    """Read ``paths`` in ``jobs`` worker processes; yield ``(path, Document or Unreadable)`` as each finishes.

    Every path comes back exactly once, in completion order. A file that takes longer than
    ``limits.timeout_s`` is reported as ``timeout`` and its worker replaced; a worker that dies
    reports its file as ``corrupt``. Closing the iterator early, or an interrupt, ends the workers.
    """
    for path, outcome, _ in read_many_timed(paths, limits, jobs):
        yield path, outcome


def read_many_timed(paths: Sequence[Path], limits: ReadLimits, jobs: int = 2) -> Iterator[tuple[Path, Outcome, float]]:
    """:func:`read_many`, with the seconds each file took from being handed to a worker to its outcome."""
    if not paths:
        return
    limits = dataclasses.replace(limits, ocr_jobs=max(1, jobs))  # a scan's pages are read by OCR as many at once
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    if any(path.suffix.lower() not in PLAIN_TEXT_SUFFIXES for path in paths):
        preload()  # PDF and office libraries, for the workers to share; plain-text offers need neither
    pending = deque(enumerate(paths))
    retried: set[int] = set()
    workers = [_Worker(context) for _ in range(min(max(jobs, 1), len(paths)))]
    try:
        while pending or any(w.job for w in workers):
            for position, worker in enumerate(workers):
                if worker.job is None and pending:
                    index, path = pending.popleft()
                    now = time.monotonic()
                    try:
                        worker.give(_Job(index, path, now, now + limits.timeout_s), limits)
                    except (OSError, ValueError):  # it died while idle: not the file's fault, try once more
                        worker.job = None
                        worker.kill()
                        workers[position] = _Worker(context)
                        if index in retried:
                            yield path, Unreadable(SkipReason.CORRUPT, "the reader could not start"), 0.0
                        else:
                            retried.add(index)
                            pending.appendleft((index, path))
            busy = [w for w in workers if w.job]
            if not busy:
                continue
            nearest = min(w.job.deadline for w in busy if w.job)
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(0.0, nearest - time.monotonic())))
            for position, worker in enumerate(workers):
                job = worker.job
                if job is None:
                    continue
                if worker.conn in ready or worker.process.sentinel in ready:
                    outcome, healthy = _collect(worker)
                    if isinstance(outcome, float):  # not done yet: OCR started, the file's deadline moves
                        job.deadline = max(job.deadline, time.monotonic() + outcome)
                        continue
                elif time.monotonic() >= job.deadline:
                    outcome, healthy = Unreadable(SkipReason.TIMEOUT, f"{limits.timeout_s:g} s"), False
                else:
                    continue
                worker.job = None
                if not healthy:
                    worker.kill()
                    workers[position] = _Worker(context)
                yield job.path, outcome, time.monotonic() - job.started
    finally:
        for worker in workers:
            if worker.job is None:
                worker.stop()
            else:
                worker.kill()


def _collect(worker: _Worker) -> tuple[Outcome | float, bool]:
    """The outcome a worker sent back, or the crash that ended it; and whether the worker can go on. A float
    instead of an outcome: the worker is still reading and needs that many seconds more from now."""
    try:
        if worker.conn.poll():
            message = worker.conn.recv()
            if len(message) == 3 and message[1] == _MORE_TIME:
                return float(message[2]), True
            reply = message[1]
            if isinstance(reply, Document):
                return reply, True
            return Unreadable(SkipReason(reply[0]), reply[1]), True
    except Exception:  # a broken pipe or a reply cut short: the worker is gone
        pass
    worker.process.join(_EXIT_GRACE_S)
    return Unreadable(SkipReason.CORRUPT, _crash_detail(worker.process)), False

"""Analyse documents into profiles in worker processes, while the run goes on in the parent.

Turning a CV's text into a profile (sections, lemmas, concepts) is what a cold run spends most of its
time on, and the French pipeline takes a second or two to load. The first worker is forked as soon as
work is announced and loads the pipeline (or finds it loaded, when the parent had loaded it); the
others are forked *from that first worker* once it has loaded, so that the pipeline is loaded once and
its memory shared between them (copy-on-write; ``gc.freeze`` keeps the collector from touching it).
More workers are asked for whenever more documents wait than the running ones can take, up to
``max_workers``. Meanwhile the parent reads PDFs, decodes the cache, imports scikit-learn: when only
a new offer needs analysing, the pipeline loads in the background while the cached candidates are
decoded.

Results come back by batch; :meth:`AnalysisPool.result` waits for one. An exception in a worker is
raised again in the parent. The batches of a worker that dies go to the others, or to the parent when
none is left. With ``max_workers=0`` (one CPU, or no ``fork``) everything is analysed in the parent.
"""

from __future__ import annotations

import contextlib
import gc
import math
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from matchstage.analysis.profiles import Profile, Profiler
from matchstage.reading.extraction import jobs_received

# Documents per batch sent to a worker: small enough to spread the work evenly, large enough for
# spaCy's batching (a CV is about eight sections) and to keep the messages few.
BATCH_DOCUMENTS = 8
# Batches a worker holds at once (one being analysed, one waiting), so that it never waits for the parent.
_IN_FLIGHT = 2
# Another worker is asked for when more documents than this wait per running worker: below it, one
# more process costs about what it saves.
DOCUMENTS_PER_WORKER = 40
_EXIT_GRACE_S = 2.0

# (candidate id, file name, text) for a candidate's document; the text alone for an offer.
CandidateDocument = tuple[str, str, str]
# Run once in the first worker (``in_worker`` True) or in the parent when it analyses itself: returns
# the profiler, and a value for ``on_ready`` (None: nothing to say).
Starter = Callable[[bool], tuple[Profiler, Any]]


def fork_available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@dataclass
class _Batch:
    id: int
    kind: str  # "offers" or "documents"
    items: list[Any]
    on_done: Callable[[], None]


@dataclass
class _Worker:
    conn: Connection
    pid: int = 0  # known once forked (and reported, for a worker forked by the first one)
    process: BaseProcess | None = None  # the first worker only: the others are the first one's children
    batches: dict[int, _Batch] = field(default_factory=dict)


def _analyse(profiler: Profiler, kind: str, items: Sequence[Any]) -> list[Profile]:
    profiles = profiler.offers(items) if kind == "offers" else profiler.candidate_documents(items)
    for profile in profiles:
        profile.term_counts  # noqa: B018 -- worked out here, in parallel, and sent back with the profile
    return profiles


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError that says what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _first_worker(conn: Connection, spare: list[Connection], start: Starter) -> None:
    """The first worker: start (load the pipeline), say so, then serve; fork the others when asked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        profiler, ready = start(True)
    except BaseException as exc:
        conn.send(("failed", _portable(exc)))
        return
    gc.freeze()  # the pipeline, loaded: shared with the workers forked below, untouched by the collector
    conn.send(("ready", ready))
    children: list[int] = []
    try:
        _serve(conn, profiler, lambda slot: children.append(_fork_sibling(conn, spare, slot, profiler)))
    finally:
        _reap(children)


def _fork_sibling(conn: Connection, spare: list[Connection], slot: int, profiler: Profiler) -> int:
    pid = os.fork()
    if pid == 0:  # the new worker: only its own end of its own pipe stays open
        code = 0
        try:
            conn.close()
            for k, other in enumerate(spare):
                if k != slot:
                    other.close()
            _serve(spare[slot], profiler, lambda _: None)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    spare[slot].close()  # the new worker's
    conn.send(("spawned", slot, pid))
    return pid


def _reap(children: list[int]) -> None:
    deadline = time.monotonic() + _EXIT_GRACE_S
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.01)


def _serve(conn: Connection, profiler: Profiler, spawn: Callable[[int], None]) -> None:
    """Analyse the batches that come until told to stop (None) or the parent goes away."""
    for job in jobs_received(conn):
        if job[0] == "spawn":
            spawn(job[1])
            continue
        batch_id, kind, items = job
        try:
            reply: tuple[Any, ...] = ("done", batch_id, _analyse(profiler, kind, items))
        except BaseException as exc:
            reply = ("error", batch_id, _portable(exc))
        try:
            conn.send(reply)
        except (OSError, EOFError):
            return


class AnalysisPool:
    """Profiles of offers and candidates' documents, analysed by up to ``max_workers`` worker processes.

    ``before_start`` runs in the parent once, before the first worker is forked (what it prepares, the
    workers inherit); ``start`` runs in the first worker, or here for work done in the parent, and
    returns the profiler and a value handed to ``on_ready`` in the parent.
    """

    def __init__(self, start: Starter, *, max_workers: int, before_start: Callable[[], None] = lambda: None,
                 on_ready: Callable[[Any], None] = lambda _: None) -> None:
        self._start = start
        self.max_workers = max_workers if fork_available() else 0
        self._before_start: Callable[[], None] | None = before_start
        self._on_ready = on_ready
        self._workers: list[_Worker] = []  # the first one, then those it forked
        self._spare: list[Connection] = []  # the parent's ends of the pipes of workers not forked yet
        self._asked = 0  # workers asked for (forked, or asked of the first one)
        self._queue: deque[_Batch] = deque()
        self._batches: dict[int, _Batch] = {}
        self._results: dict[int, list[Profile]] = {}
        self._profiler: Profiler | None = None
        self._expected = 0
        # Called once, in the parent, when it first has to wait for the workers: something useful to do meanwhile.
        self.on_wait: Callable[[], None] = lambda: None
        self.workers_started = 0
        self.documents = 0

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- submitting ------------------------------------------------------------------------------------
    def expect(self, documents: int) -> None:
        """Announce documents that will be submitted soon (they are being read): workers start now, so that
        the pipeline loads while they are read."""
        if documents > 0:
            self._prepare()
            self._expected += documents
            self._grow()

    def no_more_expected(self) -> None:
        """What was announced and not submitted will not come (files skipped when read)."""
        self._expected = 0

    def submit_offers(self, texts: Sequence[str]) -> list[int]:
        """Analyse offers; returns the batch ids to ask :meth:`results` for."""
        return [self._submit("offers", list(texts), lambda: None)] if texts else []

    def submit_documents(self, documents: Sequence[CandidateDocument],
                         on_done: Callable[[], None] = lambda: None) -> list[int]:
        """Analyse candidates' documents; ``on_done`` is called (in the parent) for each one analysed."""
        return [self._submit("documents", list(documents[i:i + BATCH_DOCUMENTS]), on_done)
                for i in range(0, len(documents), BATCH_DOCUMENTS)]

    def _prepare(self) -> None:
        if self._before_start is not None:
            self._before_start()
            self._before_start = None

    def _submit(self, kind: str, items: list[Any], on_done: Callable[[], None]) -> int:
        self._prepare()
        batch = _Batch(len(self._batches), kind, items, on_done)
        self._batches[batch.id] = batch
        self._queue.append(batch)
        self.documents += len(items)
        if kind == "documents":
            self._expected = max(0, self._expected - len(items))
        self._grow()
        self._dispatch()
        return batch.id

    def _grow(self) -> None:
        """Ask for workers until each has at most DOCUMENTS_PER_WORKER documents to analyse (at least one)."""
        outstanding = self._expected + sum(len(b.items) for b in self._queue)
        outstanding += sum(len(b.items) for w in self._workers for b in w.batches.values())
        wanted = min(self.max_workers, max(1, math.ceil(outstanding / DOCUMENTS_PER_WORKER)))
        if self._asked == 0 and wanted > 0:
            self._fork_first()
        while 0 < self._asked < wanted and self._workers and self._workers[0].process is not None:
            slot = self._asked - 1
            with contextlib.suppress(OSError, ValueError):  # if the first worker is gone, so be it
                self._workers[0].conn.send(("spawn", slot))
            self._asked += 1

    def _fork_first(self) -> None:
        context = multiprocessing.get_context("fork")
        parent_end, child_end = context.Pipe(duplex=True)
        pairs = [context.Pipe(duplex=True) for _ in range(self.max_workers - 1)]
        self._spare = [parent for parent, _ in pairs]
        process = context.Process(target=_first_worker, args=(child_end, [child for _, child in pairs], self._start),
                                  daemon=True)  # type: ignore[attr-defined]
        process.start()
        child_end.close()
        for _, child in pairs:
            child.close()  # the first worker holds them, for the workers it will fork
        self._workers.append(_Worker(parent_end, process.pid or 0, process))
        self._asked = 1
        self.workers_started += 1

    def _dispatch(self) -> None:
        for worker in list(self._workers):
            while self._queue and len(worker.batches) < _IN_FLIGHT:
                batch = self._queue.popleft()
                try:
                    worker.conn.send((batch.id, batch.kind, batch.items))
                except (OSError, ValueError):
                    self._queue.appendleft(batch)
                    self._lose(worker)
                    break
                worker.batches[batch.id] = batch

    # -- collecting ------------------------------------------------------------------------------------
    def poll(self) -> None:
        """Take in whatever the workers have finished, without waiting."""
        self._collect(timeout=0)

    def result(self, batch_id: int) -> list[Profile]:
        """The profiles of one batch, in the order submitted; waits for them."""
        while batch_id not in self._results:
            if not self._workers:
                self._analyse_here(self._batches[batch_id])
                continue
            self._collect(timeout=0)
            if batch_id not in self._results:
                on_wait, self.on_wait = self.on_wait, lambda: None
                on_wait()
                self._collect(timeout=None)
        return self._results[batch_id]

    def results(self, batch_ids: Sequence[int]) -> list[Profile]:
        return [profile for batch_id in batch_ids for profile in self.result(batch_id)]

    def _analyse_here(self, batch: _Batch) -> None:
        if batch in self._queue:
            self._queue.remove(batch)
        if self._profiler is None:
            self._profiler, ready = self._start(False)
            if ready is not None:
                self._on_ready(ready)
        self._finish(batch, _analyse(self._profiler, batch.kind, batch.items))

    def _finish(self, batch: _Batch, profiles: list[Profile]) -> None:
        self._results[batch.id] = profiles
        for _ in profiles:
            batch.on_done()

    def _collect(self, timeout: float | None) -> None:
        if not self._workers:
            return
        by_conn = {w.conn: w for w in self._workers}
        for conn in wait(list(by_conn), timeout=timeout):
            worker = by_conn[conn]  # type: ignore[index]
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                self._lose(worker)
                continue
            if message[0] == "ready":
                if message[1] is not None:
                    self._on_ready(message[1])
            elif message[0] == "spawned":
                _, slot, pid = message
                self._workers.append(_Worker(self._spare[slot], pid))
                self.workers_started += 1
            elif message[0] == "failed":
                raise message[1]
            else:
                _, batch_id, payload = message
                batch = worker.batches.pop(batch_id)
                if message[0] == "error":
                    raise payload
                self._finish(batch, payload)
        self._dispatch()

    def _lose(self, worker: _Worker) -> None:
        """A worker died (killed, out of memory): its batches go back to the queue, for the others or the
        parent. Without the first worker, no more can be forked."""
        if worker in self._workers:
            self._workers.remove(worker)
        self._queue.extendleft(reversed(list(worker.batches.values())))
        worker.batches.clear()
        self._stop(worker, kill=True)
        if worker.process is not None:
            self.max_workers = len(self._workers)

    # -- closing ---------------------------------------------------------------------------------------
    def _stop(self, worker: _Worker, *, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        if worker.process is not None:  # the first worker: it reaps those it forked, then exits
            worker.process.join(0 if kill else 2 * _EXIT_GRACE_S + 1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(_EXIT_GRACE_S)
        elif kill and worker.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker (those still busy are killed)."""
        workers, self._workers = self._workers, []
        for worker in reversed(workers):  # the first one last: it reaps the others
            self._stop(worker, kill=bool(worker.batches))
        for conn in self._spare:
            with contextlib.suppress(OSError):
                conn.close()
        self._spare = []

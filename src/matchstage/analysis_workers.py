"""Analyse documents into profiles in worker processes, while the run goes on in the parent.

Turning a CV's text into a profile (sections, lemmas, concepts) is what a cold run spends most of its
time on, and the French pipeline takes seconds to load. Workers are forked as the work comes: the first
when the first batch is submitted, another each time more documents wait than the running workers can
take, up to ``max_workers``. Each worker loads the pipeline once (or finds it already loaded, when the
parent had loaded it before forking) and then turns batches of documents into profiles. Meanwhile the
parent reads PDFs, decodes the cache and builds matrices: when only a new offer needs analysing, the
pipeline loads in the background while the cached candidates are decoded.

Results come back by batch; :meth:`AnalysisPool.result` waits for one. An exception in a worker is
raised again in the parent. A worker that dies leaves its batches to be analysed in the parent. With
``max_workers=0`` (one CPU, or no ``fork``) everything is analysed in the parent, on demand.
"""

from __future__ import annotations

import contextlib
import gc
import math
import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from matchstage.profiles import Profile, Profiler

# Documents per batch sent to a worker: small enough to spread the work evenly, large enough for
# spaCy's batching (a CV is about eight sections) and to keep the messages few.
BATCH_DOCUMENTS = 8
# Batches a worker holds at once (one being analysed, one waiting), so that it never waits for the parent.
_IN_FLIGHT = 2
# Another worker starts when more documents than this wait per running worker: below it, loading
# the pipeline in one more process costs about what it saves.
DOCUMENTS_PER_WORKER = 40
_EXIT_GRACE_S = 2.0

# (candidate id, file name, text) for a candidate's document; the text alone for an offer.
CandidateDocument = tuple[str, str, str]
# Run once in each worker (``in_worker`` True) or in the parent when it analyses itself: returns the
# profiler, and a value for ``on_ready`` (None: nothing to say).
Starter = Callable[[bool], tuple[Profiler, Any]]


def fork_available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@dataclass
class _Batch:
    id: int
    kind: str  # "offers" or "documents"
    items: list[Any]
    on_done: Callable[[], None]
    worker: _Worker | None = None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
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


def _serve(conn: Connection, start: Starter) -> None:
    """A worker: start (load the pipeline), say so, then analyse batches until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    gc.freeze()  # what was inherited stays shared with the parent: the collector does not touch it
    try:
        profiler, ready = start(True)
        conn.send(("ready", ready))
    except BaseException as exc:
        conn.send(("failed", _portable(exc)))
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
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
    workers inherit); ``start`` runs in each worker, or here for work done in the parent, and returns
    the profiler and a value handed to ``on_ready`` in the parent (once, from the first that has one).
    """

    def __init__(self, start: Starter, *, max_workers: int, before_start: Callable[[], None] = lambda: None,
                 on_ready: Callable[[Any], None] = lambda _: None) -> None:
        self._start = start
        self.max_workers = max_workers if fork_available() else 0
        self._before_start: Callable[[], None] | None = before_start
        self._on_ready = on_ready
        self._workers: list[_Worker] = []
        self._queue: deque[_Batch] = deque()
        self._batches: dict[int, _Batch] = {}
        self._results: dict[int, list[Profile]] = {}
        self._profiler: Profiler | None = None
        self._ready_seen = False
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
        """Announce documents that will be submitted soon (being read): workers start now for them, so
        that the pipeline loads while they are read."""
        if documents > 0:
            self._prepare()
            self._expected += documents
            self._grow()

    def no_more_expected(self) -> None:
        self._expected = 0

    def _prepare(self) -> None:
        if self._before_start is not None:
            self._before_start()
            self._before_start = None

    def submit_offers(self, texts: Sequence[str]) -> list[int]:
        """Analyse offers; returns the batch ids to ask :meth:`results` for."""
        return [self._submit("offers", list(texts), lambda: None)] if texts else []

    def submit_documents(self, documents: Sequence[CandidateDocument],
                         on_done: Callable[[], None] = lambda: None) -> list[int]:
        """Analyse candidates' documents; ``on_done`` is called (in the parent) for each one analysed."""
        return [self._submit("documents", list(documents[i:i + BATCH_DOCUMENTS]), on_done)
                for i in range(0, len(documents), BATCH_DOCUMENTS)]

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
        """Start workers until each has at most DOCUMENTS_PER_WORKER documents to analyse (at least one)."""
        outstanding = self._expected + sum(len(b.items) for b in self._queue)
        outstanding += sum(len(b.items) for w in self._workers for b in w.batches.values())
        wanted = min(self.max_workers, max(1, math.ceil(outstanding / DOCUMENTS_PER_WORKER)))
        while len(self._workers) < wanted:
            self._fork()

    def _fork(self) -> None:
        context = multiprocessing.get_context("fork")
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(target=_serve, args=(child_end, self._start), daemon=True)  # type: ignore[attr-defined]
        process.start()
        child_end.close()
        self._workers.append(_Worker(process, parent_end))
        self.workers_started += 1

    def _dispatch(self) -> None:
        for worker in self._workers:
            while self._queue and len(worker.batches) < _IN_FLIGHT:
                batch = self._queue.popleft()
                try:
                    worker.conn.send((batch.id, batch.kind, batch.items))
                except (OSError, ValueError):
                    self._queue.appendleft(batch)
                    self._lose(worker)
                    break
                batch.worker = worker
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
            self._ready(ready)
        self._finish(batch, _analyse(self._profiler, batch.kind, batch.items))

    def _finish(self, batch: _Batch, profiles: list[Profile]) -> None:
        self._results[batch.id] = profiles
        for _ in profiles:
            batch.on_done()

    def _ready(self, value: Any) -> None:
        if value is not None and not self._ready_seen:
            self._ready_seen = True
            self._on_ready(value)

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
                self._ready(message[1])
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
        """A worker died (killed, out of memory): its batches go back to the queue, or to the parent."""
        self._workers.remove(worker)
        for batch in worker.batches.values():
            batch.worker = None
            self._queue.appendleft(batch)
        worker.batches.clear()
        self._stop(worker, kill=True)
        if not self._workers:  # analysed in the parent from now on, when result() asks
            self.max_workers = 0

    # -- closing ---------------------------------------------------------------------------------------
    def _stop(self, worker: _Worker, *, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
            worker.process.join(_EXIT_GRACE_S)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(_EXIT_GRACE_S)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker (those still busy are killed)."""
        workers, self._workers = self._workers, []
        for worker in workers:
            self._stop(worker, kill=bool(worker.batches))

"""read_many: every file back exactly once, whatever a reader does to its worker process.

The misbehaving readers are monkeypatched into ``matchstage.reading.extraction``; workers are forked, so they
run the patched function.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import matchstage.reading.extraction as extraction
from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.reading.extraction import read_many, read_many_timed
from tests import hostile

REAL_READ = extraction.read_document


@pytest.fixture()
def folder(tmp_path: Path) -> list[Path]:
    return [
        hostile.text_pdf(tmp_path),
        hostile.encrypted_pdf(tmp_path),
        hostile.zero_byte(tmp_path),
        hostile.image_only_pdf(tmp_path),
        hostile.docx_with_table(tmp_path),
        hostile.odt(tmp_path),
        hostile.latin1_offer(tmp_path),
        hostile.truncated_pdf(tmp_path),
    ]


def misbehave_on(name: str, action: str) -> object:
    def read(path: Path, limits: ReadLimits) -> Document:
        if path.name == name:
            if action == "hang":
                time.sleep(60)
            elif action == "segfault":
                os.kill(os.getpid(), signal.SIGSEGV)
            elif action == "exit":
                os._exit(3)
            elif action == "bomb":
                bytearray(3 * 1024**3)  # over the worker's address-space cap
        return REAL_READ(path, limits)

    return read


def outcomes(paths: list[Path], limits: ReadLimits = ReadLimits(), jobs: int = 2) -> dict[Path, Document | Unreadable]:
    results = list(read_many(paths, limits, jobs=jobs))
    assert Counter(path for path, _ in results) == Counter(paths)  # each path exactly once
    return dict(results)


def test_every_file_comes_back_once_with_its_outcome(folder: list[Path]) -> None:
    results = outcomes(folder)
    reasons = {path.name: (r.reason if isinstance(r, Unreadable) else "text") for path, r in results.items()}
    assert reasons == {
        "CV_Camille_Martin.pdf": "text", "CV_protege.pdf": SkipReason.ENCRYPTED, "CV_vide.pdf": SkipReason.EMPTY,
        "CV_scanne.pdf": SkipReason.SCANNED, "CV_Word.docx": "text", "CV_LibreOffice.odt": "text",
        "offre_latin1.txt": "text", "CV_tronque.pdf": SkipReason.CORRUPT,
    }
    text = results[folder[0]]
    assert isinstance(text, Document) and "Master 2 Sociologie" in text.text


def test_a_file_that_hangs_is_cut_off_and_the_rest_is_read(folder: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extraction, "read_document", misbehave_on("CV_Camille_Martin.pdf", "hang"))
    started = time.monotonic()
    results = outcomes(folder, ReadLimits(timeout_s=0.5))
    assert time.monotonic() - started < 10
    hung = results[folder[0]]
    assert isinstance(hung, Unreadable) and hung.reason is SkipReason.TIMEOUT
    assert hung.message("CV_Camille_Martin.pdf") == (
        "CV_Camille_Martin.pdf: text extraction took longer than 0.5 s; raise --timeout to try again.")
    assert isinstance(results[folder[4]], Document)


@pytest.mark.parametrize(("action", "detail"), [("segfault", "the reader crashed (SIGSEGV)"),
                                                ("exit", "the reader crashed")])
def test_a_reader_that_kills_its_worker_marks_the_file_corrupt(
    folder: list[Path], monkeypatch: pytest.MonkeyPatch, action: str, detail: str
) -> None:
    monkeypatch.setattr(extraction, "read_document", misbehave_on("CV_Word.docx", action))
    results = outcomes(folder, jobs=1)  # one worker: the files after the crash need its replacement
    crashed = results[folder[4]]
    assert isinstance(crashed, Unreadable) and crashed.reason is SkipReason.CORRUPT and crashed.detail == detail
    assert sum(isinstance(r, Document) for r in results.values()) == 3


def test_a_memory_bomb_is_too_large_and_the_worker_lives_on(
    folder: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extraction, "read_document", misbehave_on("CV_Camille_Martin.pdf", "bomb"))
    started = _count_workers(monkeypatch)
    results = outcomes(folder, jobs=1)
    bomb = results[folder[0]]
    assert isinstance(bomb, Unreadable) and bomb.reason is SkipReason.TOO_LARGE
    assert started == [1]


def _count_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started = [0]
    real_init = extraction._Worker.__init__

    def counting(self: extraction._Worker, context: object) -> None:
        started[0] += 1
        real_init(self, context)  # type: ignore[arg-type]

    monkeypatch.setattr(extraction._Worker, "__init__", counting)
    return started


def test_no_process_per_file_on_the_happy_path(folder: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    started = _count_workers(monkeypatch)
    outcomes(folder * 3, jobs=2)
    assert started == [2]


def test_jobs_zero_and_one_file_and_nothing(folder: list[Path]) -> None:
    assert isinstance(outcomes(folder[:1], jobs=0)[folder[0]], Document)
    assert list(read_many([], ReadLimits())) == []


def test_timings_come_with_each_file(folder: list[Path]) -> None:
    timed = list(read_many_timed(folder, ReadLimits()))
    assert len(timed) == len(folder) and all(0 <= seconds < 15 for _, _, seconds in timed)


def test_stopping_early_ends_the_workers(folder: list[Path]) -> None:
    results = read_many(folder, ReadLimits())
    next(results)
    results.close()
    assert multiprocessing.active_children() == []


def test_an_interrupt_ends_the_workers_and_is_raised(folder: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> list[object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(extraction, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        list(read_many(folder, ReadLimits()))
    assert multiprocessing.active_children() == []


CRASHING_RUN = """
import faulthandler, os, signal, sys
faulthandler.enable(os.fdopen(os.dup(2), "w"))  # on a copy of standard error, as pytest does
from pathlib import Path
import matchstage.reading.extraction as extraction
from matchstage.reading.documents import ReadLimits
extraction.read_document = lambda path, limits: os.kill(os.getpid(), signal.SIGSEGV)
((_, outcome),) = extraction.read_many([Path(sys.argv[1])], ReadLimits(), jobs=1)
print(outcome.detail)
"""


def test_a_crashing_reader_prints_nothing_even_with_faulthandler_enabled(tmp_path: Path) -> None:
    """The crash is reported as the file's skip; no "Fatal Python error" dump reaches the terminal (or a test log)."""
    path = hostile.text_pdf(tmp_path)
    run = subprocess.run([sys.executable, "-c", CRASHING_RUN, str(path)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert (run.stdout, run.stderr) == ("the reader crashed (SIGSEGV)\n", "")

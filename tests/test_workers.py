"""Analysis in worker processes gives what analysis in the run's own process gives, whatever happens to them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import Profile, Profiler
from matchstage.analysis.workers import DOCUMENTS_PER_WORKER, AnalysisPool, Starter
from tests.factories import ACCOUNTANT, GEOGRAPHER, OFFER, SOCIOLOGIST

TEXTS = (SOCIOLOGIST, ACCOUNTANT, GEOGRAPHER)
# Enough documents for the pool to want two workers.
DOCUMENTS = [(f"CV_{i}.pdf", f"CV_{i}.pdf", TEXTS[i % 3].replace("Anglais", f"Anglais {i}"))
             for i in range(DOCUMENTS_PER_WORKER + 10)]


def _summary(profiles: Sequence[Profile]) -> list[tuple[Any, ...]]:
    return [(p.evidence, p.lemmas, p.lemma_weights, p.language, p.term_counts.to_bytes()) for p in profiles]


def _starter(profiler: Profiler) -> Starter:
    return lambda in_worker: (profiler, None)


@pytest.fixture(scope="module")
def profiler(analyzer: Analyzer, small_matcher: ConceptMatcher) -> Profiler:
    return Profiler(analyzer, small_matcher)


@pytest.fixture(scope="module")
def expected(profiler: Profiler) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return _summary(profiler.candidate_documents(DOCUMENTS)), _summary(profiler.offers([OFFER]))


def test_workers_give_the_profiles_the_parent_would(profiler: Profiler, expected: Any) -> None:
    done: list[None] = []
    with AnalysisPool(_starter(profiler), max_workers=2) as pool:
        offers = pool.submit_offers([OFFER])
        batches = pool.submit_documents(DOCUMENTS, on_done=lambda: done.append(None))
        assert _summary(pool.results(batches)) == expected[0]
        assert _summary(pool.results(offers)) == expected[1]
        assert pool.workers_started == 2 and pool.documents == len(DOCUMENTS) + 1
    assert len(done) == len(DOCUMENTS)


def test_without_workers_the_parent_analyses(profiler: Profiler, expected: Any) -> None:
    with AnalysisPool(_starter(profiler), max_workers=0) as pool:
        batches = pool.submit_documents(DOCUMENTS)
        assert _summary(pool.results(batches)) == expected[0]
        assert pool.workers_started == 0


def test_the_pipeline_loads_once_for_every_worker(analyzer: Analyzer, small_matcher: ConceptMatcher,
                                                  tmp_path: Path, expected: Any) -> None:
    loads = tmp_path / "loads.txt"

    def loader() -> Any:  # written down in whichever process loads; the session's pipeline stands in
        with loads.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return analyzer.nlp

    fresh = Analyzer(nlp_loader=loader)

    def start(in_worker: bool) -> tuple[Profiler, None]:
        fresh.nlp  # noqa: B018 -- what Engine's starter does: load before the first batch
        return Profiler(fresh, small_matcher), None

    with AnalysisPool(start, max_workers=2) as pool:
        pool.expect(len(DOCUMENTS))
        batches = pool.submit_documents(DOCUMENTS)
        assert _summary(pool.results(batches)) == expected[0]
        assert pool.workers_started == 2
    assert len(loads.read_text().split()) == 1  # the second worker was forked from the first, loaded
    assert not fresh.loaded  # and not in this process


def test_an_error_in_a_worker_is_raised_here(profiler: Profiler) -> None:
    def start(in_worker: bool) -> tuple[Profiler, None]:
        raise ValueError("no French model installed")

    with AnalysisPool(start, max_workers=2) as pool, pytest.raises(ValueError, match="no French model"):
        pool.results(pool.submit_documents(DOCUMENTS[:3]))


class _Crashing(Profiler):
    """Dies (as on a segfault) when it meets a document marked so, except in the run's own process."""

    parent = os.getpid()

    def candidate_documents(self, documents: Sequence[tuple[str, str, str]], **kwargs: Any) -> list[Profile]:
        if os.getpid() != self.parent and any("CRASH" in text for _, _, text in documents):
            os._exit(1)
        return super().candidate_documents(documents, **kwargs)


def test_the_batches_of_a_dead_worker_are_analysed_elsewhere(analyzer: Analyzer, small_matcher: ConceptMatcher,
                                                             profiler: Profiler) -> None:
    documents = list(DOCUMENTS)
    documents[20] = (documents[20][0], documents[20][1], documents[20][2] + "\nCRASH\n")
    crashing = _Crashing(analyzer, small_matcher)
    with AnalysisPool(_starter(crashing), max_workers=2) as pool:
        batches = pool.submit_documents(documents)
        assert _summary(pool.results(batches)) == _summary(profiler.candidate_documents(documents))

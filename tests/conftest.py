"""Shared fixtures: one French pipeline for the whole session (it takes seconds to build)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchstage.analysis import Analyzer
from matchstage.facets import ConceptMatcher
from matchstage.taxonomy import Taxonomy, load_taxonomy

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def small_taxonomy() -> Taxonomy:
    return load_taxonomy(DATA / "taxonomy")


@pytest.fixture(scope="session")
def small_matcher(small_taxonomy: Taxonomy, analyzer: Analyzer) -> ConceptMatcher:
    return ConceptMatcher.compile(small_taxonomy, analyzer)

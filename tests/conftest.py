"""Shared fixtures: one French pipeline for the whole session (it takes seconds to build), and English
messages whatever the machine's locale (a test that wants French asks for it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.taxonomy import Taxonomy, load_taxonomy
from matchstage.i18n import set_language

DATA = Path(__file__).parent / "data"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(scope="session", autouse=True)
def english_locale() -> Iterator[None]:
    """The environment of an English user for the whole session (module fixtures run the CLI too)."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in LOCALE_VARIABLES:
            patch.delenv(variable, raising=False)
        patch.setenv("LANG", "C.UTF-8")
        set_language("en")
        yield


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts and ends in English, even one that switched to French."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def small_taxonomy() -> Taxonomy:
    return load_taxonomy(DATA / "taxonomy")


@pytest.fixture(scope="session")
def small_matcher(small_taxonomy: Taxonomy, analyzer: Analyzer) -> ConceptMatcher:
    return ConceptMatcher.compile(small_taxonomy, analyzer)

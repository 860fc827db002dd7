"""The analysed-document cache: private, invalidated by what changes an analysis, invisible in results."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage import cache as cache_module
from matchstage.analysis import Analyzer
from matchstage.cache import Cache, analysis_version
from matchstage.cli import cli
from matchstage.match import Engine, MatchOptions, match
from matchstage.report import to_json
from matchstage.scoring import ScoringRules
from matchstage.taxonomy import load_taxonomy
from tests.conftest import DATA
from tests.factories import ACCOUNTANT, OFFER, SOCIOLOGIST, write_pdf


def _no_pipeline() -> None:
    raise AssertionError("the French pipeline was loaded although everything was cached")


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "offre.txt").write_text(OFFER, encoding="utf-8")
    write_pdf(tmp_path / "cands" / "CV_Camille_Durand.pdf", SOCIOLOGIST)
    write_pdf(tmp_path / "cands" / "CV_Paul_Martin.pdf", ACCOUNTANT)
    return tmp_path


def _engine(cache: Cache, analyzer: Analyzer | None = None) -> Engine:
    return Engine(load_taxonomy(DATA / "taxonomy"), ScoringRules.load(), analyzer or Analyzer(), cache)


def test_warm_run_gives_the_same_ranking_without_loading_spacy(run_dir: Path, analyzer: Analyzer) -> None:
    args = ([run_dir / "offre.txt"], run_dir / "cands", MatchOptions())
    with Cache(run_dir / "cache") as cache:
        cold = to_json(match(*args, engine=_engine(cache, analyzer)))
    with Cache(run_dir / "cache") as cache:
        warm = to_json(match(*args, engine=_engine(cache, Analyzer(nlp_loader=_no_pipeline))))
    assert warm == cold
    assert cold["offers"][0]["ranking"][0]["candidate"] == "CV_Camille_Durand.pdf"


def test_cache_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    with Cache(tmp_path / "c") as cache:
        mode = stat.S_IMODE(cache.path.stat().st_mode)
    assert mode == 0o600


def test_a_changed_file_is_analysed_again(run_dir: Path, analyzer: Analyzer) -> None:
    args = ([run_dir / "offre.txt"], run_dir / "cands", MatchOptions())
    with Cache(run_dir / "cache") as cache:
        match(*args, engine=_engine(cache, analyzer))
    write_pdf(run_dir / "cands" / "CV_Paul_Martin.pdf", ACCOUNTANT + "\nMaster de sociologie\n")
    with Cache(run_dir / "cache") as cache, pytest.raises(AssertionError, match="pipeline was loaded"):
        match(*args, engine=_engine(cache, Analyzer(nlp_loader=_no_pipeline)))


def test_taxonomy_or_model_change_changes_the_analysis_version(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    before = analysis_version("taxonomy-a")
    assert analysis_version("taxonomy-b") != before
    monkeypatch.setattr(cache_module, "_package_version", lambda name: "9.9.9")
    assert analysis_version("taxonomy-a") != before
    edited = tmp_path / "taxonomy"
    shutil.copytree(DATA / "taxonomy", edited)
    with (edited / "skills.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[redaction]\nlabel = "Rédaction"\nterms = ["rédaction"]\n')
    assert load_taxonomy(edited).version != load_taxonomy(DATA / "taxonomy").version


def test_entries_unused_for_too_long_are_purged(tmp_path: Path) -> None:
    with Cache(tmp_path / "c") as cache:
        cache.put_artefact("old", [1])
        cache.put_artefact("new", [2])
    with sqlite3.connect(tmp_path / "c" / "cache.sqlite") as db:
        db.execute("UPDATE artefacts SET used = ? WHERE key = 'old'", (time.time() - 90 * 86400,))
    with Cache(tmp_path / "c", max_age_days=30) as cache:
        assert cache.purge() == 1
        assert cache.get_artefact("old") is None and cache.get_artefact("new") == [2]


def test_cache_info_and_clear_commands(run_dir: Path) -> None:
    runner = CliRunner()
    cache_dir = str(run_dir / "cache")
    result = runner.invoke(cli, ["match", str(run_dir / "offre.txt"), str(run_dir / "cands"), "--cache-dir", cache_dir,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", cache_dir])
    assert "documents: 3" in info.output  # two CVs and the offer
    cleared = runner.invoke(cli, ["cache", "clear", "--cache-dir", cache_dir])
    assert "cleared 3" in cleared.output
    assert "documents: 0" in runner.invoke(cli, ["cache", "info", "--cache-dir", cache_dir]).output

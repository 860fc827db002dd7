"""The analysed-document cache: private, invalidated by what changes an analysis, invisible in results."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage import cache as cache_module
from matchstage import match as match_module
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.taxonomy import load_taxonomy
from matchstage.cache import Cache, analysis_version
from matchstage.cli import cli
from matchstage.match import Engine, MatchOptions, match
from matchstage.outputs.report import to_json
from matchstage.ranking import scoring
from matchstage.ranking.scoring import ScoringRules, Weights
from matchstage.reading.documents import ReadLimits
from tests import hostile
from tests.conftest import DATA
from tests.factories import ACCOUNTANT, GEOGRAPHER, LETTER, OFFER, SOCIOLOGIST, write_pdf

SOURCE = Path(cache_module.__file__).parent


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


def _run(run_dir: Path, analyzer: Analyzer, *, jobs: int = 1, weights: Weights | None = None,
         taxonomy: Path = DATA / "taxonomy", limits: ReadLimits = ReadLimits(),
         cache_dir: str = "cache") -> tuple[dict[str, object], Engine]:
    """One match on ``run_dir`` with its cache; the JSON result and the engine (what it analysed)."""
    with Cache(run_dir / cache_dir) as cache:
        engine = Engine(load_taxonomy(taxonomy), ScoringRules.load(), analyzer, cache)
        result = match([run_dir / "offre.txt"], run_dir / "cands",
                       MatchOptions(jobs=jobs, weights=weights, limits=limits), engine=engine)
        return to_json(result), engine


def test_a_warm_run_over_unreadable_files_reads_nothing_and_loads_no_pipeline(
        run_dir: Path, analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    limits = ReadLimits(max_pages=2)  # the three-page CV below is too-large
    cold, _ = _run(run_dir, analyzer, jobs=2, limits=limits)
    # Added after the first run: on the next, they are read, and not one needs analysis.
    folder = run_dir / "cands"
    hostile.image_only_pdf(folder), hostile.encrypted_pdf(folder), hostile.truncated_pdf(folder)
    hostile.zero_byte(folder)
    hostile.headed_pdf(folder, pages=3)
    first, engine = _run(run_dir, Analyzer(nlp_loader=_no_pipeline), jobs=2, limits=limits)
    assert not engine.pipeline_used and engine.workers_started == 0  # none of them started the French pipeline
    reasons = {s["path"]: s["reason"] for s in first["skipped"]}  # type: ignore[attr-defined]
    assert reasons == {"CV_scanne.pdf": "scanned", "CV_protege.pdf": "encrypted", "CV_tronque.pdf": "corrupt",
                       "CV_vide.pdf": "empty", "CV_trois_pages.pdf": "too-large"}
    read: list[Path] = []
    read_many = match_module.read_many

    def reading(paths: list[Path], *args: object, **kwargs: object) -> Iterator[tuple[Path, object]]:
        read.extend(paths)
        return read_many(paths, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(match_module, "read_many", reading)
    again, engine = _run(run_dir, Analyzer(nlp_loader=_no_pipeline), jobs=2, limits=limits)
    assert again == first and not engine.pipeline_used
    assert read == [run_dir / "offre.txt"]  # the offer (kept in the cache by its text), and no candidate's file
    assert first["offers"] == cold["offers"]  # type: ignore[index]


def test_an_outcome_is_kept_under_the_options_that_decided_it(run_dir: Path, analyzer: Analyzer) -> None:
    hostile.headed_pdf(run_dir / "cands", pages=3)
    tight, loose = ReadLimits(max_pages=2), ReadLimits(max_pages=5)
    for limits in (tight, loose, tight, loose):  # each run with the cache the runs before it left
        shared, _ = _run(run_dir, analyzer, limits=limits)
        shutil.rmtree(run_dir / "empty", ignore_errors=True)
        alone, _ = _run(run_dir, analyzer, limits=limits, cache_dir="empty")
        assert shared == alone
        three_pages = [s for s in shared["skipped"] if s["path"] == "CV_trois_pages.pdf"]  # type: ignore[attr-defined]
        assert bool(three_pages) is (limits is tight)


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "workers"])
def test_warm_run_gives_the_same_ranking_and_explanations_without_loading_spacy(run_dir: Path, analyzer: Analyzer,
                                                                                jobs: int) -> None:
    write_pdf(run_dir / "cands" / "Ines_Haddad" / "CV.pdf", GEOGRAPHER)  # a candidate with two documents
    write_pdf(run_dir / "cands" / "Ines_Haddad" / "Lettre_motivation.pdf", LETTER)
    cold, engine = _run(run_dir, analyzer, jobs=jobs)
    assert engine.analysed == 5 and engine.pipeline_used  # four documents and the offer
    warm, engine = _run(run_dir, Analyzer(nlp_loader=_no_pipeline), jobs=jobs)
    assert warm == cold
    assert engine.analysed == 0 and engine.workers_started == 0
    assert not engine.pipeline_used and not engine.analyzer.loaded
    ranking = cold["offers"][0]["ranking"]  # type: ignore[index]
    assert ranking[0]["candidate"] == "CV_Camille_Durand.pdf"
    assert any(m.startswith("Sociologie") for m in ranking[0]["facets"]["disciplines"]["matched"])


def test_in_process_and_worker_analysis_agree(run_dir: Path, analyzer: Analyzer) -> None:
    write_pdf(run_dir / "cands" / "Ines_Haddad.pdf", GEOGRAPHER)
    here, _ = _run(run_dir, analyzer, jobs=1)
    shutil.rmtree(run_dir / "cache")
    there, engine = _run(run_dir, analyzer, jobs=2)
    assert engine.workers_started >= 1
    assert there == here


def test_cache_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    with Cache(tmp_path / "c") as cache:
        mode = stat.S_IMODE(cache.path.stat().st_mode)
        folder = stat.S_IMODE(cache.directory.stat().st_mode)
    assert mode == 0o600
    assert folder == 0o700


def test_a_changed_file_is_analysed_again_and_nothing_else(run_dir: Path, analyzer: Analyzer) -> None:
    _run(run_dir, analyzer)
    write_pdf(run_dir / "cands" / "CV_Paul_Martin.pdf",
              ACCOUNTANT.replace("Formation\n", "Formation\n2024 Master 2 Sociologie, Université Lyon 2\n"))
    result, engine = _run(run_dir, analyzer)
    assert engine.analysed == 1  # the changed CV; the other one and the offer come from the cache
    paul = next(r for r in result["offers"][0]["ranking"] if r["candidate"] == "CV_Paul_Martin.pdf")  # type: ignore
    assert any(m.startswith("Sociologie") for m in paul["facets"]["disciplines"]["matched"])
    write_pdf(run_dir / "cands" / "CV_Lea_Nguyen.pdf", GEOGRAPHER)  # a new CV: only it is analysed
    _, engine = _run(run_dir, analyzer)
    assert engine.analysed == 1
    _, engine = _run(run_dir, Analyzer(nlp_loader=_no_pipeline))  # unchanged files stay cached
    assert engine.analysed == 0


def test_a_new_model_version_analyses_everything_again(run_dir: Path, analyzer: Analyzer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _run(run_dir, analyzer)
    monkeypatch.setattr(cache_module, "_package_version", lambda name: "9.9.9")
    _, engine = _run(run_dir, analyzer)
    assert engine.analysed == 3


def test_a_changed_taxonomy_analyses_again_and_the_old_entries_stay_usable(run_dir: Path, analyzer: Analyzer,
                                                                          tmp_path: Path) -> None:
    edited = tmp_path / "taxonomy"
    shutil.copytree(DATA / "taxonomy", edited)
    with (edited / "skills.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[redaction]\nlabel = "Rédaction"\nterms = ["rédaction"]\n')
    _run(run_dir, analyzer)
    _, engine = _run(run_dir, analyzer, taxonomy=edited)
    assert engine.analysed == 3
    _, engine = _run(run_dir, Analyzer(nlp_loader=_no_pipeline))  # back to the first taxonomy: all cached
    assert engine.analysed == 0


def test_analysis_version_follows_the_analysis_code_and_nothing_else(tmp_path: Path) -> None:
    code = tmp_path / "matchstage"
    shutil.copytree(SOURCE, code, ignore=shutil.ignore_patterns("__pycache__"))
    before = analysis_version("t", code_dir=code)
    assert before == analysis_version("t")
    with (code / "outputs" / "report.py").open("a") as handle:  # output only: cached analyses stay valid
        handle.write("\n# a comment\n")
    assert analysis_version("t", code_dir=code) == before
    for name in ("reading/normalize.py", "analysis/lemmas.py", "reading/readers/pdf.py", "analysis/terms.py"):
        with (code / name).open("a") as handle:
            handle.write("\n# a comment\n")
        assert analysis_version("t", code_dir=code) != before, name
        before = analysis_version("t", code_dir=code)


def test_other_weights_reuse_the_fitted_similarities(run_dir: Path, analyzer: Analyzer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = _run(run_dir, analyzer)

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("similarities fitted again")

    monkeypatch.setattr(scoring.TextSimilarity, "fit_transform", no_fit)
    again, _ = _run(run_dir, analyzer)
    assert again == first
    other, _ = _run(run_dir, analyzer, weights=Weights(disciplines=0.5, methods=0.2, skills=0.2, text=0.1))
    assert [r["candidate"] for r in other["offers"][0]["ranking"]]  # type: ignore[index]
    write_pdf(run_dir / "cands" / "CV_Lea_Nguyen.pdf", GEOGRAPHER)
    with pytest.raises(AssertionError, match="fitted again"):  # another set of documents: fitted
        _run(run_dir, analyzer)


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


def test_a_cache_file_of_an_older_layout_is_emptied_and_reused(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    with sqlite3.connect(tmp_path / "c" / "cache.sqlite") as db:
        db.execute("CREATE TABLE documents (key TEXT PRIMARY KEY, version TEXT, value BLOB, used REAL)")
        db.execute("INSERT INTO documents VALUES ('k', 'v', x'00', 0)")
    with Cache(tmp_path / "c") as cache:
        assert cache.info()["documents"] == 0
        assert cache.get_documents(["k"]) == {}


def test_entries_unused_for_too_long_are_purged(tmp_path: Path) -> None:
    with Cache(tmp_path / "c") as cache:
        cache.put_artefact("old", [1])
        cache.put_artefact("new", [2])
    with sqlite3.connect(tmp_path / "c" / "cache.sqlite") as db:
        db.execute("UPDATE artefacts SET used = ? WHERE key = 'old'", (time.time() - 90 * 86400,))
    with Cache(tmp_path / "c", max_age_days=30) as cache:
        assert cache.purge() == 1
        assert cache.get_artefact("old") is None and cache.get_artefact("new") == [2]


def test_the_purge_age_is_the_caches_setting(tmp_path: Path) -> None:
    with Cache(tmp_path / "c") as cache:
        assert cache.max_age_days == cache_module.DEFAULT_MAX_AGE_DAYS
    with Cache(tmp_path / "c", max_age_days=7):
        pass
    with Cache(tmp_path / "c") as cache:  # remembered
        assert cache.max_age_days == 7
        cache.put_artefact("old", [1])
    with sqlite3.connect(tmp_path / "c" / "cache.sqlite") as db:
        db.execute("UPDATE artefacts SET used = ? WHERE key = 'old'", (time.time() - 8 * 86400,))
    with Cache(tmp_path / "c") as cache:
        assert cache.purge() == 1


def test_purge_age_from_the_command_line_or_the_config_file(run_dir: Path) -> None:
    runner = CliRunner()
    cache_dir = str(run_dir / "cache")
    base = ["match", str(run_dir / "offre.txt"), str(run_dir / "cands"), "--cache-dir", cache_dir, "-q"]
    assert runner.invoke(cli, [*base, "--cache-max-age", "30"]).exit_code == 0
    assert "entries unused for 30 days are purged" in runner.invoke(cli, ["cache", "info", "--cache-dir",
                                                                          cache_dir]).output
    config = run_dir / "matchstage.toml"
    config.write_text("[cache]\nmax_age_days = 14\n", encoding="utf-8")
    assert runner.invoke(cli, [*base, "--config", str(config)]).exit_code == 0
    assert "entries unused for 14 days are purged" in runner.invoke(cli, ["cache", "info", "--cache-dir",
                                                                          cache_dir]).output
    config.write_text("[cache]\nmax_age_days = 0\n", encoding="utf-8")
    refused = runner.invoke(cli, [*base, "--config", str(config)])
    assert refused.exit_code == 2 and "max_age_days = 0: give a number of days, at least 1" in refused.output
    assert runner.invoke(cli, [*base, "--cache-max-age", "0.5"]).exit_code == 2


def test_cache_info_and_clear_commands(run_dir: Path) -> None:
    runner = CliRunner()
    cache_dir = str(run_dir / "cache")
    result = runner.invoke(cli, ["match", str(run_dir / "offre.txt"), str(run_dir / "cands"), "--cache-dir", cache_dir,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", cache_dir])
    assert f"path: {run_dir / 'cache' / 'cache.sqlite'}" in info.output
    assert "size: " in info.output and " KiB" in info.output
    assert "documents: 3" in info.output  # two CVs and the offer
    # The taxonomy as read and the run's similarities (the shipped taxonomy's patterns come with matchstage: not
    # copied into the cache).
    assert "other entries: 2" in info.output
    assert "entries unused for 60 days are purged" in info.output
    cleared = runner.invoke(cli, ["cache", "clear", "--cache-dir", cache_dir])
    assert "cleared 3" in cleared.output
    assert "documents: 0" in runner.invoke(cli, ["cache", "info", "--cache-dir", cache_dir]).output

"""The command contract of ``matchstage match``, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.outputs.report import CSV_HEADER
from tests.factories import ACCOUNTANT, GEOGRAPHER, LETTER, OFFER, SOCIOLOGIST, write_docx, write_pdf


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    (root / "offres").mkdir()
    (root / "offres" / "offre_sante.txt").write_text(OFFER, encoding="utf-8")
    cands = root / "candidatures"
    write_pdf(cands / "CV_Camille_Durand.pdf", SOCIOLOGIST)
    write_pdf(cands / "CV_Paul_Martin.pdf", ACCOUNTANT)
    write_pdf(cands / "Ines_Haddad" / "CV.pdf", GEOGRAPHER)
    write_docx(cands / "Ines_Haddad" / "Lettre_de_motivation.docx", LETTER)
    (cands / "vide.pdf").write_bytes(b"")
    (cands / "notes.txt").write_text("à relire", encoding="utf-8")
    (cands / ".DS_Store").write_bytes(b"\0\0")
    return root


@pytest.fixture(scope="module")
def json_run(folder: Path) -> tuple[int, dict, str]:
    runner = CliRunner()
    out_csv = folder / "out" / "shortlist.csv"
    result = runner.invoke(cli, ["match", str(folder / "offres" / "offre_sante.txt"), str(folder / "candidatures"),
                                 "--format", "json", "-o", str(out_csv), "--cache-dir", str(folder / "cache")])
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_json_has_the_contract_keys(json_run: tuple[int, dict, str]) -> None:
    code, data, _ = json_run
    assert code == 0
    assert {"offers", "skipped", "ignored"} <= data.keys()
    offer = data["offers"][0]
    assert set(offer) == {"offer", "path", "ranking"}
    assert offer["offer"] == "offre_sante"
    entry = offer["ranking"][0]
    assert set(entry) == {"rank", "candidate", "files", "score", "facets", "level"}
    assert set(entry["facets"]) == {"skills", "disciplines", "methods"}
    for facet in entry["facets"].values():
        assert set(facet) == {"score", "matched", "missing"}
    assert all(0 <= e["score"] <= 1 for e in offer["ranking"])
    assert [e["rank"] for e in offer["ranking"]] == list(range(1, len(offer["ranking"]) + 1))


def test_relevant_candidates_outrank_the_off_field_one(json_run: tuple[int, dict, str]) -> None:
    ranking = [e["candidate"] for e in json_run[1]["offers"][0]["ranking"]]
    assert ranking[-1] == "CV_Paul_Martin.pdf"
    assert ranking[0] == "CV_Camille_Durand.pdf"


def test_subfolder_is_one_candidate_with_its_letter(json_run: tuple[int, dict, str]) -> None:
    entry = next(e for e in json_run[1]["offers"][0]["ranking"] if e["candidate"] == "Ines_Haddad")
    assert entry["files"] == ["Ines_Haddad/CV.pdf", "Ines_Haddad/Lettre_de_motivation.docx"]


def test_every_file_is_ranked_skipped_or_ignored(json_run: tuple[int, dict, str], folder: Path) -> None:
    data = json_run[1]
    ranked = {f for e in data["offers"][0]["ranking"] for f in e["files"]}
    skipped = {s["path"] for s in data["skipped"]}
    ignored = set(data["ignored"])
    every = {p.relative_to(folder / "candidatures").as_posix()
             for p in (folder / "candidatures").rglob("*") if p.is_file()}
    assert ranked | skipped | ignored == every
    assert not (ranked & skipped or ranked & ignored or skipped & ignored)
    assert data["skipped"] == [{"path": "vide.pdf", "reason": "empty", "message": data["skipped"][0]["message"]}]
    assert "vide.pdf" in data["skipped"][0]["message"]
    assert ignored == {"notes.txt", ".DS_Store"}


def test_explanations_show_matched_concepts_and_missing_ones(json_run: tuple[int, dict, str]) -> None:
    ranking = json_run[1]["offers"][0]["ranking"]
    best = ranking[0]["facets"]
    assert best["disciplines"]["matched"], best
    assert any("entretiens" in m for m in best["methods"]["matched"])
    worst = ranking[-1]["facets"]
    assert worst["disciplines"]["missing"]


def test_csv_file_has_bom_header_and_a_row_per_candidate(json_run: tuple[int, dict, str], folder: Path) -> None:
    raw = (folder / "out" / "shortlist.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert [r[2] for r in rows[1:]] == [e["candidate"] for e in json_run[1]["offers"][0]["ranking"]]
    assert rows[1][0] == "offre_sante" and rows[1][1] == "1"


def test_progress_goes_to_stderr_and_a_summary_counts_files(json_run: tuple[int, dict, str]) -> None:
    stderr = json_run[2]
    assert "3 candidate(s) ranked, 1 file(s) skipped (1 empty), 2 ignored" in stderr
    assert "vide.pdf" in stderr


def test_table_is_the_default_output_and_fits_the_terminal(folder: Path) -> None:
    args = ["match", str(folder / "offres"), str(folder / "candidatures"), "--top", "2",
            "--cache-dir", str(folder / "cache")]
    wide = CliRunner().invoke(cli, args, env={"COLUMNS": "120"})
    assert wide.exit_code == 0, wide.output
    assert "offre_sante" in wide.stdout and "CV_Camille_Durand.pdf" in wide.stdout
    assert "1 more" in wide.stdout and "CV_Paul_Martin.pdf" not in wide.stdout
    narrow = CliRunner().invoke(cli, args, env={"COLUMNS": "80"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80


def test_usage_errors_exit_2(folder: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["match", str(folder / "offres")]).exit_code == 2
    assert runner.invoke(cli, ["match", "a", "b", "--format", "xml"]).exit_code == 2
    bad_weights = runner.invoke(cli, ["match", "a", "b", "--weights", "colour=1"])
    assert bad_weights.exit_code == 2 and "unknown weight" in bad_weights.output


def test_unreadable_offer_exits_1_naming_the_file(folder: Path, tmp_path: Path) -> None:
    offer = tmp_path / "offre_vide.txt"
    offer.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["match", str(offer), str(folder / "candidatures"), "--no-cache"])
    assert result.exit_code == 1
    assert "offre_vide.txt" in result.output


def test_no_candidate_ranked_exits_1(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["match", str(folder / "offres"), str(tmp_path / "c"), "--no-cache"])
    assert result.exit_code == 1
    assert "no candidate could be ranked" in result.stderr


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for args in (["--help"], ["match", "--help"], ["evaluate", "--help"], ["cache", "--help"],
                 ["cache", "info", "--help"], ["cache", "clear", "--help"], ["inspect", "--help"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_the_installed_command_exits_with_the_run_s_code_and_writes_everything(folder: Path, tmp_path: Path) -> None:
    """The console script leaves without tearing the interpreter down: its exit codes, its stdout and the
    files it wrote must be exactly those of the run."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "matchstage", "match", str(folder / "offres" / "offre_sante.txt"),
               str(folder / "candidatures"), "--cache-dir", str(tmp_path / "cache"), "--format", "json",
               "-o", str(tmp_path / "out.csv")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # the whole document reached stdout
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(data["offers"][0]["ranking"]) >= 2
    assert "candidate(s) ranked" in done.stderr
    unreadable = subprocess.run([*command[:4], str(tmp_path / "missing.txt"), *command[5:]], capture_output=True,
                                text=True, timeout=300)
    assert unreadable.returncode == 1 and "missing.txt" in unreadable.stderr
    usage = subprocess.run([*command, "--weights", "text=oops"], capture_output=True, text=True, timeout=300)
    assert usage.returncode == 2 and "--weights" in usage.stderr

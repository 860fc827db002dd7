"""Candidates × offers: the matrix record and its table, CSV and JSON views."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.outputs.report import CSV_HEADER, matrix_csv_text
from matchstage.outputs.table import render_table
from matchstage.ranking.matrix import fit_matrix
from tests.results import POOL_CVS, SAMPLES, result_from_grid, run_match, sample_pool

GRID = {
    "X": {"Anne": 0.8, "Bruno": 0.3, "Chloé": 0.5, "Driss": 0.0},
    "Y": {"Anne": 0.2, "Bruno": 0.3, "Chloé": 0.9, "Driss": 0.0},
}


def test_matrix_rows_scores_ranks_and_best_offer() -> None:
    matrix = fit_matrix(result_from_grid(GRID))
    assert matrix.offers == ("X", "Y")
    assert [r.candidate for r in matrix.rows] == ["Chloé", "Anne", "Bruno", "Driss"]  # best score first
    chloe = matrix.row("Chloé")
    assert chloe.scores == (0.5, 0.9) and chloe.ranks == (2, 1) and chloe.best == (1,)
    assert matrix.row("Bruno").best == (0, 1)  # a tie marks both offers
    assert matrix.row("Driss").best == ()  # 0 everywhere: no best offer
    assert matrix.score("Anne", "Y") == 0.2


def test_a_candidate_missing_from_an_offer_has_no_score_there() -> None:
    matrix = fit_matrix(result_from_grid({"X": {"Anne": 0.4}, "Y": {"Anne": 0.1, "Bruno": 0.6}}))
    assert matrix.row("Bruno").scores == (None, 0.6) and matrix.row("Bruno").ranks == (None, 1)
    assert matrix.as_dict()["rows"][0] == {"candidate": "Bruno", "scores": {"X": None, "Y": 0.6},
                                           "ranks": {"X": None, "Y": 1}, "best": ["Y"]}
    rows = list(csv.reader(io.StringIO(matrix_csv_text(result_from_grid({"X": {"Anne": 0.4},
                                                                         "Y": {"Anne": 0.1, "Bruno": 0.6}})))))
    assert rows == [["candidate", "X", "Y", "best_offer"], ["Bruno", "", "0.6000", "Y"],
                    ["Anne", "0.4000", "0.1000", "X"]]


def test_short_offer_ids_head_the_columns_without_legend() -> None:
    out = io.StringIO()
    render_table(result_from_grid(GRID), file=out, width=80)
    text = out.getvalue()
    section = text[text.index("Candidates × offers"):]
    header = next(line for line in section.splitlines() if line.startswith("Candidate "))
    assert header.split() == ["Candidate", "X", "Y"]
    assert re.search(r"Chloé\s+50\s+90\*", section) and re.search(r"Bruno\s+30\*\s+30\*", section)
    assert re.search(r"Driss\s+0\s+0\s*$", section, re.MULTILINE)


def test_many_offers_are_split_to_fit_80_columns() -> None:
    grid = {f"offre_numero_{j:02d}": {f"CV_{c}.pdf": round((j * 7 + c * 13) % 100 / 100, 2) for c in range(5)}
            for j in range(20)}
    out = io.StringIO()
    render_table(result_from_grid(grid), file=out, width=80, top=2)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    section = text[text.index("Candidates × offers"):]
    headers = [line.split()[1:] for line in section.splitlines() if line.startswith("Candidate ")]
    assert len(headers) >= 2 and [h for header in headers for h in header] == [chr(65 + j) for j in range(20)]
    assert [len(h) for h in headers] == [10, 10]  # as even as can be
    assert "  T  offre_numero_19" in section


def test_one_offer_has_no_matrix_in_the_table() -> None:
    out = io.StringIO()
    render_table(result_from_grid({"X": GRID["X"]}), file=out, width=80)
    assert "Candidates × offers" not in out.getvalue()


# -- on the sample offers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_pool(tmp_path_factory)


@pytest.fixture(scope="module")
def sample_run(pool: Path) -> tuple[dict, str, str]:
    matrix_csv, pairs_csv = pool / "out" / "matrice.csv", pool / "out" / "paires.csv"
    code, stdout, stderr = run_match(pool, "--format", "json", "--matrix", str(matrix_csv), "-o", str(pairs_csv))
    assert code == 0, stderr
    assert f"wrote {matrix_csv}" in stderr
    return json.loads(stdout), matrix_csv.read_bytes().decode("utf-8"), pairs_csv.read_text(encoding="utf-8-sig")


def test_json_matrix_agrees_with_the_rankings(sample_run: tuple[dict, str, str]) -> None:
    data = sample_run[0]
    assert list(data) == ["offers", "skipped", "ignored", "duplicates", "flags", "weights", "matrix",
                          "assignment", "blind", "matchstage_version"]
    matrix = data["matrix"]
    offers = [o["offer"] for o in data["offers"]]
    assert matrix["offers"] == offers == sorted(p.stem for p in (SAMPLES / "offres").iterdir())
    assert {r["candidate"] for r in matrix["rows"]} == set(POOL_CVS)
    for offer in data["offers"]:
        for entry in offer["ranking"]:
            row = next(r for r in matrix["rows"] if r["candidate"] == entry["candidate"])
            assert row["scores"][offer["offer"]] == entry["score"]
            assert row["ranks"][offer["offer"]] == entry["rank"]
    for row in matrix["rows"]:
        top = max(row["scores"].values())
        assert row["best"] == [o for o in offers if row["scores"][o] == top]
    tops = [max(r["scores"].values()) for r in matrix["rows"]]
    assert tops == sorted(tops, reverse=True)
    best = {r["candidate"]: r["best"] for r in matrix["rows"]}
    assert best["CV_Wen_Li_biostat.pdf"] == ["charge_etudes_statistiques_ors"]
    assert best["CV_Yanis_Cherif.pdf"] == ["juriste_associations_ess"]


def test_matrix_csv_is_the_json_matrix(sample_run: tuple[dict, str, str]) -> None:
    data, text, pairs = sample_run
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    offers = data["matrix"]["offers"]
    assert rows[0] == ["candidate", *offers, "best_offer"]
    assert [r[0] for r in rows[1:]] == [r["candidate"] for r in data["matrix"]["rows"]]
    for line, row in zip(rows[1:], data["matrix"]["rows"]):
        assert [float(v) for v in line[1:-1]] == [row["scores"][o] for o in offers]
        assert line[-1] == "; ".join(row["best"])
    # The per-pair CSV keeps its columns and its row per (offer, candidate).
    pair_rows = list(csv.reader(io.StringIO(pairs)))
    assert tuple(pair_rows[0]) == CSV_HEADER and len(pair_rows) == 1 + len(offers) * len(POOL_CVS)


def test_table_matrix_marks_each_best_offer_within_80_columns(pool: Path, sample_run: tuple[dict, str, str]) -> None:
    code, stdout, _ = run_match(pool, "--top", "3")
    assert code == 0
    assert max(len(line) for line in stdout.splitlines()) <= 80
    section = stdout[stdout.index("Candidates × offers"):]
    offers = sample_run[0]["matrix"]["offers"]
    for letter, offer in zip("ABCDEFGHIJ", offers):
        assert f"  {letter}  {offer}" in section
    for row in sample_run[0]["matrix"]["rows"]:
        line = next(line for line in section.splitlines() if line.startswith(row["candidate"][:12]))
        cells = line[-10 * 5:].split()
        assert len(cells) == 10
        assert [i for i, c in enumerate(cells) if c.endswith("*")] == [offers.index(o) for o in row["best"]]
        assert [int(c.rstrip("*")) for c in cells] == [round(row["scores"][o] * 100) for o in offers]


def test_matrix_option_rejects_other_formats(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["match", str(SAMPLES / "offres"), str(SAMPLES / "candidatures"),
                                      "--matrix", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 2 and "m.xlsx: write a .csv file" in result.stderr

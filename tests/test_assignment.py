"""The suggested assignment: optimal against brute force, within capacities, deterministic, and its CLI."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.outputs.report import ASSIGNMENT_CSV_HEADER
from matchstage.ranking.assignment import (
    SCORE_UNITS,
    AssignError,
    parse_capacities,
    suggest_assignment,
    unfilled_reason,
    with_assignment,
)
from matchstage.ranking.matrix import fit_matrix
from matchstage.ranking.results import Assignment, suggestion_note
from tests.results import POOL_CVS, SAMPLES, result_from_grid, run_match, sample_pool

# Scores drawn from few values, so that ties (equal totals) are common.
SCORES = (0.0, 0.0, 0.1, 0.25, 0.5, 0.5, 0.75, 0.9, 1.0)


def _random_grid(rng: random.Random, candidates: int, offers: int) -> dict[str, dict[str, float]]:
    ids = [f"cand{i}" for i in range(candidates)]
    rng.shuffle(ids)  # ids not in the order of the rows
    return {f"offer{j}": {c: rng.choice(SCORES) if rng.random() < 0.7 else round(rng.random(), 4) for c in ids}
            for j in range(offers)}


def _brute_force(grid: dict[str, dict[str, float]], capacities: dict[str, int],
                 min_score: float) -> tuple[int, int]:
    """The best (total in score units, rank preference) over every assignment, enumerated."""
    result = result_from_grid(grid)
    offers = list(grid)
    candidates = sorted({c for scores in grid.values() for c in scores})
    ranks = {(o.offer.id, r.candidate): r.rank for o in result.offers for r in o.ranking}
    n = len(candidates)
    best = (0, 0)
    for choice in itertools.product([None, *offers], repeat=n):
        if any(choice.count(o) > capacities[o] for o in offers):
            continue
        pairs = [(o, c) for c, o in zip(candidates, choice) if o is not None]
        if any(not (grid[o][c] > 0 and grid[o][c] >= min_score) for o, c in pairs):
            continue
        total = sum(round(grid[o][c] * SCORE_UNITS) for o, c in pairs)
        preference = sum(n + 1 - ranks[o, c] for o, c in pairs)
        best = max(best, (total, preference))
    return best


def _measure(assignment: Assignment, grid: dict[str, dict[str, float]]) -> tuple[int, int]:
    n = len({c for scores in grid.values() for c in scores})
    return (sum(round(p.score * SCORE_UNITS) for p in assignment.pairs),
            sum(n + 1 - (p.rank or 0) for p in assignment.pairs))


def _check_feasible(assignment: Assignment, grid: dict[str, dict[str, float]], capacities: dict[str, int],
                    min_score: float) -> None:
    placed = [p.candidate for p in assignment.pairs]
    assert len(placed) == len(set(placed)), "a candidate placed twice"
    for slots in assignment.slots:
        pairs = assignment.pairs_for(slots.offer)
        assert slots.filled == len(pairs) <= capacities[slots.offer] == slots.capacity
    for pair in assignment.pairs:
        assert pair.score == grid[pair.offer][pair.candidate]
        assert pair.score > 0 and pair.score >= min_score
    everyone = {c for scores in grid.values() for c in scores}
    assert set(placed) | set(assignment.unassigned) == everyone
    assert not set(placed) & set(assignment.unassigned)


@pytest.mark.parametrize("seed", range(300))
def test_optimal_against_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    candidates, offers = rng.randint(0, 5), rng.randint(1, 3)
    grid = _random_grid(rng, candidates, offers)
    capacities = {o: rng.randint(0, 2) if seed % 5 == 0 else rng.randint(1, 2) for o in grid}
    min_score = rng.choice((0.0, 0.0, 0.3, 0.5))
    assignment = suggest_assignment(fit_matrix(result_from_grid(grid)), capacities, min_score=min_score)
    _check_feasible(assignment, grid, capacities, min_score)
    # The total is the best there is; among equal totals, the documented tie rule (higher ranks) holds.
    assert _measure(assignment, grid) == _brute_force(grid, capacities, min_score)


def test_optimal_where_greedy_is_not() -> None:
    # Greedy (best pair first) gives A to X (0.9) and leaves B on Y (0.1): 1.0. Optimal: 0.8 + 0.8.
    grid = {"X": {"A": 0.9, "B": 0.8}, "Y": {"A": 0.8, "B": 0.1}}
    assignment = suggest_assignment(fit_matrix(result_from_grid(grid)))
    assert {(p.offer, p.candidate) for p in assignment.pairs} == {("X", "B"), ("Y", "A")}
    assert assignment.total == 1.6


def test_more_places_than_candidates() -> None:
    grid = {"X": {"A": 0.5, "B": 0.4}, "Y": {"A": 0.3, "B": 0.6}}
    assignment = suggest_assignment(fit_matrix(result_from_grid(grid)), {"X": 3, "Y": 2})
    assert [(p.offer, p.candidate) for p in assignment.pairs] == [("X", "A"), ("Y", "B")]
    assert [(s.offer, s.unfilled) for s in assignment.unfilled] == [("X", 2), ("Y", 1)]
    assert assignment.unassigned == ()
    reason = unfilled_reason(assignment.slots[0])
    assert reason == "the 1 other candidate(s) who qualify are suggested for other offers"


def test_more_candidates_than_places_keeps_the_best() -> None:
    grid = {"X": {c: s for c, s in zip("ABCDE", (0.2, 0.9, 0.4, 0.8, 0.1))}}
    assignment = suggest_assignment(fit_matrix(result_from_grid(grid)), {"X": 2})
    assert [p.candidate for p in assignment.pairs] == ["B", "D"]
    assert [p.rank for p in assignment.pairs] == [1, 2]
    assert assignment.unassigned == ("C", "A", "E")  # best score first
    assert assignment.unfilled == ()


def test_score_zero_and_below_minimum_are_never_placed() -> None:
    grid = {"X": {"A": 0.0, "B": 0.0}, "Y": {"A": 0.35, "B": 0.0}}
    assignment = suggest_assignment(fit_matrix(result_from_grid(grid)), {"X": 1, "Y": 1})
    assert [(p.offer, p.candidate) for p in assignment.pairs] == [("Y", "A")]
    assert assignment.unassigned == ("B",)
    empty = assignment.slots[0]
    assert (empty.offer, empty.eligible, empty.unfilled) == ("X", 0, 1)
    assert unfilled_reason(empty) == "no candidate has a score above 0"
    strict = suggest_assignment(fit_matrix(result_from_grid(grid)), min_score=0.4)
    assert strict.pairs == () and strict.unassigned == ("A", "B")
    assert unfilled_reason(strict.slots[1], strict.min_score) == "no candidate reaches the minimum score 40"
    at_minimum = suggest_assignment(fit_matrix(result_from_grid(grid)), min_score=0.35)
    assert [p.candidate for p in at_minimum.pairs] == ["A"]
    # --min-score 2.2 is 2.2 / 100, a hair above the float 0.022: a score of 0.022 still reaches it.
    third = suggest_assignment(fit_matrix(result_from_grid({"X": {"A": 0.022}})), min_score=2.2 / 100)
    assert [p.candidate for p in third.pairs] == ["A"]


def test_no_candidate_no_place() -> None:
    nobody = suggest_assignment(fit_matrix(result_from_grid({"X": {}, "Y": {}})), {"X": 2})
    assert nobody.pairs == () and nobody.total == 0 and [s.unfilled for s in nobody.slots] == [2, 1]
    closed = suggest_assignment(fit_matrix(result_from_grid({"X": {"A": 0.9}})), {"X": 0})
    assert closed.pairs == () and closed.unfilled == () and closed.unassigned == ("A",)


def test_a_tie_goes_to_the_candidate_ranked_higher() -> None:
    # Equal scores: the ranking puts "Anne" before "Bruno" (ids), so Anne is suggested, every time.
    grid = {"X": {"Bruno.pdf": 0.7, "Anne.pdf": 0.7}}
    for _ in range(3):
        assignment = suggest_assignment(fit_matrix(result_from_grid(grid)))
        assert [p.candidate for p in assignment.pairs] == ["Anne.pdf"]


def test_same_suggestion_whatever_the_order_of_the_rankings() -> None:
    rng = random.Random(7)
    grid = _random_grid(rng, 12, 4)
    result = result_from_grid(grid)
    reference = suggest_assignment(fit_matrix(result), {"offer0": 2, "offer2": 3})
    for seed in range(10):
        shuffled = replace(result, offers=tuple(
            replace(o, ranking=tuple(random.Random(seed).sample(o.ranking, len(o.ranking)))) for o in result.offers))
        assert suggest_assignment(fit_matrix(shuffled), {"offer0": 2, "offer2": 3}) == reference


def test_with_assignment_attaches_it_to_the_result() -> None:
    result = result_from_grid({"X": {"A": 0.5}})
    assert result.assignment is None
    attached = with_assignment(result, {"X": 1})
    assert attached.assignment is not None and attached.assignment.pairs[0].candidate == "A"
    assert attached.offers == result.offers


def test_capacities_parse_comma_separated_repeated_and_default() -> None:
    offers = ["offre_a", "offre_b", "offre, c"]
    assert parse_capacities([], offers) == {"offre_a": 1, "offre_b": 1, "offre, c": 1}
    assert parse_capacities(["offre_a=2,offre_b=0", "offre, c=3"], offers) == {"offre_a": 2, "offre_b": 0,
                                                                              "offre, c": 3}
    assert parse_capacities(["2", "offre_b=1"], offers) == {"offre_a": 2, "offre_b": 1, "offre, c": 2}
    assert parse_capacities([" offre_a = 2 ,"], offers)["offre_a"] == 2


@pytest.mark.parametrize(("spec", "message"), [
    ("offre_x=2", "unknown offer 'offre_x' in the capacities; the offers are: offre_a, offre_b"),
    ("offre_a=-1", "'offre_a=-1': the number of places must be a whole number, 0 or more"),
    ("offre_a=1.5", "'offre_a=1.5': the number of places must be a whole number, 0 or more"),
    ("offre_a", "'offre_a': expected OFFER=N"),
    ("=2", "'=2': expected OFFER=N"),
    ("offre_a=1,offre_a=2", "offer 'offre_a' is given two capacities: 1 and 2"),
    ("1,2", "two default capacities given: 1 and 2"),
])
def test_bad_capacities_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(AssignError) as info:
        parse_capacities([spec], ["offre_a", "offre_b"])
    assert str(info.value).startswith(message)


def test_library_rejects_unknown_offers_and_bad_minimum() -> None:
    matrix = fit_matrix(result_from_grid({"X": {"A": 0.5}}))
    with pytest.raises(AssignError, match="unknown offer 'Y' in the capacities; the offers are: X"):
        suggest_assignment(matrix, {"Y": 1})
    with pytest.raises(AssignError, match="places must be 0 or more"):
        suggest_assignment(matrix, {"X": -1})
    with pytest.raises(AssignError, match="between 0 and 1"):
        suggest_assignment(matrix, min_score=30)


# -- command line ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_pool(tmp_path_factory)


@pytest.fixture(scope="module")
def assigned(pool: Path) -> tuple[dict, str]:
    out = pool / "out" / "assignment.csv"
    code, stdout, stderr = run_match(pool, "--format", "json", "--capacity", "2,juriste_associations_ess=0",
                                "--min-score", "40", "--assignment", str(out))
    assert code == 0, stderr
    return json.loads(stdout), out.read_bytes().decode("utf-8-sig")


def test_json_assignment_is_optimal_and_says_it_is_a_suggestion(assigned: tuple[dict, str]) -> None:
    data, _ = assigned
    assignment = data["assignment"]
    assert assignment["note"] == suggestion_note()
    assert assignment["note"].startswith("suggestion: the decision is yours")
    assert assignment["min_score"] == 0.4
    scores = {(o["offer"], e["candidate"]): e["score"] for o in data["offers"] for e in o["ranking"]}
    pairs = assignment["pairs"]
    assert all(p["score"] == scores[p["offer"], p["candidate"]] >= 0.4 for p in pairs)
    assert len({p["candidate"] for p in pairs}) == len(pairs)
    assert not any(p["offer"] == "juriste_associations_ess" for p in pairs)
    assert assignment["total"] == pytest.approx(sum(p["score"] for p in pairs))
    capacity = {s["offer"]: s["capacity"] for s in assignment["slots"]}
    assert capacity["juriste_associations_ess"] == 0 and capacity["pollens_sante_roannais"] == 2
    # Seven candidates, nine offers with two places: every one of them who reaches 40 somewhere is placed.
    reaching = {c for (o, c), s in scores.items() if s >= 0.4 and o != "juriste_associations_ess"}
    assert {p["candidate"] for p in pairs} == reaching
    assert set(assignment["unassigned"]) == set(POOL_CVS) - reaching


def test_assignment_csv_has_a_row_per_place_and_the_caveat(assigned: tuple[dict, str]) -> None:
    data, text = assigned
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == ASSIGNMENT_CSV_HEADER
    places = sum(s["capacity"] for s in data["assignment"]["slots"])
    assert len(rows) == 1 + places + 1
    filled = [(r[0], r[2]) for r in rows[1:-1] if r[2]]
    assert filled == [(p["offer"], p["candidate"]) for p in data["assignment"]["pairs"]]
    assert all(r[5].startswith("unfilled: ") for r in rows[1:-1] if not r[2])
    assert rows[-1][3] == f"{data['assignment']['total']:.4f}"
    assert suggestion_note() in rows[-1][5]


def test_table_shows_the_suggestion_within_80_columns(pool: Path) -> None:
    code, stdout, _ = run_match(pool, "--assign", "--top", "3")
    assert code == 0
    assert "Suggested assignment — total" in stdout
    assert " ".join(suggestion_note().split()) in " ".join(stdout.split())
    assert max(len(line) for line in stdout.splitlines()) <= 80
    section = stdout[stdout.index("Suggested assignment"):]
    assert "juriste_associations_ess (1 place(s))" in section and "CV_Yanis_Cherif.pdf" in section


def test_no_assignment_unless_asked(pool: Path) -> None:
    code, stdout, _ = run_match(pool, "--format", "json")
    assert code == 0 and json.loads(stdout)["assignment"] is None
    code, stdout, _ = run_match(pool, "--top", "2")
    assert "Suggested assignment" not in stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--capacity", "offre_inconnue=2"], "unknown offer 'offre_inconnue' in the capacities; the offers are: "
                                          "animation_mediation_scientifique, cartographie_chatons_framasoft"),
    (["--assign", "--capacity", "pollens_sante_roannais=deux"], "'pollens_sante_roannais=deux': the number of "
                                                                "places must be a whole number"),
    (["--capacity", "pollens_sante_roannais"], "expected OFFER=N"),
    (["--min-score", "150"], "--min-score"),
    (["--assignment", "suggestion.json"], "suggestion.json: write a .csv file"),
])
def test_bad_assignment_options_exit_2_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["match", str(SAMPLES / "offres"), str(SAMPLES / "candidatures"),
                                      "--cache-dir", str(tmp_path / "cache"), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "cache").exists()  # rejected before reading a single CV

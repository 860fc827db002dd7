"""MatchResult records built from a grid of scores, for tests that need no documents."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from matchstage.analysis.taxonomy import Facet
from matchstage.ranking.results import MatchResult, Offer, OfferResult, Ranked
from matchstage.ranking.scoring import FacetScore, Score


def _score(value: float) -> Score:
    return Score(value, 0.0, {f: None for f in Facet}, lambda: {f: FacetScore(None) for f in Facet})


def result_from_grid(grid: Mapping[str, Mapping[str, float]]) -> MatchResult:
    """``{offer: {candidate: score}}`` ranked as ``match`` ranks (score down, then candidate id)."""
    offers = []
    for offer, scores in grid.items():
        order = sorted(scores, key=lambda c: (-scores[c], c))
        ranking = tuple(Ranked(i, c, (c,), _score(scores[c])) for i, c in enumerate(order, start=1))
        offers.append(OfferResult(Offer(offer, Path(f"{offer}.txt"), ""), ranking))
    return MatchResult(tuple(offers), (), ())


SAMPLES = Path(__file__).parent.parent / "samples"
# Seven sample CVs against the ten sample offers: small enough to analyse in seconds.
POOL_CVS = ("CV_Malik_Mansouri.pdf", "CV_Wen_Li_biostat.pdf", "Antoine_Rousseau_CV.pdf", "CV_Fatou_Sow.pdf",
            "cv_pierre_lemaire.pdf", "CV_Hugo_Martin.pdf", "CV_Yanis_Cherif.pdf")


def sample_pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``candidatures/`` (the pool's CVs) and ``cache/``, made once per session, so
    that the modules using it analyse the CVs once."""
    root = tmp_path_factory.getbasetemp() / "sample_pool"
    if not root.exists():
        (root / "candidatures").mkdir(parents=True)
        for name in POOL_CVS:
            shutil.copy(SAMPLES / "candidatures" / name, root / "candidatures" / name)
    return root


def run_match(pool: Path, *args: str, columns: int = 80) -> tuple[int, str, str]:
    """``matchstage match`` of the ten sample offers against ``pool`` (see :func:`sample_pool`), at ``columns``."""
    from click.testing import CliRunner

    from matchstage.cli import cli

    result = CliRunner().invoke(cli, ["match", str(SAMPLES / "offres"), str(pool / "candidatures"),
                                      "--cache-dir", str(pool / "cache"), *args], env={"COLUMNS": str(columns)})
    return result.exit_code, result.stdout, result.stderr

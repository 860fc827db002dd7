"""The 79 real-world difficult PDFs of ../shared/corpora/pdfs, as a candidates folder: every file is
ranked or skipped with a reason, no exception escapes, and the run ends within a time bound."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.documents import SkipReason
from tests.factories import OFFER

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "pdfs"
TIME_BOUND_S = 120


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpora/pdfs is not beside the repository")
def test_corpus_run_accounts_for_every_file(tmp_path: Path) -> None:
    (tmp_path / "offre.txt").write_text(OFFER, encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["match", str(tmp_path / "offre.txt"), str(CORPUS), "--no-cache",
                                      "--format", "json", "--jobs", "2"])
    elapsed = time.monotonic() - started
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    ranked = [f for entry in data["offers"][0]["ranking"] for f in entry["files"]]
    skipped = [s["path"] for s in data["skipped"]]
    ignored = data["ignored"]
    every = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    assert sorted(ranked + skipped + ignored) == every  # each file exactly once
    assert ignored == ["MANIFEST.tsv"]
    for skip in data["skipped"]:
        assert SkipReason(skip["reason"])
        assert skip["message"].startswith(skip["path"] + ": ")
    counts = Counter(s["reason"] for s in data["skipped"])
    print(f"\ncorpus: {len(ranked)} ranked, skipped by reason {dict(sorted(counts.items()))}, {elapsed:.1f} s")
    assert {"encrypted", "scanned", "corrupt", "empty", "not-a-pdf", "too-large"} <= counts.keys()
    assert elapsed < TIME_BOUND_S

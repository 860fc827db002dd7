"""The JSON document: the same data as ``to_json``, indented, each ranked candidate on a line of its own."""

from __future__ import annotations

import json
from pathlib import Path

from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.taxonomy import load_taxonomy
from matchstage.cache import Cache
from matchstage.match import Engine, MatchOptions, match
from matchstage.outputs.report import json_text, to_json
from matchstage.ranking.scoring import ScoringRules
from tests.conftest import DATA
from tests.factories import ACCOUNTANT, GEOGRAPHER, OFFER, SOCIOLOGIST, write_pdf


def test_json_text_holds_to_json_with_one_line_per_ranked_candidate(tmp_path: Path, analyzer: Analyzer) -> None:
    offers = tmp_path / "offres"
    offers.mkdir()
    (offers / "offre_a.txt").write_text(OFFER, encoding="utf-8")
    (offers / "offre_b.txt").write_text(OFFER.replace("sociologie", "géographie"), encoding="utf-8")
    for name, text in (("CV_Camille_Durand.pdf", SOCIOLOGIST), ("CV_Paul_Martin.pdf", ACCOUNTANT),
                       ("CV_Ines_Haddad.pdf", GEOGRAPHER)):
        write_pdf(tmp_path / "cands" / name, text)
    (tmp_path / "cands" / "vide.pdf").write_bytes(b"")
    with Cache(tmp_path / "cache") as cache:
        engine = Engine(load_taxonomy(DATA / "taxonomy"), ScoringRules.load(), analyzer, cache)
        result = match([offers], tmp_path / "cands", MatchOptions(jobs=1), engine=engine)
    text = json_text(result)
    assert json.loads(text) == to_json(result)
    lines = text.splitlines()
    ranked = [line for line in lines if line.lstrip().startswith('{"rank": ')]
    assert len(ranked) == 6  # three candidates for each of two offers
    assert all(line.startswith(" " * 8) and json.loads(line.strip().rstrip(",")) for line in ranked)
    assert lines[0] == "{" and '  "skipped": [' in lines and text.endswith("}\n")

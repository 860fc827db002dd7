"""scripts/crossval.py, the leave-one-set-out cross-validation: the parts that need no analysed set."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from matchstage.ranking.scoring import ScoringRules

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "crossval.py"


@pytest.fixture(scope="module")
def crossval():
    spec = importlib.util.spec_from_file_location("crossval", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crossval"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["crossval"]


def test_the_four_labelled_sets_are_found(crossval) -> None:
    names = [s.name for s in crossval.default_sets()]
    assert names[:3] == ["samples", "validation", "heldout"]
    for labelled in crossval.default_sets():
        assert labelled.offers.is_dir() and labelled.candidates.is_dir() and labelled.qrels.is_file()


def test_a_setting_changes_only_the_parameters_it_names(crossval) -> None:
    base = ScoringRules.load()
    setting = crossval.Setting().with_value("weights.text", 0.5).with_value("rules.discipline_gate", 0.6)
    setting = setting.with_value("section_weights.disciplines:competences", 0.2).with_value("credit.broader", 0.8)
    rules = crossval.rules_for(base, setting)
    assert rules.weights.text == 0.5 and rules.weights.disciplines == base.weights.disciplines
    assert rules.discipline_gate == 0.6 and rules.credit["broader"] == 0.8
    assert rules.section_weights["disciplines"]["competences"] == 0.2
    assert rules.section_weights["disciplines"]["mots_cles"] == base.section_weights["disciplines"]["mots_cles"]
    assert crossval.rules_for(base, crossval.Setting()) == base
    with pytest.raises(ValueError, match="unknown parameter"):
        crossval.rules_for(base, crossval.Setting((("nonsense.x", 1.0),)))


def test_the_learned_combination_ranks_by_what_separates_the_grades(crossval) -> None:
    # One offer, four candidates: the grade follows the first feature, the second is noise.
    x = np.array([[0.9, 0.1], [0.6, 0.9], [0.3, 0.2], [0.1, 0.8]])
    grades = np.array([3.0, 2.0, 1.0, 0.0])
    diffs, labels = crossval.pairwise([x], [grades])
    assert len(diffs) == 12 and labels.sum() == 6
    coef = crossval.fit_combination([([x], [grades])], 1.0)
    assert coef[0] > 0 and coef[0] > abs(coef[1])

from __future__ import annotations

import pytest

from matchstage.analysis.inclusive import reduce_inclusive

CASES = [
    ("étudiant.e", "étudiant"),
    ("chercheur.es", "chercheur"),
    ("acteurs/trices", "acteurs"),
    ("nombreu⋅ses", "nombreux"),
    ("habitant·es", "habitant"),
    ("étudiant·e·s", "étudiant"),
    ("étudiant-e-s", "étudiant"),
    ("entrepreneurs.euses sociaux.ales", "entrepreneurs sociaux"),
    ("professionnel.les de santé", "professionnel de santé"),
    ("porteurs/ses de projet", "porteurs de projet"),
    ("Chef·fe de projet", "Chef de projet"),
]

UNTOUCHED = ["Saint-Étienne", "peut-être", "dis-le", "etc. Les", "marie.le@exemple.fr", "www.site.es",
             "tiers-lieu", "co-construire", "analyse/synthèse", "M2 SIC."]


@pytest.mark.parametrize(("written", "base"), CASES)
def test_inclusive_forms_reduce_to_base_word(written: str, base: str) -> None:
    assert reduce_inclusive(written) == base


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_hyphens_dots_and_addresses_are_left_alone(text: str) -> None:
    assert reduce_inclusive(text) == text

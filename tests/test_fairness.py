"""Scores must not depend on who the candidate is: name, gender, age, photo, address, nationality, contact."""

from __future__ import annotations

from pathlib import Path

from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.taxonomy import load_taxonomy
from matchstage.match import Engine, MatchOptions, match
from matchstage.ranking.scoring import ScoringRules
from tests.factories import OFFER, write_pdf

BODY = """Formation
Master 2 Sociologie, Université Lyon 2
Expériences
Stage de recherche : 25 entretiens semi-directifs auprès d'habitants, observation participante
Conduite de projet associatif, animation d'ateliers
Compétences
Méthodes qualitatives, cartographie, rédaction
"""

PERSON_A = """Léa NGUYEN
Photo : portrait de Léa
12 rue des Lilas, 69007 Lyon
06 12 34 56 78 · lea.nguyen@exemple.fr · linkedin.com/in/leanguyen
Née le 12/03/2001 (24 ans)
Nationalité : française
Situation familiale : célibataire
"""

PERSON_B = """Mamadou DIALLO
Photo : portrait de Mamadou
3 avenue Jean Jaurès, 93200 Saint-Denis
07 98 76 54 32 · m.diallo@exemple.org · github.com/mdiallo
Né le 01/09/1979 (46 ans)
Nationalité : sénégalaise
Situation familiale : marié, deux enfants
"""


def test_identical_cvs_but_for_personal_details_score_identically(tmp_path: Path, analyzer: Analyzer) -> None:
    (tmp_path / "offre.txt").write_text(OFFER, encoding="utf-8")
    write_pdf(tmp_path / "c" / "CV_Lea_Nguyen.pdf", PERSON_A + BODY)
    write_pdf(tmp_path / "c" / "CV_Mamadou_Diallo.pdf", PERSON_B + BODY)
    engine = Engine(load_taxonomy(Path(__file__).parent / "data" / "taxonomy"), ScoringRules.load(), analyzer)
    result = match([tmp_path / "offre.txt"], tmp_path / "c", MatchOptions(), engine=engine)
    a, b = result.offers[0].ranking
    assert a.score == b.score
    assert a.score.score > 0.3

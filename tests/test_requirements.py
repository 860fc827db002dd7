"""Requirements files: ``matchstage requirements`` writes what an offer asks for, ``match`` ranks on the file
once the project officer has corrected it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.analysis.levels import Level
from matchstage.analysis.taxonomy import Concept, Facet, Taxonomy, load_taxonomy
from matchstage.cli import cli
from matchstage.ranking.requirements import OfferRequirements, Requirement
from matchstage.ranking.requirements_file import (
    RequirementsError,
    find_concept,
    read_requirements,
    requirements_path,
    requirements_text,
)
from matchstage.ranking.rules import ScoringRules
from tests.factories import ACCOUNTANT, GEOGRAPHER, OFFER, SOCIOLOGIST, write_pdf

# The offer of the other CLI tests, with a line of its conditions naming a skill (read, asked for at weight 0).
OFFER_WITH_CONDITIONS = OFFER + "Permis B nécessaire pour les déplacements, remboursés.\n"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def rules() -> ScoringRules:
    return ScoringRules.load()


ASKED = OfferRequirements(
    {Facet.DISCIPLINES: (Requirement("sociologie", 1.0, True, "sociologie", "profil"),
                         Requirement("geographie", 0.8, True, "géographie", "missions")),
     Facet.METHODS: (Requirement("qgis", 0.5, False, "QGIS", "apprecie"),),
     Facet.SKILLS: ()},
    Level(5, "Master 2", "Master 2"),
)
BELOW = [Requirement("permis-conduire", 0.0, False, "Permis B", "conditions")]


def _text(taxonomy: Taxonomy, rules: ScoringRules) -> str:
    return requirements_text("offre", "offre.txt", ASKED, BELOW, taxonomy, rules)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "offre.requirements.toml"
    path.write_text(text, encoding="utf-8")
    return path


# -- the file -----------------------------------------------------------------------------------------------
def test_the_file_reads_back_as_what_was_written(tmp_path: Path, taxonomy: Taxonomy, rules: ScoringRules) -> None:
    text = _text(taxonomy, rules)
    assert ('qgis = { label = "QGIS, ArcGIS, PostGIS", weight = 0.5, asked = "appreciated" }  # «QGIS» (apprecie)'
            in text)
    read = read_requirements(_write(tmp_path, text), "offre", taxonomy, rules)
    assert read.level == Level(5, "Master 2", "") and not read.level.soft
    assert [(r.concept, r.importance, r.required) for r in read.by_facet[Facet.DISCIPLINES]] == [
        ("sociologie", 1.0, True), ("geographie", 0.8, True)]
    assert [(r.concept, r.importance, r.required) for r in read.by_facet[Facet.METHODS]] == [("qgis", 0.5, False)]
    assert read.by_facet[Facet.SKILLS] == ()
    assert read.source == tmp_path / "offre.requirements.toml"


def test_a_concept_read_with_no_weight_is_written_commented_out(taxonomy: Taxonomy, rules: ScoringRules) -> None:
    text = _text(taxonomy, rules)
    assert re.search(r'^# permis-conduire = \{ label = "Permis de conduire", weight = 1\.0, asked = "appreciated" \}'
                     r'  # «Permis B» \(conditions\)$', text, re.MULTILINE)


def test_writing_twice_gives_the_same_bytes(taxonomy: Taxonomy, rules: ScoringRules) -> None:
    assert _text(taxonomy, rules) == _text(taxonomy, rules)


def test_reordering_and_reformatting_by_hand_changes_nothing(tmp_path: Path, taxonomy: Taxonomy,
                                                             rules: ScoringRules) -> None:
    before = read_requirements(_write(tmp_path, _text(taxonomy, rules)), "offre", taxonomy, rules)
    edited = """level_soft = false
offer = 'offre'
level = "master 2"
[methods]
qgis = {weight=0.5,asked="appreciated"}
[disciplines]
  geographie   =   { asked = "required", weight = 0.80 }
sociologie = { weight = 1 }
"""
    after = read_requirements(_write(tmp_path, edited), "offre", taxonomy, rules)
    assert after.by_facet == before.by_facet and after.level == before.level


def test_a_concept_is_added_by_one_of_its_terms(tmp_path: Path, taxonomy: Taxonomy, rules: ScoringRules) -> None:
    text = _text(taxonomy, rules).replace("[skills]\n", '[skills]\n"Permis B" = { weight = 0.6 }\n')
    read = read_requirements(_write(tmp_path, text), "offre", taxonomy, rules)
    assert [(r.concept, r.importance, r.required) for r in read.by_facet[Facet.SKILLS]] == [
        ("permis-conduire", 0.6, True)]
    assert find_concept("postgis", taxonomy).id == "qgis"
    assert find_concept("Sociologie", taxonomy).id == "sociologie"


def test_an_ambiguous_term_is_refused_with_the_candidates() -> None:
    twins = Taxonomy({"a": Concept("a", Facet.SKILLS, "Cartographie"),
                      "b": Concept("b", Facet.METHODS, "Carto", terms=("cartographie",))}, "test")
    with pytest.raises(LookupError, match=r"'cartographie' names several concepts: a \(Cartographie\), b \(Carto\)"):
        find_concept("cartographie", twins)


@pytest.mark.parametrize(("edit", "line", "message"), [
    (lambda t: t.replace("[methods]\n", '[methods]\ninconnu-xyz = { weight = 1 }\n'), "[methods]",
     "no concept of the taxonomy is named 'inconnu-xyz'"),
    (lambda t: t.replace("weight = 0.8,", "weight = 1.5,"), "geographie =",
     "geographie: weight 1.5 must be a number between 0 and 1"),
    (lambda t: t.replace('level = "Master 2"', 'level = "Master 3"'), "level =",
     "no level is named 'Master 3': write one of \"Doctorat\", \"Master 2\""),
    (lambda t: t.replace('offer = "offre"', 'offer = "autre_offre"'), "offer =",
     "written for the offer 'autre_offre', not 'offre'"),
    (lambda t: t.replace('asked = "appreciated" }  # «QGIS»', 'asked = "maybe" }  # «QGIS»'), "qgis =",
     'qgis: asked "maybe" must be "required" or "appreciated"'),
    (lambda t: t.replace("[skills]\n", '[skills]\nqgis2 = { weight = 1 }\n').replace("qgis2", "sig"), "sig =",
     "sig: SIG et cartographie is one of the methods, not of the skills: move it under [methods]"),
    (lambda t: t.replace("[skills]\n", "[skills]\nnope = \n"), "nope =", "not valid TOML"),
])
def test_a_file_that_cannot_be_used_names_its_line(tmp_path: Path, taxonomy: Taxonomy, rules: ScoringRules,
                                                   edit: object, line: str, message: str) -> None:
    text = edit(_text(taxonomy, rules))  # type: ignore[operator]
    number = next(i for i, written in enumerate(text.splitlines(), start=1) if written.startswith(line))
    if line == "[methods]":
        number += 1
    with pytest.raises(RequirementsError) as caught:
        read_requirements(_write(tmp_path, text), "offre", taxonomy, rules)
    assert caught.value.line == number
    assert str(caught.value).startswith(f"{tmp_path / 'offre.requirements.toml'}:{number}: ")
    assert message in str(caught.value)


# -- through the commands -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("requirements")
    (root / "offre.txt").write_text(OFFER_WITH_CONDITIONS, encoding="utf-8")
    cands = root / "candidatures"
    write_pdf(cands / "CV_Camille_Durand.pdf", SOCIOLOGIST)
    write_pdf(cands / "CV_Paul_Martin.pdf", ACCOUNTANT)
    write_pdf(cands / "CV_Ines_Haddad.pdf", GEOGRAPHER)
    return root


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _match(run: Path, *extra: str) -> tuple[dict, str]:
    code, out, err = _invoke("match", str(run / "offre.txt"), str(run / "candidatures"), "--format", "json",
                             "--cache-dir", str(run / "cache"), *extra)
    assert code == 0, err
    return json.loads(out)["offers"][0], err


@pytest.fixture(scope="module")
def generated(run: Path) -> tuple[dict, str]:
    """The ranking on the offer's text, then the requirements file written for it."""
    plain, _ = _match(run)
    code, out, err = _invoke("requirements", str(run / "offre.txt"))
    assert code == 0, err
    assert out == f"written: {run / 'offre.requirements.toml'}\n"
    return plain, requirements_path(run / "offre.txt").read_text(encoding="utf-8")


def _ranking(offer: dict) -> list[tuple[str, float]]:
    return [(e["candidate"], e["score"]) for e in offer["ranking"]]


def _missing(offer: dict) -> set[str]:
    return {label for e in offer["ranking"] for f in e["facets"].values() for label in f["missing"]}


def test_the_generated_file_ranks_as_the_offer_text_does(run: Path, generated: tuple[dict, str]) -> None:
    plain, text = generated
    used, err = _match(run)
    assert _ranking(used) == _ranking(plain)
    assert [e["facets"] for e in used["ranking"]] == [e["facets"] for e in plain["ranking"]]
    assert used["requirements_source"] == str(run / "offre.requirements.toml")
    assert plain["requirements_source"] is None
    assert f"{run / 'offre.txt'}: what it asks for read from {run / 'offre.requirements.toml'}" in err
    assert "# permis-conduire = {" in text  # read in the conditions: not asked for, listed commented out


def test_the_file_is_kept_unless_forced(run: Path, generated: tuple[dict, str]) -> None:
    code, _, err = _invoke("requirements", str(run / "offre.txt"))
    assert code == 1
    assert f"{run / 'offre.requirements.toml'}: already exists, kept (it may hold corrections)" in err
    code, _, _ = _invoke("requirements", str(run / "offre.txt"), "--force")
    assert code == 0
    assert requirements_path(run / "offre.txt").read_text(encoding="utf-8") == generated[1]  # same bytes


def test_removing_a_concept_removes_it_from_every_missing_list(run: Path, generated: tuple[dict, str],
                                                               tmp_path: Path) -> None:
    plain, text = generated
    assert "Sociologie" in _missing(plain)
    edited = tmp_path / "corrige.toml"
    edited.write_text("\n".join(line for line in text.splitlines() if not line.startswith("sociologie =")),
                      encoding="utf-8")
    used, _ = _match(run, "--requirements", str(edited))
    assert "Sociologie" not in _missing(used)
    assert used["requirements_source"] == str(edited)
    before = {e["candidate"]: e["facets"]["disciplines"]["score"] for e in plain["ranking"]}
    after = {e["candidate"]: e["facets"]["disciplines"]["score"] for e in used["ranking"]}
    assert before["CV_Camille_Durand.pdf"] != after["CV_Camille_Durand.pdf"]
    assert "sociologie" not in [c["concept"] for c in used["requirements"]["disciplines"]]


def test_a_concept_added_by_a_term_and_one_uncommented_are_asked_for(run: Path, generated: tuple[dict, str],
                                                                     tmp_path: Path) -> None:
    _, text = generated
    edited = tmp_path / "ajout.toml"
    text = text.replace("# permis-conduire = {", "permis-conduire = {")
    edited.write_text(text.replace("[methods]\n", '[methods]\n"PostGIS" = { weight = 1, asked = "required" }\n'),
                      encoding="utf-8")
    used, _ = _match(run, "--requirements", str(edited))
    assert {"concept": "qgis", "label": "QGIS, ArcGIS, PostGIS", "weight": 1.0, "asked": "required"} in \
        used["requirements"]["methods"]
    assert "permis-conduire" in [c["concept"] for c in used["requirements"]["skills"]]
    assert "QGIS, ArcGIS, PostGIS" in _missing(used)  # nobody shows it, and it is now required


@pytest.mark.parametrize(("old", "new", "message"), [
    ('offer = "offre"', 'offer = "autre"', "written for the offer 'autre', not 'offre'"),
    ("sociologie = {", "sociologiee = {", "no concept of the taxonomy is named 'sociologiee'"),
    ('weight = 0.8, asked = "required" }  #', 'weight = -0.2, asked = "required" }  #',
     "weight -0.2 must be a number between 0 and 1"),
    ('level = "Master 2"', 'level = "Master 7"', "no level is named 'Master 7'"),
])
def test_match_refuses_a_file_it_cannot_use(run: Path, generated: tuple[dict, str], tmp_path: Path, old: str,
                                            new: str, message: str) -> None:
    _, text = generated
    edited = tmp_path / "faux.toml"
    edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = _invoke("match", str(run / "offre.txt"), str(run / "candidatures"), "--format", "json",
                             "--requirements", str(edited), "--cache-dir", str(run / "cache"))
    assert code == 1
    assert out == ""  # nothing ranked
    number = next(i for i, line in enumerate(edited.read_text(encoding="utf-8").splitlines(), start=1)
                  if new in line)
    assert err.startswith(f"Error: {edited}:{number}: ")
    assert message in err


def test_a_level_only_wished_for_costs_less_per_year_missing(tmp_path: Path, taxonomy: Taxonomy,
                                                            rules: ScoringRules) -> None:
    text = _text(taxonomy, rules).replace("level_soft = false", "level_soft = true")
    soft = read_requirements(_write(tmp_path, text), "offre", taxonomy, rules).level
    assert soft == Level(5, "Master 2", "", soft=True)
    master1 = Level(4, "Master 1", "")
    assert rules.level_factor(soft, master1) > rules.level_factor(dataclasses.replace(soft, soft=False), master1)


def test_output_names_one_file_for_one_offer(run: Path, tmp_path: Path) -> None:
    target = tmp_path / "a_corriger.toml"
    code, out, _ = _invoke("requirements", str(run / "offre.txt"), "-o", str(target))
    assert code == 0 and out == f"written: {target}\n"
    assert target.read_text(encoding="utf-8").count('offer = "offre"') == 1
    (tmp_path / "autre.txt").write_text(OFFER, encoding="utf-8")
    code, _, err = _invoke("requirements", str(run / "offre.txt"), str(tmp_path / "autre.txt"), "-o", str(target))
    assert code == 1 and "-o names one file: give one offer with it (2 given)" in err


def test_with_several_offers_each_file_names_its_offer(run: Path, generated: tuple[dict, str], tmp_path: Path) -> None:
    other = tmp_path / "autre.txt"
    other.write_text(OFFER, encoding="utf-8")
    stray = tmp_path / "egare.toml"
    stray.write_text(generated[1].replace('offer = "offre"', 'offer = "inconnue"'), encoding="utf-8")
    code, out, err = _invoke("match", str(run / "offre.txt"), str(other), str(run / "candidatures"),
                             "--requirements", str(stray), "--cache-dir", str(run / "cache"))
    assert code == 1 and out == ""
    assert f"{stray}: written for the offer 'inconnue', which this run does not rank (its offers: offre, autre)" in err


def test_evaluate_says_which_offers_it_ranked_on_a_requirements_file(run: Path, generated: tuple[dict, str],
                                                                     tmp_path: Path) -> None:
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("candidate\toffer\tgrade\nCV_Camille_Durand.pdf\toffre\t3\nCV_Paul_Martin.pdf\toffre\t0\n",
                     encoding="utf-8")
    code, out, err = _invoke("evaluate", str(run / "offre.txt"), str(run / "candidatures"), "--qrels", str(qrels))
    assert code == 0 and "MEAN" in out
    assert f"{run / 'offre.txt'}: what it asks for read from {run / 'offre.requirements.toml'}" in err

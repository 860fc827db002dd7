"""``matchstage inspect``: what matchstage saw in one document, through CliRunner and the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import Profile
from matchstage.analysis.taxonomy import load_taxonomy
from matchstage.cli import cli
from matchstage.match import Engine
from matchstage.outputs.inspection import InspectOptions, Outcome, inspect_document
from matchstage.ranking.scoring import ScoringRules
from tests import hostile
from tests.factories import LETTER, write_docx, write_pdf

ROOT = Path(__file__).resolve().parents[1]
LEA = ROOT / "samples" / "candidatures" / "CV_Lea_Nguyen.pdf"
POLLENS = ROOT / "samples" / "offres" / "pollens_sante_roannais.md"
SMALL_TAXONOMY = Path(__file__).parent / "data" / "taxonomy"


def _inspect(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["inspect", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def lea_json() -> dict:
    code, out, err = _inspect(str(LEA), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_a_sample_cv_shows_its_sections_concepts_and_personal_details() -> None:
    code, out, _ = _inspect(str(LEA))
    assert code == 0
    assert "CV_Lea_Nguyen.pdf, inspected as a CV" in out
    assert "read as pdf, 2 page(s)" in out and "language: fr" in out
    assert "matchstage match would rank it." in out
    assert "Personal details left out of scoring (8)" in out
    assert "  email    lea.nguyen@exemple.fr" in out and "  phone    06 00 00 00 11" in out
    assert "── formation · «Parcours universitaire» · weight 1.00" in out
    assert "Entretiens semi-directifs (methods) «entretiens compréhensifs» counts 1.00" in out
    # The text shown is the text analysed: personal details are not in it.
    sections_part = out.split("Sections (")[1]
    assert "lea.nguyen@exemple.fr" not in sections_part and "Léa" not in sections_part


def test_json_gives_each_section_its_weight_and_concepts(lea_json: dict) -> None:
    assert lea_json["outcome"] == "used" and lea_json["reason"] is None
    assert lea_json["language"] == "fr" and lea_json["pages"] == 2
    by_name = {}
    for section in lea_json["sections"]:
        by_name.setdefault(section["name"], []).append(section)
    assert by_name["formation"][0]["heading"] == "Parcours universitaire"
    assert by_name["formation"][0]["weight"] == 1.0
    skills = by_name["competences"][0]
    assert skills["weight"] == 0.6
    nvivo = next(c for c in skills["concepts"] if c["words"] == "NVivo")
    assert nvivo == {"concept": nvivo["concept"], "label": "Logiciels d'analyse qualitative", "facet": "methods",
                     "words": "NVivo", "line": "Analyse de données textuelles : NVivo, Sonal ; notions de R pour des "
                     "tris à plat", "counts": 0.6, "required": False, "appreciated": False}
    removed = {(r["kind"], r["text"]) for r in lea_json["personal_details_removed"]}
    assert {("email", "lea.nguyen@exemple.fr"), ("name", "Nguyen"), ("age", "25 ans")} <= removed


def test_an_offer_shows_required_and_appreciated_concepts() -> None:
    code, out, _ = _inspect("--offer", str(POLLENS))
    assert code == 0
    assert "pollens_sante_roannais.md, inspected as an offer" in out
    assert "matchstage match would match candidates against it." in out
    assert "Personal details" not in out
    assert "── profil · «### **Compétences attendues :**» · weight 1.00 · required" in out
    assert "Méthodes qualitatives (methods) «méthodologies qualitatives» counts 1.00  [required]" in out
    # "Intérêt pour ..." asks for it (only "un plus", "apprécié", "souhaité"... make it optional).
    assert "Recherche participative (methods) «recherche participative» counts 1.00  [required]" in out
    # Under an "Appréciés :" sub-heading, what the offer names is asked for at half weight, not required.
    code, out, _ = _inspect("--offer", str(POLLENS.parent / "charge_etudes_statistiques_ors.txt"))
    assert "── apprecie · «Appréciés :» · weight 0.50" in out
    assert "QGIS, ArcGIS, PostGIS (methods) «QGIS» counts 0.50  [appreciated]" in out
    code, out, _ = _inspect("--offer", str(POLLENS))
    # A soft skill weighs 0.3 of its section.
    assert "Autonomie et initiative (skills) «Autonomie» counts 0.18  [required]" in out


@pytest.mark.parametrize(("make", "reason", "says"), [
    (hostile.encrypted_pdf, "encrypted", "protected by a password"),
    (hostile.zero_byte, "empty", "no text to read"),
    (hostile.truncated_pdf, "corrupt", "damaged"),
])
def test_a_file_that_cannot_be_read_exits_1_naming_it(tmp_path: Path, make, reason: str, says: str) -> None:
    path = make(tmp_path)
    code, out, err = _inspect(str(path))
    assert code == 1
    assert out == ""
    assert f"{path.name}: " in err and says in err
    code, out, _ = _inspect(str(path), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert (data["outcome"], data["reason"]) == ("unreadable", reason) and says in data["message"]


def test_a_document_that_is_not_a_cv_is_read_and_said_to_be_skipped(tmp_path: Path) -> None:
    report = "\n".join(f"Le chapitre {i} présente la méthode d'enquête qualitative et ses résultats."
                       for i in range(480))  # 9 pages, no CV heading
    path = write_pdf(tmp_path / "Rapport_de_stage.pdf", report)
    code, out, _ = _inspect(str(path), "--taxonomy", str(SMALL_TAXONOMY))
    assert code == 0
    assert "matchstage match would skip it [not-a-cv]: " in out
    assert "Rapport_de_stage.pdf: does not look like a CV or a cover letter (9 pages and no CV section)." in out
    assert "Méthodes qualitatives (methods) «méthode d' enquête qualitative» counts 0.80" in out
    labels = {line.split(" (")[0].strip() for line in out.splitlines() if line.startswith("     ") and "«" in line}
    assert labels and labels <= {c.label for c in load_taxonomy(SMALL_TAXONOMY).concepts.values()}


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _inspect(str(tmp_path / "absent.pdf"))[0] == 2
    assert _inspect(str(tmp_path))[0] == 2
    assert _inspect(str(LEA), "--format", "xml")[0] == 2


# -- the library, with one engine for the module --------------------------------------------------------------
@pytest.fixture(scope="module")
def engine(analyzer: Analyzer) -> Engine:
    return Engine(load_taxonomy(SMALL_TAXONOMY), ScoringRules.load(), analyzer)


def test_a_concept_counts_what_ranking_gives_it_there(tmp_path: Path, engine: Engine) -> None:
    path = write_pdf(tmp_path / "CV_Test.pdf", "Formation\nMaster 2 Sociologie\nCompétences\n"
                                               "Sociologie, entretiens semi-directifs")
    inspection = inspect_document(path, engine=engine)
    counts = {(s.name, f.concept): f.counts for s in inspection.sections for f in s.found}
    assert counts[("formation", "sociologie")] == 1.0
    # A discipline in a skills list counts 0.35 ([section_weights.disciplines]), a method the section's 0.6.
    assert counts[("competences", "sociologie")] == 0.35
    assert counts[("competences", "entretien-semi-directif")] == 0.6


def test_a_cover_letter_counts_three_quarters_and_an_odd_type_is_said_to_be_ignored(
        tmp_path: Path, engine: Engine) -> None:
    letter = inspect_document(write_docx(tmp_path / "Lettre_de_motivation.docx", LETTER), engine=engine)
    assert letter.outcome is Outcome.USED and letter.cover_letter
    assert any("cover letter" in note for note in letter.notes)
    assert {f.counts for s in letter.sections for f in s.found} == {0.6}  # default section 0.8 × 0.75
    notes = tmp_path / "notes.txt"
    notes.write_text("Formation\nMaster 2 Sociologie, entretiens semi-directifs", encoding="utf-8")
    ignored = inspect_document(notes, engine=engine)
    assert ignored.outcome is Outcome.IGNORED and "ignores .txt files" in ignored.message
    assert ignored.sections  # still shown as if it were a CV
    as_offer = inspect_document(notes, InspectOptions(offer=True), engine=engine)
    assert as_offer.outcome is Outcome.USED


def test_merged_profiles_keep_where_each_concept_was_found(engine: Engine) -> None:
    cv, letter = engine.profiler.candidate_documents([
        ("Ines_Haddad", "CV.pdf", "Formation\nMaster 2 Sociologie\nCompétences\ncartographie"),
        ("Ines_Haddad", "Lettre.docx", "Madame, Monsieur,\nje mène des entretiens semi-directifs."),
    ])
    merged = Profile.merge([cv, letter])
    found = {(merged.sections[s].name, e.concept) for e, (s, _line) in zip(merged.evidence, merged.places)}
    assert found == {("formation", "sociologie"), ("competences", "sig"), ("default", "entretien-semi-directif")}
    from_cache = Profile(cv.evidence, cv.lemmas, cv.language)  # the cache keeps neither sections nor places
    assert Profile.merge([from_cache, letter]).places == ()

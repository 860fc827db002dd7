"""Blind review: pseudonyms in every output, nothing personal left, the same scores, a private key."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.analysis.lemmas import fold
from matchstage.analysis.taxonomy import Facet
from matchstage.cli import cli
from matchstage.outputs.blinding import MASK, PseudonymRegister, Pseudonyms, Redactor, blind
from matchstage.ranking.results import MatchResult, Offer, OfferResult, Ranked
from matchstage.ranking.scoring import FacetScore, Match, Score
from tests.factories import SOCIOLOGIST, write_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PSEUDONYM = re.compile(r"^Candidate \d{2,}$")


# -- the register -----------------------------------------------------------------------------------------
def test_a_candidate_keeps_its_number_and_newcomers_renumber_no_one(tmp_path: Path) -> None:
    folder = tmp_path / "candidatures"
    folder.mkdir()
    register = PseudonymRegister.for_folder(folder, tmp_path / "registers")
    first = register.assign(f"CV_{i:02d}.pdf" for i in range(20)).numbers
    assert sorted(first.values()) == list(range(1, 21))
    again = PseudonymRegister.for_folder(folder, tmp_path / "registers").assign(first)
    assert again.numbers == first
    grown = register.assign([*first, "CV_Nouvelle_Candidate.pdf"]).numbers
    assert {cid: grown[cid] for cid in first} == first
    assert grown["CV_Nouvelle_Candidate.pdf"] == 21


def test_numbers_are_not_in_alphabetical_order_and_the_register_holds_no_name(tmp_path: Path) -> None:
    register = PseudonymRegister.for_folder(tmp_path, tmp_path / "registers")
    ids = [f"CV_Personne_{i:02d}.pdf" for i in range(20)]
    numbers = register.assign(ids).numbers
    assert [numbers[i] for i in ids] != list(range(1, 21))  # by keyed hash: 1 chance in 20! to be sorted
    assert register.path is not None
    assert stat.S_IMODE(register.path.stat().st_mode) == 0o600
    assert "Personne" not in register.path.read_text(encoding="utf-8")
    assert tmp_path.name not in register.path.name


def test_another_folder_or_another_register_draws_other_numbers(tmp_path: Path) -> None:
    ids = [f"CV_{i:02d}.pdf" for i in range(20)]
    here = PseudonymRegister.for_folder(tmp_path / "a", tmp_path / "registers").assign(ids).numbers
    there = PseudonymRegister.for_folder(tmp_path / "b", tmp_path / "registers").assign(ids).numbers
    assert here != there


def test_a_damaged_register_is_named_in_the_error(tmp_path: Path) -> None:
    register = PseudonymRegister.for_folder(tmp_path, tmp_path / "registers")
    assert register.path is not None
    register.path.parent.mkdir(parents=True)
    register.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(Exception, match="pseudonym register is damaged"):
        register.assign(["CV.pdf"])


# -- quoted text --------------------------------------------------------------------------------------------
def test_quotes_lose_contact_details_and_names_but_keep_ordinary_words() -> None:
    redact = Redactor(["CV_Lea_Nguyen.pdf", "CV_Julien_Carpentier_ingenieur.pdf"])
    assert redact("Léa NGUYEN, lea.nguyen@exemple.fr, 06 12 34 56 78", "CV_Lea_Nguyen.pdf") == f"{MASK}, {MASK}, {MASK}"
    # Another candidate's name is masked where it is written as a name, with a capital.
    assert redact("sous la direction de Julien Carpentier", "CV_Lea_Nguyen.pdf") == f"sous la direction de {MASK}"
    assert redact("ingénieur d'études", "CV_Lea_Nguyen.pdf") == "ingénieur d'études"
    assert redact("12 rue des Lilas, 69007 Lyon", None) == f"{MASK}, {MASK}"
    assert redact("Née le 12/03/2001", None) == MASK


def test_explanations_are_blinded_when_read_and_scores_stay(tmp_path: Path) -> None:
    quote = "enquête avec Zoé Perrin (zoe.perrin@exemple.fr)"
    facets = {f: FacetScore(None) for f in Facet}
    facets[Facet.METHODS] = FacetScore(0.8, (Match("enquete", "Enquête", 1.0, "enquete", "Enquête", quote, True),))
    score = Score(0.7, 0.4, {Facet.METHODS: 0.8}, lambda: facets)
    ranking = (Ranked(1, "CV_Lea_Nguyen.pdf", ("CV_Lea_Nguyen.pdf",), score),
               Ranked(2, "CV_Zoe_Perrin.pdf", ("CV_Zoe_Perrin.pdf",), score))
    result = MatchResult((OfferResult(Offer("offre", tmp_path / "offre.txt", "texte"), ranking),), (), ())
    blinded = blind(result, Pseudonyms({"CV_Lea_Nguyen.pdf": 7, "CV_Zoe_Perrin.pdf": 3}, b"secret"))
    first, second = blinded.result.offers[0].ranking
    assert (first.candidate, second.candidate) == ("Candidate 03", "Candidate 07")  # a tie: pseudonym order
    assert first.files == ("Candidate 03, document 1 (.pdf)",)
    assert first.score.score == 0.7 and first.score.values == score.values
    assert first.score.facets[Facet.METHODS].matched[0].words == f"enquête avec {MASK} ({MASK})"
    assert score.facets[Facet.METHODS].matched[0].words == quote  # the result itself is left as it was
    assert [(e.pseudonym, e.file) for e in blinded.key] == [("Candidate 03", "CV_Zoe_Perrin.pdf"),
                                                            ("Candidate 07", "CV_Lea_Nguyen.pdf")]


# -- the command, on the samples ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    file: str
    names: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def _people() -> list[Person]:
    people = []
    for source in sorted((SAMPLES / "sources" / "cvs").glob("*.toml")):
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        person = data["person"]
        contact = [str(c) for c in person.get("contact", ())]
        parts = tuple(p for p in re.split(r"[\s-]+", person["name"]) if p)
        people.append(Person(
            file=data["file"],
            names=(person["name"], *parts),
            emails=tuple(c for c in contact if "@" in c),
            phones=tuple(c for c in contact if re.fullmatch(r"[+\d][\d ]{8,}", c)),
        ))
    return people


PEOPLE = _people()


def _leaks(text: str, people: list[Person], extra_files: tuple[str, ...] = ()) -> list[str]:
    """Every name part, e-mail, phone number or file name of a sample candidate found in ``text``."""
    folded = fold(text)
    compact = re.sub(r"(?<=\d)[ .](?=\d)", "", text)
    found = []
    for person in people:
        for name in person.names:
            if re.search(rf"(?<![^\W_]){re.escape(fold(name))}(?![^\W_])", folded):
                found.append(name)
        for email in person.emails:
            if email.lower() in text.lower():
                found.append(email)
        for phone in person.phones:
            if phone in text or phone.replace(" ", "") in compact:
                found.append(phone)
        for part in (person.file, *person.file.split("/")):
            stem = Path(part).stem
            if part in text or (stem.lower() != "cv" and stem in text):
                found.append(part)
    found += [f for f in extra_files if f in text or Path(f).stem in text]
    return found


def test_the_leak_search_finds_what_a_plain_run_shows(plain: Run) -> None:
    """The check below would see a name: a run without --blind is full of them."""
    leaks = _leaks(plain.stdout, PEOPLE)
    assert {"Léa", "Nguyen", "CV_Lea_Nguyen.pdf", "Ines_Haddad", "Marie", "Claire"} <= set(leaks)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    files: dict[str, str]


def _invoke(args: list[str], data_home: Path, files: tuple[Path, ...] = ()) -> Run:
    result = CliRunner().invoke(cli, args, env={"XDG_DATA_HOME": str(data_home), "COLUMNS": "200"})
    return Run(result.exit_code, result.stdout, result.stderr,
               {p.name: p.read_text(encoding="utf-8-sig") for p in files if p.exists()})


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("blind")


def _match(workdir: Path, candidates: Path, *extra: str, files: tuple[Path, ...] = ()) -> Run:
    return _invoke(["match", str(SAMPLES / "offres"), str(candidates), "--cache-dir", str(workdir / "cache"),
                    "-q", *extra], workdir / "data", files)


@pytest.fixture(scope="module")
def plain(workdir: Path) -> Run:
    run = _match(workdir, SAMPLES / "candidatures", "--format", "json")
    assert run.code == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def blind_runs(workdir: Path, plain: Run) -> dict[str, Run]:
    """Every output of a blind run of the samples: table, CSV and JSON on stdout, CSV and JSON files, the key."""
    out = workdir / "out"
    files = (out / "shortlist.csv", out / "shortlist.json", out / "key.csv")
    runs = {
        "json": _match(workdir, SAMPLES / "candidatures", "--blind", "--format", "json",
                       "-o", str(files[0]), "-o", str(files[1]), "--blind-key", str(files[2]), files=files),
        "table": _match(workdir, SAMPLES / "candidatures", "--blind", "--top", "100"),
        "csv": _match(workdir, SAMPLES / "candidatures", "--blind", "--format", "csv"),
    }
    for run in runs.values():
        assert run.code == 0, run.stderr
    return runs


def test_scores_and_order_are_the_same_with_and_without_blind(plain: Run, blind_runs: dict[str, Run]) -> None:
    before = json.loads(plain.stdout)
    after = json.loads(blind_runs["json"].stdout)
    key = list(csv.DictReader(io.StringIO(blind_runs["json"].files["key.csv"])))
    real = {row["pseudonym"]: row["candidate"] for row in key if row["pseudonym"]}
    assert after["blind"] is True and before["blind"] is False
    for offer_before, offer_after in zip(before["offers"], after["offers"], strict=True):
        assert offer_before["offer"] == offer_after["offer"]
        ranking_before, ranking_after = offer_before["ranking"], offer_after["ranking"]
        assert [e["score"] for e in ranking_before] == [e["score"] for e in ranking_after]
        assert {e["candidate"]: e["score"] for e in ranking_before} == \
               {real[e["candidate"]]: e["score"] for e in ranking_after}
        # Same order up to the pseudonyms (within a tie the order may differ: it follows the pseudonyms).
        ties = {e["score"] for e in ranking_before if [x["score"] for x in ranking_before].count(e["score"]) > 1}
        assert [e["candidate"] for e in ranking_before if e["score"] not in ties] == \
               [real[e["candidate"]] for e in ranking_after if e["score"] not in ties]
        facets = {e["candidate"]: {f: v["score"] for f, v in e["facets"].items()} for e in ranking_before}
        assert facets == {real[e["candidate"]]: {f: v["score"] for f, v in e["facets"].items()} for e in ranking_after}
        assert all(PSEUDONYM.match(e["candidate"]) for e in ranking_after)
        # A tie is listed in the order of the pseudonyms, not alphabetically by name (the samples hold one:
        # two CVs identical but for the person's details).
        for score in ties:
            tied = [int(e["candidate"].split()[-1]) for e in ranking_after if e["score"] == score]
            assert tied == sorted(tied)
    assert any("Fatou" in e["candidate"] for o in before["offers"] for e in o["ranking"]
               if [x["score"] for x in o["ranking"]].count(e["score"]) > 1)


def test_no_name_email_phone_or_file_name_in_any_blind_output(blind_runs: dict[str, Run]) -> None:
    outputs = {"stderr": blind_runs["json"].stderr}
    outputs |= {f"{name} stdout": run.stdout for name, run in blind_runs.items()}
    outputs |= {f"file {name}": text for name, text in blind_runs["json"].files.items() if name != "key.csv"}
    assert "Candidate" in outputs["table stdout"] and "Candidate" in outputs["file shortlist.csv"]
    for name, text in outputs.items():
        assert _leaks(text, PEOPLE) == [], name


def test_the_key_maps_each_pseudonym_to_its_files_and_is_private(blind_runs: dict[str, Run], workdir: Path) -> None:
    key = workdir / "out" / "key.csv"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(blind_runs["json"].files["key.csv"])))
    people = {r["file"]: r["pseudonym"] for r in rows if r["pseudonym"]}
    assert set(people) == {p.file for p in PEOPLE} | {"Ines_Haddad/Lettre_de_motivation.docx"}
    assert people["Ines_Haddad/CV.pdf"] == people["Ines_Haddad/Lettre_de_motivation.docx"]
    assert len(set(people.values())) == 45
    assert [r["file"] for r in rows if not r["pseudonym"]] == ["notes.txt"]
    ranked = json.loads(blind_runs["json"].stdout)["offers"][0]["ranking"]
    label = {r["label"]: r["file"] for r in rows}
    ines = next(e for e in ranked if e["candidate"] == people["Ines_Haddad/CV.pdf"])
    assert [label[f] for f in ines["files"]] == ["Ines_Haddad/CV.pdf", "Ines_Haddad/Lettre_de_motivation.docx"]


def test_pseudonyms_are_the_same_on_the_next_run(blind_runs: dict[str, Run]) -> None:
    offer = json.loads(blind_runs["json"].stdout)["offers"][0]
    rows = list(csv.reader(io.StringIO(blind_runs["csv"].stdout)))
    assert [r[2] for r in rows[1:] if r[0] == offer["offer"]] == [e["candidate"] for e in offer["ranking"]]


@dataclass(frozen=True)
class Grown:
    before: dict[str, str]
    after: dict[str, str]
    run: Run


@pytest.fixture(scope="module")
def grown(workdir: Path, plain: Run) -> Grown:
    """A copy of the samples run blind, then again once it holds a new CV, a copy, an empty file, a photo..."""
    folder = workdir / "candidatures+"
    shutil.copytree(SAMPLES / "candidatures", folder)
    key = workdir / "grown-key.csv"

    def run() -> tuple[Run, dict[str, str]]:
        done = _match(workdir, folder, "--blind", "--blind-key", str(key), "--format", "json")
        assert done.code == 0, done.stderr
        return done, {r["file"]: r["pseudonym"] for r in csv.DictReader(io.StringIO(key.read_text("utf-8-sig")))}

    _, before = run()
    write_pdf(folder / "CV_Camille_Durand.pdf", SOCIOLOGIST)
    shutil.copy(folder / "CV_Lea_Nguyen.pdf", folder / "CV_Lea_Nguyen (copie).pdf")
    (folder / "CV_Zoe_Perrin_2024.pdf").write_bytes(b"")
    (folder / "Ines_Haddad" / "Photo_Ines_Haddad.jpg").write_bytes(b"\xff\xd8\xff")
    write_pdf(folder / "Ines_Haddad" / "Attestation_Ines_Haddad.pdf", "Ines Haddad\n" + "mot " * 20)
    after_run, after = run()
    return Grown(before, after, after_run)


def test_skipped_duplicate_ignored_and_flagged_files_are_blinded_too(grown: Grown) -> None:
    data = json.loads(grown.run.stdout)
    assert {s["reason"] for s in data["skipped"]} == {"duplicate", "empty"}
    assert len(data["ignored"]) == 2 and data["flags"] and data["duplicates"]
    label = re.compile(r"^Candidate \d{2,}, document \d+ \(\.pdf\)$")
    for entry in data["skipped"] + data["flags"]:
        assert label.match(entry["path"]) and entry["message"].startswith(entry["path"] + ": "), entry
    assert all(label.match(d["path"]) and label.match(d["same_as"]) for d in data["duplicates"])
    assert sorted(re.sub(r"\d+", "N", i) for i in data["ignored"]) == ["ignored file N (.jpg)", "ignored file N (.txt)"]
    extra = ("CV_Lea_Nguyen (copie).pdf", "CV_Zoe_Perrin_2024.pdf", "Photo_Ines_Haddad.jpg",
             "Attestation_Ines_Haddad.pdf", "CV_Camille_Durand.pdf", "Camille", "Durand")
    assert _leaks(grown.run.stdout, PEOPLE, extra) == []
    assert _leaks(grown.run.stderr, PEOPLE, extra) == []


def test_adding_cvs_keeps_everyone_elses_pseudonym(grown: Grown) -> None:
    assert {f: grown.after[f] for f in grown.before} == grown.before
    new = {grown.after[f] for f in ("CV_Camille_Durand.pdf", "CV_Lea_Nguyen (copie).pdf", "CV_Zoe_Perrin_2024.pdf")}
    assert new == {"Candidate 46", "Candidate 47", "Candidate 48"}


def test_without_a_key_stderr_says_none_was_written(blind_runs: dict[str, Run]) -> None:
    assert "blind review, no key written" in blind_runs["table"].stderr
    assert "no key written" not in blind_runs["json"].stderr


def test_blind_key_needs_blind_and_is_not_an_output(tmp_path: Path) -> None:
    runner = CliRunner()
    alone = runner.invoke(cli, ["match", "a", "b", "--blind-key", str(tmp_path / "key.csv")])
    assert alone.exit_code == 2 and "--blind" in alone.output
    clash = runner.invoke(cli, ["match", "a", "b", "--blind", "--blind-key", str(tmp_path / "k.csv"),
                                "-o", str(tmp_path / "k.csv")])
    assert clash.exit_code == 2 and "must not be one of the outputs" in clash.output
    assert not (tmp_path / "key.csv").exists()

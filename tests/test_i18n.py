"""The French interface: a reviewed translation for every message, the language chosen as documented, and
French where a project officer reads (stderr, table, CSV headers, HTML, inspect, --help)."""

from __future__ import annotations

import ast
import csv
import gettext
import importlib.util
import io
import re
import struct
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from click.testing import CliRunner

from matchstage.cli import cli
from matchstage.evaluation.evaluate import Evaluation, format_evaluation
from matchstage.evaluation.metrics import OfferScores
from matchstage.i18n import LOCALE_DIR, _, language_from_environment, set_language, translate_filled
from matchstage.match import LANGUAGE_DETAIL, NOT_A_CV_DETAIL
from matchstage.outputs.blinding import pseudonym
from matchstage.reading.documents import READER_DETAILS, SkipReason, Unreadable, localized_detail
from tests.factories import ACCOUNTANT, OFFER, SOCIOLOGIST, write_pdf

ROOT = Path(__file__).resolve().parent.parent
PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "matchstage.po"
MO = PO.with_suffix(".mo")
# A str.format field ({name}, {n:02d}, {item!r}) or a %-style one (%(num)d), as written.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]")


def _catalog_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalog_script", ROOT / "scripts" / "catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def template() -> Catalog:
    """Every message the code can show, extracted now from the sources, the templates and the click tree."""
    return _catalog_script().template()


@pytest.fixture(scope="module")
def french() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


# -- the catalogue ----------------------------------------------------------------------------------------
def test_every_message_has_a_reviewed_french_translation(template: Catalog, french: Catalog) -> None:
    ids = [m.id for m in template if m.id]
    assert len(ids) > 300  # the sources, the templates and the click help were all read
    assert "Rank the candidates in CANDIDATES against each OFFER." in ids  # a docstring, through the click tree
    assert "Show this message and exit." in ids and "OFFER... CANDIDATES" in ids
    untranslated = [m.id for m in (french.get(i) for i in ids) if m is None or m.fuzzy or not all(_strings(m))]
    assert not untranslated, f"run `make catalog` and translate in {PO.relative_to(ROOT)}: {untranslated}"


def test_the_catalogue_holds_no_message_the_code_lost(template: Catalog, french: Catalog) -> None:
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in french if m.id} <= {
        m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}


def test_the_committed_mo_agrees_with_the_po(french: Catalog) -> None:
    data = MO.read_bytes()
    magic, _revision, count = struct.unpack("<III", data[:12])
    assert magic == 0x950412DE
    translated = [m for m in french if m.id and not m.fuzzy and all(_strings(m))]
    assert count == len(translated) + 1  # and the header
    with MO.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    assert mo.info()["plural-forms"] == "nplurals=2; plural=(n > 1);"
    for message in translated:
        ids, strings = _ids(message), _strings(message)
        if len(ids) == 1:
            assert mo.gettext(ids[0]) == strings[0]
        else:
            assert (mo.ngettext(ids[0], ids[1], 1), mo.ngettext(ids[0], ids[1], 2)) == strings


def test_placeholders_are_the_same_in_msgid_and_msgstr(french: Catalog) -> None:
    for message in french:
        if not message.id:
            continue
        wanted = sorted(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in _strings(message):
            assert sorted(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


def test_french_typography_puts_a_space_before_a_colon(french: Catalog) -> None:
    for message in french:
        for string in _strings(message) if message.id else ():
            assert not re.search(r"\w[:;?!](?:\s|$)", string.replace("http://", "")), string


# -- reader details: made in English (in workers, kept in the cache), translated when shown ------------------
def _literal_messages(path: Path) -> list[tuple[int, str]]:
    """String and f-string literals of ``path`` that are reader details or notes, f-string fields as ``X``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        values: list[ast.expr] = []
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            values = node.args[1:] if name == "Unreadable" else node.args if name == "append" else []
        elif isinstance(node, ast.Return) and node.value is not None:
            values = [node.value]
        elif isinstance(node, ast.Tuple):
            values = list(node.elts)
        elif isinstance(node, ast.IfExp):
            values = [node.body, node.orelse]
        for value in values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text = value.value
            elif isinstance(value, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in value.values)
            else:
                continue
            if len(re.findall(r"[A-Za-z]{2,}", text)) >= 2 and " " in text.strip() and not text.startswith("{"):
                found.append((value.lineno, text))
    return found


READER_SOURCES = sorted((ROOT / "src" / "matchstage" / "reading" / "readers").glob("*.py")) + [
    ROOT / "src" / "matchstage" / "reading" / "extraction.py"]


@pytest.mark.parametrize("path", READER_SOURCES, ids=lambda p: p.name)
def test_every_detail_a_reader_writes_has_a_template(path: Path) -> None:
    set_language("fr")
    untranslated = [(line, text) for line, text in _literal_messages(path) if localized_detail(text) == text]
    assert not untranslated, f"add these to READER_DETAILS (documents.py) and translate them: {untranslated}"


def test_details_made_in_match_are_templates() -> None:
    assert NOT_A_CV_DETAIL in READER_DETAILS and LANGUAGE_DETAIL in READER_DETAILS


def test_a_skip_message_is_translated_with_its_nested_detail() -> None:
    detail = "2 page(s) could not be read: page 1: PdfReadError: Invalid xref"
    unreadable = Unreadable(SkipReason.CORRUPT, detail)
    assert unreadable.message("CV.pdf").startswith("CV.pdf: the file is damaged")
    set_language("fr")
    assert unreadable.message("CV.pdf") == (
        "CV.pdf : le fichier est endommagé et ne peut pas être analysé (2 page(s) illisible(s) : page 1 : "
        "PdfReadError: Invalid xref) ; demandez une nouvelle copie.")
    assert Unreadable(SkipReason.TOO_LARGE, "3.2 MB, limit 2 MB").message("a.pdf") == (
        "a.pdf : au-delà de la taille limite (3.2 Mo, limite 2 Mo) ; augmentez --max-pages ou --max-mb pour le lire.")
    assert localized_detail("something pypdf said") == "something pypdf said"  # not ours: kept as it is


def test_translate_filled_keeps_english_and_unknown_text() -> None:
    assert translate_filled("zero bytes", READER_DETAILS) == "zero bytes"
    set_language("fr")
    assert translate_filled("zero bytes", READER_DETAILS) == "zéro octet"
    assert translate_filled("a page image; OCR found no text", READER_DETAILS) == (
        "une image de page ; l'OCR n'a trouvé aucun texte")


# -- choosing the language ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("environ", "language"), [
    ({}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "fr_CA"}, "fr"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LANG": "C.UTF-8", "LANGUAGE": "fr"}, "en"),  # as GNU gettext: LANGUAGE is not read under the C locale
    ({"LANG": "fr_FR.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),  # LC_ALL before LANG
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_FR.UTF-8"}, "fr"),
    ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:en"}, "fr"),  # LANGUAGE first, its first language
    ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "en:fr"}, "en"),
])
def test_language_from_environment(environ: dict[str, str], language: str) -> None:
    assert language_from_environment(environ) == language


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'de'"):
        set_language("de")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("i18n")
    (root / "offre_sante.txt").write_text(OFFER, encoding="utf-8")
    write_pdf(root / "candidatures" / "CV_Camille_Durand.pdf", SOCIOLOGIST)
    write_pdf(root / "candidatures" / "CV_Paul_Martin.pdf", ACCOUNTANT)
    (root / "candidatures" / "vide.pdf").write_bytes(b"")
    return root


def _match(folder: Path, *extra: str, env: dict[str, str] | None = None, before: tuple[str, ...] = ()) -> tuple[
        int, str, str]:
    args = [*before, "match", str(folder / "offre_sante.txt"), str(folder / "candidatures"),
            "--cache-dir", str(folder / "cache"), *extra]
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "80", **(env or {})})
    return result.exit_code, result.stdout, result.stderr


FRENCH_SKIP = "ignoré [empty] vide.pdf : aucun texte à lire (zéro octet)."
ENGLISH_SKIP = "skipped [empty] vide.pdf: no text to read (zero bytes)."


@pytest.mark.parametrize("how", [
    {"extra": ("--lang", "fr")},
    {"before": ("--lang", "fr")},
    {"env": {"LANG": "fr_FR.UTF-8"}},
    {"env": {"LANG": "en_US.UTF-8"}, "extra": ("--lang", "fr")},  # --lang wins over the locale
], ids=["command", "group", "locale", "over-locale"])
def test_french_messages_table_and_summary(folder: Path, how: dict) -> None:
    code, stdout, stderr = _match(folder, *how.get("extra", ()), env=how.get("env"), before=how.get("before", ()))
    assert code == 0, stderr
    assert FRENCH_SKIP in stderr
    assert "2 candidat·es classé·es, 1 fichier ignoré (1 empty), 0 non lu, 0 doublon" in stderr
    assert "offre_sante — 2 candidat·es" in stdout and "Compétences" in stdout and "trouvés :" in stdout
    assert max(len(line) for line in stdout.splitlines()) <= 80


@pytest.mark.parametrize("how", [
    {"env": {"LANG": "C"}},
    {"env": {"LANG": "fr_FR.UTF-8"}, "extra": ("--lang", "en")},
    {"env": {"LANG": "fr_FR.UTF-8"}, "before": ("--lang", "en")},
], ids=["C", "command", "group"])
def test_english(folder: Path, how: dict) -> None:
    code, stdout, stderr = _match(folder, *how.get("extra", ()), env=how.get("env"), before=how.get("before", ()))
    assert code == 0, stderr
    assert ENGLISH_SKIP in stderr and "2 candidate(s) ranked, 1 file(s) skipped (1 empty)" in stderr
    assert "offre_sante — 2 candidate(s)" in stdout and "matched:" in stdout


def test_french_csv_headers_keep_the_bom_and_json_keys_stay_english(folder: Path, tmp_path: Path) -> None:
    code, stdout, _stderr = _match(folder, "--lang", "fr", "--format", "json", "-o", str(tmp_path / "liste.csv"))
    assert code == 0
    assert '"offers"' in stdout and '"ranking"' in stdout and '"skipped"' in stdout
    raw = (tmp_path / "liste.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:4] == ["offre", "rang", "candidat·e", "score"]
    assert "compétences trouvées" in header and "méthodes manquantes" in header
    assert header[-2:] == ["fichiers", "remarques"]


def test_french_csv_on_stdout(folder: Path) -> None:
    code, stdout, _stderr = _match(folder, "--format", "csv", env={"LANG": "fr_FR.UTF-8"})
    assert code == 0 and stdout.startswith("offre,rang,candidat·e,score,score compétences,")


def test_french_html_report(folder: Path, tmp_path: Path) -> None:
    code, _stdout, _stderr = _match(folder, "--lang", "fr", "-o", str(tmp_path / "liste.html"))
    assert code == 0
    page = (tmp_path / "liste.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "Présélection des candidatures" in page and "Vue d'ensemble" in page and "Fichiers ignorés" in page
    english = _match(folder, "-o", str(tmp_path / "list.html"))
    assert english[0] == 0 and '<html lang="en">' in (tmp_path / "list.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [
    ["--lang", "fr", "match", "--help"],
    ["match", "--lang", "fr", "--help"],
    ["match", "--help", "--lang", "fr"],  # --lang after --help still counts
])
def test_french_help(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, prog_name="matchstage")
    assert result.exit_code == 0
    assert result.output.startswith("Utilisation : matchstage match [OPTIONS] OFFRE... CANDIDATURES")
    assert "Classe les candidat·es de CANDIDATURES pour chaque OFFRE." in result.output
    assert "Options :" in result.output and "--output FICHIER" in result.output
    flat = re.sub(r"[ \n]+", " ", result.output)  # as one line; the no-break space stays
    assert "Affiche ce message et quitte." in flat and "[par défaut\u00a0: 10 ; x>=1]" in flat
    assert "--top" in result.output and "--blind-key" in result.output  # option names stay


def test_french_help_from_the_locale_and_english_otherwise() -> None:
    runner = CliRunner()
    french = runner.invoke(cli, ["--help"], env={"LANG": "fr_FR.UTF-8"}, prog_name="matchstage")
    assert "Commandes :" in french.output and "Classe les CV des candidat·es" in french.output
    assert "Supprime tous les documents du cache." in runner.invoke(cli, ["cache", "--help"],
                                                                    env={"LANG": "fr_FR.UTF-8"}).output
    english = runner.invoke(cli, ["--help"], env={"LANG": "C"}, prog_name="matchstage")
    assert english.output.startswith("Usage: matchstage [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in english.output and "Show this message and exit." in english.output


@pytest.mark.parametrize("args", [
    ["match", "--help"], ["inspect", "--help"], ["evaluate", "--help"], ["cache", "info", "--help"],
    ["cache", "clear", "--help"], ["--help"], ["cache", "--help"],
])
def test_every_help_is_entirely_translated(args: list[str]) -> None:
    """No English help text left: every line of the French help differs from the English one's words."""
    english = CliRunner().invoke(cli, args).output
    french = CliRunner().invoke(cli, ["--lang", "fr", *args]).output
    for words in ("Show ", "Usage", "Options:", "default:", " the ", " of ", " and ", " with "):
        assert words not in french, (words, french)
    assert english != french


def test_no_arguments_shows_the_help_in_french() -> None:
    result = CliRunner().invoke(cli, [], env={"LANG": "fr_FR.UTF-8"}, prog_name="matchstage")
    assert result.output.startswith("Utilisation : matchstage [OPTIONS] COMMANDE [ARGUMENTS]...")
    assert "Erreur" not in result.output and "Commandes :" in result.output


def test_usage_errors_in_french() -> None:
    result = CliRunner().invoke(cli, ["match", "--lang", "fr", "seul.txt"], prog_name="matchstage")
    assert result.exit_code == 2
    assert "Erreur : indiquez au moins une OFFRE et le dossier CANDIDATURES" in result.stderr
    assert "Essayez « matchstage match --help » pour l'aide." in result.stderr
    bad = CliRunner().invoke(cli, ["match", "a", "b", "--lang", "fr", "-o", "x.txt"])
    assert bad.exit_code == 2
    assert "Erreur : Valeur invalide pour -o/--output : x.txt : écrivez un fichier .csv, .json ou .html" in bad.stderr
    assert CliRunner().invoke(cli, ["match", "--lang", "de", "a", "b"]).exit_code == 2


def test_an_unreadable_offer_in_french(tmp_path: Path, folder: Path) -> None:
    offer = tmp_path / "vide.txt"
    offer.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["match", "--lang", "fr", str(offer), str(folder / "candidatures"), "--no-cache"])
    assert result.exit_code == 1
    assert "Erreur : " in result.stderr and "vide.txt : " in result.stderr and "zero" not in result.stderr


def test_inspect_and_cache_in_french(folder: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["inspect", "--lang", "fr", str(folder / "candidatures" / "CV_Camille_Durand.pdf")])
    assert shown.exit_code == 0
    assert "examiné comme un CV" in shown.output and "matchstage match le classerait." in shown.output
    assert "Données personnelles écartées du score" in shown.output and "courriel" in shown.output
    info = runner.invoke(cli, ["cache", "info", "--lang", "fr", "--cache-dir", str(folder / "cache")])
    assert info.exit_code == 0 and info.output.startswith("chemin : ")
    cleared = runner.invoke(cli, ["--lang", "fr", "cache", "clear", "--cache-dir", str(folder / "cache")])
    assert re.fullmatch(r"\d+ documents? supprimés? du cache\n", cleared.output)


def test_evaluate_table_headings_in_french() -> None:
    scores = {name: (OfferScores("offre", 0.9, 0.8, 0.7),) for name in ("matchstage", "tfidf-raw", "bm25-lemmas")}
    evaluation = Evaluation(scores, {name: s[0] for name, s in scores.items()})
    assert format_evaluation(evaluation).startswith("offer ")
    set_language("fr")
    text = format_evaluation(evaluation)
    assert text.startswith("offre ") and "système" in text and "MOYENNE" in text
    assert "nDCG@5 de matchstage moins la meilleure référence : +0.000" in text


def test_blind_labels_in_both_languages() -> None:
    assert pseudonym(7) == "Candidate 07"
    set_language("fr")
    assert pseudonym(7) == "Candidat·e 07"
    assert _("{pseudonym}, document {number} ({suffix})").format(pseudonym=pseudonym(7), number=2, suffix=".docx") \
        == "Candidat·e 07, document 2 (.docx)"

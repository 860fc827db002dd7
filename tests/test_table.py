"""The terminal table: a line of scores per candidate, then why on indented lines, within the width."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from matchstage.analysis.levels import Level
from matchstage.analysis.taxonomy import Facet
from matchstage.cli import cli
from matchstage.i18n import set_language
from matchstage.outputs.table import render_table
from matchstage.ranking.results import MatchResult, Offer, OfferResult, Ranked
from matchstage.ranking.scoring import FacetScore, LevelFit, Match, Score
from tests.factories import ACCOUNTANT, OFFER, SOCIOLOGIST, write_pdf

LABELS = ("Animation d'ateliers et de réunions", "Médiation et accueil des publics", "Formation et pédagogie",
          "Partenariats et travail en réseau", "Médiation culturelle et scientifique", "Rédaction",
          "Travail social et intervention sociale", "Enquête qualitative par entretiens", "Cartographie et SIG",
          "Conduite de projet", "Économie sociale et solidaire", "Sociologie")
MISSING = ("Outils collaboratifs", "Analyse de données quantitatives", "Droit des associations et de l'ESS",
           "Évaluation des politiques publiques", "Gestion budgétaire")


def _match(label: str, partial: bool) -> Match:
    concept = label.lower()
    return Match(concept, label, 0.35 if partial else 1.0, "voisin" if partial else concept,
                 "Concept voisin" if partial else label, "mots", True)


def _entry(rank: int, candidate: str, matched: int, missing: int, level: LevelFit | None = None) -> Ranked:
    facets = {
        Facet.SKILLS: FacetScore(0.65, tuple(_match(label, i % 4 == 3) for i, label in enumerate(LABELS[:matched])),
                                 MISSING[:missing]),
        Facet.DISCIPLINES: FacetScore(0.95),
        Facet.METHODS: FacetScore(None),
    }
    score = Score(1 - rank / 10, 0.3, {f: fs.score for f, fs in facets.items()}, lambda: facets, level)
    return Ranked(rank, candidate, (candidate,), score)


LOWER = LevelFit(Level(5, "Master", "Master 2"), Level(3, "Licence", "Licence"), 0.85)
RESULT = MatchResult((OfferResult(Offer("animation_mediation_scientifique", Path("a.txt"), ""), (
    _entry(1, "CV_Chloe_Dubois.pdf", 12, 5),
    _entry(2, "CV_Malik_Mansouri.pdf", 3, 0, LOWER),
    _entry(3, "Dossier_de_candidature_de_Marie-Christine_Lefebvre-Dupont_2024.pdf", 6, 2),
    _entry(4, "CV_Paul_Martin.pdf", 0, 5),
)),), (), ())


def _table(width: int, result: MatchResult = RESULT, top: int = 10) -> str:
    out = io.StringIO()
    render_table(result, top=top, file=out, width=width)
    return out.getvalue()


def _blocks(text: str) -> dict[str, list[str]]:
    """Each candidate's lines, keyed by rank: from its line of scores to the next one."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        first = re.match(r"^ (\d+)  ", line)
        if first:
            current = first.group(1)
            blocks[current] = []
        elif not line.startswith("    "):
            current = None
        if current:
            blocks[current].append(line)
    return blocks


@pytest.mark.parametrize("width", [80, 120])
def test_no_line_is_longer_than_the_terminal(width: int) -> None:
    text = _table(width)
    assert max(len(line) for line in text.splitlines()) <= width


def test_at_80_columns_a_candidate_takes_two_to_four_lines() -> None:
    blocks = _blocks(_table(80))
    assert set(blocks) == {"1", "2", "3", "4"}
    assert all(2 <= len(lines) <= 4 for rank, lines in blocks.items() if rank != "3"), blocks
    assert len(blocks["3"]) <= 5  # a 66-character file name folds over two lines, nothing is cut


def test_first_line_holds_rank_candidate_and_the_four_scores() -> None:
    text = _table(80)
    header = next(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert header.split() == ["#", "Candidate", "Score", "Skills", "Disciplines", "Methods"]
    assert re.search(r"^ 1  CV_Chloe_Dubois\.pdf +90 +65 +95 +–$", text, re.MULTILINE)
    long_name = _blocks(text)["3"]
    assert (long_name[0].split()[1] + long_name[1].strip() ==
            "Dossier_de_candidature_de_Marie-Christine_Lefebvre-Dupont_2024.pdf")  # folded, nothing cut


def test_matched_concepts_mark_partial_credit_and_count_what_does_not_fit() -> None:
    chloe = "\n".join(_blocks(_table(80))["1"])
    flat = " ".join(chloe.split())
    assert "matched: Animation d'ateliers et de réunions" in chloe
    assert "réseau~" not in chloe  # partial credit comes after full credit: it is the first left out
    more = re.search(r"… \+(\d+)\n", chloe)
    assert more, chloe
    shown = sum(label in flat for label in LABELS)
    assert shown + int(more.group(1)) == len(LABELS)
    assert re.search(r"missing: Outils collaboratifs, .*… \+\d+$", chloe, re.MULTILINE)


def test_wider_terminals_show_more() -> None:
    def shown(width: int) -> int:
        block = " ".join(" ".join(_blocks(_table(width))["1"]).split())
        return sum(label in block for label in LABELS + MISSING)

    assert shown(120) > shown(80)


def test_partial_credit_and_level_lines() -> None:
    malik = "\n".join(_blocks(_table(120))["2"])
    assert "Partenariats et travail en réseau" not in malik  # only three concepts matched
    assert "missing" not in malik
    assert "level: Licence / Master (×0.85)" in malik
    paul = "\n".join(_blocks(_table(80))["4"])
    assert "matched: no concept of the offer" in paul
    sophie = _entry(1, "CV.pdf", 4, 0)
    alone = _table(120, MatchResult((OfferResult(Offer("x", Path("x.txt"), ""), (sophie,)),), (), ()))
    assert "Partenariats et travail en réseau~" in " ".join(alone.split())


def test_top_limits_rows_and_says_how_many_more() -> None:
    text = _table(80, top=2)
    assert set(_blocks(text)) == {"1", "2"}
    assert "… 2 more in CSV/JSON (--top to show more)" in text


def test_french_table() -> None:
    set_language("fr")
    text = _table(80)
    assert max(len(line) for line in text.splitlines()) <= 80
    header = next(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert header.split() == ["#", "Candidat·e", "Score", "Compétences", "Disciplines", "Méthodes"]
    assert "trouvés : Animation d'ateliers" in text and "manquants : Outils collaboratifs" in text
    assert "animation_mediation_scientifique — 4 candidat·es" in text


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("table")
    (root / "offre.txt").write_text(OFFER, encoding="utf-8")
    write_pdf(root / "candidatures" / "CV_Camille_Durand.pdf", SOCIOLOGIST)
    write_pdf(root / "candidatures" / "CV_Paul_Martin.pdf", ACCOUNTANT)
    return root


def test_piped_table_has_no_escape_codes(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["match", str(folder / "offre.txt"), str(folder / "candidatures"),
                                      "--format", "table", "--no-cache"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "CV_Camille_Durand.pdf" in result.stdout and "matched:" in result.stdout
    assert "\x1b[" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_a_terminal_gets_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    small = MatchResult((OfferResult(Offer("x", Path("x.txt"), ""), (_entry(1, "CV.pdf", 2, 1),)),), (), ())
    leader, follower = os.openpty()
    with os.fdopen(follower, "w", encoding="utf-8") as terminal:
        render_table(small, file=terminal, width=80)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal is closed and read out
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8")
    assert "\x1b[" in shown and "CV.pdf" in shown

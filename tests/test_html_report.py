"""The HTML shortlist: unit tests on the rendered text, then a real run opened in headless Chromium.

The browser tests need Debian's chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) and the playwright
package; they skip without them, except in CI (``CI`` set), where they must run.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from matchstage.analysis.taxonomy import Facet
from matchstage.cli import cli
from matchstage.outputs.html_report import SECTIONS, Page, Section, render_html
from matchstage.ranking.results import Duplicate, Flag, MatchResult, Offer, OfferResult, Ranked, Skipped
from matchstage.ranking.scoring import FacetScore, Match, Score, Weights
from matchstage.reading.documents import SkipReason
from tests.factories import SOCIOLOGIST, write_pdf

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "matchstage" / "outputs" / "templates"
WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
HOSTILE_WORDS = '<script>alert("cv")</script> https://tracker.example/pixel.png'
HOSTILE_ID = "<img src=x onerror=alert(1)>.pdf"


def _score(overall: float, text: float, facets: dict[Facet, FacetScore]) -> Score:
    return Score(overall, text, {f: fs.score for f, fs in facets.items()}, lambda: facets)


def _match(concept: str, label: str, credit: float = 1.0, by: str | None = None, by_label: str = "",
           words: str = "", required: bool = True) -> Match:
    return Match(concept, label, credit, by or concept, by_label or label, words, required)


def made_result(offers: int = 2) -> MatchResult:
    """A result built by hand: one hostile candidate, partial credit, a missing concept, every kind of file."""
    def facets(skills: float, disciplines: float | None, words: str) -> dict[Facet, FacetScore]:
        return {
            Facet.SKILLS: FacetScore(skills, (_match("animation", "Animation d'ateliers", 1.0, words=words),),
                                     ("Gestion de projet",)),
            Facet.DISCIPLINES: FacetScore(disciplines, (
                _match("sociologie", "Sociologie", 0.6, by="shs", by_label="Sciences humaines et sociales",
                       words="sciences sociales"),) if disciplines else ()),
            Facet.METHODS: FacetScore(None),
        }

    ranking = (
        Ranked(1, HOSTILE_ID, (HOSTILE_ID,), _score(0.81, 0.30, facets(0.9, 0.6, HOSTILE_WORDS))),
        Ranked(2, "Ines_Haddad", ("Ines_Haddad/CV.pdf", "Ines_Haddad/Lettre.docx"),
               _score(0.42, 0.15, facets(0.25, None, "animer des ateliers"))),
    )
    return MatchResult(
        offers=tuple(OfferResult(Offer(f"offre_{i}", Path(f"offres/offre_{i}.txt"), "texte"), ranking)
                     for i in range(1, offers + 1)),
        skipped=(Skipped("scan.pdf", SkipReason.SCANNED, "scan.pdf: scanned <b>image</b>, no text"),),
        ignored=("notes.txt",),
        duplicates=(Duplicate("copie.pdf", "Ines_Haddad/CV.pdf"),),
        flags=(Flag("Ines_Haddad/CV.pdf", "english", "Ines_Haddad/CV.pdf: written in English"),),
        weights=Weights(),
        taxonomy_version="abc123def4567890",
    )


class _Tags(HTMLParser):
    """Every tag and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


# -- the page as text ------------------------------------------------------------------------------------

def test_hostile_cv_text_is_shown_as_text_never_as_markup() -> None:
    html = render_html(made_result(), generated=WHEN)
    parsed = _parse(html)
    assert html.count("<script") == 1  # the page's own print helper, in <head>
    assert not [t for t, _ in parsed.tags if t in {"img", "iframe", "object", "embed", "link", "b"}]
    assert not [name for _, attrs in parsed.tags for name in attrs if name.startswith("on")]
    text = "".join(parsed.text)
    assert '<script>alert("cv")</script>' in text  # the CV's words, readable as they were written
    assert HOSTILE_ID in text
    assert "scanned <b>image</b>" in text


def test_every_section_is_there() -> None:
    html = render_html(made_result(), generated=WHEN)
    ids = {attrs.get("id") for _, attrs in _parse(html).tags}
    assert {"overview", "matrix", "offer-1", "offer-2", "files", "about"} <= ids
    for heading in ("Skipped files", "Ignored files", "Duplicates", "Notes", "Weights used", "Candidates × offers"):
        assert heading in html
    assert "scan.pdf" in html and "scanned" in html
    assert "notes.txt" in html
    assert "copie.pdf" in html
    assert "written in English" in html
    assert "abc123def4567890" in html and ">0.1.0<" in html and "2026-03-14" in html
    assert '<html lang="en">' in html
    assert re.search(r"<h1>[^<]+</h1>", html) and html.count("<h2 ") >= 6


def test_one_offer_has_no_matrix() -> None:
    html = render_html(made_result(offers=1), generated=WHEN)
    assert 'id="matrix"' not in html
    assert 'id="offer-1"' in html


def test_candidates_bars_and_explanations() -> None:
    html = render_html(made_result(offers=1), generated=WHEN)
    offer = html[html.index('id="offer-1"'):html.index('id="files"')]
    assert offer.index("&lt;img src=x") < offer.index("Ines_Haddad")  # rank order
    first = offer[:offer.index('id="offer-1-rank-2"')]
    assert re.search(r'data-facet="overall">.*?<span class="value">81</span>.*?width="81.0"', first)
    assert re.search(r'data-facet="skills">.*?<span class="value">90</span>.*?width="90.0"', first)
    assert re.search(r'data-facet="methods"><span class="na"', first)  # the offer does not ask for methods
    # Text on the run's scale: the closest candidate (0.30) is 100, the other (0.15) 50.
    assert re.search(r'data-facet="text">.*?<span class="value">100</span>', first)
    second = offer[offer.index('id="offer-1-rank-2"'):]
    assert re.search(r'data-facet="text">.*?<span class="value">50</span>', second)
    assert "Sociologie <span class=\"via\">~ Sciences humaines et sociales</span>" in first
    assert "Gestion de projet" in first[first.index("Missing"):]
    assert "«&#8239;sciences sociales&#8239;»" in first
    assert "<code>Ines_Haddad/CV.pdf</code>, <code>Ines_Haddad/Lettre.docx</code>" in second
    assert "written in English" in second  # the note on one of its files, under the candidate


def test_a_long_list_of_matches_is_cut_on_the_line_and_whole_under_evidence() -> None:
    matched = tuple(_match(f"c{k}", f"Concept {k:02d}", credit=1.0 - k / 20, words=f"mot {k}") for k in range(11))
    facets = {Facet.SKILLS: FacetScore(0.8, matched), Facet.DISCIPLINES: FacetScore(None),
              Facet.METHODS: FacetScore(None)}
    ranking = (Ranked(1, "CV_A.pdf", ("CV_A.pdf",), _score(0.8, 0.2, facets)),)
    offer = OfferResult(Offer("offre", Path("/home/agent/Documents/offre.txt"), "texte"), ranking)
    html = render_html(MatchResult((offer,), (), ()), generated=WHEN)
    start = html.index('<span class="tag">Matched</span>')
    line = html[start:html.index("<details>", start)]
    assert re.findall(r"Concept (\d\d)", line) == [f"{k:02d}" for k in range(8)]  # fullest credit first
    assert "and 3 more under Evidence" in line
    evidence = html[html.index('<table class="evidence">'):]
    assert len(re.findall(r"«&#8239;mot \d+&#8239;»", evidence)) == 11
    assert "File: offre.txt" in html and "/home/agent" not in html  # no folder of the officer's machine


def test_matrix_marks_each_candidates_best_offer() -> None:
    result = made_result(offers=2)
    better = OfferResult(result.offers[1].offer, (
        Ranked(1, "Ines_Haddad", ("Ines_Haddad/CV.pdf",), _score(0.9, 0.2, {f: FacetScore(None) for f in Facet})),
        Ranked(2, HOSTILE_ID, (HOSTILE_ID,), _score(0.5, 0.1, {f: FacetScore(None) for f in Facet})),
    ))
    html = render_html(MatchResult((result.offers[0], better), (), ()), generated=WHEN)
    matrix = html[html.index('id="matrix"'):html.index('id="offer-1"')]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", matrix, re.S)
    assert [name for name, _ in rows] == ["Ines_Haddad", "&lt;img src=x onerror=alert(1)&gt;.pdf"]
    best = {name: re.findall(r'<td class="num best"><a href="#offer-(\d)-rank-(\d)"', cells) for name, cells in rows}
    assert best == {"Ines_Haddad": [("2", "1")], "&lt;img src=x onerror=alert(1)&gt;.pdf": [("1", "1")]}


def test_print_style_is_there() -> None:
    html = render_html(made_result(), generated=WHEN)
    css = html[html.index("<style>"):html.index("</style>")]
    assert "@page" in css and "size: A4" in css and "@media print" in css
    assert ".offer" in css and "break-before: page" in css
    assert "details::details-content" in css  # collapsed evidence prints expanded
    assert 'addEventListener("beforeprint"' in html  # and in browsers without ::details-content


def test_nothing_outside_the_file_is_referenced() -> None:
    html = render_html(made_result(), generated=WHEN)
    parsed = _parse(html)
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            if name in {"href", "src", "action", "data", "poster", "srcset", "xlink:href"}:
                assert value is not None and value.startswith("#"), (tag, name, value)
            assert "http" not in (value or "") or name == "content", (tag, name, value)
    assert "url(" not in html and "@import" not in html
    csp = next(attrs["content"] for tag, attrs in parsed.tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and csp.startswith("default-src 'none'")
    # The only web address is the one a CV held, shown as text: none in the style, the script or any tag.
    for own in re.findall(r"<(?:style|script)>(.*?)</(?:style|script)>", html, re.S):
        assert not re.search(r"https?://", own)
    assert not re.search(r"https?://", re.sub(r">[^<]*<", "><", html))
    assert "https://tracker.example/pixel.png" in "".join(parsed.text)


def test_a_catalogue_translates_the_page() -> None:
    class French(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return {"Skipped files": "Fichiers écartés", "Overview": "Vue d'ensemble"}.get(message, message)

    html = render_html(made_result(), generated=WHEN, translations=French(), lang="fr")
    assert "Fichiers écartés" in html and "Vue d'ensemble" in html and '<html lang="fr">' in html
    assert "Skipped files" not in html


def test_every_english_string_of_the_templates_goes_through_gettext() -> None:
    for path in sorted(TEMPLATES.rglob("*.j2")):
        source = path.read_text(encoding="utf-8")
        for attribute in re.findall(r'\b(?:title|aria-label|alt|placeholder)="([^"]*)"', source):
            assert attribute.startswith("{{"), (path.name, attribute)
        bare = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
        bare = re.sub(r"<[^>]*>|&#?\w+;|\bmatchstage\b", " ", bare)  # the name is not translated
        assert not re.search(r"[A-Za-z]{2,}", bare), (path.name, re.findall(r"\S*[A-Za-z]{2,}\S*", bare)[:5])


def test_a_section_is_added_with_a_template_and_a_builder() -> None:
    class Extra(Section):
        @property
        def template(self) -> str:
            return "sections/about.html.j2"  # a shipped template stands in for a new one

    def only_with_two_offers(page: Page) -> Page | None:
        return page if len(page.offers) == 2 else None

    sections = (*SECTIONS, Extra("extra", only_with_two_offers))
    assert render_html(made_result(2), generated=WHEN, sections=sections).count('id="about"') == 2
    assert render_html(made_result(1), generated=WHEN, sections=sections).count('id="about"') == 1


def test_cli_accepts_html_and_names_the_formats_it_writes(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["match", str(tmp_path), str(tmp_path), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "write .csv, .json or .html" in result.output


# -- a real run in headless Chromium ---------------------------------------------------------------------

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SAMPLE_OFFERS = ("pollens_sante_roannais.md", "stage_sig_biodiversite_parc.txt")
SAMPLE_CVS = ("CV_Julie_Moreau_geomatique.pdf", "CV Amina KONE.pdf", "CV_Lea_Nguyen.pdf", "CV_Anna_Kowalski_EN.pdf",
              "cv_pierre_lemaire.pdf")
HOSTILE_FOLDER = "<img src=x onerror=alert(1)>"


def _needs_browser() -> None:
    """Skip without chromium or playwright, but never in CI, where the browser test must run."""
    missing = [] if CHROMIUM.exists() else [f"{CHROMIUM} (apt-get install chromium)"]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run it")
        pytest.skip(message)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A run on sample offers and CVs, with a hostile folder name, a skipped, an ignored and a duplicate file."""
    root = tmp_path_factory.mktemp("html")
    offers = root / "offres"
    offers.mkdir()
    for name in SAMPLE_OFFERS:
        shutil.copy(ROOT / "samples" / "offres" / name, offers / name)
    cands = root / "candidatures"
    cands.mkdir()
    for name in SAMPLE_CVS:
        shutil.copy(ROOT / "samples" / "candidatures" / name, cands / name)
    shutil.copy(ROOT / "samples" / "candidatures" / "CV_Lea_Nguyen.pdf", cands / "CV_Lea_Nguyen (1).pdf")
    write_pdf(cands / HOSTILE_FOLDER / "CV.pdf", SOCIOLOGIST)
    (cands / "vide.pdf").write_bytes(b"")
    (cands / "notes.txt").write_text("à relire", encoding="utf-8")
    report = root / "out" / "shortlist.html"
    result = CliRunner().invoke(cli, ["match", str(offers), str(cands), "--format", "json", "-o", str(report),
                                      "--cache-dir", str(root / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    return report, json.loads(result.stdout)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _needs_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def opened(browser: Any, real_run: tuple[Path, dict[str, Any]]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The report opened from disk, with every request, console message, page error and dialog recorded."""
    report, data = real_run
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    seen: dict[str, Any] = {"requests": [], "console": [], "errors": [], "dialogs": [], "url": report.as_uri()}
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.on("console", lambda message: seen["console"].append((message.type, message.text)))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(report.as_uri(), wait_until="load")
    seen["data"] = data
    yield page, seen
    page.close()


def test_report_loads_nothing_but_itself_and_logs_no_error(opened: tuple[Any, dict[str, Any]]) -> None:
    page, seen = opened
    page.mouse.wheel(0, 4000)  # scroll and open the evidence: nothing lazy may load then either
    page.locator("details").first.click()
    page.wait_for_timeout(200)
    assert seen["requests"] == [seen["url"]]
    assert [m for m in seen["console"] if m[0] in {"error", "warning"}] == []
    assert seen["errors"] == [] and seen["dialogs"] == []


def test_screenshot_is_a_png_of_the_page(opened: tuple[Any, dict[str, Any]]) -> None:
    page, _ = opened
    png = page.screenshot(full_page=False)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 900)


def test_candidates_and_bars_in_the_dom_match_the_run(opened: tuple[Any, dict[str, Any]]) -> None:
    page, seen = opened
    for number, offer in enumerate(seen["data"]["offers"], start=1):
        section = page.locator(f"#offer-{number}")
        assert offer["offer"] in section.locator("h2").inner_text()
        names = section.locator("tbody.candidate th.name").all_inner_texts()
        assert names == [entry["candidate"] for entry in offer["ranking"]]
        for entry in offer["ranking"]:
            row = section.locator(f"#offer-{number}-rank-{entry['rank']} tr.scores")
            expected = {"overall": entry["score"], **{k: v["score"] for k, v in entry["facets"].items()}}
            for facet, score in expected.items():
                cell = row.locator(f'td[data-facet="{facet}"]')
                if score is None:
                    assert cell.inner_text().startswith("–")
                    continue
                assert cell.locator(".value").inner_text() == str(round(score * 100))
                width = float(cell.locator("rect.fill").get_attribute("width"))
                assert width == pytest.approx(score * 100, abs=0.051)
                box = cell.locator("svg.bar").bounding_box()
                assert box is not None and box["width"] > 30  # drawn, not collapsed
            text = row.locator('td[data-facet="text"] .value').inner_text()
            assert 0 <= int(text) <= 100
        text_values = [int(v) for v in section.locator('td[data-facet="text"] .value').all_inner_texts()]
        assert max(text_values) == 100  # the closest candidate of the run


def test_hostile_folder_name_is_text_in_the_browser(opened: tuple[Any, dict[str, Any]]) -> None:
    page, _ = opened
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert page.get_by_role("rowheader", name=HOSTILE_FOLDER, exact=True).count() >= 2


def test_matrix_and_file_sections_in_the_browser(opened: tuple[Any, dict[str, Any]]) -> None:
    page, seen = opened
    data = seen["data"]
    rows = page.locator("#matrix tbody tr")
    assert rows.count() == len(data["offers"][0]["ranking"])
    for i in range(rows.count()):
        values = [int(v) for v in rows.nth(i).locator("td .value").all_inner_texts()]
        best = [int(v) for v in rows.nth(i).locator("td.best .value").all_inner_texts()]
        assert best and set(best) == {max(values)}
    files = page.locator("#files").inner_text()
    assert {s["reason"] for s in data["skipped"]} >= {"empty", "duplicate"}
    for entry in (*data["skipped"], *({"path": p} for p in data["ignored"]), *data["duplicates"], *data["flags"]):
        assert entry["path"] in files


def test_print_shows_every_detail_on_a4(opened: tuple[Any, dict[str, Any]], tmp_path: Path) -> None:
    page, _ = opened
    page.evaluate("document.querySelectorAll('details[open]').forEach(d => d.open = false)")
    evidence = page.locator("table.evidence").first
    assert not evidence.is_visible()  # collapsed on screen
    page.emulate_media(media="print")
    try:
        assert evidence.is_visible()  # and expanded on paper
        assert page.locator("#offer-2").evaluate("e => getComputedStyle(e).breakBefore") == "page"
    finally:
        page.emulate_media(media="screen")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 4


def test_a_suggested_assignment_is_shown_with_its_caveat_and_empty_places() -> None:
    from matchstage.ranking.assignment import with_assignment

    result = with_assignment(made_result(offers=2), {o.offer.id: 2 for o in made_result(offers=2).offers})
    html = render_html(result, generated=WHEN)
    section = html[html.index('id="assignment"'):html.index('id="offer-1"')]
    assert "Suggested assignment" in section
    assert "the decision is yours" in section
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"num\">(\d)</td>\s*(.*?)</tr>", section, re.S)
    assert len(rows) == 4  # two places per offer
    filled = [re.findall(r"<td>(.*?)</td>", r[2]) for r in rows if "unfilled" not in r[2]]
    assert sorted(cells[0] for cells in filled) == ["&lt;img src=x onerror=alert(1)&gt;.pdf", "Ines_Haddad"]
    assert any("unfilled:" in r[2] for r in rows)  # two candidates for four places
    assert 'id="assignment"' not in render_html(made_result(offers=2), generated=WHEN)


def test_a_blind_report_says_so() -> None:
    import dataclasses

    html = render_html(dataclasses.replace(made_result(), blind=True), generated=WHEN)
    assert "Blind review: candidates are shown as pseudonyms" in html
    assert "Blind review" not in render_html(made_result(), generated=WHEN)

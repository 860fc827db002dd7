"""Build the benchmark corpus once, reproducibly, in bench/corpus/ (git-ignored).

- ``cvs/``: 1,000 French CV PDFs of 300-800 words, one or two pages, in three layouts (one column;
  dates in a left margin; a sidebar beside the main column), two font families, varied headings;
- ``extra/``: 10 more CVs, for the "10 new CVs" scenario;
- ``offers/``: 6 offers (``offer_1.txt`` ... ``offer_6.txt``) of 300-600 words;
- ``scale_offers/``: 4 more offers, so that the scoring-scale scenario scores 10 distinct offers;
- ``manifest.json``: the recipe hash (this script, vocab.toml, seed, counts, reportlab version) and the
  SHA-256 of every file. A second run with the same recipe and the same files does nothing.

Every person, place and organisation is fictional. Sentences come from the templates and word lists in
``bench/vocab.toml``; each document has its own ``random.Random`` seeded from its index, and reportlab
writes with ``invariant=1``, so the bytes do not depend on the date, the order of work or the number
of processes. Generation is spread over every core.

Usage: python bench/make_corpus.py [--out DIR] [--force] [--verify]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

HERE = Path(__file__).parent
DEFAULT_OUT = HERE / "corpus"
VOCAB_PATH = HERE / "vocab.toml"
VOCAB: dict[str, Any] = tomllib.loads(VOCAB_PATH.read_text(encoding="utf-8"))

SEED = 2026
CVS = 1000
EXTRA = 10
OFFERS = 6
SCALE_OFFERS = 4
WORDS = (300, 800)
OFFER_WORDS = (300, 600)
MAX_PAGES = 2
LAYOUTS = ("one_column", "dates_margin", "sidebar")
FONTS = (("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"), ("Times-Roman", "Times-Bold", "Times-Italic"))
COLOURS = ((0, 0, 0), (0.1, 0.2, 0.45), (0.45, 0.1, 0.15), (0.05, 0.35, 0.3))
FOLDERS = ("cvs", "extra", "offers", "scale_offers")


# -- filling templates ----------------------------------------------------------------------------------

def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _strip_article(text: str) -> str:
    return _cap(re.sub(r"^(un |une |le |la |les |l'|des )", "", text))


class Picks(dict[str, str]):
    """Template values drawn on demand: ``{method}`` draws a method of the discipline (sometimes a
    common or a neighbouring one), ``{method2}`` another, distinct one."""

    def __init__(self, rng: random.Random, main: dict[str, Any], other: dict[str, Any]) -> None:
        super().__init__()
        self.rng, self.main, self.other = rng, main, other

    def _pool(self, key: str) -> list[str]:
        cv = VOCAB["cv"]
        pools = {
            "method": (self.main["methods"], cv["common_methods"], self.other["methods"]),
            "tool": (self.main["tools"], cv["common_tools"], self.other["tools"]),
            "topic": (self.main["topics"], self.main["topics"], self.other["topics"]),
        }
        if key in pools:
            mine, common, neighbour = pools[key]
            roll = self.rng.random()
            return list(mine if roll < 0.75 else common if roll < 0.9 else neighbour)
        simple = {"public": cv["publics"], "partner": cv["partners"], "deliverable": cv["deliverables"],
                  "event": cv["events"], "funder": cv["funders"], "city": VOCAB["people"]["cities"],
                  "skill": cv["skills"], "soft": cv["soft"], "prof": cv["profs"], "territory": cv["territories"],
                  "sector": cv["sectors"], "month": cv["months"], "degree": self.main["degrees"],
                  "degree2": self.other["degrees"], "course": self.main["courses"]}
        return list(simple[key])

    def __missing__(self, key: str) -> str:
        rng = self.rng
        numbers = {"n": (4, 40), "m": (40, 400), "pages": (8, 60), "year": (1985, 2019), "year2": (2019, 2025),
                   "months": (2, 6), "day": (3, 28), "ref": (100, 999)}
        if key in numbers:
            value = str(rng.randint(*numbers[key]))
        elif key == "topic_cap":
            value = _cap(self["topic"])
        elif key == "month_only":
            value = rng.choice(["janvier", "février", "mars", "avril", "mai", "octobre", "novembre"])
        elif key == "domain":
            value = rng.choice(VOCAB["people"]["mail_domains"])
        else:
            base = key.rstrip("0123456789")
            pool = self._pool(base)
            used = {v for k, v in self.items() if k.rstrip("0123456789") == base}
            fresh = [p for p in pool if p not in used] or pool
            value = rng.choice(fresh)
        self[key] = value
        return value


_ELISIONS = ((re.compile(r"\b([Dd])e des "), r"\1e "), (re.compile(r"\b([Dd])e les "), r"\1es "),
             (re.compile(r"\b([Dd])e le "), r"\1u "), (re.compile(r"\bà les "), "aux "),
             (re.compile(r"\bà le "), "au "), (re.compile(r"\b([Dd])e (?=[aeiouyéèêàâîôAEIOUÉ])"), r"\1'"))


def french(text: str) -> str:
    """Contractions the templates cannot know in advance: « de une » → « d'une », « de les » → « des »."""
    for pattern, replacement in _ELISIONS:
        text = pattern.sub(replacement, text)
    return text


def fill(template: str, rng: random.Random, main: dict[str, Any], other: dict[str, Any]) -> str:
    return french(template.format_map(Picks(rng, main, other)))


def _words(text: str) -> int:
    return len(text.split())


# -- CV content -----------------------------------------------------------------------------------------

@dataclass
class Item:
    """One line of a document: ``kind`` is name, title, contact, heading, entry, sub, bullet or para."""

    kind: str
    text: str
    date: str = ""


@dataclass
class Section:
    key: str
    items: list[Item] = field(default_factory=list)


@dataclass
class CV:
    name: str
    header: list[Item]
    sections: list[Section]

    def text(self) -> str:
        return "\n".join(f"{i.date} {i.text}" for i in self.items())

    def items(self) -> Iterator[Item]:
        yield from self.header
        for section in self.sections:
            yield from section.items

    def words(self) -> int:
        return _words(self.text())


def _period(rng: random.Random, year: int) -> str:
    months = ["janv.", "févr.", "mars", "avril", "mai", "juin", "juil.", "sept.", "oct.", "nov."]
    style = rng.random()
    if style < 0.4:
        start = rng.randrange(len(months) - 3)
        end = rng.randrange(start + 1, len(months))
        return f"{months[start]} – {months[end]} {year}"
    if style < 0.7:
        return f"{rng.choice(months)} {year} – {rng.choice(months)} {year + rng.randint(0, 1)}"
    if style < 0.85:
        return str(year)
    return f"{rng.randint(1, 12):02d}/{year} – {rng.randint(1, 12):02d}/{year + 1}"


class Templates:
    """Draws templates without repeating one until all have been used (a CV rarely says a thing twice)."""

    def __init__(self, rng: random.Random, templates: list[str]) -> None:
        self.rng, self.templates, self.left = rng, templates, list(templates)

    def draw(self) -> str:
        if not self.left:
            self.left = list(self.templates)
        return self.left.pop(self.rng.randrange(len(self.left)))


def make_cv(index: int, target: int | None = None) -> CV:
    """The CV of index ``index``; ``target`` (words) is drawn from the index unless given."""
    rng = random.Random(SEED * 1_000_003 + index)
    people, cv, headings = VOCAB["people"], VOCAB["cv"], VOCAB["headings"]
    disciplines = VOCAB["discipline"]
    main = disciplines[index % len(disciplines)] if index < len(disciplines) else rng.choice(disciplines)
    other = rng.choice([d for d in disciplines if d is not main])
    female = rng.random() < 0.55
    first = rng.choice(people["first_f"] if female else people["first_m"])
    last = rng.choice(people["last"])
    name = f"{first} {last}"
    target = target or rng.randint(*WORDS)
    city = rng.choice(people["cities"])
    year = 2026

    # Header: name, a title line, a contact line.
    student = rng.choice(cv["student_f"] if female else cv["student_m"])
    level = rng.choice(cv["levels"])
    degree = rng.choice(main["degrees"])
    title = rng.choice([f"{student} en {level} {degree}", rng.choice(main["titles"]) + " – recherche de stage",
                        f"{level} {degree} · {rng.choice(main['titles'])}"])
    user = re.sub(r"[^a-z]", "", (first + "." + last).lower().translate(str.maketrans("éèëêïîôöàâçü", "eeeeiiooaacu")))
    contact = [f"{user}{index % 97}@{rng.choice(people['mail_domains'])}",
               f"06 00 {index // 100 % 100:02d} {index % 100:02d} {rng.randint(10, 99)}", city]
    contact += rng.sample(people["extras"], rng.randint(0, 2))
    header = [Item("name", name.upper() if rng.random() < 0.3 else name), Item("title", title),
              Item("contact", " · ".join(contact) if rng.random() < 0.6 else " | ".join(contact))]

    profil = Section("profil", [Item("heading", rng.choice(headings["profil"]))])
    picks = Picks(rng, main, other)
    picks.update(student=student, level=level, degree=degree)
    sentences = rng.sample(cv["profile"], rng.randint(1, 3))
    profil.items.append(Item("para", french(" ".join(t.format_map(picks) for t in sentences))))

    formation = Section("formation", [Item("heading", rng.choice(headings["formation"]))])
    start = year - rng.randint(0, 2)
    formation.items += [Item("entry", f"Master {degree}", f"{start - 2} – {start}"),
                        Item("sub", rng.choice(cv["universities"]))]
    if rng.random() < 0.8:
        courses = rng.sample(main["courses"], rng.randint(2, 4))
        formation.items.append(Item("bullet", rng.choice(cv["course_intro"]) + _cap(", ".join(courses))))
    if rng.random() < 0.6:
        formation.items.append(Item("bullet", fill(rng.choice(cv["memoire"]), rng, main, other)))
    licence = rng.choice(main["licences"] if rng.random() < 0.7 else other["licences"])
    formation.items += [Item("entry", licence, f"{start - 5} – {start - 2}"),
                        Item("sub", f"{rng.choice(cv['universities'])}")]
    if rng.random() < 0.5:
        formation.items.append(Item("entry", rng.choice(cv["high_school"]), str(start - 5)))

    experience = Section("experience", [Item("heading", rng.choice(headings["experience"]))])
    exp_year = year
    bullets = Templates(rng, cv["experience_bullets"])

    def add_experience() -> None:
        nonlocal exp_year
        employer = rng.choice(main["employers"] if rng.random() < 0.8 else other["employers"])
        role = rng.choice([rng.choice(main["titles"]), rng.choice(cv["roles"])])
        duration = rng.choice(cv["durations"])
        experience.items += [Item("entry", f"{role} ({duration})" if rng.random() < 0.5 else role,
                                  _period(rng, exp_year)),
                             Item("sub", f"{_strip_article(employer)}, {rng.choice(people['cities'])}")]
        experience.items += [Item("bullet", fill(bullets.draw(), rng, main, other)) for _ in range(2)]
        exp_year -= rng.randint(0, 1)

    add_experience()
    add_experience()

    engagement = Section("engagement", [Item("heading", rng.choice(headings["engagement"]))])
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 2)):
            engagement.items += [Item("entry", f"{rng.choice(cv['engagement_roles'])}, "
                                               f"{rng.choice(cv['engagement_orgs'])}",
                                      f"depuis {year - rng.randint(1, 5)}")]
            engagement.items += [Item("bullet", fill(t, rng, main, other))
                                 for t in rng.sample(cv["engagement_bullets"], rng.randint(1, 2))]

    projets = Section("projets", [Item("heading", rng.choice(headings["projets"]))])
    if rng.random() < 0.25:
        projets.items += [Item("bullet", fill(t, rng, main, other)) for t in rng.sample(cv["memoire"], 2)]

    competences = Section("competences", [Item("heading", rng.choice(headings["competences"]))])
    methods = rng.sample(main["methods"], min(len(main["methods"]), rng.randint(3, 5)))
    tools = list(dict.fromkeys(rng.sample(main["tools"], rng.randint(2, 4))
                               + rng.sample(cv["common_tools"], rng.randint(1, 3))))
    skills = rng.sample(cv["skills"], rng.randint(2, 4))
    lines = [("Méthodes", methods), ("Logiciels", tools), ("Savoir-faire", skills)]
    if rng.random() < 0.6:
        lines.append(("Savoir-être", rng.sample(cv["soft"], 3)))
    bullet = rng.random() < 0.4
    for label, values in lines:
        text = f"{label} : {', '.join(values)}" if rng.random() < 0.8 else ", ".join(values)
        competences.items.append(Item("bullet" if bullet else "para", _cap(text)))

    langues = Section("langues", [Item("heading", rng.choice(headings["langues"]))])
    spoken = ["Français"] + rng.sample(cv["languages"], rng.randint(1, 3))
    for lang in dict.fromkeys(spoken):
        level = "langue maternelle" if lang == "Français" else rng.choice(cv["language_levels"])
        langues.items.append(Item("para", f"{lang} : {level}" if rng.random() < 0.7 else f"{lang} ({level})"))

    interets = Section("interets", [Item("heading", rng.choice(headings["interets"]))])
    hobbies = rng.sample(cv["hobbies"], rng.randint(2, 4))
    if rng.random() < 0.5:
        interets.items.append(Item("para", ", ".join(hobbies)))
    else:
        interets.items += [Item("bullet", h) for h in hobbies]

    body = [formation, experience] if rng.random() < 0.6 else [experience, formation]
    sections = ([profil] if rng.random() < 0.6 else []) + body
    sections += [s for s in (engagement, projets) if len(s.items) > 1]
    sections += [competences, langues, interets]
    result = CV(name, header, sections)

    # Grow the experiences (more bullets, then more jobs) until the target length.
    while result.words() < target:
        starts = [k for k, i in enumerate(experience.items) if i.kind == "entry"]
        ends = starts[1:] + [len(experience.items)]
        room = [end for begin, end in zip(starts, ends)
                if sum(1 for i in experience.items[begin:end] if i.kind == "bullet") < 6]
        if len(starts) < 7 and (not room or rng.random() < 0.25):
            add_experience()
        elif room:
            experience.items.insert(rng.choice(room), Item("bullet", fill(bullets.draw(), rng, main, other)))
        else:
            break
    return result


# -- layout and PDF ---------------------------------------------------------------------------------------

@dataclass
class Style:
    fonts: tuple[str, str, str]
    size: float
    colour: tuple[float, float, float]
    upper_headings: bool
    rule: bool
    bullet: str
    date_inline: str  # "prefix", "own_line" or "suffix" when dates are not in a margin

    @property
    def leading(self) -> float:
        return self.size * 1.22


class Flow:
    """Lines flowing down one column, page after page; draw operations collected per page."""

    def __init__(self, pages: list[list[tuple[Any, ...]]], style: Style, x: float, width: float,
                 top: float, date_margin: float = 0.0, next_top: float | None = None) -> None:
        self.pages, self.style, self.x, self.width = pages, style, x, width
        self.top, self.next_top = top, next_top if next_top is not None else A4[1] - 50
        self.bottom = 40.0
        self.date_margin = date_margin
        self.page, self.y = 0, top

    def _op(self, *op: Any) -> None:
        while len(self.pages) <= self.page:
            self.pages.append([])
        self.pages[self.page].append(op)

    def _need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.page += 1
            self.y = self.next_top

    def _lines(self, text: str, font: str, size: float, x: float, width: float, indent: float = 0.0,
               first: str = "") -> None:
        wrapped = simpleSplit(text, font, size, width - indent) or [""]
        for k, line in enumerate(wrapped):
            self._need(self.style.leading)
            if k == 0 and first:
                self._op("text", font, size, x, self.y, first, None)
            self._op("text", font, size, x + indent, self.y, line, None)
            self.y -= self.style.leading

    def add(self, item: Item) -> None:
        s, (regular, bold, italic) = self.style, self.style.fonts
        x, width = self.x, self.width
        if item.kind == "name":
            self._op("text", bold, s.size + 9, x, self.y, item.text, s.colour)
            self.y -= s.size + 13
        elif item.kind == "title":
            self._lines(item.text, regular, s.size + 1.5, x, width)
        elif item.kind == "contact":
            self._lines(item.text, regular, s.size - 1, x, width)
        elif item.kind == "heading":
            self.y -= s.leading * 0.7
            self._need(s.leading * 3)
            text = item.text.upper() if s.upper_headings else item.text
            self._op("text", bold, s.size + 1.5, x, self.y, text, s.colour)
            if s.rule:
                self._op("line", x, self.y - 3, x + width, self.y - 3, s.colour)
            self.y -= s.leading * 1.25
        elif item.kind == "entry":
            if self.date_margin and item.date:
                self._need(s.leading)
                self._op("text", regular, s.size - 1, x, self.y, item.date, None)
                self._lines(item.text, bold, s.size, x + self.date_margin, width - self.date_margin)
            elif item.date and s.date_inline == "own_line":
                self._lines(item.date, italic, s.size - 0.5, x, width)
                self._lines(item.text, bold, s.size, x, width)
            elif item.date and s.date_inline == "suffix":
                self._lines(f"{item.text} ({item.date})", bold, s.size, x, width)
            else:
                self._lines(f"{item.date} : {item.text}" if item.date else item.text, bold, s.size, x, width)
        elif item.kind == "sub":
            offset = self.date_margin
            self._lines(item.text, italic, s.size, x + offset, width - offset)
        elif item.kind == "bullet":
            offset = self.date_margin
            indent = 10.0 if s.bullet else 0.0
            self._lines(item.text, regular, s.size, x + offset, width - offset, indent, s.bullet.strip())
        else:
            offset = self.date_margin
            self._lines(item.text, regular, s.size, x + offset, width - offset)

    def add_all(self, items: list[Item]) -> None:
        for item in items:
            self.add(item)


SIDEBAR_SECTIONS = {"competences", "langues", "interets"}


def layout(cv: CV, rng: random.Random, kind: str) -> list[list[tuple[Any, ...]]]:
    style = Style(fonts=FONTS[rng.random() < 0.3], size=rng.choice([9.0, 9.5, 10.0]),
                  colour=rng.choice(COLOURS), upper_headings=rng.random() < 0.4, rule=rng.random() < 0.5,
                  bullet=rng.choice(VOCAB["cv"]["bullet_chars"]),
                  date_inline=rng.choice(["prefix", "own_line", "suffix"]))
    width, height = A4
    pages: list[list[tuple[Any, ...]]] = []
    top = height - 55
    if kind != "sidebar":
        flow = Flow(pages, style, 50, width - 100, top, date_margin=100 if kind == "dates_margin" else 0)
        flow.add_all(list(cv.items()))
        return pages
    # Sidebar: name and title over the main column; contact and short sections in the sidebar, which
    # sits left or right; the main column goes on to the next page in its own place.
    side_w, gap = 165.0, 22.0
    left = rng.random() < 0.75
    side_x = 40 if left else width - 40 - side_w
    main_x = 40 + side_w + gap if left else 40
    main_w = width - 80 - side_w - gap
    pages.append([("rect", side_x - 8, 30, side_w + 16, height - 60, (0.93, 0.94, 0.96))])
    side = Flow(pages, style, side_x, side_w, top)
    main = Flow(pages, style, main_x, main_w, top)
    contact = cv.header[2]
    side_items = [Item("heading", "Contact"), *[Item("para", part.strip()) for part in
                                                   re.split(r"[·|]", contact.text)]]
    side_items += [i for s in cv.sections if s.key in SIDEBAR_SECTIONS for i in s.items]
    main_items = cv.header[:2] + [i for s in cv.sections if s.key not in SIDEBAR_SECTIONS for i in s.items]
    flows = [(side, side_items), (main, main_items)]
    if rng.random() < 0.5:
        flows.reverse()  # content-stream order varies between generators
    for flow, items in flows:
        flow.add_all(items)
    return pages


def write_pdf(path: Path, pages: list[list[tuple[Any, ...]]], title: str) -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setCreator("matchstage bench")
    for ops in pages:
        for op in ops:
            if op[0] == "rect":
                _, x, y, w, h, colour = op
                pdf.setFillColorRGB(*colour)
                pdf.rect(x, y, w, h, stroke=0, fill=1)
            elif op[0] == "line":
                _, x1, y1, x2, y2, colour = op
                pdf.setStrokeColorRGB(*colour)
                pdf.setLineWidth(0.6)
                pdf.line(x1, y1, x2, y2)
            else:
                _, font, size, x, y, text, colour = op
                pdf.setFillColorRGB(*(colour or (0, 0, 0)))
                pdf.setFont(font, size)
                pdf.drawString(x, y, text)
        pdf.showPage()
    pdf.save()


def file_name(index: int, cv: CV, rng: random.Random) -> str:
    first, _, last = cv.name.partition(" ")
    last = last.replace(" ", "-")
    pattern = rng.choice(["CV_{i:04d}_{first}_{last}.pdf", "{i:04d}_{last}_{first}_CV.pdf",
                          "CV-{i:04d}-{first}-{upper}.pdf", "CV {i:04d} {first} {upper}.pdf"])
    return pattern.format(i=index, first=first, last=last, upper=last.upper())


def build_cv(job: tuple[int, str]) -> dict[str, Any]:
    """Write CV ``index`` into ``folder``; returns its manifest row."""
    index, folder = job
    rng = random.Random(SEED * 7_919 + index)
    kind = LAYOUTS[rng.randrange(len(LAYOUTS))]
    target = None
    while True:
        cv = make_cv(index, target)
        pages = layout(cv, random.Random(SEED * 7_919 + index + 1), kind)
        if len(pages) <= MAX_PAGES:
            break
        target = cv.words() - 60  # too long for two pages in this layout: a little shorter
    path = Path(folder) / file_name(index, cv, rng)
    write_pdf(path, pages, f"CV {cv.name}")
    return {"path": path.name, "words": cv.words(), "pages": len(pages), "layout": kind}


# -- offers -----------------------------------------------------------------------------------------------

def make_offer(index: int) -> str:
    rng = random.Random(SEED * 31 + index)
    disciplines = VOCAB["discipline"]
    main = disciplines[(index * 5) % len(disciplines)]
    other = rng.choice([d for d in disciplines if d is not main])
    o = VOCAB["offers"]
    target = rng.randint(*OFFER_WORDS)

    def f(template: str) -> str:
        return fill(template, rng, main, other)

    org_name = rng.choice(o["names"])
    org = f"{rng.choice(o['kinds'])} {org_name}"
    months = rng.randint(4, 6)
    title = f"{rng.choice(main['titles'])} – stage de {months} mois"
    city = rng.choice(VOCAB["people"]["cities"])
    structure = [f(s.replace("{kind} {org}", org).replace("{city}", city)) for s in o["structure"][:2]]
    spare_structure = list(o["structure"][2:])
    spare_missions = list(o["missions"])
    rng.shuffle(spare_structure)
    rng.shuffle(spare_missions)
    structure += [f(spare_structure.pop()) for _ in range(2)]
    missions = [f(spare_missions.pop()) for _ in range(5)]
    required = [f(r) for r in rng.sample(o["required"], 4)]
    appreciated = [f(a) for a in rng.sample(o["appreciated"], 2)]

    def render() -> str:
        lines = [f"{org_name} – {city}", title, "", rng_state["h_structure"], " ".join(structure), "",
                 rng_state["h_missions"], *[f"- {m}" for m in missions], "", rng_state["h_profile"],
                 "Requis :", *[f"- {r}" for r in required], "Apprécié :", *[f"- {a}" for a in appreciated],
                 f(rng_state["soft"]), "", rng_state["h_conditions"], *conditions, "", rng_state["h_apply"],
                 *apply]
        return "\n".join(lines) + "\n"

    rng_state = {"h_structure": rng.choice(o["headings_structure"]), "h_missions": rng.choice(o["headings_missions"]),
                 "h_profile": rng.choice(o["headings_profile"]), "h_conditions": rng.choice(o["headings_conditions"]),
                 "h_apply": rng.choice(o["headings_apply"]), "soft": rng.choice(o["soft_line"])}
    conditions = [f(c.replace("{months}", str(months)).replace("{city}", city)) for c in rng.sample(o["conditions"], 3)]
    apply = [f(a) for a in o["apply"]]
    while _words(render()) < target and (spare_missions or spare_structure):
        if spare_missions and (rng.random() < 0.7 or not spare_structure):
            missions.append(f(spare_missions.pop()))
        else:
            structure.append(f(spare_structure.pop()))
    return render()


# -- build -------------------------------------------------------------------------------------------------

def recipe() -> str:
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(VOCAB_PATH.read_bytes())
    digest.update(f"{SEED}:{CVS}:{EXTRA}:{OFFERS}:{SCALE_OFFERS}:{reportlab.Version}".encode())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_size for folder in FOLDERS
            for p in sorted((out / folder).glob("*")) if p.is_file()}


def is_built(out: Path = DEFAULT_OUT, verify: bool = False) -> bool:
    """The corpus in ``out`` was built by this recipe and is complete (sizes, or hashes with ``verify``)."""
    manifest_path = out / "manifest.json"
    if not manifest_path.exists():
        return False
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("recipe") != recipe():
        return False
    files: dict[str, dict[str, Any]] = manifest["files"]
    if sum(1 for name in files if name.startswith("cvs/")) != CVS:
        return False
    if _listing(out) != {name: row["size"] for name, row in files.items()}:
        return False
    return not verify or all(_sha256(out / name) == row["sha256"] for name, row in files.items())


def build(out: Path = DEFAULT_OUT, *, force: bool = False, verify: bool = False, quiet: bool = False) -> Path:
    """Build the corpus in ``out`` unless it is already there; return ``out``."""
    if not force and is_built(out, verify):
        return out
    started = time.perf_counter()
    for folder in FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)
        (out / folder).mkdir(parents=True)
    for stale in ("MANIFEST", "manifest.json"):
        (out / stale).unlink(missing_ok=True)
    for i in range(1, OFFERS + SCALE_OFFERS + 1):
        folder = "offers" if i <= OFFERS else "scale_offers"
        (out / folder / f"offer_{i}.txt").write_text(make_offer(i), encoding="utf-8")
    jobs = [(i, str(out / "cvs")) for i in range(CVS)] + [(CVS + i, str(out / "extra")) for i in range(EXTRA)]
    with Pool(os.cpu_count() or 2) as pool:
        rows = pool.map(build_cv, jobs, chunksize=20)
    files: dict[str, dict[str, Any]] = {}
    for (_, folder), row in zip(jobs, rows):
        name = f"{Path(folder).name}/{row['path']}"
        files[name] = {"size": (out / name).stat().st_size, "sha256": _sha256(out / name), "words": row["words"],
                       "pages": row["pages"], "layout": row["layout"]}
    for folder in ("offers", "scale_offers"):
        for path in sorted((out / folder).glob("*.txt")):
            name = f"{folder}/{path.name}"
            files[name] = {"size": path.stat().st_size, "sha256": _sha256(path),
                           "words": _words(path.read_text(encoding="utf-8"))}
    digest = hashlib.sha256("".join(f"{n}:{r['sha256']}\n" for n, r in sorted(files.items())).encode()).hexdigest()
    manifest = {"recipe": recipe(), "digest": digest, "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if not quiet:
        print(summary(out, time.perf_counter() - started), file=sys.stderr)
    return out


def summary(out: Path, seconds: float | None = None) -> str:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    cvs = [r for n, r in manifest["files"].items() if n.startswith(("cvs/", "extra/"))]
    offers = [r for n, r in manifest["files"].items() if "offers/" in n]
    words = sorted(r["words"] for r in cvs)
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    return (f"corpus {out}{took}: {len(cvs)} CVs, words {words[0]}-{words[-1]} (median {words[len(words) // 2]}), "
            f"pages {dict(sorted(Counter(r['pages'] for r in cvs).items()))}, "
            f"layouts {dict(sorted(Counter(r['layout'] for r in cvs).items()))}; {len(offers)} offers, words "
            f"{min(r['words'] for r in offers)}-{max(r['words'] for r in offers)}; digest {manifest['digest'][:16]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to build (default: bench/corpus)")
    parser.add_argument("--force", action="store_true", help="build again even if the corpus is there")
    parser.add_argument("--verify", action="store_true", help="check every file's SHA-256 against the manifest")
    args = parser.parse_args()
    if not args.force and is_built(args.out, args.verify):
        print(f"up to date: {summary(args.out)}", file=sys.stderr)
        return
    build(args.out, force=True)


if __name__ == "__main__":
    main()

"""Generate the sample candidates' documents from their TOML sources.

    .venv/bin/python scripts/make_samples.py                            # the development set, samples/
    .venv/bin/python scripts/make_samples.py --root samples/validation  # the held-out set

Reads ``ROOT/sources/cvs/*.toml`` (one fictional candidate each) and ``ROOT/sources/letters/*.toml``,
writes the PDFs (reportlab) and the DOCX cover letters (python-docx) into ``ROOT/candidatures/``,
writes ``ROOT/candidatures/notes.txt`` (from ``ROOT/sources/notes.txt`` when there is one) and
``ROOT/relevance.tsv`` (every candidate x offer pair of ``ROOT/offres/``, grades taken from each CV's
``[relevance]`` table, 0 when absent; then every pair of ``ROOT/publiees/``, pages as published named
``<offer>_publiee``, graded as the hand-cut ``<offer>`` of ``ROOT/offres/``: same job, same grades),
then re-reads every PDF with pypdf and checks that the text written can be extracted back, in order, accents
intact.

The output is deterministic: reportlab runs with ``invariant=1`` and the DOCX zip entries get a fixed date,
so running the script twice gives identical bytes.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# Bullet of list items by layout (a CV may set its own with `bullet = "..."`). Note that reportlab writes "•" as
# byte 0x7F of WinAnsiEncoding, which pypdf extracts as "\x7f": a real quirk of reportlab-made CVs, kept on purpose.
DEFAULT_BULLETS = {"classic": "•", "classic_stacked": "-", "band": "–", "sidebar": "•", "dense": "·"}
OFFER_SUFFIXES = {".txt", ".md", ".html", ".pdf", ".docx", ".odt"}
FIXED_ZIP_DATE = (2025, 1, 1, 0, 0, 0)

NOTES_TXT = """Notes de tri – candidatures stages et postes (dossier partagé)

- Penser à vérifier les dates de disponibilité avant les entretiens.
- Deux CV reçus en double par la plateforme : garder la version la plus récente.
- Candidature en anglais (Erasmus) : demander le niveau de français à l'oral.
- Une candidature arrivée avec lettre dans un dossier séparé.
- Ne pas transmettre ce dossier hors de l'équipe : données personnelles.
"""


# --------------------------------------------------------------------------------------------- model


@dataclass
class Entry:
    dates: str = ""
    title: str = ""
    place: str = ""
    text: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    side: bool = False
    text: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Cv:
    source: Path
    file: str
    layout: str
    font: str
    accent: colors.Color
    name: str
    title: str
    contact: list[str]
    details: list[str]
    photo: bool
    sections: list[Section]
    relevance: dict[str, int]
    size: float = 10.0
    bullet: str = "•"

    @property
    def candidate_id(self) -> str:
        return self.file.split("/")[0]


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[union-attr]


def load_cv(path: Path) -> Cv:
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if data.get("typographic_apostrophe"):
        # Some candidates type the typographic apostrophe (word processors do it for them): same text, ’ for '.
        data = tomllib.loads(re.sub(r"(?<=\w)'(?=\w)", "\u2019", text))
    person = data["person"]
    sections = []
    for raw in data.get("section", []):
        entries = [
            Entry(
                dates=e.get("dates", ""),
                title=e.get("title", ""),
                place=e.get("place", ""),
                text=_as_list(e.get("text")),
                bullets=_as_list(e.get("bullets")),
            )
            for e in raw.get("entry", [])
        ]
        sections.append(
            Section(
                title=raw["title"],
                side=bool(raw.get("side", False)),
                text=_as_list(raw.get("text")),
                items=_as_list(raw.get("items")),
                pairs=[(a, b) for a, b in raw.get("pairs", [])],
                entries=entries,
            )
        )
    layout = data.get("layout", "classic")
    if layout not in LAYOUTS:
        raise SystemExit(f"{path.name}: unknown layout {layout!r}")
    return Cv(
        source=path,
        file=data["file"],
        layout=layout,
        font=data.get("font", "Helvetica"),
        accent=colors.HexColor(data.get("accent", "#1f4e79")),
        name=person["name"],
        title=person.get("title", ""),
        contact=_as_list(person.get("contact")),
        details=_as_list(person.get("details")),
        photo=bool(person.get("photo", False)),
        sections=sections,
        relevance={k: int(v) for k, v in data.get("relevance", {}).items()},
        size=float(data.get("size", 10.0)),
        bullet=data.get("bullet", DEFAULT_BULLETS[layout]),
    )


# --------------------------------------------------------------------------------------------- styles


class Styles:
    """Paragraph styles for one CV, in one font family and one base size."""

    def __init__(self, font: str, accent: colors.Color, size: float = 10.0) -> None:
        bold = {"Helvetica": "Helvetica-Bold", "Times": "Times-Bold"}[font]
        italic = {"Helvetica": "Helvetica-Oblique", "Times": "Times-Italic"}[font]
        regular = {"Helvetica": "Helvetica", "Times": "Times-Roman"}[font]
        lead = size * 1.3
        self.body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=lead, alignment=TA_LEFT)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=size - 1, leading=(size - 1) * 1.3)
        self.italic = ParagraphStyle("italic", parent=self.body, fontName=italic)
        self.bullet = ParagraphStyle(
            "bullet", parent=self.body, leftIndent=12, bulletIndent=2, spaceBefore=1, bulletFontName=regular
        )
        self.entry_title = ParagraphStyle("entry_title", parent=self.body, fontName=bold, spaceBefore=4)
        self.dates = ParagraphStyle("dates", parent=self.small, textColor=colors.HexColor("#555555"))
        self.dates_right = ParagraphStyle("dates_right", parent=self.dates, alignment=TA_RIGHT)
        self.heading = ParagraphStyle(
            "heading",
            parent=self.body,
            fontName=bold,
            fontSize=size + 2.5,
            leading=(size + 2.5) * 1.2,
            textColor=accent,
            spaceBefore=10,
            spaceAfter=2,
        )
        self.name = ParagraphStyle("name", parent=self.body, fontName=bold, fontSize=size + 12, leading=size + 15)
        self.subtitle = ParagraphStyle(
            "subtitle", parent=self.body, fontSize=size + 2, leading=(size + 2) * 1.3, textColor=accent
        )
        self.side_heading = ParagraphStyle(
            "side_heading", parent=self.heading, fontSize=size + 1, leading=(size + 1) * 1.3, spaceBefore=8
        )
        self.bold_font = bold
        self.item_bullet = "•"
        self.regular_font = regular


class Recorder:
    """Creates paragraphs and remembers their plain text, to check the PDF's extracted text afterwards."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def para(
        self, text: str, style: ParagraphStyle, *, bold: bool = False, italic: bool = False, bullet: str | None = None
    ) -> Paragraph:
        check_encoding(text)
        self.texts.append(text)
        markup = escape(text)
        if bold:
            markup = f"<b>{markup}</b>"
        if italic:
            markup = f"<i>{markup}</i>"
        if bullet is not None:
            return Paragraph(markup, style, bulletText=bullet)
        return Paragraph(markup, style)


def check_encoding(text: str) -> None:
    """The standard PDF fonts use WinAnsi: refuse any character it cannot show."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError as exc:
        raise SystemExit(f"character outside WinAnsi in {text!r}: {exc}") from exc


class PhotoBox(Flowable):
    """A grey frame with the caption 'Photo', where the candidate's picture would be."""

    def __init__(self, width: float = 2.6 * cm, height: float = 3.2 * cm) -> None:
        super().__init__()
        self.width = width
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setFillColor(colors.HexColor("#e6e6e6"))
        c.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        c.setFillColor(colors.HexColor("#666666"))
        c.setFont("Helvetica", 9)
        c.drawCentredString(self.width / 2, self.height / 2 - 3, "Photo")


# --------------------------------------------------------------------------------------------- sections


def section_flowables(
    sec: Section,
    st: Styles,
    rec: Recorder,
    *,
    entry_style: str,
    width: float,
    heading_style: ParagraphStyle | None = None,
    rule: bool = True,
) -> list[Flowable]:
    """Render one section. ``entry_style``: 'table' (dates in a left column), 'stacked' (dates above),
    'inline' (title, place and dates on one line)."""
    out: list[Flowable] = [rec.para(sec.title, heading_style or st.heading)]
    if rule:
        out.append(HRFlowable(width="100%", thickness=0.6, color=colors.HexColor("#bbbbbb"), spaceAfter=3))
    for t in sec.text:
        out.append(rec.para(t, st.body))
    for label, value in sec.pairs:
        check_encoding(label + value)
        rec.texts.append(f"{label} : {value}")
        out.append(Paragraph(f"<b>{escape(label)}</b> : {escape(value)}", st.body))
    for item in sec.items:
        out.append(rec.para(item, st.bullet, bullet=st.item_bullet))
    for e in sec.entries:
        out.extend(entry_flowables(e, st, rec, entry_style=entry_style, width=width))
    return out


def entry_flowables(e: Entry, st: Styles, rec: Recorder, *, entry_style: str, width: float) -> list[Flowable]:
    body: list[Flowable] = []
    for t in e.text:
        body.append(rec.para(t, st.body))
    for b in e.bullets:
        body.append(rec.para(b, st.bullet, bullet="–"))
    if entry_style == "table":
        head: list[Flowable] = []
        if e.title:
            head.append(rec.para(e.title, st.entry_title))
        if e.place:
            head.append(rec.para(e.place, st.italic))
        dates_col = 2.9 * cm
        left = rec.para(e.dates, st.dates) if e.dates else Spacer(1, 1)
        table = Table([[left, head + body]], colWidths=[dates_col, width - dates_col])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (0, 0), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return [table]
    out: list[Flowable] = []
    if entry_style == "stacked":
        if e.dates:
            out.append(rec.para(e.dates, st.dates))
        if e.title:
            out.append(rec.para(e.title, ParagraphStyle("t", parent=st.entry_title, spaceBefore=0)))
        if e.place:
            out.append(rec.para(e.place, st.italic))
    else:  # inline
        parts = [p for p in (e.title, e.place, e.dates) if p]
        line = " – ".join(parts)
        check_encoding(line)
        rec.texts.append(line)
        markup = escape(e.title) if e.title else ""
        markup = f"<b>{markup}</b>" if markup else ""
        rest = [escape(p) for p in (e.place, e.dates) if p]
        markup = " – ".join([markup, *rest]) if markup else " – ".join(rest)
        out.append(Paragraph(markup, st.entry_title))
    head_block = KeepTogether(out + body[:1])
    return [head_block, *body[1:], Spacer(1, 3)]


def contact_lines(cv: Cv) -> list[str]:
    return cv.contact + cv.details


# --------------------------------------------------------------------------------------------- layouts

MARGIN = 1.8 * cm
PAGE_W, PAGE_H = A4


def new_doc(buf: io.BytesIO, cv: Cv, **kwargs: object) -> BaseDocTemplate:
    return BaseDocTemplate(
        buf,
        pagesize=A4,
        invariant=1,
        title=f"CV {cv.name}",
        author=cv.name,
        subject="Curriculum vitae",
        creator="Writer",
        producer="samples",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        **kwargs,
    )


def layout_classic(cv: Cv, buf: io.BytesIO, *, size: float = 10.0, entry_style: str = "table") -> list[str]:
    """Single column: name, title and contact at the top (photo on the right when there is one)."""
    st = Styles(cv.font, cv.accent, size)
    st.item_bullet = cv.bullet
    rec = Recorder()
    doc = new_doc(buf, cv)
    width = doc.width
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="main")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    head: list[Flowable] = [rec.para(cv.name, st.name)]
    if cv.title:
        head.append(rec.para(cv.title, st.subtitle))
    for line in contact_lines(cv):
        head.append(rec.para(line, st.small))
    story: list[Flowable] = []
    if cv.photo:
        table = Table([[head, PhotoBox()]], colWidths=[width - 3 * cm, 3 * cm])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(table)
    else:
        story.extend(head)
    story.append(Spacer(1, 6))
    for sec in cv.sections:
        story.extend(section_flowables(sec, st, rec, entry_style=entry_style, width=width))
    doc.build(story)
    return rec.texts


def layout_dense(cv: Cv, buf: io.BytesIO) -> list[str]:
    """Compact CV in a smaller font, usually two pages: name on the left, contact on the right."""
    st = Styles(cv.font, cv.accent, 9.0)
    st.item_bullet = cv.bullet
    rec = Recorder()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        invariant=1,
        title=f"CV {cv.name}",
        author=cv.name,
        subject="Curriculum vitae",
        creator="Writer",
        producer="samples",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.4 * cm,
        bottomMargin=1.4 * cm,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="main")

    def footer(canvas, d):  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(st.regular_font, 7.5)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawRightString(PAGE_W - 1.5 * cm, 0.8 * cm, f"{cv.name} – CV – page {d.page}")
        canvas.restoreState()
        rec_footer.add(f"{cv.name} – CV – page {d.page}")

    rec_footer: set[str] = set()
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    left = [rec.para(cv.name, st.name)]
    if cv.title:
        left.append(rec.para(cv.title, st.subtitle))
    right = [rec.para(line, ParagraphStyle("r", parent=st.small, alignment=TA_RIGHT)) for line in contact_lines(cv)]
    table = Table([[left, right]], colWidths=[doc.width * 0.6, doc.width * 0.4])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, cv.accent),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story: list[Flowable] = [table]
    for sec in cv.sections:
        story.extend(section_flowables(sec, st, rec, entry_style="inline", width=doc.width, rule=False))
    doc.build(story)
    return rec.texts + sorted(rec_footer)


def layout_band(cv: Cv, buf: io.BytesIO) -> list[str]:
    """A coloured band across the top of page 1 with name and title, then sections in one column."""
    st = Styles(cv.font, cv.accent, 10.0)
    st.item_bullet = cv.bullet
    rec = Recorder()
    band_h = 3.4 * cm
    doc = new_doc(buf, cv)
    first = Frame(
        doc.leftMargin, doc.bottomMargin, doc.width, PAGE_H - band_h - 0.6 * cm - doc.bottomMargin, id="first"
    )
    later = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="later")
    band_texts = [cv.name] + ([cv.title] if cv.title else []) + [" · ".join(contact_lines(cv))]
    for t in band_texts:
        check_encoding(t)

    def draw_band(canvas, d):  # noqa: ANN001
        canvas.saveState()
        canvas.setFillColor(cv.accent)
        canvas.rect(0, PAGE_H - band_h, PAGE_W, band_h, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(st.bold_font, 22)
        canvas.drawString(MARGIN, PAGE_H - 1.45 * cm, cv.name)
        y = PAGE_H - 2.2 * cm
        if cv.title:
            canvas.setFont(st.regular_font, 12)
            canvas.drawString(MARGIN, y, cv.title)
            y -= 0.65 * cm
        canvas.setFont(st.regular_font, 8.5)
        canvas.drawString(MARGIN, y, " · ".join(contact_lines(cv)))
        if cv.photo:
            x, w, h = PAGE_W - MARGIN - 2.3 * cm, 2.3 * cm, 2.8 * cm
            canvas.setFillColor(colors.HexColor("#e6e6e6"))
            canvas.rect(x, PAGE_H - band_h + 0.3 * cm, w, h, stroke=0, fill=1)
            canvas.setFillColor(colors.HexColor("#666666"))
            canvas.setFont("Helvetica", 9)
            canvas.drawCentredString(x + w / 2, PAGE_H - band_h + 0.3 * cm + h / 2 - 3, "Photo")
        canvas.restoreState()

    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], onPage=draw_band),
            PageTemplate(id="later", frames=[later]),
        ]
    )
    story: list[Flowable] = [NextPageTemplate("later")]
    for sec in cv.sections:
        story.extend(section_flowables(sec, st, rec, entry_style="stacked", width=doc.width))
    doc.build(story)
    return band_texts + rec.texts


def layout_sidebar(cv: Cv, buf: io.BytesIO) -> list[str]:
    """Two frames on page 1: a tinted left sidebar (contact, skills, languages) then the main column.
    Text flows column by column: the sidebar's story, a FrameBreak, then the main story."""
    st = Styles(cv.font, cv.accent, 9.5)
    st.item_bullet = cv.bullet
    rec = Recorder()
    doc = new_doc(buf, cv)
    side_w = 6.0 * cm
    gap = 0.8 * cm
    side = Frame(0.9 * cm, 1.2 * cm, side_w - 0.9 * cm, PAGE_H - 2.4 * cm, id="side", leftPadding=4, rightPadding=6)
    main_x = side_w + gap
    main_w = PAGE_W - main_x - 1.5 * cm
    main = Frame(main_x, 1.4 * cm, main_w, PAGE_H - 2.8 * cm, id="main")
    later = Frame(main_x, 1.4 * cm, main_w, PAGE_H - 2.8 * cm, id="later")

    def tint(canvas, d):  # noqa: ANN001
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#eef1f5"))
        canvas.rect(0, 0, side_w, PAGE_H, stroke=0, fill=1)
        canvas.restoreState()

    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[side, main], onPage=tint),
            PageTemplate(id="later", frames=[later], onPage=tint),
        ]
    )
    side_story: list[Flowable] = []
    if cv.photo:
        side_story.extend([PhotoBox(2.4 * cm, 3.0 * cm), Spacer(1, 6)])
    name_style = ParagraphStyle("sname", parent=st.name, fontSize=17, leading=20)
    side_story.append(rec.para(cv.name, name_style))
    if cv.title:
        side_story.append(rec.para(cv.title, ParagraphStyle("stitle", parent=st.subtitle, fontSize=10, leading=13)))
    side_story.append(Spacer(1, 6))
    for line in contact_lines(cv):
        side_story.append(rec.para(line, st.small))
    main_story: list[Flowable] = []
    for sec in cv.sections:
        if sec.side:
            side_story.extend(
                section_flowables(
                    sec, st, rec, entry_style="stacked", width=side.width, heading_style=st.side_heading, rule=False
                )
            )
    for sec in cv.sections:
        if not sec.side:
            main_story.extend(section_flowables(sec, st, rec, entry_style="stacked", width=main_w))
    # The sidebar must fit its frame, or it would spill into the main column.
    avail_w = side.width - side.leftPadding - side.rightPadding
    used = sum(f.wrap(avail_w, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in side_story)
    if used > side.height - 12:
        raise SystemExit(f"{cv.source.name}: sidebar too long ({used:.0f} > {side.height:.0f} pt)")
    doc.build([NextPageTemplate("later"), *side_story, FrameBreak(), *main_story])
    return rec.texts


LAYOUTS = {
    "classic": lambda cv, buf: layout_classic(cv, buf, size=cv.size),
    "classic_stacked": lambda cv, buf: layout_classic(cv, buf, size=cv.size, entry_style="stacked"),
    "band": layout_band,
    "sidebar": layout_sidebar,
    "dense": layout_dense,
}


# --------------------------------------------------------------------------------------------- letter


def make_letter(path: Path, out: Path) -> Path:
    """A cover letter as DOCX, with fixed core properties and zip dates so the bytes do not change."""
    import datetime

    from docx import Document
    from docx.shared import Pt

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for line in data["sender"]:
        doc.add_paragraph(line)
    for line in data["recipient"]:
        p = doc.add_paragraph(line)
        p.alignment = 2  # right
    doc.add_paragraph(data["place_date"]).alignment = 2
    doc.add_paragraph().add_run(data["subject"]).bold = True
    for para in data["body"]:
        doc.add_paragraph(para)
    doc.add_paragraph(data["signature"])
    fixed = datetime.datetime(2025, 1, 1)
    props = doc.core_properties
    props.author = data["signature"]
    props.last_modified_by = data["signature"]
    props.title = data["subject"]
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    target = out / data["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(normalise_zip(raw.getvalue()))
    return target


def normalise_zip(blob: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------------------------- checks


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


def check_pdf(path: Path, texts: list[str]) -> tuple[int, int, list[str]]:
    """Return (pages, words, problems): every recorded paragraph must be found whole in the extracted text."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    extracted = norm("\n".join(page.extract_text() or "" for page in reader.pages))
    problems = [t for t in texts if norm(t) not in extracted]
    return len(reader.pages), len(extracted.split()), problems


# --------------------------------------------------------------------------------------------- main


def offer_ids(offers_dir: Path) -> list[str]:
    return sorted(p.stem for p in offers_dir.iterdir() if p.is_file() and p.suffix.lower() in OFFER_SUFFIXES)


# A page as published (``publiees/<offer>_publiee.txt``) is graded as the hand-cut offer it was cut into.
PUBLISHED_SUFFIX = "_publiee"


def published_ids(root: Path, offers: list[str]) -> dict[str, str]:
    """Each published page's offer id -> the id of its hand-cut offer."""
    folder = root / "publiees"
    if not folder.is_dir():
        return {}
    published = {}
    for page in offer_ids(folder):
        cut = page.removesuffix(PUBLISHED_SUFFIX)
        if cut == page or cut not in offers:
            raise SystemExit(f"publiees/{page}: expected <offer>{PUBLISHED_SUFFIX}, <offer> one of offres/")
        published[page] = cut
    return published


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a sample set's candidate documents and relevance.tsv.")
    parser.add_argument(
        "--root",
        type=Path,
        default=SAMPLES,
        help="the set's folder, holding offres/ and sources/ (default: samples/)",
    )
    root: Path = parser.parse_args(argv).root
    sources = root / "sources"
    out = root / "candidatures"
    if not (root / "offres").is_dir() or not (sources / "cvs").is_dir():
        raise SystemExit(f"{root}: expected offres/ and sources/cvs/ in it")
    out.mkdir(parents=True, exist_ok=True)
    cvs = [load_cv(p) for p in sorted((sources / "cvs").glob("*.toml"))]
    offers = offer_ids(root / "offres")
    published = published_ids(root, offers)
    seen: dict[str, Path] = {}
    for cv in cvs:
        if cv.file in seen:
            raise SystemExit(f"{cv.source.name} and {seen[cv.file].name} both write {cv.file}")
        seen[cv.file] = cv.source
        unknown = set(cv.relevance) - set(offers)
        if unknown:
            raise SystemExit(f"{cv.source.name}: relevance for unknown offers {sorted(unknown)}")
        bad = {k: v for k, v in cv.relevance.items() if v not in (0, 1, 2, 3)}
        if bad:
            raise SystemExit(f"{cv.source.name}: grades must be 0-3, got {bad}")

    failures = 0
    rows = []
    for cv in cvs:
        buf = io.BytesIO()
        texts = LAYOUTS[cv.layout](cv, buf)
        target = out / cv.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(buf.getvalue())
        pages, words, problems = check_pdf(target, texts)
        failures += bool(problems)
        rows.append((cv.file, cv.layout, pages, words, len(problems)))
        for p in problems[:5]:
            print(f"  NOT FOUND in {cv.file}: {p[:90]!r}", file=sys.stderr)

    letters = [make_letter(p, out) for p in sorted((sources / "letters").glob("*.toml"))]
    notes = sources / "notes.txt"
    notes_text = notes.read_text(encoding="utf-8") if notes.is_file() else NOTES_TXT
    (out / "notes.txt").write_text(notes_text, encoding="utf-8")

    # Graded relevance: one line per (candidate, offer); a candidate in a subfolder is the folder.
    ids: dict[str, Cv] = {}
    for cv in cvs:
        if cv.candidate_id in ids:
            raise SystemExit(f"two sources give candidate {cv.candidate_id}")
        ids[cv.candidate_id] = cv
    lines = ["candidate\toffer\tgrade"]
    for cid in sorted(ids):
        for offer in offers:
            lines.append(f"{cid}\t{offer}\t{ids[cid].relevance.get(offer, 0)}")
    for cid in sorted(ids):
        for page, cut in published.items():
            lines.append(f"{cid}\t{page}\t{ids[cid].relevance.get(cut, 0)}")
    (root / "relevance.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    print(f"{'file':44} {'layout':15} pages words missing")
    for file, layout, pages, words, missing in rows:
        print(f"{file:44} {layout:15} {pages:5} {words:5} {missing:7}")
    print(f"{len(cvs)} CVs, {len(letters)} letter(s), {len(offers)} offers, {len(published)} published page(s), "
          f"{len(lines) - 1} relevance lines")
    for offer in offers:
        counts = [sum(1 for cv in cvs if cv.relevance.get(offer, 0) == g) for g in (3, 2, 1, 0)]
        print(f"  {offer:45} 3:{counts[0]:2}  2:{counts[1]:2}  1:{counts[2]:2}  0:{counts[3]:2}")
        if counts[0] < 1 or counts[0] + counts[1] < 3:
            print(f"  WARNING: {offer} needs at least one grade 3 and three grades >= 2", file=sys.stderr)
            failures += 1
    if failures:
        print(f"{failures} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Text normalisation shared by every reader: what the analysis sees, whatever the file was.

Readers hand over raw text; these functions make it comparable across producers: one Unicode form,
ligatures spelled out, one kind of space and apostrophe, no invisible characters, words hyphenated at a
line end joined back, and (for paged documents) running headers, footers and page numbers dropped.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable

# NFKC would be free to change these, and they carry meaning in French inclusive writing
# ("étudiant·es"); they are kept as they are.
_KEEP_FROM_NFKC = re.compile("([\u00b7\u22c5\u2027])")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\u0085\x0b\x0c]")
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u201b\u2032\u00b4]")
_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Zero-width characters, bidirectional marks and controls: never part of a word.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0e-\x1f\x7f-\x9f]")
# A soft hyphen at the end of a line is where a word was cut: join the halves.
_SOFT_HYPHEN_BREAK = re.compile("\u00ad *\n *")
# "organi-\nsation": a letter, a hyphen ending the line, the next line starting with a lowercase letter.
_HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011] *\n *(?=[^\W\d_])")
_RUNS_OF_SPACES = re.compile(r" {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")

# Running headers and footers are looked for in this many lines at the top and bottom of each page.
HEADER_FOOTER_LINES = 3
# A line in that zone on at least this share of the pages (3 pages or more) is a running header or footer.
REPEATED_SHARE = 0.6
_MAX_HEADER_LENGTH = 120
_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|seite|pagina)?\s*[-–—(\[]?\s*(\d{1,4})\s*(?:(?:/|sur|of|de|von)\s*(\d{1,4}))?\s*[-–—)\]]?$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


def _nfkc(text: str) -> str:
    if not _KEEP_FROM_NFKC.search(text):
        return unicodedata.normalize("NFKC", text)
    parts = _KEEP_FROM_NFKC.split(text)  # odd indexes are the kept characters
    return "".join(part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(parts))


def _join_hyphenated(text: str) -> str:
    def join(match: re.Match[str]) -> str:
        following = text[match.end()]
        return "" if following.islower() else match.group(0)

    return _HYPHEN_BREAK.sub(join, text)


def normalize_text(text: str) -> str:
    """One document's text in the form every later stage expects.

    NFC then NFKC (ligatures ``ﬁ`` -> ``fi``, fullwidth forms, compatibility spaces) except the middle
    dots of inclusive writing; typographic apostrophes -> ``'``; every space -> `` ``; soft hyphens,
    zero-width and control characters dropped; ``organi-\\nsation`` -> ``organisation`` when the next
    line starts in lowercase; spaces collapsed, lines stripped, at most one blank line in a row.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _nfkc(unicodedata.normalize("NFC", text))
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _APOSTROPHES.sub("'", text)
    text = _SPACES.sub(" ", text)
    text = _join_hyphenated(text)
    lines = [_RUNS_OF_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _is_page_number(line: str, page_number: int, pages: int) -> bool:
    match = _PAGE_NUMBER.match(line)
    if not match:
        return False
    number, total = int(match.group(1)), match.group(2)
    if total is not None:
        return number <= int(total)
    # A number alone ("3", "- 3 -", "Page 3") only when it is this page's number.
    return number == page_number and (pages > 1 or line.lower().startswith("page"))


def _zone(lines: list[str]) -> set[int]:
    """Indexes of the lines where running headers and footers live: the first and last few non-blank ones."""
    filled = [i for i, line in enumerate(lines) if line]
    return set(filled[:HEADER_FOOTER_LINES] + filled[-HEADER_FOOTER_LINES:])


def _repeated(split: list[list[str]], zones: list[set[int]], key: Callable[[str], str]) -> set[str]:
    """Keys of the zone lines found on enough pages to be running headers or footers."""
    if len(split) < 2:
        return set()
    counts = Counter(
        k for lines, zone in zip(split, zones)
        for k in {key(lines[i]) for i in zone if len(lines[i]) <= _MAX_HEADER_LENGTH}
    )
    needed = len(split) if len(split) == 2 else math.ceil(REPEATED_SHARE * len(split))
    return {k for k, count in counts.items() if count >= needed}


def _exact(line: str) -> str:
    return line.casefold()


def _numbers_masked(line: str) -> str:
    return _DIGITS.sub("#", line.casefold())


def normalize_pages(pages: list[str]) -> str:
    """Normalise each page, drop running headers, footers and page numbers, and join the pages.

    A line counts as a running header or footer when it sits in the top or bottom lines of the page
    on both pages of a two-page document, or on at least 60% of the pages of a longer one. Lines equal
    but for their numbers ("CV - page 2") count too, unless dropping them would empty the page; a page
    that would be left empty even so keeps its lines.
    """
    split = [normalize_text(page).split("\n") for page in pages]
    zones = [_zone(lines) for lines in split]
    exact = _repeated(split, zones, _exact)
    masked = _repeated(split, zones, _numbers_masked)
    kept_pages = []
    for number, (lines, zone) in enumerate(zip(split, zones), start=1):
        running = {i for i in zone if _exact(lines[i]) in exact or _is_page_number(lines[i], number, len(split))}
        kept = lines
        for drop in (running | {i for i in zone if _numbers_masked(lines[i]) in masked}, running):
            candidate = [line for i, line in enumerate(lines) if i not in drop]
            if any(candidate):
                kept = candidate
                break
        kept_pages.append("\n".join(kept).strip())
    return normalize_text("\n".join(page for page in kept_pages if page))

"""Text normalisation shared by every reader: what the analysis should see, whatever the file was."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Characters NFKC would change but that carry meaning here (inclusive writing's middle dots).
_KEEP = {"\u00b7", "\u22c5"}
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_HYPHENATED = re.compile(r"(\w)[-\u2010\u2011]\n\s*([a-zà-ÿœ])")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?\d{1,3}\s*(?:/|sur|of)\s*\d{1,3}\s*$|^\s*-?\s*\d{1,3}\s*-?\s*$",
                          re.IGNORECASE)


def _nfkc_safely(text: str) -> str:
    if not any(c in text for c in _KEEP):
        return unicodedata.normalize("NFKC", text)
    return "".join(c if c in _KEEP else unicodedata.normalize("NFKC", c) for c in text)


def normalize_text(text: str) -> str:
    """NFC/NFKC (ligatures ﬁ -> fi), spaces unified, soft hyphens dropped, line-break hyphenation joined."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _nfkc_safely(text)
    text = _INVISIBLE.sub("", text)
    text = text.replace("’", "'").replace("‘", "'")
    text = _SPACES.sub(" ", text)
    text = _HYPHENATED.sub(r"\1\2", text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def normalize_pages(pages: list[str]) -> str:
    """Normalise each page, then drop page numbers and lines repeated as headers or footers."""
    pages = [normalize_text(p) for p in pages]
    repeated: set[str] = set()
    if len(pages) >= 2:
        counts = Counter(line for page in pages for line in set(page.split("\n")) if line)
        needed = len(pages) if len(pages) == 2 else max(2, round(0.6 * len(pages)))
        repeated = {line for line, n in counts.items() if n >= needed and len(line) < 120}
    kept = []
    for page in pages:
        lines = [line for line in page.split("\n") if line not in repeated and not _PAGE_NUMBER.match(line)]
        kept.append("\n".join(lines))
    return "\n".join(p for p in kept if p).strip()

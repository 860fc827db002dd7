"""Plain text, Markdown and HTML: decode the bytes (UTF-8, else detected), keep the visible text."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from matchstage.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.normalize import normalize_text

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)


def decode(raw: bytes, hint: str | None = None) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), the hinted charset, else detected."""
    for encoding in ("utf-8-sig", hint):
        if encoding:
            try:
                return raw.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))
    if not matches:
        raise Unreadable(SkipReason.UNREADABLE, "not valid text in any encoding")
    # Short texts fit several single-byte encodings equally; French files that are not UTF-8 are
    # nearly always Windows-1252 or Latin-1, so prefer those when they are plausible.
    best = next((m for m in matches if m.encoding in _WESTERN), matches[0])
    return str(best), best.encoding


class TextReader:
    suffixes = (".txt", ".md")

    def read(self, path: Path, limits: ReadLimits) -> Document:
        text, encoding = decode(path.read_bytes())
        if "\x00" in text:
            raise Unreadable(SkipReason.UNREADABLE, "binary content, not text")
        if path.suffix.lower() == ".md":
            text = unescape(_TAG.sub(" ", text))
        warnings = () if encoding.startswith("utf") else (f"decoded as {encoding}",)
        return Document(path, normalize_text(text), 1, path.suffix.lower().lstrip("."), warnings)


class _VisibleText(HTMLParser):
    _HIDDEN = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "iframe", "button", "form"}
    _BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "main",
              "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "blockquote", "pre", "hr", "td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


class HtmlReader:
    suffixes = (".html", ".htm")

    def read(self, path: Path, limits: ReadLimits) -> Document:
        raw = path.read_bytes()
        hint = _META_CHARSET.search(raw[:4096])
        text, _ = decode(raw, hint.group(1).decode("ascii", "ignore") if hint else None)
        parser = _VisibleText()
        parser.feed(text)
        parser.close()
        visible = re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(parser.parts))
        return Document(path, normalize_text(visible), 1, "html")

"""Plain text, Markdown and HTML: decode the bytes (UTF-8, else detected), keep the text a person sees."""

from __future__ import annotations

import codecs
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.reading.normalize import normalize_text

# Single-byte encodings French files come in when they are not UTF-8. charset-normalizer often ranks
# cp1250 first for French text (é, è, à read the same); among guesses as clean as the best, these win.
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
# Labels browsers treat as windows-1252 (WHATWG Encoding Standard).
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "iso8859_15"}
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_MARKUP = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def decode(raw: bytes, hint: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (BOM or not), then ``hint``, then detected.

    Raises :class:`Unreadable` (``unreadable``) when no encoding gives text.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf_16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf_8_sig", _codec(hint)):
        if encoding:
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                pass
    from charset_normalizer import from_bytes

    matches = from_bytes(raw)
    best = matches.best()
    if best is None or best.encoding is None:
        raise Unreadable(SkipReason.UNREADABLE, "not valid text in any encoding")
    # Coherence (letter frequencies) is unreliable on a short offer; an equally clean Western reading wins.
    chosen = next((m for m in matches if m.encoding in _WESTERN and m.chaos <= best.chaos + 0.05), best)
    return str(chosen), chosen.encoding


def _not_binary(text: str) -> None:
    if "\x00" in text:
        raise Unreadable(SkipReason.UNREADABLE, "binary content, not text")


class TextReader:
    """``.txt`` and ``.md`` files; Markdown loses its inline HTML."""

    suffixes: tuple[str, ...] = (".txt", ".md")

    def read(self, path: Path, limits: ReadLimits) -> Document:
        text, encoding = decode(path.read_bytes())
        _not_binary(text)
        suffix = path.suffix.lower()
        if suffix == ".md":
            text = unescape(_MARKUP.sub("", text))
        notes = () if encoding.startswith(("utf", "ascii")) else (f"decoded as {encoding}",)
        return Document(path, normalize_text(text), 1, suffix.lstrip("."), notes)


class _VisibleText(HTMLParser):
    """Collects the text a browser would show; block elements end lines."""

    _HIDDEN = frozenset({"head", "title", "script", "style", "noscript", "template", "svg", "math", "nav", "footer",
                         "iframe", "object", "button", "select", "datalist", "dialog"})
    _BLOCK = frozenset({"address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
                        "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
                        "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul"})
    _VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                       "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden: list[str] = []  # open elements whose content is not shown
        self._pre = 0

    def _hides(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in self._HIDDEN:
            return True
        if tag in self._VOID:
            return False
        values = dict(attrs)
        style = (values.get("style") or "").replace(" ", "").lower()
        return "hidden" in values or values.get("aria-hidden") == "true" or "display:none" in style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # an unclosed <head> ends here
            self._hidden = [t for t in self._hidden if t != "head"]
        if self._hidden and tag not in self._VOID:
            self._hidden.append(tag)
            return
        if self._hides(tag, attrs):
            self._hidden.append(tag)
            return
        if tag == "pre":
            self._pre += 1
        if tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self._VOID:  # <div/>: opened and closed at once
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            if tag in self._hidden:  # close it and anything left open inside it
                while self._hidden and self._hidden.pop() != tag:
                    pass
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data if self._pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        return "".join(self.parts)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one line per block, entities decoded, not yet normalised."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()


class HtmlReader:
    """``.html`` and ``.htm`` pages (an offer saved from a job board): the visible text only."""

    suffixes: tuple[str, ...] = (".html", ".htm")

    def read(self, path: Path, limits: ReadLimits) -> Document:
        raw = path.read_bytes()
        declared = _META_CHARSET.search(raw[:4096])
        text, encoding = decode(raw, declared.group(1).decode("ascii", "ignore") if declared else None)
        _not_binary(text)
        notes = () if encoding.startswith(("utf", "ascii")) else (f"decoded as {encoding}",)
        return Document(path, normalize_text(html_to_text(text)), 1, "html", notes)

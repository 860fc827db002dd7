"""spaCy's French exception matcher, exactly, without compiling its 1.45 MB expression.

spaCy's French tokenizer keeps ``auto-école``, ``entr'ouvrir`` or ``saut-de-ski`` whole with ``token_match``:
one expression of 266 anchored alternatives, each a short head (``auto``, ``a[ée]ro``, ``r?é?entr``...)
followed by very large character classes — lower-case letters, all letters, letters with hyphens and
apostrophes — written out in full (about 3,000 characters) in each of the ~800 places they occur.
Compiling those copies is what costs seconds (MEASUREMENTS.md).

:class:`InterleavedMatch` gives the same answers with a small expression. Each distinct large class is
compiled once, on its own and with the same flags, and gives every character of the text one bit: "I
belong to this class". The text is then matched as *character, marker, character, marker...* (the marker
encodes the bits) against the original expression rewritten so that

- every atom that consumes one character (a literal, a small class) also consumes the marker after it,
  so atoms keep their exact text, flags and meaning;
- a large class becomes "any character whose marker has my bit";
- ``$`` ("at the end, or before a final newline") becomes the same test on the doubled text.

Groups, alternatives and quantifiers are kept as written, so the rewritten expression accepts the
interleaved text exactly when the original accepts the text. Anything outside that small grammar (escapes
outside classes, counted repetition, lookarounds, capturing groups...) raises :class:`UnsupportedPattern`
and the caller compiles the expression as spaCy does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

# A class this long is "large": compiled once on its own instead of once per occurrence.
LARGE_CLASS = 256
# Up to three large classes: markers are the digits 0-7 (bit i set: the character is in class i). Digits have
# no case, so IGNORECASE leaves the marker classes alone.
MAX_LARGE_CLASSES = 3
_MARKER_BASE = ord("0")
# Inline flags that do not change what ``^``, ``$`` or a literal mean.
_SAFE_FLAGS = frozenset("iu")

_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
_TOKEN = re.compile(
    r"""(?P<cls>\[[^\]\\]*(?:\\.[^\]\\]*)*\])
      | (?P<open>\(\?:)
      | (?P<close>\))
      | (?P<alt>\|)
      | (?P<bol>\^)
      | (?P<eol>\$)
      | (?P<quant>[?*+])
      | (?P<lit>[^\\.()\[\]{}|?*+^$])""",
    re.VERBOSE | re.DOTALL,
)
# ``$`` on the interleaved text: at the end, or before a final newline and its marker.
_EOL = r"(?=(?:\n.)?\Z)"
_SPAN = re.compile(r".*", re.DOTALL)


class UnsupportedPattern(ValueError):
    """The expression uses something :class:`InterleavedMatch` does not rewrite."""


def _marker_class(bit: int) -> str:
    return "[" + "".join(chr(_MARKER_BASE + v) for v in range(1 << MAX_LARGE_CLASSES) if v >> bit & 1) + "]"


class Interleaved(NamedTuple):
    """What :func:`interleave` makes of an expression."""

    flags: str  # its inline flags ("iu")
    expression: str  # the rewritten expression, for the interleaved text (compile with ``flags`` + "s")
    large_classes: list[str]  # the classes turned into marker bits, bit 0 first
    # Atoms (literals, small classes) of which every match holds at least one: the text must contain a character
    # one of them matches, or nothing can match. None when no such set was found.
    required: frozenset[str] | None


class _Unit(NamedTuple):
    text: str
    required: frozenset[str] | None


def _has_letters(atom: str) -> bool:
    return any(c.isalpha() for c in (atom[1:-1] if atom.startswith("[") else atom))


def _sequence_required(units: list[_Unit]) -> frozenset[str] | None:
    """In a sequence every unit must match: any one unit's requirement will do — the least common-looking one."""
    candidates = [unit.required for unit in units if unit.required is not None]
    if not candidates:
        return None
    return min(candidates, key=lambda atoms: (any(map(_has_letters, atoms)), len(atoms), sorted(atoms)))


def _alternation(branches: list[list[_Unit]]) -> _Unit:
    text = "|".join("".join(unit.text for unit in branch) for branch in branches)
    required = [_sequence_required(branch) for branch in branches]
    union = None if any(r is None for r in required) else frozenset().union(*required)  # type: ignore[arg-type]
    return _Unit(text, union)


def interleave(pattern: str, large_class: int = LARGE_CLASS) -> Interleaved:
    """Rewrite ``pattern`` for the interleaved text (see the module docstring).

    A class of more than ``large_class`` characters (brackets included) becomes a marker test. Raises
    :class:`UnsupportedPattern` when the expression leaves the grammar described in the module docstring.
    """
    flags_match = _FLAGS.match(pattern)
    flags = flags_match.group(1) if flags_match else ""
    if not set(flags) <= _SAFE_FLAGS:
        raise UnsupportedPattern(f"inline flags {flags!r}")
    large: dict[str, int] = {}
    # One entry per open group (the whole expression first): its alternatives, each a list of units.
    levels: list[list[list[_Unit]]] = [[[]]]
    quantifiable = False  # whether the last unit is an atom a quantifier may follow
    pos = flags_match.end() if flags_match else 0
    for token in _TOKEN.finditer(pattern, pos):
        if token.start() != pos:
            raise UnsupportedPattern(f"unexpected {pattern[pos:pos + 20]!r} at {pos}")
        pos = token.end()
        kind, text = token.lastgroup, token.group()
        units = levels[-1][-1]
        if kind == "cls":
            if text in ("[]", "[^]"):  # "]" first in a class is a literal: not handled
                raise UnsupportedPattern("class beginning with ']'")
            if len(text) > large_class:
                bit = large.setdefault(text, len(large))
                if bit >= MAX_LARGE_CLASSES:
                    raise UnsupportedPattern("too many distinct large classes")
                units.append(_Unit("." + _marker_class(bit), None))
            else:
                units.append(_Unit(text + ".", frozenset([text])))
            quantifiable = True
        elif kind == "lit":
            units.append(_Unit(text + ".", frozenset([text])))
            quantifiable = True
        elif kind == "quant":
            if not quantifiable:  # also refuses lazy quantifiers (``+?``)
                raise UnsupportedPattern(f"quantifier {text!r} after no atom at {token.start()}")
            last = units[-1]
            units[-1] = _Unit("(?:" + last.text + ")" + text, last.required if text == "+" else None)
            quantifiable = False
        elif kind == "open":
            levels.append([[]])
            quantifiable = False
        elif kind == "close":
            if len(levels) == 1:
                raise UnsupportedPattern("unbalanced ')'")
            group = _alternation(levels.pop())
            levels[-1][-1].append(_Unit("(?:" + group.text + ")", group.required))
            quantifiable = True
        elif kind == "alt":
            levels[-1].append([])
            quantifiable = False
        else:
            units.append(_Unit("^" if kind == "bol" else _EOL, None))
            quantifiable = False
    if pos != len(pattern):
        raise UnsupportedPattern(f"unexpected {pattern[pos:pos + 20]!r} at {pos}")
    if len(levels) != 1:
        raise UnsupportedPattern("unbalanced '('")
    whole = _alternation(levels[0])
    return Interleaved(flags, whole.text, list(large), whole.required)


class _Interleaving(dict[int, str]):
    """``str.translate`` table: code point -> the character followed by its marker, worked out when first seen."""

    def __init__(self, members: list[Callable[[str], object]]) -> None:
        super().__init__()
        self.members = members

    def __missing__(self, code: int) -> str:
        char = chr(code)
        bits = sum(1 << i for i, member in enumerate(self.members) if member(char))
        self[code] = value = char + chr(_MARKER_BASE + bits)
        return value


class InterleavedMatch:
    """Stands for ``re.compile(pattern)``: ``match(text)`` is truthy exactly when the original's is, over the same
    span (the match object is of the text itself; the expression has no capturing groups).

    ``large_classes`` are the classes rewritten as markers, ``members`` their membership tests (each class compiled
    on its own, with the expression's flags): bit ``i`` of a character's marker is ``members[i](char)``.
    """

    def __init__(self, pattern: str, large_class: int = LARGE_CLASS) -> None:
        flags, rewritten, self.large_classes, required = interleave(pattern, large_class)
        self.pattern = pattern
        self.large_class = large_class
        inline = f"(?{flags})" if flags else ""
        self.flags = re.compile(inline).flags
        self.groups = 0
        self.rewritten = re.compile(f"(?{flags}s)" + rewritten)
        # A quick "cannot match": no character any required atom matches (the same atoms, with the same flags).
        self.required = None if required is None else re.compile(inline + "|".join(sorted(required)))
        self.members: list[Callable[[str], object]] = [re.compile(inline + cls).match for cls in self.large_classes]
        self._table = _Interleaving(self.members)

    def interleaved(self, text: str) -> str:
        """The text as the rewritten expression reads it: each character followed by its marker."""
        return text.translate(self._table)

    def match(self, text: str) -> re.Match[str] | None:
        if self.required is not None and self.required.search(text) is None:
            return None
        found = self.rewritten.match(text.translate(self._table))
        if found is None:
            return None
        return _SPAN.match(text, 0, found.end() // 2)

    def __reduce__(self) -> tuple[type[InterleavedMatch], tuple[str, int]]:
        return (InterleavedMatch, (self.pattern, self.large_class))

    def __repr__(self) -> str:
        return f"InterleavedMatch(<{len(self.pattern):,} characters>)"


@lru_cache(maxsize=2)
def interleaved_match(pattern: str) -> InterleavedMatch:
    """One :class:`InterleavedMatch` per expression: spaCy compiles the French one twice while loading a model (the
    language's defaults, then the model's tokenizer)."""
    return InterleavedMatch(pattern)

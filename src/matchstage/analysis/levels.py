"""Degree levels: what level an offer asks for, and what level a candidate has reached.

The degrees and their patterns are data: ``models/levels.toml``. A level is counted in years of higher
education after the baccalauréat (Licence 3, Master 1 4, Master 2 5, Doctorat 8).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from matchstage.analysis.lemmas import fold
from matchstage.paths import models_dir


@dataclass(frozen=True)
class Level:
    """A degree level and the words that named it."""

    years: int
    label: str
    words: str


@dataclass(frozen=True)
class _Degree:
    years: int
    label: str
    folded: re.Pattern[str] | None
    written: re.Pattern[str] | None


@cache
def load_degrees(path: Path | None = None) -> tuple[re.Pattern[str], tuple[_Degree, ...]]:
    """The phrases to ignore (one expression) and the degrees, from ``models/levels.toml``."""
    path = path or models_dir() / "levels.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    ignore = re.compile(r"\b(?:" + "|".join(data.get("ignore", ["(?!)"])) + r")\b")
    degrees = []
    for entry in data["level"]:
        patterns, acronyms = entry.get("patterns", ()), entry.get("acronyms", ())
        degrees.append(_Degree(
            int(entry["years"]), str(entry["label"]),
            re.compile(r"\b(?:" + "|".join(patterns) + r")\b") if patterns else None,
            re.compile(r"\b(?:" + "|".join(map(re.escape, acronyms)) + r")\b") if acronyms else None,
        ))
    return ignore, tuple(degrees)


@lru_cache(maxsize=1 << 14)
def _levels_in(line: str) -> tuple[Level, ...]:
    return tuple(_find_levels(line))


def levels_in(line: str) -> list[Level]:
    """Every degree the line names, in reading order (at one place, the most specific: "Master 1", not "Master")."""
    return list(_levels_in(line))


def _find_levels(line: str) -> list[Level]:
    """Every degree the line names, in reading order (at one place, the most specific: "Master 1", not "Master")."""
    ignore, degrees = load_degrees()
    folded = fold(line)
    # Blank what only looks like a degree, keeping positions ("Scrum Master I" is not a Master 1).
    blanked = ignore.sub(lambda m: " " * len(m.group()), folded)
    if len(blanked) == len(line):
        line_for_acronyms = "".join(c if b != " " or f == " " else " " for c, f, b in zip(line, folded, blanked))
    else:
        line_for_acronyms = line
    found: list[tuple[int, int, Level]] = []
    for degree in degrees:
        for pattern, text in ((degree.folded, blanked), (degree.written, line_for_acronyms)):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                # Folding keeps the length of Latin text, so the written words stand at the same place.
                words = (line if len(line) == len(folded) else text)[m.start():m.end()]
                found.append((m.start(), m.start() - m.end(), Level(degree.years, degree.label, words)))
    found.sort(key=lambda item: (item[0], item[1]))
    kept: list[Level] = []
    end = -1
    for start, negative_length, level in found:
        if start >= end:
            kept.append(level)
            end = start - negative_length
    return kept


def names_a_degree(line: str) -> bool:
    return bool(levels_in(line))


def asked_level(lines: Iterable[str]) -> Level | None:
    """The level an offer asks for: on each line, the first level it names; of those, the lowest."""
    asked = [found[0] for found in map(levels_in, lines) if found]
    return min(asked, key=lambda level: level.years) if asked else None


def reached_level(lines: Iterable[str]) -> Level | None:
    """The highest level a candidate's education lines name."""
    reached = [level for line in lines for level in levels_in(line)]
    return max(reached, key=lambda level: level.years) if reached else None

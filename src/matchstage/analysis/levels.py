"""Degree levels: what level an offer asks for, and what level a candidate has reached.

The degrees and their patterns are data: ``models/levels.toml``. A level is counted in years of higher
education after the baccalauréat (Licence 3, Master 1 4, Master 2 5, Doctorat 8).

A level an offer only recommends ("Bac+3 recommandé", "Master souhaité", "profil junior accepté") is *soft*;
a CV's years of work experience count toward a level, as a VAE (validation des acquis de l'expérience) does:
how much, ``[level]`` in ``models/weights.toml`` says.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from matchstage.analysis.lemmas import fold
from matchstage.paths import models_dir


@dataclass(frozen=True)
class Level:
    """A degree level and the words that named it."""

    years: int
    label: str
    words: str
    # An offer's level that it recommends rather than requires ("Bac+3 recommandé, profil junior accepté").
    soft: bool = False


@dataclass(frozen=True)
class _Degree:
    years: int
    label: str
    folded: re.Pattern[str] | None
    written: re.Pattern[str] | None


@cache
def _levels_data(path: Path | None = None) -> dict[str, Any]:
    return tomllib.loads((path or models_dir() / "levels.toml").read_text(encoding="utf-8"))


@cache
def load_degrees(path: Path | None = None) -> tuple[re.Pattern[str], tuple[_Degree, ...]]:
    """The phrases to ignore (one expression) and the degrees, from ``models/levels.toml``."""
    data: dict[str, Any] = _levels_data(path)
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


@cache
def _soft_markers() -> re.Pattern[str]:
    data: dict[str, Any] = _levels_data()
    return re.compile(r"\b(?:" + "|".join(data.get("soft", ["(?!)"])) + r")\b")


def recommends(line: str) -> bool:
    """Whether a line recommends rather than requires what it names ("Bac+3 recommandé", "junior accepté")."""
    return bool(_soft_markers().search(fold(line)))


def softened(level: Level | None) -> Level | None:
    return None if level is None else Level(level.years, level.label, level.words, soft=True)


@cache
def _experience_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data: dict[str, Any] = _levels_data().get("experience", {})
    now = "|".join(data.get("now", ["(?!)"]))
    year = r"((?:19|20)\d{2})"
    between = "|".join(data.get("to", ["-"]))
    # "2019 – 2021", "09/2018 - 06/2020", "sept. 2018 à juin 2020", "2021 - aujourd'hui", "depuis 2015".
    span = re.compile(rf"\b{year}\s*(?:{between})\s*(?:[a-z]+\.?\s*|\d{{1,2}}\s*/\s*)?(?:{year}\b|({now}))")
    since = re.compile(rf"\b(?:{'|'.join(data.get('since', ['(?!)']))})\s*(?:[a-z]+\.?\s*|\d{{1,2}}\s*/\s*)?{year}\b")
    stated = re.compile(r"\b(?:" + "|".join(data.get("stated", ["(?!)"])) + r")")
    return span, since, stated


def _dates_a_degree(after: str) -> bool:
    """Whether the dates a line opens with are those of a degree ("2021 – 2024 Licence de géographie"): years of
    study, not of work, even under a heading that mixes both ("Parcours", or a thesis line read as a heading). A
    degree named further on ("2015 – 2020 Formatrice BPJEPS") does not make the period study."""
    rest = after.lstrip(" ,:;|–-")
    found = levels_in(rest)
    return bool(found) and rest.startswith(fold(found[0].words))


def experience_years(experience_lines: Iterable[str], all_lines: Iterable[str]) -> float:
    """Years of work a CV shows: the union of the periods its experience section dates (up to the latest year the
    CV names, for "aujourd'hui"), or what it states ("15 ans d'expérience"), whichever is more."""
    span, since, stated = _experience_patterns()
    every = [fold(line) for line in all_lines]
    years_named = [int(y) for line in every for y in re.findall(r"\b((?:19|20)\d{2})\b", line)]
    latest = max(years_named, default=0)
    periods: list[tuple[int, int]] = []
    for line in map(fold, experience_lines):
        for m in span.finditer(line):
            start, end = int(m.group(1)), int(m.group(2)) if m.group(2) else max(latest, int(m.group(1)))
            if start <= end and not _dates_a_degree(line[m.end():]):
                periods.append((start, end))
        for m in since.finditer(line):
            if not _dates_a_degree(line[m.end():]):
                periods.append((int(m.group(1)), max(latest, int(m.group(1)))))
    total, reach = 0, 0
    for start, end in sorted(periods):
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    claimed = [int(next(g for g in m.groups() if g)) for line in every for m in stated.finditer(line)]
    return float(max([total, *claimed]))


def reached_level(lines: Iterable[str]) -> Level | None:
    """The highest level a candidate's education lines name."""
    reached = [level for line in lines for level in levels_in(line)]
    return max(reached, key=lambda level: level.years) if reached else None

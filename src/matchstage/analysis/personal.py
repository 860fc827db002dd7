"""Keep personal details out of what is scored.

A candidate's name, gender, age, photo caption, address, nationality and contact details say nothing
about fit and must not move a score. They are removed from the text before analysis; what was removed
is returned so that ``inspect`` can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matchstage.analysis.lemmas import fold

# (kind, pattern): removed where found.
_INLINE = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("url", re.compile(r"(?:https?://|www\.)\S+|\b(?:linkedin|github|gitlab)\.com/\S*", re.IGNORECASE)),
    ("phone", re.compile(r"(?:(?:\+|00)\d{2,3}[\s.-]?(?:\(0\))?\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")),
    ("address", re.compile(
        r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|all[ée]e|impasse|place|quai|"
        r"route|cours|square|r[ée]sidence|lotissement|street|road)\b[^\n,;|]*", re.IGNORECASE)),
    ("address", re.compile(r"\b\d{5}\s+[A-ZÀ-Ý][\w'’-]+(?:[\s-][A-ZÀ-Ý][\w'’-]+)*(?:\s+C[Ee][Dd][Ee][Xx])?")),
    ("birth", re.compile(
        r"\b(?:n[ée]e?|date de naissance|naissance|born|date of birth)\s*(?:le|on)?\s*:?\s*"
        r"\d{1,2}(?:er)?[\s/.-]+(?:\d{1,2}|[a-zéû]+)[\s/.-]+\d{2,4}", re.IGNORECASE)),
    ("nationality", re.compile(r"\b(?:nationalit[ée]|nationality)\s*:?\s*[\w-]+(?:\s+et\s+[\w-]+)?", re.IGNORECASE)),
    ("age", re.compile(r"\b\d{2}\s*ans\b(?!\s+d)|\b\d{2}\s*(?:years old|y\.o\.)", re.IGNORECASE)),
)
# Lines whose first words say they are personal: the whole line goes.
_LINE_STARTS = (
    ("nationality", ("nationalite", "nationality", "citizenship")),
    ("photo", ("photo", "[photo", "(photo", "portrait")),
    ("family", ("situation familiale", "celibataire", "marie", "mariee", "pacse", "pacsee", "divorce",
                "marital status")),
    ("gender", ("sexe", "genre", "gender", "civilite")),
    ("birth", ("date de naissance", "ne le", "nee le", "age", "date of birth")),
)
_NAME_WORD = re.compile(r"^[A-ZÀ-Ý][\w'’-]*$|^[A-ZÀ-Ý]{2,}$")
_FILE_NOISE = {"cv", "lettre", "motivation", "lm", "resume", "curriculum", "vitae", "candidature", "de", "du",
               "la", "le", "m1", "m2", "stage", "final", "version", "copie", "copy", "doc", "pdf", "fr", "en",
               "cover", "letter", "scan"}


@dataclass(frozen=True)
class Removed:
    kind: str
    text: str


def name_words(candidate_id: str, first_lines: list[str]) -> set[str]:
    """Words that are most likely the candidate's name: from the file or folder name, and the CV's top line."""
    stem = re.sub(r"\.[A-Za-z0-9]{2,4}$", "", candidate_id)
    words = {fold(w) for w in re.split(r"[\W_]+", stem) if len(w) > 1 and not w.isdigit()}
    words -= _FILE_NOISE
    for line in first_lines[:2]:
        parts = line.split()
        if 1 < len(parts) <= 4 and all(_NAME_WORD.match(p) for p in parts):
            words |= {fold(p) for p in parts}
    return {w for w in words if len(w) > 1}


def strip_personal(
    text: str, names: set[str] = frozenset(), *, mask: str = " "  # type: ignore[assignment]
) -> tuple[str, list[Removed]]:
    """Return the text without personal details, each replaced by ``mask``, and what was removed.

    A line that says it is personal ("Nationalité : ...", "Photo") goes whole.
    """
    removed: list[Removed] = []
    kept_lines = []
    for line in text.splitlines():
        folded = fold(line).lstrip(" -•*:")
        kind = next((k for k, starts in _LINE_STARTS for s in starts
                     if folded.startswith(s) and (len(folded) == len(s) or not folded[len(s)].isalnum())), None)
        if kind is not None and len(line.split()) <= 12:
            removed.append(Removed(kind, line.strip()))
            continue
        for kind, pattern in _INLINE:
            for match in pattern.finditer(line):
                removed.append(Removed(kind, match.group(0).strip()))
            line = pattern.sub(mask, line)
        kept_lines.append(line)
    text = "\n".join(kept_lines)
    if names:
        pattern = re.compile(r"\b[\w'’-]+\b")

        def drop_name(match: re.Match[str]) -> str:
            if fold(match.group(0)) in names:
                removed.append(Removed("name", match.group(0)))
                return mask
            return match.group(0)

        text = pattern.sub(drop_name, text)
    return text, removed

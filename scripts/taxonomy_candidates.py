"""Curation aid: ESCO and ROME labels that could serve as terms of a taxonomy concept.

    .venv/bin/python scripts/taxonomy_candidates.py KEYWORD_OR_CONCEPT_ID [...] [--limit 25] [--sources DIR]

A concept id (``sociologie``, ``gestion-projet``) searches with the concept's label and terms; anything else
is searched as written. A label matches when every word of the query starts a word of the label (accents
and case ignored), so ``entretien semi`` finds "mener des entretiens semi-directifs". Each hit shows where
it comes from (ESCO skill / knowledge / occupation, ROME savoir-faire / savoir / appellation), its alt-labels
that match too, and ``[taken: id]`` when the taxonomy already holds it as a term. Nothing is written: you
choose what to copy into ``models/taxonomy/*.toml`` (mark it ``source = "ESCO"`` or ``"ROME"``).

DIR defaults to ``../shared/taxonomies`` next to the repository (see its README for licences).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from matchstage.analysis.lemmas import fold
from matchstage.analysis.taxonomy import Taxonomy, load_taxonomy

DEFAULT_SOURCES = Path(__file__).resolve().parents[1].parent / "shared" / "taxonomies"
# Words a query can leave out of its match ("gestion de projet" finds "gestion des projets").
_LINK_WORDS = frozenset({"de", "des", "du", "d", "la", "le", "les", "l", "et", "en", "a", "au", "aux", "un", "une"})
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Entry:
    source: str  # "ESCO" or "ROME"
    kind: str  # skill, knowledge, occupation, savoir-faire, savoir, appellation
    label: str
    alt_labels: tuple[str, ...] = ()


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def read_entries(sources: Path) -> list[Entry]:
    """Every label of the ESCO and ROME files that a concept could borrow."""
    entries: list[Entry] = []
    esco, rome = sources / "esco", sources / "rome"
    for row in _rows(esco / "skills_fr.csv"):
        kind = "knowledge" if row["skillType"] == "knowledge" else "skill"
        alts = tuple(a.strip() for a in row["altLabels"].splitlines() if a.strip())
        entries.append(Entry("ESCO", kind, row["preferredLabel"], alts))
    for row in _rows(esco / "occupations_fr.csv"):
        alts = tuple(a.strip() for a in row["altLabels"].splitlines() if a.strip())
        entries.append(Entry("ESCO", "occupation", row["preferredLabel"], alts))
    for row in _rows(rome / "unix_referentiel_competence_v460_utf8.csv"):
        entries.append(Entry("ROME", row["cat_comp"].lower() or "compétence", row["libelle_competence"]))
    for row in _rows(rome / "unix_referentiel_savoir_v460_utf8.csv"):
        entries.append(Entry("ROME", "savoir", row["libelle_savoir"]))
    for row in _rows(rome / "unix_referentiel_appellation_v460_utf8.csv"):
        entries.append(Entry("ROME", "appellation", row["libelle_appellation_long"]))
    return entries


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def matches(query: str, label: str) -> bool:
    """Every content word of ``query`` starts some word of ``label``."""
    wanted = [w for w in _words(query) if w not in _LINK_WORDS] or _words(query)
    have = _words(label)
    return bool(wanted) and all(any(h.startswith(w) for h in have) for w in wanted)


def queries_for(arg: str, taxonomy: Taxonomy) -> list[str]:
    concept = taxonomy.concepts.get(arg)
    if concept is None:
        return [arg]
    return list(dict.fromkeys([concept.label, *concept.terms]))


def term_owners(taxonomy: Taxonomy) -> dict[str, str]:
    owners = {}
    for concept in taxonomy.concepts.values():
        for term in (*concept.terms, *concept.en):
            owners[" ".join(_words(term))] = concept.id
    return owners


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("query", nargs="+", help="a keyword, a phrase or a concept id")
    parser.add_argument("--limit", type=int, default=25, help="hits shown per query and source (default 25)")
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--taxonomy", type=Path, default=None)
    args = parser.parse_args()
    if not (args.sources / "esco").is_dir() or not (args.sources / "rome").is_dir():
        sys.exit(f"{args.sources}: no esco/ and rome/ folders here (pass --sources)")

    taxonomy = load_taxonomy(args.taxonomy)
    owners = term_owners(taxonomy)
    entries = read_entries(args.sources)
    for arg in args.query:
        for query in queries_for(arg, taxonomy):
            hits = [e for e in entries if matches(query, e.label) or any(matches(query, a) for a in e.alt_labels)]
            print(f"== {query}  ({len(hits)} hits)")
            for source in ("ESCO", "ROME"):
                for entry in [h for h in hits if h.source == source][: args.limit]:
                    taken = owners.get(" ".join(_words(entry.label)))
                    mark = f"  [taken: {taken}]" if taken else ""
                    print(f"  {entry.source:<4} {entry.kind:<12} {entry.label}{mark}")
                    for alt in entry.alt_labels:
                        if matches(query, alt) and fold(alt) != fold(entry.label):
                            alt_taken = owners.get(" ".join(_words(alt)))
                            print(f"  {'':<17}  alt: {alt}" + (f"  [taken: {alt_taken}]" if alt_taken else ""))
            print()


if __name__ == "__main__":
    main()

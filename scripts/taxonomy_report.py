"""Review the taxonomy on real texts: which concepts each document triggers, and with which words.

    .venv/bin/python scripts/taxonomy_report.py [PATH ...] [--concept ID ...] [--summary] [--check-terms]

PATH (files or folders) defaults to ``samples/offres``, ``samples/sources`` (the candidates' CVs and letters
as data) and ``../shared/seeds``. Offers and seeds are read with matchstage's readers; a ``.toml`` source is
read as the text of every string it holds, minus the layout, contact and grading fields. Per document the
report prints each concept found with the words that triggered it; then how many documents each concept
was found in, the words that most often triggered it, and the concepts found nowhere. ``--concept`` prints
the lines a concept was found on, to judge whether those are true hits. ``--check-terms`` skips the
documents and checks every term of the taxonomy against its own variants (capitalised, plural, inside a
sentence) and against the other concepts' terms. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from matchstage.analysis.concepts import ConceptMatcher, Hit
from matchstage.analysis.lemmas import Analyzer, prepare
from matchstage.analysis.taxonomy import Facet, Taxonomy, load_taxonomy
from matchstage.match import read_offers
from matchstage.reading.documents import ReadLimits

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = [ROOT / "samples" / "offres", ROOT / "samples" / "sources", ROOT.parent / "shared" / "seeds"]
# Fields of a sample source that are not the candidate's words.
_NOT_TEXT = {"file", "layout", "font", "accent", "relevance", "contact", "details", "name", "typographic_apostrophe",
             "side", "dates"}
_READABLE = {".txt", ".md", ".html", ".pdf", ".docx", ".odt"}


@dataclass(frozen=True)
class Text:
    name: str
    text: str


def _strings(value: object, key: str = "") -> Iterator[str]:
    if key in _NOT_TEXT:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _strings(item, k)


def source_text(path: Path) -> str:
    """The words of a sample source (``samples/sources/**/*.toml``), one line per string."""
    return "\n".join(_strings(tomllib.loads(path.read_text(encoding="utf-8"))))


def collect(paths: list[Path]) -> list[Text]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
    texts = [Text(str(p.relative_to(ROOT.parent) if p.is_relative_to(ROOT.parent) else p), source_text(p))
             for p in files if p.suffix == ".toml"]
    readable = [p for p in files if p.suffix.lower() in _READABLE]
    if readable:
        texts.extend(Text(str(o.path.relative_to(ROOT.parent) if o.path.is_relative_to(ROOT.parent) else o.path),
                          o.text) for o in read_offers(readable, ReadLimits()))
    return texts


def print_document(doc: Text, hits: list[Hit], taxonomy: Taxonomy) -> None:
    print(f"== {doc.name}")
    by_concept: dict[str, list[str]] = defaultdict(list)
    for hit in hits:
        by_concept[hit.concept].append(hit.words)
    for facet in Facet:
        found = [c for c in by_concept if taxonomy[c].facet is facet]
        if not found:
            continue
        print(f"  {facet.value}:")
        for cid in sorted(found):
            words = Counter(w.lower() for w in by_concept[cid])
            shown = ", ".join(f"{w!r}" + (f"×{n}" if n > 1 else "") for w, n in words.most_common(6))
            print(f"    {cid:<32} {shown}")


def report(texts: list[Text], taxonomy: Taxonomy, matcher: ConceptMatcher, analyzer: Analyzer,
           concepts: list[str], summary: bool) -> None:
    documents_per_concept: Counter[str] = Counter()
    words_per_concept: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, analysed in zip(texts, analyzer.iter_analyse([t.text for t in texts])):
        hits = matcher.find(analysed)
        for cid in {h.concept for h in hits}:
            documents_per_concept[cid] += 1
        for hit in hits:
            words_per_concept[hit.concept][hit.words.lower()] += 1
        if concepts:
            lines = prepare(doc.text).splitlines()
            for hit in hits:
                if hit.concept in concepts:
                    line = lines[hit.line].strip()[:150]
                    print(f"{hit.concept:<28} {doc.name}:{hit.line + 1}  [{hit.words}]  {line}")
        elif not summary:
            print_document(doc, hits, taxonomy)
    if concepts:
        return
    print(f"\n== concepts by number of documents ({len(texts)} documents)")
    for cid, n in documents_per_concept.most_common():
        common = ", ".join(f"{w!r}×{k}" for w, k in words_per_concept[cid].most_common(4))
        print(f"  {n:4d}  {cid:<32} {common}")
    for facet in Facet:
        ids = [c.id for c in taxonomy.concepts.values() if c.facet is facet]
        never = sorted(cid for cid in ids if cid not in documents_per_concept)
        total = len(ids)
        print(f"\n== {facet.value}: {len(never)} of {total} concepts found in no document")
        print("  " + " ".join(never))


def check_terms(taxonomy: Taxonomy, matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    """Terms that miss their own variants, and terms that also find another, unrelated concept."""
    probes: list[tuple[str, str, str]] = []  # concept, term, probe text
    for concept in taxonomy.concepts.values():
        for term in concept.terms:
            probes.extend((concept.id, term, v) for v in _variants(term, plural=True))
        for term in concept.en:
            probes.extend((concept.id, term, v) for v in _variants(term, plural=False))
    analysed = analyzer.analyse_many([p[2] for p in probes])
    misses: dict[tuple[str, str], list[str]] = defaultdict(list)
    others: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (cid, term, probe), text in zip(probes, analysed):
        found = {h.concept for h in matcher.find(text)}
        if cid not in found:
            misses[(cid, term)].append(probe)
        if probe == term:
            unrelated = {c for c in found if not taxonomy.is_under(cid, c) and not taxonomy.is_under(c, cid)}
            if unrelated:
                others[(cid, term)] |= unrelated
    print(f"== terms missing one of their own variants ({len(misses)})")
    for (cid, term), probes_missed in sorted(misses.items()):
        print(f"  {cid:<28} {term!r}: " + " | ".join(repr(p) for p in probes_missed))
    print(f"\n== terms that also find an unrelated concept ({len(others)})")
    for (cid, term), found in sorted(others.items()):
        print(f"  {cid:<28} {term!r} -> {', '.join(sorted(found))}")


# Plural of a French word the way candidates write it; words the rule gets wrong are left alone.
_NOT_AUX = {"festival", "carnaval", "bal", "récital", "chacal", "régal", "cal"}


def _plural(word: str) -> str:
    if word[-1:] in "sxz" or len(word) < 3 or not word.isalpha():
        return word
    if word.endswith("al") and word not in _NOT_AUX:
        return word[:-2] + "aux"
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    return word + "s"


def _variants(term: str, plural: bool) -> list[str]:
    """The term as written, capitalised, inside a sentence and (French) in the plural, up to the first "de"."""
    variants = [term, term[:1].upper() + term[1:], f"Expérience : {term} et autres."]
    if plural:
        words = term.split()
        head = next((i for i, w in enumerate(words) if w in {"de", "du", "des", "d'", "à", "au", "aux", "en", "pour"}
                     or w.startswith(("d'", "l'"))), len(words))
        variants.append(" ".join([_plural(w) for w in words[:head]] + words[head:]))
    return list(dict.fromkeys(variants))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT_PATHS)
    parser.add_argument("--concept", action="append", default=[], help="print the lines this concept is found on")
    parser.add_argument("--summary", action="store_true", help="only the counts, not each document")
    parser.add_argument("--check-terms", action="store_true", help="check terms against their variants instead")
    parser.add_argument("--taxonomy", type=Path, default=None)
    args = parser.parse_args()

    taxonomy = load_taxonomy(args.taxonomy)
    analyzer = Analyzer()
    matcher = ConceptMatcher.compile(taxonomy, analyzer)
    unknown = [c for c in args.concept if c not in taxonomy.concepts]
    if unknown:
        parser.error(f"no concept {unknown[0]!r} in the taxonomy")
    if args.check_terms:
        check_terms(taxonomy, matcher, analyzer)
        return
    report(collect(args.paths), taxonomy, matcher, analyzer, args.concept, args.summary)


if __name__ == "__main__":
    main()

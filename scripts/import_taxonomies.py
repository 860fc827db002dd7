"""Generate the taxonomy's imported concepts from ESCO and ROME 4.0 (``make taxonomy-import``).

    .venv/bin/python scripts/import_taxonomies.py [--sources DIR]

Reads ``../shared/taxonomies/`` (ESCO French CSVs, ROME 4.0 v460 CSVs; see its README for the licences) and
``models/taxonomy/imported/import.toml`` (what to take and where to hang it), and writes
``models/taxonomy/imported/{disciplines,methods,skills}.json``. The curated files are never touched and always
win: an imported term that a curated concept holds, or that the matcher would read as a curated concept, is
left out. Every term kept is checked with the real matcher (it finds its concept in a sentence, loses no word
to the analyser, shares its lemmas with no other concept), and so are the curated terms and the paraphrases of
``tests/data/paraphrases.tsv``: an imported concept that would change what they find is left out. Run
``make patterns`` afterwards (the make target does). Needs the ``wordfreq`` package (the target installs it).
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import re
import shutil
import sys
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matchstage.analysis.concepts import FUNCTION_WORDS, ConceptMatcher, Pattern, pattern_version
from matchstage.analysis.lemmas import AnalysedText, Analyzer, fold, prepare
from matchstage.analysis.taxonomy import (
    IMPORTED_DIR,
    Concept,
    Facet,
    Taxonomy,
    _term_key,
    default_taxonomy_dir,
    load_taxonomy,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = ROOT.parent / "shared" / "taxonomies"
PARAPHRASES = ROOT / "tests" / "data" / "paraphrases.tsv"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PARENS = re.compile(r"\s*\(([^()]*)\)")
_DASHED_ACRONYM = re.compile(r"\s+-\s*([A-Z][A-Z0-9]+)\s*-\s*")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$")
_LOWER_LETTER = re.compile(r"(?:^|[\s\-/])[a-zà-ÿ](?:$|[\s\-/.,])")
_KNOWLEDGE_PREFIX = re.compile(
    r"^(?:connaissances?|notions?|maîtrise|pratique)\s+(?:d['’]|de la |de l['’]|des |du |de )", re.IGNORECASE)


@dataclass
class Draft:
    """An imported concept being built: terms in order of preference, the first one gives the label."""

    id: str
    facet: Facet
    source: str
    label: str = ""  # the source's preferred label, cleaned (whether or not it is kept as a term)
    terms: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    # Where its broader concepts come from before they are resolved: other drafts' source keys.
    parents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    max_content_words: int
    max_skill_words: int
    common_word_zipf: float
    stop_terms: frozenset[str]
    min_acronym_capitals: int
    rome_domains: dict[str, str]
    isco: dict[str, str]
    rome_savoirs: dict[str, dict[str, str]]
    esco_skills: bool
    links: dict[str, str]
    acronyms: dict[str, list[str]]

    @classmethod
    def read(cls, path: Path) -> Settings:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(int(data["max_content_words"]), int(data["max_skill_words"]), float(data["common_word_zipf"]),
                   frozenset(_term_key(t) for t in data["stop_terms"]), int(data["min_acronym_capitals"]),
                   dict(data["rome_domains"]), dict(data["isco"]), dict(data["rome_savoirs"]),
                   bool(data["esco_skills"]), dict(data.get("links", {})), dict(data.get("acronyms", {})))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def content_words(term: str) -> list[str]:
    return [w for w in _WORD.findall(fold(term)) if re.sub(r"^(?:qu|[dljnsctm])'", "", w) not in FUNCTION_WORDS]


def masculine(label: str) -> list[str]:
    """ROME's "Conducteur / Conductrice de travaux": the masculine and the feminine title, whole."""
    if " / " not in label:
        return [label]
    left, right = label.split(" / ", 1)
    n = len(left.split())
    rest = right.split()[n:]
    return [" ".join([left, *rest]), right]


def clean(label: str) -> tuple[list[str], list[str]]:
    """Terms and acronyms from a source label: parentheses and "-PME-" become acronyms or go."""
    acronyms: list[str] = []
    for match in [*_PARENS.finditer(label), *_DASHED_ACRONYM.finditer(label)]:
        inner = match.group(1).strip()
        if _ACRONYM.match(inner):
            acronyms.append(inner)
    text = _DASHED_ACRONYM.sub(" ", _PARENS.sub("", label))
    text = text.replace("’", "'").replace("«", "").replace("»", "").replace('"', "")
    text = _KNOWLEDGE_PREFIX.sub("", text.strip())
    terms = []
    for part in masculine(" ".join(text.split())):
        part = part.strip(" .,;:-")
        if part and not (len(part) > 1 and part[1].isupper()):
            part = part[0].lower() + part[1:]
        if part:
            terms.append(part)
    return terms, acronyms


class MemoAnalyzer(Analyzer):
    """The analyser, with the texts it analysed kept in a file between runs (``--memo``): curating the import
    means running it again and again on mostly the same tens of thousands of terms."""

    def __init__(self, memo: Path | None) -> None:
        super().__init__()
        self.memo = memo
        self.version = pattern_version("import")
        self.done: dict[str, AnalysedText] = {}
        if memo is not None and memo.is_file():
            try:
                stored = pickle.loads(memo.read_bytes())
            except (pickle.UnpicklingError, AttributeError, ImportError, EOFError):
                stored = {}  # written by another version of matchstage: analyse again
            if stored.get("version") == self.version:
                self.done = stored["texts"]

    def analyse_many(self, texts: Sequence[str]) -> list[AnalysedText]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.done]
        if missing:
            print(f"analysing {len(missing)} texts", file=sys.stderr)
            self.done.update(zip(missing, self.iter_analyse(missing, n_process=2 if len(missing) > 2000 else 1)))
        return [self.done[t] for t in texts]

    def save(self) -> None:
        if self.memo is not None:
            self.memo.parent.mkdir(parents=True, exist_ok=True)
            self.memo.write_bytes(pickle.dumps({"version": self.version, "texts": self.done}))


class Importer:
    def __init__(self, sources: Path, settings: Settings, curated: Taxonomy) -> None:
        self.sources = sources
        self.settings = settings
        self.curated = curated
        self.drafts: dict[str, Draft] = {}
        self.by_source_key: dict[str, str] = {}  # ESCO uri / ROME code -> draft id
        self.jobs: set[str] = set()  # the ROME métiers' ids
        self.owner: dict[str, str] = {}  # term key -> concept id (curated first)
        for concept in curated.concepts.values():
            for term in (*concept.terms, *concept.en):
                self.owner[_term_key(term)] = concept.id
            for acronym in concept.acronyms:
                self.owner[f"acronym:{acronym}"] = concept.id
        from wordfreq import zipf_frequency

        self.zipf = zipf_frequency

    def acceptable(self, term: str, max_words: int) -> bool:
        words = content_words(term)
        if not words or len(words) > max_words or _term_key(term) in self.settings.stop_terms:
            return False
        if _LOWER_LETTER.search(term) or re.search(r"[;:=+&#@<>|\\{}\[\]]", term) or len(term) > 90:
            return False
        # Frequency of the written word, accents kept, and of its singular ("méthodologies").
        written = [w for w in _WORD.findall(term.lower().replace("’", "'")) if not w.isdigit()
                   and re.sub(r"^(?:qu|[dljnsctm])'", "", fold(w)) not in FUNCTION_WORDS]
        if len(written) == 1:
            word = written[0]
            frequency = max(self.zipf(word, "fr"), self.zipf(word[:-1], "fr") if word[-1:] in "sx" else 0.0)
            return frequency < self.settings.common_word_zipf
        return True

    def add(self, draft: Draft, labels: Iterable[str], max_words: int) -> None:
        draft.broader.extend(b for b in [self.settings.links.get(draft.id)] if b and b not in draft.broader)
        extra = [f"({a})" for a in self.settings.acronyms.get(draft.id, ())]
        for label in [*labels, *extra]:
            terms, acronyms = clean(label)
            if terms and not draft.label:
                draft.label = terms[0][0].upper() + terms[0][1:]
            for term in terms:
                key = _term_key(term)
                if self.acceptable(term, max_words) and key not in self.owner:
                    self.owner[key] = draft.id
                    draft.terms.append(term)
            for acronym in acronyms:
                caps = sum(c.isupper() for c in acronym)
                key = f"acronym:{acronym}"
                if (caps >= self.settings.min_acronym_capitals and len(acronym) <= 5 and key not in self.owner
                        and _term_key(acronym) not in self.settings.stop_terms):
                    self.owner[key] = draft.id
                    draft.acronyms.append(acronym)
        self.drafts.setdefault(draft.id, draft)

    def rome(self) -> None:
        rome = self.sources / "rome"
        titles: dict[str, list[str]] = defaultdict(list)
        for row in read_csv(rome / "unix_referentiel_appellation_v460_utf8.csv"):
            titles[row["code_rome"]].append(row["libelle_appellation_long"])
        for row in read_csv(rome / "unix_referentiel_code_rome_v460_utf8.csv"):
            code = row["code_rome"]
            draft = Draft(f"rome-{code.lower()}", Facet.DISCIPLINES, "ROME")
            parent = row["code_rome_parent"]
            if parent and parent != code:
                draft.parents.append(f"rome:{parent}")
            elif code[:3] in self.settings.rome_domains:
                draft.broader.append(self.settings.rome_domains[code[:3]])
            self.add(draft, [row["libelle_rome"], *titles[code]], self.settings.max_content_words)
            self.by_source_key[f"rome:{code}"] = draft.id
            self.jobs.add(draft.id)
        for row in read_csv(rome / "unix_referentiel_savoir_v460_utf8.csv"):
            category = f"{row['categorie_savoir']} / {row['sous_categorie_savoir']}"
            rule = self.settings.rome_savoirs.get(category) or self.settings.rome_savoirs.get(row["categorie_savoir"])
            if rule is None:
                continue
            draft = Draft(f"rome-s{row['code_ogr_savoir']}", Facet(rule["facet"]), "ROME")
            if "broader" in rule:
                draft.broader.append(rule["broader"])
            self.add(draft, [row["libelle_savoir"]], self.settings.max_content_words)

    def esco(self) -> None:
        esco = self.sources / "esco"
        for row in read_csv(esco / "occupations_fr.csv"):
            # "directeur technique/directrice technique": each gender is a label.
            labels = [part.strip() for label in [row["preferredLabel"], *row["altLabels"].split("\n")]
                      for part in label.split("/") if part.strip()]
            rome_owner = next((self.owner[k] for k in map(_term_key, labels) if self.owner.get(k) in self.jobs), None)
            uid = row["conceptUri"].rsplit("/", 1)[-1].replace("-", "")[:10]
            if rome_owner is not None:
                draft = self.drafts[rome_owner]
                if "ESCO" not in draft.source:
                    draft.source = "ROME ESCO"
            else:
                draft = Draft(f"esco-o{uid}", Facet.DISCIPLINES, "ESCO")
                group = row["iscoGroup"]
                broader = next((self.settings.isco[group[:n]] for n in range(len(group), 0, -1)
                                if group[:n] in self.settings.isco), None)
                if broader:
                    draft.broader.append(broader)
            self.add(draft, labels, self.settings.max_content_words)
        skills = read_csv(esco / "skills_fr.csv")
        for row in skills:
            knowledge = row["skillType"].startswith("knowledge")
            if not knowledge and not self.settings.esco_skills:
                continue
            uid = row["conceptUri"].rsplit("/", 1)[-1].replace("-", "")[:10]
            draft = Draft(f"esco-{'k' if knowledge else 's'}{uid}", Facet.DISCIPLINES if knowledge else Facet.SKILLS,
                          "ESCO")
            labels = [row["preferredLabel"], *row["altLabels"].split("\n")]
            self.add(draft, [label for label in labels if label.strip()],
                     self.settings.max_content_words if knowledge else self.settings.max_skill_words)
            self.by_source_key[row["conceptUri"]] = draft.id
        for row in read_csv(esco / "broaderRelationsSkillPillar.csv"):
            child = self.by_source_key.get(row["conceptUri"])
            if child is not None:
                self.drafts[child].parents.append(row["broaderUri"])

    def resolve(self, kept: set[str]) -> dict[str, list[str]]:
        """Each kept draft's broader concepts: curated ones, and the nearest kept drafts of the same facet above it
        (walking up through drafts left out)."""
        broader: dict[str, list[str]] = {}
        for did in kept:
            draft = self.drafts[did]
            found = [b for b in draft.broader if b in self.curated.concepts
                     and self.curated[b].facet is draft.facet]
            queue, seen = list(draft.parents), set()
            while queue:
                key = queue.pop(0)
                if key in seen:
                    continue
                seen.add(key)
                pid = self.by_source_key.get(key)
                if pid is None or pid == did:
                    continue
                parent = self.drafts[pid]
                if pid in kept and parent.facet is draft.facet:
                    found.append(pid)
                elif pid not in kept:
                    queue.extend(parent.parents)
                    found.extend(b for b in parent.broader if b in self.curated.concepts
                                 and self.curated[b].facet is draft.facet)
            broader[did] = list(dict.fromkeys(found))[:3]
        return broader


def concepts_of(importer: Importer, terms: dict[str, list[str]], acronyms: dict[str, list[str]]) -> list[Concept]:
    kept = {did for did in importer.drafts if terms.get(did) or acronyms.get(did)}
    broader = importer.resolve(kept)
    out = []
    for did, draft in importer.drafts.items():
        if did not in kept:
            continue
        label = draft.label or (terms.get(did) or acronyms[did])[0]
        out.append(Concept(did, draft.facet, label, tuple(terms.get(did, ())), tuple(acronyms.get(did, ())), (),
                           tuple(broader[did]), tuple(draft.source.split())))
    return _without_cycles(out)


def _without_cycles(concepts: list[Concept]) -> list[Concept]:
    by_id = {c.id: c for c in concepts}
    result = {}
    for concept in concepts:
        # Keep a broader link only if it does not lead back to the concept (depth-first over kept links).
        links = []
        for parent in concept.broader:
            stack, seen, loops = [parent], set(), False
            while stack:
                cid = stack.pop()
                if cid == concept.id:
                    loops = True
                    break
                if cid in seen or cid not in by_id:
                    continue
                seen.add(cid)
                stack.extend(by_id[cid].broader)
            if not loops:
                links.append(parent)
        result[concept.id] = Concept(concept.id, concept.facet, concept.label, concept.terms, concept.acronyms,
                                     (), tuple(links), concept.source)
        by_id[concept.id] = result[concept.id]
    return list(result.values())


def lost_a_word(term: str, analysed_tokens: list) -> bool:  # type: ignore[type-arg]
    written = [w for w in re.split(r"[\s\-‐‑/]+", prepare(term)) if w]
    written = [fold(re.sub(r"^(?:qu|[dljnsctm])['’]", "", w, flags=re.IGNORECASE)).strip(".,;:()") for w in written]
    content = [w for w in written if w and not w.isdigit() and w not in FUNCTION_WORDS]
    return len([t for t in analysed_tokens if t.lemma not in FUNCTION_WORDS]) < len(content)


def overlaps(a: Pattern, b: Pattern) -> bool:
    return len(a.keys) == len(b.keys) and all(x & y for x, y in zip(a.keys, b.keys))


Terms = dict[str, list[str]]


def select_terms(importer: Importer, analyzer: Analyzer) -> tuple[Terms, Terms, dict[tuple[str, str], Pattern]]:
    """The terms that survive the analyser: no word lost, no lemmatised overlap with an earlier concept."""
    pairs = [(d.id, t) for d in importer.drafts.values() for t in d.terms]
    print(f"lemmatising {len(pairs)} candidate terms", file=sys.stderr)
    curated_patterns = ConceptMatcher.shipped(importer.curated) or ConceptMatcher.compile(importer.curated, analyzer)
    taken: dict[tuple[int, str, str], list[Pattern]] = defaultdict(list)  # (length, first keys) -> patterns held

    def index(pattern: Pattern) -> Iterator[tuple[int, str, str]]:
        seconds = pattern.keys[1] if len(pattern.keys) > 1 else frozenset({""})
        return ((len(pattern.keys), a, b) for a in pattern.keys[0] for b in seconds)

    for pattern in curated_patterns.patterns:
        if not pattern.acronym:
            for slot in index(pattern):
                taken[slot].append(pattern)
    terms: Terms = defaultdict(list)
    made: dict[tuple[str, str], Pattern] = {}
    own: dict[str, set[tuple[frozenset[str], ...]]] = defaultdict(set)
    for (did, term), analysed in zip(pairs, analyzer.analyse_many([t for _, t in pairs])):
        if lost_a_word(term, list(analysed.tokens)):
            continue
        words = [t for t in analysed.tokens if t.lemma not in FUNCTION_WORDS] or list(analysed.tokens)
        if not words:
            continue
        pattern = Pattern(did, tuple(frozenset(t.keys) for t in words))
        if pattern.keys in own[did]:
            continue  # another inflection of a term it has
        if any(other.concept != did and overlaps(pattern, other) for slot in index(pattern)
               for other in taken.get(slot, ())):
            continue
        own[did].add(pattern.keys)
        terms[did].append(term)
        made[did, term] = pattern
        for slot in index(pattern):
            taken[slot].append(pattern)
    acronyms = {d.id: list(d.acronyms) for d in importer.drafts.values() if d.acronyms}
    return terms, acronyms, made


def check_with_matcher(importer: Importer, analyzer: Analyzer, terms: Terms, acronyms: Terms,
                       made: dict[tuple[str, str], Pattern]) -> tuple[Terms, Terms]:
    """Drop imported terms the matcher does not read as their concept, and imported concepts that change what
    the curated terms, labels and paraphrases find."""
    curated_patterns = ConceptMatcher.shipped(importer.curated) or ConceptMatcher.compile(importer.curated, analyzer)
    for round_ in range(2):
        imported = concepts_of(importer, terms, acronyms)
        taxonomy = Taxonomy({**importer.curated.concepts, **{c.id: c for c in imported}}, "import")
        patterns = [*curated_patterns.patterns]
        for concept in imported:
            patterns.extend(made[concept.id, t] for t in concept.terms)
            patterns.extend(Pattern(concept.id, (), a) for a in concept.acronyms)
        matcher = ConceptMatcher(taxonomy, patterns)
        checks: list[tuple[str, str, bool]] = []  # (concept, text, is an imported term)
        for concept in imported:
            checks.extend((concept.id, t, True) for t in (*concept.terms, *concept.acronyms))
        for concept in importer.curated.concepts.values():
            checks.extend((concept.id, t, False) for t in (*concept.terms, *concept.en, *concept.acronyms))
            if concept.terms or concept.en or concept.acronyms:
                checks.append((concept.id, concept.label, False))
        texts = [f"Compétences : {t} et autres." for _, t, _ in checks]
        bad_terms: set[tuple[str, str]] = set()
        bad_concepts: set[str] = set()
        for (cid, text, is_imported), analysed in zip(checks, analyzer.analyse_many(texts)):
            hits = matcher.find(analysed)
            if cid in {h.concept for h in hits}:
                continue
            if is_imported:
                bad_terms.add((cid, text))
            else:
                bad_concepts.update(h.concept for h in hits if h.concept not in importer.curated.concepts
                                    and taxonomy[h.concept].facet is taxonomy[cid].facet)
        bad_concepts |= paraphrase_offenders(importer.curated, taxonomy, matcher, analyzer)
        print(f"round {round_ + 1}: {len(imported)} concepts, {len(bad_terms)} terms not found, "
              f"{len(bad_concepts)} concepts in the way of curated ones", file=sys.stderr)
        if not bad_terms and not bad_concepts:
            return terms, acronyms
        for cid, text in bad_terms:
            if text in terms.get(cid, ()):
                terms[cid].remove(text)
            elif text in acronyms.get(cid, ()):
                acronyms[cid].remove(text)
        for cid in bad_concepts:
            terms.pop(cid, None)
            acronyms.pop(cid, None)
    return terms, acronyms


def paraphrase_offenders(curated: Taxonomy, taxonomy: Taxonomy, matcher: ConceptMatcher,
                         analyzer: Analyzer) -> set[str]:
    with PARAPHRASES.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    offenders: set[str] = set()
    curated_only = ConceptMatcher(curated, [p for p in matcher.patterns if p.concept in curated.concepts])
    for (_phrase, expected, facet, *_), analysed in zip(rows, analyzer.analyse_many([r[0] for r in rows])):
        hits = {h.concept for h in matcher.find(analysed)}
        new = {c for c in hits if c not in curated.concepts}
        if expected.startswith("-"):
            banned = expected[1:]
            offenders.update(c for c in new if (taxonomy.is_under(c, banned) if banned
                                                else taxonomy[c].facet.value == facet))
        elif not any(taxonomy.is_under(c, expected) for c in hits):
            before = {h.concept for h in curated_only.find(analysed)}
            if any(curated.is_under(c, expected) for c in before):
                offenders.update(c for c in new if taxonomy[c].facet.value == facet)
    return offenders


def write(concepts: list[Concept], folder: Path) -> dict[Facet, int]:
    """One JSON file per facet, one concept per line (the loader reads JSON much faster than TOML)."""
    counts = {}
    for facet in Facet:
        chosen = sorted((c for c in concepts if c.facet is facet), key=lambda c: c.id)
        lines = []
        for c in chosen:
            table: dict[str, object] = {"label": c.label}
            for name, values in (("terms", c.terms), ("acronyms", c.acronyms), ("broader", c.broader)):
                if values:
                    table[name] = list(values)
            table["source"] = list(c.source)
            lines.append(f"{json.dumps(c.id)}: {json.dumps(table, ensure_ascii=False)}")
        (folder / f"{facet.value}.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        counts[facet] = len(chosen)
    return counts


def curated_only(directory: Path) -> Iterator[Taxonomy]:
    with tempfile.TemporaryDirectory() as tmp:
        for facet in Facet:
            shutil.copy(directory / f"{facet.value}.toml", Path(tmp) / f"{facet.value}.toml")
        yield load_taxonomy(Path(tmp))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES,
                        help="ESCO and ROME CSVs (default: %(default)s)")
    parser.add_argument("--memo", type=Path, help="keep the analysed terms in this file for the next run")
    args = parser.parse_args()
    directory = default_taxonomy_dir()
    folder = directory / IMPORTED_DIR
    settings = Settings.read(folder / "import.toml")
    curated = next(curated_only(directory))
    importer = Importer(args.sources, settings, curated)
    importer.rome()
    importer.esco()
    analyzer = MemoAnalyzer(args.memo)
    terms, acronyms, made = select_terms(importer, analyzer)
    terms, acronyms = check_with_matcher(importer, analyzer, terms, acronyms, made)
    analyzer.save()
    counts = write(concepts_of(importer, terms, acronyms), folder)
    load_taxonomy()  # the loader's own checks, on the curated and imported files together
    print("wrote " + ", ".join(f"{n} {facet.value}" for facet, n in counts.items()) + f" to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Rank the candidates of a folder against one or more offers: the library behind ``matchstage match``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matchstage import __version__
from matchstage.analysis import Analyzer
from matchstage.candidates import Candidate, CandidateFolder, scan_candidates
from matchstage.documents import Document, ReadLimits, SkipReason, Unreadable
from matchstage.extraction import read_many
from matchstage.facets import ConceptMatcher
from matchstage.language import ANALYSED
from matchstage.profiles import Profile, Profiler
from matchstage.readers import OFFER_SUFFIXES, read_document
from matchstage.scoring import Score, Scorer, ScoringRules, TextSimilarity, Weights
from matchstage.sections import load_section_rules, split_sections
from matchstage.taxonomy import Taxonomy, load_taxonomy

# A document with no CV heading, no letter opening, and this long is not a CV (a thesis, a report...).
NOT_A_CV_PAGES = 6
NOT_A_CV_WORDS = 4000

Progress = Callable[[str], None]


class MatchError(Exception):
    """A run that cannot go on (an offer that cannot be read, a missing folder)."""


@dataclass(frozen=True)
class Offer:
    id: str
    path: Path
    text: str


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: SkipReason
    message: str


@dataclass(frozen=True)
class Duplicate:
    path: str
    same_as: str


@dataclass(frozen=True)
class Flag:
    path: str
    code: str
    message: str


@dataclass(frozen=True)
class Ranked:
    rank: int
    candidate: str
    files: tuple[str, ...]
    score: Score


@dataclass(frozen=True)
class OfferResult:
    offer: Offer
    ranking: tuple[Ranked, ...]


@dataclass(frozen=True)
class MatchResult:
    offers: tuple[OfferResult, ...]
    skipped: tuple[Skipped, ...]
    ignored: tuple[str, ...]
    duplicates: tuple[Duplicate, ...] = ()
    flags: tuple[Flag, ...] = ()
    weights: Weights = Weights()
    version: str = __version__
    taxonomy_version: str = ""

    @property
    def candidates_ranked(self) -> int:
        return max((len(o.ranking) for o in self.offers), default=0)


@dataclass(frozen=True)
class MatchOptions:
    weights: Weights | None = None
    taxonomy_dir: Path | None = None
    limits: ReadLimits = ReadLimits()
    jobs: int = 2


@dataclass
class Engine:
    """The analysis objects of a run, built once: pipeline, taxonomy, matcher, scorer."""

    taxonomy: Taxonomy
    rules: ScoringRules
    analyzer: Analyzer = field(default_factory=Analyzer)
    _profiler: Profiler | None = None

    @classmethod
    def create(cls, taxonomy_dir: Path | None = None) -> Engine:
        return cls(load_taxonomy(taxonomy_dir), ScoringRules.load())

    @property
    def profiler(self) -> Profiler:
        if self._profiler is None:
            self._profiler = Profiler(self.analyzer, ConceptMatcher(self.taxonomy, self.analyzer))
        return self._profiler


def offer_files(paths: Sequence[Path]) -> list[Path]:
    """Each OFFER argument is a file or a folder of offer files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in OFFER_SUFFIXES)
            if not found:
                raise MatchError(f"{path}: no offer file in this folder (.txt, .md, .html, .pdf, .docx, .odt)")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise MatchError(f"{path}: no such file or folder")
    return files


def read_offers(paths: Sequence[Path], limits: ReadLimits) -> list[Offer]:
    offers = []
    for path in offer_files(paths):
        if path.suffix.lower() not in OFFER_SUFFIXES:
            raise MatchError(f"{path}: matchstage reads offers as .txt, .md, .html, .pdf, .docx or .odt")
        try:
            document = read_document(path, limits)
        except Unreadable as exc:
            raise MatchError(exc.message(str(path))) from None
        if len(document.text.split()) < 5:
            raise MatchError(f"{path}: the offer holds no text to match against")
        offers.append(Offer(path.stem, path, document.text))
    ids = [o.id for o in offers]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise MatchError(f"two offers share the id {twice[0]!r} (the file name without extension): rename one")
    return offers


def looks_like_cv(document: Document) -> bool:
    words = len(document.text.split())
    if document.pages < NOT_A_CV_PAGES and words < NOT_A_CV_WORDS:
        return True
    rules = load_section_rules()
    headed = [s for s in split_sections(document.text[:20000], "cv", rules) if s.name != "default"]
    return len(headed) >= 2


def _fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def read_candidates(
    folder: CandidateFolder, limits: ReadLimits, jobs: int, progress: Progress
) -> tuple[dict[Path, Document], list[Skipped], list[Duplicate], list[Flag]]:
    """Read every candidate document; what cannot be read is skipped with its reason."""
    files = [f for c in folder.candidates for f in c.files]
    skipped: list[Skipped] = []
    duplicates: list[Duplicate] = []
    flags: list[Flag] = []
    first_by_bytes: dict[str, Path] = {}
    unique: list[Path] = []
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in first_by_bytes:
            duplicates.append(Duplicate(folder.relative(path), folder.relative(first_by_bytes[digest])))
        else:
            first_by_bytes[digest] = path
            unique.append(path)
    progress(f"reading {len(unique)} documents")
    documents: dict[Path, Document] = {}
    for path, outcome in read_many(unique, limits, jobs=jobs):
        rel = folder.relative(path)
        if isinstance(outcome, Unreadable):
            skipped.append(Skipped(rel, outcome.reason, outcome.message(rel)))
        else:
            documents[path] = outcome
    first_by_text: dict[str, Path] = {}
    for path in unique:
        document = documents.get(path)
        if document is None:
            continue
        rel = folder.relative(path)
        fingerprint = _fingerprint(document.text)
        if fingerprint in first_by_text:
            duplicates.append(Duplicate(rel, folder.relative(first_by_text[fingerprint])))
            del documents[path]
            continue
        first_by_text[fingerprint] = path
        if not looks_like_cv(document):
            error = Unreadable(SkipReason.NOT_A_CV, f"{document.pages} pages and no CV section")
            skipped.append(Skipped(rel, error.reason, error.message(rel)))
            del documents[path]
    for dup in duplicates:
        error = Unreadable(SkipReason.DUPLICATE, dup.same_as)
        skipped.append(Skipped(dup.path, SkipReason.DUPLICATE, error.message(dup.path)))
    return documents, skipped, duplicates, flags


@dataclass(frozen=True)
class PreparedRun:
    """Everything read and analysed in a run, before scoring: what ``evaluate`` reuses for baselines."""

    offers: tuple[Offer, ...]
    offer_profiles: tuple[Profile, ...]
    candidates: tuple[Candidate, ...]
    candidate_profiles: tuple[Profile, ...]
    candidate_texts: tuple[str, ...]
    folder: CandidateFolder
    skipped: tuple[Skipped, ...]
    duplicates: tuple[Duplicate, ...]
    flags: tuple[Flag, ...]


def prepare(
    offer_paths: Sequence[Path],
    candidates_dir: Path,
    options: MatchOptions,
    engine: Engine,
    progress: Progress = lambda message: None,
) -> PreparedRun:
    """Read the offers and every candidate document, and build their profiles."""
    if not candidates_dir.is_dir():
        raise MatchError(f"{candidates_dir}: not a folder of candidates")
    offers = read_offers(offer_paths, options.limits)
    folder = scan_candidates(candidates_dir)
    documents, skipped, duplicates, flags = read_candidates(folder, options.limits, options.jobs, progress)
    progress(f"analysing {len(offers)} offer(s) and {len(documents)} document(s)")
    profiler = engine.profiler
    offer_profiles = profiler.offers([o.text for o in offers])
    doc_paths = list(documents)
    owner = {f: c for c in folder.candidates for f in c.files}
    doc_profiles = dict(zip(doc_paths, profiler.candidate_documents(
        [(owner[p].id, p.name, documents[p].text) for p in doc_paths])))

    candidates: list[Candidate] = []
    profiles: list[Profile] = []
    texts: list[str] = []
    for candidate in folder.candidates:
        kept = []
        for f in candidate.files:
            if f not in doc_profiles:
                continue
            language = doc_profiles[f].language
            rel = folder.relative(f)
            if language not in ANALYSED and language != "und":
                error = Unreadable(SkipReason.UNSUPPORTED_LANGUAGE, f"detected language: {language}")
                skipped.append(Skipped(rel, error.reason, error.message(rel)))
                continue
            if language == "en":
                flags.append(Flag(rel, "english", f"{rel}: written in English; matched through the "
                                                  "taxonomy's English labels, text similarity is weaker."))
            kept.append(f)
        if kept:
            candidates.append(Candidate(candidate.id, tuple(kept)))
            profiles.append(Profile.merge([doc_profiles[f] for f in kept]))
            texts.append("\n".join(documents[f].text for f in kept))
    return PreparedRun(tuple(offers), tuple(offer_profiles), tuple(candidates), tuple(profiles), tuple(texts),
                       folder, tuple(skipped), tuple(duplicates), tuple(flags))


def rank(run: PreparedRun, engine: Engine, weights: Weights) -> MatchResult:
    """Score and sort every prepared candidate for each offer."""
    similarity = TextSimilarity().fit([*run.offer_profiles, *run.candidate_profiles])
    text_scores = similarity.similarities(run.offer_profiles, run.candidate_profiles)
    scorer = Scorer(engine.taxonomy, engine.rules, weights)
    results = []
    for i, (offer, offer_profile) in enumerate(zip(run.offers, run.offer_profiles)):
        scores = scorer.score(offer_profile, run.candidate_profiles, list(text_scores[i]))
        order = sorted(range(len(scores)), key=lambda j: (-scores[j].score, run.candidates[j].id))
        ranking = tuple(
            Ranked(position, run.candidates[j].id, tuple(run.folder.relative(f) for f in run.candidates[j].files),
                   scores[j])
            for position, j in enumerate(order, start=1)
        )
        results.append(OfferResult(offer, ranking))
    return MatchResult(
        offers=tuple(results),
        skipped=tuple(sorted(run.skipped, key=lambda s: s.path)),
        ignored=tuple(run.folder.relative(p) for p in run.folder.ignored),
        duplicates=run.duplicates,
        flags=run.flags,
        weights=weights,
        taxonomy_version=engine.taxonomy.version,
    )


def match(
    offer_paths: Sequence[Path],
    candidates_dir: Path,
    options: MatchOptions = MatchOptions(),
    *,
    engine: Engine | None = None,
    progress: Progress = lambda message: None,
) -> MatchResult:
    """Rank every candidate of ``candidates_dir`` against each offer."""
    engine = engine or Engine.create(options.taxonomy_dir)
    run = prepare(offer_paths, candidates_dir, options, engine, progress)
    return rank(run, engine, options.weights or engine.rules.weights)

"""Rank the candidates of a folder against one or more offers: the library behind ``matchstage match``."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.language import ANALYSED
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.pipeline import collection_paused
from matchstage.analysis.profiles import Profile, Profiler
from matchstage.analysis.sections import load_section_rules, split_sections
from matchstage.analysis.taxonomy import Taxonomy, load_taxonomy
from matchstage.analysis.workers import BATCH_DOCUMENTS, AnalysisPool
from matchstage.cache import Cache, CachedDocument, analysis_version
from matchstage.i18n import _, ngettext
from matchstage.outputs.progress import Progress, Silent
from matchstage.ranking.crosslingual import concept_term_hashes
from matchstage.ranking.requirements import OfferRequirements
from matchstage.ranking.requirements_file import RequirementsError, load_requirements
from matchstage.ranking.results import (
    FACETS,
    Asked,
    AskedConcept,
    Duplicate,
    Flag,
    MatchResult,
    Offer,
    OfferResult,
    Ranked,
    Skipped,
)
from matchstage.ranking.scoring import (
    CandidateMatrix,
    Scorer,
    ScoringRules,
    TextSimilarity,
    Weights,
)
from matchstage.reading.candidates import Candidate, CandidateFolder, scan_candidates
from matchstage.reading.documents import Document, ReadLimits, SkipReason, Unreadable, localized_detail
from matchstage.reading.extraction import default_jobs, read_many
from matchstage.reading.readers import OFFER_SUFFIXES
from matchstage.reading.readers.ocr import OCR_NOTE, ocr_state

# A document with no CV heading, no letter opening, and this long is not a CV (a thesis, a report...).
NOT_A_CV_PAGES = 6
NOT_A_CV_WORDS = 4000
NOT_A_CV_DETAIL = "{pages} pages and no CV section"
LANGUAGE_DETAIL = "detected language: {language}"
# An offer with fewer words than this holds nothing to match against.
OFFER_MIN_WORDS = 5



class MatchError(Exception):
    """A run that cannot go on (an offer that cannot be read, a missing folder)."""


@dataclass(frozen=True)
class MatchOptions:
    weights: Weights | None = None
    taxonomy_dir: Path | None = None
    limits: ReadLimits = ReadLimits()
    # Worker processes for reading and for analysing (each at most): the CPUs this process may use.
    jobs: int = field(default_factory=default_jobs)
    # None: no cache (the library's default); the CLI passes the user's cache directory.
    cache_dir: Path | None = None
    # None: the cache's own setting (60 days unless set); a value becomes the cache's setting.
    cache_max_age_days: float | None = None
    # Requirements files given for offers (--requirements), each naming its offer; an offer without one uses
    # OFFER.requirements.toml beside it when there is one, else what its text says.
    requirements: tuple[Path, ...] = ()


@dataclass
class Engine:
    """The analysis objects of a run, built once: pipeline, taxonomy, matcher, scorer.

    The French pipeline is loaded only when something needs analysing: a run whose documents are
    all in the cache never loads it. Analysis runs in worker processes (:meth:`analysis_pool`), which
    load the pipeline themselves unless it is loaded here already.
    """

    taxonomy: Taxonomy
    rules: ScoringRules
    analyzer: Analyzer = field(default_factory=Analyzer)
    cache: Cache | None = None
    _profiler: Profiler | None = None
    _version: str = ""
    _concept_matcher: ConceptMatcher | None = None
    # What the last prepare() did: documents (and offers) analysed, worker processes started for it.
    analysed: int = 0
    workers_started: int = 0
    _matrix: tuple[Sequence[Profile], CandidateMatrix] | None = None

    @classmethod
    def create(cls, taxonomy_dir: Path | None = None, cache: Cache | None = None) -> Engine:
        return cls(load_taxonomy(taxonomy_dir, memo=cache), ScoringRules.load(), cache=cache)

    @property
    def version(self) -> str:
        if not self._version:
            self._version = analysis_version(self.taxonomy.version)
        return self._version

    @property
    def pipeline_used(self) -> bool:
        """Whether the last run needed the French pipeline (here, or in an analysis worker)."""
        return self.analyzer.loaded or self.workers_started > 0

    @property
    def profiler(self) -> Profiler:
        if self._profiler is None:
            self._profiler = Profiler(self.analyzer, self._matcher())
        return self._profiler

    def _matcher(self) -> ConceptMatcher:
        if self._concept_matcher is None:
            self._concept_matcher = self._cached_matcher() or ConceptMatcher.shipped(self.taxonomy)
            if self._concept_matcher is None:  # another taxonomy, or the shipped patterns out of date
                self._concept_matcher = ConceptMatcher.compile(self.taxonomy, self.analyzer)
                self._keep_patterns(self._concept_matcher.to_json())
        return self._concept_matcher

    def _cached_matcher(self) -> ConceptMatcher | None:
        stored = self.cache.get_artefact(f"patterns:{self.version}") if self.cache else None
        return ConceptMatcher.from_json(self.taxonomy, stored) if stored is not None else None

    def _keep_patterns(self, patterns: list[list[object]]) -> None:
        key = f"patterns:{self.version}"
        if self.cache and self.cache.get_blob(key) is None:
            self.cache.put_artefact(key, patterns)

    def candidate_matrix(self, profiles: Sequence[Profile]) -> CandidateMatrix:
        """What these candidates show, concept by concept: it depends on the taxonomy and the rules, not on the
        weights, so it is built once per set of profiles (while the run waits for an offer, if it does)."""
        if self._matrix is None or self._matrix[0] is not profiles:
            matrix = CandidateMatrix.build(Scorer(self.taxonomy, self.rules), profiles)
            matrix.prepare()
            self._matrix = (profiles, matrix)
        return self._matrix[1]

    def analysis_pool(self, jobs: int) -> AnalysisPool:
        """Where a run's documents are analysed: up to ``jobs`` worker processes (with one job, here)."""

        def before_start() -> None:  # in the parent: the taxonomy's patterns, if at hand, for the workers to inherit
            if self._concept_matcher is None:
                self._concept_matcher = self._cached_matcher() or ConceptMatcher.shipped(self.taxonomy)

        def start(in_worker: bool) -> tuple[Profiler, list[list[object]] | None]:
            if in_worker:
                self.cache = None  # the parent's SQLite connection is not for a forked process to use
            compiled = self._concept_matcher is None
            profiler = self.profiler  # compiles the patterns if the cache had none
            self.analyzer.nlp  # noqa: B018 -- load the pipeline now, before the first batch comes
            return profiler, profiler.matcher.to_json() if compiled and in_worker else None

        def on_ready(patterns: list[list[object]]) -> None:  # compiled by a worker: cached for the next run
            if self._concept_matcher is None:
                self._concept_matcher = ConceptMatcher.from_json(self.taxonomy, patterns)
            self._keep_patterns(patterns)

        return AnalysisPool(start, max_workers=jobs if jobs > 1 else 0, before_start=before_start,
                            on_ready=on_ready)


def offer_files(paths: Sequence[Path]) -> list[Path]:
    """Each OFFER argument is a file or a folder of offer files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir()
                           if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in OFFER_SUFFIXES)
            if not found:
                raise MatchError(_("{path}: no offer file in this folder (.txt, .md, .html, .pdf, .docx, .odt)").format(
                    path=path))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise MatchError(_("{path}: no such file or folder").format(path=path))
    return files


def read_offers(paths: Sequence[Path], limits: ReadLimits) -> list[Offer]:
    """Read every offer (isolated like candidates' files); an offer that cannot be read stops the run."""
    files = offer_files(paths)
    for path in files:
        if path.suffix.lower() not in OFFER_SUFFIXES:
            raise MatchError(_("{path}: matchstage reads offers as .txt, .md, .html, .pdf, .docx or .odt").format(
                path=path))
    outcomes = dict(read_many(files, limits, jobs=1))
    offers = []
    for path in files:
        outcome = outcomes[path]
        if isinstance(outcome, Unreadable):
            raise MatchError(outcome.message(str(path)))
        if len(outcome.text.split()) < OFFER_MIN_WORDS:
            raise MatchError(_("{path}: the offer holds no text to match against").format(path=path))
        offers.append(Offer(path.stem, path, outcome.text))
    ids = [o.id for o in offers]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise MatchError(_("two offers share the id {id!r} (the file name without extension): rename one").format(
            id=twice[0]))
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


class _Readings:
    """Where the cache keeps what reading a file gave, by the options that decided it.

    An outcome is kept under the options it depends on, so that the same files with the same options give the
    same result whatever ran before: a text read from the text layer, or a file skipped for its content, under
    the size and page limits and the password (``plain``); a scan, read by OCR or skipped, under how OCR stood
    as well (off, missing, which tesseract: ``scan``); a timeout under that and the time limit too. A file is
    looked up under each, in that order; ``scan`` and ``timeout`` are worked out only for the files not found
    under ``plain`` (how OCR stands takes a call to tesseract).
    """

    def __init__(self, limits: ReadLimits) -> None:
        password = hashlib.sha256(limits.password.encode()).hexdigest()[:16] if limits.password else ""
        self.plain = f"pages<={limits.max_pages} mb<={limits.max_mb!r} password={password}"
        self._limits = limits
        self._ocr = ""

    @property
    def scan(self) -> str:
        if not self._ocr:
            self._ocr = ocr_state(self._limits.ocr)
        return f"{self.plain} ocr={self._ocr}"

    @property
    def timeout(self) -> str:
        return f"{self.scan} timeout={self._limits.timeout_s!r}"

    def of(self, outcome: Document | Unreadable) -> str:
        """The options ``outcome`` depends on."""
        if isinstance(outcome, Document):
            return self.scan if outcome.ocr else self.plain
        if outcome.reason is SkipReason.TIMEOUT:
            return self.timeout
        return self.scan if outcome.reason is SkipReason.SCANNED else self.plain


def analyse_candidates(
    folder: CandidateFolder, engine: Engine, limits: ReadLimits, jobs: int, progress: Progress,
    pool: AnalysisPool | None = None,
) -> tuple[dict[Path, CachedDocument], dict[Path, str], list[Duplicate]]:
    """Every unique candidate file as a profile or a skip, from the cache where possible.

    Returns the analysed files, the text of those analysed in this run (for ``evaluate``'s baselines),
    and the files whose bytes repeat an earlier file. Files are analysed in ``pool`` (one of the
    engine's if not given) batch by batch as they are read, so that reading and analysis overlap.
    """
    owner = {f: c for c in folder.candidates for f in c.files}
    duplicates: list[Duplicate] = []
    digests: dict[Path, str] = {}
    first_by_bytes: dict[str, Path] = {}
    for path in (f for c in folder.candidates for f in c.files):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in first_by_bytes:
            duplicates.append(Duplicate(folder.relative(path), folder.relative(first_by_bytes[digest])))
            continue
        first_by_bytes[digest] = path
        digests[path] = digest
    readings = _Readings(limits)

    def key(path: Path, reading: str) -> str:
        return Cache.document_key(digests[path], owner[path].id, path.name, engine.version, reading)

    results: dict[Path, CachedDocument] = {}
    if engine.cache:
        for variant in ("plain", "scan", "timeout"):  # the files not found under one are looked up under the next
            todo = {key(path, getattr(readings, variant)): path for path in digests if path not in results}
            if not todo:
                break
            results.update((todo[k], doc) for k, doc in engine.cache.get_documents(todo).items())
    missing = [path for path in digests if path not in results]
    if results:
        progress.message(ngettext("{n} document(s) from the cache", "{n} document(s) from the cache",
                                   len(results)).format(n=len(results)))
    texts: dict[Path, str] = {}
    fresh: dict[Path, CachedDocument] = {}
    if missing:
        with contextlib.ExitStack() as stack:
            if pool is None:
                pool = stack.enter_context(engine.analysis_pool(jobs))
            documents: dict[Path, Document] = {}
            batches: list[int] = []
            waiting: list[Path] = []

            def submit() -> None:
                batches.extend(pool.submit_documents([(owner[p].id, p.name, documents[p].text) for p in waiting],
                                                     on_done=progress.advance))
                waiting.clear()

            progress.start(_("reading and analysing"), len(missing))
            reading: dict[Path, str] = {}  # the options each file's outcome depends on (the key it is kept under)
            for done, (path, outcome) in enumerate(read_many(missing, limits, jobs=jobs)):
                if engine.cache:
                    reading[path] = readings.of(outcome)
                if isinstance(outcome, Unreadable):
                    fresh[path] = CachedDocument(skip_reason=outcome.reason.value, skip_detail=outcome.detail)
                elif not looks_like_cv(outcome):
                    fresh[path] = CachedDocument(outcome.pages, skip_reason=SkipReason.NOT_A_CV.value,
                                                 skip_detail=NOT_A_CV_DETAIL.format(pages=outcome.pages))
                else:
                    if not documents:  # the first to analyse: workers start now, the pipeline loads as the rest is read
                        pool.expect(len(missing) - done)
                    documents[path] = outcome
                    waiting.append(path)
                if path in fresh:
                    progress.advance()
                if len(waiting) >= BATCH_DOCUMENTS:
                    submit()
                pool.poll()
            submit()
            pool.no_more_expected()  # the files skipped when read will not come
            # Results come in the order submitted, which is the order of ``documents``.
            for path, profile in zip(documents, pool.results(batches)):
                fresh[path] = CachedDocument(documents[path].pages, _fingerprint(documents[path].text), profile,
                                             warnings=documents[path].warnings)
                texts[path] = documents[path].text
            progress.stop()
        if engine.cache:
            engine.cache.put_documents({key(p, reading[p]): d for p, d in fresh.items()}, engine.version)
    results.update(fresh)
    return results, texts, duplicates


def offer_profiles(offers: Sequence[Offer], engine: Engine) -> list[Profile]:
    """Offers are analysed like documents and cached by their text."""
    with engine.analysis_pool(1) as pool:
        return start_offer_profiles(offers, engine, pool)()


def start_offer_profiles(offers: Sequence[Offer], engine: Engine, pool: AnalysisPool) -> Callable[[], list[Profile]]:
    """Look the offers up in the cache and hand the others to ``pool`` now; the returned function waits
    for their profiles (and caches them)."""
    keys = [Cache.document_key(_fingerprint(o.text), "offer", "", engine.version) if engine.cache else ""
            for o in offers]
    cached = engine.cache.get_documents(keys) if engine.cache else {}
    todo = [i for i, key in enumerate(keys) if key not in cached]
    batches = pool.submit_offers([offers[i].text for i in todo])

    def profiles() -> list[Profile]:
        fresh = pool.results(batches)
        if engine.cache and todo:
            engine.cache.put_documents({keys[i]: CachedDocument(profile=p) for i, p in zip(todo, fresh)},
                                       engine.version)
        by_index = dict(zip(todo, fresh))
        return [by_index[i] if i in by_index else cached[keys[i]].profile or Profile((), (), "und")
                for i in range(len(offers))]

    return profiles


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
    # Per offer, what a requirements file says it asks for (None: what its text says).
    asked: tuple[OfferRequirements | None, ...] = ()


def prepare(
    offer_paths: Sequence[Path],
    candidates_dir: Path,
    options: MatchOptions,
    engine: Engine,
    progress: Progress = Silent(),
) -> PreparedRun:
    """Read the offers and every candidate document, and build their profiles."""
    if not candidates_dir.is_dir():
        raise MatchError(_("{path}: not a folder of candidates").format(path=candidates_dir))
    offers = read_offers(offer_paths, options.limits)
    try:  # every file checked before anything is read or ranked
        asked = load_requirements([(o.id, o.path) for o in offers], options.requirements, engine.taxonomy,
                                  engine.rules)
    except RequirementsError as error:
        raise MatchError(str(error)) from None
    folder = scan_candidates(candidates_dir)
    with engine.analysis_pool(options.jobs) as pool:
        # Offers not in the cache go to a worker first: the French pipeline loads there while the
        # candidates are looked up, decoded from the cache and read here.
        pending_offers = start_offer_profiles(offers, engine, pool)
        analysed, texts, duplicates = analyse_candidates(folder, engine, options.limits, options.jobs, progress,
                                                         pool)
        candidates, profiles, candidate_texts, skipped, flags = _gather(folder, analysed, texts, duplicates)

        def while_waiting() -> None:
            """Still waiting for an offer (the pipeline loading in a worker, the candidates all cached): new
            similarities to fit, so scikit-learn is imported now, and what the candidates show worked out. Not
            while the candidates are analysed: the workers' memory and scikit-learn's would add up."""
            TextSimilarity.preload()
            engine.candidate_matrix(profiles)

        pool.on_wait = while_waiting
        profiles_of_offers = pending_offers()
    engine.analysed, engine.workers_started = pool.documents, pool.workers_started
    return PreparedRun(tuple(offers), tuple(profiles_of_offers), candidates, profiles, candidate_texts, folder,
                       skipped, tuple(duplicates), flags, tuple(asked))


_Gathered = tuple[tuple[Candidate, ...], tuple[Profile, ...], tuple[str, ...], tuple[Skipped, ...], tuple[Flag, ...]]


def _gather(folder: CandidateFolder, analysed: dict[Path, CachedDocument], texts: dict[Path, str],
            duplicates: list[Duplicate]) -> _Gathered:
    """Each candidate with the profile of their documents merged, and their text; the files skipped, and why;
    the flags raised. Files whose text repeats an earlier one's join ``duplicates``."""
    skipped: list[Skipped] = []
    flags: list[Flag] = []

    def skip(path: Path, reason: SkipReason, detail: str) -> None:
        rel = folder.relative(path)
        skipped.append(Skipped(rel, reason, Unreadable(reason, detail).message(rel)))

    first_by_text: dict[str, Path] = {}
    candidates: list[Candidate] = []
    profiles: list[Profile] = []
    candidate_texts: list[str] = []
    for candidate in folder.candidates:
        kept = []
        for f in candidate.files:
            doc = analysed.get(f)
            if doc is None:
                continue  # same bytes as an earlier file: listed under duplicates
            if doc.skip_reason:
                skip(f, SkipReason(doc.skip_reason), doc.skip_detail)
                continue
            if doc.fingerprint in first_by_text:
                duplicates.append(Duplicate(folder.relative(f), folder.relative(first_by_text[doc.fingerprint])))
                continue
            first_by_text[doc.fingerprint] = f
            assert doc.profile is not None
            language = doc.profile.language
            if language not in ANALYSED and language != "und":
                skip(f, SkipReason.UNSUPPORTED_LANGUAGE, LANGUAGE_DETAIL.format(language=language))
                continue
            for warning in doc.warnings:
                rel = folder.relative(f)
                flags.append(Flag(rel, "ocr" if warning == OCR_NOTE else "warning",
                                  _("{file}: {note}").format(file=rel, note=localized_detail(warning))))
            if language == "en":
                rel = folder.relative(f)
                flags.append(Flag(rel, "english", _("{file}: written in English; its words are read into French "
                                                    "by a lexicon, its facets count the concepts it names in English."
                                                    ).format(file=rel)))
            kept.append(f)
        if kept:
            candidates.append(Candidate(candidate.id, tuple(kept)))
            profiles.append(Profile.merge([analysed[f].profile for f in kept]))  # type: ignore[misc]
            candidate_texts.append("\n".join(texts.get(f, "") for f in kept))
    for dup in duplicates:
        skip(folder.root / dup.path, SkipReason.DUPLICATE, dup.same_as)
    return tuple(candidates), tuple(profiles), tuple(candidate_texts), tuple(skipped), tuple(flags)


def rank(run: PreparedRun, engine: Engine, weights: Weights) -> MatchResult:
    """Score and sort every prepared candidate for each offer."""
    # Scoring makes a few objects per (offer, candidate) and no reference cycles: with the collector
    # paused, it does not walk every profile of the run again and again (speed only).
    with collection_paused():
        return _rank(run, engine, weights)


def _rank(run: PreparedRun, engine: Engine, weights: Weights) -> MatchResult:
    # Kept in the cache: a run on the same documents (other weights, say) reads them back.
    text_scores = TextSimilarity.fitted_similarities(run.offer_profiles, run.candidate_profiles, memo=engine.cache)
    scorer = Scorer(engine.taxonomy, engine.rules, weights)
    matrix = engine.candidate_matrix(run.candidate_profiles)  # once for every offer
    # A CV whose words an offer's language cannot read (not an English CV against a French offer: the lexicon reads
    # it) is compared with that offer on the language-independent concept terms.
    concept_scores = (TextSimilarity.fitted_similarities(run.offer_profiles, run.candidate_profiles, memo=engine.cache,
                                                         only=concept_term_hashes(engine.taxonomy))
                      if any((~matrix.read_in(p.language)).any() for p in run.offer_profiles) else None)
    files = [tuple(run.folder.relative(f) for f in c.files) for c in run.candidates]  # once, not once per offer
    # Best score first, ties by candidate id: the ids' order is worked out once, each offer's by numpy.
    by_id = np.empty(len(run.candidates), dtype=np.int64)
    by_id[sorted(range(len(run.candidates)), key=lambda j: run.candidates[j].id)] = np.arange(len(run.candidates))
    results = []
    for i, (offer, offer_profile) in enumerate(zip(run.offers, run.offer_profiles)):
        asked = (run.asked[i] if i < len(run.asked) else None) or scorer.asked(offer_profile)
        scores = scorer.score_many(offer_profile, matrix, list(text_scores[i]), asked,
                                   None if concept_scores is None else list(concept_scores[i]))
        order = np.lexsort((by_id, -np.fromiter((s.score for s in scores), dtype=float, count=len(scores))))
        ranking = tuple(
            Ranked(position, run.candidates[j].id, files[j], scores[j])
            for position, j in enumerate(order.tolist(), start=1)
        )
        results.append(OfferResult(offer, ranking, _asked(asked, engine.taxonomy)))
    return MatchResult(
        offers=tuple(results),
        skipped=tuple(sorted(run.skipped, key=lambda s: s.path)),
        ignored=tuple(run.folder.relative(p) for p in run.folder.ignored),
        duplicates=run.duplicates,
        flags=run.flags,
        weights=weights,
        taxonomy_version=engine.taxonomy.version,
    )


def _asked(asked: OfferRequirements, taxonomy: Taxonomy) -> Asked:
    concepts = tuple(AskedConcept(facet, r.concept, taxonomy[r.concept].label, r.importance, r.required)
                     for facet in FACETS for r in asked.by_facet.get(facet, ()))
    return Asked(asked.source, asked.level.label if asked.level else None, bool(asked.level and asked.level.soft),
                 concepts)


def match(
    offer_paths: Sequence[Path],
    candidates_dir: Path,
    options: MatchOptions = MatchOptions(),
    *,
    engine: Engine | None = None,
    progress: Progress = Silent(),
) -> MatchResult:
    """Rank every candidate of ``candidates_dir`` against each offer."""
    if engine is not None:
        run = prepare(offer_paths, candidates_dir, options, engine, progress)
        return rank(run, engine, options.weights or engine.rules.weights)
    cache = Cache(options.cache_dir, max_age_days=options.cache_max_age_days) if options.cache_dir else None
    try:
        engine = Engine.create(options.taxonomy_dir, cache)
        run = prepare(offer_paths, candidates_dir, options, engine, progress)
        return rank(run, engine, options.weights or engine.rules.weights)
    finally:
        if cache is not None:
            cache.close()

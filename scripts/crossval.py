"""Leave-one-set-out cross-validation of matchstage's parameters over the labelled sets.

    .venv/bin/python scripts/crossval.py                 # every labelled set found, the default grid
    .venv/bin/python scripts/crossval.py --quick         # a smaller grid (a minute or so)
    make crossval

Each set (offers, candidates, graded relevance) is read and analysed once; the analysis is kept in a pickle
under ``--work-dir`` keyed by the files' bytes and matchstage's analysis version, so a second run reads no file.
A parameter setting is then only re-scored: the text similarities are fitted again only when a text setting
changes. For each held-out set, the setting is chosen on the other sets alone (coordinate ascent from the
shipped defaults over the candidate values below, on the mean nDCG@5 of the training sets' means and of their
weakest offers), then measured on the held-out set, beside the shipped defaults and the two baselines of the
same run (BM25 on lemmas, TF-IDF on raw words). A learned combination — a pairwise logistic model over the
channel and facet scores, fitted on the training sets — is measured the same way.

The result is a table per held-out set, and, with ``--write-choice FILE``, the setting chosen on all sets
(to be shipped only where the out-of-fold figures say it helps).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matchstage.analysis.profiles import CONCEPT_TERM, Profile
from matchstage.analysis.taxonomy import Facet, Taxonomy
from matchstage.evaluation.baselines import rank_bm25, rank_tfidf_raw
from matchstage.evaluation.metrics import OfferScores, evaluate_rankings, mean_scores, read_qrels
from matchstage.match import Engine, MatchOptions, offer_files, prepare
from matchstage.ranking.crosslingual import concept_term_hashes
from matchstage.ranking.scoring import CandidateMatrix, Scorer, ScoringRules, TextSimilarity, Weights
from matchstage.ranking.text import TextWeighting

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT.parent / "shared" / "evalsets"  # ../shared beside the checkout


@dataclass(frozen=True)
class LabelledSet:
    name: str
    offers: Path
    candidates: Path
    qrels: Path


def default_sets() -> list[LabelledSet]:
    sets = [LabelledSet("samples", ROOT / "samples/offres", ROOT / "samples/candidatures",
                        ROOT / "samples/relevance.tsv")]
    for name in ("validation", "heldout"):
        base = ROOT / "samples" / name
        sets.append(LabelledSet(name, base / "offres", base / "candidatures", base / "relevance.tsv"))
    if EXTERNAL.is_dir():
        for base in sorted(p for p in EXTERNAL.iterdir() if (p / "qrels.tsv").is_file()):
            sets.append(LabelledSet(base.name, base / "offers", base / "cvs", base / "qrels.tsv"))
    return sets


@dataclass
class Analysed:
    """A set read and analysed once: what every setting is scored on."""

    name: str
    offer_ids: tuple[str, ...]
    offer_profiles: tuple[Profile, ...]
    candidate_ids: tuple[str, ...]
    candidate_profiles: tuple[Profile, ...]
    qrels: dict[str, dict[str, int]]
    baselines: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def _fingerprint(labelled: LabelledSet, version: str) -> str:
    digest = hashlib.sha256(version.encode())
    for folder in (labelled.offers, labelled.candidates):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    digest.update(labelled.qrels.read_bytes())
    return digest.hexdigest()[:24]


def analyse(labelled: LabelledSet, engine: Engine, work_dir: Path, jobs: int) -> Analysed:
    key = _fingerprint(labelled, engine.version)
    stored = work_dir / f"{labelled.name}-{key}.pickle"
    if stored.is_file():
        with stored.open("rb") as f:
            found: Analysed = pickle.load(f)
        return found
    run = prepare(offer_files([labelled.offers]), labelled.candidates, MatchOptions(jobs=jobs), engine)
    ids = tuple(c.id for c in run.candidates)
    raw = dict(zip(ids, run.candidate_texts, strict=True))
    lemmas = {cid: list(p.lemmas) for cid, p in zip(ids, run.candidate_profiles, strict=True)}
    baselines: dict[str, dict[str, list[str]]] = {"bm25-lemmas": {}, "tfidf-raw": {}}
    for offer, profile in zip(run.offers, run.offer_profiles, strict=True):
        baselines["bm25-lemmas"][offer.id] = rank_bm25(list(profile.lemmas), lemmas)
        baselines["tfidf-raw"][offer.id] = rank_tfidf_raw(offer.text, raw)
    # Profiles are kept without their term counts' cache (a cached_property) and with what scoring reads.
    result = Analysed(labelled.name, tuple(o.id for o in run.offers), run.offer_profiles, ids,
                      run.candidate_profiles, read_qrels(labelled.qrels), baselines)
    work_dir.mkdir(parents=True, exist_ok=True)
    for old in work_dir.glob(f"{labelled.name}-*.pickle"):
        old.unlink()
    with stored.open("wb") as f:
        pickle.dump(result, f)
    return result


# -- parameter settings -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """Values that differ from the shipped defaults, by dotted name ("weights.text", "facets.discipline_gate")."""

    values: tuple[tuple[str, float], ...] = ()

    def with_value(self, name: str, value: float) -> Setting:
        kept = dict(self.values)
        kept[name] = value
        return Setting(tuple(sorted(kept.items())))

    def get(self, name: str, default: float) -> float:
        return dict(self.values).get(name, default)

    def describe(self) -> str:
        return ", ".join(f"{k}={v:g}" for k, v in self.values) or "defaults"


def _replace_map(mapping: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    copy = dict(mapping)
    copy[key] = value
    return copy


def rules_for(base: ScoringRules, setting: Setting) -> ScoringRules:
    rules = base
    weights = base.weights.as_dict()
    for name, value in setting.values:
        group, _, key = name.partition(".")
        if group == "weights":
            weights[key] = value
        elif group == "rules":
            changes: dict[str, Any] = {key: value}
            rules = dataclasses.replace(rules, **changes)
        elif group == "best_share":
            rules = dataclasses.replace(rules, best_share=_replace_map(rules.best_share, key, value))
        elif group == "credit":
            rules = dataclasses.replace(rules, credit=_replace_map(rules.credit, key, value))
        elif group == "concept_weights":
            rules = dataclasses.replace(rules, concept_weights=_replace_map(rules.concept_weights, key, value))
        elif group == "section_weights":
            facet, _, section = key.partition(":")
            inner = _replace_map(rules.section_weights.get(facet, {}), section, value)
            rules = dataclasses.replace(rules, section_weights=_replace_map(rules.section_weights, facet, inner))
        elif group != "text":  # text settings are the Scorebook's
            raise ValueError(f"unknown parameter {name}")
    return dataclasses.replace(rules, weights=Weights(**weights))


# Candidate values per parameter, tried one parameter at a time from the current best (coordinate ascent).
GRID: dict[str, tuple[float, ...]] = {
    "weights.text": (0.5, 0.6, 0.7, 0.8, 0.9),
    "weights.disciplines": (0.05, 0.1, 0.2, 0.3),
    "weights.methods": (0.0, 0.05, 0.1, 0.2),
    "weights.skills": (0.0, 0.05, 0.1, 0.2),
    "rules.discipline_gate": (0.6, 0.7, 0.8, 0.9, 1.0),
    "rules.level_per_year": (0.0, 0.04, 0.08, 0.12),
    "rules.level_floor": (0.6, 0.7, 0.8, 0.9),
    "rules.level_per_experience_year": (0.0, 0.25, 0.5, 1.0),
    "rules.level_soft_per_year": (0.0, 0.03, 0.08),
    "rules.level_soft_floor": (0.9, 0.95),
    "rules.level_over_per_year": (0.0, 0.05, 0.1),
    "rules.level_over_margin": (1.0, 2.0, 3.0),
    "rules.uncorroborated": (0.3, 0.5, 0.7, 1.0),
    "rules.repeat_bonus": (0.0, 0.1, 0.2),
    "best_share.disciplines": (0.5, 0.75, 1.0),
    "best_share.methods": (0.0, 0.25),
    "best_share.skills": (0.0, 0.25),
    "credit.broader": (0.4, 0.6, 0.8),
    "credit.sibling": (0.2, 0.35, 0.5),
    "concept_weights.savoir-etre": (0.0, 0.3, 0.6),
    "section_weights.disciplines:competences": (0.2, 0.35, 0.6),
    "text.concepts": (1.0, 2.0, 3.0),
    "text.broader_decay": (0.3, 0.5, 0.7),
    # How counts become weights (models/text.toml, [weighting]): BM25's saturation and length normalisation in
    # the cosine, IDF over the candidates alone, a share of a BM25 score.
    "text.saturation": (0.0, 0.8, 1.2, 2.0),
    "text.length_norm": (0.0, 0.25, 0.5, 0.75),
    "text.idf_candidates": (0.0, 1.0),
    "text.bm25_blend": (0.0, 0.1, 0.2, 0.3),
    "text.norm_power": (0.6, 0.8, 1.0),
}
# The shipped defaults without one of their parts, measured on each held-out set beside them: what each part adds.
ABLATIONS = (
    ("  without years of work", Setting((("rules.level_per_experience_year", 0.0),))),
    ("  without soft levels", Setting((("rules.level_soft_floor", 0.7), ("rules.level_soft_per_year", 0.08)))),
    ("  other languages: facets only", Setting((("text.crosslingual", 0.0),))),
)

# The parameters the candidate matrix depends on (what a CV shows): see Scorebook.matrix.
MATRIX_PARAMETERS = ("rules.uncorroborated", "rules.repeat_bonus", "section_weights.", "concept_weights.")
QUICK = ("weights.text", "weights.disciplines", "rules.discipline_gate", "rules.level_per_year",
         "rules.uncorroborated", "text.concepts", "text.saturation", "text.bm25_blend")


# -- scoring a set under a setting ---------------------------------------------------------------------------------

class Scorebook:
    """Scores the analysed sets under settings, keeping what does not change between them."""

    def __init__(self, taxonomy: Taxonomy, base: ScoringRules, text_defaults: Mapping[str, float]) -> None:
        self.taxonomy = taxonomy
        self.base = base
        self.text_defaults = text_defaults
        self._text: dict[tuple[str, float, float, TextWeighting], tuple[np.ndarray, np.ndarray]] = {}
        self._features: dict[tuple[str, Setting], tuple[list[np.ndarray], list[np.ndarray]]] = {}
        self._matrices: dict[tuple[str, tuple[tuple[str, float], ...]], CandidateMatrix] = {}

    def matrix(self, data: Analysed, setting: Setting, scorer: Scorer) -> CandidateMatrix:
        """What the candidates show: it changes only with the parameters of what a CV shows, not with weights,
        gates, credit or levels (so it is built once for all of those)."""
        shown = tuple((k, v) for k, v in setting.values if k.startswith(MATRIX_PARAMETERS))
        key = (data.name, shown)
        if key not in self._matrices:
            self._matrices[key] = CandidateMatrix.build(scorer, data.candidate_profiles)
        return self._matrices[key]

    def _concept_terms(self, profile: Profile, concepts: float, decay: float) -> Profile:
        terms: list[tuple[str, float]] = []
        for e in profile.evidence:
            weight = e.weight * e.factor * concepts
            if weight <= 0:
                continue
            terms.append((CONCEPT_TERM + e.concept, weight))
            up = self.taxonomy.ancestors(e.concept)
            terms.extend((CONCEPT_TERM + broader, weight * decay ** d) for broader, d in up.items())
        return dataclasses.replace(profile, concept_terms=tuple(terms), terms=None)

    def text_scores(self, data: Analysed, setting: Setting) -> tuple[np.ndarray, np.ndarray]:
        """Offers × candidates: the text similarities, and those on the language-independent concept terms alone
        (what a CV in another language than the offer's is compared on)."""
        concepts = setting.get("text.concepts", self.text_defaults["concepts"])
        decay = setting.get("text.broader_decay", self.text_defaults["broader_decay"])
        weighting = self.weighting(setting)
        key = (data.name, concepts, decay, weighting)
        if key not in self._text:
            if (concepts, decay) == (self.text_defaults["concepts"], self.text_defaults["broader_decay"]):
                offers, candidates = data.offer_profiles, data.candidate_profiles
            else:
                offers = tuple(self._concept_terms(p, concepts, decay) for p in data.offer_profiles)
                candidates = tuple(self._concept_terms(p, concepts, decay) for p in data.candidate_profiles)
            self._text[key] = (TextSimilarity.fitted_similarities(offers, candidates, weighting=weighting),
                               TextSimilarity.fitted_similarities(offers, candidates, weighting=weighting,
                                                                  only=concept_term_hashes(self.taxonomy)))
        return self._text[key]

    @staticmethod
    def weighting(setting: Setting) -> TextWeighting:
        """The shipped weighting of counts (models/text.toml), with the setting's text.* values in its place."""
        shipped = TextWeighting.load()
        return TextWeighting(
            saturation=setting.get("text.saturation", shipped.saturation),
            length_norm=setting.get("text.length_norm", shipped.length_norm),
            idf_candidates=bool(setting.get("text.idf_candidates", float(shipped.idf_candidates))),
            bm25_blend=setting.get("text.bm25_blend", shipped.bm25_blend),
            bm25_k1=setting.get("text.bm25_k1", shipped.bm25_k1), bm25_b=setting.get("text.bm25_b", shipped.bm25_b),
            norm_power=setting.get("text.norm_power", shipped.norm_power))

    def rankings(self, data: Analysed, setting: Setting) -> dict[str, list[str]]:
        rules = rules_for(self.base, setting)
        scorer = Scorer(self.taxonomy, rules, rules.weights)
        matrix = self.matrix(data, setting, scorer)
        text, concepts = self.text_scores(data, setting)
        result = {}
        for i, (offer, profile) in enumerate(zip(data.offer_ids, data.offer_profiles, strict=True)):
            cross = list(concepts[i]) if setting.get("text.crosslingual", 1.0) else None
            scores = scorer.score_many(profile, matrix, list(text[i]), concept_scores=cross)
            result[offer] = _order(data.candidate_ids, np.array([s.score for s in scores]))
        return result

    def features(self, data: Analysed, setting: Setting) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per offer, candidates × features (the channels and facets the combination weighs), and the grades."""
        key = (data.name, setting)
        if key in self._features:
            return self._features[key]
        rules = rules_for(self.base, setting)
        scorer = Scorer(self.taxonomy, rules, rules.weights)
        matrix = self.matrix(data, setting, scorer)
        text, concepts = self.text_scores(data, setting)
        xs, ys = [], []
        for i, (offer, profile) in enumerate(zip(data.offer_ids, data.offer_profiles, strict=True)):
            scores = scorer.score_many(profile, matrix, list(text[i]), concept_scores=list(concepts[i]))
            top = max(float(text[i].max()), 1e-9)
            rows = []
            for s, raw in zip(scores, text[i].tolist(), strict=True):
                facets = [s.values.get(f) for f in (Facet.DISCIPLINES, Facet.METHODS, Facet.SKILLS)]
                level = s.level.factor if s.level else 1.0
                rows.append([raw / top, *(v or 0.0 for v in facets), 1.0 - level, s.score])
            xs.append(np.array(rows))
            grades = data.qrels.get(offer, {})
            ys.append(np.array([grades.get(c, 0) for c in data.candidate_ids], dtype=float))
        self._features[key] = (xs, ys)
        return xs, ys


FEATURES = ("text", "disciplines", "methods", "skills", "level shortfall", "hand-weighted score")


def _order(ids: Sequence[str], scores: np.ndarray) -> list[str]:
    return [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-round(float(scores[i]), 6), ids[i]))]


def quality(data: Analysed, rankings: Mapping[str, Sequence[str]]) -> tuple[OfferScores, list[OfferScores]]:
    judged = {o: r for o, r in rankings.items() if o in data.qrels}
    per_offer = evaluate_rankings(judged, data.qrels)
    return mean_scores(per_offer), per_offer


def objective(book: Scorebook, sets: Iterable[Analysed], setting: Setting) -> float:
    """What a setting is chosen on: the mean over sets of (mean nDCG@5 + weakest offer's nDCG@5) / 2."""
    values = []
    for data in sets:
        mean, per_offer = quality(data, book.rankings(data, setting))
        values.append((mean.ndcg5 + min(s.ndcg5 for s in per_offer)) / 2)
    return float(np.mean(values))


def choose(book: Scorebook, sets: Sequence[Analysed], grid: Mapping[str, Sequence[float]], rounds: int,
           log: Callable[[str], None]) -> tuple[Setting, float]:
    """Coordinate ascent from the defaults: a value is taken only when it beats the current best by a margin."""
    best, best_value = Setting(), objective(book, sets, Setting())
    for _ in range(rounds):
        improved = False
        for name, values in grid.items():
            for value in values:
                candidate = best.with_value(name, value)
                if candidate == best:
                    continue
                score = objective(book, sets, candidate)
                if score > best_value + 1e-3:
                    best, best_value, improved = candidate, score, True
        log(f"    round: {best_value:.4f} {best.describe()}")
        if not improved:
            break
    return best, best_value


# -- a learned combination -------------------------------------------------------------------------------------------

def pairwise(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Differences of feature rows of candidates graded differently on one offer, labelled by which is better."""
    diffs, labels = [], []
    for x, y in zip(xs, ys, strict=True):
        hi, lo = np.nonzero(y[:, None] > y[None, :])
        if not hi.size:
            continue
        d = x[hi] - x[lo]
        diffs.extend([d, -d])
        labels.extend([np.ones(len(d)), np.zeros(len(d))])
    return np.vstack(diffs), np.concatenate(labels)


def fit_combination(train: Sequence[tuple[list[np.ndarray], list[np.ndarray]]], c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    xs = [x for features, _ in train for x in features]
    ys = [y for _, grades in train for y in grades]
    diffs, labels = pairwise(xs, ys)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(diffs, labels)
    return np.asarray(model.coef_[0])


def learned_rankings(data: Analysed, features: list[np.ndarray], coef: np.ndarray) -> dict[str, list[str]]:
    return {offer: _order(data.candidate_ids, x @ coef) for offer, x in zip(data.offer_ids, features, strict=True)}


# -- report ------------------------------------------------------------------------------------------------------------

def _row(name: str, mean: OfferScores, per_offer: Sequence[OfferScores]) -> str:
    weakest = min(per_offer, key=lambda s: s.ndcg5)
    return (f"  {name:<32} {mean.ndcg5:7.3f} {mean.ndcg10:8.3f} {mean.ap:6.3f}   {weakest.ndcg5:6.3f} "
            f"{weakest.offer[:34]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # One folder per checkout: two worktrees running at once keep apart.
    default_work = Path(tempfile.gettempdir()) / f"matchstage-crossval-{hashlib.sha256(bytes(ROOT)).hexdigest()[:8]}"
    parser.add_argument("--work-dir", type=Path, default=default_work,
                        help="Where each set's analysis is kept between runs (default: a folder per checkout).")
    parser.add_argument("--quick", action="store_true", help="Search fewer parameters.")
    parser.add_argument("--rounds", type=int, default=1, help="Rounds of coordinate ascent.")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", help="Comma-separated set names to use (default: every set found).")
    parser.add_argument("--write-choice", type=Path, help="Write the setting chosen on all sets (JSON).")
    parser.add_argument("--per-offer", action="store_true", help="Also print every held-out offer's nDCG@5.")
    args = parser.parse_args(argv)

    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    labelled = default_sets()
    if args.only:
        wanted = set(args.only.split(","))
        labelled = [s for s in labelled if s.name in wanted]
    if len(labelled) < 2:
        parser.error("cross-validation needs at least two labelled sets")
    engine = Engine.create()
    analysed = []
    for s in labelled:
        log(f"analysing {s.name}")
        analysed.append(analyse(s, engine, args.work_dir, args.jobs))
    from matchstage.analysis.profiles import TextRules

    text_rules = TextRules.load()
    book = Scorebook(engine.taxonomy, engine.rules,
                     {"concepts": text_rules.concepts, "broader_decay": text_rules.broader_decay})
    grid = {k: v for k, v in GRID.items() if not args.quick or k in QUICK}

    print(f"Leave-one-set-out cross-validation over {len(analysed)} sets: "
          f"{', '.join(a.name for a in analysed)}")
    print("nDCG@5 / nDCG@10 / MAP of each held-out set, its weakest offer; settings chosen on the other sets.\n")
    print(f"  {'system':<32} {'nDCG@5':>7} {'nDCG@10':>8} {'MAP':>6}   {'weakest offer (nDCG@5)'}")
    summary = []
    for k, held in enumerate(analysed):
        train = [a for j, a in enumerate(analysed) if j != k]
        log(f"held out: {held.name}; choosing on {', '.join(a.name for a in train)}")
        chosen, _ = choose(book, train, grid, args.rounds, log)
        print(f"held out: {held.name}  (chosen on the others: {chosen.describe()})")
        rows = {}
        for name, setting in (("matchstage, shipped", Setting()), ("matchstage, chosen out of fold", chosen),
                              *ABLATIONS):
            rows[name] = quality(held, book.rankings(held, setting))
        for c in (0.1, 1.0):
            coef = fit_combination([book.features(a, Setting()) for a in train], c)
            rows[f"pairwise logistic C={c:g}"] = quality(
                held, learned_rankings(held, book.features(held, Setting())[0], coef))
        for name, rankings in held.baselines.items():
            rows[name] = quality(held, rankings)
        for name, (mean, per_offer) in rows.items():
            print(_row(name, mean, per_offer))
            if args.per_offer and name.startswith("matchstage"):
                for scores in per_offer:
                    print(f"      {scores.offer[:40]:<40} {scores.ndcg5:.3f}")
        summary.append((held.name, rows))
        print()
    print(f"  {'mean over held-out sets':<26} " + "  ".join(
        f"{name}: {np.mean([rows[name][0].ndcg5 for _, rows in summary]):.3f}"
        for name in ("matchstage, shipped", "matchstage, chosen out of fold", "pairwise logistic C=1",
                     "bm25-lemmas")))
    if args.write_choice:
        log("choosing on every set")
        chosen, value = choose(book, analysed, grid, args.rounds, log)
        coef = fit_combination([book.features(a, Setting()) for a in analysed], 1.0)
        args.write_choice.write_text(json.dumps({
            "setting": dict(chosen.values), "objective": value,
            "pairwise_logistic": dict(zip(FEATURES, coef.round(4).tolist(), strict=True)),
        }, indent=2) + "\n", encoding="utf-8")
    log("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

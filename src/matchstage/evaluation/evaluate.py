"""Measure ranking quality against graded relevance judgements, beside two baselines computed in the
same run on the same text: TF-IDF on raw words, and BM25 on lemmas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matchstage.evaluation.baselines import rank_bm25, rank_tfidf_raw
from matchstage.evaluation.metrics import OfferScores, evaluate_rankings, mean_scores, read_qrels
from matchstage.i18n import _
from matchstage.match import Engine, MatchOptions, prepare, rank

SYSTEMS = ("matchstage", "tfidf-raw", "bm25-lemmas")


@dataclass(frozen=True)
class Evaluation:
    """Per system: the scores of each offer, then their mean."""

    per_offer: Mapping[str, tuple[OfferScores, ...]]
    mean: Mapping[str, OfferScores]
    unjudged: tuple[str, ...] = ()


def system_rankings(
    offer_paths: Sequence[Path], candidates_dir: Path, options: MatchOptions, engine: Engine | None = None
) -> dict[str, dict[str, list[str]]]:
    """Rankings (offer -> candidate ids, best first) of matchstage and of the two baselines."""
    engine = engine or Engine.create(options.taxonomy_dir)
    run = prepare(offer_paths, candidates_dir, options, engine)
    result = rank(run, engine, options.weights or engine.rules.weights)
    ids = [c.id for c in run.candidates]
    raw_texts = dict(zip(ids, run.candidate_texts, strict=True))
    lemmas = {cid: list(p.lemmas) for cid, p in zip(ids, run.candidate_profiles, strict=True)}
    rankings: dict[str, dict[str, list[str]]] = {name: {} for name in SYSTEMS}
    for offer_result, offer, offer_profile in zip(result.offers, run.offers, run.offer_profiles, strict=True):
        rankings["matchstage"][offer.id] = [r.candidate for r in offer_result.ranking]
        rankings["tfidf-raw"][offer.id] = rank_tfidf_raw(offer.text, raw_texts)
        rankings["bm25-lemmas"][offer.id] = rank_bm25(list(offer_profile.lemmas), lemmas)
    return rankings


def evaluate(
    offer_paths: Sequence[Path], candidates_dir: Path, qrels_path: Path, options: MatchOptions = MatchOptions(),
    engine: Engine | None = None,
) -> Evaluation:
    qrels = read_qrels(qrels_path)
    rankings = system_rankings(offer_paths, candidates_dir, options, engine)
    judged = {offer: ranking for offer, ranking in rankings["matchstage"].items() if offer in qrels}
    unjudged = tuple(sorted(set(rankings["matchstage"]) - set(judged)))
    per_offer = {
        name: tuple(evaluate_rankings({o: r for o, r in by_offer.items() if o in qrels}, qrels))
        for name, by_offer in rankings.items()
    }
    return Evaluation(per_offer, {name: mean_scores(list(scores)) for name, scores in per_offer.items()}, unjudged)


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text table: one line per offer and system, then the means."""
    offer_heading, system_heading = _("offer"), _("system")
    lines = [f"{offer_heading:<34} {system_heading:<12} {'nDCG@5':>7} {'nDCG@10':>8} {'MAP':>6}"]
    offers = [s.offer for s in evaluation.per_offer["matchstage"]]
    for i, offer in enumerate(offers):
        for name in SYSTEMS:
            s = evaluation.per_offer[name][i]
            lines.append(f"{offer[:34]:<34} {name:<12} {s.ndcg5:7.3f} {s.ndcg10:8.3f} {s.ap:6.3f}")
    lines.append("")
    mean = _("MEAN")
    for name in SYSTEMS:
        s = evaluation.mean[name]
        lines.append(f"{mean:<34} {name:<12} {s.ndcg5:7.3f} {s.ndcg10:8.3f} {s.ap:6.3f}")
    best_baseline = max(evaluation.mean[n].ndcg5 for n in SYSTEMS[1:])
    lines.append("\n" + _("matchstage nDCG@5 minus best baseline: {difference:+.3f}").format(
        difference=evaluation.mean["matchstage"].ndcg5 - best_baseline))
    if evaluation.unjudged:
        lines.append(_("offers without judgements (not counted): {offers}").format(
            offers=", ".join(evaluation.unjudged)))
    return "\n".join(lines) + "\n"

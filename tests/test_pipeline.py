"""The lazily-compiled French exception matcher gives spaCy's own tokens and lemmas, exactly."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
import tomllib

from matchstage.analysis import Analyzer, prepare
from matchstage.pipeline import LazyTokenMatch

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MIN_TOKENS = 100_000


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _corpus_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples" / "offres").iterdir())]
    for source in sorted((ROOT / "samples" / "sources").rglob("*.toml")):
        texts.append("\n".join(_strings(tomllib.loads(source.read_text(encoding="utf-8")))))
    if (SHARED / "seeds").is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").iterdir())]
    return texts


def _variants(texts: list[str], prefixes: list[str]) -> list[str]:
    """The same sentences with the forms the exception matcher exists for: hyphenated prefixes, elisions,
    inclusive writing, dashes, capitals — deterministic."""
    rng = random.Random(1234)
    elided = ["entr", "rentr", "grand", "grands", "r", "prud", "ch"]
    joined = ["la", "de", "sur", "en", "lès", "saint", "et"]
    words = [w for t in texts for w in re.findall(r"[^\W\d_]{3,}", t)]
    out = []
    for text in texts:
        lines = []
        for line in text.splitlines():
            tokens = line.split()
            for i in range(len(tokens)):
                roll = rng.random()
                if roll < 0.04:
                    tokens[i] = f"{rng.choice(prefixes)}{rng.choice('-–—‐‑')}{tokens[i]}"
                elif roll < 0.06:
                    tokens[i] = f"{rng.choice(elided)}{rng.choice(chr(39) + '’')}{tokens[i]}"
                elif roll < 0.08:
                    tokens[i] = f"{tokens[i]}-{rng.choice(joined)}-{rng.choice(words)}"
                elif roll < 0.09:
                    tokens[i] = tokens[i].upper()
                elif roll < 0.10:
                    tokens[i] = f"{tokens[i]}·e·s"
            lines.append(" ".join(tokens))
        out.append("\n".join(lines))
    return out


@pytest.fixture(scope="module")
def corpus(analyzer: Analyzer) -> list[str]:
    assert analyzer.nlp is not None  # the French module is imported by then
    texts = _corpus_texts()
    module = sys.modules["spacy.lang.fr.tokenizer_exceptions"]
    prefixes = sorted({re.sub(r"[\[\]\(\)\?:|^]", "", a.split("[")[0]) or "anti" for a in module._regular_exp})
    prefixes = [p for p in prefixes if p.isalpha()]
    texts = texts + _variants(texts, prefixes) + [prepare(t) for t in texts]
    literal = [re.sub(r"\[[^\]]*\][*+?]?|\(\?:[^)]*\)\??|[\^$?]", "", a) for a in module._regular_exp]
    texts.append(" ".join(f"{w}-test {w}-Écoles {w}’x" for w in literal))
    while sum(len(t.split()) for t in texts) < MIN_TOKENS:
        texts = texts + _variants(texts[: len(texts) // 2], prefixes)
    return texts


def test_tokens_and_lemmas_are_spacys_own(analyzer: Analyzer, corpus: list[str]) -> None:
    nlp = analyzer.nlp
    lazy = nlp.tokenizer.token_match
    assert isinstance(getattr(lazy, "__self__", None), LazyTokenMatch)
    real = re.compile(lazy.__self__.pattern).match  # spaCy's expression, compiled the usual way
    lemmatizer = nlp.get_pipe("lemmatizer")
    index = lemmatizer.lookups.get_table("lemma_index")
    as_sets = dict(index.items())
    lemmatizer.cache = {}
    ours = [[(t.text, t.lemma_) for t in doc] for doc in nlp.pipe(corpus, batch_size=64)]
    # Reference: spaCy's expression compiled as spaCy does, its lemma index as the lists it ships, no cache.
    nlp.tokenizer.token_match = real
    for pos, words in as_sets.items():
        index[pos] = sorted(words) if isinstance(words, frozenset) else words
    lemmatizer.cache = {}
    try:
        theirs = [[(t.text, t.lemma_) for t in doc] for doc in nlp.pipe(corpus, batch_size=64)]
    finally:
        nlp.tokenizer.token_match = lazy
        for pos, words in as_sets.items():
            index[pos] = words
        lemmatizer.cache = {}
    tokens = sum(len(doc) for doc in ours)
    assert tokens >= MIN_TOKENS
    mismatches = [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
    assert not mismatches, mismatches[:1]


def test_the_lazy_matcher_agrees_with_the_expression_on_tricky_strings(analyzer: Analyzer) -> None:
    lazy = analyzer.nlp.tokenizer.token_match
    real = re.compile(lazy.__self__.pattern).match
    cases = ["auto-école", "Auto-École", "anti-inflammatoires", "entr'ouvrir", "grand’mère", "saut-de-ski",
             "pet-en-l'air", "2019–2021", "–", "New-York", "Saint-Jean-de-Luz", "ch'tiis", "prud'homal",
             "l'équipe", "aujourd'hui", "x", "", "co–construire", "ré-orientable", "non-humain", "ﬁnance-x"]
    for case in cases:
        assert bool(lazy(case)) == bool(real(case)), case

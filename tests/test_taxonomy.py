"""The taxonomy: the loader's checks, the shipped concepts, and what they find in candidates' own words."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from matchstage.analysis.concepts import FUNCTION_WORDS, ConceptMatcher, Pattern
from matchstage.analysis.lemmas import Analyzer, fold, prepare
from matchstage.analysis.taxonomy import SOURCES, Concept, Facet, Taxonomy, TaxonomyError, load_taxonomy
from matchstage.match import Engine, MatchOptions, match
from matchstage.ranking.scoring import ScoringRules
from tests.factories import write_pdf

DATA = Path(__file__).parent / "data"
PARAPHRASES = DATA / "paraphrases.tsv"

MINIMAL = {
    "disciplines": '[shs]\nlabel = "SHS"\nterms = ["sciences sociales"]\n',
    "methods": '[entretien]\nlabel = "Entretiens"\nterms = ["conduite d\'entretiens"]\n',
    "skills": '[savoir-etre]\nlabel = "Savoir-être"\n\n[autonomie]\nlabel = "Autonomie"\nterms = ["autonomie"]\n'
              'broader = "savoir-etre"\n',
}


def write_taxonomy(folder: Path, **files: str) -> Path:
    for facet, text in {**MINIMAL, **files}.items():
        (folder / f"{facet}.toml").write_text(text, encoding="utf-8")
    return folder


# -- the loader rejects what would silently break matching --------------------------------------------

def test_a_minimal_taxonomy_loads(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write_taxonomy(tmp_path))
    assert taxonomy["autonomie"].broader == ("savoir-etre",)
    assert taxonomy["entretien"].facet is Facet.METHODS


@pytest.mark.parametrize(("facet", "text", "message"), [
    ("disciplines", MINIMAL["disciplines"] + '[socio]\nlabel = "Socio"\nterms = ["sociologie"]\nbroader = "sh"\n',
     r"disciplines\.toml: concept 'socio': broader 'sh' is not a concept"),
    ("disciplines", '[a]\nlabel = "A"\nterms = ["aa"]\nbroader = "b"\n[b]\nlabel = "B"\nterms = ["bb"]\n'
                    'broader = "c"\n[c]\nlabel = "C"\nterms = ["cc"]\nbroader = "a"\n',
     r"disciplines\.toml: concept 'a': broader concepts form a cycle \(a -> b -> c -> a\)"),
    ("disciplines", '[a]\nlabel = "A"\nterms = ["aa"]\nbroader = "a"\n',
     r"concept 'a': broader names the concept itself"),
    ("methods", '[vide]\nlabel = "Vide"\nterms = []\n',
     r"methods\.toml: concept 'vide' has no term, acronym or English label"),
    ("methods", '[entretien]\nlabel = "Entretiens"\nterms = ["entretien"]\n[entretien]\nlabel = "Bis"\n',
     r"methods\.toml: concept id 'entretien' is defined twice"),
    ("skills", MINIMAL["skills"] + '[shs]\nlabel = "Doublon"\nterms = ["shs en compétence"]\n',
     r"disciplines\.toml: concept id 'shs' is defined twice \(also in skills\.toml\)"),
    ("methods", '[entretien]\nlabel = "Entretiens"\nterms = ["entretien"]\nbroader = "shs"\n',
     r"concept 'entretien': broader 'shs' is in disciplines\.toml"),
    ("methods", '[entretien]\nlabel = "Entretiens"\nterm = ["entretien"]\n',
     r"concept 'entretien': unknown field 'term'"),
    ("methods", '[entretien]\nterms = ["entretien"]\n', r"concept 'entretien': label must be a non-empty string"),
    ("methods", '[entretien]\nlabel = "E"\nterms = "entretien"\nacronyms = [3]\n',
     r"concept 'entretien': acronyms must be a list of non-empty strings"),
    ("methods", '[Entretien_Semi]\nlabel = "E"\nterms = ["entretien"]\n',
     r"concept id 'Entretien_Semi': use lowercase"),
    ("methods", '[chatons]\nlabel = "C"\nacronyms = ["CHATONS"]\n', r"acronym 'CHATONS' cannot match"),
    ("methods", '[sig]\nlabel = "SIG"\nacronyms = ["sig"]\n', r"acronym 'sig' cannot match"),
    ("methods", '[entretien]\nlabel = "E"\nterms = ["entretien"]\nsource = "wikipedia"\n',
     r"concept 'entretien': source 'wikipedia' is not one of curated, ESCO, ROME"),
    ("methods", '[entretien]\nlabel = "E"\nterms = ["Sciences  sociales"]\n',
     r"methods\.toml: concept 'entretien': 'Sciences  sociales' already belongs to concept 'shs' "
     r"\(disciplines\.toml\)"),
    ("methods", 'stray = 1\n', r"methods\.toml: 'stray' is not a concept table"),
    ("methods", '[entretien\n', r"methods\.toml: not valid TOML"),
])
def test_the_loader_names_the_file_and_the_concept(tmp_path: Path, facet: str, text: str, message: str) -> None:
    folder = write_taxonomy(tmp_path, **{facet: text})
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(folder)


def write_imported(folder: Path, facet: str, text: str) -> None:
    (folder / "imported").mkdir(exist_ok=True)
    (folder / "imported" / f"{facet}.json").write_text(text, encoding="utf-8")


def test_imported_concepts_are_read_after_the_curated_ones_and_may_hang_under_them(tmp_path: Path) -> None:
    folder = write_taxonomy(tmp_path)
    write_imported(folder, "disciplines", '{\n"rome-k1201": {"label": "Assistant de service social", '
                   '"terms": ["assistant de service social"], "acronyms": ["DEASS"], "broader": ["shs"], '
                   '"source": ["ROME"]}\n}\n')
    taxonomy = load_taxonomy(folder)
    assert taxonomy["rome-k1201"].broader == ("shs",) and taxonomy["rome-k1201"].imported
    assert not taxonomy["shs"].imported
    assert taxonomy.is_under("rome-k1201", "shs")


@pytest.mark.parametrize(("where", "text", "message"), [
    ("imported", '{"rome-x": {"label": "X", "terms": ["sciences sociales"]}}',
     r"imported/disciplines\.json: concept 'rome-x': 'sciences sociales' already belongs to concept 'shs'"),
    ("imported", '{"metier": {"label": "X", "terms": ["x y"]}}',
     r"imported/disciplines\.json: concept id 'metier': ids starting with esco- or rome- are those of the imported/"),
    ("curated", '[rome-x]\nlabel = "X"\nterms = ["x y"]\n',
     r"disciplines\.toml: concept id 'rome-x': ids starting with esco- or rome- are those of the imported/"),
    ("imported", '{"rome-x": {"label": "X", "terms": ["x y"]}, "rome-x": {"label": "Y", "terms": ["z"]}}',
     r"imported/disciplines\.json: 'rome-x' is defined twice"),
    ("imported", '{"rome-x": {"label": "X", "terms": ["x y"], "broader": ["entretien"]}}',
     r"concept 'rome-x': broader 'entretien' is in methods\.toml"),
    ("imported", '{"rome-x": ', r"imported/disciplines\.json: not valid JSON"),
])
def test_the_loader_checks_imported_concepts_as_curated_ones(tmp_path: Path, where: str, text: str,
                                                              message: str) -> None:
    if where == "imported":
        folder = write_taxonomy(tmp_path)
        write_imported(folder, "disciplines", text)
    else:
        folder = write_taxonomy(tmp_path, disciplines=MINIMAL["disciplines"] + text)
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(folder)


def test_a_grouping_concept_needs_no_term_when_it_has_narrower_ones(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write_taxonomy(tmp_path))
    assert taxonomy["savoir-etre"].terms == ()
    assert taxonomy.is_under("autonomie", "savoir-etre")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    write_taxonomy(tmp_path)
    (tmp_path / "skills.toml").unlink()
    with pytest.raises(TaxonomyError, match=r"skills\.toml: missing"):
        load_taxonomy(tmp_path)


def test_a_taxonomy_read_before_comes_back_from_the_cache_and_an_edit_is_read_and_checked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matchstage.analysis import taxonomy as module
    from matchstage.cache import Cache

    parsed: list[Path] = []
    real_read_tables = module._read_tables
    monkeypatch.setattr(module, "_read_tables", lambda path, raw: parsed.append(path) or real_read_tables(path, raw))

    (tmp_path / "taxonomy").mkdir()
    folder = write_taxonomy(tmp_path / "taxonomy")
    with Cache(tmp_path / "cache") as cache:
        first = load_taxonomy(folder, memo=cache)
        assert len(parsed) == 3
        again = load_taxonomy(folder, memo=cache)
        assert len(parsed) == 3  # not parsed again
        assert again.concepts == first.concepts and again.version == first.version
        assert again.ancestors("autonomie") == {"savoir-etre": 1}
        # An edited file is new bytes: parsed and checked again, its errors reported as without a cache.
        write_taxonomy(folder, methods='[entretien]\nlabel = "Entretiens"\nterms = ["sciences sociales"]\n')
        with pytest.raises(TaxonomyError, match=r"'sciences sociales' already belongs to concept 'shs'"):
            load_taxonomy(folder, memo=cache)
        write_taxonomy(folder, methods='[entretien]\nlabel = "Entretiens"\nterms = ["entretien collectif"]\n')
        edited = load_taxonomy(folder, memo=cache)
        assert edited["entretien"].terms == ("entretien collectif",) and edited.version != first.version


# -- the shipped taxonomy ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def matcher(taxonomy: Taxonomy, analyzer: Analyzer) -> ConceptMatcher:
    # The shipped patterns (tests/test_facets.py checks they are those of this taxonomy): compiling some
    # seventy thousand terms would take minutes.
    return ConceptMatcher.shipped(taxonomy) or ConceptMatcher.compile(taxonomy, analyzer)


@pytest.fixture(scope="module")
def curated(taxonomy: Taxonomy) -> list[Concept]:
    """The hand-written concepts. scripts/import_taxonomies.py runs the checks below on every imported term
    when it generates them (and drops those that fail); the tests check a sample of them."""
    return [c for c in taxonomy.concepts.values() if not c.imported]


def found(matcher: ConceptMatcher, analyzer: Analyzer, text: str) -> set[str]:
    return {h.concept for h in matcher.find(analyzer.analyse(text))}


def test_the_shipped_taxonomy_is_broad(taxonomy: Taxonomy, curated: list[Concept]) -> None:
    per_facet = defaultdict(int)
    for concept in curated:
        per_facet[concept.facet] += 1
    assert per_facet[Facet.DISCIPLINES] >= 200
    assert per_facet[Facet.METHODS] >= 120
    assert per_facet[Facet.SKILLS] >= 200
    imported = [c for c in taxonomy.concepts.values() if c.imported]
    assert len(imported) >= 10_000
    assert all(c.source and set(c.source) <= {"ESCO", "ROME"} for c in imported)
    # Most ROME métiers hang under a curated discipline, so that credit flows through the hierarchy.
    jobs = [c for c in imported if re.fullmatch(r"rome-[a-n]\d{4}", c.id)]
    assert len(jobs) > 1000
    assert sum(1 for c in jobs if any(not taxonomy[b].imported for b in taxonomy.ancestors(c.id))) > 0.8 * len(jobs)


def test_ids_used_elsewhere_are_kept(taxonomy: Taxonomy) -> None:
    # models/weights.toml ([concept_weights]) and the scoring tests name these.
    for cid in ("savoir-etre", "sociologie", "entretien-semi-directif", "sig", "gestion-projet", "autonomie", "ess"):
        assert cid in taxonomy.concepts


def test_every_shipped_concept_is_well_formed(taxonomy: Taxonomy) -> None:
    for concept in taxonomy.concepts.values():
        assert concept.label.strip() == concept.label and not concept.label[0].islower(), concept.id
        assert set(concept.source) <= set(SOURCES), concept.id
        for term in (*concept.terms, *concept.en):
            assert term == term.strip() and "  " not in term, (concept.id, term)


# Concepts whose label is one common word kept out of their terms on purpose, with what it would match.
AMBIGUOUS_LABELS = {
    "histoire": "une histoire de vie, l'histoire de l'association",
    "economie": "faire des économies, l'économie circulaire",
    "droit": "avoir le droit, les droits humains, ouvrir droit à",
    "sante": "la santé de l'association, une mutuelle santé",
    "environnement": "un environnement de travail stimulant, l'environnement Linux",
    "informatique": "the heading « Informatique : Word, Excel » of nearly every CV",
    "ingenierie": "ingénierie de formation, ingénierie territoriale",
    "architecture": "architecture logicielle, l'architecture du projet",
    "communication": "sciences de l'information et de la communication, qualités de communication",
    "evaluation": "évaluation des compétences, l'évaluation du stage",
}


def test_every_concept_is_found_in_its_own_label(taxonomy: Taxonomy, curated: list[Concept], matcher: ConceptMatcher,
                                                 analyzer: Analyzer) -> None:
    # Grouping concepts (no term of their own, such as savoir-etre) are never matched by design.
    missed = {c.id for c in curated
              if (c.terms or c.en or c.acronyms) and c.id not in found(matcher, analyzer, c.label)}
    assert missed == set(AMBIGUOUS_LABELS)
    for cid in AMBIGUOUS_LABELS:
        assert taxonomy[cid].label.lower() not in {t.lower() for t in taxonomy[cid].terms}


def sample_of_imported(taxonomy: Taxonomy, every: int = 60) -> list[Concept]:
    return [c for i, c in enumerate(c for c in taxonomy.concepts.values() if c.imported) if i % every == 0]


def test_every_term_finds_its_concept(taxonomy: Taxonomy, curated: list[Concept], matcher: ConceptMatcher,
                                      analyzer: Analyzer) -> None:
    # Not at the very end of a sentence: the tokenizer reads "R." or "SCoT." there as an abbreviation.
    # (An imported concept's label is its source's: "Comptable" names rome-m1203, too common a word to be a term.)
    pairs = [(c.id, t) for c in curated for t in (*c.terms, *c.en, *c.acronyms)]
    pairs += [(c.id, t) for c in sample_of_imported(taxonomy) for t in (*c.terms, *c.acronyms)]
    analysed = analyzer.analyse_many([f"Compétences : {t} et autres." for _, t in pairs])
    missed = [(cid, t) for (cid, t), text in zip(pairs, analysed) if cid not in {h.concept for h in matcher.find(text)}]
    assert missed == []


def test_no_term_loses_a_word_on_the_way(taxonomy: Taxonomy, curated: list[Concept], analyzer: Analyzer) -> None:
    # The analyser drops one-letter lower-case words: "e-learning" would become "learning" and match
    # "machine learning", "permis b" would become "permis" and match "cela m'a permis de".
    terms = [t for c in (*curated, *sample_of_imported(taxonomy)) for t in (*c.terms, *c.en)]
    lost = []
    for term, analysed in zip(terms, analyzer.analyse_many(terms)):
        written = [w for w in re.split(r"[\s\-‐‑/]+", prepare(term)) if w]
        written = [fold(re.sub(r"^(?:qu|[dljnsctm])['’]", "", w, flags=re.IGNORECASE)).strip(".,;:()") for w in written]
        content = [w for w in written if w and not w.isdigit() and w not in FUNCTION_WORDS]
        kept = [t for t in analysed.tokens if t.lemma not in FUNCTION_WORDS]
        if len(kept) < len(content):
            lost.append(term)
    assert lost == []


def test_no_two_concepts_share_a_term_once_lemmatised(matcher: ConceptMatcher) -> None:
    # Two patterns of the same length whose words can match the same written words, position by position.
    by_length: dict[int, list[Pattern]] = defaultdict(list)
    for pattern in matcher.patterns:
        if not pattern.acronym:
            by_length[len(pattern.keys)].append(pattern)
    shared = set()
    for patterns in by_length.values():
        by_first: dict[str, list[Pattern]] = defaultdict(list)
        for pattern in patterns:
            for key in pattern.keys[0]:
                by_first[key].append(pattern)
        for group in by_first.values():
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if a.concept != b.concept and all(x & y for x, y in zip(a.keys, b.keys)):
                        shared.add((a.concept, b.concept, " ".join(sorted(k)[0] for k in a.keys)))
    assert sorted(shared) == []


# -- candidates' and offers' own words ---------------------------------------------------------------

def read_paraphrases() -> list[tuple[str, str, str]]:
    with PARAPHRASES.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    return [(phrase, expected, facet) for phrase, expected, facet, *_ in rows]


@pytest.mark.parametrize(("phrase", "expected", "facet"), read_paraphrases())
def test_paraphrases_find_the_expected_concept(phrase: str, expected: str, facet: str, taxonomy: Taxonomy,
                                               matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    hits = found(matcher, analyzer, phrase)
    if expected.startswith("-"):
        # "-": nothing of that facet; "-id": not that concept nor anything under it.
        banned = expected[1:]
        if banned:
            assert not [c for c in hits if taxonomy.is_under(c, banned)], hits
        else:
            assert not [c for c in hits if taxonomy[c].facet.value == facet], hits
    else:
        assert taxonomy[expected].facet.value == facet
        # The concept itself or a narrower one: "entretiens semi-directifs" is an interview.
        assert [c for c in hits if taxonomy.is_under(c, expected)], hits


def test_paraphrases_cover_every_curated_concept(curated: list[Concept]) -> None:
    rows = read_paraphrases()
    assert sum(1 for _, expected, _ in rows if expected.startswith("-")) >= 25
    exercised = {expected for _, expected, _ in rows}
    matchable = [c.id for c in curated if c.terms or c.en or c.acronyms]
    unexercised = [cid for cid in matchable if cid not in exercised]
    assert unexercised == []


# -- coverage beyond the humanities (imported ESCO and ROME concepts) ------------------------------------

DEVELOPER_OFFER = """Développeur / Développeuse d'applications web (H/F)
Présentation
Coopérative numérique de l'économie sociale et solidaire, nous outillons les associations du territoire.
Missions
Développer et maintenir nos applications web (Python, Django, JavaScript), écrire les tests, déployer.
Profil recherché
Formation Bac+3 à Bac+5 en informatique. Connaissance de Git et des bases de données SQL.
"""

COMPUTER_SCIENCE_GRADUATE = """Formation
Master Informatique, parcours génie logiciel, Université de Rennes
Expériences
Stage de fin d'études : application de suivi des adhérents d'une association en Python et Django
Compétences
Git, PostgreSQL, JavaScript
"""

SOCIOLOGY_GRADUATE = """Formation
Master 2 Sociologie, Université Lyon 2
Expériences
Stage de recherche : entretiens semi-directifs auprès d'habitants d'un quartier
Compétences
Méthodes qualitatives, rédaction, Excel
"""


def test_a_computer_science_graduate_gets_the_discipline_of_a_developer_ad(tmp_path: Path, taxonomy: Taxonomy,
                                                                          analyzer: Analyzer) -> None:
    (tmp_path / "offre.txt").write_text(DEVELOPER_OFFER, encoding="utf-8")
    write_pdf(tmp_path / "c" / "CV_Informatique.pdf", COMPUTER_SCIENCE_GRADUATE)
    write_pdf(tmp_path / "c" / "CV_Sociologie.pdf", SOCIOLOGY_GRADUATE)
    engine = Engine(taxonomy, ScoringRules.load(), analyzer)
    ranking = match([tmp_path / "offre.txt"], tmp_path / "c", MatchOptions(), engine=engine).offers[0].ranking
    assert [r.candidate for r in ranking] == ["CV_Informatique.pdf", "CV_Sociologie.pdf"]
    disciplines = ranking[0].score.facets[Facet.DISCIPLINES]
    assert disciplines.score is not None and disciplines.score >= 0.5
    assert any(taxonomy.is_under(m.by, "informatique") for m in disciplines.matched), disciplines
    assert ranking[1].score.values[Facet.DISCIPLINES] == 0

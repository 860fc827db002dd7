from __future__ import annotations

from pathlib import Path

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.taxonomy import Taxonomy


def found(matcher: ConceptMatcher, analyzer: Analyzer, text: str) -> dict[str, str]:
    return {h.concept: h.words for h in matcher.find(analyzer.analyse(text))}


def test_inflected_forms_and_word_order_match(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    hits = found(small_matcher, analyzer, "J'ai mené des entretiens semi-directifs ; projets en gestion.")
    assert "entretien-semi-directif" in hits
    assert "gestion-projet" in hits
    assert hits["entretien-semi-directif"] == "entretiens semi directifs"


def test_words_joined_by_de_do_not_match_backwards(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    # "projets de gestion" (management projects) is not "gestion de projet"; backwards without "de", it is.
    assert "gestion-projet" not in found(small_matcher, analyzer, "Suivi des projets de gestion des déchets.")
    assert "gestion-projet" not in found(small_matcher, analyzer, "Mise à jour des projets d'une gestion locative.")
    assert "gestion-projet" in found(small_matcher, analyzer, "Plusieurs projets en gestion.")


def test_acronyms_match_case_sensitively(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    assert "ess" in found(small_matcher, analyzer, "Master ESS à Lyon")
    assert "sig" in found(small_matcher, analyzer, "outils SIG (QGIS)")
    assert "ess" not in found(small_matcher, analyzer, "un ess de plus")


def test_inclusive_and_hyphen_variants_match(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    assert "sociologie" in found(small_matcher, analyzer, "sociologues et chercheur.es")
    assert "entretien-semi-directif" in found(small_matcher, analyzer, "entretiens semi directifs")


def test_english_labels_match(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    hits = found(small_matcher, analyzer, "MSc in Sociology, project management, semi-structured interviews")
    assert {"sociologie", "gestion-projet", "entretien-semi-directif"} <= hits.keys()


def test_words_far_apart_do_not_match(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    text = "La gestion du budget, des plannings, des équipes, des stocks et des fournisseurs ; un projet."
    assert "gestion-projet" not in found(small_matcher, analyzer, text)


def test_the_longest_of_overlapping_matches_wins(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    # "sociologie de la santé" is that sub-discipline, not also plain "sociologie" (the hierarchy gives that credit).
    hits = found(small_matcher, analyzer, "Master 2 sociologie de la santé, Lyon")
    assert "sociologie-sante" in hits
    assert "sociologie" not in hits
    # Separate mentions on one line are both kept.
    hits = found(small_matcher, analyzer, "Licence de sociologie puis master de sociologie de la santé")
    assert {"sociologie", "sociologie-sante"} <= hits.keys()


def test_a_term_is_not_read_across_punctuation(small_matcher: ConceptMatcher, analyzer: Analyzer) -> None:
    # "Compétences : gestion" is a heading and its first item, not one phrase.
    assert "gestion-projet" not in found(small_matcher, analyzer, "Projets : gestion des stocks, inventaires.")
    assert "gestion-projet" in found(small_matcher, analyzer, "Projets : gestion de projets culturels.")


def test_the_shipped_patterns_are_those_of_the_shipped_taxonomy(analyzer: Analyzer) -> None:
    """`make patterns` was run after the last change to the taxonomy or the analysis."""
    from matchstage.analysis.concepts import SHIPPED_PATTERNS
    from matchstage.analysis.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    shipped = ConceptMatcher.shipped(taxonomy)
    assert shipped is not None, f"{SHIPPED_PATTERNS} is out of date: run `make patterns`"
    # Each term is lemmatised on its own: the curated concepts and a sample of the imported ones (all of them
    # would take minutes) give the same patterns compiled here.
    imported = [cid for cid, c in taxonomy.concepts.items() if c.imported]
    chosen = {cid for cid, c in taxonomy.concepts.items() if not c.imported} | set(imported[::50])
    part = Taxonomy({cid: c for cid, c in taxonomy.concepts.items() if cid in chosen}, taxonomy.version)
    assert [p for p in shipped.to_json() if p[0] in chosen] == ConceptMatcher.compile(part, analyzer).to_json()


def test_patterns_of_another_taxonomy_or_version_are_not_used(small_taxonomy: Taxonomy, tmp_path: Path) -> None:
    from matchstage.analysis.concepts import SHIPPED_PATTERNS

    assert ConceptMatcher.shipped(small_taxonomy) is None  # built for the shipped taxonomy, not this one
    assert ConceptMatcher.shipped(small_taxonomy, tmp_path / "absent.json.gz") is None
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    assert ConceptMatcher.shipped(small_taxonomy, broken) is None
    assert SHIPPED_PATTERNS.is_file()

"""What a profile puts in the text score: section weights, concept terms, words only claimed."""

from __future__ import annotations

import pytest

from matchstage.analysis.concepts import ConceptMatcher
from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.profiles import CONCEPT_TERM, Profiler, TextRules
from matchstage.ranking.scoring import TextSimilarity

RULES = TextRules.load()


def test_concepts_found_are_terms_with_their_broader_ones_weaker(analyzer: Analyzer,
                                                                 small_matcher: ConceptMatcher) -> None:
    profile = Profiler(analyzer, small_matcher).candidate_documents(
        [("a", "cv.pdf", "Expériences\nConduite d'entretiens semi-directifs auprès d'habitants.\n")])[0]
    terms = dict(profile.concept_terms)
    assert RULES.concepts > 0
    assert terms[CONCEPT_TERM + "entretien-semi-directif"] == pytest.approx(RULES.concepts)
    # entretien-semi-directif -> methodes-qualitatives in the test taxonomy
    assert terms[CONCEPT_TERM + "methodes-qualitatives"] == pytest.approx(RULES.concepts * RULES.broader_decay)


def test_other_words_for_the_same_concept_bring_two_texts_closer(analyzer: Analyzer,
                                                                 small_matcher: ConceptMatcher) -> None:
    profiler = Profiler(analyzer, small_matcher)
    offer = profiler.offers(["Profil recherché\nMaîtrise des entretiens semi-directifs.\n"])[0]
    same, other = profiler.candidate_documents([
        ("same", "cv.pdf", "Expériences\nPassation d'entretiens semi-directifs en EHPAD.\n"),
        ("other", "cv.pdf", "Expériences\nPassation de questionnaires en EHPAD.\n")])
    with_concepts = TextSimilarity.fitted_similarities([offer], [same, other])[0]
    assert with_concepts[0] > with_concepts[1]
    assert any(t.startswith(CONCEPT_TERM) for t, _ in same.concept_terms)
    assert not other.concept_terms or all("entretien" not in t for t, _ in other.concept_terms)


def test_a_word_only_claimed_counts_less_than_one_used_to_say_what_was_done(
        analyzer: Analyzer, small_matcher: ConceptMatcher) -> None:
    profiler = Profiler(analyzer, small_matcher)
    claimed, used = profiler.candidate_documents([
        ("claimed", "cv.pdf", "Formation\nBTS comptabilité.\nExpériences\nComptable.\nCompétences\nethnographie\n"),
        ("used", "cv.pdf", "Formation\nBTS comptabilité.\nExpériences\nComptable ; ethnographie d'un quartier.\n"
                           "Compétences\nethnographie\n")])

    def weight(profile: object, lemma: str) -> float:
        return sum(w for word, w in zip(profile.lemmas, profile.weights_of_lemmas()) if word == lemma)  # type: ignore

    competences = 0.6  # models/sections.toml [cv.competences]
    assert RULES.uncorroborated < 1
    assert weight(claimed, "ethnographie") == pytest.approx(competences * RULES.uncorroborated)
    assert weight(used, "ethnographie") == pytest.approx(1.0 + competences)
    # A document without education or experience (a cover letter) is left as it is.
    letter = profiler.candidate_documents([("l", "lettre.pdf", "Madame,\nj'aime l'ethnographie.\n")])[0]
    assert weight(letter, "ethnographie") > 0

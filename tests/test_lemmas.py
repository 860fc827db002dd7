from __future__ import annotations

import pytest

from matchstage.analysis.lemmas import Analyzer, fold


def lemmas(analyzer: Analyzer, text: str) -> list[str]:
    return [t.lemma for t in analyzer.analyse(text).tokens]


@pytest.mark.parametrize(
    ("text", "lemma"),
    [("étudiant.e", "etudiant"), ("chercheur.es", "chercheur"), ("acteurs/trices", "acteur"),
     ("nombreu⋅ses", "nombreux"), ("habitant·es", "habitant")],
)
def test_inclusive_forms_lemmatise_to_their_base_word(analyzer: Analyzer, text: str, lemma: str) -> None:
    tokens = analyzer.analyse(f"Les {text} du quartier").tokens
    assert any(lemma in t.keys for t in tokens), [t.keys for t in tokens]
    assert not any("·" in t.word or "/" in t.word or "." in t.word for t in tokens)


def test_acronyms_are_kept_not_mangled(analyzer: Analyzer) -> None:
    tokens = analyzer.analyse("Master SHS et ESS, maîtrise du SIG").tokens
    acronyms = {t.lemma for t in tokens if t.acronym}
    assert {"shs", "ess", "sig"} <= acronyms


def test_headings_in_capitals_are_not_taken_for_acronyms(analyzer: Analyzer) -> None:
    tokens = analyzer.analyse("EXPÉRIENCES PROFESSIONNELLES").tokens
    assert [t.lemma for t in tokens] == ["experience", "professionnel"]
    assert not any(t.acronym for t in tokens)


def test_stop_words_are_marked_and_left_out_of_content(analyzer: Analyzer) -> None:
    analysed = analyzer.analyse("Les entretiens avec des habitants de la ville")
    assert analysed.content_lemmas() == ["entretien", "habitant", "ville"] or "le" not in analysed.content_lemmas()
    assert "le" not in analysed.content_lemmas() and "de" not in analysed.content_lemmas()


def test_hyphenated_words_match_their_spaced_form(analyzer: Analyzer) -> None:
    a = analyzer.analyse("entretiens semi-directifs").content_lemmas()
    b = analyzer.analyse("entretien semi directif").content_lemmas()
    assert a == b


def test_fold_removes_accents_and_case() -> None:
    assert fold("Économie Sociale’s") == "economie sociale's"


def test_tokens_know_their_line(analyzer: Analyzer) -> None:
    tokens = analyzer.analyse("Formation\nMaster de sociologie\nAnglais").tokens
    assert [(t.lemma, t.line) for t in tokens if not t.stop] == [
        ("formation", 0), ("master", 1), ("sociologie", 1), ("anglais", 2)]


def test_grammatical_gender_does_not_change_lemmas(analyzer: Analyzer) -> None:
    feminine = "Étudiante, chargée de mission, employée, animatrice, chercheuse, doctorante, consultante, infirmière"
    masculine = "Étudiant, chargé de mission, employé, animateur, chercheur, doctorant, consultant, infirmier"
    assert analyzer.analyse(feminine).content_lemmas() == analyzer.analyse(masculine).content_lemmas()


@pytest.mark.parametrize(("feminine", "masculine"), [
    ("ingénieure d'études", "ingénieur d'études"),
    ("cheffe de projet", "chef de projet"),
    ("professeure des écoles", "professeur des écoles"),
    ("directrice adjointe", "directeur adjoint"),
])
def test_both_genders_of_a_title_give_the_same_lemmas(analyzer: Analyzer, feminine: str, masculine: str) -> None:
    def lemmas(text: str) -> list[str]:
        return [t.lemma for t in analyzer.analyse(text).tokens if not t.stop]
    assert lemmas(feminine) == lemmas(masculine)


def test_a_one_letter_prefix_stays_with_its_word(analyzer: Analyzer) -> None:
    assert "elearning" in lemmas(analyzer, "Conception de modules de e-learning")
    assert "learning" not in lemmas(analyzer, "Conception de modules de e-learning")
    assert lemmas(analyzer, "porte-à-porte") == lemmas(analyzer, "porte à porte")

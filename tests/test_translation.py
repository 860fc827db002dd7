"""An English CV read into French words (analysis/translation.py): what its text score and concepts rest on."""

from __future__ import annotations

import pytest

from matchstage.analysis.lemmas import Analyzer
from matchstage.analysis.translation import Translator, read_lexicon
from matchstage.paths import models_dir


@pytest.fixture(scope="module")
def translator(analyzer: Analyzer) -> Translator:
    return Translator(read_lexicon(), analyzer)


def _french(translator: Translator, analyzer: Analyzer, text: str) -> list[str]:
    return translator.read(analyzer.analyse(text)).content_lemmas()


def test_an_english_line_reads_as_the_french_one_would(translator: Translator, analyzer: Analyzer) -> None:
    english = _french(translator, analyzer, "Field surveys of residents and report writing.")
    french = analyzer.analyse("Enquêtes de terrain auprès des habitants et rédaction de rapports.").content_lemmas()
    assert set(english) <= set(french) | {"resident"}
    assert {"enquete", "terrain", "habitant", "redaction", "rapport"} <= set(english)


def test_words_of_no_meaning_go_and_unknown_words_stay(translator: Translator, analyzer: Analyzer) -> None:
    lemmas = _french(translator, analyzer, "Maps with QGIS and PostGIS for the park")
    assert "qgis" in lemmas and "postgis" in lemmas
    assert not {"with", "and", "the", "for"} & set(lemmas)


def test_a_french_word_is_lemmatised_as_in_a_sentence(translator: Translator, analyzer: Analyzer) -> None:
    # Alone, "cartographie" gives "cartographi"; read in its carrier sentence, the lemma of French text.
    assert _french(translator, analyzer, "Mapping") == analyzer.analyse("Cartographie thématique").content_lemmas()[:1]


def test_the_lexicon_is_well_formed() -> None:
    keys = []
    for number, line in enumerate((models_dir() / "lexicon_en_fr.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        assert "\t" in line, f"line {number}: no tab"
        keys.append(line.split("\t")[0])
    assert len(keys) == len(set(keys)), "an English word twice"
    assert len(keys) > 500


def test_a_concept_found_through_the_french_reading_shows_the_english_words(translator: Translator,
                                                                            analyzer: Analyzer) -> None:
    from matchstage.analysis.concepts import ConceptMatcher
    from matchstage.analysis.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    matcher = ConceptMatcher.shipped(taxonomy)
    assert matcher is not None
    english = analyzer.analyse("Field inventory of wetlands with GPS.")
    hits = {h.concept: h.words for h in matcher.find(translator.read(english))}
    # "zones humides" is a French term of biodiversity: found in the French reading, shown as the CV wrote it.
    assert hits.get("biodiversite") == "wetlands"
    assert all("zone" not in words for words in hits.values())

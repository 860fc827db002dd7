from __future__ import annotations

from matchstage.analysis.personal import name_words, strip_personal

HEADER = """Léa NGUYEN
Photo
12 rue des Lilas, 69007 Lyon
06 12 34 56 78 · lea.nguyen@exemple.fr · linkedin.com/in/lea
Née le 12/03/2001 (24 ans)
Nationalité : française
Master 2 Sociologie, entretiens auprès de 12 structures
"""


def test_personal_details_are_removed_and_reported() -> None:
    names = name_words("CV_Lea_Nguyen.pdf", HEADER.splitlines())
    text, removed = strip_personal(HEADER, names)
    for detail in ("NGUYEN", "Léa", "Lilas", "69007", "06 12", "@", "linkedin", "2001", "24 ans", "française",
                   "Photo"):
        assert detail not in text
    assert "Master 2 Sociologie, entretiens auprès de 12 structures" in text
    kinds = {r.kind for r in removed}
    assert {"name", "photo", "address", "phone", "email", "url", "birth", "nationality"} <= kinds


def test_name_words_come_from_file_name_and_top_line() -> None:
    assert name_words("cv-thomas-bernard-2025.pdf", ["Curriculum vitae"]) == {"thomas", "bernard"}
    assert name_words("Ines_Haddad", ["Inès HADDAD", "Master"]) == {"ines", "haddad"}


def test_an_acronym_in_the_file_name_is_not_taken_for_a_name() -> None:
    """"CV CESF - Bérénice Faure.pdf": CESF is her degree (conseillère en ESF), which the CV names too."""
    acronyms = frozenset({"cesf", "cds"})
    names = name_words("CV CESF - Berenice Faure.pdf", ["Bérénice FAURE", "CESF – 6 ans d'exp."], acronyms)
    assert {"berenice", "faure"} <= names and "cesf" not in names
    # A surname that happens to be an acronym is still a name when the top line writes it as one.
    assert "cds" in name_words("CV Lea CDS.pdf", ["Léa CDS"], acronyms)

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

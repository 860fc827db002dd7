"""Normalisation: what every reader's text looks like before analysis."""

from __future__ import annotations

import pytest

from matchstage.reading.normalize import normalize_pages, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e\ufb03cace, \ufb01nance, \ufb02ux, e\ufb00ort, \ufb06yle", "efficace, finance, flux, effort, style"),
        ("\uff33\uff29\uff27 et \uff12\uff10\uff12\uff16", "SIG et 2026"),  # fullwidth forms
        ("étudiant·es, habitant⋅es", "étudiant·es, habitant⋅es"),  # inclusive writing's dots are kept
        ("l’équipe, l‘offre, lʼatelier", "l'équipe, l'offre, l'atelier"),
        ("sœur, œuvre, Œdipe", "sœur, œuvre, Œdipe"),
        ("sociologie\u00a0: terrain\u202fde 6\u2009mois", "sociologie : terrain de 6 mois"),
        ("co\u00adconstruction, zéro\u200blargeur\u200d, \ufeffBOM", "coconstruction, zérolargeur, BOM"),
        ("une organi-\nsation solidaire", "une organisation solidaire"),
        ("une organi\u00ad\nsation solidaire", "une organisation solidaire"),
        ("Jean-\nPierre", "Jean-\nPierre"),  # capital after the break: a compound name
        ("2019-\n2021", "2019-\n2021"),
        ("Python -\nanglais", "Python -\nanglais"),  # a dash after a space is no hyphenation
        ("a\r\nb\rc\u2028d", "a\nb\nc\nd"),
        ("  trop    d'espaces \t ici  ", "trop d'espaces ici"),
        ("un\n\n\n\n\ndeux", "un\n\ndeux"),
        ("contrôle\x00\x07\x1b[0m ok", "contrôle[0m ok"),
        ("e\u0301te\u0301", "été"),  # decomposed accents composed (NFC)
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_text_is_idempotent() -> None:
    once = normalize_text("L’ef\ufb01cacité d’une organi-\nsation\u00a0: 50\u202f%")
    assert normalize_text(once) == once == "L'efficacité d'une organisation : 50 %"


def test_running_headers_and_page_numbers_are_dropped_on_three_pages() -> None:
    pages = [f"Léa Martin — CV\nContenu de la page {i}\nsuite {i}\nPage {i} / 3" for i in range(1, 4)]
    assert normalize_pages(pages) == "\n".join(f"Contenu de la page {i}\nsuite {i}" for i in range(1, 4))


def test_a_header_with_the_page_number_in_it_repeats() -> None:
    pages = [f"CV de Léa Martin - page {i}\nExpérience {chr(64 + i)}\n{word}" for i, word in enumerate("xyz", 1)]
    assert normalize_pages(pages) == "Expérience A\nx\nExpérience B\ny\nExpérience C\nz"


def test_two_pages_need_the_line_on_both() -> None:
    both = normalize_pages(["Léa Martin\nFormation\nMaster", "Léa Martin\nLangues\nAnglais"])
    assert both == "Formation\nMaster\nLangues\nAnglais"
    one = normalize_pages(["Léa Martin\nFormation", "Langues\nAnglais"])
    assert one == "Léa Martin\nFormation\nLangues\nAnglais"


def test_below_sixty_percent_of_pages_a_line_stays() -> None:
    pages = ["Note\nA", "Note\nB", "C\nfin", "D\nfin", "E\nfin"]  # "Note" on 2 of 5 pages, "fin" on 3 of 5
    assert normalize_pages(pages) == "Note\nA\nNote\nB\nC\nD\nE"


def test_repeats_in_the_middle_of_a_page_are_content() -> None:
    body = "1\n2\n3\n{}\nPython\n4\n5\n6"
    pages = [body.format(f"Section {i}") for i in range(1, 4)]
    assert normalize_pages(pages).count("Python") == 3


def test_page_numbers_alone_and_a_single_page() -> None:
    assert normalize_pages(["- 1 -\nFormation\nMaster", "Langues\nAnglais\n2"]) == "Formation\nMaster\nLangues\nAnglais"
    assert normalize_pages(["Formation\nMaster 2\nPage 1 sur 1"]) == "Formation\nMaster 2"
    assert normalize_pages(["Compétences\n12"]) == "Compétences\n12"  # a bare number on one page is content


def test_a_page_made_only_of_repeated_lines_keeps_them() -> None:
    assert normalize_pages(["habibi", "habibi", "habibi"]) == "habibi\nhabibi\nhabibi"


def test_a_word_cut_across_two_pages_is_joined() -> None:
    assert normalize_pages(["Chargée de l'organi-", "sation du festival"]) == "Chargée de l'organisation du festival"

"""``make catalog``: the message template from the code, merged into each catalogue, compiled to ``.mo``.

Messages come from three places: ``_()``, ``ngettext()`` and ``N_()`` calls in ``src/matchstage/**.py``
(Babel's Python extractor), the Jinja2 templates of the HTML report (Jinja2's extractor), and the help of
the click commands, which Babel cannot see (docstrings, option help): :func:`matchstage.cli_i18n.messages`
walks the command tree for them.

``src/matchstage/locale/matchstage.pot`` is rewritten; each ``LANG/LC_MESSAGES/matchstage.po`` keeps its
translations and header comment (the glossary), gains the new messages (empty, or marked fuzzy with a close
old translation to review) and loses the ones the code no longer has; then it is compiled to ``.mo``, which is
committed so that a user needs no build step. Babel is a development dependency only: at run time the
standard library's ``gettext`` reads the ``.mo``.

    .venv/bin/python scripts/catalog.py            # extract, merge, compile
    .venv/bin/python scripts/catalog.py --check    # exit 1 if the template or a .mo is not up to date
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "matchstage"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "matchstage.pot"
LANGUAGES = ("fr",)
CLICK_SOURCE = "src/matchstage/cli.py"

_METHODS = [("**.py", "python"), ("outputs/templates/**.j2", "jinja2")]
_OPTIONS = {"outputs/templates/**.j2": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                                "trim_blocks": "true", "lstrip_blocks": "true"}}


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "matchstage.po"


def source_messages() -> Iterator[tuple[str | tuple[str, str], str, int]]:
    """``(message, file, line)`` for every message marked in the package's Python code and templates."""
    for filename, lineno, message, _comments, _context in extract_from_dir(
            PACKAGE, _METHODS, _OPTIONS, keywords=DEFAULT_KEYWORDS):
        yield message, f"src/matchstage/{filename}", lineno


def click_messages() -> list[str]:
    """Every help text, option help and metavar of the click command tree."""
    sys.path.insert(0, str(ROOT / "src"))
    from matchstage.cli import cli
    from matchstage.cli_i18n import messages

    return list(dict.fromkeys(m for m in messages(cli) if m))


def template() -> Catalog:
    from matchstage import __version__

    catalog = Catalog(project="matchstage", version=__version__, copyright_holder="matchstage",
                      msgid_bugs_address="", fuzzy=False)
    for message, filename, lineno in source_messages():
        catalog.add(message, None, [(filename, lineno)])
    for message in click_messages():
        if message not in catalog:
            catalog.add(message, None, [(CLICK_SOURCE, None)])
    return catalog


def _po_bytes(catalog: Catalog, *, template: bool) -> bytes:
    out = io.BytesIO()
    # No line numbers: a message moving down a file is no change to review (and no merge conflict).
    write_po(out, catalog, width=110, omit_header=False, ignore_obsolete=True, include_previous=False,
             sort_by_file=False, include_lineno=False)
    text = out.getvalue()
    if template:  # the template's date changes on every run: keep it out of the comparison
        text = b"\n".join(line for line in text.split(b"\n") if not line.startswith(b'"POT-Creation-Date'))
    return text


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def merged(language: str, pot: Catalog) -> Catalog:
    path = catalogue_path(language)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain="matchstage")
    else:
        catalog = Catalog(locale=language, domain="matchstage", project="matchstage", fuzzy=False)
    catalog.update(pot, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    return catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if something is out of date")
    args = parser.parse_args(argv)
    pot = template()
    stale = []
    outputs = {TEMPLATE: _po_bytes(pot, template=True)}
    for language in LANGUAGES:
        catalog = merged(language, pot)
        outputs[catalogue_path(language)] = _po_bytes(catalog, template=False)
        outputs[catalogue_path(language).with_suffix(".mo")] = _mo_bytes(catalog)
    for path, data in outputs.items():
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    untranslated = [m.id for language in LANGUAGES for m in merged(language, pot) if m.id and (not m.string or m.fuzzy)]
    if untranslated:
        print(f"{len(untranslated)} message(s) without a reviewed translation (empty or fuzzy)")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())

"""The interface language: French or English, with the standard library's gettext.

Messages are written in English in the code, wrapped in ``_()``; their French translations are a gettext
catalogue kept as data (``locale/fr/LC_MESSAGES/matchstage.po``, compiled to ``.mo`` by ``make catalog``).
The language is French when the user's locale is French (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
as gettext reads them), English otherwise, and ``--lang fr|en`` forces it.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "matchstage"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``fr`` when the first language the environment asks for is French, else ``en`` (gettext's order)."""
    environ = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            first = value.split(":")[0].lower()
            return "fr" if first.startswith("fr") else "en"
    return "en"


def set_language(language: str) -> None:
    """Use ``language`` (``fr`` or ``en``) for every message from now on."""
    global _current, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: use {' or '.join(LANGUAGES)}")
    _language = language
    if language == "en":
        _current = gettext.NullTranslations()
    else:
        _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """``message`` in the interface language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message for ``count``, in the interface language."""
    return _current.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; ``_()`` translates it where it is shown."""
    return message

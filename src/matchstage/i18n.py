from __future__ import annotations


def _(message: str) -> str:
    """Return ``message`` as it is: a gettext catalogue will replace it."""
    return message

"""Translation of user-visible messages.

Every new English message goes through :func:`_` so that a gettext catalogue (French first) can replace
this function later without touching the call sites; for now it returns the message unchanged.
"""

from __future__ import annotations


def _(message: str) -> str:
    """The message in the user's language; a gettext catalogue will replace this identity function."""
    return message

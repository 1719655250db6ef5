"""Errors raised by the article store."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be opened or cannot do what was asked.

    Messages name the store URI (with any password masked) and what is wrong.
    """

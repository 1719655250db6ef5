"""Archival crawler for Chinese regional news: shared core."""

__version__ = "0.1.0"

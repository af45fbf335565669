"""Errors that end a run with exit code 2 and one clear line (never a traceback)."""

from __future__ import annotations


class UsageError(Exception):
    """Bad command line, configuration or directive: the message is shown as is, exit code 2."""

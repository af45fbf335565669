"""Importing what a run needs when it first needs it: a command, a reporter, a rule."""

from __future__ import annotations

from typing import Any


def imported(module: str, attribute: str) -> Any:
    """``module.attribute``, importing ``module`` now (once: Python keeps it)."""
    # __import__, not importlib.import_module: only the import statement's path shows in `-X importtime`.
    return getattr(__import__(module, fromlist=[attribute]), attribute)

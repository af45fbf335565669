"""The garbage collector's policy for a process that checks files and exits: one collection per file.

Every parsed tree is cyclic (each node points at its parent), so it is freed by the cyclic
garbage collector, not by reference counting. Left to its thresholds, the collector runs every
700 allocations while a file is parsed and checked, walks the file's tree again each time the tree
survives, and moves it into the oldest generation, whose collections walk everything alive.
Measured on the corpus, that cost a check 20-25 % of its time, twice what the same collections cost
a bare parse (a check keeps the tree alive while its rules run).

Pausing the collector while one file is checked and collecting the youngest generation once the
file's tree is garbage walks each object about once and frees the whole tree at once; memory
stays bounded by the largest file. Only the command line and its pool workers turn this on
(:func:`collect_per_file`): a library caller keeps its own collector settings.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")

_per_file = False


def collect_per_file() -> None:
    """From now on, :func:`checked_apart` pauses the collector while a file is checked (for a
    process that checks and exits: the command line, a pool worker)."""
    global _per_file
    _per_file = True


def checked_apart(check: Callable[[], Result]) -> Result:
    """``check()``, whose result holds no parsed tree, with the collector paused during it and its
    garbage collected after it (when :func:`collect_per_file` was called; else just ``check()``)."""
    if not _per_file or not gc.isenabled():
        return check()
    gc.disable()
    try:
        return check()
    finally:
        gc.enable()
        gc.collect(0)

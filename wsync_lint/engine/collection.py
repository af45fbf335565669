"""The garbage collector's policy for a process that checks files and exits (the command line, a pool
worker), not for a library caller, which keeps its own settings.

Every parsed tree is cyclic (each node points at its parent), so it is freed by the cyclic
garbage collector, not by reference counting. Two things keep the collector's cost down:

- What is loaded when the run starts (modules, sqlglot's tables) is frozen: full collections
  would otherwise walk every long-lived import again (measured: 5-6 % of a check of a few hundred
  files).
- Left to its thresholds, the collector runs every 700 allocations while a file is parsed and
  checked, walks the file's tree again each time the tree survives, and moves it into the oldest
  generation, whose collections walk everything alive. Measured on the corpus, that took 20-25 % of
  a check, twice what the same collections cost a bare parse (a check keeps the tree alive while
  its rules run). Pausing the collector while one file is checked and collecting the youngest
  generation once the file's tree is garbage walks each object about once and frees the whole tree
  at once; memory stays bounded by the largest file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")

_per_file = False


def collect_for_a_run() -> None:
    """Freeze what is loaded by now, and from now on let :func:`checked_apart` pause the
    collector while a file is checked."""
    global _per_file
    gc.freeze()
    _per_file = True


def checked_apart(check: Callable[[], Result]) -> Result:
    """``check()``, whose result holds no parsed tree, with the collector paused during it and its
    garbage collected after it (after :func:`collect_for_a_run`; else just ``check()``)."""
    if not _per_file or not gc.isenabled():
        return check()
    gc.disable()
    try:
        return check()
    finally:
        gc.enable()
        gc.collect(0)

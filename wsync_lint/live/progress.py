"""The progress display of long live runs: one bar per run, one line per pipeline, on a terminal.

Shown only to a person at a terminal: not in CI (``CI`` set), not when the report is JSON or
another machine format, not with ``--quiet``, and not when standard error is no terminal. It
writes to standard error, so a report on standard output stays clean.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from wsync_lint.live.preflight import Progress


def wanted(output_format: str, quiet: bool) -> bool:
    """Whether a progress display fits this run."""
    return output_format == "text" and not quiet and not os.environ.get("CI") and sys.stderr.isatty()


class RichProgress(Progress):
    """A rich progress bar on standard error, removed when the run ends."""

    def __init__(self, console: Any = None) -> None:
        """``console``: where to draw (standard error by default)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._started = False

    def start(self, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task("preflight", total=total)

    def step(self, label: str) -> None:
        if self._started:
            self._bar.advance(self._task)
        self._started = True
        self._bar.update(self._task, description=f"preflight {label}")
        self._bar.refresh()  # show the pipeline now, not at the next tick: a compile can take seconds

    def stop(self) -> None:
        if self._started:
            self._bar.advance(self._task)
        self._bar.stop()


def progress_for(output_format: str, quiet: bool) -> Progress:
    """The display for this run: rich's on a terminal (when rich is installed), else none."""
    if not wanted(output_format, quiet):
        return Progress()
    try:
        return RichProgress()
    except ImportError:  # rich comes with the warehouse extras; without it, no display
        return Progress()

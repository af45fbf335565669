"""``--format concise``: one line per finding, ``path:line:col: CODE [severity] message`` (no code
frame, no hint), then what a live run did not check, what it measured and the summary (both unless
``--quiet``): for grep, editors that read one line per problem, and pre-commit logs."""

from __future__ import annotations

from wsync_lint.engine.run_result import RunResult
from wsync_lint.report.text import render_text


def render_concise(result: RunResult, quiet: bool = False, color: bool = False) -> str:
    """The concise format of ``result``; ``quiet`` leaves out the figures and the summary."""
    return render_text(result, quiet, color, concise=True)

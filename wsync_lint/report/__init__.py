"""Output formats. Each reporter turns a run's result into the text that is printed.

``REPORTERS`` maps a format name to its reporter; the CLI's ``--format`` choices come from it.
Imports only :mod:`wsync_lint.engine` and the layers below it.
"""

from __future__ import annotations

from collections.abc import Callable

from wsync_lint.engine.run_result import RunResult
from wsync_lint.report.concise import render_concise
from wsync_lint.report.github import render_github
from wsync_lint.report.json_format import render_json
from wsync_lint.report.junit import render_junit
from wsync_lint.report.sarif import render_sarif
from wsync_lint.report.text import render_text

Reporter = Callable[[RunResult, bool], str]
"""``reporter(result, quiet) -> text``."""

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
    "junit": render_junit,
    "concise": render_concise,
}

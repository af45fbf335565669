"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::message`` (``::warning`` for
warnings), escaped as the runner's toolkit escapes them.
"""

from __future__ import annotations

from wsync_lint.engine.runner import RunResult


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: RunResult, quiet: bool = False) -> str:
    lines = []
    for v in result.violations:
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", v.path),
                ("line", v.line),
                ("col", v.column),
                ("endLine", v.end_line),
                ("endColumn", v.end_column),
                ("title", v.code),
            )
        )
        message = v.message if not v.hint else f"{v.message}\nhint: {v.hint}"
        lines.append(f"::{v.severity.value} {properties}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")

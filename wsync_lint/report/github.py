"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::message`` (``::warning`` for
warnings), escaped as the runner's toolkit escapes them. Paths, messages and hints are first made
one line each (:func:`~wsync_lint.printable.one_line`), as in the text format: the log shows a
newline or an escape sequence from a file as ``\n`` or ``\x1b``, and only the line before the
hint breaks the annotation. What ``preflight --sample`` / ``--cost`` measured is a
``::notice title=wsync-lint sample <pipeline>::...`` (and ``cost``) line per pipeline.
"""

from __future__ import annotations

from wsync_lint.engine.run_result import RunResult
from wsync_lint.printable import one_line


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: RunResult, quiet: bool = False) -> str:
    """One annotation per finding, a warning per live target the run did not check, then a notice
    per pipeline for each of its sample and cost (``preflight --sample`` / ``--cost``)."""
    lines = []
    for v in result.violations:
        properties = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (
                ("file", one_line(v.path)),
                ("line", v.line),
                ("col", v.column),
                ("endLine", v.end_line),
                ("endColumn", v.end_column),
                ("title", v.code),
            )
        )
        message = one_line(v.message) if not v.hint else f"{one_line(v.message)}\nhint: {one_line(v.hint)}"
        lines.append(f"::{v.severity.value} {properties}::{_escape_data(message)}")
    for target in result.not_checked:
        said = one_line(target.line)
        lines.append(f"::warning title=wsync-lint::{_escape_data(said)}")
    if result.figures:
        from wsync_lint.report.figures import notices  # only a measuring preflight needs it

        # notices() has made every quoted value one line; its own newlines separate the message's lines.
        lines.extend(
            f"::notice title={_escape_property(title)}::{_escape_data(message)}"
            for title, message in notices(result.figures)
        )
    return "\n".join(lines) + ("\n" if lines else "")

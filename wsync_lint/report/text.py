"""The text format: ``path:line:col: CODE [severity] message``, a hint line, a summary line.

On a terminal (and unless ``NO_COLOR`` is set) the CLI asks for colour: the position in bold,
errors in red, warnings in yellow, hints dimmed. The words are the same either way. Paths,
messages and hints quote files, so each is printed as one line with control characters escaped
(:func:`~wsync_lint.printable.one_line`): a value in a file cannot forge a line of the report.
"""

from __future__ import annotations

import click

from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.runner import RunResult
from wsync_lint.printable import counted, one_line

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def summary_line(result: RunResult) -> str:
    """One line that counts what was found, e.g. ``Found 3 problems (2 errors, 1 warning) in 4 files.``"""
    files = counted(result.files, "file")
    fixed = f" {counted(result.fixed, 'problem')} fixed." if result.fixed else ""
    if not result.violations:
        return f"All checks passed ({files} checked).{fixed}"
    problems = counted(len(result.violations), "problem")
    counts = f"{counted(result.errors, 'error')}, {counted(result.warnings, 'warning')}"
    return f"Found {problems} ({counts}) in {files}.{fixed}"


def not_run_line(result: RunResult) -> str:
    """Which selected rules could not run, e.g. ``2 rules need a schema snapshot: RF05, RF06.``"""
    codes = sorted(result.not_run)
    needs = "needs" if len(codes) == 1 else "need"
    return (
        f"{counted(len(codes), 'rule')} {needs} a schema snapshot: {', '.join(codes)} "
        "(they did not run on models without one; see `schema-dir`)."
    )


def finding_lines(v: Violation, color: bool = False) -> list[str]:
    """One finding: ``path:line:col: CODE [severity] message``, then its hint line when it has one."""

    def style(text: str, **how: object) -> str:
        return click.style(text, **how) if color else text  # type: ignore[arg-type]

    where = style(f"{one_line(v.path)}:{v.line}:{v.column}:", bold=True)
    code = style(f"{v.code} [{v.severity.value}]", fg=_SEVERITY_COLOUR[v.severity], bold=True)
    lines = [f"{where} {code} {one_line(v.message)}"]
    if v.hint:
        lines.append(style(f"    hint: {one_line(v.hint)}", dim=True))
    return lines


def render_text(result: RunResult, quiet: bool = False, color: bool = False) -> str:
    lines = [line for v in result.violations for line in finding_lines(v, color)]
    if not quiet:
        lines.append(summary_line(result))
        if result.not_run:
            lines.append(not_run_line(result))
    return "\n".join(lines) + ("\n" if lines else "")

"""The text format: ``path:line:col: CODE [severity] message``, the source line with a caret under
the finding (a code frame, :mod:`.frames`), a hint line; then what a live run did not check, the
tables of what ``preflight --sample`` / ``--cost`` measured (:mod:`.figures`), and a summary line.
``concise`` is the same without frames and hints: one line per finding.

On a terminal (and unless ``NO_COLOR`` is set) the CLI asks for colour: the position in bold,
errors in red, warnings in yellow, hints dimmed. The words are the same either way. Paths,
messages and hints quote files, so each is printed as one line with control characters escaped
(:func:`~wsync_lint.printable.one_line`): a value in a file cannot forge a line of the report.
"""

from __future__ import annotations

import click

from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.run_result import RunResult
from wsync_lint.printable import counted, one_line
from wsync_lint.report.frames import frame_lines

_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


_KIND_NOUNS = {"api": "API workspace"}
"""What a not-checked target is called in the summary, when its kind is not the word itself."""


def summary_line(result: RunResult) -> str:
    """One line that counts what was found, e.g. ``Found 3 problems (2 errors, 1 warning) in 4 files.``;
    never "All checks passed" when a live target was not checked (``...; 1 connection not checked.``)
    or a measurement asked for was not made (``...; 1 pipeline not fully measured.``)."""
    files = counted(result.files, "file")
    fixed = f" {counted(result.fixed, 'problem')} fixed." if result.fixed else ""
    kinds = list(dict.fromkeys(target.kind for target in result.not_checked))
    not_checked = " and ".join(
        counted(sum(1 for target in result.not_checked if target.kind == kind), _KIND_NOUNS.get(kind, kind))
        for kind in kinds
    )
    # What was not checked, and what --sample / --cost were asked and could not measure: no pass either.
    unmeasured = sum(1 for figure in result.figures if figure.not_measured)
    shortfalls = "; ".join(
        said
        for said in (
            f"{not_checked} not checked" if not_checked else "",
            f"{counted(unmeasured, 'pipeline')} not fully measured" if unmeasured else "",
        )
        if said
    )
    if not result.violations:
        if shortfalls:
            return f"No problems found in {files}; {shortfalls}.{fixed}"
        if not result.files:  # "All checks passed" would be a claim about nothing
            return "No files checked: nothing under the paths given is a data model or a payload (`--show-files` says why)."
        return f"All checks passed ({files} checked).{fixed}"
    problems = counted(len(result.violations), "problem")
    counts = f"{counted(result.errors, 'error')}, {counted(result.warnings, 'warning')}"
    also = f"; {shortfalls}" if shortfalls else ""
    return f"Found {problems} ({counts}) in {files}{also}.{fixed}"


def not_checked_lines(result: RunResult) -> list[str]:
    """One line per live target the run did not check: ``not checked: connection `x`: why``."""
    return [one_line(target.line) for target in result.not_checked]


def not_run_line(result: RunResult) -> str:
    """Which selected rules could not run, e.g. ``2 rules need a schema snapshot: RF05, RF06.``"""
    codes = sorted(result.not_run)
    needs = "needs" if len(codes) == 1 else "need"
    return (
        f"{counted(len(codes), 'rule')} {needs} a schema snapshot: {', '.join(codes)} "
        "(they did not run on models without one; see `schema-dir`)."
    )


def figures_lines(result: RunResult) -> list[str]:
    """The tables of what ``preflight --sample`` / ``--cost`` measured (none for ``check``)."""
    if not result.figures:
        return []
    from wsync_lint.report.figures import figure_lines  # only a measuring preflight needs it

    return figure_lines(result.figures)


def finding_lines(v: Violation, color: bool = False, source: str | None = None, concise: bool = False) -> list[str]:
    """One finding: ``path:line:col: CODE [severity] message``, then (given the file's ``source``
    text) its code frame, then its hint line when it has one; ``concise``: the first line only."""

    def style(text: str, **how: object) -> str:
        return click.style(text, **how) if color else text  # type: ignore[arg-type]

    where = style(f"{one_line(v.path)}:{v.line}:{v.column}:", bold=True)
    code = style(f"{v.code} [{v.severity.value}]", fg=_SEVERITY_COLOUR[v.severity], bold=True)
    lines = [f"{where} {code} {one_line(v.message)}"]
    if concise:
        return lines
    lines.extend(frame_lines(v, source, style))
    if v.hint:
        lines.append(style(f"    hint: {one_line(v.hint)}", dim=True))
    return lines


def render_text(result: RunResult, quiet: bool = False, color: bool = False, concise: bool = False) -> str:
    """The text format (``concise``: one line per finding); ``quiet`` leaves out the figures and the summary."""
    lines = [
        line for v in result.violations for line in finding_lines(v, color, result.sources.get(v.path), concise=concise)
    ]
    lines.extend(not_checked_lines(result))
    if not quiet:
        lines.extend(figures_lines(result))
        lines.append(summary_line(result))
        if result.not_run:
            lines.append(not_run_line(result))
    return "\n".join(lines) + ("\n" if lines else "")

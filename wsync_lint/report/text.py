"""The text format: ``path:line:col: CODE [severity] message``, a hint line, a summary line."""

from __future__ import annotations

from wsync_lint.runner import RunResult


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(result: RunResult) -> str:
    """One line that counts what was found, e.g. ``Found 3 problems (2 errors, 1 warning) in 4 files.``"""
    files = _plural(result.files, "file")
    fixed = f" {_plural(result.fixed, 'problem')} fixed." if result.fixed else ""
    if not result.violations:
        return f"All checks passed ({files} checked).{fixed}"
    problems = _plural(len(result.violations), "problem")
    counts = f"{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')}"
    return f"Found {problems} ({counts}) in {files}.{fixed}"


def render_text(result: RunResult, quiet: bool = False) -> str:
    lines = []
    for v in result.violations:
        lines.append(f"{v.path}:{v.line}:{v.column}: {v.code} [{v.severity.value}] {v.message}")
        if v.hint:
            lines.append(f"    hint: {v.hint}")
    if not quiet:
        lines.append(summary_line(result))
    return "\n".join(lines) + ("\n" if lines else "")

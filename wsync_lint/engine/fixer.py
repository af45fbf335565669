"""Safe fixes (``--fix``) and their preview (``--diff``).

A fix is applied only when every finding of the file, linted again after the edits, is one it
had before (by code, counted): a fix that would make anything new appear is not applied, so a
fix can never trade one problem for another. Fixing repeats until nothing is left to fix, so a second run finds nothing. Line
endings, the byte-order mark and the encoding (UTF-8) are kept.

A fixed file is written atomically, in its project and never through a symbolic link
(:func:`wsync_lint.files.write_atomically`): a file that may not be written (a link, a file
outside its project root, a read-only file) is left as it is, named in ``FixReport.refused``,
and the other files are still fixed.
"""

from __future__ import annotations

import codecs
import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wsync_lint.contract.rule import Edit, Violation
from wsync_lint.engine.model_check import FilePlan, check_source
from wsync_lint.engine.run_result import RunOptions, RunResult
from wsync_lint.engine.runner import Planner, display_path
from wsync_lint.engine.stdin import STDIN_NAME, StdinFile
from wsync_lint.errors import UsageError
from wsync_lint.files import Unreadable, read_bounded, write_atomically
from wsync_lint.printable import one_line
from wsync_lint.project.roots import RootFinder

_MAX_ROUNDS = 10


@dataclass
class FixedText:
    """The outcome of fixing one file's text."""

    text: str
    fixed: list[Violation] = field(default_factory=list)


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[Edit]]:
    """Apply the edits that do not overlap an earlier one; return the text and the edits applied."""
    applied: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        if edit.span.start < last_end:
            continue
        applied.append(edit)
        last_end = edit.span.end
    for edit in reversed(applied):
        text = text[: edit.span.start] + edit.replacement + text[edit.span.end :]
    return text, applied


def fix_text(text: str, path: str, plan: FilePlan | Sequence[FilePlan]) -> FixedText:
    """Fix ``text`` as far as is safe, checking it as it was checked before: with ``plan``, or
    with each of several plans (one per pipeline that uses the model, each in its warehouse)."""
    plans = [plan] if isinstance(plan, FilePlan) else list(plan)

    def check(source: str) -> list[Violation]:
        found = {v.sort_key(): v for each in plans for v in check_source(source, path, each)}
        return sorted(found.values(), key=Violation.sort_key)

    result = FixedText(text)
    violations = check(text)
    for _ in range(_MAX_ROUNDS):
        fixable = [v for v in violations if v.fix is not None]
        if not fixable:
            break
        chosen: list[Violation] = []
        edits: list[Edit] = []
        taken_end = -1
        for violation in sorted(fixable, key=lambda v: v.fix.edits[0].span.start):  # type: ignore[union-attr]
            fix_edits = sorted(violation.fix.edits, key=lambda e: e.span.start)  # type: ignore[union-attr]
            if fix_edits[0].span.start < taken_end:
                continue  # overlaps a fix already chosen this round; the next round takes it
            chosen.append(violation)
            edits.extend(fix_edits)
            taken_end = max(e.span.end for e in fix_edits)
        new_text, _ = apply_edits(result.text, edits)
        after = check(new_text)
        expected = Counter(v.code for v in violations) - Counter(v.code for v in chosen)
        if not Counter(v.code for v in after) <= expected:
            break  # the edits would bring in a finding of their own: leave the file alone
        result.text, violations = new_text, after
        result.fixed.extend(chosen)
    return result


@dataclass
class FixReport:
    """What ``--fix`` or ``--diff`` did over a run."""

    fixed: int = 0
    diffs: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """One line per file that was not written, and why (its findings remain)."""


def _read(path: Path, max_size: int, inside: Path) -> tuple[bool, str] | None:
    """Whether the file starts with a byte-order mark, and its text (None when it cannot be read:
    its findings say why)."""
    data = read_bounded(path, max_size, inside=inside)
    if isinstance(data, Unreadable):
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return bom, data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass
class FixedStdin:
    """``check - --fix`` / ``--diff``: standard input's bytes with the safe fixes applied."""

    data: bytes
    fixed: int = 0
    diff: str = ""


def fix_stdin(result: RunResult, stdin: StdinFile, options: RunOptions) -> FixedStdin:
    """Fix the text of standard input (checked as ``result`` says) as :func:`fix_paths` fixes a
    file; a payload, or a text that is not SQL, comes back as it was."""
    shown = display_path(stdin.path) if stdin.path is not None else STDIN_NAME
    source = stdin.sql_source()
    if stdin.is_payload or not isinstance(source, str):
        return FixedStdin(stdin.data)
    plans = [plan for plan, _ in result.analysed.get(shown, [])] or [Planner(options).plan_for(stdin.location)]
    fixed = fix_text(source, shown, plans)
    if not fixed.fixed:
        return FixedStdin(stdin.data)
    bom = codecs.BOM_UTF8 if stdin.data.startswith(codecs.BOM_UTF8) else b""
    return FixedStdin(bom + fixed.text.encode("utf-8"), len(fixed.fixed), unified_diff(shown, source, fixed.text))


def fix_paths(result: RunResult, options: RunOptions, write: bool) -> FixReport:
    """Fix (``write``) or diff every file of ``result`` that has fixable findings.

    Each file is re-checked with the plans it was checked with in ``result`` (for a model a
    pipeline uses: in its connection's warehouse, with its settings), to refuse a fix that would
    bring in a new finding. ``result`` is left as it was: after writing, the caller checks the
    paths again as a whole (cross-file findings included), so that what it reports is what
    ``check`` reports next.
    """
    report = FixReport()
    planner = Planner(options)
    roots = RootFinder()
    fixable_paths = sorted({v.path for v in result.violations if v.fix is not None})
    for shown in fixable_paths:
        path = Path(shown)
        root = roots.root_of(path).folder
        read = _read(path, planner.config_for(path).max_file_size, root)
        if read is None:
            continue
        bom, text = read
        plans = [plan for plan, _ in result.analysed.get(shown, [])] or [planner.plan_for(path)]
        fixed = fix_text(text, shown, plans)
        if not fixed.fixed:
            continue
        if write:
            data = (codecs.BOM_UTF8 if bom else b"") + fixed.text.encode("utf-8")
            try:
                write_atomically(path, data, inside=root)
            except UsageError as error:
                report.refused.append(str(error))
                continue
            report.fixed += len(fixed.fixed)
        else:
            report.fixed += len(fixed.fixed)
            report.diffs.append(unified_diff(shown, text, fixed.text))
    return report


def unified_diff(shown: str, before: str, after: str) -> str:
    """The fix of file ``shown`` as a unified diff, as `git apply` and `patch` take it: the lines
    as they are (a diff that escaped them would not apply), the file's name in the headers escaped
    like every quoted name (a name holding a line break cannot forge a header or a hunk)."""
    name = one_line(shown)
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"
    )
    return "".join(lines)

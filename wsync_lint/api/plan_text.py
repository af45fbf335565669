"""The plan as people read it (design §4.2).

Terraform's symbols (``+`` create, ``~`` update), plus ``!`` for a blocked change and ``?`` for
what is left alone (a live resource the project lacks, a field transformation that cannot be
checked). Unchanged resources are counted, not listed. Each resource is a line with its payload
file at column 50 (or two spaces after a long id), then its fields: ``~ key = before -> after``
with values as JSON, an addition ``+``, a removal ``-`` (set in mParticle, not in the file), a
data model's SQL as a unified diff of the text deploy sends, and each write-only secret with the
variable it is sent from, never a value. Every line comes from files and from the server, so
each is made one line (:func:`~wsync_lint.printable.one_line`): a value cannot forge a line.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

from wsync_lint.analysis.payload_diff import MISSING, FieldChange
from wsync_lint.api.plan import Change, Plan
from wsync_lint.api.writes import PlannedWrite
from wsync_lint.printable import counted, json_text, one_line
from wsync_lint.project.resources import Kind
from wsync_lint.report.text import finding_lines

SYMBOLS = {"create": "+", "update": "~", "blocked": "!", "unchecked": "?", "unmanaged": "?"}
_PATH_COLUMN = 50
_SQL_POINTER = ("config", "sql_query")


def plan_text(plan: Plan, writes: Sequence[PlannedWrite] | None = None) -> str:
    """The plan (and, for ``--dry-run``, the requests ``writes``) as text, ending in a newline."""
    sections = [[_header(plan)]]
    listed = [line for change in plan.changes if change.action != "noop" for line in _change_lines(change)]
    listed.extend(f"note: {one_line(note)}" for note in plan.notes)
    sections.append(listed or ["No changes: the workspace matches the project."])
    if writes:
        sections.append(_request_lines(writes))
    closing = [line for violation in plan.findings for line in finding_lines(violation)]
    closing.append(_summary_line(plan))
    if plan.preflight:
        closing.append(f"Warehouse preflight {one_line(plan.preflight).rstrip('.')}.")
    sections.append(closing)
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def _header(plan: Plan) -> str:
    counts = ", ".join(counted(plan.read.get(kind, 0), kind.display) for kind in _READ_KINDS)
    return f"workspace {one_line(plan.workspace)}: {counts} read"


_READ_KINDS = (Kind.CONNECTION, Kind.DATA_MODEL, Kind.PIPELINE)


def _summary_line(plan: Plan) -> str:
    summary = plan.summary
    unchecked = f", {summary['unchecked']} not checked" if summary["unchecked"] else ""
    return (
        f"Plan: {summary['create']} to create, {summary['update']} to update, {summary['blocked']} blocked, "
        f"{summary['noop']} unchanged{unchecked}."
    )


def _change_lines(change: Change) -> list[str]:
    title = f"{SYMBOLS[change.action]} {change.kind.display} {one_line(change.id)}"
    if change.action == "unmanaged":
        state = change.live.state if change.live is not None else None
        said = f" ({one_line(state)})" if state else ""
        lines = [f"{title}{said}: in the workspace, not in the project (left alone)"]
    else:
        path = one_line(change.path or "")
        lines = [f"{title.ljust(_PATH_COLUMN - 2)}  {path}" if path else title]
    blocked = {each.pointer for each in change.blocked}
    for each in change.blocked:
        lines.append(
            f"    ! {one_line(each.key)} = {_value(each.live)} -> {_value(each.committed)}: {one_line(each.why)}   [LV06]"
        )
    for each in change.fields:
        if each.pointer not in blocked:
            lines.extend(_field_lines(each, change.sql_file))
    symbol = "+" if change.action == "create" else "~"
    lines.extend(f"    {symbol} {slot.key} = (write-only; sent from {slot.source})" for slot in change.secrets)
    lines.extend(f"    note: {one_line(note)}" for note in change.notes)
    if change.blocked:
        lines.append(
            "    note: nothing is sent for it: keep mParticle's value in the file, or create a new id knowingly "
            "(a new resource starts over with a full sync)"
        )
    return lines


def _field_lines(change: FieldChange, sql_file: str | None) -> list[str]:
    key = one_line(change.key)
    if change.pointer == _SQL_POINTER and isinstance(change.before, str) and isinstance(change.after, str):
        source = f" (from {one_line(sql_file)})" if sql_file else ""
        return [f"    ~ {key}{source}", *(f"        {line}" for line in _sql_diff(change.before, change.after))]
    if change.before is MISSING:
        return [f"    + {key} = {_value(change.after)}"]
    if change.after is MISSING:
        return [f"    - {key} = {_value(change.before)} (set in mParticle, not in the file; the PUT will not send it)"]
    return [f"    ~ {key} = {_value(change.before)} -> {_value(change.after)}"]


def _sql_diff(live: str, committed: str) -> list[str]:
    """The unified diff (no context) from the live query to the committed one; a last line
    without a newline is marked as ``diff`` does, since the final newline matters (design R-7)."""
    lines = []
    for line in difflib.unified_diff(live.splitlines(True), committed.splitlines(True), n=0):
        if line.startswith(("---", "+++")):
            continue
        lines.append(one_line(line.removesuffix("\n")))
        if line[:1] in ("+", "-", " ") and not line.endswith("\n"):
            lines.append("\\ No newline at end of file")
    return lines


def _request_lines(writes: Sequence[PlannedWrite]) -> list[str]:
    lines = ["Requests deploy sends (each secret shown as the variable it is read from; nothing was sent):"]
    for write in writes:
        lines.append(f"{write.method} {one_line(write.url)}")
        body = json_text(json.dumps(write.body, indent=2, ensure_ascii=False, default=str))
        lines.extend(f"    {line}" for line in body.splitlines())
    return lines


def _value(value: Any) -> str:
    return one_line(json.dumps(value, ensure_ascii=False, default=str))

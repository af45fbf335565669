"""The JSON format: a contract that scripts and CI parse (see PRODUCT.md).

Field names and order are fixed; findings are sorted by path, line, column and code; ``pipelines``
holds what ``preflight --sample`` / ``--cost`` measured (:mod:`.figures`). The text is
exactly what ``json.dumps(document, indent=2, ensure_ascii=False)`` gives (a test holds it to
that), but the findings are laid out by hand with the C string encoder: with ``indent``,
``json.dumps`` falls back to its pure-Python encoder, which took 6% of a check with tens of
thousands of findings. The only other difference: characters JSON may hold raw but a terminal or
a UTF-8 stream may not (C1 controls, line separators, bidirectional controls, lone surrogates)
are written as ``\\uXXXX`` escapes (:func:`~wsync_lint.printable.json_text`), which parse to the
same strings.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from wsync_lint import __version__
from wsync_lint.contract.rule import Violation
from wsync_lint.engine.run_result import RunResult
from wsync_lint.printable import json_text

_FINDINGS_SLOT = '"findings": []'


def render_json(result: RunResult, quiet: bool = False) -> bytes | bytearray:
    """The report as UTF-8 bytes, built finding by finding: with tens of thousands of findings it
    runs to tens of megabytes, and a single character beyond the Basic Multilingual Plane (an
    emoji quoted in a message) would make Python hold the whole text as a string of four bytes a
    character, several copies over."""
    document = {
        "version": __version__,
        "findings": [],
        "summary": {
            "files": result.files,
            "errors": result.errors,
            "warnings": result.warnings,
            "rules_not_run": sorted(result.not_run),
            "not_checked": [
                {"kind": target.kind, "id": target.id, "reason": target.why, "unreachable": target.unreachable}
                for target in result.not_checked
            ],
        },
        "pipelines": pipelines_of(result),
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if not result.violations:
        return json_text(text).encode("utf-8")
    before, after = text.split(_FINDINGS_SLOT, 1)
    # json_text escapes characters inside strings only, so it can be applied piece by piece.
    written = bytearray(json_text(f'{before}"findings": [\n').encode("utf-8"))
    separator = b""
    for violation in result.violations:
        written += separator
        written += json_text(_finding(violation)).encode("utf-8")
        separator = b",\n"
    written += json_text(f"\n  ]{after}").encode("utf-8")
    return written  # not copied into a `bytes`: written out as it is


def pipelines_of(result: RunResult) -> list[dict[str, Any]]:
    """What ``preflight --sample`` / ``--cost`` measured, one object per pipeline (``[]`` for ``check``);
    the SARIF format carries the same."""
    if not result.figures:
        return []
    from wsync_lint.report.figures import pipeline_objects  # only a measuring preflight needs it

    return pipeline_objects(result.figures)


def finding_object(v: Violation) -> dict[str, Any]:
    """One finding as this format writes it (the plan's and the status's JSON use it too)."""
    return {
        "path": v.path,
        "line": v.line,
        "column": v.column,
        "end_line": v.end_line,
        "end_column": v.end_column,
        "code": v.code,
        "name": v.name,
        "severity": v.severity.value,
        "message": v.message,
        "hint": v.hint,
    }


def _finding(v: Violation) -> str:
    """:func:`finding_object` laid out by hand (see the module's docstring)."""
    hint = "null" if v.hint is None else encode_basestring(v.hint)
    return (
        f'    {{\n      "path": {encode_basestring(v.path)},\n      "line": {v.line},\n'
        f'      "column": {v.column},\n      "end_line": {v.end_line},\n      "end_column": {v.end_column},\n'
        f'      "code": {encode_basestring(v.code)},\n      "name": {encode_basestring(v.name)},\n'
        f'      "severity": {encode_basestring(v.severity.value)},\n      "message": {encode_basestring(v.message)},\n'
        f'      "hint": {hint}\n    }}'
    )

"""The JSON format: a contract that scripts and CI parse (see PRODUCT.md).

Field names and order are fixed; findings are sorted by path, line, column and code.
"""

from __future__ import annotations

import json

from wsync_lint import __version__
from wsync_lint.runner import RunResult


def render_json(result: RunResult, quiet: bool = False) -> str:
    document = {
        "version": __version__,
        "findings": [
            {
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
            for v in result.violations
        ],
        "summary": {
            "files": result.files,
            "errors": result.errors,
            "warnings": result.warnings,
            "rules_not_run": sorted(result.not_run),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

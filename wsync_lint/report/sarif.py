"""SARIF 2.1.0 for code scanning: one run, every rule with its documentation, one result per finding.

Columns are counted in Unicode code points (``columnKind``), like every other format here.
Characters that JSON may hold raw but a terminal or a UTF-8 stream may not are written as
``\\uXXXX`` escapes (:func:`~wsync_lint.printable.json_text`), as in the JSON format. What
``preflight --sample`` / ``--cost`` measured is in ``runs[0].properties.pipelines``, as the JSON
format's ``pipelines``.
"""

from __future__ import annotations

import json

from wsync_lint import __version__
from wsync_lint.engine.docs import render_markdown_page, sections
from wsync_lint.engine.registry import all_rules
from wsync_lint.engine.run_result import RunResult
from wsync_lint.printable import json_text
from wsync_lint.report.json_format import pipelines_of

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule_descriptor(rule) -> dict:
    what = sections(rule).get("What it does", rule.summary)
    page = render_markdown_page(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": what},
        "help": {"text": page, "markdown": page},
        "defaultConfiguration": {"level": rule.default_severity.value, "enabled": rule.default_enabled},
    }


def _invocation(result: RunResult) -> dict:
    """The run's invocation: not successful when a live target was not checked, each named in a
    warning notification (code scanning shows them as tool notifications)."""
    return {
        "executionSuccessful": not result.not_checked,
        "toolExecutionNotifications": [
            {"level": "warning", "message": {"text": target.line}} for target in result.not_checked
        ],
    }


def render_sarif(result: RunResult, quiet: bool = False) -> str:
    """The SARIF document of ``result`` (``quiet`` changes nothing)."""
    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for v in result.violations:
        text = v.message if not v.hint else f"{v.message}\nhint: {v.hint}"
        results.append(
            {
                "ruleId": v.code,
                "ruleIndex": index[v.code],
                "level": v.severity.value,
                "message": {"text": text},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": v.path, "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": v.line,
                                "startColumn": v.column,
                                "endLine": v.end_line,
                                "endColumn": v.end_column,
                            },
                        }
                    }
                ],
            }
        )
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "wsync-lint",
                        "version": __version__,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "invocations": [_invocation(result)],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"pipelines": pipelines_of(result)},
            }
        ],
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"

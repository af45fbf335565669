"""Every output format against golden files, from one fixed result (independent of the rules).

SARIF is also validated against the official SARIF 2.1.0 schema kept in tests/data/sarif/, and
JUnit is parsed back with xml.etree.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from wsync_lint import __version__
from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.registry import all_rules
from wsync_lint.engine.runner import RunResult
from wsync_lint.report import REPORTERS
from wsync_lint.report.statistics import render_statistics

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("WSYNC_LINT_UPDATE_GOLDEN") == "1"


def _result() -> RunResult:
    result = RunResult(
        paths=["models/clean.sql", "models/tickets.sql", "models/users, v2.sql"],
        violations=[
            Violation(
                path="models/tickets.sql", line=2, column=5, code="RF03", end_line=2, end_column=12,
                name="aggregate-without-group-by", severity=Severity.ERROR,
                message="`u.email` is neither aggregated nor in GROUP BY, next to `COUNT(t.id)`",
                hint="add `GROUP BY u.email`",
            ),
            Violation(
                path="models/tickets.sql", line=7, column=7, code="RF02", end_line=7, end_column=8,
                name="undefined-qualifier", severity=Severity.ERROR,
                message="`t` in `t.status` is no table or alias in scope (in scope: `tickets`)",
                hint=None,
            ),
            Violation(
                path="models/users, v2.sql", line=1, column=8, code="CO04", end_line=1, end_column=25,
                name="case-folded-name", severity=Severity.WARNING,
                message="attribute `propensity_to_buy` lands in mParticle as `PROPENSITY_TO_BUY` (100% sure: a:b)",
                hint='quote it: `AS "propensity_to_buy"`',
            ),
        ],
    )  # fmt: skip
    result.violations.sort(key=Violation.sort_key)
    return result


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_cli_format_choices_are_the_reporters():
    from wsync_lint.cli.options import FORMATS

    assert tuple(REPORTERS) == FORMATS


@pytest.mark.parametrize("name", ["text", "json", "github", "junit"])
def test_golden_output(name):
    _golden(f"report.{name}", REPORTERS[name](_result(), False))


def test_golden_text_quiet_and_statistics():
    _golden("report.text-quiet", REPORTERS["text"](_result(), True))
    _golden("report.statistics", render_statistics(_result()))


def test_json_fields():
    document = json.loads(REPORTERS["json"](_result(), False))
    assert document["version"] == __version__
    assert document["summary"] == {"files": 3, "errors": 2, "warnings": 1, "rules_not_run": []}
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in document["findings"]] == [
        ("models/tickets.sql", 2, 5, "RF03"),
        ("models/tickets.sql", 7, 7, "RF02"),
        ("models/users, v2.sql", 1, 8, "CO04"),
    ]


def test_sarif_is_valid_and_complete():
    document = json.loads(REPORTERS["sarif"](_result(), False))
    schema = json.loads((REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("wsync-lint", __version__)
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in all_rules()]
    for descriptor, rule in zip(driver["rules"], all_rules(), strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        help_lines = descriptor["help"]["markdown"].splitlines()
        assert help_lines[0] == rule.summary and "#### What it does" in help_lines
        assert descriptor["defaultConfiguration"]["level"] == rule.default_severity.value
    _golden("report.sarif-results.json", json.dumps(run["results"], indent=2) + "\n")
    first = run["results"][0]
    assert first["ruleId"] == "RF03"
    assert driver["rules"][first["ruleIndex"]]["id"] == "RF03"
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 12,
    }  # fmt: skip


def test_junit_parses_with_a_case_per_file_and_a_failure_per_finding():
    root = ET.fromstring(REPORTERS["junit"](_result(), False))
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == ["models/clean.sql", "models/tickets.sql", "models/users, v2.sql"]
    assert [len(case.findall("failure")) for case in cases] == [0, 2, 1]
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")
    failure = cases[1].find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message").startswith("RF03 `u.email`")


def test_github_escapes_commas_colons_and_newlines():
    lines = REPORTERS["github"](_result(), False).splitlines()
    assert lines[2].startswith("::warning file=models/users%2C v2.sql,line=1,col=8,endLine=1,endColumn=25,title=CO04::")
    assert "100%25 sure: a:b" in lines[2]
    assert "%0Ahint: quote it" in lines[2]


def test_empty_result_in_every_format():
    empty = RunResult(paths=["a.sql"])
    assert REPORTERS["text"](empty, False) == "All checks passed (1 file checked).\n"
    assert REPORTERS["github"](empty, False) == ""
    assert json.loads(REPORTERS["json"](empty, False))["findings"] == []
    assert ET.fromstring(REPORTERS["junit"](empty, False)).find("testsuite/testcase").findall("failure") == []


def test_text_in_colour_has_the_same_words():
    import click

    from wsync_lint.report.text import render_text

    coloured = render_text(_result(), color=True)
    assert coloured != render_text(_result())
    assert click.unstyle(coloured) == render_text(_result())
    assert "\x1b[31m" in coloured and "\x1b[33m" in coloured  # errors red, warnings yellow


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(), min_size=4, max_size=4),
    numbers=st.lists(st.integers(min_value=1, max_value=10**6), min_size=4, max_size=4),
    hint=st.none() | st.text(),
    count=st.integers(min_value=0, max_value=3),
)
def test_json_layout_is_exactly_json_dumps_indent_2(texts, numbers, hint, count):
    """The findings are laid out by hand (for speed); the text must be what json.dumps gives, with
    the characters a terminal or a UTF-8 stream cannot take raw escaped, and parse to the same."""
    from wsync_lint import __version__
    from wsync_lint.contract.rule import Severity, Violation
    from wsync_lint.engine.runner import RunResult
    from wsync_lint.printable import json_text

    path, code, name, message = texts
    line, column, end_line, end_column = numbers
    violation = Violation(path, line, column, code, end_line, end_column, name, Severity.WARNING, message, hint)
    result = RunResult(violations=[violation] * count, paths=["a.sql"], not_run={"RF05"})
    expected = {
        "version": __version__,
        "findings": [
            {"path": path, "line": line, "column": column, "end_line": end_line, "end_column": end_column,
             "code": code, "name": name, "severity": "warning", "message": message, "hint": hint}
        ] * count,
        "summary": {"files": 1, "errors": 0, "warnings": count, "rules_not_run": ["RF05"]},
    }  # fmt: skip
    text = REPORTERS["json"](result, False)
    assert text == json_text(json.dumps(expected, indent=2, ensure_ascii=False)) + "\n"
    assert json.loads(text) == expected
    text.encode("utf-8")  # lone surrogates are escaped, so the report can be written


# What a hostile file can put into a finding: the red-team report's forged summary line with a
# screen-clearing escape sequence, a carriage return, line and paragraph separators, C1 controls,
# a right-to-left override and a lone surrogate (Python's json accepts "\ud800").
FORGED_VALUE = "x\nAll checks passed (3 files checked).\n\x1b[2J"
HOSTILE = Violation(
    path="p\n.json", line=1, column=52, code="PL07", end_line=1, end_column=60,
    name="unknown-reference", severity=Severity.WARNING,
    message=f"pipeline `p` names connection `{FORGED_VALUE}`; \r\u2028\u2029\x85\x9b\u202e\ud800 end",
    hint="add `\ud800`\nfake: hint",
)  # fmt: skip
ESCAPED_MESSAGE = (
    "pipeline `p` names connection `x\\nAll checks passed (3 files checked).\\n\\x1b[2J`; "
    "\\r\\u2028\\u2029\\x85\\x9b\\u202e\\ud800 end"
)


def _hostile_result() -> RunResult:
    return RunResult(paths=["p\n.json"], violations=[HOSTILE])


def test_text_prints_a_hostile_finding_on_its_own_two_lines():
    text = REPORTERS["text"](_hostile_result(), False)
    assert text.splitlines() == [
        f"p\\n.json:1:52: PL07 [warning] {ESCAPED_MESSAGE}",
        "    hint: add `\\ud800`\\nfake: hint",
        "Found 1 problem (0 errors, 1 warning) in 1 file.",
    ]
    assert text.count("\n") == 3
    text.encode("utf-8")


def test_github_prints_a_hostile_finding_as_one_annotation():
    text = REPORTERS["github"](_hostile_result(), False)
    assert text == (
        "::warning file=p\\n.json,line=1,col=52,endLine=1,endColumn=60,title=PL07::"
        f"{ESCAPED_MESSAGE}%0Ahint: add `\\ud800`\\nfake: hint\n"
    )


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_json_formats_keep_hostile_values_exactly_and_stay_encodable(name):
    text = REPORTERS[name](_hostile_result(), False)
    text.encode("utf-8")
    for raw in ("\x1b", "\u2028", "\u2029", "\x85", "\x9b", "\u202e"):
        assert raw not in text
    document = json.loads(text)
    if name == "json":
        [finding] = document["findings"]
        assert (finding["path"], finding["message"], finding["hint"]) == (HOSTILE.path, HOSTILE.message, HOSTILE.hint)
    else:
        [result] = document["runs"][0]["results"]
        assert result["message"]["text"] == f"{HOSTILE.message}\nhint: {HOSTILE.hint}"
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == HOSTILE.path


def test_junit_with_hostile_values_is_valid_xml():
    text = REPORTERS["junit"](_hostile_result(), False)
    text.encode("utf-8")
    root = ET.fromstring(text.encode("utf-8"))
    [case] = root.iter("testcase")
    assert case.get("name") == "p\\n.json"
    [failure] = case.findall("failure")
    assert failure.get("message") == f"PL07 {ESCAPED_MESSAGE}"
    assert failure.text.splitlines() == [
        f"p\\n.json:1:52: PL07 [warning] {ESCAPED_MESSAGE}",
        "hint: add `\\ud800`\\nfake: hint",
    ]

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
from wsync_lint.engine.run_result import NotChecked, RunResult
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
        sources={
            "models/tickets.sql": TICKETS_SQL,
            "models/users, v2.sql": "SELECT propensity_to_buy FROM s\n",
        },
    )  # fmt: skip
    result.violations.sort(key=Violation.sort_key)
    return result


TICKETS_SQL = """SELECT
    u.email,
    COUNT(t.id)
FROM tickets
JOIN users u ON u.id = tickets.user_id
GROUP BY 1
WHERE t.status = 'open'
"""
"""What the run read of models/tickets.sql: the text format quotes its lines (code frames)."""


def _not_checked_result() -> RunResult:
    """The fixed result, plus two live targets a run did not check."""
    result = _result()
    result.not_checked = [
        NotChecked("connection", "snowflake-prod", "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set"),
        NotChecked("connection", "bq", "no answer from bq.example within 30 s", unreachable=True),
    ]
    return result


def _golden(name: str, report: str | bytes) -> None:
    text = report.decode("utf-8") if isinstance(report, (bytes, bytearray)) else report
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_cli_format_choices_are_the_reporters():
    from wsync_lint.cli.options import FORMATS

    assert tuple(REPORTERS) == FORMATS


@pytest.mark.parametrize("name", ["text", "json", "github", "junit", "concise"])
def test_golden_output(name):
    _golden(f"report.{name}", REPORTERS[name](_result(), False))


def test_golden_text_quiet_and_statistics():
    _golden("report.text-quiet", REPORTERS["text"](_result(), True))
    _golden("report.statistics", render_statistics(_result()))


def test_json_fields():
    document = json.loads(REPORTERS["json"](_result(), False))
    assert document["version"] == __version__
    assert document["summary"] == {"files": 3, "errors": 2, "warnings": 1, "rules_not_run": [], "not_checked": []}
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
    from wsync_lint.engine.run_result import RunResult
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
        "summary": {"files": 1, "errors": 0, "warnings": count, "rules_not_run": ["RF05"], "not_checked": []},
        "pipelines": [],
    }  # fmt: skip
    written = REPORTERS["json"](result, False)
    assert written == (json_text(json.dumps(expected, indent=2, ensure_ascii=False)) + "\n").encode("utf-8")
    assert json.loads(written) == expected  # lone surrogates are escaped, so the report could be encoded


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
    report = REPORTERS[name](_hostile_result(), False)
    text = report.decode("utf-8") if isinstance(report, (bytes, bytearray)) else report
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


def test_concise_is_one_line_per_finding_and_the_summary():
    assert REPORTERS["concise"](_result(), False).splitlines() == [
        "models/tickets.sql:2:5: RF03 [error] `u.email` is neither aggregated nor in GROUP BY, next to `COUNT(t.id)`",
        "models/tickets.sql:7:7: RF02 [error] `t` in `t.status` is no table or alias in scope (in scope: `tickets`)",
        "models/users, v2.sql:1:8: CO04 [warning] attribute `propensity_to_buy` lands in mParticle as "
        "`PROPENSITY_TO_BUY` (100% sure: a:b)",
        "Found 3 problems (2 errors, 1 warning) in 3 files.",
    ]
    assert REPORTERS["concise"](_result(), True).count("\n") == 3


# -- what a live run did not check, in every format


def test_text_names_each_target_not_checked_before_the_summary():
    lines = REPORTERS["text"](_not_checked_result(), False).splitlines()
    assert lines[-3:] == [
        "not checked: connection `snowflake-prod`: WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set",
        "unreachable: connection `bq`: no answer from bq.example within 30 s",
        "Found 3 problems (2 errors, 1 warning) in 3 files; 2 connections not checked.",
    ]


def test_text_and_concise_keep_the_targets_not_checked_when_quiet():
    for name in ("text", "concise"):
        lines = REPORTERS[name](_not_checked_result(), True).splitlines()
        assert lines[-2:] == [
            "not checked: connection `snowflake-prod`: WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set",
            "unreachable: connection `bq`: no answer from bq.example within 30 s",
        ]


def test_the_summary_never_says_all_checks_passed_when_something_was_not_checked():
    result = RunResult(paths=["a.sql"] * 12, not_checked=[NotChecked("connection", "x", "why")] * 2)
    assert REPORTERS["text"](result, False).splitlines() == [
        "not checked: connection `x`: why",
        "not checked: connection `x`: why",
        "No problems found in 12 files; 2 connections not checked.",
    ]
    one = RunResult(
        paths=["a.sql"], not_checked=[NotChecked("connection", "x", "why"), NotChecked("api", "1234", "no")]
    )
    assert REPORTERS["concise"](one, False).splitlines()[-1] == (
        "No problems found in 1 file; 1 connection and 1 API workspace not checked."
    )
    assert (
        render_statistics(one).splitlines()[-1]
        == "No problems found in 1 file; 1 connection and 1 API workspace not checked."
    )


def test_json_lists_the_targets_not_checked():
    document = json.loads(REPORTERS["json"](_not_checked_result(), False))
    assert document["summary"]["not_checked"] == [
        {"kind": "connection", "id": "snowflake-prod", "reason": "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set",
         "unreachable": False},
        {"kind": "connection", "id": "bq", "reason": "no answer from bq.example within 30 s", "unreachable": True},
    ]  # fmt: skip


def test_github_warns_once_per_target_not_checked():
    lines = REPORTERS["github"](_not_checked_result(), False).splitlines()
    assert lines[-2:] == [
        "::warning title=wsync-lint::not checked: connection `snowflake-prod`: WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set",
        "::warning title=wsync-lint::unreachable: connection `bq`: no answer from bq.example within 30 s",
    ]


def test_sarif_says_the_run_was_not_successful_and_why():
    document = json.loads(REPORTERS["sarif"](_not_checked_result(), False))
    schema = json.loads((REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    assert document["runs"][0]["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": "not checked: connection `snowflake-prod`: "
                                                         "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set"}},
                {"level": "warning", "message": {"text": "unreachable: connection `bq`: no answer from bq.example "
                                                         "within 30 s"}},
            ],
        }
    ]  # fmt: skip
    clean = json.loads(REPORTERS["sarif"](_result(), False))
    assert clean["runs"][0]["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_junit_has_a_skipped_case_per_target_not_checked():
    root = ET.fromstring(REPORTERS["junit"](_not_checked_result(), False))
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "2", "2")
    cases = suite.findall("testcase")
    assert [(case.get("name"), case.find("skipped").get("message")) for case in cases[3:]] == [
        (
            "connection `snowflake-prod`",
            "not checked: connection `snowflake-prod`: WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set",
        ),
        ("connection `bq`", "unreachable: connection `bq`: no answer from bq.example within 30 s"),
    ]
    assert [case.find("skipped") for case in cases[:3]] == [None, None, None]

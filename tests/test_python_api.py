"""The Python API importable from the package itself: ``from wsync_lint import lint_string, lint_paths``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import wsync_lint
from wsync_lint.errors import UsageError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_import_wsync_lint_loads_neither_sqlglot_nor_the_engine() -> None:
    code = "import sys, wsync_lint; print(sorted(m for m in sys.modules if m.startswith(('sqlglot', 'wsync_lint'))))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "['wsync_lint']"


def test_lint_string_from_the_package() -> None:
    from wsync_lint import lint_string

    found = lint_string("SELECT email\nFROM mp.crm.users;", select=["ST03"])
    assert [(v.code, v.line, v.column) for v in found] == [("ST03", 2, 18)]


def test_lint_paths_checks_a_project_as_check_does() -> None:
    from wsync_lint import lint_paths

    result = lint_paths([EXAMPLES], select=["ST03", "SY03"])
    found = [(Path(v.path).name, v.line, v.column, v.code) for v in result.violations]
    assert found == [
        ("propensity_scores.sql", 7, 38, "ST03"),
        ("propensity-scores-nightly.yaml", 10, 23, "SY03"),
    ]
    assert (result.errors, result.warnings, result.files) == (2, 0, 24)


def test_lint_paths_refuses_an_unknown_rule() -> None:
    with pytest.raises(UsageError, match="NOPE"):
        wsync_lint.lint_paths([EXAMPLES], select=["NOPE"])


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="lint_everything"):
        wsync_lint.lint_everything  # noqa: B018


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dialect": "oracle"}, "dialect: unknown dialect 'oracle'"),
        ({"pipeline_type": "bogus"}, "pipeline_type: unknown pipeline_type 'bogus'"),
        ({"iterator_data_type": "bogus"}, "iterator_data_type: unknown iterator_data_type 'bogus'"),
        ({"rule_options": {"ST04": {"bogus": 1}}}, "rule_options.ST04: unknown option 'bogus' for ST04"),
        ({"rule_options": {"XX99": {}}}, "rule_options: unknown rule code or name 'XX99'"),
        ({"schema": {"tables": {}}}, "schema: schema must name a schema snapshot file (.json)"),
        ({"select": ["ST03", "NOPE"]}, "select: unknown rule code or name 'NOPE'"),
    ],
)
def test_lint_string_refuses_what_the_command_line_refuses(options, message) -> None:
    from wsync_lint import lint_string

    with pytest.raises(UsageError) as refused:
        lint_string("SELECT 1 AS x", **options)
    assert str(refused.value).startswith(message)


def test_a_selector_may_be_one_string_as_on_the_command_line() -> None:
    from wsync_lint import lint_paths, lint_string

    assert [v.code for v in lint_string("SELECT email\nFROM mp.crm.users;", select="ST03,RF01")] == ["ST03"]
    result = lint_paths([EXAMPLES], select="ST03")
    assert [(Path(v.path).name, v.code) for v in result.violations] == [("propensity_scores.sql", "ST03")]


def test_lint_paths_refuses_an_unknown_dialect() -> None:
    with pytest.raises(UsageError, match="unknown dialect 'oracle'"):
        wsync_lint.lint_paths([EXAMPLES], dialect="oracle")

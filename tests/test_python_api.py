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

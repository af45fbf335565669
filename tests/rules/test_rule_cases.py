"""Runs every case of every case table ``rules/<CODE>.yaml`` with only that rule enabled.

Each case gives the SQL, its dialect and settings, and the exact (line, column) of every finding
the rule must report; an empty ``expect`` is a passing case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import CASE_TABLES, write
from wsync_lint import lint_string
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import lint_paths


def _load_cases() -> list[tuple[str, dict]]:
    cases = []
    for table_path in sorted(CASE_TABLES.glob("*.yaml")):
        try:
            table = yaml.safe_load(table_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            cases.append((table_path.stem, {"name": "table_is_valid_yaml", "yaml_error": str(error)}))
            continue
        for case in table["cases"]:
            cases.append((table["rule"], case))
    return cases


CASES = _load_cases()


@pytest.mark.parametrize(("code", "case"), CASES, ids=[f"{code}-{case['name']}" for code, case in CASES])
def test_case(code: str, case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "yaml_error" not in case, case.get("yaml_error")
    if "warehouse" in case:
        _check_live_case(code, case, tmp_path, monkeypatch)
        return
    if "api" in case:
        _check_api_case(code, case, tmp_path, monkeypatch)
        return
    if "files" in case:
        _check_project_case(code, case, tmp_path, monkeypatch)
        return
    settings = case.get("settings", {})
    sql = case["sql"]
    schema = None
    if "schema" in case:
        # An inline schema snapshot: {"dialect": ..., "tables": {...}}.
        schema = str(
            write(tmp_path, "schemas/snapshot.json", json.dumps(case["schema"]))
        )  # invisible characters: a double-quoted YAML string with \u escapes
    violations = lint_string(
        sql,
        dialect=case.get("dialect", "snowflake"),
        select=[code, *case.get("also_select", [])],
        pipeline_type=settings.get("pipeline_type"),
        iterator_field=settings.get("iterator_field"),
        iterator_data_type=settings.get("iterator_data_type"),
        rule_options={code: case.get("options", {})},
        schema=schema,
    )
    # Rules selected beside this one (`also_select`) run, but only this rule's findings count.
    violations = [v for v in violations if v.code == code]
    found = [[v.line, v.column] for v in violations]
    assert found == [list(p) for p in case["expect"]], "\n".join(
        f"{v.line}:{v.column} {v.code} {v.message}" for v in violations
    )
    assert all(v.code == code for v in violations)
    if "message_contains" in case:
        assert violations and all(case["message_contains"] in v.message for v in violations)
    if "hint_contains" in case:
        assert violations and all(case["hint_contains"] in (v.hint or "") for v in violations)


def _check_project_case(code: str, case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project case: ``files`` (relative path -> text) checked as one project; ``expect`` is
    the exact [path, line, column] of every finding."""
    for relative, text in case["files"].items():
        write(tmp_path, relative, text)
    monkeypatch.chdir(tmp_path)
    violations = lint_paths([Path(".")], RunOptions(select=(code,))).violations
    found = [[v.path, v.line, v.column] for v in violations]
    assert found == [list(p) for p in case["expect"]], "\n".join(
        f"{v.path}:{v.line}:{v.column} {v.code} {v.message}" for v in violations
    )
    assert all(v.code == code for v in violations)
    if "message_contains" in case:
        assert violations and all(case["message_contains"] in v.message for v in violations)
    if "hint_contains" in case:
        assert violations and all(case["hint_contains"] in (v.hint or "") for v in violations)


def _check_live_case(code: str, case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A LIVE case: a project (``files``) preflighted against recorded warehouse answers
    (``warehouse``, see tests/live/recorded.py), ``count: true`` for --count, ``sample: N`` for
    --sample N, ``cost: true`` for --cost; ``expect`` is the
    exact [path, line, column] of every finding."""
    from datetime import UTC, datetime

    from tests.live.recorded import recorded_opener
    from wsync_lint.live.preflight import PreflightOptions, preflight

    for relative, text in case["files"].items():
        write(tmp_path, relative, text)
    monkeypatch.chdir(tmp_path)
    outcome = preflight(
        [Path(".")],
        RunOptions(select=(code,)),
        PreflightOptions(count=case.get("count", False), sample=case.get("sample"), cost=case.get("cost", False)),
        environment={},
        now=datetime(2024, 6, 1, 12, 30, tzinfo=UTC),
        opener=recorded_opener(case["warehouse"]),
    )
    violations = outcome.result.violations
    found = [[v.path, v.line, v.column] for v in violations]
    assert found == [list(p) for p in case["expect"]], "\n".join(
        f"{v.path}:{v.line}:{v.column} {v.code} {v.message}" for v in violations
    )
    assert all(v.code == code for v in violations)
    assert outcome.result.not_checked == []
    if "message_contains" in case:
        assert violations and all(case["message_contains"] in v.message for v in violations)


def _check_api_case(code: str, case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An API case: a project (``files``) held against recorded API answers (``api``, see
    tests/api/recorded_api.py) with only this rule selected; ``expect`` is the exact
    [path, line, column] of every finding, ``severity`` (optional) that of every finding."""
    from tests.api.recorded_api import recorded_state
    from wsync_lint.contract.api_state import ApiContext
    from wsync_lint.engine.api_rules import api_violations
    from wsync_lint.engine.runner import Planner, load_project

    for relative, text in case["files"].items():
        write(tmp_path, relative, text)
    monkeypatch.chdir(tmp_path)
    planner = Planner(RunOptions(select=(code,)))
    project = load_project(Path(".").resolve(), planner)
    violations = api_violations(ApiContext(project, recorded_state(case["api"])), planner)
    found = [[v.path, v.line, v.column] for v in violations]
    assert found == [list(p) for p in case["expect"]], "\n".join(
        f"{v.path}:{v.line}:{v.column} {v.code} {v.message}" for v in violations
    )
    assert all(v.code == code for v in violations)
    if "severity" in case:
        assert violations and all(v.severity.value == case["severity"] for v in violations)
    if "message_contains" in case:
        assert violations and all(case["message_contains"] in v.message for v in violations), [
            v.message for v in violations
        ]
    if "hint_contains" in case:
        assert violations and all(case["hint_contains"] in (v.hint or "") for v in violations), [
            v.hint for v in violations
        ]


def test_case_tables_exist() -> None:
    assert CASES, f"no case tables under {Path(CASE_TABLES)}"

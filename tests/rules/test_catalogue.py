"""Meta-tests: the registry, the case tables, RULES.md and the rule documentation agree.

Every rule's docstring examples are tests too: its Example must fire the rule and its
Use instead must not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlglot
import yaml

from tests.conftest import CASE_TABLES, REPO, SHARED, write
from wsync_lint import lint_string
from wsync_lint.contract.rule import Needs
from wsync_lint.engine.docs import REQUIRED_SECTIONS, examples, sections
from wsync_lint.engine.registry import all_rules
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import lint_paths

RULES = all_rules()
# LIVE rules fire on the warehouse's answers and API rules on the Warehouse Sync API's: their case
# tables record them; their documentation examples are checked for form here (and the LIVE ones
# run against the stand-ins in tests/live).
ANSWERED = (Needs.LIVE, Needs.API)
STATIC_RULES = [rule for rule in RULES if rule.needs not in ANSWERED]
LIVE_RULES = [rule for rule in RULES if rule.needs in ANSWERED]
SNAPSHOTS = REPO / "tests" / "data" / "snapshots"
RULE_IDS = [rule.code for rule in RULES]


def _catalogue() -> dict[str, str]:
    """Code -> name from the public rule catalogue, RULES.md."""
    text = (SHARED / "spec" / "RULES.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| ([A-Z]{2}\d{2}) \| ([a-z0-9-]+) \|", text, re.MULTILINE))


def test_codes_and_names_are_well_formed_and_unique():
    assert all(re.fullmatch(r"[A-Z]{2}\d{2}", rule.code) for rule in RULES)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name) for rule in RULES)
    keys = [key.upper() for rule in RULES for key in (rule.code, rule.name, *rule.aliases)]
    assert len(keys) == len(set(keys))


def test_codes_and_names_are_those_of_the_catalogue():
    if not (SHARED / "spec" / "RULES.md").exists():
        pytest.skip("shared/spec/RULES.md is not beside this checkout")
    catalogue = _catalogue()
    assert {rule.code: rule.name for rule in RULES} == {rule.code: catalogue[rule.code] for rule in RULES}


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_documentation_has_every_section(rule):
    found = sections(rule)
    assert [s for s in REQUIRED_SECTIONS if s not in found] == []
    assert not rule.summary.startswith("TODO") and rule.summary.endswith(".")
    assert len(examples(rule, "Example")) == 1
    assert len(examples(rule, "Use instead")) == 1


def _example_dialect(sql: str) -> str:
    match = re.match(r"--\s*dialect:\s*(\w+)", sql)
    return match.group(1) if match else "snowflake"


def _lint_example(rule, section: str, folder, monkeypatch) -> list[str]:
    """The codes found in a documentation example: SQL is linted as a model, a JSON or YAML
    block as a payload file alone in a project."""
    [(language, text)] = examples(rule, section)
    if language == "sql" and rule.needs_schema:
        # Schema rules' examples name `schemas/example.json`: the snapshot in tests/data/snapshots.
        write(folder, "schemas/example.json", (SNAPSHOTS / "example.json").read_text(encoding="utf-8"))
        write(folder, "example.sql", text)
        monkeypatch.chdir(folder)
        return [v.code for v in lint_paths([Path("example.sql")], RunOptions(select=(rule.code,))).violations]
    if language == "sql":
        return [v.code for v in lint_string(text, dialect=_example_dialect(text), select=[rule.code])]
    write(folder, f"example.{language}", text)
    monkeypatch.chdir(folder)
    return [v.code for v in lint_paths([Path(".")], RunOptions(select=(rule.code,))).violations]


@pytest.mark.parametrize("rule", STATIC_RULES, ids=[rule.code for rule in STATIC_RULES])
def test_documented_example_fires(rule, tmp_path, monkeypatch):
    codes = _lint_example(rule, "Example", tmp_path, monkeypatch)
    assert codes and set(codes) == {rule.code}


@pytest.mark.parametrize("rule", STATIC_RULES, ids=[rule.code for rule in STATIC_RULES])
def test_documented_fix_is_clean(rule, tmp_path, monkeypatch):
    assert _lint_example(rule, "Use instead", tmp_path, monkeypatch) == []


@pytest.mark.parametrize("rule", LIVE_RULES, ids=[rule.code for rule in LIVE_RULES])
def test_live_rule_examples_are_well_formed_and_left_to_preflight(rule, tmp_path, monkeypatch):
    for section in ("Example", "Use instead"):
        [(language, text)] = examples(rule, section)
        if language == "sql":
            assert sqlglot.parse_one(text, read=_example_dialect(text)) is not None
        elif language == "json":
            json.loads(text)
        else:  # a payload file (dict), or an API rule's project (a list of resources)
            assert isinstance(yaml.safe_load(text), dict if rule.needs is Needs.LIVE else list)
        assert _lint_example(rule, section, tmp_path, monkeypatch) == []


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_every_rule_has_a_case_table_with_enough_cases(rule):
    path = CASE_TABLES / f"{rule.code}.yaml"
    assert path.exists(), f"missing case table {path.name}"
    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert table["rule"] == rule.code
    failing = [case for case in table["cases"] if case["expect"]]
    passing = [case for case in table["cases"] if not case["expect"]]
    assert len(failing) >= 2 and len(passing) >= 2
    names = [case["name"] for case in table["cases"]]
    assert len(names) == len(set(names))


def test_every_case_table_names_a_registered_rule():
    tables = {path.stem for path in CASE_TABLES.glob("*.yaml")}
    assert tables <= set(RULE_IDS)

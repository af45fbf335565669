"""``check`` (the pre-commit path) never loads a warehouse driver or the HTTP library: they are
imported only when ``preflight`` or an API command runs (import-linter keeps them in their own
modules; this proves nothing on the way imports those modules at start-up)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = ("requests", "urllib3", "snowflake", "google", "redshift_connector", "databricks", "httpx")

PROGRAM = f"""
import sys
from wsync_lint.cli.app import main
try:
    main(["check", "examples", "--quiet"])
except SystemExit:
    pass
print(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r})))
"""


def test_check_loads_no_driver_and_no_http_library() -> None:
    run = subprocess.run([sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == "[]", run.stdout + run.stderr


def test_the_command_line_help_lists_the_api_commands_without_loading_them() -> None:
    program = PROGRAM.replace('["check", "examples", "--quiet"]', '["--help"]')
    run = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)
    lines = run.stdout.splitlines()
    assert lines[-1] == "[]", run.stdout + run.stderr
    commands = {line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")}
    assert {"plan", "deploy", "status", "import"} <= commands


# -- a one-file check imports what its run needs, and nothing else (exact module sets, no timings)

MODULES_AFTER = """
import json, sys
from wsync_lint.cli.app import main
code = None
try:
    main({argv!r})
except SystemExit as done:
    code = done.code
print(code)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in ("wsync_lint", "sqlglot", "jsonschema", "yaml"))))
"""

SQL_NEEDS = {"SOURCE", "TEXT", "TREE", "SUPPRESSIONS"}


def _modules_after(argv: list[str], cwd, exit_code: int = 1) -> set[str]:
    """The modules of wsync_lint, sqlglot, jsonschema and yaml loaded by a process that ran ``argv``
    (and exited with ``exit_code``: 1, the model's ST03 finding)."""
    import json

    program = MODULES_AFTER.format(argv=argv)
    run = subprocess.run([sys.executable, "-c", program], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-2] == str(exit_code), run.stdout + run.stderr
    return set(json.loads(run.stdout.splitlines()[-1]))


def _lone_model(tmp_path):
    """A project of one model and no payload files."""
    (tmp_path / "wsync-lint.toml").write_text('root = true\ndialect = "snowflake"\n', encoding="utf-8")
    (tmp_path / "model.sql").write_text("SELECT customer_id, email FROM mp.crm.customers;\n", encoding="utf-8")
    return tmp_path


def _in(modules: set[str], package: str) -> set[str]:
    return {name for name in modules if name == package or name.startswith(package + ".")}


def test_a_check_selecting_one_rule_imports_that_rule_and_the_text_reporter_only(tmp_path) -> None:
    modules = _modules_after(["check", "--select", "ST03", "model.sql"], _lone_model(tmp_path))
    assert _in(modules, "wsync_lint.rules") == {"wsync_lint.rules", "wsync_lint.rules.st03_trailing_semicolon"}
    assert _in(modules, "wsync_lint.report") == {
        "wsync_lint.report",
        "wsync_lint.report.text",
        "wsync_lint.report.frames",
    }
    assert _in(modules, "jsonschema") == _in(modules, "yaml") == set()
    assert _in(modules, "wsync_lint.api") == _in(modules, "wsync_lint.live") == set()
    assert _in(modules, "wsync_lint.commands") == set()
    assert {name for name in _in(modules, "wsync_lint.cli") if name.count(".") == 2} == {
        "wsync_lint.cli.app",
        "wsync_lint.cli.exit_codes",
        "wsync_lint.cli.lint",
        "wsync_lint.cli.options",
    }
    assert "sqlglot.dialects.bigquery" not in modules and "sqlglot.dialects.snowflake" in modules


def test_a_check_with_the_default_rules_imports_the_sql_rules_and_its_format_only(tmp_path) -> None:
    from wsync_lint.rules import RULE_INDEX

    modules = _modules_after(["check", "--format", "json", "model.sql"], _lone_model(tmp_path))
    sql_rules = {f"wsync_lint.rules.{e.module}" for e in RULE_INDEX if e.needs.name in SQL_NEEDS and e.default_enabled}
    assert len(sql_rules) == 33
    assert _in(modules, "wsync_lint.rules") == {"wsync_lint.rules", *sql_rules}
    assert _in(modules, "wsync_lint.report") == {"wsync_lint.report", "wsync_lint.report.json_format"}
    assert _in(modules, "jsonschema") == _in(modules, "yaml") == set()
    assert _in(modules, "wsync_lint.api") == _in(modules, "wsync_lint.live") == set()


def test_lint_string_imports_the_selected_rule_and_no_project_machinery() -> None:
    program = (
        "import sys\n"
        "from wsync_lint import lint_string\n"
        "assert [v.code for v in lint_string('SELECT email FROM mp.crm.users;', select=['ST03'])] == ['ST03']\n"
        "print(sorted(n for n in sys.modules if n.startswith(('wsync_lint.rules', 'wsync_lint.engine.'))))\n"
    )
    run = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == str(
        [
            "wsync_lint.engine.config",
            "wsync_lint.engine.config_values",
            "wsync_lint.engine.directives",
            "wsync_lint.engine.model_check",
            "wsync_lint.engine.python_api",
            "wsync_lint.engine.registry",
            "wsync_lint.engine.run_result",
            "wsync_lint.rules",
            "wsync_lint.rules.st03_trailing_semicolon",
        ]
    ), run.stdout + run.stderr


def test_version_imports_the_command_line_group_only(tmp_path) -> None:
    modules = _modules_after(["--version"], tmp_path, exit_code=0)
    assert modules == {
        "wsync_lint",
        "wsync_lint.cli",
        "wsync_lint.cli.app",
        "wsync_lint.cli.exit_codes",
        "wsync_lint.cli.options",
        "wsync_lint.errors",
        "wsync_lint.lazy",
        "wsync_lint.printable",
    }


def test_the_rule_table_is_what_the_rule_modules_say() -> None:
    """The registry selects from RULE_INDEX without importing the rules: every module of
    wsync_lint/rules/ has its line, ordered by code, equal to its RULE."""
    import pkgutil
    from importlib import import_module

    import wsync_lint.rules as package
    from wsync_lint.rules import RULE_INDEX, RuleEntry

    modules = sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    assert sorted(entry.module for entry in RULE_INDEX) == modules
    assert [entry.code for entry in RULE_INDEX] == sorted(entry.code for entry in RULE_INDEX)
    for entry in RULE_INDEX:
        rule = import_module(f"wsync_lint.rules.{entry.module}").RULE
        expected = RuleEntry(
            rule.code,
            rule.name,
            entry.module,
            rule.needs,
            rule.default_enabled,
            rule.aliases,
            rule.payload_check is not None,
            rule.needs_schema,
        )
        assert entry == expected
        assert entry.load() is rule

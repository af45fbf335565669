"""The command line: formats, selection options, exit codes and one-line errors."""

from __future__ import annotations

import json

from tests.conftest import write
from wsync_lint import __version__

BAD = "SELECT customer_id\nFROM mp.crm.customers\nWHERE\n"
GOOD = "SELECT customer_id FROM mp.crm.customers\n"


def test_json_format_is_the_documented_contract(tmp_path, run_cli):
    write(tmp_path, "models/bad.sql", BAD)
    write(tmp_path, "models/good.sql", GOOD)
    result = run_cli("check", "--format", "json", "--select", "PS01", "models", cwd=tmp_path)
    assert result.code == 1
    document = json.loads(result.out)
    assert list(document) == ["version", "findings", "summary"]
    assert document["version"] == __version__
    assert document["summary"] == {"files": 2, "errors": 1, "warnings": 0, "rules_not_run": []}
    [finding] = document["findings"]
    assert list(finding) == [
        "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message", "hint",
    ]  # fmt: skip
    assert finding["path"] == "models/bad.sql"
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (3, 1, 3, 6)
    assert finding["code"] == "PS01"
    assert finding["name"] == "parse-error"
    assert finding["severity"] == "error"
    assert finding["message"] == "does not parse as Snowflake SQL at 'WHERE': incomplete WHERE clause"
    assert finding["hint"].startswith("if Snowflake accepts this query")


def test_text_format_lines_hint_and_summary(tmp_path, run_cli):
    write(tmp_path, "bad.sql", BAD)
    result = run_cli("check", "--select", "PS01", "bad.sql", cwd=tmp_path)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "bad.sql:3:1: PS01 [error] does not parse as Snowflake SQL at 'WHERE': incomplete WHERE clause"
    assert lines[1].startswith("    hint: if Snowflake accepts this query")
    assert lines[2] == "Found 1 problem (1 error, 0 warnings) in 1 file."


def test_clean_run_exits_zero_with_summary(tmp_path, run_cli):
    write(tmp_path, "good.sql", GOOD)
    result = run_cli("check", "--select", "PS", cwd=tmp_path)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")


def test_quiet_prints_findings_only(tmp_path, run_cli):
    write(tmp_path, "bad.sql", BAD)
    write(tmp_path, "good.sql", GOOD)
    noisy = run_cli("check", "--select", "PS01", cwd=tmp_path)
    quiet = run_cli("check", "--select", "PS01", "--quiet", cwd=tmp_path)
    assert quiet.code == 1
    assert quiet.out == "\n".join(noisy.out.splitlines()[:-1]) + "\n"
    assert run_cli("check", "--select", "PS01", "-q", "good.sql", cwd=tmp_path).out == ""


def test_exit_zero_keeps_the_report(tmp_path, run_cli):
    write(tmp_path, "bad.sql", BAD)
    result = run_cli("check", "--select", "PS01", "--exit-zero", cwd=tmp_path)
    assert result.code == 0
    assert "PS01" in result.out


def test_output_file_receives_the_report(tmp_path, run_cli):
    write(tmp_path, "bad.sql", BAD)
    result = run_cli("check", "--select", "PS01", "--format", "json", "--output-file", "report.json", cwd=tmp_path)
    assert (result.code, result.out) == (1, "")
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["errors"] == 1


def test_select_ignore_and_extend_select(tmp_path, run_cli):
    write(tmp_path, "bad.sql", BAD)
    write(tmp_path, "empty.sql", "")
    codes = lambda r: sorted({line.split()[1] for line in r.out.splitlines() if ": " in line and "[" in line})  # noqa: E731
    assert codes(run_cli("check", "--select", "PS", cwd=tmp_path)) == ["PS01", "PS02"]
    assert codes(run_cli("check", "--select", "PS", "--ignore", "PS02", cwd=tmp_path)) == ["PS01"]
    assert codes(run_cli("check", "--select", "PS01", "--extend-select", "unreadable-file", cwd=tmp_path)) == [
        "PS01",
        "PS02",
    ]
    assert codes(run_cli("check", "--select", "PS01,PS02", "--ignore", "parse-error", cwd=tmp_path)) == ["PS02"]


def test_unknown_selector_is_a_usage_error(tmp_path, run_cli):
    write(tmp_path, "good.sql", GOOD)
    result = run_cli("check", "--select", "XX99", cwd=tmp_path)
    assert result.code == 2
    assert result.err == "wsync-lint: error: --select: unknown rule code or name 'XX99'\n"


def test_missing_path_is_a_usage_error(tmp_path, run_cli):
    result = run_cli("check", "nowhere", cwd=tmp_path)
    assert (result.code, result.err) == (2, "wsync-lint: error: nowhere: no such file or folder\n")


def test_bad_option_value_is_exit_2(tmp_path, run_cli):
    result = run_cli("check", "--format", "yaml", cwd=tmp_path)
    assert result.code == 2
    assert "Invalid value for '--format'" in result.err


def test_version(run_cli):
    result = run_cli("--version")
    assert (result.code, result.out) == (0, f"wsync-lint {__version__}\n")


def test_rules_lists_every_rule(run_cli):
    from wsync_lint.engine.registry import all_rules

    result = run_cli("rules")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == [rule.code for rule in all_rules()]
    ps02 = next(line for line in lines if line.startswith("PS02"))
    assert ps02.split()[1:3] == ["unreadable-file", "error"]


def test_explain_by_code_and_name(run_cli):
    by_code = run_cli("explain", "ps02")
    by_name = run_cli("explain", "unreadable-file")
    assert by_code.code == by_name.code == 0
    assert by_code.out == by_name.out
    assert by_code.out.startswith("PS02 unreadable-file\n")
    assert "## What it does" in by_code.out


def test_explain_unknown_rule(run_cli):
    result = run_cli("explain", "XX99")
    assert result.code == 2
    assert result.err == "wsync-lint: error: unknown rule 'XX99'; `wsync-lint rules` lists them\n"


def test_non_sql_files_named_directly_are_skipped(tmp_path, run_cli):
    write(tmp_path, "pipeline.json", "{}")
    result = run_cli("check", "pipeline.json", cwd=tmp_path)
    assert (result.code, result.out) == (0, "All checks passed (0 files checked).\n")


def test_hidden_and_virtualenv_folders_are_not_walked(tmp_path, run_cli):
    write(tmp_path, ".venv/lib/x.sql", BAD)
    write(tmp_path, "node_modules/y.sql", BAD)
    write(tmp_path, "models/good.sql", GOOD)
    result = run_cli("check", "--select", "PS", cwd=tmp_path)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")


def test_dialect_option_beats_the_directive(tmp_path, run_cli):
    write(tmp_path, "m.sql", "-- wsync-lint: dialect=bigquery\nSELECT `customer_id` FROM `p.d.t`\n")
    assert run_cli("check", "--select", "PS01", "m.sql", cwd=tmp_path).code == 0
    forced = run_cli("check", "--select", "PS01", "--dialect", "snowflake", "m.sql", cwd=tmp_path)
    assert forced.code == 1
    assert "m.sql:2:8: PS01 [error] does not parse as Snowflake SQL at '`'" in forced.out
    assert "hint: it parses as BigQuery and Databricks SQL: is the connection's warehouse right?" in forced.out


def test_python_module_entry_point(tmp_path):
    import subprocess
    import sys

    write(tmp_path, "bad.sql", BAD)
    done = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "--select", "PS01", "-q", "bad.sql"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout.startswith("bad.sql:3:1: PS01 [error]")
    assert done.stderr == ""

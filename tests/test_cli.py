"""The command line: formats, selection options, exit codes and one-line errors."""

from __future__ import annotations

import json
import shutil

from tests.conftest import REPO, write
from wsync_lint import __version__

BAD = "SELECT customer_id\nFROM mp.crm.customers\nWHERE\n"
GOOD = "SELECT customer_id FROM mp.crm.customers\n"


def test_json_format_is_the_documented_contract(tmp_path, run_cli):
    write(tmp_path, "models/bad.sql", BAD)
    write(tmp_path, "models/good.sql", GOOD)
    result = run_cli("check", "--format", "json", "--select", "PS01", "models", cwd=tmp_path)
    assert result.code == 1
    document = json.loads(result.out)
    assert list(document) == ["version", "findings", "summary", "pipelines"]
    assert document["pipelines"] == []
    assert document["version"] == __version__
    assert document["summary"] == {"files": 2, "errors": 1, "warnings": 0, "rules_not_run": [], "not_checked": []}
    [finding] = document["findings"]
    assert list(finding) == [
        "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message", "hint",
    ]  # fmt: skip
    assert finding["path"] == "models/bad.sql"
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (3, 1, 3, 6)
    assert finding["code"] == "PS01"
    assert finding["name"] == "parse-error"
    assert finding["severity"] == "error"
    assert finding["message"] == "does not parse as Snowflake SQL: the query ends after `WHERE`"
    assert finding["hint"] == "complete the query after `WHERE`"


def test_text_format_lines_hint_and_summary(tmp_path, run_cli):
    write(tmp_path, "bad.sql", BAD)
    result = run_cli("check", "--select", "PS01", "bad.sql", cwd=tmp_path)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines == [
        "bad.sql:3:1: PS01 [error] does not parse as Snowflake SQL: the query ends after `WHERE`",
        "   3 | WHERE",
        "     | ^^^^^",
        "    hint: complete the query after `WHERE`",
        "Found 1 problem (1 error, 0 warnings) in 1 file.",
    ]


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
    assert lines[0].split() == ["code", "name", "severity", "fix", "summary"]
    assert [line.split()[0] for line in lines[1:]] == [rule.code for rule in all_rules()]
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
    assert (result.code, result.out) == (2, "")
    assert result.err == "wsync-lint: error: unknown rule 'XX99'; `wsync-lint rules` lists them\n"


def test_non_sql_files_named_directly_are_skipped(tmp_path, run_cli):
    write(tmp_path, "pipeline.json", "{}")
    result = run_cli("check", "pipeline.json", cwd=tmp_path)
    assert (result.code, result.out) == (
        0,
        "No files checked: nothing under the paths given is a data model or a payload (`--show-files` says why).\n",
    )
    listed = run_cli("check", "--show-files", "pipeline.json", cwd=tmp_path)
    assert (listed.code, listed.out) == (0, "pipeline.json  skipped (names no Warehouse Sync key: not a payload)\n")


def test_hidden_and_virtualenv_folders_are_not_walked(tmp_path, run_cli):
    write(tmp_path, ".venv/lib/x.sql", BAD)
    write(tmp_path, "node_modules/y.sql", BAD)
    write(tmp_path, "models/good.sql", GOOD)
    result = run_cli("check", "--select", "PS", cwd=tmp_path)
    assert (result.code, result.out) == (0, "All checks passed (1 file checked).\n")


def test_dialect_option_beats_the_directive(tmp_path, run_cli):
    write(tmp_path, "m.sql", "-- wsync-lint: dialect=snowflake\nSELECT t.v:field::string AS f FROM db.s.t t\n")
    assert run_cli("check", "--select", "PS01", "m.sql", cwd=tmp_path).code == 0
    forced = run_cli("check", "--select", "PS01", "--dialect", "bigquery", "m.sql", cwd=tmp_path)
    assert forced.code == 1
    assert "m.sql:2:17: PS01 [error] does not parse as BigQuery SQL: unexpected `::`" in forced.out
    assert "hint: it parses as Snowflake and Databricks SQL: is the connection's warehouse right?" in forced.out


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


# -- one answer per file, from every entry point


def _project_with_troubles(root):
    """The examples, in a repository of their own, with what goes wrong in real projects: a
    pipeline file with conflict markers, a pipeline whose connection is missing (its model says
    its warehouse in a directive), a configuration file that only sets options for one folder,
    and a fixable `;` in a BigQuery model."""
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "examples", root)
    (root / "wsync-lint.toml").unlink()
    (root / ".git").mkdir()
    write(root, "models/bigquery/wsync-lint.toml", 'ignore = ["RF03"]\n')
    broken = root / "pipelines/subscriptions-hourly.yaml"
    broken.write_text("<<<<<<< HEAD\n" + broken.read_text(encoding="utf-8"), encoding="utf-8")
    pipeline = root / "pipelines/order-history-daily.json"
    pipeline.write_text(pipeline.read_text(encoding="utf-8").replace('"bigquery-prod"', '"bigquery-gone"'))
    model = root / "models/bigquery/order_history.sql"
    model.write_text("-- wsync-lint: dialect=bigquery\n" + model.read_text(encoding="utf-8"), encoding="utf-8")
    web = root / "models/bigquery/web_events.sql"
    web.write_text(web.read_text(encoding="utf-8").rstrip("\n") + ";\n", encoding="utf-8")
    return root


def _json_findings(result, cwd) -> set[tuple[str, int, int, str, str]]:
    """(absolute path, line, column, code, message) of each finding of a `--format json` run."""
    assert result.code in (0, 1), result.err
    return {
        (str((cwd / f["path"]).resolve()), f["line"], f["column"], f["code"], f["message"])
        for f in json.loads(result.out)["findings"]
    }


def _of(findings, path) -> set[tuple[str, int, int, str, str]]:
    return {finding for finding in findings if finding[0] == str(path.resolve())}


def test_every_entry_point_reports_the_same_findings_for_a_file(tmp_path, run_cli):
    root = _project_with_troubles(tmp_path / "acme")
    whole = _json_findings(run_cli("check", "--format", "json", cwd=root), root)
    assert _json_findings(run_cli("check", "--format", "json", ".", cwd=root), root) == whole
    files = sorted(p for p in root.rglob("*") if p.suffix in (".sql", ".json", ".yaml") and "schemas" not in p.parts)
    for path in files:
        alone = _json_findings(run_cli("check", "--format", "json", str(path.relative_to(root)), cwd=root), root)
        assert _of(alone, path) == _of(whole, path), path
    # pre-commit from the folder that has its own configuration file: still the same project
    inside = root / "models/bigquery"
    for path in sorted(inside.glob("*.sql")):
        alone = _json_findings(run_cli("check", "--format", "json", path.name, cwd=inside), inside)
        assert _of(alone, path) == _of(whole, path), path
    # what it is (the examples' own findings, plus the trouble): no BigQuery model read as Snowflake SQL
    web, orders = root / "models/bigquery/web_events.sql", root / "models/bigquery/order_history.sql"
    assert {(f[1], f[2], f[3]) for f in _of(whole, web)} == {(11, 48, "ST03")}
    assert _of(whole, orders) == set()
    assert {f[3] for f in _of(whole, root / "pipelines/subscriptions-hourly.yaml")} == {"PS05"}
    assert not {f for f in whole if f[3] in ("PS01", "ST05") and "/bigquery/" in f[0] and "support" not in f[0]}
    # --fix: the re-check is the check of the fixed file, in the same warehouse
    fixed = run_cli("check", "--fix", "--format", "json", "models/bigquery/web_events.sql", cwd=root)
    assert _json_findings(fixed, root) == _of(whole, web) - {(str(web), 11, 48, "ST03", next(iter(_of(whole, web)))[4])}
    assert web.read_text(encoding="utf-8").endswith("IN ('page_view', 'purchase')\n")
    again = _json_findings(run_cli("check", "--format", "json", cwd=root), root)
    assert again == whole - _of(whole, web)


def test_a_fixed_bigquery_model_is_checked_again_as_bigquery(tmp_path, run_cli):
    root = _project_with_troubles(tmp_path / "acme")
    result = run_cli("check", "--fix", "models/bigquery/web_events.sql", cwd=root)
    assert result.code == 0
    assert result.out.splitlines()[0] == "All checks passed (1 file checked). 1 problem fixed."
    assert result.err == ""


def test_show_settings_names_root_configuration_and_where_the_warehouse_comes_from(tmp_path, run_cli):
    root = _project_with_troubles(tmp_path / "acme")
    (root / "models/adhoc.sql").write_text("SELECT customer_id FROM mp.crm.customers\n", encoding="utf-8")
    result = run_cli(
        "check", "--show-settings", "models/bigquery/web_events.sql", "models/bigquery/order_history.sql",
        "models/adhoc.sql", "pipelines/web-events-hourly.json", cwd=root,
    )  # fmt: skip
    assert result.code == 0
    assert result.out == (
        "file: models/bigquery/web_events.sql\n"
        f"project root: {root.resolve()} (the nearest folder holding .git)\n"
        "configuration: models/bigquery/wsync-lint.toml\n"
        "checked as: model (sql_file of data model `web-events`)\n"
        "pipeline `web-events-hourly` (pipelines/web-events-hourly.json):\n"
        "  data model: `web-events` (data-models/web-events.yaml)\n"
        "  dialect: bigquery (from connection `bigquery-prod`, connections/bigquery-prod.yaml)\n"
        "  schema snapshot: schemas/bigquery-prod.json\n"
        "\n"
        "file: models/bigquery/order_history.sql\n"
        f"project root: {root.resolve()} (the nearest folder holding .git)\n"
        "configuration: models/bigquery/wsync-lint.toml\n"
        "checked as: model (sql_file of data model `order-history`)\n"
        "pipeline `order-history-daily` (pipelines/order-history-daily.json):\n"
        "  data model: `order-history` (data-models/order-history.yaml)\n"
        "  dialect: bigquery (connection `bigquery-gone` is not in the project; "
        "from the file's `-- wsync-lint: dialect=...` comment)\n"
        "  schema snapshot: none\n"
        "\n"
        "file: models/adhoc.sql\n"
        f"project root: {root.resolve()} (the nearest folder holding .git)\n"
        "configuration: none (the defaults)\n"
        "checked as: model (standalone: no data model links it)\n"
        "dialect: snowflake (the default: nothing names this model's warehouse)\n"
        "schema snapshot: none (a `-- wsync-lint: schema=...` comment in the model names one)\n"
        "pipelines: none (no pipeline of the project involves this file)\n"
        "\n"
        "file: pipelines/web-events-hourly.json\n"
        f"project root: {root.resolve()} (the nearest folder holding .git)\n"
        "configuration: none (the defaults)\n"
        "checked as: payload (pipeline `web-events-hourly`)\n"
        "pipeline `web-events-hourly` (pipelines/web-events-hourly.json):\n"
        "  data model: `web-events` (data-models/web-events.yaml)\n"
        "  dialect: bigquery (from connection `bigquery-prod`, connections/bigquery-prod.yaml)\n"
        "  schema snapshot: schemas/bigquery-prod.json\n"
    )


def test_a_model_whose_warehouse_nothing_names_gets_a_note(tmp_path, run_cli):
    root = _project_with_troubles(tmp_path / "acme")
    pipeline = root / "pipelines/web-events-hourly.json"
    pipeline.write_text("<<<<<<< HEAD\n" + pipeline.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("check", "-q", "--select", "ST05", "models/bigquery/web_events.sql", cwd=root)
    assert result.err == ""  # -q: findings only
    result = run_cli("check", "--select", "ST05", "models/bigquery/web_events.sql", cwd=root)
    assert [line.split()[1] for line in result.out.splitlines() if line.startswith("models/")] == ["ST05"]
    assert result.err == (
        "wsync-lint: note: models/bigquery/web_events.sql: checked as Snowflake SQL by default: no pipeline's "
        "connection names its warehouse (pipelines/subscriptions-hourly.yaml, pipelines/web-events-hourly.json "
        "cannot be read and may hold the pipeline); set `dialect` in wsync-lint.toml or write "
        "`-- wsync-lint: dialect=<warehouse>` before the query.\n"
    )
    write(root, "wsync-lint.toml", 'dialect = "bigquery"\n')
    write(root, "models/bigquery/wsync-lint.toml", 'dialect = "bigquery"\n')
    result = run_cli("check", "--select", "ST05", "models/bigquery/web_events.sql", cwd=root)
    assert (result.code, result.err) == (0, "")


def test_a_subgroup_lists_only_the_exit_codes_its_commands_can_return(run_cli):
    help_text = run_cli("schema", "--help").out
    codes = help_text[help_text.index("Exit codes:") :].splitlines()[1:]
    assert [line.split()[0] for line in codes] == ["0", "2", "3", "130/143"]


def test_a_model_linked_through_a_symbolic_link_keeps_its_findings_from_every_entry_point(tmp_path, run_cli):
    """`sql_file: ../models/alias.sql`, a link to the real model inside the project: its own
    findings (ST03, ID02) are reported under the real name from `check .`, the link and the file."""
    shutil.copytree(REPO / "examples", tmp_path / "p")
    root = tmp_path / "p"
    (root / ".git").mkdir()
    (root / "models" / "alias.sql").symlink_to("snowflake/propensity_scores.sql")
    model = root / "data-models" / "propensity-scores.yaml"
    model.write_text(model.read_text().replace("../models/snowflake/propensity_scores.sql", "../models/alias.sql"))
    assert "sql_file: ../models/alias.sql" in model.read_text()
    real = "models/snowflake/propensity_scores.sql"

    def codes(*args: str) -> list[str]:
        out = run_cli("check", "--format", "json", *args, cwd=root).out
        return [f"{f['code']}@{f['line']}" for f in json.loads(out)["findings"] if f["path"] == real]

    expected = ["ID01@3", "CO04@3", "ID02@3", "CO04@4", "ST03@7"]
    assert codes() == codes("models/alias.sql") == codes(real) == expected

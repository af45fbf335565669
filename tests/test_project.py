"""The project layer: payload files and models checked together, whatever files are named.

Each test writes a small project (connection, data model, pipelines, SQL) and checks what a user
sees: which findings, in which file, at which position, for which files passed on the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import lint_paths

CONNECTION = {
    "id": "bq-prod",
    "name": "BigQuery prod",
    "state": "active",
    "service_provider": "BigQuery",
    "config": {"region": "us-east4", "project_id": "acme", "dataset_id": "crm", "service_account_id": "mp@acme.iam"},
}
MODEL_YAML = "id: users\nname: Users\ntype: sql\nstate: active\nconfig:\n  sql_file: users.sql\n"


def _pipeline(pipeline_id: str, pipeline_type: str) -> str:
    pipeline = {
        "id": pipeline_id,
        "name": pipeline_id,
        "pipeline_type": pipeline_type,
        "connection_id": "bq-prod",
        "data_model_id": "users",
        "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp"},
        "schedule": {"type": "interval", "frequency": "hourly", "start": "2023-02-01T00:00:00Z"},
        "state": "new",
        "environment": "production",
    }
    if pipeline_type == "events":
        pipeline["field_transformation_id"] = "events-ft"
    return json.dumps(pipeline, indent=2) + "\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A BigQuery project: one model (no identity column, a trailing `;`) used by two pipelines."""
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    write(tmp_path, "connections/bq.json", json.dumps(CONNECTION) + "\n")
    write(tmp_path, "models/users.yaml", MODEL_YAML)
    write(tmp_path, "models/users.sql", "SELECT plan_name, updated_at\nFROM `acme.crm.users`;\n")
    write(tmp_path, "pipelines/users.json", _pipeline("users-hourly", "user_attributes"))
    write(tmp_path, "pipelines/events.json", _pipeline("users-events", "events"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _found(*paths: str, select: tuple[str, ...] = ("ST03", "ST05", "ID01", "PS05")) -> list[tuple[str, int, int, str]]:
    result = lint_paths([Path(p) for p in paths or (".",)], RunOptions(select=select))
    return [(v.path, v.line, v.column, v.code) for v in result.violations]


def test_a_model_is_checked_in_its_connections_warehouse_once_per_pipeline(project):
    # Backticks are right in BigQuery (no ST05 although the configured dialect is Snowflake); the
    # user_attributes pipeline needs an identity (ID01), the events pipeline does not; the `;` is
    # reported once although two pipelines use the model.
    assert _found() == [("models/users.sql", 1, 8, "ID01"), ("models/users.sql", 2, 22, "ST03")]


def test_a_standalone_copy_of_the_model_takes_the_configured_dialect(project):
    write(project, "scratch/users.sql", "SELECT plan_name, updated_at\nFROM `acme.crm.users`\n")
    assert _found("scratch") == [("scratch/users.sql", 2, 6, "ST05")]


def test_naming_only_the_pipeline_reports_the_findings_that_involve_it(project):
    # What pre-commit does when only the pipeline changed: the model's missing identity is about
    # this pipeline (its type asks for one), the model's `;` is not.
    assert _found("pipelines/users.json") == [("models/users.sql", 1, 8, "ID01")]
    assert _found("pipelines/events.json") == []


def test_naming_only_the_model_reports_its_findings_with_the_pipelines_settings(project):
    assert _found("models/users.sql") == [("models/users.sql", 1, 8, "ID01"), ("models/users.sql", 2, 22, "ST03")]


def test_findings_in_other_files_are_not_reported_for_the_files_named(project):
    write(project, "broken/other.json", '{"pipeline_type": "events",}\n')
    assert _found("models/users.sql") == [("models/users.sql", 1, 8, "ID01"), ("models/users.sql", 2, 22, "ST03")]
    assert _found("broken") == [("broken/other.json", 1, 28, "PS05")]


def test_files_counted_are_those_named(project):
    result = lint_paths([Path("pipelines")], RunOptions(select=("ST03",)))
    assert result.paths == ["pipelines/events.json", "pipelines/users.json"]
    assert lint_paths([Path(".")], RunOptions(select=("ST03",))).files == 5


def test_an_inline_json_query_is_checked_where_its_text_is(project):
    model = {
        "id": "inline",
        "name": "Inline",
        "type": "sql",
        "config": {"sql_query": 'SELECT "x" AS y,\n  email FROM t;'},
    }
    write(project, "models/inline.json", json.dumps(model) + "\n")
    # Line 1 of the file; `;` is the query's last character, after the escaped quotes and `\n`.
    text = (project / "models/inline.json").read_text()
    assert _found("models/inline.json") == [("models/inline.json", 1, text.index(";") + 1, "ST03")]


def test_an_inline_yaml_block_query_is_checked_where_its_text_is(project):
    write(
        project, "models/inline.yaml", "id: inline\ntype: sql\nconfig:\n  sql_query: |\n    SELECT email\n    FROM t;\n"
    )
    assert _found("models/inline.yaml") == [("models/inline.yaml", 6, 11, "ST03")]


def test_a_payload_that_is_not_utf8_is_reported(project):
    write(project, "bad/p.json", b'{"pipeline_type": "events", "name": "caf\xe9"}')
    assert _found("bad") == [("bad/p.json", 1, 41, "PS05")]


def test_excluded_payloads_are_not_loaded(project):
    write(project, "wsync-lint.toml", 'dialect = "snowflake"\nexclude = ["drafts/*"]\n')
    write(project, "drafts/p.json", '{"pipeline_type": "events",}\n')
    assert _found() == [("models/users.sql", 1, 8, "ID01"), ("models/users.sql", 2, 22, "ST03")]


def test_json_files_without_warehouse_sync_keys_are_not_payloads(project):
    write(project, "package.json", '{"name": "x",}\n')
    write(project, ".github/workflows/ci.yml", "on: [push\n")
    assert _found(".", "package.json") == [("models/users.sql", 1, 8, "ID01"), ("models/users.sql", 2, 22, "ST03")]


BILLION_LAUGHS = "pipeline_type: events\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefg", "bcdefgh", strict=True)
)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # An alias bomb expands to 9^8 strings if constructed: refused before that.
        ("bomb.yaml", BILLION_LAUGHS, [("bomb.yaml", 2, 4, "PS05")]),
        ("deep.json", '{"pipeline_type": ' + "[" * 5000 + "]" * 5000 + "}", [("deep.json", 1, 1, "PS05")]),
        ("tags.yaml", "pipeline_type: !!python/object:os.system ls\n", [("tags.yaml", 1, 16, "PS05")]),
        ("scalar.json", '"pipeline_type"', [("scalar.json", 1, 1, "PS05")]),
        ("list.json", '[1, {"pipeline_type": "events", "id": "e"}]', [("list.json", 1, 2, "PS05")]),
        ("comment-only.yaml", "# pipeline_type\n", []),
    ],
)
def test_hostile_payloads_get_a_finding_not_a_crash(tmp_path, monkeypatch, name, text, expected):
    write(tmp_path, name, text)
    monkeypatch.chdir(tmp_path)
    assert _found(".", select=("PS05",)) == expected


def test_payload_values_of_any_type_never_crash_a_rule(tmp_path, monkeypatch):
    # Every key a rule reads, with a value of the wrong JSON type: findings, no exception.
    weird = {
        "id": 5, "pipeline_type": 3, "sync_mode": "x", "schedule": [], "state": {}, "environment": None,
        "connection_id": {}, "data_model_id": [], "field_transformation_id": True, "partner_feed_id": "x",
        "service_provider": ["Snowflake"], "config": {"password": {"a": 1}, "sql_file": 3, "sql_query": []},
        "mappings": "no", "module_name": 1, "data_plan_id": [], "plan_version": {},
    }  # fmt: skip
    write(tmp_path, "weird.json", json.dumps(weird))
    write(
        tmp_path,
        "list.yaml",
        "- pipeline_type: events\n  sync_mode: {type: [1], from: 3, until: {}}\n- mappings: [1, null, {mapping_type: []}]\n- module_name: [x]\n",
    )
    monkeypatch.chdir(tmp_path)
    result = lint_paths([Path(".")], RunOptions(select=("ALL",)))
    assert {v.path for v in result.violations} == {"weird.json", "list.yaml"}
    assert all(v.line >= 1 and v.column >= 1 for v in result.violations)


SNAPSHOT = {"dialect": "bigquery", "tables": {"acme.crm.users": {"plan_name": "STRING", "updated_at": "TIMESTAMP"}}}


def test_a_connections_snapshot_lets_schema_rules_run(project):
    write(project, "schemas/bq-prod.json", json.dumps(SNAPSHOT))
    write(project, "models/users.sql", "SELECT plan_name, updated_at\nFROM `acme.crm.user`\n")
    result = lint_paths([Path(".")], RunOptions(select=("RF05",)))
    assert [(v.path, v.line, v.column, v.code) for v in result.violations] == [("models/users.sql", 2, 6, "RF05")]
    assert result.not_run == set()


def test_without_a_snapshot_the_summary_says_which_rules_did_not_run(project, run_cli):
    result = run_cli("check", "--select", "RF05,ST03", cwd=project)
    assert result.out.splitlines()[-1] == (
        "1 rule needs a schema snapshot: RF05 (they did not run on models without one; see `schema-dir`)."
    )
    document = json.loads(run_cli("check", "--select", "RF05", "--format", "json", cwd=project).out)
    assert document["summary"]["rules_not_run"] == ["RF05"]


def test_a_standalone_model_names_its_snapshot_in_a_directive(project):
    write(project, "snapshots/warehouse.json", json.dumps(SNAPSHOT))
    write(
        project,
        "adhoc/q.sql",
        "-- wsync-lint: dialect=bigquery schema=../snapshots/warehouse.json\nSELECT x FROM `acme.crm.nope`\n",
    )
    result = lint_paths([Path("adhoc")], RunOptions(select=("RF05",)))
    assert [(v.path, v.line, v.column, v.code) for v in result.violations] == [("adhoc/q.sql", 2, 15, "RF05")]


def test_a_snapshot_with_payload_like_columns_is_not_a_payload(project):
    write(
        project,
        "schemas/bq-prod.json",
        json.dumps({"dialect": "bigquery", "tables": {"a.b.pipelines": {"pipeline_type": "STRING"}}}),
    )
    assert _found("schemas", select=("PS05",)) == []


def test_an_unusable_snapshot_is_one_clear_line_and_exit_2(project, run_cli):
    write(project, "schemas/bq-prod.json", '{"dialect": "bigquery", "tables": {"acme.crm.users": ["plan_name"]}}')
    result = run_cli("check", cwd=project)
    assert result.code == 2
    assert result.err == (
        f"wsync-lint: error: {(project / 'schemas/bq-prod.json').resolve()}: schema snapshot: "
        "table 'acme.crm.users' must map each column name to its type (strings)\n"
    )

"""Nothing in a project is skipped in silence, and a file gets the same findings however it is named.

Each test writes a small project and checks the exact findings of `check .` (what CI runs) and of
`check FILE` (what pre-commit runs): duplicate ids (PS06), a query under a key mParticle does not
read and a model file that must not be read (CN03), model files of any name, merge conflicts (PS05).
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.conftest import write
from tests.test_project import CONNECTION
from wsync_lint.engine import project_check, runner
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import lint_paths

PIPELINE = {
    "id": "users-hourly",
    "name": "Users hourly",
    "pipeline_type": "user_attributes",
    "connection_id": "bq-prod",
    "data_model_id": "users",
    "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp"},
    "schedule": {"type": "interval", "frequency": "hourly", "start": "2023-02-01T00:00:00Z"},
    "state": "new",
    "environment": "production",
}
# Right in BigQuery but for the `;` (ST03); backticks would be ST05 in Snowflake, the configured default.
BIGQUERY_MODEL = "SELECT customer_id, updated_at\nFROM `acme.crm.users`;\n"
SELECT = ("ST03", "ST05", "PS01", "PS05", "PS06", "CN03")


def _model(sql_file: str, model_id: str = "users") -> str:
    return f"id: {model_id}\nname: Users\ntype: sql\nstate: active\nconfig:\n  sql_file: {sql_file}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A BigQuery connection and pipeline; each test adds the data model."""
    root = tmp_path / "project"
    write(root, "wsync-lint.toml", 'dialect = "snowflake"\n')
    write(root, "connections/bq.json", json.dumps(CONNECTION) + "\n")
    write(root, "pipelines/users.json", json.dumps(PIPELINE, indent=2) + "\n")
    monkeypatch.chdir(root)
    return root


def _found(*paths: str, select: tuple[str, ...] = SELECT) -> list[tuple[str, int, int, str]]:
    result = lint_paths([Path(p) for p in paths or (".",)], RunOptions(select=select))
    return [(v.path, v.line, v.column, v.code) for v in result.violations]


def _alone(path: str) -> list[tuple[str, int, int, str]]:
    """What `check PATH` reports in PATH itself, checked to be what `check .` reports there."""
    named = [found for found in _found(path) if found[0] == path]
    assert named == [found for found in _found() if found[0] == path]
    return named


@pytest.mark.parametrize("name", ["users.txt", "users.sqlx", "users"])
def test_a_model_file_of_any_name_is_linted_as_sql(project, name):
    write(project, "models/users.yaml", _model(name))
    write(project, f"models/{name}", BIGQUERY_MODEL)
    expected = [(f"models/{name}", 2, 22, "ST03")]  # in BigQuery, the pipeline's warehouse: no ST05
    assert _found() == expected
    assert _found("models") == expected
    assert _alone(f"models/{name}") == expected
    assert lint_paths([Path(".")], RunOptions(select=SELECT)).paths.count(f"models/{name}") == 1


def test_a_model_file_of_any_name_without_a_pipeline_takes_the_configured_dialect(project):
    write(project, "models/adhoc.yaml", _model("adhoc.txt", model_id="adhoc"))
    write(project, "models/adhoc.txt", BIGQUERY_MODEL)
    # As a standalone `adhoc.sql` would be: in the configured Snowflake, where backticks are ST05.
    expected = [("models/adhoc.txt", 2, 6, "ST05"), ("models/adhoc.txt", 2, 22, "ST03")]
    assert _found(select=("ST03", "ST05")) == expected
    assert _found("models/adhoc.txt", select=("ST03", "ST05")) == expected


def test_files_no_model_names_are_not_linted_whatever_their_name(project):
    write(project, "models/users.yaml", _model("users.sql"))
    write(project, "models/users.sql", "SELECT customer_id, updated_at FROM `acme.crm.users`\n")
    write(project, "notes.txt", "SELECT 1;\n")
    assert _found() == []
    assert _found("notes.txt") == []


def test_a_query_under_an_unknown_key_is_reported_not_skipped(project):
    # The file names no Warehouse Sync key (`sql_query`, `sql_file`, ...): it used to be left unread.
    write(project, "models/users.yaml", "id: users\nname: Users\ntype: sql\nconfig:\n  query: SELECT 1 AS x\n")
    assert _alone("models/users.yaml") == [("models/users.yaml", 5, 3, "CN03")]
    assert _found("pipelines/users.json") == []


def test_a_sql_file_outside_the_project_is_reported_and_never_read(project, monkeypatch, run_cli):
    secret = write(project.parent, "outside/secret.sql", "SELECT 'TOP-SECRET' AS token;\n")
    write(project, "models/users.yaml", _model("link.sql"))
    (project / "models/link.sql").symlink_to(secret)
    write(project, "models/dotdot.yaml", _model("../../outside/secret.sql", model_id="dotdot"))
    opened: list[Path] = []

    def recording(path: Path, max_size: int):
        opened.append(Path(path).resolve())
        return read_source(path, max_size)

    read_source = runner.read_source
    monkeypatch.setattr(runner, "read_source", recording)
    monkeypatch.setattr(project_check, "read_source", recording)
    expected = [("models/dotdot.yaml", 6, 13, "CN03"), ("models/users.yaml", 6, 13, "CN03")]
    assert _found() == expected
    # Walking the folder finds the symlink as a `.sql` file: it is not read as a model of its own.
    assert _found("models") == expected
    assert _alone("models/users.yaml") == [("models/users.yaml", 6, 13, "CN03")]
    checked = run_cli("check", "--select", ",".join(SELECT), "--format", "json", cwd=project)
    assert "TOP-SECRET" not in checked.out + checked.err
    messages = [v["message"] for v in json.loads(checked.out)["findings"]]
    assert all("lies outside the project" in message for message in messages) and len(messages) == 2
    rendered = run_cli("render", "users-hourly", cwd=project)
    assert rendered.code == 2 and "TOP-SECRET" not in rendered.out + rendered.err
    assert "the file lies outside the project, so it is not read" in rendered.err
    assert secret.resolve() not in opened


def test_a_sql_file_that_is_no_regular_file_is_reported_and_never_opened(project):
    write(project, "models/users.yaml", _model("users.sql"))
    os.mkfifo(project / "models/users.sql")  # opening it to read would wait for a writer forever

    def hung(signum, frame):  # pragma: no cover - only when the FIFO is opened
        raise AssertionError("the FIFO was opened")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        assert _found() == [("models/users.yaml", 6, 13, "CN03")]
        assert _found("models/users.yaml") == [("models/users.yaml", 6, 13, "CN03")]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_missing_sql_file_is_reported_whichever_file_is_named(project):
    write(project, "models/users.yaml", _model("user.sql"))
    assert _found() == [("models/users.yaml", 6, 13, "CN03")]
    assert _alone("models/users.yaml") == [("models/users.yaml", 6, 13, "CN03")]


def test_duplicate_ids_are_reported_in_each_file_whichever_is_named(project):
    write(project, "models/users.yaml", _model("users.sql"))
    write(project, "models/users.sql", "SELECT customer_id, updated_at FROM `acme.crm.users`\n")
    copy = {"id": "users", "name": "Users", "type": "sql", "config": {"sql_query": "SELECT 1 AS customer_id"}}
    write(project, "models/users-copy.json", json.dumps(copy) + "\n")
    assert _found(select=("PS06",)) == [("models/users-copy.json", 1, 8, "PS06"), ("models/users.yaml", 1, 5, "PS06")]
    assert _found("models/users-copy.json", select=("PS06",)) == [("models/users-copy.json", 1, 8, "PS06")]
    assert _found("models/users.yaml", select=("PS06",)) == [("models/users.yaml", 1, 5, "PS06")]
    result = lint_paths([Path("models/users.yaml")], RunOptions(select=("PS06",)))
    assert result.violations[0].message == (
        "the data model id `users` is defined twice in this project (also at `models/users-copy.json:1`): "
        "a workspace holds one data model per id, so only one of the copies can be deployed"
    )


def test_a_pipeline_with_merge_conflict_markers_is_ps05_not_gone(project):
    write(project, "models/users.yaml", _model("users.sql"))
    write(project, "models/users.sql", "SELECT customer_id, updated_at FROM `acme.crm.users`\n")
    text = (project / "pipelines/users.json").read_text(encoding="utf-8")
    conflicted = text.replace(
        '  "state": "new",\n', '<<<<<<< HEAD\n  "state": "new",\n=======\n  "state": "active",\n>>>>>>> prod\n'
    )
    write(project, "pipelines/users.json", conflicted)
    assert _alone("pipelines/users.json") == [("pipelines/users.json", 17, 1, "PS05")]
    result = lint_paths([Path(".")], RunOptions(select=("PS05",)))
    assert result.violations[0].message.startswith("unresolved merge conflict: ")

"""The body deploy sends for a committed resource, and where each connection secret comes from.

The SQL file is inlined byte for byte (the final newline kept, a BOM dropped), read-only keys and
secrets are left out, and a secret is read only from the environment, with every problem a
one-line usage error that names the variable and never quotes a value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write
from wsync_lint.api.desired import desired_body, secret_slots, sql_file_shown
from wsync_lint.api.secrets import SecretSlot, placeholder, resolve_secret
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.errors import UsageError
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind

MODEL_YAML = "id: users\nname: Users\ntype: sql\nstate: active\nstatus: valid\nconfig:\n  sql_file: ../sql/users.sql\n"


def _project(root: Path, files: dict[str, str | bytes], monkeypatch: pytest.MonkeyPatch) -> Project:
    write(root, "wsync-lint.toml", 'dialect = "snowflake"\n')
    for relative, text in files.items():
        write(root, relative, text)
    monkeypatch.chdir(root)
    return load_project(root, Planner(RunOptions()))


def _model(root: Path, sql: str | bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, dict[str, Any]]:
    project = _project(root, {"models/users.yaml": MODEL_YAML, "sql/users.sql": sql}, monkeypatch)
    model = project.find(Kind.DATA_MODEL, "users")
    assert model is not None
    return project, desired_body(project, model)


def test_sql_file_is_inlined_in_its_place_with_the_final_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = "SELECT customer_id,\r\n  email\nFROM db.s.users\n-- wsync-lint: ignore\n"
    project, body = _model(tmp_path, sql, monkeypatch)
    assert body == {"id": "users", "name": "Users", "type": "sql", "state": "active", "config": {"sql_query": sql}}
    model = project.find(Kind.DATA_MODEL, "users")
    assert model is not None and sql_file_shown(model) == "sql/users.sql"


def test_bom_is_dropped_and_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, body = _model(tmp_path, "\ufeffSELECT 'é' AS x  \n\n".encode(), monkeypatch)
    assert body["config"] == {"sql_query": "SELECT 'é' AS x  \n\n"}


def test_read_only_keys_and_every_secret_key_are_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connection = {
        "id": "sf-prod",
        "service_provider": "Snowflake",
        "state": "active",
        "created_on": "2023-02-03T23:53:08.413",
        "errors": [],
        "config": {
            "account_identifier": "gd1",
            "user": "u",
            "password": "hunter22",
            "region": "r",
            "tunnel": [{"host": "h", "ssh_private_key": "k"}, {"Client_Secret": "c"}],
        },
        "api_secret": "a",
    }
    files = {
        "connections/sf.json": json.dumps(connection),
        "models/inline.yaml": "id: inline\ntype: sql\nconfig:\n  sql_query: SELECT 1\n",
    }
    project = _project(tmp_path, files, monkeypatch)
    found = [desired_body(project, project.resources[i]) for i in range(2)]
    assert found == [
        {
            "id": "sf-prod",
            "service_provider": "Snowflake",
            "state": "active",
            "config": {"account_identifier": "gd1", "user": "u", "region": "r", "tunnel": [{"host": "h"}, {}]},
        },
        {"id": "inline", "type": "sql", "config": {"sql_query": "SELECT 1"}},
    ]


@pytest.mark.parametrize(
    ("sql_file", "message"),
    [
        ("missing.sql", "data model `users`: `config.sql_file` models/missing.sql does not exist"),
        (
            "../../outside.sql",
            "data model `users`: `config.sql_file` ../outside.sql lies outside the project, so it is not read",
        ),
    ],
)
def test_unreadable_sql_file_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql_file: str, message: str
) -> None:
    root = tmp_path / "project"
    write(tmp_path, "outside.sql", "SELECT 1\n")
    project = _project(
        root, {"models/users.yaml": f"id: users\ntype: sql\nconfig:\n  sql_file: {sql_file}\n"}, monkeypatch
    )
    model = project.find(Kind.DATA_MODEL, "users")
    assert model is not None
    with pytest.raises(UsageError) as raised:
        desired_body(project, model)
    assert str(raised.value) == message


def test_sql_file_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError) as raised:
        _model(tmp_path, b"SELECT '\xff'\n", monkeypatch)
    assert str(raised.value) == (
        "data model `users`: `config.sql_file` sql/users.sql is not UTF-8 (byte 0xff at byte offset 8); "
        "the API takes UTF-8 text"
    )


def test_sql_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path, {"models/users.yaml": MODEL_YAML, "sql/users.sql": "SELECT 1\n"}, monkeypatch)
    model = project.find(Kind.DATA_MODEL, "users")
    assert model is not None
    with pytest.raises(UsageError) as raised:
        desired_body(project, model, max_size=4)
    assert str(raised.value) == (
        "data model `users`: `config.sql_file` sql/users.sql: the file is 9 bytes, over the 4-byte limit "
        "(`max-file-size`), so it is not read"
    )


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("Snowflake", [SecretSlot(("config", "password"), "WSYNC_LINT_WH_PROD_PASSWORD", "SNOWFLAKE_PASSWORD", False)]),
        ("Redshift", [SecretSlot(("config", "password"), "WSYNC_LINT_WH_PROD_PASSWORD", "REDSHIFT_PASSWORD", False)]),
        (
            "BigQuery",
            [SecretSlot(("config", "service_account_key"), "WSYNC_LINT_WH_PROD_CREDENTIALS_FILE", None, True)],
        ),
        ("Databricks", []),
    ],
)
def test_secret_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str, expected: list[SecretSlot]
) -> None:
    body = {"id": "wh-prod", "service_provider": provider, "config": {}}
    project = _project(tmp_path, {"connections/wh.json": json.dumps(body)}, monkeypatch)
    assert secret_slots(project.resources[0]) == expected


SNOWFLAKE = SecretSlot(("config", "password"), "WSYNC_LINT_SF_PASSWORD", "SNOWFLAKE_PASSWORD", False)
BIGQUERY = SecretSlot(("config", "service_account_key"), "WSYNC_LINT_BQ_CREDENTIALS_FILE", None, True)
KEY = {"type": "service_account", "client_email": "mp@acme.iam.gserviceaccount.com", "private_key": "-----BEGIN sekrit"}


def test_password_from_the_connection_variable_else_the_standard_one() -> None:
    both = {"WSYNC_LINT_SF_PASSWORD": "first-secret", "SNOWFLAKE_PASSWORD": "second-secret"}
    assert resolve_secret(SNOWFLAKE, both, {}) == "first-secret"
    assert resolve_secret(SNOWFLAKE, {"SNOWFLAKE_PASSWORD": "second-secret"}, {}) == "second-secret"
    assert placeholder(SNOWFLAKE) == "<from WSYNC_LINT_SF_PASSWORD>"
    assert SNOWFLAKE.source == "$WSYNC_LINT_SF_PASSWORD, else $SNOWFLAKE_PASSWORD"


def test_missing_password_names_the_variables() -> None:
    with pytest.raises(UsageError) as raised:
        resolve_secret(SNOWFLAKE, {"WSYNC_LINT_SF_PASSWORD": ""}, {})
    assert str(raised.value) == (
        "`config.password` must be sent with the connection, but `WSYNC_LINT_SF_PASSWORD` (or `SNOWFLAKE_PASSWORD`) "
        "is not set: set it there (the password is never read from the payload)"
    )


def test_bigquery_key_is_the_file_content(tmp_path: Path) -> None:
    text = "\ufeff" + json.dumps(KEY, indent=2) + "\n"
    key_file = write(tmp_path, "key.json", text)
    config = {"service_account_id": KEY["client_email"]}
    assert resolve_secret(BIGQUERY, {BIGQUERY.variable: str(key_file)}, config) == text.removeprefix("\ufeff")
    assert BIGQUERY.source == "the file named by $WSYNC_LINT_BQ_CREDENTIALS_FILE"


@pytest.mark.parametrize(
    ("content", "config", "problem"),
    [
        (
            '{"private_key": "-----BEGIN sekrit", ',
            {"service_account_id": KEY["client_email"]},
            "which is not a JSON service account key file",
        ),
        (
            json.dumps({**KEY, "type": "authorized_user"}),
            {"service_account_id": KEY["client_email"]},
            'which is not a service account key (`"type": "service_account"`)',
        ),
        (
            json.dumps(KEY),
            {"service_account_id": "other@acme.iam.gserviceaccount.com"},
            "whose `client_email` is not the connection's `config.service_account_id` (WS-CONN-12): "
            "use the key of that service account",
        ),
    ],
    ids=["not-json", "not-a-service-account", "other-account"],
)
def test_bad_bigquery_key_never_quotes_the_file(
    tmp_path: Path, content: str, config: dict[str, str], problem: str
) -> None:
    key_file = write(tmp_path, "key.json", content)
    with pytest.raises(UsageError) as raised:
        resolve_secret(BIGQUERY, {BIGQUERY.variable: str(key_file)}, config)
    assert str(raised.value) == f"`WSYNC_LINT_BQ_CREDENTIALS_FILE` names {key_file}, {problem}"
    assert "sekrit" not in str(raised.value) and raised.value.__cause__ is None


def test_bigquery_key_file_missing(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_secret(BIGQUERY, {BIGQUERY.variable: str(tmp_path / "nope.json")}, {})
    assert str(raised.value) == (
        f"`WSYNC_LINT_BQ_CREDENTIALS_FILE` names {tmp_path / 'nope.json'}: "
        "the file does not exist (or is a link that leads nowhere)"
    )

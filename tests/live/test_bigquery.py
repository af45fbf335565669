"""The BigQuery connector against bqemulator over a real REST connection with the real client.

What the emulator cannot answer is served by pytest-httpserver on 127.0.0.1 in BigQuery's own
response format, to a second client whose endpoint points at it: ``tables.testIamPermissions``
(the emulator answers 405), a refused ``bigquery.jobs.create``, an error with a position (the
emulator reports positions in its own rewritten SQL), and Google's token endpoint refusing a key.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug import Request, Response

from tests.live.standins import free_port
from tests.live.standins.bigquery import BigQueryStandin
from wsync_lint.analysis.column_types import parse_type
from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import WarehouseRejected, WarehouseUnreachable, env_name, settings_for
from wsync_lint.live.statements import read_only
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.window_filter import window_condition
from wsync_lint.sql.wrappers import count_query, probe_query

DIALECT = "bigquery"
EVENTS_COLUMNS = (
    ResultColumn("mpid", "INT64"),
    ResultColumn("email", "STRING"),
    ResultColumn("event_ts", "TIMESTAMP"),
    ResultColumn("tags", "ARRAY<STRING>"),
    ResultColumn("attrs", "STRUCT<city STRING, visits INT64, codes ARRAY<INT64>>"),
    ResultColumn("opted_in", "BOOL"),
    ResultColumn("score", "FLOAT64"),
)
JOBS_PATH = "/bigquery/v2/projects/test-proj/jobs"


@pytest.fixture(scope="module")
def standin(bigquery_standin: BigQueryStandin) -> BigQueryStandin:
    bigquery_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS mp",
        "CREATE SCHEMA IF NOT EXISTS crm",
        "CREATE OR REPLACE TABLE mp.events (mpid INT64 NOT NULL, email STRING, event_ts TIMESTAMP, "
        "tags ARRAY<STRING>, attrs STRUCT<city STRING, visits INT64, codes ARRAY<INT64>>, opted_in BOOL, score FLOAT64)",
        "INSERT INTO mp.events (mpid, email, event_ts) VALUES (1, 'a@x.io', TIMESTAMP '2024-01-01 00:00:00'), "
        "(2, 'b@x.io', TIMESTAMP '2024-01-02 00:00:00'), (3, 'c@x.io', TIMESTAMP '2024-02-01 00:00:00'), "
        "(4, 'd@x.io', TIMESTAMP '2024-03-05 00:00:00')",
        "CREATE OR REPLACE TABLE crm.accounts (account_id INT64, name STRING)",
    )
    return bigquery_standin


def _settings(standin: BigQueryStandin, timeout: float = 10.0, **extra: str):
    environment = {**standin.environment(), **{env_name(standin.connection_id, k): v for k, v in extra.items()}}
    return settings_for(standin.connection_id, DIALECT, standin.config, timeout, environment)


@pytest.fixture
def session(standin: BigQueryStandin):
    from wsync_lint.live.bigquery import connect

    opened = connect(_settings(standin))
    yield opened
    opened.close()


def _connect_to(server, **extra: str):
    """A session whose endpoint is the pytest-httpserver fake (same connection settings)."""
    from wsync_lint.live.bigquery import connect

    fake = BigQueryStandin(server.url_for("").rstrip("/"))
    return connect(_settings(fake, **extra))


def _job_answer(request: Request) -> Response:
    """A dry-run job as BigQuery returns it, for any query."""
    body = request.get_json()
    job = {
        "kind": "bigquery#job",
        "jobReference": body["jobReference"],
        "configuration": body["configuration"],
        "status": {"state": "DONE"},
        "statistics": {"query": {"schema": {"fields": [{"name": "f0_", "type": "INTEGER", "mode": "NULLABLE"}]}}},
    }
    return Response(json.dumps(job), content_type="application/json")


def _api_error(code: int, status: str, reason: str, message: str) -> Response:
    error = {"code": code, "message": message, "status": status}
    error["errors"] = [{"message": message, "domain": "global", "reason": reason}]
    return Response(json.dumps({"error": error}), status=code, content_type="application/json")


# -- describe ------------------------------------------------------------------------------------


def test_describe_gives_the_exact_columns_of_the_wrapped_model(session) -> None:
    model = "SELECT mpid, email, event_ts, tags, attrs, opted_in, score FROM `test-proj.mp.events`"
    columns = session.describe(read_only(probe_query(model, DIALECT).sql, DIALECT))
    assert columns == list(EVENTS_COLUMNS)
    for column in columns:  # the types are spelled so that the type checks can read them
        assert parse_type(column.type, DIALECT, WAREHOUSES[DIALECT]).data_type is not None, column


def test_describe_resolves_unqualified_tables_in_the_connection_dataset(session) -> None:
    model = "SELECT mpid, DATE(event_ts) AS event_date, PARSE_JSON('{\"a\": 1}') AS payload FROM events"
    columns = session.describe(read_only(probe_query(model, DIALECT).sql, DIALECT))
    assert columns == [
        ResultColumn("mpid", "INT64"),
        ResultColumn("event_date", "DATE"),
        ResultColumn("payload", "JSON"),
    ]


def test_a_bad_column_is_rejected_with_the_warehouse_message(session) -> None:
    query = read_only(probe_query("SELECT mpid, nope FROM mp.events", DIALECT).sql, DIALECT)
    with pytest.raises(WarehouseRejected) as refusal:
        session.describe(query)
    # bqemulator words it as DuckDB does; BigQuery says "Unrecognized name: nope at [4:14]".
    assert (
        refusal.value.message
        == 'Query execution failed: Binder Error: Referenced column "nope" not found in FROM clause!'
    )


def test_a_missing_table_is_rejected_with_the_warehouse_message(session) -> None:
    with pytest.raises(WarehouseRejected) as refusal:
        session.describe(read_only(probe_query("SELECT * FROM mp.missing", DIALECT).sql, DIALECT))
    assert refusal.value.message == "Not found: Table test-proj.mp.missing was not found in location US"
    assert (refusal.value.line, refusal.value.column) == (None, None)


def test_the_position_in_bigquerys_message_is_the_position_in_the_sent_statement(httpserver_ipv4) -> None:
    """Served: BigQuery's error body for an unknown column (bqemulator's positions are off)."""
    sent: list[str] = []

    def answer(request: Request) -> Response:
        sql = request.get_json()["configuration"]["query"]["query"]
        sent.append(sql)
        if sql == "SELECT 1":
            return _job_answer(request)
        return _api_error(400, "INVALID_ARGUMENT", "invalidQuery", "Unrecognized name: nope at [6:3]")

    httpserver_ipv4.expect_request(JOBS_PATH, method="POST").respond_with_handler(answer)
    session = _connect_to(httpserver_ipv4)
    query = read_only(probe_query("SELECT\n  mpid,\n  nope\nFROM mp.events", DIALECT).sql, DIALECT)
    with pytest.raises(WarehouseRejected) as refusal:
        session.describe(query)
    session.close()
    assert (refusal.value.message, refusal.value.line, refusal.value.column) == (
        "Unrecognized name: nope at [6:3]",
        6,
        3,
    )
    assert sent == ["SELECT 1", query.sql]
    assert query.sql.splitlines()[5] == "  nope"


# -- count ---------------------------------------------------------------------------------------


def test_count_returns_the_rows_in_the_window(session) -> None:
    start, until = datetime(2024, 1, 1, 12, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    condition = window_condition("event_ts", "timestamp", DIALECT, start, until)
    query = count_query("SELECT mpid, event_ts FROM mp.events", DIALECT, condition)
    assert session.count(read_only(query.sql, DIALECT)) == 2
    assert session.count(read_only(count_query("SELECT * FROM mp.events", DIALECT, None).sql, DIALECT)) == 4


# -- table ---------------------------------------------------------------------------------------


def test_table_resolves_short_and_full_names(session) -> None:
    events = LiveTable(("test-proj", "mp", "events"), EVENTS_COLUMNS)
    assert session.table("events", ["events"]) == events
    assert session.table("mp.events", ["mp", "events"]) == events
    assert session.table("`test-proj.mp.events`", ["test-proj", "mp", "events"]) == events
    accounts = (ResultColumn("account_id", "INT64"), ResultColumn("name", "STRING"))
    assert session.table("crm.accounts", ["crm", "accounts"]) == LiveTable(("test-proj", "crm", "accounts"), accounts)


def test_table_is_none_when_missing(session, standin: BigQueryStandin) -> None:
    from wsync_lint.live.bigquery import connect

    assert session.table("missing", ["missing"]) is None
    assert session.table("nowhere.events", ["nowhere", "events"]) is None
    assert session.table("`other-proj.mp.events`", ["other-proj", "mp", "events"]) is None
    no_dataset = {key: value for key, value in standin.config.items() if key != "dataset_id"}
    bare = connect(settings_for(standin.connection_id, DIALECT, no_dataset, 10.0, standin.environment()))
    assert bare.table("events", ["events"]) is None
    bare.close()


# -- grants --------------------------------------------------------------------------------------


def test_grants_the_emulator_cannot_answer_are_unchecked_with_the_reason(session, standin: BigQueryStandin) -> None:
    events = session.table("mp.events", ["mp", "events"])
    assert session.check_grants([("mp.events", events)]) == GrantCheck(
        unchecked=(
            f"table permissions (roles/bigquery.dataViewer): BigQuery at {standin.url} does not answer "
            "tables.testIamPermissions (405)",
        )
    )


def test_grants_report_each_table_missing_a_read_permission(httpserver_ipv4) -> None:
    """Served: testIamPermissions answers as BigQuery does (granted subset; no key when none)."""
    granted = {
        "events": ["bigquery.tables.get", "bigquery.tables.getData"],
        "profiles": ["bigquery.tables.get"],
        "secrets": None,
    }
    httpserver_ipv4.expect_request(JOBS_PATH, method="POST").respond_with_handler(_job_answer)
    for table, permissions in granted.items():
        path = f"/bigquery/v2/projects/test-proj/datasets/mp/tables/{table}:testIamPermissions"
        asked = {"permissions": ["bigquery.tables.get", "bigquery.tables.getData"]}
        answer = {"permissions": permissions} if permissions else {}
        httpserver_ipv4.expect_request(path, method="POST", json=asked).respond_with_json(answer)
    session = _connect_to(httpserver_ipv4)
    tables = [(name, LiveTable(("test-proj", "mp", name), ())) for name in granted]
    check = session.check_grants(tables)
    session.close()
    grantee = "mparticle@test-proj.iam.gserviceaccount.com"
    assert check == GrantCheck(
        gaps=(
            GrantGap("roles/bigquery.dataViewer", "dataset", "test-proj.mp", grantee, table="profiles"),
            GrantGap("roles/bigquery.dataViewer", "dataset", "test-proj.mp", grantee, table="secrets"),
        )
    )
    httpserver_ipv4.check_assertions()


def test_a_refused_job_permission_is_the_job_user_gap(httpserver_ipv4) -> None:
    """Served: BigQuery's 403 for a dry run without bigquery.jobs.create (WS-GRANT-BQ-01)."""
    message = (
        "Access Denied: Project test-proj: User does not have bigquery.jobs.create permission in project test-proj."
    )
    httpserver_ipv4.expect_request(JOBS_PATH, method="POST").respond_with_response(
        _api_error(403, "PERMISSION_DENIED", "accessDenied", message)
    )
    session = _connect_to(httpserver_ipv4)
    assert session.check_grants([]) == GrantCheck(
        gaps=(
            GrantGap("roles/bigquery.jobUser", "project", "test-proj", "mparticle@test-proj.iam.gserviceaccount.com"),
        )
    )
    with pytest.raises(WarehouseRejected, match=r"bigquery\.jobs\.create"):
        session.describe(read_only("SELECT 1", DIALECT))
    session.close()


# -- failures ------------------------------------------------------------------------------------


def _key_file(
    folder: Path, token_uri: str, email: str = "mparticle@test-proj.iam.gserviceaccount.com"
) -> tuple[Path, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    content = {
        "type": "service_account",
        "project_id": "test-proj",
        "private_key_id": "5f0c1e0d9a7b4c2e8f6a1b3c5d7e9f0a1b2c3d4e",
        "private_key": pem,
        "client_email": email,
        "client_id": "104857600000000000000",
        "token_uri": token_uri,
    }
    path = folder / "key.json"
    path.write_text(json.dumps(content))
    return path, pem


def test_a_refused_key_is_unreachable_and_the_message_holds_no_secret(httpserver_ipv4, tmp_path: Path) -> None:
    """Served: Google's token endpoint refusing the key, as it does for a deleted key."""
    from wsync_lint.live.bigquery import connect

    refusal = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    httpserver_ipv4.expect_request("/token", method="POST").respond_with_json(refusal, status=400)
    key_file, pem = _key_file(tmp_path, httpserver_ipv4.url_for("/token"))
    fake = BigQueryStandin(httpserver_ipv4.url_for("").rstrip("/"))
    with pytest.raises(WarehouseUnreachable) as failure:
        connect(_settings(fake, CREDENTIALS_FILE=str(key_file)))
    text = str(failure.value)
    assert text == "Google refused the credentials: invalid_grant: Invalid JWT Signature."
    secret_lines = [line for line in pem.splitlines() if "PRIVATE KEY" not in line]
    assert not any(line in text for line in secret_lines)
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_a_key_file_signs_in_and_permissions_are_tested_for_its_account(httpserver_ipv4, tmp_path: Path) -> None:
    """Served: Google's token endpoint granting a token, then BigQuery checking it. The key's
    account is not the connection's, which the check says."""
    token = {"access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"}
    httpserver_ipv4.expect_request("/token", method="POST").respond_with_json(token)
    bearer = {"Authorization": "Bearer ya29.test-token"}
    httpserver_ipv4.expect_request(JOBS_PATH, method="POST", headers=bearer).respond_with_handler(_job_answer)
    path = "/bigquery/v2/projects/test-proj/datasets/mp/tables/events:testIamPermissions"
    permissions = {"permissions": ["bigquery.tables.get", "bigquery.tables.getData"]}
    httpserver_ipv4.expect_request(path, method="POST", headers=bearer).respond_with_json(permissions)
    key_file, _ = _key_file(tmp_path, httpserver_ipv4.url_for("/token"), email="ops@test-proj.iam.gserviceaccount.com")
    session = _connect_to(httpserver_ipv4, CREDENTIALS_FILE=str(key_file))
    check = session.check_grants([("events", LiveTable(("test-proj", "mp", "events"), ()))])
    session.close()
    assert check == GrantCheck(
        unchecked=(
            "permissions were tested for ops@test-proj.iam.gserviceaccount.com, "
            "not for mparticle@test-proj.iam.gserviceaccount.com",
        )
    )
    httpserver_ipv4.check_assertions()


def test_a_key_file_that_is_no_key_is_unreachable_without_its_content(tmp_path: Path) -> None:
    from wsync_lint.live.bigquery import connect

    key_file = tmp_path / "key.json"
    secret = "c2VjcmV0LWtleS1tYXRlcmlhbA"
    content = {
        "type": "service_account",
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----\n",
    }
    key_file.write_text(json.dumps({**content, "client_email": "a@b.iam", "token_uri": "http://127.0.0.1:9/t"}))
    standin = BigQueryStandin(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(WarehouseUnreachable) as failure:
        connect(_settings(standin, CREDENTIALS_FILE=str(key_file)))
    assert str(failure.value).startswith(f"the credentials file {key_file} is not a usable service-account key: ")
    assert secret not in str(failure.value)


def test_an_unreachable_port_fails_within_the_timeout() -> None:
    from wsync_lint.live.bigquery import connect

    standin = BigQueryStandin(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(WarehouseUnreachable) as failure:
        connect(_settings(standin, timeout=3))
    assert str(failure.value) == f"cannot reach BigQuery at {standin.url}: connection refused"


def test_a_host_that_never_answers_fails_within_the_timeout() -> None:
    """A socket that accepts connections and never answers: the per-request timeout and the
    retry's deadline both hold."""
    from wsync_lint.live.bigquery import connect

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        standin = BigQueryStandin(f"http://127.0.0.1:{silent.getsockname()[1]}")
        with pytest.raises(WarehouseUnreachable) as failure:
            connect(_settings(standin, timeout=2))
    assert str(failure.value) == f"cannot reach BigQuery at {standin.url}: timed out"


def test_only_read_only_queries_reach_bigquery(session) -> None:
    with pytest.raises(TypeError):
        session.describe("SELECT 1")
    with pytest.raises(TypeError):
        session.count(read_only("SELECT COUNT(*) FROM t", "snowflake"))


def test_the_module_imports_no_driver() -> None:
    code = "import sys, wsync_lint.live.bigquery; print(sorted(m for m in sys.modules if m.startswith('google')))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"


def test_a_missing_driver_says_how_to_install_it() -> None:
    """A fresh interpreter whose import system refuses ``google.*``: the driver's absence,
    simulated in a venv that has it."""
    code = """
import sys
class NoGoogle:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "google":
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, NoGoogle())
from wsync_lint.live.backend import WarehouseUnreachable, settings_for
from wsync_lint.live.bigquery import connect
try:
    connect(settings_for("bq", "bigquery", {"project_id": "p"}, 3.0, {}))
except WarehouseUnreachable as failure:
    print(failure)
"""
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == (
        "the BigQuery driver is not installed: install `google-cloud-bigquery<4,>=3.20`, or pip install -e '.[bigquery]' in a clone of wsync-lint"
    )


def test_without_credentials_the_message_names_the_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Google's defaults are looked up in an empty gcloud folder, without the metadata server."""
    from wsync_lint.live.bigquery import connect

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    with pytest.raises(WarehouseUnreachable) as failure:
        connect(settings_for("bq-prod", DIALECT, {"project_id": "p"}, 3.0, {}))
    assert str(failure.value).startswith("no usable Google credentials (")
    assert str(failure.value).endswith(
        "export WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE (a service-account key file) or GOOGLE_APPLICATION_CREDENTIALS, "
        "or run `gcloud auth application-default login`"
    )


def test_column_types_with_parameters_are_spelled_as_in_information_schema() -> None:
    from google.cloud.bigquery import SchemaField

    from wsync_lint.live.bigquery import column_type

    fields = [
        SchemaField("amount", "NUMERIC", precision=18, scale=4),
        SchemaField("big", "BIGNUMERIC", precision=40),
        SchemaField("code", "STRING", max_length=8),
        SchemaField(
            "rows", "RECORD", mode="REPEATED", fields=[SchemaField("at", "DATETIME"), SchemaField("n", "FLOAT")]
        ),
    ]
    assert [column_type(f) for f in fields] == [
        "NUMERIC(18, 4)",
        "BIGNUMERIC(40)",
        "STRING(8)",
        "ARRAY<STRUCT<at DATETIME, n FLOAT64>>",
    ]

"""``wsync-lint preflight`` and ``schema pull`` end to end: the command line, the real connector
and driver, and a real local stand-in of each warehouse over a real connection.

Each test writes a small project (connection, data models, pipelines, a committed snapshot),
points the connection at the stand-in through its environment variables, and asserts the exact
findings, exit code and files written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write
from tests.live.standins import free_port
from tests.live.standins.bigquery import BigQueryStandin
from tests.live.standins.databricks import SHARE, DatabricksStandin
from tests.live.standins.redshift import RedshiftStandin
from tests.live.standins.snowflake import SnowflakeStandin
from wsync_lint.live.statements import read_only


def _project(
    folder: Path, connection: dict, models: dict[str, str], pipeline: dict, snapshot: dict | None = None
) -> None:
    """A project: ``connection`` (payload), one data model and pipeline per entry of ``models``
    (model id -> SQL), each pipeline shaped like ``pipeline`` (its ids filled in)."""
    write(folder, "wsync-lint.toml", "")
    write(folder, "connections/warehouse.json", json.dumps(connection, indent=2))
    for model_id, sql in models.items():
        write(folder, f"models/{model_id}.sql", sql)
        model = {"id": model_id, "name": model_id, "type": "sql", "state": "active",
                 "config": {"sql_file": f"../models/{model_id}.sql"}}  # fmt: skip
        write(folder, f"data-models/{model_id}.json", json.dumps(model, indent=2))
        shaped = {"id": f"{model_id}-sync", "name": model_id, "connection_id": connection["id"],
                  "data_model_id": model_id, **pipeline}  # fmt: skip
        write(folder, f"pipelines/{model_id}.json", json.dumps(shaped, indent=2))
    if snapshot is not None:
        write(folder, f"schemas/{connection['id']}.json", json.dumps(snapshot, indent=2) + "\n")


def _pipeline(iterator_field: str, iterator_data_type: str, frequency: str) -> dict:
    """An active incremental user-attributes pipeline starting 2024-01-01 (ids filled in by :func:`_project`)."""
    return {
        "pipeline_type": "user_attributes",
        "sync_mode": {
            "type": "incremental",
            "iterator_field": iterator_field,
            "iterator_data_type": iterator_data_type,
        },
        "schedule": {"type": "interval", "frequency": frequency, "start": "2024-01-01T00:00:00Z", "delay": "5m"},
        "state": "active",
        "environment": "production",
    }


def _connection(standin, provider: str) -> dict:
    """The connection payload that reaches ``standin``."""
    return {"id": standin.connection_id, "name": provider, "state": "active", "service_provider": provider,
            "config": standin.config}  # fmt: skip


def _findings(out: str) -> list[tuple[str, int, int, str]]:
    return [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)["findings"]]


def _messages(out: str, code: str) -> list[str]:
    return [f["message"] for f in json.loads(out)["findings"] if f["code"] == code]


# -- Snowflake (fakesnow's server) ----------------------------------------------------------------


SNOWFLAKE_PIPELINE = _pipeline("UPDATED_AT", "timestamp_ntz", "hourly")


@pytest.fixture(scope="module")
def snowflake(snowflake_standin: SnowflakeStandin) -> SnowflakeStandin:
    snowflake_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS MP_DB.SALES",
        "CREATE OR REPLACE TABLE MP_DB.SALES.BUYERS (ID NUMBER(38,0), EMAIL VARCHAR, UPDATED_AT TIMESTAMP_NTZ)",
        "INSERT INTO MP_DB.SALES.BUYERS VALUES (1, 'a@example.com', '2024-01-01 00:30:00'),"
        " (2, 'b@example.com', '2024-01-01 00:45:00'), (3, 'c@example.com', '2024-01-02 00:00:00')",
    )
    return snowflake_standin


def _snowflake_project(snowflake: SnowflakeStandin, folder: Path, monkeypatch) -> None:
    connection = _connection(snowflake, "Snowflake")
    models = {
        "buyers": "SELECT ID AS CUSTOMER_ID, EMAIL, UPDATED_AT\nFROM MP_DB.SALES.BUYERS\n",
        "broken": "SELECT ID AS CUSTOMER_ID, EMAIL, UPDATED_AT, NOPE\nFROM MP_DB.SALES.BUYERS\n",
    }
    # Stale: EMAIL changed type since, UPDATED_AT is new.
    snapshot = {
        "dialect": "snowflake",
        "tables": {"MP_DB.SALES.BUYERS": {"ID": "NUMBER(38,0)", "EMAIL": "NUMBER(38,0)"}},
    }
    _project(folder, connection, models, SNOWFLAKE_PIPELINE, snapshot)
    for name, value in snowflake.environment().items():
        monkeypatch.setenv(name, value)


def test_snowflake_preflight_reports_rejections_drift_and_lints_with_the_warehouses_columns(
    snowflake, tmp_path, run_cli, monkeypatch
):
    _snowflake_project(snowflake, tmp_path, monkeypatch)
    result = run_cli("preflight", "--format", "json", "--count", cwd=tmp_path)
    assert result.code == 1, result.err
    # RF06 runs on the warehouse's columns: NOPE is unknown, UPDATED_AT (missing from the stale
    # committed snapshot) is known.
    assert _findings(result.out) == [
        ("models/broken.sql", 1, 1, "LV01"),
        ("models/broken.sql", 1, 46, "RF06"),
        ("schemas/snowflake-standin.json", 4, 5, "LV04"),
        ("schemas/snowflake-standin.json", 6, 16, "LV04"),
    ]
    assert _messages(result.out, "LV01") == [
        "Snowflake rejects the data model for pipeline `broken-sync` (the warehouse gave no position): "
        'Binder Error: Referenced column "NOPE" not found in FROM clause!'
    ]
    assert _messages(result.out, "LV04") == [
        "`MP_DB.SALES.BUYERS` has columns the snapshot lacks: `UPDATED_AT`",
        "column `EMAIL` of `MP_DB.SALES.BUYERS` is `NUMBER(38,0)` in the snapshot but `VARCHAR` in the warehouse",
    ]
    # fakesnow cannot answer SHOW GRANTS: said, not guessed (tests/live/test_snowflake.py checks the rows).
    assert result.err == (
        "note: connection `snowflake-standin`: grants not checked: SHOW GRANTS TO ROLE MPARTICLE_ROLE was refused: "
        'Parser Error: syntax error at or near "TO"\n'
    )


def test_snowflake_schema_pull_writes_the_snapshot_then_check_agrees(snowflake, tmp_path, run_cli, monkeypatch):
    _snowflake_project(snowflake, tmp_path, monkeypatch)
    pulled = run_cli("schema", "pull", cwd=tmp_path)
    assert (pulled.code, pulled.out, pulled.err) == (0, "wrote schemas/snowflake-standin.json (1 table)\n", "")
    assert json.loads((tmp_path / "schemas/snowflake-standin.json").read_text()) == {
        "dialect": "snowflake",
        "tables": {"MP_DB.SALES.BUYERS": {"ID": "NUMBER(38,0)", "EMAIL": "VARCHAR", "UPDATED_AT": "TIMESTAMP_NTZ"}},
    }
    checked = run_cli("check", "--format", "json", "--select", "RF06,LV", cwd=tmp_path)
    assert _findings(checked.out) == [("models/broken.sql", 1, 46, "RF06")]


# -- BigQuery (bqemulator) ----------------------------------------------------------------------


BIGQUERY_PIPELINE = _pipeline("event_ts", "timestamp", "daily")


@pytest.fixture(scope="module")
def bigquery(bigquery_standin: BigQueryStandin) -> BigQueryStandin:
    bigquery_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS shop",
        "CREATE OR REPLACE TABLE shop.visits (mpid INT64, email STRING, event_ts TIMESTAMP, tags ARRAY<STRING>)",
        "INSERT INTO shop.visits (mpid, email, event_ts) VALUES (1, 'a@x.io', TIMESTAMP '2024-01-01 05:00:00'), "
        "(2, 'b@x.io', TIMESTAMP '2024-01-03 00:00:00')",
    )
    return bigquery_standin


def test_bigquery_preflight_dry_runs_and_types_the_iterator_from_the_warehouse(
    bigquery, tmp_path, run_cli, monkeypatch
):
    connection = _connection(bigquery, "BigQuery")
    project = bigquery.config["project_id"]
    models = {
        "visits": f"SELECT mpid AS customer_id, email, event_ts\nFROM `{project}.shop.visits`\n",
        "gone": f"SELECT mpid AS customer_id, email, event_ts\nFROM `{project}.shop.nope`\n",
        # No committed snapshot: only the warehouse can say `email` is a STRING.
        "texty": f"SELECT mpid AS customer_id, email AS event_ts\nFROM `{project}.shop.visits`\n",
    }
    _project(tmp_path, connection, models, BIGQUERY_PIPELINE)
    for name, value in bigquery.environment().items():
        monkeypatch.setenv(name, value)
    result = run_cli("preflight", "--format", "json", "--count", cwd=tmp_path)
    assert result.code == 1, result.err
    assert _findings(result.out) == [
        ("models/gone.sql", 1, 1, "LV01"),
        ("models/gone.sql", 2, 6, "RF05"),
        ("models/texty.sql", 1, 1, "LV01"),
        ("models/texty.sql", 1, 1, "LV01"),
        ("models/texty.sql", 1, 29, "SY04"),
    ]
    # The model compiles alone, but not inside mParticle's window: its iterator is a string.
    mixed = "Binder Error: Cannot mix values of type VARCHAR and TIMESTAMP WITH TIME ZONE in BETWEEN clause"
    assert [m.split(": Query execution failed: ")[0] for m in _messages(result.out, "LV01")] == [
        "BigQuery rejects the data model for pipeline `gone-sync` (the warehouse gave no position): "
        "Not found: Table test-proj.shop.nope was not found in location US",
        "BigQuery rejects mParticle's row count over the sync window for pipeline `texty-sync` "
        "(the warehouse gave no position)",
        "BigQuery rejects mParticle's sync run over the sync window for pipeline `texty-sync` "
        "(the warehouse gave no position)",
    ]
    assert all(mixed in m for m in _messages(result.out, "LV01")[1:])
    assert _messages(result.out, "RF05") == [
        "`test-proj.shop.nope` is not in the warehouse of connection `bq-standin` (as preflight found it)"
    ]
    # The emulator cannot answer tables.testIamPermissions (tests/live/test_bigquery.py serves it).
    assert result.err.startswith("note: connection `bq-standin`: grants not checked: ")
    assert result.err.endswith("does not answer tables.testIamPermissions (405)\n")
    # Without the warehouse, the same project has no snapshot: the schema rules do not run.
    checked = run_cli("check", "--format", "json", cwd=tmp_path)
    assert [f for f in _findings(checked.out) if f[3] in ("RF05", "SY04")] == []


# -- Redshift (PostgreSQL behind pgbouncer, with its statement log) ------------------------------


REDSHIFT_PIPELINE = _pipeline("updated_at", "timestamptz", "hourly")


@pytest.fixture(scope="module")
def redshift(redshift_standin: RedshiftStandin) -> RedshiftStandin:
    redshift_standin.setup(
        "CREATE SCHEMA billing",
        "CREATE TABLE billing.subscriptions (customer_id varchar(36), plan_code varchar(20), updated_at timestamptz)",
        # One row more than an hourly interval may hold, all in the first hour after schedule.start.
        "INSERT INTO billing.subscriptions SELECT 'c' || n, 'basic', "
        "TIMESTAMPTZ '2024-01-01 00:00:00+00' + n * INTERVAL '1 millisecond' FROM generate_series(0, 1000000) AS n",
        "CREATE TABLE billing.discounts (customer_id varchar(36), percent_off numeric(5,2), updated_at timestamptz)",
        "GRANT USAGE ON SCHEMA billing TO wsync",
        "GRANT SELECT ON billing.subscriptions TO wsync",  # not on billing.discounts
    )
    return redshift_standin


def _redshift_project(redshift: RedshiftStandin, folder: Path, monkeypatch, models: dict[str, str]) -> None:
    connection = _connection(redshift, "Redshift")
    _project(folder, connection, models, REDSHIFT_PIPELINE)
    for name, value in redshift.environment().items():
        monkeypatch.setenv(name, value)


def test_redshift_preflight_real_grants_and_record_limit(redshift, tmp_path, run_cli, monkeypatch):
    _redshift_project(redshift, tmp_path, monkeypatch, {
        "subscriptions": "SELECT customer_id, plan_code AS subscription_plan, updated_at\nFROM billing.subscriptions\n",
        "discounts": "SELECT customer_id, percent_off, updated_at\nFROM billing.discounts\n",
    })  # fmt: skip
    result = run_cli("preflight", "--format", "json", "--count", "--select", "LV", cwd=tmp_path)
    assert result.code == 1, result.err
    assert _findings(result.out) == [
        ("models/discounts.sql", 1, 1, "LV01"),
        ("models/discounts.sql", 2, 6, "LV02"),
        ("pipelines/subscriptions.json", 14, 5, "LV03"),
    ]
    assert _messages(result.out, "LV01") == [
        "Redshift rejects the data model for pipeline `discounts-sync` (the warehouse gave no position): "
        "permission denied for table discounts"
    ]
    assert _messages(result.out, "LV02") == [
        "user `wsync` lacks SELECT on table `billing.discounts` (connection `redshift-standin`): mParticle's "
        "queries for pipeline `discounts-sync` would fail"
    ]
    assert _messages(result.out, "LV03") == [
        "the first hourly sync window (2024-01-01T00:00:00Z .. 2024-01-01T01:00:00Z) of pipeline "
        "`subscriptions-sync` holds 1,000,001 rows, above mParticle's record count limit per hourly interval "
        "of 1,000,000"
    ]


def test_redshift_preflight_sends_nothing_but_reads_and_never_a_bad_model(redshift, tmp_path, run_cli, monkeypatch):
    """PostgreSQL's statement log (log_statement = 'all') is the witness: what the mParticle user's
    session sent during the preflight."""
    _redshift_project(redshift, tmp_path, monkeypatch, {
        "subscriptions": "SELECT customer_id, plan_code AS subscription_plan, updated_at\nFROM billing.subscriptions\n",
        "wiper": "DELETE FROM billing.subscriptions WHERE updated_at < '2024-01-01'",
        "twice": "SELECT customer_id, updated_at FROM billing.subscriptions;\n"
        "DROP TABLE billing.subscriptions",
    })  # fmt: skip
    mark = redshift.mark()
    result = run_cli("preflight", "--format", "json", cwd=tmp_path)
    sent = redshift.queries_of(redshift.statements_since(mark))
    assert result.code == 1
    assert {f[3] for f in _findings(result.out) if f[0] != "models/subscriptions.sql"} >= {"ST01", "ST02"}
    assert (
        "note: pipeline `wiper-sync`: the model was not sent to the warehouse: not a read-only statement: Delete\n"
        in result.err
    )
    assert (
        "note: pipeline `twice-sync`: the model was not sent to the warehouse: 2 statements: only one is ever sent\n"
        in result.err
    )
    assert sent, "the clean model was preflighted"
    assert not any("DELETE FROM" in statement or "DROP TABLE" in statement for statement in sent)
    for statement in sent:  # every statement the server saw is one read
        read_only(statement, "redshift")
    # The clean model: alone, then its three wrappers.
    probes = [s for s in sent if "billing.subscriptions" in s]
    assert len(probes) == 4 and probes[0].startswith("SELECT * FROM (\nSELECT customer_id, plan_code")


def test_redshift_unreachable_and_unset_connections_are_exit_3_and_the_others_are_still_checked(
    redshift, tmp_path, run_cli, monkeypatch
):
    _redshift_project(redshift, tmp_path, monkeypatch, {
        "discounts": "SELECT customer_id, percent_off, updated_at\nFROM billing.discounts\n",
    })  # fmt: skip
    for other in ("down", "unset"):  # `down` is tried on a closed port; `unset` has no password: never tried
        connection = {"id": other, "name": other, "state": "active", "service_provider": "Redshift",
                      "config": {**redshift.config}}  # fmt: skip
        write(tmp_path, f"connections/{other}.json", json.dumps(connection))
        write(tmp_path, f"pipelines/{other}.json", json.dumps({**REDSHIFT_PIPELINE, "id": f"{other}-sync",
              "name": other, "connection_id": other, "data_model_id": "discounts"}))  # fmt: skip
    port = free_port()
    monkeypatch.setenv("WSYNC_LINT_DOWN_ENDPOINT", f"127.0.0.1:{port}")
    monkeypatch.setenv("WSYNC_LINT_DOWN_PASSWORD", "not-the-real-one")
    monkeypatch.setenv("WSYNC_LINT_DOWN_SSL", "0")
    monkeypatch.setenv("WSYNC_LINT_UNSET_ENDPOINT", f"127.0.0.1:{redshift.port}")
    monkeypatch.delenv("REDSHIFT_PASSWORD", raising=False)
    result = run_cli("preflight", "--format", "json", "--timeout", "5", cwd=tmp_path)
    assert result.code == 3
    assert [f for f in _findings(result.out) if f[3].startswith("LV")] == [
        ("models/discounts.sql", 1, 1, "LV01"),
        ("models/discounts.sql", 2, 6, "LV02"),
    ]
    down = f"Redshift at 127.0.0.1:{port}: Connection refused"
    unset = "WSYNC_LINT_UNSET_PASSWORD is not set (or REDSHIFT_PASSWORD)"
    assert sorted(json.loads(result.out)["summary"]["not_checked"], key=lambda target: target["id"]) == [
        {"kind": "connection", "id": "down", "reason": down, "unreachable": True},
        {"kind": "connection", "id": "unset", "reason": unset, "unreachable": False},
    ]
    assert sorted(line for line in result.err.splitlines() if line.startswith("wsync-lint: ")) == [
        f"wsync-lint: not checked: connection `unset`: {unset}",
        f"wsync-lint: unreachable: connection `down`: {down}",
    ]
    assert "not-the-real-one" not in result.out + result.err


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif", "junit"])
def test_redshift_bad_password_never_shows_in_any_format(redshift, tmp_path, run_cli, monkeypatch, output_format):
    _redshift_project(redshift, tmp_path, monkeypatch, {
        "subscriptions": "SELECT customer_id, plan_code AS subscription_plan, updated_at\nFROM billing.subscriptions\n",
    })  # fmt: skip
    secret = "Wr0ng-But-Secret-Pa55"
    monkeypatch.setenv(f"WSYNC_LINT_{redshift.connection_id.upper().replace('-', '_')}_PASSWORD", secret)
    result = run_cli("preflight", "--format", output_format, cwd=tmp_path)
    assert result.code == 3
    why = f"Redshift at 127.0.0.1:{redshift.port}: password authentication failed"
    if output_format == "text":  # the report on the terminal says it; standard error does not repeat it
        assert f"unreachable: connection `redshift-standin`: {why}\n" in result.out
        assert "wsync-lint: " not in result.err
    else:
        assert result.err.splitlines()[-1] == f"wsync-lint: unreachable: connection `redshift-standin`: {why}"
    for fragment in (secret, secret[:8], secret[-8:]):
        assert fragment not in result.out and fragment not in result.err


# -- Databricks (our Thrift fake on the connector's own generated service) -----------------------


DATABRICKS_PIPELINE = _pipeline("updated_at", "timestamp", "daily")


@pytest.fixture(scope="module")
def databricks(databricks_standin: DatabricksStandin) -> DatabricksStandin:
    databricks_standin.setup(
        "CREATE TABLE analytics.mp.devices (device_id VARCHAR, customer_id VARCHAR, updated_at TIMESTAMPTZ,"
        " seen_at TIMESTAMP)",
        "CREATE TABLE analytics.mp.orders (customer_id VARCHAR, total DECIMAL(18,2), updated_at TIMESTAMPTZ)",
        f"CREATE SHARE IF NOT EXISTS {SHARE}",
        f"ALTER SHARE {SHARE} ADD TABLE analytics.mp.devices",  # not analytics.mp.orders
        f"GRANT SELECT ON SHARE {SHARE} TO RECIPIENT mParticle_us1",
    )
    return databricks_standin


def test_databricks_preflight_types_from_the_warehouse_and_the_share(databricks, tmp_path, run_cli, monkeypatch):
    connection = _connection(databricks, "Databricks")
    models = {
        # seen_at is a TIMESTAMP_NTZ in the warehouse: only the warehouse can say so (no snapshot).
        "devices": "SELECT customer_id, device_id, seen_at AS last_seen, updated_at\nFROM analytics.mp.devices\n",
        "orders": "SELECT customer_id, total, updated_at\nFROM analytics.mp.orders\n",
    }
    _project(tmp_path, connection, models, DATABRICKS_PIPELINE)
    for name, value in databricks.environment().items():
        monkeypatch.setenv(name, value)
    sent_before = len(databricks.statements)
    result = run_cli("preflight", "--format", "json", "--select", "LV,TY", cwd=tmp_path)
    assert result.code == 1, result.err
    assert _findings(result.out) == [
        ("models/devices.sql", 1, 32, "TY01"),
        ("models/orders.sql", 2, 6, "LV02"),
    ]
    assert _messages(result.out, "LV02") == [
        "`mParticle_<pod>` lacks SELECT on share `mparticle_1234_5678` (connection `databricks-test`): "
        "mParticle's queries for pipeline `orders-sync` would fail"
    ]
    sent = databricks.statements[sent_before:]
    assert all(not s.upper().startswith(("CREATE", "INSERT", "DROP", "ALTER", "DELETE")) for s in sent)

"""`wsync-lint render`: the queries mParticle runs around a model, in each warehouse's SQL.

Every rendered query is parsed back with sqlglot in its warehouse's dialect.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlglot
from sqlglot import exp

from tests.conftest import write
from wsync_lint.sql import sync_window, window_filter, wrappers

CONNECTIONS = {
    "snowflake": {
        "id": "snowflake-prod",
        "name": "Snowflake",
        "state": "active",
        "service_provider": "Snowflake",
        "config": {
            "account_identifier": "gd12345",
            "region": "us-central1.gcp",
            "warehouse": "compute_wh",
            "database": "mp",
            "role": "mparticle_role",
            "user": "mparticle_user",
            "storage_integration": "mp_us1_123_123_s3",
        },
    },
    "bigquery": {
        "id": "bigquery-prod",
        "name": "BigQuery",
        "state": "active",
        "service_provider": "BigQuery",
        "config": {
            "region": "us-east1",
            "project_id": "my-gcp-project",
            "dataset_id": "crm",
            "service_account_id": "mparticle-account@my-gcp-project.iam.gserviceaccount.com",
        },
    },
    "redshift": {
        "id": "redshift-prod",
        "name": "Redshift",
        "state": "active",
        "service_provider": "Redshift",
        "config": {
            "database": "dev",
            "host": "dwi-test.ab123yyxwwzz.us-east-1.redshift.amazonaws.com",
            "user": "mparticle",
            "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mParticle_role",
        },
    },
    "databricks": {
        "id": "databricks-prod",
        "name": "Databricks",
        "state": "active",
        "service_provider": "Databricks",
        "config": {"provider": "acme", "schema": "crm"},
    },
}

MODELS = {
    "snowflake": "SELECT c.customer_id, c.email, c.updated_at\nFROM mp.crm.customers AS c\n",
    "bigquery": "SELECT c.customer_id, c.email, c.updated_at\nFROM `my-gcp-project.crm.customers` AS c\n",
    "redshift": "SELECT c.customer_id, c.email, c.updated_at\nFROM crm.customers AS c\n",
    "databricks": "SELECT c.customer_id, c.email, c.updated_at\nFROM main.crm.customers AS c\n",
}


def pipeline(
    pipeline_id: str,
    connection: str,
    sync_mode: dict,
    schedule: dict | None = None,
    model: str = "users",
) -> dict:
    return {
        "id": pipeline_id,
        "name": pipeline_id,
        "pipeline_type": "user_attributes",
        "connection_id": connection,
        "data_model_id": model,
        "state": "active",
        "sync_mode": sync_mode,
        "schedule": schedule or {"type": "interval", "frequency": "hourly", "delay": "5m"},
        "environment": "development",
    }


def incremental(iterator_data_type: str, field: str = "updated_at", **window: str) -> dict:
    return {"type": "incremental", "iterator_field": field, "iterator_data_type": iterator_data_type, **window}


def project(tmp_path, dialect: str, pipelines: list[dict], model_sql: str | None = None) -> None:
    """A project: one connection, data model `users` in models/users.sql, the pipelines."""
    write(tmp_path, "wsync-lint.toml", "")
    write(tmp_path, "connections/connection.json", json.dumps(CONNECTIONS[dialect], indent=2))
    model = {"id": "users", "name": "Users", "state": "active", "type": "sql", "config": {"sql_file": "users.sql"}}
    write(tmp_path, "models/users.json", json.dumps(model, indent=2))
    write(tmp_path, "models/users.sql", MODELS[dialect] if model_sql is None else model_sql)
    write(tmp_path, "pipelines.json", json.dumps(pipelines, indent=2))


def rendered(run_cli, tmp_path, *args: str) -> list[dict]:
    result = run_cli("render", *args, "--format", "json", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    return json.loads(result.out)


def assert_all_parse(blocks: list[dict]) -> None:
    for block in blocks:
        for query in block["queries"]:
            sqlglot.parse_one(query["sql"], read=block["dialect"])


# -- exact output, one project per warehouse --------------------------------------------------------


def test_snowflake_pipeline_text(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    project(tmp_path, "snowflake", [pipeline("users-hourly", "snowflake-prod", incremental("timestamp_ntz", **window))])
    result = run_cli("render", "users-hourly", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "-- pipeline users-hourly: data model users, Snowflake connection snowflake-prod, "
        "window 2023-02-01T00:00:00Z .. 2023-02-01T01:00:00Z\n"
        "\n"
        "-- row count over the sync window\n"
        "SELECT COUNT(*)\n"
        "FROM\n"
        "(\n"
        "SELECT c.customer_id, c.email, c.updated_at\n"
        "FROM mp.crm.customers AS c\n"
        ")\n"
        "WHERE updated_at BETWEEN CAST('2023-02-01 00:00:00' AS TIMESTAMP_NTZ) "
        "AND CAST('2023-02-01 01:00:00' AS TIMESTAMP_NTZ);\n"
        "\n"
        "-- column probe: the model's column names and types, no rows\n"
        "SELECT *\n"
        "FROM\n"
        "(\n"
        "SELECT c.customer_id, c.email, c.updated_at\n"
        "FROM mp.crm.customers AS c\n"
        ")\n"
        "LIMIT 0;\n"
        "\n"
        "-- sync run over the sync window\n"
        "SELECT OBJECT_CONSTRUCT_KEEP_NULL(*)\n"
        "FROM\n"
        "(\n"
        "SELECT c.customer_id, c.email, c.updated_at\n"
        "FROM mp.crm.customers AS c\n"
        ")\n"
        "WHERE updated_at BETWEEN CAST('2023-02-01 00:00:00' AS TIMESTAMP_NTZ) "
        "AND CAST('2023-02-01 01:00:00' AS TIMESTAMP_NTZ);\n"
    )
    for statement in sqlglot.parse(result.out, read="snowflake"):
        assert isinstance(statement, exp.Select)


def test_bigquery_pipeline_text(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-02T00:00:00Z"}
    project(tmp_path, "bigquery", [pipeline("users-daily", "bigquery-prod", incremental("timestamp", **window))])
    result = run_cli("render", "users-daily", cwd=tmp_path)
    assert result.code == 0
    model = "SELECT c.customer_id, c.email, c.updated_at\nFROM `my-gcp-project.crm.customers` AS c\n"
    where = (
        "WHERE updated_at BETWEEN CAST('2023-02-01 00:00:00+00:00' AS TIMESTAMP) "
        "AND CAST('2023-02-02 00:00:00+00:00' AS TIMESTAMP);\n"
    )
    assert result.out == (
        "-- pipeline users-daily: data model users, BigQuery connection bigquery-prod, "
        "window 2023-02-01T00:00:00Z .. 2023-02-02T00:00:00Z\n\n"
        f"-- row count over the sync window\nSELECT COUNT(*)\nFROM\n(\n{model})\n{where}\n"
        f"-- column probe: the model's column names and types, no rows\nSELECT *\nFROM\n(\n{model})\nLIMIT 0;\n\n"
        "-- sync run over the sync window\n"
        "-- note: mParticle documents the sync run's select list for Snowflake only "
        "(OBJECT_CONSTRUCT_KEEP_NULL(*)); for BigQuery it is shown as SELECT *\n"
        f"SELECT *\nFROM\n(\n{model})\n{where}"
    )
    assert len(sqlglot.parse(result.out, read="bigquery")) == 3


def test_redshift_pipeline_aliases_the_derived_table(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-08T00:00:00Z"}
    project(tmp_path, "redshift", [pipeline("users-weekly", "redshift-prod", incremental("timestamptz", **window))])
    result = run_cli("render", "users-weekly", cwd=tmp_path)
    assert result.code == 0
    model = "SELECT c.customer_id, c.email, c.updated_at\nFROM crm.customers AS c\n"
    where = (
        "WHERE updated_at BETWEEN CAST('2023-02-01 00:00:00+00:00' AS TIMESTAMPTZ) "
        "AND CAST('2023-02-08 00:00:00+00:00' AS TIMESTAMPTZ);\n"
    )
    assert result.out == (
        "-- pipeline users-weekly: data model users, Redshift connection redshift-prod, "
        "window 2023-02-01T00:00:00Z .. 2023-02-08T00:00:00Z\n\n"
        f"-- row count over the sync window\nSELECT COUNT(*)\nFROM\n(\n{model}) AS m\n{where}\n"
        f"-- column probe: the model's column names and types, no rows\nSELECT *\nFROM\n(\n{model}) AS m\nLIMIT 0;\n\n"
        "-- sync run over the sync window\n"
        "-- note: mParticle documents the sync run's select list for Snowflake only "
        "(OBJECT_CONSTRUCT_KEEP_NULL(*)); for Redshift it is shown as SELECT *\n"
        f"SELECT *\nFROM\n(\n{model}) AS m\n{where}"
    )
    for statement in sqlglot.parse(result.out, read="redshift"):
        derived = statement.args["from_"].this
        assert isinstance(derived, exp.Subquery) and derived.alias == "m"
        cast = statement.find(exp.Cast)
        assert cast is None or cast.to.this is exp.DataType.Type.TIMESTAMPTZ


def test_databricks_pipeline_with_a_date_iterator(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-03-01T00:00:00Z"}
    project(tmp_path, "databricks", [pipeline("users-monthly", "databricks-prod", incremental("date", **window))])
    [block] = rendered(run_cli, tmp_path, "users-monthly")
    model = "SELECT c.customer_id, c.email, c.updated_at\nFROM main.crm.customers AS c"
    where = "WHERE updated_at BETWEEN CAST('2023-02-01' AS DATE) AND CAST('2023-03-01' AS DATE)"
    assert block == {
        "pipeline": "users-monthly",
        "data_model": "users",
        "sql_file": None,
        "connection": "databricks-prod",
        "dialect": "databricks",
        "window": {"from": "2023-02-01T00:00:00Z", "until": "2023-03-01T00:00:00Z", "assumed": False},
        "notes": [],
        "queries": [
            {
                "title": "row count over the sync window",
                "sql": f"SELECT COUNT(*)\nFROM\n(\n{model}\n)\n{where}",
                "note": None,
            },
            {
                "title": "column probe: the model's column names and types, no rows",
                "sql": f"SELECT *\nFROM\n(\n{model}\n)\nLIMIT 0",
                "note": None,
            },
            {
                "title": "sync run over the sync window",
                "sql": f"SELECT *\nFROM\n(\n{model}\n)\n{where}",
                "note": "mParticle documents the sync run's select list for Snowflake only "
                "(OBJECT_CONSTRUCT_KEEP_NULL(*)); for Databricks it is shown as SELECT *",
            },
        ],
    }
    assert_all_parse([block])


# -- every iterator type parses back, typed as the column ---------------------------------------------

# The type each bound is cast to, as the warehouse spells it; sqlglot must read it back as that type.
_CAST_TYPES = {
    ("snowflake", "timestamp_ltz"): "TIMESTAMP_LTZ",
    ("snowflake", "timestamp_ntz"): "TIMESTAMP_NTZ",
    ("snowflake", "timestamp_tz"): "TIMESTAMP_TZ",
    ("snowflake", "datetime"): "DATETIME",
    ("snowflake", "date"): "DATE",
    ("bigquery", "datetime"): "DATETIME",
    ("bigquery", "date"): "DATE",
    ("bigquery", "timestamp"): "TIMESTAMP",
    ("redshift", "date"): "DATE",
    ("redshift", "timestamp"): "TIMESTAMP",
    ("redshift", "timestamptz"): "TIMESTAMPTZ",
    ("databricks", "date"): "DATE",
    ("databricks", "timestamp"): "TIMESTAMP",
}
_ITERATOR_CASES = [
    *_CAST_TYPES,
    *((dialect, epoch) for dialect in CONNECTIONS for epoch in ("timestamp_unixtime_ms", "timestamp_unixtime_s")),
]


@pytest.mark.parametrize(("dialect", "iterator_data_type"), _ITERATOR_CASES)
def test_every_query_parses_with_bounds_typed_for_the_iterator(tmp_path, run_cli, dialect, iterator_data_type):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    connection = CONNECTIONS[dialect]["id"]
    project(tmp_path, dialect, [pipeline("p", connection, incremental(iterator_data_type, **window))])
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["notes"] == []
    count, probe, sync = (sqlglot.parse_one(q["sql"], read=block["dialect"]) for q in block["queries"])
    assert probe.args["limit"].expression.name == "0"
    for query in (count, sync):
        between = query.args["where"].this
        assert isinstance(between, exp.Between) and between.this.name == "updated_at"
        bounds = between.args["low"], between.args["high"]
        if iterator_data_type == "timestamp_unixtime_ms":
            assert [b.name for b in bounds] == ["1675209600000", "1675213200000"]
        elif iterator_data_type == "timestamp_unixtime_s":
            assert [b.name for b in bounds] == ["1675209600", "1675213200"]
        else:
            written = _CAST_TYPES[(dialect, iterator_data_type)]
            assert f" AS {written})" in block["queries"][0]["sql"]
            assert all(b.to == exp.DataType.build(written, dialect=dialect) for b in bounds)


# -- which pipelines, which window ---------------------------------------------------------------------


def test_model_used_by_two_pipelines_renders_once_per_pipeline(tmp_path, run_cli):
    project(
        tmp_path,
        "snowflake",
        [
            pipeline("users-hourly", "snowflake-prod", incremental("timestamp_ltz", until="2023-02-01T01:00:00Z")),
            pipeline(
                "users-daily",
                "snowflake-prod",
                incremental("timestamp_unixtime_s", field="UPDATED_S", until="2023-02-02T00:00:00Z"),
                {"type": "interval", "frequency": "daily", "delay": "5m"},
            ),
        ],
    )
    blocks = rendered(run_cli, tmp_path, "users")
    assert [(b["pipeline"], b["window"]) for b in blocks] == [
        ("users-hourly", {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z", "assumed": True}),
        ("users-daily", {"from": "2023-02-01T00:00:00Z", "until": "2023-02-02T00:00:00Z", "assumed": True}),
    ]
    assert blocks[0]["notes"] == ["from assumed: one hour before until (hourly schedule; set --from)"]
    assert blocks[1]["notes"] == ["from assumed: one day before until (daily schedule; set --from)"]
    assert blocks[1]["queries"][0]["sql"].endswith("WHERE UPDATED_S BETWEEN 1675209600 AND 1675296000")
    assert_all_parse(blocks)
    text = run_cli("render", "users", cwd=tmp_path).out
    assert text.count("-- pipeline ") == 2
    assert "\n\n-- pipeline users-daily: data model users, Snowflake connection snowflake-prod, " in text


def test_full_sync_without_a_window_reads_every_row(tmp_path, run_cli):
    full = {"type": "full", "iterator_field": "updated_at", "iterator_data_type": "timestamp_ntz"}
    project(tmp_path, "snowflake", [pipeline("users-full", "snowflake-prod", full, {"type": "on_demand"})])
    [block] = rendered(run_cli, tmp_path, "users-full")
    assert block["window"] is None
    assert block["notes"] == ["full sync without from or until: every run reads every row"]
    assert [q["title"] for q in block["queries"]] == [
        "row count (every row: no sync window)",
        "column probe: the model's column names and types, no rows",
        "sync run (every row: no sync window)",
    ]
    assert block["queries"][0]["sql"] == "SELECT COUNT(*)\nFROM\n(\n" + MODELS["snowflake"] + ")"
    assert all("WHERE" not in q["sql"] for q in block["queries"])
    assert_all_parse([block])
    text = run_cli("render", "users-full", cwd=tmp_path).out
    assert text.startswith(
        "-- pipeline users-full: data model users, Snowflake connection snowflake-prod, no sync window\n"
        "-- note: full sync without from or until: every run reads every row\n\n"
    )


def test_full_sync_with_from_and_until_filters_through_the_iterator(tmp_path, run_cli):
    full = {
        "type": "full",
        "iterator_field": "updated_at",
        "iterator_data_type": "date",
        "from": "2020-01-01T00:00:00Z",
        "until": "2021-01-01T00:00:00Z",
    }
    project(tmp_path, "snowflake", [pipeline("users-2020", "snowflake-prod", full, {"type": "once"})])
    [block] = rendered(run_cli, tmp_path, "users-2020")
    assert block["window"] == {"from": "2020-01-01T00:00:00Z", "until": "2021-01-01T00:00:00Z", "assumed": False}
    assert block["queries"][0]["sql"].endswith(
        "WHERE updated_at BETWEEN CAST('2020-01-01' AS DATE) AND CAST('2021-01-01' AS DATE)"
    )


def test_incremental_window_falls_back_to_the_schedule(tmp_path, run_cli):
    schedule = {
        "type": "interval",
        "frequency": "weekly",
        "start": "2023-01-02T00:00:00Z",
        "end": "2023-01-09T00:00:00Z",
    }
    project(tmp_path, "redshift", [pipeline("p", "redshift-prod", incremental("timestamp"), schedule)])
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["window"] == {"from": "2023-01-02T00:00:00Z", "until": "2023-01-09T00:00:00Z", "assumed": False}


def test_unknown_window_is_assumed_and_said(tmp_path, run_cli):
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", incremental("timestamp_ntz"))])
    before = datetime.now(UTC).replace(microsecond=0)
    [block] = rendered(run_cli, tmp_path, "p")
    after = datetime.now(UTC)
    until = sync_window.parse_timestamp(block["window"]["until"])
    start = sync_window.parse_timestamp(block["window"]["from"])
    assert before <= until <= after
    assert until - start == timedelta(hours=1)
    assert block["window"]["assumed"] is True
    assert block["notes"] == [
        "until assumed: the current time (no until in the pipeline; set --until)",
        "from assumed: one hour before until (hourly schedule; set --from)",
    ]
    text = run_cli("render", "p", cwd=tmp_path).out
    assert "\n-- note: until assumed: the current time (no until in the pipeline; set --until)\n" in text


def test_window_options_beat_the_pipeline(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    project(tmp_path, "bigquery", [pipeline("p", "bigquery-prod", incremental("timestamp_unixtime_ms", **window))])
    options = ("--from", "2024-05-01T10:00:00Z", "--until", "2024-05-01T11:30:00Z")
    [block] = rendered(run_cli, tmp_path, "p", *options)
    assert block["window"] == {"from": "2024-05-01T10:00:00Z", "until": "2024-05-01T11:30:00Z", "assumed": False}
    assert block["queries"][2]["sql"].endswith("WHERE updated_at BETWEEN 1714557600000 AND 1714563000000")
    [only_until] = rendered(run_cli, tmp_path, "p", "--until", "2024-05-01T11:30:00Z")
    assert only_until["window"]["from"] == "2023-02-01T00:00:00Z"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2024-05-01 10:00:00"), "--from: expected a UTC timestamp like 2022-10-30T11:00:16Z, got '2024-05-01 10:00:00'"),
        (("--until", "2023-03-01T:12:00:00Z"), "--until: expected a UTC timestamp like 2022-10-30T11:00:16Z, got '2023-03-01T:12:00:00Z'"),
        (("--from", "2024-05-02T00:00:00Z", "--until", "2024-05-01T00:00:00Z"), "--from 2024-05-02T00:00:00Z is after --until 2024-05-01T00:00:00Z"),
    ],
)  # fmt: skip
def test_bad_window_options_are_usage_errors(tmp_path, run_cli, args, message):
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", incremental("timestamp_ntz"))])
    result = run_cli("render", "p", *args, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", f"wsync-lint: error: {message}\n")


def test_invalid_payload_timestamp_is_ignored_with_a_note(tmp_path, run_cli):
    bad = incremental("timestamp_ntz", until="2023-03-01T:12:00:00Z", **{"from": "2023-03-01T11:00:00Z"})
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", bad)])
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["notes"][0] == (
        'sync_mode.until "2023-03-01T:12:00:00Z" is not a timestamp like 2022-10-30T11:00:16Z: ignored'
    )
    assert block["window"]["from"] == "2023-03-01T11:00:00Z" and block["window"]["assumed"] is True


# -- targets ---------------------------------------------------------------------------------------------


def test_unknown_id_is_one_line_listing_the_known_ids(tmp_path, run_cli):
    project(tmp_path, "snowflake", [pipeline("users-hourly", "snowflake-prod", incremental("timestamp_ntz"))])
    result = run_cli("render", "orders", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"wsync-lint: error: no pipeline or data model 'orders' in the project at {tmp_path} "
        "(pipelines: users-hourly; data models: users)\n"
    )


def test_an_id_of_both_a_pipeline_and_a_model_needs_a_prefix(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    project(tmp_path, "snowflake", [pipeline("users", "snowflake-prod", incremental("timestamp_ntz", **window))])
    result = run_cli("render", "users", cwd=tmp_path)
    assert (result.code, result.err) == (
        2,
        "wsync-lint: error: 'users' is both a pipeline and a data model: write pipeline:users or model:users\n",
    )
    [block] = rendered(run_cli, tmp_path, "pipeline:users")
    assert block["pipeline"] == "users"
    assert [b["pipeline"] for b in rendered(run_cli, tmp_path, "model:users")] == ["users"]


def test_payload_file_and_sql_file_name_their_resource(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    project(tmp_path, "snowflake", [])
    write(tmp_path, "pipelines.json", json.dumps(pipeline("p", "snowflake-prod", incremental("date", **window))))
    by_id = rendered(run_cli, tmp_path, "p")
    assert rendered(run_cli, tmp_path, "pipelines.json") == by_id
    assert rendered(run_cli, tmp_path, "models/users.json") == by_id
    assert rendered(run_cli, tmp_path, "models/users.sql") == by_id
    # A file named from another folder: its project is found from the file.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert rendered(run_cli, elsewhere, "../models/users.sql") == by_id
    missing = run_cli("render", "models/orders.sql", cwd=tmp_path)
    assert (missing.code, missing.err) == (2, "wsync-lint: error: models/orders.sql: no such file\n")
    result = run_cli("render", "connections/connection.json", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("wsync-lint: error: connections/connection.json holds 0 pipelines and 0 data models")


def test_model_no_pipeline_uses_renders_count_and_probe_only(tmp_path, run_cli):
    project(tmp_path, "snowflake", [], model_sql="SELECT customer_id, email FROM `p.crm.customers`")
    [block] = rendered(run_cli, tmp_path, "users", "--dialect", "bigquery")
    assert (block["pipeline"], block["connection"], block["dialect"], block["window"]) == (
        None,
        None,
        "bigquery",
        None,
    )
    assert [q["title"] for q in block["queries"]] == [
        "row count (every row: no sync window)",
        "column probe: the model's column names and types, no rows",
    ]
    assert_all_parse([block])
    text = run_cli("render", "users", "--dialect", "bigquery", cwd=tmp_path).out
    assert text.startswith(
        "-- data model users (no pipeline uses it): BigQuery, no sync window\n"
        "-- note: no pipeline uses this data model: without an iterator there is no sync window, "
        "so only the row count of every row and the column probe are shown\n\n"
        "-- row count (every row: no sync window)\nSELECT COUNT(*)\n"
    )


def test_unused_model_takes_its_directive_dialect(tmp_path, run_cli):
    project(tmp_path, "snowflake", [], model_sql="-- wsync-lint: dialect=redshift\nSELECT customer_id FROM crm.c\n")
    [block] = rendered(run_cli, tmp_path, "users")
    assert block["dialect"] == "redshift"
    assert block["queries"][1]["sql"].endswith(") AS m\nLIMIT 0")


def test_a_sql_file_no_data_model_links_is_rendered_alone_in_its_directive_dialect(tmp_path, run_cli):
    project(tmp_path, "snowflake", [])
    write(tmp_path, "adhoc/x.sql", "-- wsync-lint: dialect=bigquery\nSELECT customer_id FROM `p.crm.c`\n")
    [block] = rendered(run_cli, tmp_path, "adhoc/x.sql")
    assert (block["sql_file"], block["data_model"], block["pipeline"], block["dialect"]) == (
        "adhoc/x.sql",
        None,
        None,
        "bigquery",
    )
    assert [q["title"] for q in block["queries"]] == [
        "row count (every row: no sync window)",
        "column probe: the model's column names and types, no rows",
    ]
    assert_all_parse([block])
    text = run_cli("render", "adhoc/x.sql", cwd=tmp_path)
    assert (text.code, text.err) == (0, "")
    assert text.out.startswith(
        "-- adhoc/x.sql (no data model links it): BigQuery, no sync window\n"
        "-- note: no data model links this file: without a pipeline's iterator there is no sync window, "
        "so only the row count of every row and the column probe are shown\n\n"
    )


def test_a_setting_its_comment_cannot_apply_is_a_note_once(tmp_path, run_cli):
    """render and columns run no rules, so WL02 cannot say it: a note does, once per file."""
    project(tmp_path, "snowflake", [])
    write(
        tmp_path, "adhoc/x.sql", "-- wsync-lint: dialect=bigquery pipeline_type=event\nSELECT customer_id FROM p.c.t\n"
    )
    note = (
        "wsync-lint: note: adhoc/x.sql:1:33: not applied: unknown pipeline_type 'event' (expected one of: "
        "user_attributes, events), so the file is checked without it (WL02; `wsync-lint check` reports it)\n"
    )
    for command in ("render", "columns"):
        result = run_cli(command, "adhoc/x.sql", cwd=tmp_path)
        assert (result.code, result.err) == (0, note), command


def test_pipeline_whose_connection_is_missing_uses_the_fallback_dialect(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    project(tmp_path, "snowflake", [pipeline("p", "nowhere", incremental("timestamp", **window))])
    [block] = rendered(run_cli, tmp_path, "p", "--dialect", "databricks")
    assert (block["connection"], block["dialect"]) == (None, "databricks")
    assert block["notes"][0] == (
        "connection 'nowhere' is not in the project: shown as Databricks SQL (--dialect, directive or config)"
    )
    assert_all_parse([block])


# -- the model's own text ------------------------------------------------------------------------------------


def test_trailing_semicolon_visibly_breaks_the_wrapper(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    model = "SELECT customer_id, updated_at FROM mp.crm.customers;\n"
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", incremental("timestamp_ntz", **window))], model)
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["notes"] == [
        "the model ends with `;`, which ends the wrapped query early: the warehouse rejects these queries "
        "(ST03 trailing-semicolon; `wsync-lint check --fix` removes it)"
    ]
    assert (
        block["queries"][1]["sql"]
        == "SELECT *\nFROM\n(\nSELECT customer_id, updated_at FROM mp.crm.customers;\n)\nLIMIT 0"
    )
    with pytest.raises(sqlglot.errors.ParseError):
        sqlglot.parse_one(block["queries"][1]["sql"], read="snowflake")


def test_trailing_line_comment_survives_because_the_parenthesis_is_on_its_own_line(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    model = "SELECT customer_id, updated_at FROM mp.crm.customers -- active only"
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", incremental("timestamp_ntz", **window))], model)
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["notes"][0].startswith("the model ends with a line comment")
    assert_all_parse([block])
    assert sqlglot.parse_one(block["queries"][0]["sql"], read="snowflake").args["where"] is not None


def test_iterator_is_bare_unless_it_cannot_be(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    pipelines = [
        pipeline("bare", "snowflake-prod", incremental("date", field="Updated_At", **window)),
        pipeline("quoted", "snowflake-prod", incremental("date", field="updated at", **window)),
    ]
    project(tmp_path, "snowflake", pipelines)
    [bare] = rendered(run_cli, tmp_path, "bare")
    [quoted] = rendered(run_cli, tmp_path, "quoted")
    assert "\nWHERE Updated_At BETWEEN " in bare["queries"][0]["sql"]
    assert '\nWHERE "updated at" BETWEEN ' in quoted["queries"][0]["sql"]
    assert_all_parse([bare, quoted])


def test_iterator_type_the_warehouse_does_not_list_leaves_strings(tmp_path, run_cli):
    window = {"from": "2023-02-01T00:00:00Z", "until": "2023-02-01T01:00:00Z"}
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", incremental("timestamp", **window))])
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["notes"] == [
        "`timestamp` is not an iterator_data_type Snowflake accepts (timestamp_ltz, timestamp_ntz, timestamp_tz, "
        "datetime, date, timestamp_unixtime_ms, timestamp_unixtime_s; SY03): the window's bounds are left as UTC strings"
    ]
    assert block["queries"][0]["sql"].endswith(
        "WHERE updated_at BETWEEN '2023-02-01 00:00:00+00:00' AND '2023-02-01 01:00:00+00:00'"
    )
    assert_all_parse([block])


def test_incremental_pipeline_without_iterator_reads_every_row(tmp_path, run_cli):
    project(tmp_path, "snowflake", [pipeline("p", "snowflake-prod", {"type": "incremental"})])
    [block] = rendered(run_cli, tmp_path, "p")
    assert block["window"] is None
    assert block["notes"] == [
        "the pipeline has no sync_mode.iterator_field, which an incremental pipeline needs (PL03): "
        "the queries read every row"
    ]


# -- the pure layer ------------------------------------------------------------------------------------------------


NOW = datetime(2023, 3, 31, 12, 30, 45, 999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "start"),
    [
        ({"type": "interval", "frequency": "hourly"}, datetime(2023, 3, 31, 11, 30, 45, tzinfo=UTC)),
        ({"type": "interval", "frequency": "daily"}, datetime(2023, 3, 30, 12, 30, 45, tzinfo=UTC)),
        ({"type": "interval", "frequency": "weekly"}, datetime(2023, 3, 24, 12, 30, 45, tzinfo=UTC)),
        ({"type": "interval", "frequency": "monthly"}, datetime(2023, 2, 28, 12, 30, 45, tzinfo=UTC)),
        ({"type": "once"}, datetime(2023, 3, 30, 12, 30, 45, tzinfo=UTC)),
        ({"type": "on_demand"}, datetime(2023, 3, 30, 12, 30, 45, tzinfo=UTC)),
    ],
)
def test_assumed_window_is_one_interval_up_to_now(schedule, start):
    window = sync_window.resolve_window({"type": "incremental"}, schedule, NOW)
    assert (window.start, window.until, window.assumed) == (start, NOW.replace(microsecond=0), True)


def test_future_start_assumes_one_interval_after_it():
    schedule = {"type": "interval", "frequency": "daily", "start": "2024-01-01T00:00:00Z"}
    window = sync_window.resolve_window({"type": "incremental"}, schedule, NOW)
    assert (window.start, window.until) == (datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC))
    assert window.notes == ("until assumed: one day after from (daily schedule; from is in the future)",)


def test_wrapper_queries_refuse_an_incremental_run_without_a_window():
    with pytest.raises(ValueError, match="resolve its bounds first"):
        wrappers.wrapper_queries("SELECT 1 AS x", "snowflake", "x", "date", "incremental", None, None)


def test_open_bounds_compare_one_way():
    start = datetime(2023, 1, 1, tzinfo=UTC)
    assert window_filter.window_condition("x", "date", "bigquery", start, None) == "x >= CAST('2023-01-01' AS DATE)"
    assert window_filter.window_condition("x", "date", "bigquery", None, start) == "x <= CAST('2023-01-01' AS DATE)"

"""`wsync-lint columns`: each output column's final name, type and role, as mParticle will map it."""

from __future__ import annotations

import json

from tests.conftest import REPO, write

EXAMPLES = REPO / "examples"


def test_examples_customer_profiles_text(run_cli):
    result = run_cli("columns", "customer-profiles-hourly", cwd=EXAMPLES)
    assert result.code == 0, result.err
    assert result.out == (
        "pipeline customer-profiles-hourly: data model customer-profiles, Snowflake connection snowflake-prod\n"
        "pipeline type user_attributes; iterator UPDATED_AT (timestamp_ntz); types from schemas/snowflake-prod.json\n"
        "\n"
        "column              type              role\n"
        "CUSTOMER_ID         VARCHAR(36)       user identity customer_id\n"
        "EMAIL               VARCHAR(256)      user identity email\n"
        "$firstname          VARCHAR(100)      custom attribute\n"
        "$lastname           VARCHAR(100)      custom attribute\n"
        "loyalty_tier        VARCHAR(20)       custom attribute\n"
        "lifetime_value_usd  NUMBER(12,2)      custom attribute\n"
        "UPDATED_AT          TIMESTAMP_NTZ(9)  iterator\n"
    )


def test_examples_events_pipeline_shows_the_field_transformation(run_cli):
    result = run_cli("columns", "pipelines/web-events-hourly.json", cwd=EXAMPLES)
    assert result.code == 0, result.err
    assert result.out == (
        "pipeline web-events-hourly: data model web-events, BigQuery connection bigquery-prod\n"
        "pipeline type events; iterator timestamp_unixtime_ms (timestamp_unixtime_ms); "
        "types from schemas/bigquery-prod.json\n"
        "\n"
        "column                 type       role\n"
        "event_id               STRING     mapped to event_id\n"
        "session_id             STRING     mapped to session_id\n"
        "timestamp_unixtime_ms  INT64      iterator; mapped to timestamp_unixtime_ms\n"
        "event_type             STRING     mapped to event_type\n"
        "customer_id            STRING     not mapped\n"
        "page_url               STRING     not mapped\n"
        "loaded_at              TIMESTAMP  ignored (mapping_type ignore)\n"
    )


def test_examples_redshift_json(run_cli):
    result = run_cli("columns", "models/redshift/subscriptions.sql", "--format", "json", cwd=EXAMPLES)
    assert result.code == 0, result.err
    assert json.loads(result.out) == [
        {
            "pipeline": "subscriptions-hourly",
            "data_model": "subscriptions",
            "connection": "redshift-billing",
            "dialect": "redshift",
            "sql_file": None,
            "pipeline_type": "user_attributes",
            "iterator_field": "updated_at",
            "iterator_data_type": "timestamptz",
            "schema": "schemas/redshift-billing.json",
            "notes": [],
            "columns": [
                {
                    "name": "customer_id",
                    "type": "character varying(36)",
                    "canonical_type": "VARCHAR",
                    "role": "user_identity",
                    "identity": "customer_id",
                    "destinations": [],
                    "note": None,
                },
                {
                    "name": "subscription_plan",
                    "type": "character varying(20)",
                    "canonical_type": "VARCHAR",
                    "role": "custom_attribute",
                    "identity": None,
                    "destinations": [],
                    "note": None,
                },
                {
                    "name": "subscription_renews_on",
                    "type": "date",
                    "canonical_type": "DATE",
                    "role": "custom_attribute",
                    "identity": None,
                    "destinations": [],
                    "note": None,
                },
                {
                    "name": "updated_at",
                    "type": "timestamp with time zone",
                    "canonical_type": "TIMESTAMPTZ",
                    "role": "iterator",
                    "identity": None,
                    "destinations": [],
                    "note": None,
                },
            ],
        }
    ]


def _project(tmp_path):
    write(tmp_path, "wsync-lint.toml", "")
    write(
        tmp_path,
        "connections.yaml",
        "- {id: sf, service_provider: Snowflake}\n- {id: rs, service_provider: Redshift}\n",
    )
    write(
        tmp_path,
        "schemas/sf.json",
        json.dumps(
            {
                "dialect": "snowflake",
                "tables": {
                    "A.B.USERS": {"CUSTOMER_ID": "VARCHAR(36)", "IDFV": "VARCHAR", "UPDATED_AT": "DATETIME"},
                },
            }
        ),
    )
    write(
        tmp_path,
        "models.yaml",
        "- {id: star, type: sql, config: {sql_query: 'SELECT u.*, COUNT(*) OVER () FROM a.b.users u'}}\n"
        "- {id: casts, type: sql, config: {sql_query: 'SELECT email::varchar, CAST(seen AS timestamptz), 1 FROM x.y.z'}}\n"
        "- {id: events, type: sql, config: {sql_query: 'SELECT e.event_id, CAST(e.ts AS TIMESTAMP_LTZ) AS ts FROM a.b.e e'}}\n"
        "- {id: lonely, type: sql, config: {sql_query: 'SELECT mpid, x AS \"Ios_Idfv\", y FROM a.b.c'}}\n",
    )
    write(
        tmp_path,
        "pipelines.yaml",
        "- {id: star-hourly, pipeline_type: user_attributes, connection_id: sf, data_model_id: star,\n"
        "   sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ntz}}\n"
        "- {id: casts-daily, pipeline_type: user_attributes, connection_id: rs, data_model_id: casts,\n"
        "   sync_mode: {type: full}}\n"
        "- {id: casts-weekly, pipeline_type: user_attributes, connection_id: sf, data_model_id: casts,\n"
        "   sync_mode: {type: full}}\n"
        "- {id: events-hourly, pipeline_type: events, connection_id: elsewhere, data_model_id: events,\n"
        "   field_transformation_id: ft, sync_mode: {type: incremental, iterator_field: TS,\n"
        "   iterator_data_type: timestamp_ltz}}\n",
    )


def test_star_expanded_from_the_snapshot_and_unaliased_expressions(tmp_path, run_cli):
    _project(tmp_path)
    result = run_cli("columns", "star-hourly", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out == (
        "pipeline star-hourly: data model star, Snowflake connection sf\n"
        "pipeline type user_attributes; iterator updated_at (timestamp_ntz); types from schemas/sf.json\n"
        "\n"
        "column            type         role\n"
        "CUSTOMER_ID       VARCHAR(36)  user identity customer_id (from `*`)\n"
        "IDFV              VARCHAR      custom attribute (from `*`)\n"
        "UPDATED_AT        DATETIME     iterator (from `*`)\n"
        "COUNT(*) OVER ()  NUMBER       custom attribute (no alias: Snowflake names it)\n"
    )


def test_model_used_by_two_pipelines_is_shown_for_each_warehouse(tmp_path, run_cli):
    _project(tmp_path)
    result = run_cli("columns", "model:casts", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out == (
        "pipeline casts-daily: data model casts, Redshift connection rs\n"
        "pipeline type user_attributes; no schema snapshot\n"
        "note: no schema snapshot schemas/rs.json: types are known only where the SQL tells them (casts, functions)\n"
        "\n"
        "column    type         role\n"
        "email     VARCHAR      user identity email (no alias: Redshift names it)\n"
        "seen      TIMESTAMPTZ  custom attribute (no alias: Redshift names it)\n"
        "?column?  INTEGER      custom attribute (no alias: Redshift names it)\n"
        "\n"
        "pipeline casts-weekly: data model casts, Snowflake connection sf\n"
        "pipeline type user_attributes; types from schemas/sf.json\n"
        "\n"
        "column                     type          role\n"
        "EMAIL::VARCHAR             VARCHAR       custom attribute (no alias: Snowflake names it)\n"
        "CAST(SEEN AS TIMESTAMPTZ)  TIMESTAMP_TZ  custom attribute (no alias: Snowflake names it)\n"
        "1                          NUMBER        custom attribute (no alias: Snowflake names it)\n"
    )


def test_events_pipeline_without_its_field_transformation(tmp_path, run_cli):
    _project(tmp_path)
    result = run_cli("columns", "events-hourly", "--dialect", "snowflake", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out == (
        "pipeline events-hourly: data model events, Snowflake (no connection)\n"
        "pipeline type events; iterator TS (timestamp_ltz); no schema snapshot\n"
        "note: connection 'elsewhere' is not in the project: shown as Snowflake SQL (--dialect, directive or config)\n"
        "note: field transformation 'ft' is not in the project: the columns' mappings are unknown\n"
        "note: no schema snapshot (the connection is not in the project): types are known only where the SQL "
        "tells them (casts, functions)\n"
        "\n"
        "column    type           role\n"
        "EVENT_ID  (unknown)      mapping unknown\n"
        "TS        TIMESTAMP_LTZ  iterator\n"
    )


def test_model_no_pipeline_uses_and_a_standalone_sql_file(tmp_path, run_cli):
    _project(tmp_path)
    write(
        tmp_path,
        "sql/alone.sql",
        "-- wsync-lint: dialect=databricks schema=../schemas/dbx.json pipeline_type=user_attributes\n"
        "SELECT d.customer_id, d.seen_at, concat(d.a, d.b) FROM main.s.devices d\n",
    )
    write(
        tmp_path,
        "schemas/dbx.json",
        json.dumps(
            {
                "dialect": "databricks",
                "tables": {
                    "main.s.devices": {
                        "customer_id": "STRING",
                        "seen_at": "TIMESTAMP_NTZ",
                        "a": "STRING",
                        "b": "STRING",
                    }
                },
            }
        ),
    )
    lonely = run_cli("columns", "lonely", cwd=tmp_path)
    assert lonely.code == 0, lonely.err
    assert lonely.out == (
        "data model lonely (no pipeline uses it): Snowflake\n"
        "pipeline type (unknown); no schema snapshot\n"
        "note: no schema snapshot (a `-- wsync-lint: schema=...` comment in the model names one): types are known "
        "only where the SQL tells them (casts, functions)\n"
        "\n"
        "column    type       role\n"
        "MPID      (unknown)  user identity mpid\n"
        "Ios_Idfv  (unknown)  device identity ios_idfv\n"
        "Y         (unknown)  custom attribute\n"
    )
    alone = run_cli("columns", "sql/alone.sql", cwd=tmp_path)
    assert alone.code == 0, alone.err
    assert alone.out == (
        "sql/alone.sql (no data model links it): Databricks\n"
        "pipeline type user_attributes; types from schemas/dbx.json\n"
        "\n"
        "column       type           role\n"
        "customer_id  STRING         user identity customer_id\n"
        "seen_at      TIMESTAMP_NTZ  custom attribute\n"
        "?            STRING         custom attribute (no alias: Databricks invents a name for `concat(d.a, d.b)`)\n"
    )


def test_unknown_target_is_a_usage_error(tmp_path, run_cli):
    _project(tmp_path)
    result = run_cli("columns", "nope", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("wsync-lint: error: no pipeline or data model 'nope' in the project at ")

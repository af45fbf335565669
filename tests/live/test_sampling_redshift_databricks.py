"""``preflight --sample --cost`` end to end on Redshift's and Databricks' stand-ins: PostgreSQL behind
pgbouncer (its server log is the statement record) and the Thrift fake over DuckDB (its own record).

The rows, the project and the expected figures are those of ``test_sampling_standins.py``. Neither
stand-in gives a byte figure, and the cost says so plainly: Redshift's EXPLAIN has none (the
connector sends nothing for it), and the Databricks fake runs EXPLAIN COST on DuckDB, which has no
COST option (the layout real Databricks answers is parsed in ``test_databricks.py``).
"""

from __future__ import annotations

import json

import pytest

from tests.live.standins.databricks import DatabricksStandin
from tests.live.standins.redshift import RedshiftStandin
from tests.live.test_preflight_cli import _connection
from tests.live.test_sampling_standins import (
    WINDOW,
    assert_no_identity_value,
    command_line,
    expected_findings,
    expected_samples,
    figure_text,
    figures_of,
    findings,
    json_findings,
    model_sql,
    run_preflight,
    sampling_project,
    schedule_at,
    values_sql,
)
from wsync_lint.contract.live_figures import ScanCost
from wsync_lint.live.statements import read_only

COLUMNS = ("customer_id", "email", "updated_at", "updated_epoch")
LATEST = ("2024-06-01 00:05:00+00:00", "2099-06-01 00:00:00+00:00")
"""Both drivers read the timestamp iterator as an aware datetime."""

# -- Redshift (PostgreSQL behind pgbouncer) -------------------------------------------------------

REDSHIFT_MODEL = model_sql(*COLUMNS, "crm.sampled")
REDSHIFT_NO_BYTES = (
    "Redshift's EXPLAIN estimates the rows each step returns and their average width, not the bytes it reads from disk"
)


@pytest.fixture(scope="module")
def redshift(redshift_standin: RedshiftStandin) -> RedshiftStandin:
    """PostgreSQL with the rows in ``crm.sampled``, readable by the mParticle user."""
    redshift_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS crm",
        "DROP TABLE IF EXISTS crm.sampled",
        "CREATE TABLE crm.sampled (customer_id varchar(36), email varchar(256), updated_at timestamptz,"
        " updated_epoch bigint)",
        f"INSERT INTO crm.sampled VALUES {values_sql('TIMESTAMPTZ')}",
        "GRANT USAGE ON SCHEMA crm TO wsync",
        "GRANT SELECT ON crm.sampled TO wsync",
    )
    return redshift_standin


def _redshift_project(redshift: RedshiftStandin, folder) -> None:
    iterators = {"epochs": ("updated_epoch", "timestamp_unixtime_ms"), "updated": ("updated_at", "timestamptz")}
    sampling_project(folder, _connection(redshift, "Redshift"), REDSHIFT_MODEL, iterators)


def test_redshift_sample_exact_figures_findings_and_the_server_log_shows_only_reads(redshift, tmp_path, monkeypatch):
    _redshift_project(redshift, tmp_path)
    mark = redshift.mark()
    outcome = run_preflight(tmp_path, monkeypatch, redshift.environment())
    samples = expected_samples(REDSHIFT_MODEL, COLUMNS, "timestamptz", LATEST)
    costs = {
        name: ScanCost(WINDOW, None, "Redshift EXPLAIN", REDSHIFT_NO_BYTES, None, (), "hourly", 720.0, None, None,
                       schedule_at(tmp_path, name))
        for name in ("epochs", "updated")
    }  # fmt: skip
    assert outcome.result.figures == figures_of("Redshift", "redshift-standin", samples, costs)
    assert findings(outcome) == expected_findings(COLUMNS, LATEST[1])  # no byte figure: no LV07
    # PostgreSQL's log of the mParticle user's session: each query alone in a read-only transaction
    # rolled back (queries_of checks it), every one a read; the sample's are its five aggregates, and
    # the cost sent nothing (Redshift's EXPLAIN has no byte figure to ask for).
    queries = redshift.queries_of(redshift.statements_since(mark))
    for query in queries:
        read_only(query, "redshift")
        assert query.startswith("SELECT ")
    assert not [query for query in queries if "EXPLAIN" in query.upper()]
    sampled = [query for query in queries if "\nLIMIT 1000\n" in query]
    assert [query.split("\n")[0] for query in sampled] == ["SELECT COUNT(*),"] * 5
    assert sampled[-1].endswith(
        'MIN("updated_at"),\n       MAX("updated_at"),\n'
        "       SUM(CASE WHEN \"updated_at\" > CAST('2024-06-01 12:30:00+00:00' AS TIMESTAMPTZ) THEN 1 ELSE 0 END)\n"
        f'FROM\n(\nSELECT "updated_at"\nFROM\n(\n{REDSHIFT_MODEL.strip()}\n) AS m\nLIMIT 1000\n) AS s'
    )
    assert_no_identity_value(repr(outcome.result.figures), *(v.message for v in outcome.result.violations))


def test_redshift_command_line_json_and_text(redshift, tmp_path, run_cli, monkeypatch):
    _redshift_project(redshift, tmp_path)
    as_json, as_text = command_line(tmp_path, run_cli, monkeypatch, redshift.environment())
    assert (as_json.code, as_text.code) == (1, 1)
    assert json_findings(as_json.out) == expected_findings(COLUMNS, LATEST[1])
    for pipeline in json.loads(as_json.out)["pipelines"]:
        assert pipeline["cost"] == unavailable_cost("Redshift EXPLAIN", REDSHIFT_NO_BYTES)
        assert pipeline["not_measured"] == []
    text = figure_text(as_text.out)
    assert text[text.index("Scan per run") :] == scan_table("Redshift ", "Redshift EXPLAIN", REDSHIFT_NO_BYTES)
    assert_no_identity_value(as_json.out, as_json.err, as_text.out, as_text.err)


# -- Databricks (the Thrift fake over DuckDB) -----------------------------------------------------

DATABRICKS_MODEL = model_sql(*COLUMNS, "analytics.crm.sampled")
DUCKDB_EXPLAIN = 'the warehouse refused it: [INTERNAL_ERROR] syntax error at or near "COST"'
"""What the fake answers EXPLAIN COST with: DuckDB's parser error (Databricks answers the plan)."""
DATABRICKS_SYNC = f"SELECT *\nFROM\n(\n{DATABRICKS_MODEL.strip()}\n)"


@pytest.fixture(scope="module")
def databricks(databricks_standin: DatabricksStandin) -> DatabricksStandin:
    """The fake with the rows in ``analytics.crm.sampled`` (DuckDB's TIMESTAMPTZ: Databricks' TIMESTAMP)."""
    databricks_standin.setup(
        "CREATE OR REPLACE TABLE analytics.crm.sampled (customer_id VARCHAR, email VARCHAR, updated_at TIMESTAMPTZ,"
        " updated_epoch BIGINT)",
        f"INSERT INTO analytics.crm.sampled VALUES {values_sql('TIMESTAMPTZ')}",
    )
    return databricks_standin


def _databricks_project(databricks: DatabricksStandin, folder) -> None:
    iterators = {"epochs": ("updated_epoch", "timestamp_unixtime_ms"), "updated": ("updated_at", "timestamp")}
    sampling_project(folder, _connection(databricks, "Databricks"), DATABRICKS_MODEL, iterators)


def test_databricks_sample_exact_figures_findings_and_the_fakes_record_shows_only_reads(
    databricks, tmp_path, monkeypatch
):
    _databricks_project(databricks, tmp_path)
    before = len(databricks.statements)
    outcome = run_preflight(tmp_path, monkeypatch, databricks.environment())
    samples = expected_samples(DATABRICKS_MODEL, COLUMNS, "timestamp", LATEST)
    costs = {
        name: ScanCost(WINDOW, None, "the Databricks estimate", DUCKDB_EXPLAIN, None, (), "hourly", 720.0, None,
                       None, schedule_at(tmp_path, name))
        for name in ("epochs", "updated")
    }  # fmt: skip
    assert outcome.result.figures == figures_of("Databricks", "databricks-test", samples, costs)
    assert findings(outcome) == expected_findings(COLUMNS, LATEST[1])  # no byte figure: no LV07
    # The fake's record: every statement a read; the sample's five aggregates, and one EXPLAIN COST
    # per pipeline over its first window (refused: no estimate over every row, no DESCRIBE DETAIL).
    sent = databricks.statements[before:]
    for statement in sent:
        read_only(statement, "databricks")
        assert statement.startswith(("SELECT ", "DESCRIBE ", "SHOW ", "EXPLAIN COST SELECT "))
    sampled = [statement for statement in sent if "\nLIMIT 1000\n" in statement]
    assert [statement.split("\n")[0] for statement in sampled] == ["SELECT COUNT(*),"] * 5
    assert [statement for statement in sent if statement.startswith("EXPLAIN")] == [
        f"EXPLAIN COST {DATABRICKS_SYNC}\nWHERE updated_epoch BETWEEN 1717200000000 AND 1717203600000",
        f"EXPLAIN COST {DATABRICKS_SYNC}\nWHERE updated_at BETWEEN CAST('2024-06-01 00:00:00+00:00' AS TIMESTAMP)"
        " AND CAST('2024-06-01 01:00:00+00:00' AS TIMESTAMP)",
    ]
    assert_no_identity_value(repr(outcome.result.figures), *(v.message for v in outcome.result.violations))


def test_databricks_command_line_json_and_text(databricks, tmp_path, run_cli, monkeypatch):
    _databricks_project(databricks, tmp_path)
    as_json, as_text = command_line(tmp_path, run_cli, monkeypatch, databricks.environment())
    assert (as_json.code, as_text.code) == (1, 1)
    assert json_findings(as_json.out) == expected_findings(COLUMNS, LATEST[1])
    for pipeline in json.loads(as_json.out)["pipelines"]:
        assert pipeline["cost"] == unavailable_cost("the Databricks estimate", DUCKDB_EXPLAIN)
    text = figure_text(as_text.out)
    assert text[text.index("Scan per run") :] == scan_table("Databricks", "the Databricks estimate", DUCKDB_EXPLAIN)
    assert_no_identity_value(as_json.out, as_json.err, as_text.out, as_text.err)


def unavailable_cost(source: str, why: str) -> dict:
    """A pipeline's ``cost`` object in JSON when the warehouse gives no byte figure (and no price is set)."""
    return {
        "window": WINDOW, "scanned_bytes": None, "source": source, "unavailable": why, "every_row_bytes": None,
        "prunes_nothing": False, "pruning_keys": [], "schedule": "hourly", "runs_per_month": 720,
        "monthly_bytes": None, "price_per_tib": None, "price_source": None, "monthly_cost": None,
    }  # fmt: skip


def scan_table(warehouse: str, source: str, why: str) -> str:
    """The text report's scan table when neither pipeline has a byte figure, and the report's last line;
    ``warehouse``: its name padded to the column's width."""
    rows = "".join(
        f"  {pipeline}  {warehouse}      n/a  hourly           720        n/a         n/a\n"
        f"    not available ({source}): {why}\n"
        for pipeline in ("epochs-sync ", "updated-sync")
    )
    heading = (
        f"  pipeline      {'warehouse'.ljust(len(warehouse))}  per run  schedule  runs/month  per month  cost/month\n"
    )
    table = "Scan per run and per month (a 30-day month):\n" + heading + rows
    return table + "Found 9 problems (3 errors, 6 warnings) in 7 files.\n"

"""``preflight --sample --cost`` end to end on fakesnow, with the answering proxy for EXPLAIN.

The rows, the project and the expected figures are those of ``test_sampling_standins.py``. fakesnow
has no EXPLAIN: the proxy in front of it (``answering()`` in tests/live/standins/snowflake.py)
serves one pipeline's plan in EXPLAIN USING JSON's documented shape, and records every statement
sent; the other pipeline's EXPLAIN reaches fakesnow, whose refusal is what its cost reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.live.standins.snowflake import SnowflakeStandin, answering
from tests.live.test_preflight_cli import _connection
from tests.live.test_sampling_standins import (
    EMAIL_FORM,
    NOT_BLANK,
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
from wsync_lint.contract.live_figures import IteratorSample, ScanCost
from wsync_lint.live.backend import env_name
from wsync_lint.live.statements import read_only
from wsync_lint.sql.positions import Span

SNOWFLAKE_MODEL = model_sql("CUSTOMER_ID", "EMAIL", "UPDATED_AT", "UPDATED_EPOCH", "MP_DB.CRM.SAMPLED")


@pytest.fixture(scope="module")
def snowflake(snowflake_standin: SnowflakeStandin) -> SnowflakeStandin:
    """fakesnow with the rows in ``MP_DB.CRM.SAMPLED``."""
    snowflake_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS MP_DB.CRM",
        "CREATE OR REPLACE TABLE MP_DB.CRM.SAMPLED (CUSTOMER_ID VARCHAR, EMAIL VARCHAR, UPDATED_AT TIMESTAMP_NTZ,"
        " UPDATED_EPOCH NUMBER(38,0))",
        f"INSERT INTO MP_DB.CRM.SAMPLED VALUES {values_sql()}",
    )
    return snowflake_standin


@pytest.fixture
def snowflake_proxy(snowflake: SnowflakeStandin):
    """The answering proxy in front of fakesnow, for one test (its answers and record are the test's)."""
    yield from answering(snowflake)


SNOWFLAKE_COLUMNS = ("CUSTOMER_ID", "EMAIL", "UPDATED_AT", "UPDATED_EPOCH")
SNOWFLAKE_SYNC = f"SELECT OBJECT_CONSTRUCT_KEEP_NULL(*)\nFROM\n(\n{SNOWFLAKE_MODEL.strip()}\n)"
SNOWFLAKE_UPDATED_WINDOW = (
    "\nWHERE UPDATED_AT BETWEEN CAST('2024-06-01 00:00:00' AS TIMESTAMP_NTZ)"
    " AND CAST('2024-06-01 01:00:00' AS TIMESTAMP_NTZ)"
)
SNOWFLAKE_EPOCHS_WINDOW = "\nWHERE UPDATED_EPOCH BETWEEN 1717200000000 AND 1717203600000"
SNOWFLAKE_SHOW = "SHOW TABLES LIKE 'SAMPLED' IN SCHEMA MP_DB.CRM"
FAKESNOW_EXPLAIN = 'the warehouse refused it: Parser Error: syntax error at or near "USING"'
"""fakesnow cannot parse EXPLAIN USING JSON: the cost of a pipeline whose plan the proxy does not serve."""
TWO_GIB = 2 * 1024**3
# EXPLAIN USING JSON's documented shape (tests/live/test_snowflake_measuring.py cites it): a window
# that assigns every micro-partition, as one on an unclustered iterator does.
SNOWFLAKE_PLAN = {
    "GlobalStats": {"partitionsTotal": 64, "partitionsAssigned": 64, "bytesAssigned": TWO_GIB},
    "Operations": [[{"id": 0, "operation": "TableScan", "objects": ["MP_DB.CRM.SAMPLED"], "bytesAssigned": TWO_GIB,
                     "partitionsAssigned": 64, "partitionsTotal": 64}]],
}  # fmt: skip

SNOWFLAKE_LV07 = (
    "pipeline `updated-sync` scans 2.0 GiB per hourly run (Snowflake EXPLAIN (64 of 64 micro-partitions) of "
    f"{WINDOW}), 1.4 TiB a month at 720 runs (about $2.81 at $2 per TiB), above the budget of 1.0 TiB: the "
    "iterator filter prunes nothing, each window scans as much as every row (MP_DB.CRM.SAMPLED: clustered by "
    "CUSTOMER_ID)"
)


def _snowflake_run(snowflake: SnowflakeStandin, proxy, folder: Path) -> dict[str, str]:
    """The project, and the proxy's answers: the plan of ``updated-sync``'s sync query (over its
    window and over every row) and a clustering key for SHOW TABLES. ``epochs-sync``'s EXPLAIN goes
    on to fakesnow, which cannot parse it: that pipeline's cost is "not available", as fakesnow says."""
    sampling_project(
        folder,
        _connection(snowflake, "Snowflake"),
        SNOWFLAKE_MODEL,
        {"epochs": ("UPDATED_EPOCH", "timestamp_unixtime_ms"), "updated": ("UPDATED_AT", "timestamp_ntz")},
        config="scan-price-per-tib = {snowflake = 2}\n",
    )
    plan = (["content"], [[json.dumps(SNOWFLAKE_PLAN)]])
    proxy.answers[f"EXPLAIN USING JSON {SNOWFLAKE_SYNC}{SNOWFLAKE_UPDATED_WINDOW}"] = plan
    proxy.answers[f"EXPLAIN USING JSON {SNOWFLAKE_SYNC}"] = plan
    proxy.answers[SNOWFLAKE_SHOW] = (
        ["name", "database_name", "schema_name", "cluster_by"],
        [["SAMPLED", "MP_DB", "CRM", "LINEAR(CUSTOMER_ID)"]],
    )
    return {**snowflake.environment(), env_name(snowflake.connection_id, "ENDPOINT"): proxy.url}


def test_snowflake_sample_and_cost_exact_figures_findings_and_reads_only(
    snowflake, snowflake_proxy, tmp_path, monkeypatch
):
    environment = _snowflake_run(snowflake, snowflake_proxy, tmp_path)
    outcome = run_preflight(tmp_path, monkeypatch, environment)
    # fakesnow's SUM is DuckDB's, read by the driver as a float (3.0): the product's counts are ints all the same.
    samples = expected_samples(
        SNOWFLAKE_MODEL, SNOWFLAKE_COLUMNS, "timestamp_ntz", ("2024-06-01 00:05:00", "2099-06-01 00:00:00")
    )
    price = "scan-price-per-tib in wsync-lint.toml"
    costs = {
        "epochs": ScanCost(WINDOW, None, "the Snowflake estimate", FAKESNOW_EXPLAIN, None, (), "hourly", 720.0, 2.0,
                           price, schedule_at(tmp_path, "epochs")),
        "updated": ScanCost(WINDOW, TWO_GIB, "Snowflake EXPLAIN (64 of 64 micro-partitions)", None, TWO_GIB,
                            ("MP_DB.CRM.SAMPLED: clustered by CUSTOMER_ID",), "hourly", 720.0, 2.0, price,
                            schedule_at(tmp_path, "updated")),
    }  # fmt: skip
    assert outcome.result.figures == figures_of("Snowflake", "snowflake-standin", samples, costs)
    assert findings(outcome) == [
        *expected_findings(SNOWFLAKE_COLUMNS, "2099-06-01 00:00:00"),
        ("LV07", "pipelines/updated.json", 14, 5, SNOWFLAKE_LV07),
    ]
    # The proxy's record: every statement sent only reads; those of the sample and the cost are these.
    sent = snowflake_proxy.sent
    for statement in sent:
        read_only(statement, "snowflake")
        assert statement.startswith(("SELECT ", "EXPLAIN USING JSON SELECT ", "SHOW "))
    measuring = [s for s in sent if "\nLIMIT 1000\n" in s or s.startswith(("EXPLAIN", "SHOW TABLES"))]
    assert [s.split("\n")[0] if "LIMIT 1000" in s else s for s in measuring] == [
        "SELECT COUNT(*),",  # epochs-sync: identities over its (empty) window,
        "SELECT COUNT(*),",  # then over the model,
        "SELECT COUNT(*),",  # the iterator over the model;
        f"EXPLAIN USING JSON {SNOWFLAKE_SYNC}{SNOWFLAKE_EPOCHS_WINDOW}",  # refused by fakesnow: nothing more
        "SELECT COUNT(*),",  # updated-sync: identities over its window,
        "SELECT COUNT(*),",  # the iterator over the model;
        f"EXPLAIN USING JSON {SNOWFLAKE_SYNC}{SNOWFLAKE_UPDATED_WINDOW}",
        SNOWFLAKE_SHOW,
        f"EXPLAIN USING JSON {SNOWFLAKE_SYNC}",  # every row: its bytes only, not the layout again
    ]
    assert_no_identity_value(repr(outcome.result.figures), *(v.message for v in outcome.result.violations))


SNOWFLAKE_TEXT = f"""\
Sample (at most 1,000 rows per pipeline; only counts, and the iterator's minimum and maximum, leave the warehouse):
  epochs-sync (Snowflake): 10 rows of the model ({WINDOW} holds no rows)
    column       identity     NULL (of rows)  malformed (of values set)
    CUSTOMER_ID  customer_id       1 (10.0%)                  1 (11.1%)
    EMAIL        email             3 (30.0%)                  2 (28.6%)
    rows with no identity: 1 (10.0%)
    iterator UPDATED_EPOCH (timestamp_unixtime_ms), 10 rows of the model:
      NULL 0 (0.0%); min 1717200300, max 1717203600; 0 in the future
      sized as epoch seconds: 10, milliseconds: 0, microseconds: 0
  updated-sync (Snowflake): 7 rows of {WINDOW}
    column       identity     NULL (of rows)  malformed (of values set)
    CUSTOMER_ID  customer_id       1 (14.3%)                  1 (16.7%)
    EMAIL        email             3 (42.9%)                  2 (50.0%)
    rows with no identity: 1 (14.3%)
    iterator UPDATED_AT (timestamp_ntz), 10 rows of the model:
      NULL 1 (10.0%); min 2024-06-01 00:05:00, max 2099-06-01 00:00:00; 2 in the future
Scan per run and per month (a 30-day month):
  pipeline      warehouse  per run  schedule  runs/month  per month  cost/month
  epochs-sync   Snowflake      n/a  hourly           720        n/a         n/a
    not available (the Snowflake estimate): the warehouse refused it: Parser Error: syntax error at or near "USING"
    price: $2.00 per TiB (scan-price-per-tib in wsync-lint.toml)
  updated-sync  Snowflake  2.0 GiB  hourly           720    1.4 TiB       $2.81
    Snowflake EXPLAIN (64 of 64 micro-partitions) of {WINDOW}
    price: $2.00 per TiB (scan-price-per-tib in wsync-lint.toml)
    the iterator filter prunes nothing: one window scans as much as every row (2.0 GiB)
      MP_DB.CRM.SAMPLED: clustered by CUSTOMER_ID
Found 10 problems (3 errors, 7 warnings) in 7 files.
"""


def test_snowflake_command_line_json_and_text(snowflake, snowflake_proxy, tmp_path, run_cli, monkeypatch):
    environment = _snowflake_run(snowflake, snowflake_proxy, tmp_path)
    as_json, as_text = command_line(tmp_path, run_cli, monkeypatch, environment)
    assert (as_json.code, as_text.code) == (1, 1)
    assert json_findings(as_json.out) == [
        *expected_findings(SNOWFLAKE_COLUMNS, "2099-06-01 00:00:00"),
        ("LV07", "pipelines/updated.json", 14, 5, SNOWFLAKE_LV07),
    ]
    epochs, updated = json.loads(as_json.out)["pipelines"]
    assert updated["sample"] == {
        "limit": 1000, "of": WINDOW, "rows": 7, "unidentified": 1,
        "identities": [
            {"column": "CUSTOMER_ID", "identity": "customer_id", "form": NOT_BLANK, "nulls": 1, "malformed": 1},
            {"column": "EMAIL", "identity": "email", "form": EMAIL_FORM, "nulls": 3, "malformed": 2},
        ],
        "iterator": {"column": "UPDATED_AT", "data_type": "timestamp_ntz", "rows": 10, "nulls": 1,
                     "min": "2024-06-01 00:05:00", "max": "2099-06-01 00:00:00", "future": 2, "magnitudes": None},
    }  # fmt: skip
    assert epochs["sample"]["iterator"]["magnitudes"] == {"seconds": 10, "milliseconds": 0, "microseconds": 0}
    price = "scan-price-per-tib in wsync-lint.toml"
    assert updated["cost"] == {
        "window": WINDOW, "scanned_bytes": TWO_GIB, "source": "Snowflake EXPLAIN (64 of 64 micro-partitions)",
        "unavailable": None, "every_row_bytes": TWO_GIB, "prunes_nothing": True,
        "pruning_keys": ["MP_DB.CRM.SAMPLED: clustered by CUSTOMER_ID"], "schedule": "hourly", "runs_per_month": 720,
        "monthly_bytes": TWO_GIB * 720, "price_per_tib": 2.0, "price_source": price, "monthly_cost": 2.81,
    }  # fmt: skip
    assert (epochs["cost"]["scanned_bytes"], epochs["cost"]["unavailable"], epochs["not_measured"]) == (
        None, FAKESNOW_EXPLAIN, [],
    )  # fmt: skip
    assert figure_text(as_text.out) == SNOWFLAKE_TEXT
    assert_no_identity_value(as_json.out, as_json.err, as_text.out, as_text.err)


def test_snowflake_all_null_iterator_reads_as_the_epoch_on_fakesnow(snowflake, tmp_path, monkeypatch):
    """fakesnow's server reads a NULL TIMESTAMP_NTZ out as 1970-01-01 00:00:00 (its Arrow conversion),
    so MIN and MAX of an iterator that is NULL in every row come back as the epoch, where Snowflake
    answers NULL (and the figures None). The product prints what the driver gives: asserted as
    fakesnow answers, so that a fix upstream shows. The NULL count, which LV09 reads, is right."""
    model = "SELECT CUSTOMER_ID, EMAIL, UPDATED_AT\nFROM MP_DB.CRM.SAMPLED\nWHERE UPDATED_AT IS NULL\n"
    sampling_project(tmp_path, _connection(snowflake, "Snowflake"), model, {"nulls": ("UPDATED_AT", "timestamp_ntz")})
    outcome = run_preflight(tmp_path, monkeypatch, snowflake.environment())
    [figures] = outcome.result.figures
    assert figures.sample is not None
    assert figures.sample.iterator == IteratorSample(
        "UPDATED_AT", "timestamp_ntz", 1, 1, "1970-01-01 00:00:00", "1970-01-01 00:00:00", 0, None, Span(27, 37)
    )
    assert [(v.code, v.line, v.column) for v in outcome.result.violations] == [("LV09", 1, 28)]

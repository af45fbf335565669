"""The BigQuery connector's ``aggregate()`` (``preflight --sample``) and ``scan()`` (``preflight --cost``)
against bqemulator over a real REST connection with the real client.

bqemulator's dry run always reports 0 bytes: the figures are put into its answers by the proxy in
tests/live/standins/bigquery_dry_run.py, which also records every request sent; BigQuery's refusals
with a position are served by pytest-httpserver. Moved here from tests/live/test_bigquery.py, whose
stand-in, session and served answers these reuse.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.live import test_bigquery
from tests.live.standins.bigquery import BigQueryStandin
from tests.live.test_bigquery import DIALECT, JOBS_PATH, _api_error, _connect_to, _job_answer, _settings
from wsync_lint.contract.live_context import LiveTable
from wsync_lint.live.backend import WarehouseRejected
from wsync_lint.live.statements import read_only

standin, session = test_bigquery.standin, test_bigquery.session
"""The connector tests' fixtures: the emulator with the schema ``mp`` made, and a session on it."""


# -- aggregate (preflight --sample) --------------------------------------------------------------

EMAIL_FORM = "^[^@ ]+@[^@ ]+[.][^@ ]+$"


def _as_text(column: str):
    from sqlglot import exp

    return exp.cast(exp.column(exp.to_identifier(column, quoted=True)), exp.DataType.build("VARCHAR"))


def _count_when(condition) -> str:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)`` as sqlglot renders it for BigQuery (the shape of
    wsync_lint.sql.sample_queries, built here from the same sqlglot nodes)."""
    from sqlglot import exp

    case = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    return exp.Sum(this=case).sql(DIALECT)


@pytest.fixture(scope="module")
def sampled(standin: BigQueryStandin) -> BigQueryStandin:
    standin.setup(
        "CREATE OR REPLACE TABLE mp.identities (email STRING, customer_id STRING, updated_at TIMESTAMP)",
        "INSERT INTO mp.identities (email, customer_id, updated_at) VALUES "
        "('a@x.io', 'c1', TIMESTAMP '2024-01-01 00:30:00'), (NULL, '', TIMESTAMP '2024-01-01 01:15:00'), "
        "('not an email', '  ', TIMESTAMP '2024-01-02 03:00:00'), ('b@y.co', NULL, TIMESTAMP '2024-01-03 04:45:00'), "
        "('c@@z.io', 'c5', NULL)",
    )
    return standin


def test_aggregate_returns_the_one_row_in_select_list_order_with_the_clients_types(sampled, session) -> None:
    """The query shapes of ``--sample``: COUNT, SUM(CASE WHEN ...) with REGEXP_CONTAINS and TRIM of a
    CAST, MIN and MAX; bqemulator runs every one of them."""
    from sqlglot import exp

    email, customer = _as_text("email"), _as_text("customer_id")
    malformed_email = exp.and_(
        exp.column("email").is_(exp.null()).not_(),
        exp.RegexpLike(this=email, expression=exp.Literal.string(EMAIL_FORM)).not_(),
    )
    blank_customer = exp.and_(
        exp.column("customer_id").is_(exp.null()).not_(),
        exp.NEQ(this=exp.Trim(this=customer), expression=exp.Literal.string("")).not_(),
    )
    sql = (
        f"SELECT COUNT(*), {_count_when(exp.column('email').is_(exp.null()))}, {_count_when(malformed_email)}, "
        f"{_count_when(blank_customer)}, MIN(updated_at), MAX(updated_at) FROM mp.identities"
    )
    assert "REGEXP_CONTAINS(CAST(`email` AS STRING), '^[^@ ]+@[^@ ]+[.][^@ ]+$')" in sql
    assert "TRIM(CAST(`customer_id` AS STRING)) <> ''" in sql
    values = session.aggregate(read_only(sql, DIALECT))
    assert values == (5, 1, 2, 2, datetime(2024, 1, 1, 0, 30, tzinfo=UTC), datetime(2024, 1, 3, 4, 45, tzinfo=UTC))
    assert [type(value) for value in values] == [int, int, int, int, datetime, datetime]


def test_aggregate_of_nothing_but_nulls(sampled, session) -> None:
    sql = (
        "SELECT COUNT(updated_at), MIN(updated_at), MIN(DATE(updated_at)), MAX(email) FROM mp.identities"
        " WHERE updated_at IS NULL"
    )
    assert session.aggregate(read_only(sql, DIALECT)) == (0, None, None, "c@@z.io")


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT COUNT(*) FROM mp.identities GROUP BY customer_id IS NULL", 2),
        ("SELECT COUNT(*) FROM mp.identities GROUP BY email HAVING COUNT(*) > 1", 0),
    ],
)
def test_aggregate_is_rejected_unless_exactly_one_row(sampled, session, sql: str, rows: int) -> None:
    with pytest.raises(WarehouseRejected) as refusal:
        session.aggregate(read_only(sql, DIALECT))
    assert refusal.value.message == f"the aggregate query returned {rows} rows, not one"


def test_a_query_the_emulator_fails_is_rejected(sampled, session) -> None:
    """bqemulator answers a failing jobs.query with 200, no rows and the error in ``errors`` (BigQuery
    answers 400): the client reads no row, and the one-row check refuses the answer."""
    with pytest.raises(WarehouseRejected) as refusal:
        session.aggregate(read_only("SELECT MIN(nope) FROM mp.identities", DIALECT))
    assert refusal.value.message == "the aggregate query returned 0 rows, not one"


def test_aggregate_passes_on_bigquerys_refusal_with_its_position(httpserver_ipv4) -> None:
    """Served: BigQuery's 400 answer to jobs.query for an unknown column."""
    httpserver_ipv4.expect_request(JOBS_PATH, method="POST").respond_with_handler(_job_answer)
    httpserver_ipv4.expect_request("/bigquery/v2/projects/test-proj/queries", method="POST").respond_with_response(
        _api_error(400, "INVALID_ARGUMENT", "invalidQuery", "Unrecognized name: nope at [1:12]")
    )
    session = _connect_to(httpserver_ipv4)
    try:
        with pytest.raises(WarehouseRejected) as refusal:
            session.aggregate(read_only("SELECT MIN(nope) FROM mp.identities", DIALECT))
    finally:
        session.close()
    assert (refusal.value.message, refusal.value.line, refusal.value.column) == (
        "Unrecognized name: nope at [1:12]",
        1,
        12,
    )


# -- scan (preflight --cost) ---------------------------------------------------------------------

WINDOWED = "SELECT id, ts FROM mp.hourly WHERE ts >= TIMESTAMP '2024-01-01 00:00:00'"
EVERY_ROW = "SELECT id, ts FROM mp.hourly"


@pytest.fixture(scope="module")
def laid_out(standin: BigQueryStandin) -> BigQueryStandin:
    """Tables the emulator creates partitioned and clustered through the API (its DDL drops both)."""
    from google.cloud import bigquery

    schema = [bigquery.SchemaField("id", "INT64"), bigquery.SchemaField("ts", "TIMESTAMP")]
    hourly = bigquery.Table("test-proj.mp.hourly", schema=schema)
    hourly.time_partitioning = bigquery.TimePartitioning(field="ts", type_="HOUR")
    hourly.clustering_fields = ["id"]
    clustered = bigquery.Table("test-proj.mp.clustered", schema=schema)
    clustered.clustering_fields = ["id", "ts"]
    standin.create_tables(hourly, clustered, bigquery.Table("test-proj.mp.plain", schema=schema))
    return standin


@pytest.fixture
def proxy(laid_out: BigQueryStandin):
    from tests.live.standins.bigquery_dry_run import serving

    yield from serving(laid_out.url)


def _through(proxy, standin: BigQueryStandin):
    from wsync_lint.live.bigquery import connect

    return connect(_settings(BigQueryStandin(proxy.url, config=standin.config)))


def _tables(*names: str) -> list[LiveTable]:
    return [LiveTable(("test-proj", "mp", name), ()) for name in names]


def test_the_emulators_dry_run_reports_zero_bytes(laid_out, session) -> None:
    """Why the figures below go through a proxy: bqemulator compiles a dry run but always answers
    ``totalBytesProcessed: 0``. Should it start reporting bytes, this fails: drop the proxy then."""
    from wsync_lint.live.backend import ScanEstimate

    assert session.scan(read_only(WINDOWED, DIALECT), []) == ScanEstimate(0, "BigQuery dry run")


def test_scan_gives_the_dry_runs_bytes_and_the_tables_layout(laid_out, proxy) -> None:
    """bqemulator answers 0 bytes for every dry run (test above): the proxy in front of it
    (tests/live/standins/bigquery_dry_run.py) puts BigQuery's figures into the emulator's own
    answer, per query text, and the real client reads them. Partitioning and clustering are the
    emulator's own answer to tables.get (it keeps both for a table created through the API)."""
    from tests.live.standins.bigquery_dry_run import Sent
    from wsync_lint.live.backend import ScanEstimate

    proxy.scanned.update({WINDOWED: 52_428_800, EVERY_ROW: 10_737_418_240})
    session = _through(proxy, laid_out)
    try:
        windowed = session.scan(read_only(WINDOWED, DIALECT), _tables("hourly", "clustered", "plain"))
        every_row = session.scan(read_only(EVERY_ROW, DIALECT), _tables("hourly"))
    finally:
        session.close()
    hourly = "test-proj.mp.hourly: partitioned by ts (HOUR), clustered by id"
    assert windowed == ScanEstimate(
        52_428_800, "BigQuery dry run", pruning_keys=(hourly, "test-proj.mp.clustered: clustered by id, ts")
    )
    assert every_row == ScanEstimate(10_737_418_240, "BigQuery dry run", pruning_keys=(hourly,))
    tables = "/bigquery/v2/projects/test-proj/datasets/mp/tables/"
    jobs = "/bigquery/v2/projects/test-proj/jobs"
    assert proxy.sent == [  # only dry runs and tables.get: nothing is run, nothing is written
        Sent("POST", jobs, "SELECT 1", True),
        Sent("POST", jobs, WINDOWED, True),
        Sent("GET", tables + "hourly"),
        Sent("GET", tables + "clustered"),
        Sent("GET", tables + "plain"),
        Sent("POST", jobs, EVERY_ROW, True),
        Sent("GET", tables + "hourly"),
    ]


def test_scan_names_ingestion_time_and_range_partitioning(laid_out, proxy) -> None:
    """The emulator keeps neither a range partitioning nor an ingestion-time one (its tables.insert
    drops the first, and it has no _PARTITIONTIME): the proxy lays them over its tables.get answer,
    in BigQuery's representation."""
    from wsync_lint.live.backend import ScanEstimate

    proxy.tables["test-proj.mp.plain"] = {"timePartitioning": {"type": "DAY"}}
    range_partitioning = {"field": "id", "range": {"start": "0", "end": "100", "interval": "10"}}
    proxy.tables["test-proj.mp.clustered"] = {"rangePartitioning": range_partitioning}
    session = _through(proxy, laid_out)
    try:
        estimate = session.scan(read_only(EVERY_ROW, DIALECT), _tables("plain", "clustered", "missing"))
    finally:
        session.close()
    assert estimate == ScanEstimate(
        0,
        "BigQuery dry run",
        pruning_keys=(
            "test-proj.mp.plain: partitioned by _PARTITIONTIME (DAY)",
            "test-proj.mp.clustered: partitioned by id (integer range), clustered by id, ts",
        ),
    )


def test_a_dry_run_without_a_byte_figure_is_unavailable(httpserver_ipv4) -> None:
    """Served: a dry-run job answer whose statistics hold no totalBytesProcessed."""
    from wsync_lint.live.backend import ScanEstimate

    httpserver_ipv4.expect_request(JOBS_PATH, method="POST").respond_with_handler(_job_answer)
    session = _connect_to(httpserver_ipv4)
    try:
        estimate = session.scan(read_only("SELECT 1", DIALECT), [])
    finally:
        session.close()
    assert estimate == ScanEstimate(None, "BigQuery dry run", unavailable="the dry run gives no byte figure")


def test_a_refused_dry_run_is_rejected(laid_out, session) -> None:
    with pytest.raises(WarehouseRejected) as refusal:
        session.scan(read_only("SELECT * FROM mp.missing", DIALECT), [])
    assert refusal.value.message == "Not found: Table test-proj.mp.missing was not found in location US"


def test_aggregate_and_scan_send_only_read_only_queries(session) -> None:
    with pytest.raises(TypeError):
        session.aggregate("SELECT COUNT(*) FROM mp.events")
    with pytest.raises(TypeError):
        session.scan(read_only("SELECT 1", "snowflake"), [])


def test_aggregate_sends_one_query_and_no_dry_run(sampled, proxy) -> None:
    from tests.live.standins.bigquery_dry_run import Sent

    session = _through(proxy, sampled)
    try:
        assert session.aggregate(read_only("SELECT COUNT(*) FROM mp.identities", DIALECT)) == (5,)
    finally:
        session.close()
    assert proxy.sent == [
        Sent("POST", JOBS_PATH, "SELECT 1", True),
        Sent("POST", "/bigquery/v2/projects/test-proj/queries", "SELECT COUNT(*) FROM mp.identities", False),
    ]

"""The Databricks connector's ``aggregate()`` (``preflight --sample``) and ``scan()`` (``preflight --cost``)
against the Thrift fake over DuckDB (tests/live/standins/databricks_thrift.py), through the real
databricks-sql-connector, on this module's own tables (``mp.people``, ``mp.visits``, ``mp.plain``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.live.quality_query import EMAIL_FORM, quality_query
from tests.live.standins.databricks import CATALOG, HTTP_PATH, TOKEN, DatabricksStandin
from tests.live.test_databricks import open_session
from wsync_lint.contract.live_context import LiveTable
from wsync_lint.live.backend import WarehouseRejected
from wsync_lint.live.databricks import DatabricksSession, quoted
from wsync_lint.live.databricks_plan import (
    UNKNOWN_SIZE,
    PlanScan,
    plan_text,
    planning_error,
    pruning_line,
    scanned_bytes,
    size_in_bytes,
)
from wsync_lint.live.statements import read_only
from wsync_lint.sql.wrappers import count_query

# -- aggregate and scan (preflight --sample and --cost) -------------------------------------------


@pytest.fixture(scope="module")
def people(databricks_standin: DatabricksStandin) -> DatabricksStandin:
    """``mp.people`` (identity and iterator columns with known defects, clustered by mpid and email),
    ``mp.visits`` (partitioned by day), ``mp.plain`` (neither) and the view ``mp.recent``, set up in
    DuckDB's SQL and Delta's."""
    standin = databricks_standin
    standin.setup(
        "CREATE TABLE analytics.mp.plain (id BIGINT)",
        "CREATE TABLE analytics.mp.people (email VARCHAR, mpid BIGINT, updated_at TIMESTAMP, epoch BIGINT)",
        "INSERT INTO analytics.mp.people VALUES"
        " ('a@example.com', 1, '2024-01-01 10:00', 1704103200),"
        " ('not an email', -2, '2024-01-02 10:00', 1704189600000),"  # milliseconds among seconds
        " (NULL, NULL, NULL, NULL),"
        " (' b@example.com ', 9223372036854775807, '2099-01-01 00:00', 1704276000),"  # padded; in the future
        " ('c@example', -9223372036854775807, '2023-12-31 23:00', 1704000000)",  # no dot after the @
        "ALTER TABLE analytics.mp.people CLUSTER BY (mpid, email)",
        "CREATE TABLE analytics.mp.visits (day DATE, mpid BIGINT) PARTITIONED BY (day)",
        "CREATE VIEW analytics.mp.recent AS SELECT * FROM analytics.mp.visits",
    )
    return standin


@pytest.fixture
def session(people: DatabricksStandin) -> Iterator[DatabricksSession]:
    opened = open_session(people)
    yield opened
    opened.close()


def test_aggregate_returns_the_one_row_of_figures_with_the_drivers_types(people, session) -> None:
    """REGEXP_LIKE runs in the fake as DuckDB's regexp_matches (its translation; both find the pattern
    anywhere in the text), and DuckDB's SUM of integers comes back as Databricks' bigint."""
    query = quality_query("databricks", "mp.people")
    assert query == (
        "SELECT COUNT(*), SUM(CASE WHEN email IS NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN NOT REGEXP_LIKE(CAST(email AS STRING), '{EMAIL_FORM}') THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN REGEXP_LIKE(TRIM(CAST(email AS STRING)), '{EMAIL_FORM}') THEN 1 ELSE 0 END), "
        "MIN(updated_at), MAX(updated_at), MIN(epoch), MAX(epoch), MAX(ABS(mpid)), "
        "SUM(CASE WHEN mpid IS NULL THEN 1 ELSE 0 END) FROM mp.people"
    )
    sent = len(people.statements)
    figures = session.aggregate(read_only(query, "databricks"))
    assert figures == (
        5,  # rows
        1,  # NULL emails
        3,  # malformed: 'not an email', ' b@example.com ' (spaces), 'c@example' (no dot after the @)
        2,  # of the form once trimmed
        datetime(2023, 12, 31, 23, 0),
        datetime(2099, 1, 1, 0, 0),
        1704000000,
        1704189600000,
        9223372036854775807,
        1,  # NULL mpids
    )
    assert [type(value) for value in figures] == [int, int, int, int, datetime, datetime, int, int, int, int]
    assert people.statements[sent:] == [query]


@pytest.mark.parametrize(
    ("query", "rows"),
    [("SELECT email FROM mp.people", 5), ("SELECT COUNT(*) FROM mp.people HAVING COUNT(*) > 5", 0)],
)
def test_aggregate_refuses_an_answer_that_is_not_one_row(people, session, query, rows) -> None:
    with pytest.raises(WarehouseRejected) as raised:
        session.aggregate(read_only(query, "databricks"))
    assert raised.value.message == f"the aggregate query returned {rows} rows, not one"


def test_scan_on_the_fake_is_refused_as_duckdb_cannot_explain_cost(people, session) -> None:
    """The fake runs EXPLAIN COST on DuckDB, which has no COST option: the refusal is the outcome, and
    nothing is sent after it. The plan parser is tested on Spark's text below."""
    query = count_query("SELECT mpid, email FROM mp.people", "databricks", None).sql
    sent = len(people.statements)
    with pytest.raises(WarehouseRejected) as raised:
        session.scan(read_only(query, "databricks"), [PEOPLE])
    assert (raised.value.message, raised.value.line, raised.value.column) == (
        '[INTERNAL_ERROR] syntax error at or near "COST"',
        None,
        None,
    )
    assert people.statements[sent:] == ["EXPLAIN COST " + query]


PLAIN = LiveTable((CATALOG, "mp", "plain"), ())
PEOPLE = LiveTable((CATALOG, "mp", "people"), ())
VISITS = LiveTable((CATALOG, "mp", "visits"), ())
RECENT = LiveTable((CATALOG, "mp", "recent"), ())


def test_pruning_keys_come_from_describe_detail(people, session) -> None:
    """A clustered table, a partitioned one, one with neither (no line) and a view (refused: no line),
    each described once (the table named twice is not asked again)."""
    tables = [PEOPLE, VISITS, PLAIN, RECENT, PEOPLE]
    sent = len(people.statements)
    keys = session.pruning_keys(tables)
    assert keys == ("analytics.mp.people: clustered by mpid, email", "analytics.mp.visits: partitioned by day")
    assert people.statements[sent:] == [
        f"DESCRIBE DETAIL {quoted(table.name)}" for table in (PEOPLE, VISITS, PLAIN, RECENT)
    ]


def test_the_fake_answers_describe_detail_as_databricks_documents_it(people) -> None:
    """What the fake answers (through the driver, as the admin would see it): the documented columns
    the connector reads."""
    from databricks import sql as driver

    with (
        driver.connect(
            server_hostname="127.0.0.1",
            http_path=HTTP_PATH,
            access_token=TOKEN,
            _connection_uri=f"http://127.0.0.1:{people.port}{HTTP_PATH}",
            enable_telemetry=False,
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute("DESCRIBE DETAIL `analytics`.`mp`.`people`")
        names = [column[0] for column in cursor.description]
        (row,) = cursor.fetchall()
    detail = dict(zip(names, row, strict=True))
    assert names[:9] == [
        "format", "id", "name", "description", "location", "createdAt", "lastModified", "partitionColumns",
        "clusteringColumns",
    ]  # fmt: skip
    assert (detail["format"], detail["name"]) == ("delta", "analytics.mp.people")
    assert (detail["partitionColumns"], detail["clusteringColumns"]) == ("[]", '["mpid", "email"]')  # Thrift: JSON
    assert pruning_line("analytics.mp.people", detail) == "analytics.mp.people: clustered by mpid, email"


# -- EXPLAIN COST as Databricks prints it ---------------------------------------------------------
# The layout is Spark's QueryExecution.stringWithStats, which EXPLAIN COST answers ("COST: If plan node
# statistics are available, generates a logical plan and the statistics",
# https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-qry-explain). SPARK_2_PLAN is the
# example printed at https://stackoverflow.com/questions/50745778 (Spark 2.x units, tree indentation
# restored); DATABRICKS_PLAN has the same layout in today's units (Utils.bytesToString: KiB, MiB, ..., the
# largest unit of which the size is at least 2).

SPARK_2_PLAN = """== Optimized Logical Plan ==
Join Inner, (county#7469 = county#7474), Statistics(sizeInBytes=420.2 MB, rowCount=3.50E+6, hints=none)
:- Filter (isnotnull(county#7469) && (county#7469 = KINGS)), Statistics(sizeInBytes=122.4 KB, rowCount=1.87E+3, hints=none)
:  +- Relation[Year#7467,FirstName#7468,County#7469,Sex#7470,Count#7471] parquet, Statistics(sizeInBytes=15.0 MB, rowCount=2.36E+5, hints=none)
+- Filter ((county#7474 = KINGS) && isnotnull(county#7474)), Statistics(sizeInBytes=122.4 KB, rowCount=1.87E+3, hints=none)
   +- Relation[Year#7472,FirstName#7473,County#7474,Sex#7475,Count#7476] parquet, Statistics(sizeInBytes=15.0 MB, rowCount=2.36E+5, hints=none)
== Physical Plan ==
*(2) BroadcastHashJoin [county#7469], [county#7474], Inner, BuildRight
:- *(2) Project [Year#7467, FirstName#7468, County#7469, Sex#7470, Count#7471]
:  +- *(2) Filter (isnotnull(county#7469) && (county#7469 = KINGS))"""

DATABRICKS_PLAN = """== Optimized Logical Plan ==
Aggregate [count(1) AS count(1)#12L], Statistics(sizeInBytes=16.0 B, rowCount=1)
+- Project, Statistics(sizeInBytes=1228.8 KiB)
   +- Filter ((event_ts#3 >= 2024-01-01 00:00:00) AND (event_ts#3 < 2024-01-01 01:00:00)), Statistics(sizeInBytes=1536.0 KiB)
      +- Relation analytics.mp.events[mpid#1L,email#2,event_ts#3] parquet, Statistics(sizeInBytes=1536.0 KiB)

== Physical Plan ==
AdaptiveSparkPlan isFinalPlan=false
+- HashAggregate(keys=[], functions=[finalmerge_count(merge count#14L) AS count(1)#12L])"""


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (SPARK_2_PLAN, PlanScan(2 * 15 * 1024**2)),  # both sides of the join read a 15.0 MB relation
        (DATABRICKS_PLAN, PlanScan(1572864)),  # only the leaf counts, not the nodes above it
        (
            "== Optimized Logical Plan ==\nWithCTE, Statistics(sizeInBytes=3.2 GiB)\n"
            ":- CTERelationDef 0, false\n:  +- Relation main.a.t[x#1] parquet, Statistics(sizeInBytes=3.2 GiB)\n"
            "+- Join Inner, Statistics(sizeInBytes=3.2 GiB)\n   :- CTERelationRef 0, true, [x#1], Statistics(sizeInBytes=3.2 GiB)\n"
            "   +- LocalRelation [y#2], Statistics(sizeInBytes=12.0 B)\n== Physical Plan ==\n",
            PlanScan(3435973837),  # the CTE's table once; its reference and the inline rows are not scans
        ),
        (
            "== Optimized Logical Plan ==\nProject [a#1], Statistics(sizeInBytes=8.0 EiB)\n"
            "+- Relation main.a.t[a#1] parquet, Statistics(sizeInBytes=8.0 EiB)\n== Physical Plan ==\n",
            PlanScan(None, "Databricks has no size statistics for a table the query reads (its plan says 8.0 EiB)"),
        ),
        (
            "== Physical Plan ==\n*(1) Scan main.a.t\n",
            PlanScan(None, "Databricks' plan names no table the query reads"),
        ),
        (
            "== Optimized Logical Plan ==\nRelation main.a.t[a#1] parquet\n== Physical Plan ==\n",
            PlanScan(None, "Databricks' plan gives no size statistics for a table the query reads"),
        ),
    ],
)
def test_explain_cost_gives_the_bytes_of_the_relations_read(plan, expected) -> None:
    assert scanned_bytes(plan) == expected


@pytest.mark.parametrize(
    ("figure", "unit", "expected"),
    [("12.0", "B", 12), ("1.5", "MiB", 1572864), ("3.2", "GiB", 3435973837), ("8.0", "EiB", UNKNOWN_SIZE)],
)
def test_spark_sizes_in_bytes(figure, unit, expected) -> None:
    assert size_in_bytes(figure, unit) == expected


def test_an_explain_that_could_not_plan_is_an_error_not_a_plan() -> None:
    """Spark's ExplainCommand answers a query that does not analyse with rows of text, not a failure."""
    rows = [
        ("Error occurred during query planning: ",),
        ("[TABLE_OR_VIEW_NOT_FOUND] The table or view `mp`.`nope` cannot be found. SQLSTATE: 42P01",),
    ]
    text = plan_text(rows)
    assert planning_error(text) == (
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `mp`.`nope` cannot be found. SQLSTATE: 42P01"
    )
    assert planning_error(DATABRICKS_PLAN) is None


def test_describe_detail_rows_as_databricks_documents_them() -> None:
    """partitionColumns and clusteringColumns as arrays (Arrow results) or JSON text (Thrift column sets)."""
    assert pruning_line("main.mp.events", {"partitionColumns": ["day"], "clusteringColumns": []}) == (
        "main.mp.events: partitioned by day"
    )
    assert pruning_line("main.mp.events", {"partitionColumns": "[]", "clusteringColumns": '["a", "b"]'}) == (
        "main.mp.events: clustered by a, b"
    )
    assert pruning_line("main.mp.events", {"partitionColumns": [], "clusteringColumns": None}) is None
    assert pruning_line("main.mp.events", {"format": "delta"}) is None  # a runtime without the columns

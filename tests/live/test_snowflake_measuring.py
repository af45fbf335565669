"""The Snowflake connector's ``aggregate()`` (``preflight --sample``) and ``scan()`` (``preflight --cost``)
against fakesnow's server, over HTTP with the real snowflake-connector-python.

fakesnow has no EXPLAIN and no clustering keys: the figures of a plan are served by the answering
proxy in front of it (``answering()`` in tests/live/standins/snowflake.py), which also records every
statement sent. Moved here from tests/live/test_snowflake.py, whose session and tables these reuse.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.live import test_snowflake
from tests.live.standins.snowflake import SnowflakeStandin
from tests.live.test_snowflake import CUSTOMERS, EVENTS, MIXED_CASE, settings
from wsync_lint.contract.live_context import LiveTable
from wsync_lint.live.backend import ScanEstimate, WarehouseRejected, env_name
from wsync_lint.live.snowflake import SnowflakeSession, connect
from wsync_lint.live.statements import read_only

session = test_snowflake.session
"""The connector tests' session fixture: one login, the tables CUSTOMERS, EVENTS and "MixedCase" made once."""


# -- aggregate (preflight --sample) --------------------------------------------------------------

EMAIL_FORM = "^[^@ ]+@[^@ ]+[.][^@ ]+$"


def _count_when(condition) -> str:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)`` as sqlglot renders it for Snowflake (the shape of
    wsync_lint.sql.sample_queries, built here from the same sqlglot nodes)."""
    from sqlglot import exp

    case = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    return exp.Sum(this=case).sql("snowflake")


def _as_text(column: str):
    from sqlglot import exp

    return exp.cast(exp.column(exp.to_identifier(column, quoted=True)), exp.DataType.build("VARCHAR"))


@pytest.fixture(scope="module")
def sampled(snowflake_standin: SnowflakeStandin, session: SnowflakeSession) -> SnowflakeSession:
    snowflake_standin.setup(
        "CREATE OR REPLACE TABLE MP_DB.CRM.IDENTITIES (EMAIL VARCHAR, CUSTOMER_ID VARCHAR, UPDATED_AT TIMESTAMP_NTZ)",
        "INSERT INTO MP_DB.CRM.IDENTITIES (EMAIL, CUSTOMER_ID, UPDATED_AT) VALUES"
        " ('a@x.io', 'c1', '2024-01-01 00:30:00'), (NULL, '', '2024-01-01 01:15:00'),"
        " ('not an email', '  ', '2024-01-02 03:00:00'), ('b@y.co', NULL, '2024-01-03 04:45:00'),"
        " ('c@@z.io', 'c5', NULL)",
    )
    return session


def test_aggregate_returns_the_one_row_in_select_list_order_as_the_driver_gives_it(sampled) -> None:
    """The query shapes of ``--sample``: COUNT, SUM(CASE WHEN ...) with REGEXP_LIKE and TRIM of a
    CAST, MIN and MAX; fakesnow runs every one of them. Its SUM is DuckDB's, which the driver reads
    as a float (1.0): Snowflake's SUM of integers is a NUMBER(38,0), read as an int. A reader of
    these values converts counts with int()."""
    from sqlglot import exp

    email, customer = _as_text("EMAIL"), _as_text("CUSTOMER_ID")
    malformed_email = exp.and_(
        exp.column("EMAIL").is_(exp.null()).not_(),
        exp.RegexpLike(this=email, expression=exp.Literal.string(EMAIL_FORM)).not_(),
    )
    blank_customer = exp.and_(
        exp.column("CUSTOMER_ID").is_(exp.null()).not_(),
        exp.NEQ(this=exp.Trim(this=customer), expression=exp.Literal.string("")).not_(),
    )
    sql = (
        f"SELECT COUNT(*), {_count_when(exp.column('EMAIL').is_(exp.null()))}, {_count_when(malformed_email)}, "
        f"{_count_when(blank_customer)}, MIN(UPDATED_AT), MAX(UPDATED_AT) FROM MP_DB.CRM.IDENTITIES"
    )
    assert """REGEXP_LIKE(CAST("EMAIL" AS VARCHAR), '^[^@ ]+@[^@ ]+[.][^@ ]+$')""" in sql
    assert """TRIM(CAST("CUSTOMER_ID" AS VARCHAR)) <> ''""" in sql
    values = sampled.aggregate(read_only(sql, "snowflake"))
    assert values == (5, 1.0, 2.0, 2.0, datetime(2024, 1, 1, 0, 30), datetime(2024, 1, 3, 4, 45))
    assert [type(value) for value in values] == [int, float, float, float, datetime, datetime]


def test_aggregate_of_nothing_but_nulls(sampled) -> None:
    """fakesnow's server reads a NULL TIMESTAMP_NTZ out as 1970-01-01 00:00:00 (its Arrow
    conversion; a NULL DATE stays None), so MIN of nothing but NULL timestamps is the epoch here,
    where Snowflake answers NULL. Asserted as fakesnow answers, so that a fix upstream shows."""
    sql = (
        "SELECT COUNT(UPDATED_AT), MIN(UPDATED_AT), MIN(CAST(UPDATED_AT AS DATE)), MAX(EMAIL)"
        " FROM MP_DB.CRM.IDENTITIES WHERE UPDATED_AT IS NULL"
    )
    assert sampled.aggregate(read_only(sql, "snowflake")) == (0, datetime(1970, 1, 1), None, "c@@z.io")


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT COUNT(*) FROM MP_DB.CRM.IDENTITIES GROUP BY CUSTOMER_ID IS NULL", 2),
        ("SELECT COUNT(*) FROM MP_DB.CRM.IDENTITIES GROUP BY EMAIL HAVING COUNT(*) > 1", 0),
    ],
)
def test_aggregate_is_rejected_unless_exactly_one_row(sampled, sql: str, rows: int) -> None:
    with pytest.raises(WarehouseRejected) as rejected:
        sampled.aggregate(read_only(sql, "snowflake"))
    assert rejected.value.message == f"the aggregate query returned {rows} rows, not one"


def test_aggregate_passes_on_the_warehouses_refusal(sampled) -> None:
    with pytest.raises(WarehouseRejected) as rejected:
        sampled.aggregate(read_only("SELECT MIN(NOPE) FROM MP_DB.CRM.IDENTITIES", "snowflake"))
    assert rejected.value.message == 'Binder Error: Referenced column "NOPE" not found in FROM clause!'


# -- scan (preflight --cost) ---------------------------------------------------------------------

# The documented shape of EXPLAIN USING JSON's one `content` value: GlobalStats with partitionsTotal,
# partitionsAssigned and bytesAssigned ("the number of bytes contained in the partitionsAssigned"),
# and Operations, a list of steps, each a list of operations with the columns the page lists (id,
# parentOperators, operation, objects, expressions, and the three figures per table scan):
# https://docs.snowflake.com/en/sql-reference/sql/explain, "Output". The JSON layout is the one
# SYSTEM$EXPLAIN_PLAN_JSON's examples print
# (https://docs.snowflake.com/en/sql-reference/functions/system_explain_plan_json, "Examples").
DOCUMENTED_PLAN = {
    "GlobalStats": {"partitionsTotal": 480, "partitionsAssigned": 12, "bytesAssigned": 52428800},
    "Operations": [
        [
            {"id": 0, "operation": "Result", "expressions": ["CUSTOMERS.ID", "CUSTOMERS.UPDATED_AT"]},
            {
                "id": 1,
                "parentOperators": [0],
                "operation": "Filter",
                "expressions": ["(CUSTOMERS.UPDATED_AT >= '2024-01-01 01:00:00')"],
            },
            {
                "id": 2,
                "parentOperators": [1],
                "operation": "TableScan",
                "objects": ["MP_DB.CRM.CUSTOMERS"],
                "expressions": ["ID", "UPDATED_AT"],
                "partitionsAssigned": 12,
                "partitionsTotal": 480,
                "bytesAssigned": 52428800,
            },
        ]
    ],
}
WINDOWED = "SELECT ID, UPDATED_AT FROM MP_DB.CRM.CUSTOMERS WHERE UPDATED_AT >= '2024-01-01 01:00:00'"


def test_plan_figures_of_the_documented_shape() -> None:
    from wsync_lint.live.snowflake_plan import PlanFigures, plan_figures

    figures = plan_figures([(json.dumps(DOCUMENTED_PLAN, indent=2),)])
    assert figures == PlanFigures(bytes_assigned=52428800, partitions_assigned=12, partitions_total=480)
    assert figures.source == "Snowflake EXPLAIN (12 of 480 micro-partitions)"


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("not json",)],
        [(json.dumps({"Operations": DOCUMENTED_PLAN["Operations"]}),)],
        [(json.dumps({"GlobalStats": {"partitionsTotal": 0, "partitionsAssigned": 0}}),)],
        [(json.dumps({"GlobalStats": {"bytesAssigned": -1}}),)],
        [(json.dumps(DOCUMENTED_PLAN),), (json.dumps(DOCUMENTED_PLAN),)],
    ],
)
def test_plan_figures_none_without_a_byte_figure(rows) -> None:
    from wsync_lint.live.snowflake_plan import plan_figures

    assert plan_figures(rows) is None


def test_scan_on_fakesnow_is_rejected_with_its_message(session: SnowflakeSession) -> None:
    """fakesnow cannot parse EXPLAIN USING JSON: a refusal of the statement, which preflight reports
    as "not available: <message>"."""
    with pytest.raises(WarehouseRejected) as rejected:
        session.scan(read_only(WINDOWED, "snowflake"), [CUSTOMERS])
    assert rejected.value.message == 'Parser Error: syntax error at or near "USING"'


@pytest.fixture
def proxy(snowflake_standin: SnowflakeStandin, session: SnowflakeSession):
    from tests.live.standins.snowflake import answering

    yield from answering(snowflake_standin)


def _through(proxy, standin: SnowflakeStandin) -> SnowflakeSession:
    return connect(settings(standin, **{env_name(standin.connection_id, "ENDPOINT"): proxy.url}))


def test_scan_reads_the_plans_bytes_and_each_tables_clustering_key(proxy, snowflake_standin) -> None:
    """fakesnow has no EXPLAIN and no clustering keys: the proxy in front of it (standins/snowflake.py)
    answers EXPLAIN USING JSON with the documented plan shape and SHOW TABLES for CUSTOMERS with a
    clustered row, in Snowflake's JSON result format; SHOW TABLES for EVENTS is fakesnow's own
    answer (cluster_by empty: no line). The record shows the statements sent: reads only."""
    explain = f"EXPLAIN USING JSON {WINDOWED}"
    show_customers = "SHOW TABLES LIKE 'CUSTOMERS' IN SCHEMA MP_DB.CRM"
    proxy.answers[explain] = (["content"], [[json.dumps(DOCUMENTED_PLAN, indent=2)]])
    proxy.answers[show_customers] = (
        ["name", "database_name", "schema_name", "cluster_by"],
        [["CUSTOMERS", "MP_DB", "CRM", "LINEAR(TO_DATE(UPDATED_AT), ID)"]],
    )
    opened = _through(proxy, snowflake_standin)
    try:
        mark = len(proxy.sent)
        estimate = opened.scan(read_only(WINDOWED, "snowflake"), [CUSTOMERS, EVENTS, LiveTable(("X",), ())])
    finally:
        opened.close()
    assert estimate == ScanEstimate(
        52428800,
        "Snowflake EXPLAIN (12 of 480 micro-partitions)",
        pruning_keys=("MP_DB.CRM.CUSTOMERS: clustered by TO_DATE(UPDATED_AT), ID",),
    )
    assert proxy.sent[mark:] == [explain, show_customers, "SHOW TABLES LIKE 'EVENTS' IN SCHEMA MP_DB.PUBLIC"]


def test_scan_without_a_byte_figure_is_unavailable(proxy, snowflake_standin) -> None:
    """Served by the proxy: a plan with no GlobalStats (as a plan of no table scan may be)."""
    explain = f"EXPLAIN USING JSON {WINDOWED}"
    proxy.answers[explain] = (["content"], [[json.dumps({"Operations": [[{"id": 0, "operation": "Result"}]]})]])
    opened = _through(proxy, snowflake_standin)
    try:
        estimate = opened.scan(read_only(WINDOWED, "snowflake"), [MIXED_CASE])
    finally:
        opened.close()
    assert estimate == ScanEstimate(None, "Snowflake EXPLAIN", unavailable="the warehouse's plan gives no byte figure")
    assert proxy.sent[-2:] == [explain, """SHOW TABLES LIKE 'MixedCase' IN SCHEMA MP_DB.CRM"""]


def test_the_clustering_line_of_a_quoted_name_and_of_a_key_that_is_not_linear() -> None:
    from wsync_lint.live.snowflake import quoted_name
    from wsync_lint.live.snowflake_plan import clustering_line

    name = quoted_name(("MP_DB", "CRM", "MixedCase"))
    assert clustering_line(name, 'LINEAR("lowerName")') == 'MP_DB.CRM."MixedCase": clustered by "lowerName"'
    assert clustering_line(name, "EVENT_DATE") == 'MP_DB.CRM."MixedCase": clustered by EVENT_DATE'
    assert clustering_line(name, None) is None


def test_aggregate_sends_exactly_its_query(proxy, sampled, snowflake_standin) -> None:
    sql = "SELECT COUNT(*) AS N FROM MP_DB.CRM.IDENTITIES"
    opened = _through(proxy, snowflake_standin)
    try:
        mark = len(proxy.sent)
        assert opened.aggregate(read_only(sql, "snowflake")) == (5,)
    finally:
        opened.close()
    assert proxy.sent[mark:] == [sql]


def test_aggregate_and_scan_take_only_read_only_queries(session: SnowflakeSession) -> None:
    with pytest.raises(TypeError, match="ReadOnlyQuery"):
        session.aggregate("SELECT COUNT(*) FROM MP_DB.CRM.CUSTOMERS")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ReadOnlyQuery"):
        session.scan(read_only("SELECT 1", "bigquery"), [])

"""The Databricks connector against the Thrift fake, over a real loopback connection with the real driver.

The fake (tests/live/standins/databricks_thrift.py) runs queries on DuckDB and words its errors as
Databricks does; ``DESCRIBE``, ``SHOW ALL IN SHARE`` and ``SHOW GRANTS ON SHARE`` are scripted in it
from the admin's set-up statements. ``standin.statements`` is what the warehouse received.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.live.standins import free_port
from tests.live.standins.databricks import CATALOG, CONNECTION_ID, SHARE, TOKEN, DatabricksStandin
from wsync_lint.analysis.column_types import parse_type
from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import WarehouseNotTried, WarehouseRejected, WarehouseUnreachable, settings_for
from wsync_lint.live.databricks import DatabricksSession, connect, share_gaps, table_from_description
from wsync_lint.live.statements import read_only
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.window_filter import window_condition
from wsync_lint.sql.wrappers import count_query, probe_query

EVENTS_COLUMNS = (
    ResultColumn("mpid", "bigint"),
    ResultColumn("email", "string"),
    ResultColumn("amount", "decimal(18,4)"),
    ResultColumn("event_ts", "timestamp"),
    ResultColumn("seen_at", "timestamp_ntz"),
    ResultColumn("tags", "array<string>"),
    ResultColumn("day", "date"),
)
EVENTS = LiveTable((CATALOG, "mp", "events"), EVENTS_COLUMNS)
CUSTOMERS = LiveTable((CATALOG, "crm", "customers"), (ResultColumn("customer_id", "string"),))
RECIPIENT = "mParticle_<pod>"


@pytest.fixture(scope="module")
def standin(databricks_standin: DatabricksStandin) -> DatabricksStandin:
    databricks_standin.setup(
        "CREATE TABLE analytics.mp.events (mpid BIGINT, email VARCHAR, amount DECIMAL(18,4), event_ts TIMESTAMPTZ,"
        " seen_at TIMESTAMP, tags VARCHAR[], day DATE)",
        "INSERT INTO analytics.mp.events VALUES"
        " (1, 'a@example.com', 1.5, '2024-01-01 05:00:00+00', '2024-01-01 05:00:00', ['a', 'b'], '2024-01-01'),"
        " (2, NULL, NULL, '2024-01-01 23:59:59+00', NULL, NULL, NULL),"
        " (3, 'c@example.com', 2, '2024-01-02 00:00:01+00', NULL, [], '2024-01-02'),"
        " (4, 'd@example.com', 3, '2023-12-31 23:00:00+00', NULL, NULL, '2023-12-31')",
        "CREATE TABLE analytics.crm.customers (customer_id VARCHAR)",
        f"CREATE SHARE {SHARE}",
        f"ALTER SHARE {SHARE} ADD TABLE analytics.mp.events",
        f"GRANT SELECT ON SHARE {SHARE} TO RECIPIENT mParticle_us1",
        "CREATE SHARE whole_crm",
        "ALTER SHARE whole_crm ADD SCHEMA analytics.crm",
    )
    return databricks_standin


def open_session(standin: DatabricksStandin, timeout: float = 10, **environment: str | None) -> DatabricksSession:
    settings = settings_for(CONNECTION_ID, "databricks", standin.config, timeout, standin.environment(**environment))
    return connect(settings)


@pytest.fixture
def session(standin: DatabricksStandin) -> Iterator[DatabricksSession]:
    opened = open_session(standin)
    yield opened
    opened.close()


def test_describe_names_the_probes_columns_with_databricks_types(standin, session) -> None:
    model = (
        "SELECT mpid, email, amount, event_ts, seen_at, tags, day,\n"
        "  CAST(day AS TIMESTAMP) AS day_ts, CAST(day AS TIMESTAMP_NTZ) AS day_ntz FROM events"
    )
    probe = probe_query(model, "databricks").sql
    columns = session.describe(read_only(probe, "databricks"))
    cast = [ResultColumn("day_ts", "timestamp"), ResultColumn("day_ntz", "timestamp_ntz")]
    assert columns == [*EVENTS_COLUMNS, *cast]
    assert standin.statements[-1] == "DESCRIBE " + probe  # analysed, not run
    parsed = [parse_type(c.type, "databricks", WAREHOUSES["databricks"]).name for c in columns]
    assert parsed == [
        "BIGINT", "STRING", "DECIMAL", "TIMESTAMP", "TIMESTAMP_NTZ", "ARRAY", "DATE", "TIMESTAMP", "TIMESTAMP_NTZ"
    ]  # fmt: skip


def test_describe_of_a_query_sqlglot_cannot_describe_is_wrapped(standin, session) -> None:
    columns = session.describe(read_only("(SELECT mpid FROM events) UNION ALL (SELECT 2)", "databricks"))
    assert columns == [ResultColumn("mpid", "bigint")]
    assert standin.statements[-1] == "DESCRIBE SELECT * FROM (\n(SELECT mpid FROM events) UNION ALL (SELECT 2)\n)"


def test_a_bad_column_is_rejected_with_its_position_in_the_probe(session) -> None:
    probe = probe_query("SELECT mpid, nope FROM events", "databricks").sql
    with pytest.raises(WarehouseRejected) as raised:
        session.describe(read_only(probe, "databricks"))
    assert raised.value.message.startswith(
        "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `nope` cannot be resolved."
    )
    assert (raised.value.line, raised.value.column) == (4, 14)


def test_a_position_on_the_first_line_discounts_describe(session) -> None:
    with pytest.raises(WarehouseRejected) as raised:
        session.describe(read_only("SELECT mpid, nope FROM events", "databricks"))
    assert (raised.value.line, raised.value.column) == (1, 14)


def test_a_missing_table_is_rejected_with_databricks_message(session) -> None:
    with pytest.raises(WarehouseRejected) as raised:
        session.describe(read_only(probe_query("SELECT * FROM mp.missing", "databricks").sql, "databricks"))
    assert raised.value.message.startswith(
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `mp`.`missing` cannot be found."
    )
    assert (raised.value.line, raised.value.column) == (4, 15)


def test_a_rejection_never_shows_the_token(session) -> None:
    with pytest.raises(WarehouseRejected) as raised:
        session.describe(read_only(f"SELECT `{TOKEN}` FROM events", "databricks"))
    assert TOKEN not in raised.value.message
    assert "with name `***` cannot be resolved" in raised.value.message


def test_count_runs_the_count_query_over_the_window(standin, session) -> None:
    start, until = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    condition = window_condition("event_ts", "timestamp", "databricks", start, until)
    query = count_query("SELECT mpid, event_ts FROM mp.events", "databricks", condition).sql
    assert session.count(read_only(query, "databricks")) == 2
    assert standin.statements[-1] == query
    everything = count_query("SELECT mpid, event_ts FROM mp.events", "databricks", None).sql
    assert session.count(read_only(everything, "databricks")) == 4


@pytest.mark.parametrize(
    ("reference", "parts", "expected"),
    [
        ("events", ["events"], EVENTS),
        ("MP.Events", ["MP", "Events"], EVENTS),
        ("analytics.mp.events", ["analytics", "mp", "events"], EVENTS),
        ("crm.customers", ["crm", "customers"], CUSTOMERS),
        ("mp.missing", ["mp", "missing"], None),
        ("nowhere.mp.events", ["nowhere", "mp", "events"], None),
    ],
)
def test_table_resolves_as_the_session_does(session, reference, parts, expected) -> None:
    assert session.table(reference, parts) == expected


def test_describe_table_extended_rows_as_databricks_prints_them() -> None:
    """The parser on DESCRIBE TABLE EXTENDED rows of a partitioned table, laid out as Databricks prints them
    (the stand-in has no partitions): the partition section repeats a column, the details give the name."""
    rows = [
        ("customer_id", "string", None),
        ("day", "date", None),
        ("# Partition Information", "", ""),
        ("# col_name", "data_type", "comment"),
        ("day", "date", None),
        ("", "", ""),
        ("# Detailed Table Information", "", ""),
        ("Catalog", "main", ""),
        ("Database", "crm", ""),
        ("Table", "customers", ""),
        ("Type", "MANAGED", ""),
        ("Location", "s3://bucket/crm/customers", ""),
    ]
    columns = (ResultColumn("customer_id", "string"), ResultColumn("day", "date"))
    assert table_from_description(rows, ["CRM", "Customers"]) == LiveTable(("main", "crm", "customers"), columns)


def test_a_table_in_the_share_with_mparticle_as_recipient_has_no_gap(standin, session) -> None:
    sent = len(standin.statements)
    assert session.check_grants([("events", EVENTS)]) == GrantCheck()
    assert standin.statements[sent:] == [f"SHOW ALL IN SHARE `{SHARE}`", f"SHOW GRANTS ON SHARE `{SHARE}`"]


def test_a_table_missing_from_the_share_is_a_gap(session) -> None:
    check = session.check_grants([("events", EVENTS), ("crm.customers", CUSTOMERS)])
    assert check == GrantCheck((GrantGap("SELECT", "share", SHARE, RECIPIENT, table="crm.customers"),))


def test_a_shared_schema_covers_its_tables_and_a_share_without_mparticle_is_a_gap(standin) -> None:
    session = open_session(standin, SHARE="whole_crm")
    try:
        check = session.check_grants([("crm.customers", CUSTOMERS), ("events", EVENTS)])
    finally:
        session.close()
    assert check.gaps == (
        GrantGap("SELECT", "share", "whole_crm", RECIPIENT, table="events"),
        GrantGap("SELECT", "share", "whole_crm", RECIPIENT),
    )


def test_without_a_share_name_grants_are_unchecked(standin) -> None:
    session = open_session(standin, SHARE=None)
    sent = len(standin.statements)
    try:
        check = session.check_grants([("events", EVENTS)])
    finally:
        session.close()
    assert check == GrantCheck(unchecked=("Delta Sharing: no share named: set WSYNC_LINT_DATABRICKS_TEST_SHARE",))
    assert standin.statements[sent:] == []


def test_a_share_the_warehouse_refuses_to_list_is_unchecked(standin) -> None:
    session = open_session(standin, SHARE="nope")
    try:
        check = session.check_grants([("events", EVENTS)])
    finally:
        session.close()
    assert check.gaps == ()
    assert [reason.split(": ")[0] for reason in check.unchecked] == [
        "the tables of share nope",
        "the recipients of share nope",
    ]


def test_share_rows_as_databricks_documents_them() -> None:
    """The parser on the rows of the SHOW ALL IN SHARE example of Databricks' documentation (an alias and
    partitions); the stand-in's rows have the same columns."""
    rows = [
        ("other_schema.tab2", "TABLE", "main.other_schema.tab2", "2022-01-01T00:00:01.000+0000", "a@b", None, None),
        ("their_schema.tab1", "TABLE", "main.myschema.tab2", "2022-01-01T00:00:00.000+0000", "a@b", None, "(c1 = 5)"),
    ]
    tab1 = LiveTable(("main", "myschema", "tab1"), ())
    tab2 = LiveTable(("main", "MySchema", "Tab2"), ())
    assert share_gaps(rows, "s", [("myschema.tab1", tab1), ("myschema.tab2", tab2)]) == [
        GrantGap("SELECT", "share", "s", RECIPIENT, table="myschema.tab1")
    ]


def test_a_bad_token_is_unreachable_without_showing_it(standin) -> None:
    with pytest.raises(WarehouseUnreachable) as raised:
        open_session(standin, TOKEN="dapi-wrong-token-456")
    assert str(raised.value) == (
        f"cannot open a Databricks session (http://127.0.0.1:{standin.port}): HTTP 403: Invalid access token."
    )
    assert "dapi-wrong-token-456" not in str(raised.value)


def test_a_schema_that_does_not_exist_fails_the_login(standin) -> None:
    settings = settings_for(CONNECTION_ID, "databricks", {"schema": "ghost"}, 10, standin.environment())
    with pytest.raises(WarehouseUnreachable, match=r"\[SCHEMA_NOT_FOUND\] The schema `ghost` cannot be found"):
        connect(settings)


def test_an_unreachable_port_fails_within_the_timeout(standin) -> None:
    port = free_port()
    with pytest.raises(WarehouseUnreachable) as raised:
        open_session(standin, timeout=3, ENDPOINT=f"http://127.0.0.1:{port}")
    assert (
        str(raised.value)
        == f"cannot open a Databricks session (http://127.0.0.1:{port}): [Errno 111] Connection refused"
    )


def test_a_host_that_never_answers_fails_within_the_timeout(standin) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(WarehouseUnreachable) as raised:
            open_session(standin, timeout=3, ENDPOINT=f"http://127.0.0.1:{silent.getsockname()[1]}")
    assert str(raised.value).endswith(": no answer within 3.0 s")


def test_a_missing_http_path_names_the_variable(standin) -> None:
    with pytest.raises(WarehouseUnreachable) as raised:
        open_session(standin, HTTP_PATH=None)
    assert str(raised.value) == "WSYNC_LINT_DATABRICKS_TEST_HTTP_PATH is not set (or DATABRICKS_HTTP_PATH)"
    assert isinstance(raised.value, WarehouseNotTried)


def test_only_read_only_queries_are_sent(standin, session) -> None:
    sent = len(standin.statements)
    with pytest.raises(TypeError):
        session.describe("SELECT 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        session.count(read_only("SELECT 1", "snowflake"))
    assert standin.statements[sent:] == []


def test_importing_the_connector_does_not_import_the_driver() -> None:
    code = "import sys, wsync_lint.live.databricks; print('databricks.sql' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"

"""The Redshift connector against its stand-in: the real redshift-connector over a real connection
to PostgreSQL behind pgbouncer (tests/live/standins/redshift.py), with no patching of the connector.

The stand-in is PostgreSQL, so messages are PostgreSQL's (Redshift words them the same way for
these errors) and Redshift-only SQL (GETDATE, NVL, svv_* views) does not compile here.
The grants check is real: PostgreSQL answers ``has_schema_privilege`` and
``has_table_privilege`` from actual GRANTs. Schemas ``sales``, ``vault`` and ``quality`` and the table
``public.accounts`` belong to this module.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.live.standins import free_port
from tests.live.standins.redshift import RedshiftStandin
from wsync_lint.analysis.column_types import parse_type
from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import (
    LiveSettings,
    WarehouseNotTried,
    WarehouseRejected,
    WarehouseUnreachable,
    settings_for,
)
from wsync_lint.live.redshift import RedshiftSession, connect
from wsync_lint.live.statements import NotReadOnly, read_only
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.window_filter import window_condition
from wsync_lint.sql.wrappers import count_query, probe_query

SETUP = (
    "CREATE SCHEMA sales",
    "CREATE TABLE sales.orders (order_id bigint, email varchar(256), amount numeric(18,4), updated_at timestamp, "
    "created_at timestamptz, is_paid boolean, order_date date, score double precision, note text)",
    "INSERT INTO sales.orders VALUES "
    "(1, 'a@example.com', 10.5, '2024-01-01 10:00', '2024-01-01 10:00+00', true, '2024-01-01', 0.5, 'x'), "
    "(2, 'b@example.com', 20.25, '2024-01-02 10:00', '2024-01-02 10:00+00', false, '2024-01-02', 1.5, NULL), "
    "(3, 'c@example.com', 30, '2024-01-03 10:00', '2024-01-03 10:00+00', true, '2024-01-03', 2.5, 'y'), "
    "(4, 'd@example.com', 40, '2024-02-01 10:00', '2024-02-01 10:00+00', true, '2024-02-01', 3.5, 'z')",
    'CREATE TABLE sales."Events" (event_id integer, name character(8))',
    "CREATE TABLE sales.refunds (refund_id bigint)",
    "CREATE TABLE public.accounts (account_id bigint, name varchar(64))",
    "CREATE SCHEMA vault",
    "CREATE TABLE vault.secrets (secret_id bigint)",
    "CREATE TABLE vault.keys (key_id bigint)",
    "GRANT USAGE ON SCHEMA sales TO wsync",
    'GRANT SELECT ON sales.orders, sales."Events", public.accounts TO wsync',
    # vault: SELECT on one table, but no USAGE on the schema; sales.refunds: no SELECT.
    "GRANT SELECT ON vault.secrets TO wsync",
)
ORDERS_COLUMNS = [
    ("order_id", "bigint"),
    ("email", "character varying(256)"),
    ("amount", "numeric(18,4)"),
    ("updated_at", "timestamp without time zone"),
    ("created_at", "timestamp with time zone"),
    ("is_paid", "boolean"),
    ("order_date", "date"),
    ("score", "double precision"),
    ("note", "text"),
]
MODEL = "SELECT order_id, email, amount, updated_at, created_at, is_paid, order_date, score, note\nFROM sales.orders"


@pytest.fixture(scope="module")
def standin(request: pytest.FixtureRequest) -> RedshiftStandin:
    """The session's stand-in with this module's schemas and grants."""
    running: RedshiftStandin = request.getfixturevalue("redshift_standin")
    running.setup(*SETUP)
    return running


def settings_of(standin: RedshiftStandin, timeout: float = 10.0, **environment: str | None) -> LiveSettings:
    """The stand-in's settings; ``environment`` adds variables (names without the prefix) or drops them (None)."""
    prefix = "WSYNC_LINT_REDSHIFT_STANDIN_"
    variables = standin.environment()
    for name, value in environment.items():
        variables.pop(prefix + name, None)
        if value is not None:
            variables[prefix + name] = value
    return settings_for(standin.connection_id, "redshift", standin.config, timeout, variables)


@pytest.fixture
def session(standin: RedshiftStandin) -> Iterator[RedshiftSession]:
    opened = connect(settings_of(standin))
    yield opened
    opened.close()


def sql(text: str):
    return read_only(text, "redshift")


# -- describe and count ---------------------------------------------------------------------------


def test_describe_gives_the_columns_of_mparticles_probe_in_redshift_spelling(session: RedshiftSession) -> None:
    columns = session.describe(sql(probe_query(MODEL, "redshift").sql))
    assert [(column.name, column.type) for column in columns] == ORDERS_COLUMNS
    warehouse = WAREHOUSES["redshift"]
    assert [parse_type(column.type, "redshift", warehouse).name for column in columns] == [
        "BIGINT", "VARCHAR", "DECIMAL", "TIMESTAMP", "TIMESTAMPTZ", "BOOLEAN", "DATE", "DOUBLE PRECISION", "VARCHAR",
    ]  # fmt: skip


def test_describe_of_a_bare_model_and_of_expressions(session: RedshiftSession) -> None:
    model = (
        "SELECT COUNT(*), 'x'::varchar(12) AS tag, CAST(1 AS smallint) AS small, 1.5::real AS ratio FROM sales.orders"
    )
    assert [(c.name, c.type) for c in session.describe(sql(model))] == [
        ("count", "bigint"),
        ("tag", "character varying(12)"),
        ("small", "smallint"),
        ("ratio", "real"),
    ]


def test_a_bad_column_is_rejected_at_its_place_in_the_sent_statement(session: RedshiftSession) -> None:
    probe = probe_query("SELECT order_id,\n       nope\nFROM sales.orders", "redshift").sql
    with pytest.raises(WarehouseRejected) as caught:
        session.describe(sql(probe))
    assert (caught.value.message, caught.value.line, caught.value.column) == ('column "nope" does not exist', 5, 8)
    assert probe.splitlines()[4][7:11] == "nope"


def test_a_missing_table_is_rejected_with_the_warehouses_message(session: RedshiftSession) -> None:
    with pytest.raises(WarehouseRejected) as caught:
        session.describe(sql("SELECT id FROM sales.missing"))
    assert (caught.value.message, caught.value.line, caught.value.column) == (
        'relation "sales.missing" does not exist',
        1,
        16,
    )


def test_a_table_without_select_is_rejected(session: RedshiftSession) -> None:
    with pytest.raises(WarehouseRejected) as caught:
        session.describe(sql("SELECT refund_id FROM sales.refunds"))
    assert caught.value.message == "permission denied for table refunds"


def test_count_returns_the_rows_of_the_window(session: RedshiftSession) -> None:
    window = window_condition(
        "updated_at", "timestamp", "redshift", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 31, tzinfo=UTC)
    )
    assert session.count(sql(count_query(MODEL, "redshift", window).sql)) == 2
    assert session.count(sql(count_query(MODEL, "redshift", None).sql)) == 4


# -- table ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "parts", "name"),
    [
        ("accounts", ["accounts"], ("wsync_test", "public", "accounts")),  # the search_path decides
        ("sales.orders", ["sales", "orders"], ("wsync_test", "sales", "orders")),
        ("wsync_test.sales.orders", ["wsync_test", "sales", "orders"], ("wsync_test", "sales", "orders")),
        ("SALES.Orders", ["SALES", "Orders"], ("wsync_test", "sales", "orders")),  # unquoted: folded
        ('sales."Events"', ["sales", "Events"], ("wsync_test", "sales", "Events")),  # quoted: as written
    ],
)
def test_table_resolves_references_as_the_session_does(session, reference, parts, name) -> None:
    found = session.table(reference, parts)
    assert found is not None and found.name == name


def test_table_gives_the_columns_with_their_types(session: RedshiftSession) -> None:
    assert session.table("sales.orders", ["sales", "orders"]) == LiveTable(
        ("wsync_test", "sales", "orders"), tuple(ResultColumn(name, type_) for name, type_ in ORDERS_COLUMNS)
    )
    assert session.table('sales."Events"', ["sales", "Events"]) == LiveTable(
        ("wsync_test", "sales", "Events"),
        (ResultColumn("event_id", "integer"), ResultColumn("name", "character(8)")),
    )


@pytest.mark.parametrize(
    ("reference", "parts"),
    [
        ("sales.missing", ["sales", "missing"]),
        ("nowhere.orders", ["nowhere", "orders"]),
        ("orders", ["orders"]),  # sales is not on the search_path
        ('sales."ORDERS"', ["sales", "ORDERS"]),  # quoted: PostgreSQL keeps the case
        ("other_db.sales.orders", ["other_db", "sales", "orders"]),
    ],
)
def test_table_is_none_when_the_name_resolves_to_nothing(session, reference, parts) -> None:
    assert session.table(reference, parts) is None


def test_table_finds_tables_the_user_may_not_read(session: RedshiftSession) -> None:
    """So that the grants check can say what is missing, instead of the table looking absent."""
    found = session.table("vault.keys", ["vault", "keys"])
    assert found == LiveTable(("wsync_test", "vault", "keys"), (ResultColumn("key_id", "bigint"),))


# -- grants (real: PostgreSQL answers from the GRANTs of SETUP) -----------------------------------


def test_grants_give_the_exact_gaps(session: RedshiftSession) -> None:
    references = ["sales.orders", "sales.refunds", "vault.secrets", "vault.keys"]
    tables = [(reference, session.table(reference, reference.split("."))) for reference in references]
    check = session.check_grants(tables)
    assert check.gaps == (
        GrantGap("USAGE", "schema", "vault", "wsync"),
        GrantGap("SELECT", "table", "sales.refunds", "wsync", table="sales.refunds"),
        GrantGap("SELECT", "table", "vault.keys", "wsync", table="vault.keys"),
    )
    assert len(check.unchecked) == 1 and "aws_iam_role_arn" in check.unchecked[0]


def test_grants_of_readable_tables_have_no_gaps(session: RedshiftSession) -> None:
    tables = [
        ("sales.orders", session.table("sales.orders", ["sales", "orders"])),
        ('sales."Events"', session.table('sales."Events"', ["sales", "Events"])),
    ]
    check = session.check_grants(tables)
    assert check.gaps == ()
    assert session.check_grants([]) == GrantCheck((), check.unchecked)


# -- connecting -----------------------------------------------------------------------------------


def test_payload_host_and_string_port_are_used_without_an_endpoint(standin: RedshiftStandin) -> None:
    config = {**standin.config, "host": "127.0.0.1", "port": str(standin.port)}
    variables = {k: v for k, v in standin.environment().items() if not k.endswith("_ENDPOINT")}
    opened = connect(settings_for(standin.connection_id, "redshift", config, 10.0, variables))
    try:
        assert opened.count(sql("SELECT COUNT(*) FROM sales.orders")) == 4
    finally:
        opened.close()


def test_a_bad_password_is_unreachable_and_the_message_holds_no_password(standin: RedshiftStandin) -> None:
    wrong = "Wrong-" + standin.password
    with pytest.raises(WarehouseUnreachable) as caught:
        connect(settings_of(standin, PASSWORD=wrong))
    text = str(caught.value)
    assert text == f"Redshift at 127.0.0.1:{standin.port}: password authentication failed"
    assert wrong not in text and standin.password not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_password_falls_back_to_redshift_password(standin: RedshiftStandin) -> None:
    settings = settings_of(standin, PASSWORD=None)
    settings = settings_for(
        standin.connection_id,
        "redshift",
        standin.config,
        10.0,
        {**settings.environment, "REDSHIFT_PASSWORD": standin.password},
    )
    connect(settings).close()


def test_a_missing_password_names_the_variable(standin: RedshiftStandin) -> None:
    with pytest.raises(
        WarehouseNotTried, match=r"^WSYNC_LINT_REDSHIFT_STANDIN_PASSWORD is not set \(or REDSHIFT_PASSWORD\)$"
    ):
        connect(settings_of(standin, PASSWORD=None))


@pytest.mark.filterwarnings("ignore:ssl.*deprecated:DeprecationWarning")  # the driver's SSLContext() call
def test_tls_is_on_unless_turned_off(standin: RedshiftStandin) -> None:
    with pytest.raises(WarehouseUnreachable) as caught:
        connect(settings_of(standin, SSL=None))
    assert str(caught.value) == f"Redshift at 127.0.0.1:{standin.port}: Server refuses SSL"


def test_a_closed_port_is_unreachable_fast(standin: RedshiftStandin) -> None:
    port = free_port()
    with pytest.raises(WarehouseUnreachable) as caught:
        connect(settings_of(standin, timeout=3, ENDPOINT=f"127.0.0.1:{port}"))
    assert str(caught.value) == f"Redshift at 127.0.0.1:{port}: Connection refused"


def test_a_server_that_never_answers_is_unreachable_within_the_timeout(standin: RedshiftStandin) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the handshake completes in the backlog; nothing is ever said
        port = silent.getsockname()[1]
        with pytest.raises(WarehouseUnreachable) as caught:
            connect(settings_of(standin, timeout=2, ENDPOINT=f"127.0.0.1:{port}"))
    assert str(caught.value) == f"Redshift at 127.0.0.1:{port}: no answer within 2 s"


def test_a_statement_slower_than_the_timeout_is_cancelled_by_the_server(standin: RedshiftStandin) -> None:
    """The server's statement_timeout fires just before the driver gives up: the session stays usable."""
    opened = connect(settings_of(standin, timeout=1))
    try:
        with pytest.raises(WarehouseRejected) as caught:
            opened.count(sql("SELECT COUNT(*) FROM (SELECT pg_sleep(60)) AS slow"))
        assert opened.count(sql("SELECT COUNT(*) FROM sales.orders")) == 4
    finally:
        opened.close()
    assert caught.value.message == "canceling statement due to statement timeout"


def test_the_driver_is_imported_only_by_connect() -> None:
    probe = "import sys, wsync_lint.live.redshift; print('redshift_connector' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout == "False\n"


def test_without_the_driver_connect_says_how_to_install_it(standin, monkeypatch) -> None:
    # Uninstalling the driver is not possible in the test venv: a None module entry makes the
    # import fail exactly as a missing package does.
    monkeypatch.setitem(sys.modules, "redshift_connector", None)
    with pytest.raises(
        WarehouseNotTried,
        match=r"^the Redshift driver is not installed: install `redshift-connector<3,>=2\.1`, or pip install -e "
        r"'\.\[redshift\]' in a clone of wsync-lint$",
    ):
        connect(settings_of(standin))


# -- read-only, proven by the server's statement log ----------------------------------------------


def test_text_that_is_not_a_read_only_query_never_reaches_the_server(standin, session) -> None:
    mark = standin.mark()
    with pytest.raises(TypeError):
        session.describe("SELECT 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        session.count("DELETE FROM sales.orders")  # type: ignore[arg-type]
    with pytest.raises(NotReadOnly):
        session.describe(sql("DELETE FROM sales.orders"))
    with pytest.raises(NotReadOnly):
        session.describe(sql("SELECT 1; DROP TABLE sales.orders"))
    assert standin.statements_since(mark) == []


def test_connecting_sends_no_statement(standin: RedshiftStandin) -> None:
    """The driver logs in with its startup packet alone: no SET, no BEGIN (autocommit)."""
    mark = standin.mark()
    connect(settings_of(standin)).close()
    assert standin.statements_since(mark) == []


def test_a_whole_session_sends_nothing_but_reads(standin: RedshiftStandin) -> None:
    mark = standin.mark()
    opened = connect(settings_of(standin))
    try:
        probe = probe_query(MODEL, "redshift").sql
        opened.describe(sql(probe))
        opened.describe(sql(probe))  # the type names are known now: one statement
        opened.count(sql(count_query(MODEL, "redshift", None).sql))
        orders = opened.table("sales.orders", ["sales", "orders"])
        events = opened.table('sales."Events"', ["sales", "Events"])
        assert orders is not None and events is not None
        opened.check_grants([("sales.orders", orders), ('sales."Events"', events)])
    finally:
        opened.close()
    sent = standin.statements_since(mark)
    # Each statement alone in a read-only transaction that is rolled back.
    assert sent[0::4] == ["BEGIN READ ONLY"] * 8
    assert sent[1::4] == ["SET LOCAL statement_timeout = 9750"] * 8
    assert sent[3::4] == ["ROLLBACK"] * 8
    queries = sent[2::4]
    assert [statement.split(None, 1)[0] for statement in queries] == [
        "SELECT",  # probe
        "SELECT",  # format_type of the probe's types
        "SELECT",  # probe again
        "SELECT",  # count
        "SELECT",  # catalog: sales.orders
        "SHOW",  # enable_case_sensitive_identifier, for the quoted name (refused by PostgreSQL)
        "SELECT",  # catalog: sales."Events"
        "SELECT",  # has_schema_privilege / has_table_privilege
    ]
    assert queries[0] == f"SELECT * FROM (\n{probe}\n) AS wsync_lint_probe LIMIT 0"
    for statement in queries:
        read_only(statement, "redshift")  # raises unless exactly one statement that reads


def test_the_server_refuses_what_the_statement_check_lets_through(standin, session) -> None:
    """read_only() accepts a SELECT calling nextval (the model gate, not read_only, refuses side-effect
    functions): the read-only transaction makes the server refuse it, and the sequence does not move."""
    standin.setup("CREATE SEQUENCE public.seq", "GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.seq TO wsync")
    before = _sequence(standin)
    mark = standin.mark()
    with pytest.raises(WarehouseRejected) as caught:
        session.count(sql("SELECT nextval('public.seq')"))
    assert caught.value.message == "cannot execute nextval() in a read-only transaction"
    assert standin.statements_since(mark) == [
        "BEGIN READ ONLY",
        "SET LOCAL statement_timeout = 9750",
        "SELECT nextval('public.seq')",
        "ROLLBACK",
    ]
    assert _sequence(standin) == before == (1, False)
    assert session.count(sql("SELECT COUNT(*) FROM sales.orders")) == 4  # the session is still usable


def _sequence(standin: RedshiftStandin) -> tuple[int, bool]:
    """The sequence's last value and whether it was ever called, read as its owner."""
    ((last_value, is_called),) = standin.rows("SELECT last_value, is_called FROM public.seq")
    return int(last_value), bool(is_called)

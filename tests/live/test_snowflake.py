"""The Snowflake connector against fakesnow's server, over HTTP with the real snowflake-connector-python.

fakesnow (tests/live/standins/snowflake.py) runs describe-only requests, queries and
information_schema like Snowflake, but it checks no password and cannot serve SHOW GRANTS: the
grants computation is tested on recorded SHOW GRANTS rows, and redaction on real failures that
fakesnow can produce.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.live.standins.snowflake import PASSWORD, SnowflakeStandin
from wsync_lint.analysis.column_types import parse_type
from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import WarehouseNotTried, WarehouseRejected, WarehouseUnreachable, env_name, settings_for
from wsync_lint.live.snowflake import (
    SnowflakeSession,
    connect,
    connect_arguments,
    driver_message,
    grant_gaps,
    grants_check,
)
from wsync_lint.live.statements import read_only
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.window_filter import window_condition
from wsync_lint.sql.wrappers import count_query, probe_query

MODEL = """SELECT ID AS CUSTOMER_ID, EMAIL, LIFETIME_VALUE, UPDATED_AT, IS_ACTIVE, SCORE, ATTRIBUTES
FROM MP_DB.CRM.CUSTOMERS"""
CUSTOMER_COLUMNS = [
    ("CUSTOMER_ID", "NUMBER(38,0)"),
    ("EMAIL", "VARCHAR"),
    ("LIFETIME_VALUE", "NUMBER(18,4)"),
    ("UPDATED_AT", "TIMESTAMP_NTZ"),
    ("IS_ACTIVE", "BOOLEAN"),
    ("SCORE", "FLOAT"),
    ("ATTRIBUTES", "VARIANT"),
]


def settings(standin: SnowflakeStandin, timeout: float = 10, **environment: str):
    return settings_for(
        standin.connection_id, "snowflake", standin.config, timeout, {**standin.environment(), **environment}
    )


@pytest.fixture(scope="module")
def session(snowflake_standin: SnowflakeStandin):
    snowflake_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS MP_DB.CRM",
        "CREATE OR REPLACE TABLE MP_DB.CRM.CUSTOMERS (ID NUMBER(38,0), EMAIL VARCHAR, LIFETIME_VALUE NUMBER(18,4),"
        " UPDATED_AT TIMESTAMP_NTZ, IS_ACTIVE BOOLEAN, SCORE FLOAT, ATTRIBUTES VARIANT)",
        "INSERT INTO MP_DB.CRM.CUSTOMERS (ID, EMAIL, UPDATED_AT) VALUES"
        " (1, 'a@example.com', '2024-01-01 00:30:00'), (2, 'b@example.com', '2024-01-01 01:15:00'),"
        " (3, 'c@example.com', '2024-01-01 01:45:00'), (4, 'd@example.com', '2024-01-01 03:00:00')",
        "CREATE OR REPLACE TABLE MP_DB.PUBLIC.EVENTS (EVENT_ID NUMBER(38,0), EVENT_TS TIMESTAMP_NTZ)",
        'CREATE OR REPLACE TABLE MP_DB.CRM."MixedCase" ("lowerName" VARCHAR)',
    )
    opened = connect(settings(snowflake_standin))
    yield opened
    opened.close()


# -- describe, count ----------------------------------------------------------------------------


def test_describe_returns_the_wrapped_models_columns_in_snowflakes_spelling(session: SnowflakeSession) -> None:
    columns = session.describe(read_only(probe_query(MODEL, "snowflake").sql, "snowflake"))
    assert [(column.name, column.type) for column in columns] == CUSTOMER_COLUMNS
    for _, type_name in CUSTOMER_COLUMNS:
        assert parse_type(type_name, "snowflake", WAREHOUSES["snowflake"]).data_type is not None, type_name


def test_a_bad_column_is_rejected_with_the_warehouses_message(session: SnowflakeSession) -> None:
    query = read_only(probe_query("SELECT NOPE FROM MP_DB.CRM.CUSTOMERS", "snowflake").sql, "snowflake")
    with pytest.raises(WarehouseRejected) as rejected:
        session.describe(query)
    # fakesnow answers with DuckDB's binder text (Snowflake says "invalid identifier"), without a position.
    assert rejected.value.message == 'Binder Error: Referenced column "NOPE" not found in FROM clause!'
    assert (rejected.value.line, rejected.value.column) == (None, None)


def test_a_missing_table_is_rejected_with_the_warehouses_message(session: SnowflakeSession) -> None:
    query = read_only(probe_query("SELECT ID FROM MP_DB.CRM.NOPE", "snowflake").sql, "snowflake")
    with pytest.raises(WarehouseRejected, match=r"^Catalog Error: Table with name NOPE does not exist!$"):
        session.describe(query)


def test_count_returns_the_rows_in_the_sync_window(session: SnowflakeSession) -> None:
    start, until = datetime(2024, 1, 1, 1, 0, tzinfo=UTC), datetime(2024, 1, 1, 2, 0, tzinfo=UTC)
    condition = window_condition("UPDATED_AT", "timestamp_ntz", "snowflake", start, until)
    assert session.count(read_only(count_query(MODEL, "snowflake", condition).sql, "snowflake")) == 2
    assert session.count(read_only(count_query(MODEL, "snowflake", None).sql, "snowflake")) == 4


def test_only_read_only_queries_are_sent(session: SnowflakeSession) -> None:
    with pytest.raises(TypeError, match="ReadOnlyQuery"):
        session.describe("SELECT 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ReadOnlyQuery"):
        session.count("SELECT COUNT(*) FROM MP_DB.CRM.CUSTOMERS")  # type: ignore[arg-type]


# -- table --------------------------------------------------------------------------------------

# The table's own columns: the model renames ID only.
CUSTOMERS = LiveTable(
    ("MP_DB", "CRM", "CUSTOMERS"),
    tuple(ResultColumn(name, type_name) for name, type_name in [("ID", "NUMBER(38,0)"), *CUSTOMER_COLUMNS[1:]]),
)


EVENTS = LiveTable(
    ("MP_DB", "PUBLIC", "EVENTS"), (ResultColumn("EVENT_ID", "NUMBER(38,0)"), ResultColumn("EVENT_TS", "TIMESTAMP_NTZ"))
)
MIXED_CASE = LiveTable(("MP_DB", "CRM", "MixedCase"), (ResultColumn("lowerName", "VARCHAR"),))


@pytest.mark.parametrize(
    ("reference", "parts", "expected"),
    [
        ("events", ("events",), EVENTS),  # schema and database of the session
        ("crm.customers", ("crm", "customers"), CUSTOMERS),  # database of the session
        ("MP_DB.CRM.CUSTOMERS", ("MP_DB", "CRM", "CUSTOMERS"), CUSTOMERS),
        ('CRM."MixedCase"', ("CRM", "MixedCase"), MIXED_CASE),
        ('mp_db.crm."MixedCase"', ("mp_db", "crm", "MixedCase"), MIXED_CASE),
    ],
)
def test_table_resolves_short_and_full_references(
    session: SnowflakeSession, reference: str, parts: tuple[str, ...], expected: LiveTable
) -> None:
    assert session.table(reference, parts) == expected


@pytest.mark.parametrize(
    ("reference", "parts"),
    [
        ("crm.nope", ("crm", "nope")),
        ("crm.mixedcase", ("crm", "mixedcase")),  # unquoted: MIXEDCASE, not the quoted "MixedCase"
        ("NOPE_DB.CRM.CUSTOMERS", ("NOPE_DB", "CRM", "CUSTOMERS")),
        ("customers", ("customers",)),  # the default schema is PUBLIC, not CRM
    ],
)
def test_table_is_none_when_missing(session: SnowflakeSession, reference: str, parts: tuple[str, ...]) -> None:
    assert session.table(reference, parts) is None


# -- grants -------------------------------------------------------------------------------------


def test_grants_unchecked_because_fakesnow_refuses_show_grants(session: SnowflakeSession) -> None:
    """fakesnow cannot serve SHOW GRANTS (its parser stops at "TO"): the check says so instead of failing."""
    customers = session.table("crm.customers", ("crm", "customers"))
    assert customers is not None
    assert session.check_grants([("crm.customers", customers)]) == GrantCheck(
        gaps=(),
        unchecked=('SHOW GRANTS TO ROLE MPARTICLE_ROLE was refused: Parser Error: syntax error at or near "TO"',),
    )


def recorded(privilege: str, granted_on: str, name: str, grantee: str = "MPARTICLE_ROLE") -> dict[str, object]:
    """One row of SHOW GRANTS TO ROLE, with Snowflake's columns and the values it returns."""
    return {
        "created_on": datetime(2024, 3, 4, 9, 12, 44, 123000, tzinfo=timezone(timedelta(hours=-8))),
        "privilege": privilege,
        "granted_on": granted_on,
        "name": name,
        "granted_to": "ROLE",
        "grantee_name": grantee,
        "grant_option": "false",
        "granted_by": "ACCOUNTADMIN",
    }


TABLES = [
    ("crm.customers", LiveTable(("MP_DB", "CRM", "CUSTOMERS"), ())),
    ('crm."MixedCase"', LiveTable(("MP_DB", "CRM", "MixedCase"), ())),
    ("sales.orders", LiveTable(("MP_DB", "SALES", "ORDERS"), ())),
    ("shared_db.public.prices", LiveTable(("SHARED_DB", "PUBLIC", "PRICES"), ())),
]
ALL_GRANTED = [
    recorded("USAGE", "WAREHOUSE", "COMPUTE_WH"),
    recorded("USAGE", "DATABASE", "MP_DB"),
    recorded("USAGE", "SCHEMA", "MP_DB.CRM"),
    recorded("OWNERSHIP", "SCHEMA", "MP_DB.SALES"),
    recorded("SELECT", "TABLE", "MP_DB.CRM.CUSTOMERS"),
    recorded("SELECT", "VIEW", 'MP_DB.CRM."MixedCase"'),
    recorded("SELECT", "TABLE", "MP_DB.SALES.ORDERS"),
    recorded("IMPORTED PRIVILEGES", "DATABASE", "SHARED_DB"),
]


def test_grant_gaps_on_recorded_rows_none_missing() -> None:
    """fakesnow cannot serve SHOW GRANTS: the computation runs on rows recorded in Snowflake's shape."""
    assert grant_gaps(ALL_GRANTED, "mparticle_role", "COMPUTE_WH", TABLES) == ()


def test_grant_gaps_on_recorded_rows_each_missing_privilege() -> None:
    """fakesnow cannot serve SHOW GRANTS: each of WS-GRANT-SF-02..05 is taken away from recorded rows."""
    rows = [row for row in ALL_GRANTED if row["granted_on"] in ("SCHEMA",) or row["name"] == "MP_DB.SALES.ORDERS"]
    rows.append(recorded("MONITOR", "WAREHOUSE", "COMPUTE_WH"))  # not USAGE
    rows.append(recorded("SELECT", "TABLE", "MP_DB.CRM.MIXEDCASE"))  # another table than "MixedCase"
    assert grant_gaps(rows, "mparticle_role", "COMPUTE_WH", TABLES) == (
        GrantGap("USAGE", "warehouse", "COMPUTE_WH", "mparticle_role"),
        GrantGap("USAGE", "database", "MP_DB", "mparticle_role"),
        GrantGap("USAGE", "database", "SHARED_DB", "mparticle_role"),
        GrantGap("USAGE", "schema", "SHARED_DB.PUBLIC", "mparticle_role"),
        GrantGap("SELECT", "table", "MP_DB.CRM.CUSTOMERS", "mparticle_role", table="crm.customers"),
        GrantGap("SELECT", "table", 'MP_DB.CRM."MixedCase"', "mparticle_role", table='crm."MixedCase"'),
        GrantGap("SELECT", "table", "SHARED_DB.PUBLIC.PRICES", "mparticle_role", table="shared_db.public.prices"),
    )


def test_grants_check_walks_inherited_roles_and_public_on_recorded_rows() -> None:
    """fakesnow cannot serve SHOW GRANTS: the role walk reads recorded answers, one per statement."""
    answers = {
        "SHOW GRANTS TO ROLE MPARTICLE_ROLE": [
            recorded("USAGE", "WAREHOUSE", "COMPUTE_WH"),
            recorded("USAGE", "ROLE", "CRM_READER"),
            recorded("USAGE", "ROLE", "Legacy Role"),
            recorded("USAGE", "DATABASE_ROLE", "MP_DB.SALES_READER"),
        ],
        "SHOW GRANTS TO ROLE PUBLIC": [recorded("USAGE", "DATABASE", "MP_DB", grantee="PUBLIC")],
        "SHOW GRANTS TO ROLE CRM_READER": [
            recorded("USAGE", "SCHEMA", "MP_DB.CRM", grantee="CRM_READER"),
            recorded("SELECT", "TABLE", "MP_DB.CRM.CUSTOMERS", grantee="CRM_READER"),
            recorded("USAGE", "ROLE", "MPARTICLE_ROLE", grantee="CRM_READER"),  # a cycle is read once
        ],
    }
    statements: list[str] = []

    def show(statement: str) -> list[dict[str, object]]:
        statements.append(statement)
        if statement not in answers:
            raise WarehouseRejected("SQL compilation error: Role 'LEGACY ROLE' does not exist or not authorized.")
        return answers[statement]

    check = grants_check("mparticle_role", "compute_wh", TABLES[:1] + TABLES[2:3], show)
    assert statements == [
        "SHOW GRANTS TO ROLE MPARTICLE_ROLE",
        "SHOW GRANTS TO ROLE PUBLIC",
        "SHOW GRANTS TO ROLE CRM_READER",
        'SHOW GRANTS TO ROLE "Legacy Role"',
    ]
    assert check == GrantCheck(
        gaps=(
            GrantGap("USAGE", "schema", "MP_DB.SALES", "mparticle_role"),
            GrantGap("SELECT", "table", "MP_DB.SALES.ORDERS", "mparticle_role", table="sales.orders"),
        ),
        unchecked=(
            "privileges through database role MP_DB.SALES_READER were not read",
            'SHOW GRANTS TO ROLE "Legacy Role" was refused: SQL compilation error: '
            "Role 'LEGACY ROLE' does not exist or not authorized.",
        ),
    )


def test_grants_check_claims_no_gap_when_the_role_itself_cannot_be_read() -> None:
    def show(statement: str) -> list[dict[str, object]]:
        raise WarehouseRejected("SQL compilation error: Role 'MPARTICLE_ROLE' does not exist or not authorized.")

    assert grants_check("mparticle_role", "compute_wh", TABLES, show) == GrantCheck(
        unchecked=(
            "SHOW GRANTS TO ROLE MPARTICLE_ROLE was refused: SQL compilation error: "
            "Role 'MPARTICLE_ROLE' does not exist or not authorized.",
        )
    )


# -- login, failures, secrets --------------------------------------------------------------------


def test_fakesnow_checks_no_password(snowflake_standin: SnowflakeStandin) -> None:
    """No bad-password test is possible here: fakesnow's login accepts any password (its
    login-request handler reads none). Should it start checking, this fails: write that test then."""
    wrong = settings(snowflake_standin, **{env_name(snowflake_standin.connection_id, "PASSWORD"): "wrong-Pa55word"})
    connect(wrong).close()


def test_a_secret_in_the_warehouses_message_is_redacted(snowflake_standin: SnowflakeStandin) -> None:
    """Redaction on a real message: the password is also a column name the warehouse echoes back."""
    secret = "Secret_Column_42"
    leaky = connect(settings(snowflake_standin, **{env_name(snowflake_standin.connection_id, "PASSWORD"): secret}))
    try:
        with pytest.raises(WarehouseRejected) as rejected:
            leaky.describe(read_only(f'SELECT "{secret}" FROM MP_DB.CRM.CUSTOMERS', "snowflake"))
    finally:
        leaky.close()
    assert rejected.value.message == 'Binder Error: Referenced column "***" not found in FROM clause!'


def test_a_closed_port_is_unreachable_without_the_password(snowflake_standin: SnowflakeStandin) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        endpoint = {env_name(snowflake_standin.connection_id, "ENDPOINT"): f"http://127.0.0.1:{port}"}
        with pytest.raises(WarehouseUnreachable) as unreachable:
            connect(settings(snowflake_standin, timeout=3, **endpoint))
    assert str(unreachable.value).startswith(f"cannot log in to Snowflake (http://127.0.0.1:{port}): Could not connect")
    assert PASSWORD not in str(unreachable.value)
    assert unreachable.value.__cause__ is None and unreachable.value.__suppress_context__


def test_a_host_that_never_answers_fails_within_the_timeout(snowflake_standin: SnowflakeStandin) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # accepts connections, never answers a request
        endpoint = {
            env_name(snowflake_standin.connection_id, "ENDPOINT"): f"http://127.0.0.1:{silent.getsockname()[1]}"
        }
        with pytest.raises(WarehouseUnreachable, match="Could not connect to Snowflake backend") as unreachable:
            connect(settings(snowflake_standin, timeout=3, **endpoint))
    assert PASSWORD not in str(unreachable.value)


def test_https_to_a_plain_http_server_is_unreachable(snowflake_standin: SnowflakeStandin) -> None:
    endpoint = {env_name(snowflake_standin.connection_id, "ENDPOINT"): f"https://127.0.0.1:{snowflake_standin.port}"}
    with pytest.raises(WarehouseUnreachable, match=r"Hit non-retryable SSL error") as unreachable:
        connect(settings(snowflake_standin, timeout=3, **endpoint))
    assert PASSWORD not in str(unreachable.value)


def test_a_missing_password_names_the_variable() -> None:
    config = {"account_identifier": "gd12345", "region": "us-central1.gcp", "user": "mparticle_user"}
    with pytest.raises(WarehouseUnreachable) as unreachable:
        connect(settings_for("snowflake-prod", "snowflake", config, 3, {"WSYNC_LINT_SNOWFLAKE_PROD_ENDPOINT": "x:1"}))
    assert str(unreachable.value) == "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set (or SNOWFLAKE_PASSWORD)"
    assert isinstance(unreachable.value, WarehouseNotTried)  # reported as not checked: nothing was tried


def _private_key(path, passphrase: bytes) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )


def test_key_pair_login_with_an_encrypted_key(snowflake_standin: SnowflakeStandin, tmp_path) -> None:
    """The driver decrypts the key and signs its login with it (fakesnow accepts the login unchecked);
    a wrong passphrase fails before any request, and the passphrase stays out of the message."""
    key_file = tmp_path / "rsa_key.p8"
    _private_key(key_file, b"key-Passphrase-1")
    identity = snowflake_standin.connection_id
    key_pair = {env_name(identity, "PRIVATE_KEY_FILE"): str(key_file)}
    good = settings(snowflake_standin, **key_pair, **{env_name(identity, "PRIVATE_KEY_PASSPHRASE"): "key-Passphrase-1"})
    assert "password" not in connect_arguments(good)
    opened = connect(good)
    try:
        assert opened.count(read_only("SELECT COUNT(*) AS N FROM MP_DB.CRM.CUSTOMERS", "snowflake")) == 4
    finally:
        opened.close()
    wrong = settings(
        snowflake_standin, **key_pair, **{env_name(identity, "PRIVATE_KEY_PASSPHRASE"): "not-the-Passphrase"}
    )
    with pytest.raises(WarehouseUnreachable) as unreachable:
        connect(wrong)
    assert str(unreachable.value).startswith(f"cannot log in to Snowflake ({snowflake_standin.endpoint}): ")
    assert "not-the-Passphrase" not in str(unreachable.value)


# -- pure parts ---------------------------------------------------------------------------------


def test_connect_arguments_from_config_and_environment() -> None:
    config = {"account_identifier": "gd12345", "region": "us-central1.gcp", "user": "mparticle_user",
              "role": "mparticle_role", "warehouse": "compute_wh", "database": "my_database"}  # fmt: skip
    environment = {"SNOWFLAKE_PASSWORD": "pw-from-standard-variable"}
    arguments = connect_arguments(settings_for("sf-prod", "snowflake", config, 2.5, environment))
    assert {k: v for k, v in arguments.items() if k != "session_parameters"} == {
        "account": "gd12345.us-central1.gcp",
        "user": "mparticle_user",
        "role": "mparticle_role",
        "warehouse": "compute_wh",
        "database": "my_database",
        "password": "pw-from-standard-variable",
        "login_timeout": 3,
        "network_timeout": 3,
        "socket_timeout": 3,
        "client_session_keep_alive": False,
    }
    overridden = {**environment, "WSYNC_LINT_SF_PROD_ACCOUNT": "myorg-myaccount",
                  "WSYNC_LINT_SF_PROD_ENDPOINT": "privatelink.internal:8443"}  # fmt: skip
    arguments = connect_arguments(settings_for("sf-prod", "snowflake", config, 30, overridden))
    assert (arguments["account"], arguments["host"], arguments["port"], arguments["protocol"]) == (
        "myorg-myaccount",
        "privatelink.internal",
        8443,
        "https",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Snowflake's own wording, as its connector reports it (errno prefix included).
        (
            "000904 (42000): SQL compilation error: error line 3 at position 7\ninvalid identifier 'NOPE'",
            ("SQL compilation error: invalid identifier 'NOPE'", 3, 8),
        ),
        (
            "002003 (42S02): SQL compilation error:\nObject 'MP_DB.CRM.NOPE' does not exist or not authorized.",
            ("SQL compilation error: Object 'MP_DB.CRM.NOPE' does not exist or not authorized.", None, None),
        ),
        (
            "001003 (42000): SQL compilation error:\nsyntax error line 2 at position 0 unexpected 'FORM'.",
            ("SQL compilation error: syntax error line 2 at position 0 unexpected 'FORM'.", 2, 1),
        ),
        (
            "250001 (08001): Failed to connect to DB: gd12345.snowflakecomputing.com:443. "
            "Incorrect username or password was specified.",
            (
                "Failed to connect to DB: gd12345.snowflakecomputing.com:443. "
                "Incorrect username or password was specified.",
                None,
                None,
            ),
        ),
    ],
)
def test_driver_message_keeps_the_warehouses_words(text: str, expected: tuple[str, int | None, int | None]) -> None:
    assert driver_message(Exception(text)) == expected


def test_driver_missing_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snowflake.connector", None)  # makes the import fail, as when not installed
    with pytest.raises(WarehouseUnreachable) as unreachable:
        connect(settings_for("sf", "snowflake", {"account_identifier": "gd12345"}, 3, {}))
    assert str(unreachable.value) == (
        "the Snowflake driver is not installed: install `snowflake-connector-python<5,>=4`, or pip install -e '.[snowflake]' in a clone of wsync-lint"
    )
    assert isinstance(unreachable.value, WarehouseNotTried)


def test_importing_the_connector_does_not_import_the_driver() -> None:
    code = "import sys, wsync_lint.live.snowflake; print('snowflake.connector' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"

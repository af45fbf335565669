"""The Snowflake connector of the live preflight, on snowflake-connector-python (``wsync-lint[snowflake]``).

Settings come from the connection payload's ``config`` (``account_identifier``, ``region``, ``user``,
``role``, ``warehouse``, ``database``); the account is ``<account_identifier>.<region>``. Secrets and
overrides come from the environment, ``<ID>`` being the connection id upper-cased with ``_`` for
other characters:

- ``WSYNC_LINT_<ID>_PASSWORD`` (else ``SNOWFLAKE_PASSWORD``): the user's password; or
- ``WSYNC_LINT_<ID>_PRIVATE_KEY_FILE`` (a PEM private key; it wins over a password) and
  ``WSYNC_LINT_<ID>_PRIVATE_KEY_PASSPHRASE`` when the key is encrypted: key-pair login;
- ``WSYNC_LINT_<ID>_ACCOUNT``: the account to log in to instead of the one the config gives;
- ``WSYNC_LINT_<ID>_ENDPOINT``: ``http(s)://host:port`` to reach instead of Snowflake's address;
- ``WSYNC_LINT_<ID>_SCHEMA``: a default schema for the session. mParticle sets none (Snowflake then
  uses the user's default namespace or PUBLIC); stand-ins whose default differs need it.

Models are compiled with ``cursor.describe`` (Snowflake's describe-only request: no rows read),
tables resolved through ``<database>.INFORMATION_SCHEMA.COLUMNS``, and grants read with
``SHOW GRANTS TO ROLE`` for the connection's role and the roles it inherits.

Snowflake has no read-only transaction or session mode. A single query cannot change a table
(its UDFs cannot run DML), but it can advance a sequence (``seq.NEXTVAL``) or call an external
function; what stops those is the model gate and a role that can only read. Each statement is bounded
on the server by ``STATEMENT_TIMEOUT_IN_SECONDS`` (the timeout, set at login), and by the driver,
which cancels it when the timeout runs out.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlglot import exp

from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import (
    LiveSettings,
    ScanEstimate,
    WarehouseNotTried,
    WarehouseRejected,
    WarehouseUnreachable,
    driver_missing,
    one_row,
)
from wsync_lint.live.snowflake_plan import NO_BYTE_FIGURE, SOURCE, clustering_line, plan_figures
from wsync_lint.live.statements import ReadOnlyQuery, read_only, sendable
from wsync_lint.mparticle.warehouses import SNOWFLAKE

DIALECT = "snowflake"
_TYPE_NAMES = {"FIXED": "NUMBER", "REAL": "FLOAT", "TEXT": "VARCHAR", "TIMESTAMP": "TIMESTAMP_NTZ"}
_FRACTIONAL_SECONDS = frozenset({"TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ"})
_TABLE_KINDS = {"TABLE", "VIEW", "MATERIALIZED_VIEW", "EXTERNAL_TABLE", "DYNAMIC_TABLE", "ICEBERG_TABLE"}
_ERROR_CODE = re.compile(r"^\d{6}(?: \([0-9A-Z]{5}\))?: ")
# Snowflake: "SQL compilation error: error line 3 at position 7\ninvalid identifier 'X'" (0-based position).
_POSITION = re.compile(r"line (\d+) at position (\d+)")
_POSITION_HEADER = re.compile(r"(?<!syntax )\berror line \d+ at position \d+")
_PLAIN_NAME = re.compile(r"[A-Z_][A-Z0-9_$]*\Z")
_MAX_ROLES = 25  # a deeper hierarchy is reported as unchecked rather than walked


def connect(settings: LiveSettings) -> SnowflakeSession:
    """Log in to Snowflake as the connection's user; :class:`WarehouseUnreachable` when that fails."""
    try:
        import snowflake.connector
    except ImportError:
        raise driver_missing("Snowflake", "snowflake") from None
    arguments = connect_arguments(settings)
    where = settings.endpoint.url if settings.endpoint else f"account {arguments['account']}"
    try:
        connection = snowflake.connector.connect(**arguments)
    except Exception as error:  # noqa: BLE001 - driver, network and key-file errors all mean "no session"
        detail = driver_message(error)[0] or type(error).__name__
        raise WarehouseUnreachable(settings.redact(f"cannot log in to Snowflake ({where}): {detail}")) from None
    return SnowflakeSession(connection, settings, snowflake.connector.errors.Error)


def connect_arguments(settings: LiveSettings) -> dict[str, Any]:
    """The keyword arguments of ``snowflake.connector.connect`` for these settings (secrets included)."""
    locator, region = settings.text("account_identifier"), settings.text("region")
    qualified = f"{locator}.{region}" if locator and region and "." not in locator else locator
    account = settings.setting("ACCOUNT") or qualified
    if not account:
        raise WarehouseNotTried("the Snowflake connection has no account_identifier in its config")
    user = settings.text("user")
    if not user:
        raise WarehouseNotTried("the Snowflake connection has no user in its config")
    seconds = max(1, math.ceil(settings.timeout))  # the driver takes whole seconds
    arguments: dict[str, Any] = {
        "account": account,
        "user": user,
        "login_timeout": seconds,
        "network_timeout": seconds,
        "socket_timeout": seconds,  # without it a host that accepts and never answers hangs for a minute
        "client_session_keep_alive": False,
        "session_parameters": {
            "QUERY_TAG": "wsync-lint preflight",
            "STATEMENT_TIMEOUT_IN_SECONDS": seconds,
            "CLIENT_TELEMETRY_ENABLED": False,
            "CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False,
        },
    }
    arguments.update({key: value for key in ("role", "warehouse", "database") if (value := settings.text(key))})
    if schema := settings.setting("SCHEMA"):
        arguments["schema"] = schema
    if key_file := settings.setting("PRIVATE_KEY_FILE"):
        arguments["private_key_file"] = key_file
        if passphrase := settings.setting("PRIVATE_KEY_PASSPHRASE"):
            arguments["private_key_file_pwd"] = passphrase
    else:
        arguments["password"] = settings.require("PASSWORD", "SNOWFLAKE_PASSWORD")
    if endpoint := settings.endpoint:
        default_port = 80 if endpoint.scheme == "http" else 443
        arguments.update(host=endpoint.host, port=endpoint.port or default_port, protocol=endpoint.scheme)
    return arguments


def driver_message(error: BaseException) -> tuple[str, int | None, int | None]:
    """The warehouse's own message of a driver error on one line, and its 1-based line and column.

    >>> driver_message(Exception("SQL compilation error: error line 3 at position 7\\ninvalid identifier 'X'"))
    ("SQL compilation error: invalid identifier 'X'", 3, 8)
    """
    text = str(getattr(error, "msg", None) or error)
    while _ERROR_CODE.match(text):
        text = _ERROR_CODE.sub("", text, count=1)
    position = _POSITION.search(text)
    lines = [" ".join(_POSITION_HEADER.sub("", line).split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    message = lines[0] if lines else ""
    if message.endswith(":") and len(lines) > 1:  # "SQL compilation error:" heads the actual reason
        message = f"{message} {lines[1]}"
    if position is None:
        return message, None, None
    return message, int(position.group(1)), int(position.group(2)) + 1


def snowflake_type(name: str, precision: int | None, scale: int | None) -> str:
    """A type as Snowflake's DDL spells it, from a result type code or an information_schema name.

    >>> snowflake_type("FIXED", 38, 0), snowflake_type("TEXT", None, None), snowflake_type("TIMESTAMP_NTZ", 0, 9)
    ('NUMBER(38,0)', 'VARCHAR', 'TIMESTAMP_NTZ')
    """
    spelled = _TYPE_NAMES.get(name.upper(), name.upper())
    if spelled == "NUMBER" and precision is not None:
        return f"NUMBER({precision},{scale or 0})"
    if spelled in _FRACTIONAL_SECONDS and scale is not None and scale != 9:  # 9 is the default
        return f"{spelled}({scale})"
    return spelled


def quoted_name(parts: Iterable[str]) -> str:
    """A dotted name with each part quoted only where Snowflake needs it."""
    return ".".join(part if _PLAIN_NAME.match(part) else '"' + part.replace('"', '""') + '"' for part in parts)


def split_name(text: str) -> tuple[str, ...]:
    """The parts of a dotted name as SHOW GRANTS prints it (``DB.S."Mixed"``), unquoted."""
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."]+)', text)
    return tuple(quoted.replace('""', '"') if quoted else plain for quoted, plain in parts)


def grant_gaps(
    rows: Iterable[Mapping[str, Any]], role: str, warehouse: str | None, tables: Sequence[tuple[str, LiveTable]]
) -> tuple[GrantGap, ...]:
    """What ``role`` lacks, given the rows of ``SHOW GRANTS TO ROLE`` for it and the roles it inherits:
    USAGE on the warehouse (WS-GRANT-SF-02), on each database and schema (03, 04), SELECT on each
    table (05). OWNERSHIP holds every privilege; IMPORTED PRIVILEGES on a shared database all of them
    for the objects in it."""
    held: set[tuple[str, str, tuple[str, ...]]] = set()
    for row in rows:
        kind = str(row.get("granted_on", "")).upper()
        kind = "TABLE" if kind in _TABLE_KINDS else kind
        held.add((str(row.get("privilege", "")).upper(), kind, split_name(str(row["name"]))))

    def has(privilege: str, kind: str, name: tuple[str, ...]) -> bool:
        imported = ("IMPORTED PRIVILEGES", "DATABASE", name[:1]) in held
        return imported or any((wanted, kind, name) in held for wanted in (privilege, "OWNERSHIP"))

    gaps: list[GrantGap] = []
    if warehouse and not has("USAGE", "WAREHOUSE", (warehouse,)):
        gaps.append(GrantGap("USAGE", "warehouse", quoted_name([warehouse]), role))
    for kind, size in (("database", 1), ("schema", 2)):
        for name in dict.fromkeys(table.name[:size] for _, table in tables if len(table.name) == 3):
            if not has("USAGE", kind.upper(), name):
                gaps.append(GrantGap("USAGE", kind, quoted_name(name), role))
    for reference, table in tables:
        if not has("SELECT", "TABLE", table.name):
            gaps.append(GrantGap("SELECT", "table", quoted_name(table.name), role, table=reference))
    return tuple(gaps)


Show = Callable[[str], list[dict[str, Any]]]
"""Runs one SHOW statement and returns its rows by column name; raises WarehouseRejected."""


def grants_check(role: str, warehouse: str | None, tables: Sequence[tuple[str, LiveTable]], show: Show) -> GrantCheck:
    """The gaps of ``role`` (a name from the connection's config), reading ``SHOW GRANTS TO ROLE``
    through ``show`` for it, each role granted to it (transitively) and PUBLIC, which every role
    inherits. A refused statement becomes a reason in ``unchecked``, never an error."""
    rows: list[dict[str, Any]] = []
    unchecked: list[str] = []
    pending, seen = [folded(role), "PUBLIC"], set()
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        if len(seen) == _MAX_ROLES:
            unchecked.append(f"roles beyond {_MAX_ROLES} in {role}'s hierarchy were not read (from {current} on)")
            break
        seen.add(current)
        statement = f"SHOW GRANTS TO ROLE {quoted_name([current])}"
        try:
            found = show(statement)
        except WarehouseRejected as rejected:
            unchecked.append(f"{statement} was refused: {rejected.message}")
            if current == folded(role):  # nothing known about the role itself: no gap can be claimed
                return GrantCheck(unchecked=tuple(unchecked))
            continue
        rows.extend(found)
        for row in found:
            kind = str(row.get("granted_on", "")).upper()
            if kind == "ROLE":
                pending.append(str(row["name"]))
            elif kind == "DATABASE_ROLE":
                unchecked.append(f"privileges through database role {row['name']} were not read")
    return GrantCheck(grant_gaps(rows, role, folded(warehouse) if warehouse else None, tables), tuple(unchecked))


def folded(name: str) -> str:
    """A name from the connection's config as Snowflake stores it (plain names are upper-cased)."""
    return name.upper() if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", name) else name


class SnowflakeSession:
    """An open Snowflake session (see :class:`wsync_lint.live.backend.Session`)."""

    def __init__(self, connection: Any, settings: LiveSettings, driver_error: type[Exception]) -> None:
        self._connection = connection
        self._settings = settings
        self._driver_error = driver_error
        self._seconds = max(1, math.ceil(settings.timeout))
        self._defaults: tuple[str | None, str | None] | None = None

    def _run(self, query: ReadOnlyQuery, use: Callable[[Any], Any]) -> Any:
        """The only way a statement reaches Snowflake: checked read-only, errors translated."""
        sendable(query, DIALECT)
        cursor = self._connection.cursor()
        try:
            return use(cursor)
        except self._driver_error as error:
            message, line, column = driver_message(error)
            message = self._settings.redact(message)
            errno, state = getattr(error, "errno", None) or 0, str(getattr(error, "sqlstate", None) or "")
            if 250000 <= errno < 260000 or state.startswith("08"):  # the driver's own network and login errors
                raise WarehouseUnreachable(f"lost the Snowflake session: {message}") from None
            raise WarehouseRejected(message, line, column) from None
        finally:
            with contextlib.suppress(Exception):  # closing a cursor cannot change the outcome
                cursor.close()

    def _results(self, query: ReadOnlyQuery) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The names of ``query``'s result columns, and its rows in select-list order."""

        def fetch(cursor: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
            cursor.execute(query.sql, timeout=self._seconds)
            return [column[0] for column in cursor.description or ()], [tuple(row) for row in cursor.fetchall()]

        return self._run(query, fetch)

    def _rows(self, query: ReadOnlyQuery) -> list[dict[str, Any]]:
        names, rows = self._results(query)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def describe(self, query: ReadOnlyQuery) -> list[ResultColumn]:
        """The result columns of ``query``, compiled by Snowflake without running it."""
        described = self._run(query, lambda cursor: cursor.describe(query.sql, timeout=self._seconds)) or []
        return [ResultColumn(c.name, snowflake_type(_type_name(c.type_code), c.precision, c.scale)) for c in described]

    def count(self, query: ReadOnlyQuery) -> int:
        """The single number a ``SELECT COUNT(*)`` returns."""
        return int(next(iter(self._rows(query)[0].values())))

    def aggregate(self, query: ReadOnlyQuery) -> tuple[Any, ...]:
        """The one row of a query of aggregates, its values in select-list order as the driver gives them."""
        return one_row(self._results(query)[1])

    def scan(self, query: ReadOnlyQuery, tables: Sequence[LiveTable]) -> ScanEstimate:
        """What ``EXPLAIN USING JSON`` says ``query`` would scan (compiled, not run), and each
        table's clustering key (:mod:`wsync_lint.live.snowflake_plan`)."""
        explain = read_only(f"EXPLAIN USING JSON {sendable(query, DIALECT).sql}", DIALECT)
        figures = plan_figures(self._results(explain)[1])
        keys = tuple(line for table in tables if (line := self._clustering(table)) is not None)
        if figures is None:
            return ScanEstimate(None, SOURCE, unavailable=NO_BYTE_FIGURE, pruning_keys=keys)
        return ScanEstimate(figures.bytes_assigned, figures.source, pruning_keys=keys)

    def _clustering(self, table: LiveTable) -> str | None:
        """The clustering line of a table this session resolved, from ``SHOW TABLES``; None for a
        table without a key, or when SHOW TABLES is refused (the byte figure stands without it)."""
        if len(table.name) != 3:
            return None
        database, schema, name = table.name
        sql = f"SHOW TABLES LIKE {exp.Literal.string(name).sql(DIALECT)} IN SCHEMA {quoted_name([database, schema])}"
        try:
            rows = self._rows(read_only(sql, DIALECT))
        except WarehouseRejected:
            return None
        # LIKE is a pattern matched in any case: the row of this very table is the one with its exact name.
        found = next((row for row in rows if row.get("name") == name), None)
        return clustering_line(quoted_name(table.name), found.get("cluster_by")) if found else None

    def table(self, reference: str, parts: Sequence[str]) -> LiveTable | None:
        """The table as this session resolves ``reference``: unquoted parts upper-cased, missing
        parts from CURRENT_DATABASE() and CURRENT_SCHEMA()."""
        try:
            written = [(p.name, bool(p.quoted)) for p in exp.to_table(reference, dialect=DIALECT).parts]
        except Exception:  # noqa: BLE001 - a reference sqlglot cannot read: use the parts as written
            written = [(part, False) for part in parts]
        names = [SNOWFLAKE.returned_name(name, quoted) for name, quoted in written]
        if not 1 <= len(names) <= 3:
            return None
        if self._defaults is None:
            row = self._rows(read_only("SELECT CURRENT_DATABASE() AS D, CURRENT_SCHEMA() AS S", DIALECT))[0]
            self._defaults = (row["D"], row["S"])
        full = [*(default for default in self._defaults[: 3 - len(names)]), *names]
        if any(part is None for part in full):
            return None
        database, schema, name = full
        sql = (
            f"SELECT * FROM {quoted_name([database])}.INFORMATION_SCHEMA.COLUMNS "
            f"WHERE TABLE_SCHEMA = {exp.Literal.string(schema).sql(DIALECT)} "
            f"AND TABLE_NAME = {exp.Literal.string(name).sql(DIALECT)} ORDER BY ORDINAL_POSITION"
        )
        try:
            rows = self._rows(read_only(sql, DIALECT))
        except WarehouseRejected as rejected:
            if "does not exist" in rejected.message:  # the database is missing or not visible to this role
                return None
            raise
        if not rows:
            return None
        columns = tuple(ResultColumn(row["COLUMN_NAME"], _column_type(row)) for row in rows)
        return LiveTable((rows[0]["TABLE_CATALOG"], rows[0]["TABLE_SCHEMA"], rows[0]["TABLE_NAME"]), columns)

    def check_grants(self, tables: Sequence[tuple[str, LiveTable]]) -> GrantCheck:
        """What the connection's role lacks (WS-GRANT-SF-02..05): see :func:`grants_check`."""
        role = self._settings.text("role")
        if role is None:
            return GrantCheck(unchecked=("the connection's config names no role: grants not checked",))
        return grants_check(role, self._settings.text("warehouse"), tables, self._show)

    def _show(self, sql: str) -> list[dict[str, Any]]:
        return self._rows(read_only(sql, DIALECT))

    def close(self) -> None:
        """Close the connection; never raises."""
        with contextlib.suppress(Exception):  # a failed close leaves nothing to undo
            self._connection.close()


def _type_name(type_code: int) -> str:
    from snowflake.connector.constants import FIELD_ID_TO_NAME

    return FIELD_ID_TO_NAME.get(type_code) or f"TYPE_{type_code}"


def _column_type(row: Mapping[str, Any]) -> str:
    data_type = str(row["DATA_TYPE"])
    if data_type.upper() in ("NUMBER", "FIXED"):
        return snowflake_type(data_type, row.get("NUMERIC_PRECISION"), row.get("NUMERIC_SCALE"))
    return snowflake_type(data_type, None, row.get("DATETIME_PRECISION"))  # fakesnow has no DATETIME_PRECISION

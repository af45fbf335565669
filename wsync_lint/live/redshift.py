"""The Redshift connector of the live preflight: ``redshift-connector``, every statement in a read-only transaction.

Where the settings come from:

- the connection payload's ``config``: ``host``, ``port`` (a string such as ``"5439"``; 5439 when
  absent), ``database`` and ``user`` (mParticle's user: the preflight checks what *it* may do);
- ``WSYNC_LINT_<ID>_PASSWORD``, else ``REDSHIFT_PASSWORD``: that user's password (required);
- ``WSYNC_LINT_<ID>_ENDPOINT`` (``host:port``): connect there instead of ``host``/``port``, e.g.
  through an SSH tunnel or to a local stand-in;
- ``WSYNC_LINT_<ID>_SSL=0``: no TLS (on by default, verified against the Redshift CA bundle the
  driver ships); only for a tunnel or a loopback stand-in.

``<ID>`` is the connection id upper-cased, other characters as ``_``. The timeout bounds the login
and every answer (the driver's socket timeout) and, on the server, every statement
(``statement_timeout``).

Every :class:`~wsync_lint.live.statements.ReadOnlyQuery` runs alone in a read-only transaction
(Redshift documents ``BEGIN ... READ ONLY``; PostgreSQL has the same), which is then rolled back:
``BEGIN READ ONLY``, ``SET LOCAL statement_timeout``, the query, ``ROLLBACK``. The server itself then
refuses what the statement check cannot see, such as a function that writes, ``nextval`` or
``SELECT ... FOR UPDATE``, also when planning evaluates a function wrongly marked ``IMMUTABLE``; and
whatever a statement did in its transaction is undone. It does not stop what no transaction covers
(``pg_terminate_backend``, ``pg_sleep``, a call out of the database): the model gate and a role that
can only read do. The session runs in autocommit, so the driver adds no ``BEGIN`` of its own: these
four are the only statements it sends.

Names are resolved from the catalog (``pg_class``, ``pg_namespace``, ``pg_attribute``) rather than
``information_schema``, which hides the tables the user may not read: the grants check has to
see them to say which privilege is missing. A bare name is looked up in the session's
``search_path``, as the warehouse does. Tables of another database (cross-database queries) and
Redshift Spectrum tables are not in the catalog and are reported missing.

``--sample`` runs its one-row query of aggregates like every other statement (:meth:`RedshiftSession.aggregate`).
``--cost`` gets no byte figure: Redshift's EXPLAIN gives, per step, a relative cost, the rows it
returns and their average width in bytes, not the bytes it reads from disk ("Creating and
interpreting a query plan", https://docs.aws.amazon.com/redshift/latest/dg/c-the-query-plan.html),
so :meth:`RedshiftSession.scan` sends nothing and says so. It names no sort or distribution key either:
they are in ``svv_table_info``, which the PostgreSQL stand-in has no equivalent of to test a reading on.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Sequence
from typing import Any

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
from wsync_lint.live.statements import NotReadOnly, ReadOnlyQuery, read_only, sendable

DIALECT = "redshift"
DEFAULT_PORT = 5439
APPLICATION_NAME = "wsync-lint"
SCAN_SOURCE = "Redshift EXPLAIN"
SCAN_UNAVAILABLE = (
    "Redshift's EXPLAIN estimates the rows each step returns and their average width, not the bytes it reads from disk"
)
# SQLSTATEs that mean "no such table" while looking one up.
_NOT_FOUND = frozenset({"42P01", "3F000"})
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_TRAILING = re.compile(r"[\s;]+\Z")
# The transaction every statement runs in (see the module docstring). Fixed texts: no user input.
_BEGIN_READ_ONLY = "BEGIN READ ONLY"
_ROLLBACK = "ROLLBACK"
# The server cancels a statement this much before --timeout, so that its refusal arrives before the
# driver stops waiting and the session stays usable for the next statement.
_SERVER_MARGIN_SECONDS = 0.25
_MAX_STATEMENT_TIMEOUT_MS = 2_147_483_647  # the largest statement_timeout the server takes
_IAM_ROLE_UNCHECKED = (
    "the IAM role of `aws_iam_role_arn` (WS-GRANT-RS-04) lives in AWS: SQL cannot see whether it is "
    "associated with the cluster or namespace"
)
_COLUMNS_SQL = """SELECT current_database(), n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND c.relname = %s AND {where}
ORDER BY a.attnum"""
_GRANTS_SQL = """SELECT current_user, n.nspname, c.relname,
has_schema_privilege(current_user, n.nspname, 'USAGE'), has_table_privilege(current_user, c.oid, 'SELECT')
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE {where}"""


def connect(settings: LiveSettings) -> RedshiftSession:
    """Open a session as the connection's user. Raises WarehouseUnreachable."""
    try:
        import redshift_connector
    except ImportError:
        raise driver_missing("Redshift", "redshift") from None
    host, port = _address(settings)
    database = _config(settings, "database")
    user = _config(settings, "user")
    password = settings.require("PASSWORD", "REDSHIFT_PASSWORD")
    where = f"Redshift at {host}:{port}"
    try:
        connection = redshift_connector.connect(
            host=host,
            port=port,
            database=database,
            user=user,
            password=password,
            ssl=(settings.setting("SSL") or "1").lower() not in {"0", "false", "no", "off"},
            timeout=settings.timeout,
            application_name=APPLICATION_NAME,
        )
        connection.autocommit = True  # no transaction: the driver would otherwise send BEGIN first
    except Exception as error:  # noqa: BLE001 - any failure to log in means: no session
        raise WarehouseUnreachable(settings.redact(f"{where}: {_reason(error, settings.timeout)}")) from None
    return RedshiftSession(connection, settings, where)


def _config(settings: LiveSettings, key: str) -> str:
    value = settings.text(key)
    if value is None:
        raise WarehouseNotTried(f"the connection's config has no `{key}`: Redshift needs it to connect")
    return value


def _address(settings: LiveSettings) -> tuple[str, int]:
    endpoint = settings.endpoint
    host = endpoint.host if endpoint is not None else _config(settings, "host")
    if endpoint is not None and endpoint.port is not None:
        return host, endpoint.port
    port = settings.text("port")
    if port is None:
        return host, DEFAULT_PORT
    if not port.strip().isdigit():
        raise WarehouseNotTried(f"the connection's `port` is not a number: {port!r}")
    return host, int(port)


def _reason(error: BaseException, timeout: float) -> str:
    """One line from a driver error: the server's message, or what the network said."""
    fields = _server_fields(error)
    if fields is not None:
        return fields.get("M", "refused").splitlines()[0].strip()
    for cause in (*getattr(error, "args", ()), error.__cause__, error):
        if isinstance(cause, TimeoutError):
            return f"no answer within {timeout:g} s"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    text = str(error.args[0] if error.args else error) or type(error).__name__
    return "no answer within the timeout" if "time out" in text else text.splitlines()[0].strip()


def _server_fields(error: BaseException) -> dict[str, str] | None:
    """The fields of a PostgreSQL ErrorResponse (``M`` message, ``C`` SQLSTATE, ``P`` position)."""
    first = error.args[0] if getattr(error, "args", None) else None
    return first if isinstance(first, dict) and "M" in first else None


def _quoted(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) else '"' + name.replace('"', '""') + '"'


class RedshiftSession:
    """An open autocommit session (the ``Session`` protocol of :mod:`wsync_lint.live.backend`)."""

    def __init__(self, connection: Any, settings: LiveSettings, where: str) -> None:
        self._connection = connection
        self._settings = settings
        self._where = where
        self._type_names: dict[tuple[int, int], str] = {}
        self._folds_quoted: bool | None = None

    def _run(
        self, query: ReadOnlyQuery, parameters: Sequence[Any] = ()
    ) -> tuple[list[dict[str, Any]], list[list[Any]]]:
        """Send one checked statement, in a read-only transaction that is rolled back: the only way
        anything reaches the warehouse. Its row description and rows."""
        sendable(query, DIALECT)
        cursor = self._connection.cursor()
        try:
            cursor.execute(_BEGIN_READ_ONLY)
            cursor.execute(f"SET LOCAL statement_timeout = {statement_timeout_ms(self._settings.timeout)}")
            cursor.execute(query.sql, tuple(parameters) or None)
            fields = _row_description(cursor) if cursor.description else []
            rows = [list(row) for row in cursor.fetchall()] if cursor.description else []
        except Exception as error:  # noqa: BLE001 - every driver error becomes one of the contract's two
            server = _server_fields(error)
            if server is None or server.get("S") == "FATAL":
                raise self._unreachable(error) from None
            self._roll_back(cursor)  # the server answered: its transaction is open (and failed)
            message = self._settings.redact(server["M"].splitlines()[0].strip())
            line, column = _line_column(query.sql, server.get("P"))
            raise _Rejected(message, line, column, server.get("C")) from None
        self._roll_back(cursor)
        return fields, rows

    def _roll_back(self, cursor: Any) -> None:
        """End the statement's transaction, keeping nothing it did."""
        try:
            cursor.execute(_ROLLBACK)
        except Exception as error:  # noqa: BLE001 - a session that cannot roll back is no longer usable
            raise self._unreachable(error) from None

    def _unreachable(self, error: BaseException) -> WarehouseUnreachable:
        return WarehouseUnreachable(self._settings.redact(f"{self._where}: {_reason(error, self._settings.timeout)}"))

    def describe(self, query: ReadOnlyQuery) -> list[ResultColumn]:
        """The result columns of ``query``, run inside ``SELECT * FROM (...) LIMIT 0`` so no row is read."""
        sendable(query, DIALECT)
        body = _TRAILING.sub("", query.sql)
        try:
            fields, _ = self._run(read_only(f"SELECT * FROM (\n{body}\n) AS wsync_lint_probe LIMIT 0", DIALECT))
        except NotReadOnly as error:  # what follows a final `;` (a comment) cannot be wrapped
            raise WarehouseRejected(f"not sent: {error}") from None
        except _Rejected as error:
            # Positions are the probe's: give them in ``query``, or none when in our wrapping.
            line = error.line - 1 if error.line is not None and error.line > 1 else None
            inside = line is not None and line <= query.sql.count("\n") + 1
            raise WarehouseRejected(error.message, *((line, error.column) if inside else (None, None))) from None
        columns = [(field["label"], field["type_oid"], field["type_modifier"]) for field in fields]
        names = self._type_spellings([(oid, modifier) for _, oid, modifier in columns])
        return [ResultColumn(label, names[(oid, modifier)]) for label, oid, modifier in columns]

    def _type_spellings(self, types: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Type names as the warehouse writes them (``character varying(256)``), from its ``format_type``."""
        missing = sorted({key for key in types if key not in self._type_names})
        if missing:
            # The numbers come from the server's row description, not from any user text.
            calls = ", ".join(f"format_type({int(oid)}, {int(modifier)})" for oid, modifier in missing)
            _, rows = self._run(read_only(f"SELECT {calls}", DIALECT))
            self._type_names.update(zip(missing, rows[0], strict=True))
        return self._type_names

    def count(self, query: ReadOnlyQuery) -> int:
        """Run a ``SELECT COUNT(*)`` and return the count."""
        _, rows = self._run(query)
        return int(rows[0][0])

    def aggregate(self, query: ReadOnlyQuery) -> tuple[Any, ...]:
        """Run a one-row query of aggregates; its values in select-list order, as the driver gives them."""
        return one_row(self._run(query)[1])

    def scan(self, query: ReadOnlyQuery, tables: Sequence[LiveTable]) -> ScanEstimate:
        """No byte figure, and nothing sent: Redshift's EXPLAIN has none (see the module docstring)."""
        sendable(query, DIALECT)
        return ScanEstimate(None, SCAN_SOURCE, unavailable=SCAN_UNAVAILABLE)

    def table(self, reference: str, parts: Sequence[str]) -> LiveTable | None:
        """The table ``reference`` names, from the catalog: (database, schema, table) as stored."""
        names = self._folded(reference, parts)
        if names is None:
            return None
        *qualifiers, table = names
        where, parameters = "pg_table_is_visible(c.oid)", [table]  # a bare name: the search_path decides
        if qualifiers:
            where = "n.nspname = %s" + (" AND current_database() = %s" if len(qualifiers) == 2 else "")
            parameters += [qualifiers[-1], *qualifiers[:-1]]
        try:
            _, rows = self._run(read_only(_COLUMNS_SQL.format(where=where), DIALECT), parameters)
        except _Rejected as error:
            if error.sqlstate in _NOT_FOUND:
                return None
            raise
        if not rows:
            return None
        name = tuple(rows[0][:3])
        columns = tuple(ResultColumn(row[3], row[4]) for row in rows if row[3] is not None)
        if not columns:
            # A late-binding view keeps no columns in the catalog: compile it to see them.
            sql = ".".join(_quoted(part) for part in name[1:])
            columns = tuple(self.describe(read_only(f"SELECT * FROM {sql}", DIALECT)))
        return LiveTable(name, columns)

    def _folded(self, reference: str, parts: Sequence[str]) -> list[str] | None:
        """The name's parts as the catalog stores them: unquoted ones lower-cased, quoted ones as
        written unless the warehouse folds those too (Redshift's default)."""
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        try:
            written = [
                (p.name, bool(p.quoted)) for p in sqlglot.parse_one(reference, into=exp.Table, read=DIALECT).parts
            ]
        except SqlglotError:
            written = [(part, False) for part in parts]
        if not 1 <= len(written) <= 3:
            return None
        if any(quoted for _, quoted in written) and self._folds_quoted is None:
            self._folds_quoted = self._quoted_names_folded()
        return [name if quoted and not self._folds_quoted else name.lower() for name, quoted in written]

    def _quoted_names_folded(self) -> bool:
        """Redshift folds quoted names unless ``enable_case_sensitive_identifier`` is on; PostgreSQL
        (which has no such setting) never does."""
        try:
            _, rows = self._run(read_only("SHOW enable_case_sensitive_identifier", DIALECT))
        except _Rejected:
            return False
        return bool(rows) and str(rows[0][0]).lower() in {"off", "false"}

    def check_grants(self, tables: Sequence[tuple[str, LiveTable]]) -> GrantCheck:
        """USAGE on each schema and SELECT on each table (WS-GRANT-RS-02/03), asked of the warehouse
        with ``has_schema_privilege`` and ``has_table_privilege`` for the session's user."""
        unchecked = [_IAM_ROLE_UNCHECKED]
        wanted: dict[tuple[str, str], str] = {}
        for reference, table in tables:
            wanted.setdefault((table.name[-2], table.name[-1]), reference)
        if not wanted:
            return GrantCheck((), tuple(unchecked))
        where = " OR ".join(["(n.nspname = %s AND c.relname = %s)"] * len(wanted))
        try:
            _, rows = self._run(read_only(_GRANTS_SQL.format(where=where), DIALECT), [p for k in wanted for p in k])
        except WarehouseRejected as error:
            return GrantCheck((), (*unchecked, f"the privileges could not be read: {error.message}"))
        gaps: list[GrantGap] = []
        schemas_lacking: dict[str, GrantGap] = {}
        found = set()
        for user, schema, table, schema_usage, table_select in rows:
            found.add((schema, table))
            if not schema_usage:
                schemas_lacking.setdefault(schema, GrantGap("USAGE", "schema", _quoted(schema), user))
            if not table_select:
                name = f"{_quoted(schema)}.{_quoted(table)}"
                gaps.append(GrantGap("SELECT", "table", name, user, table=wanted[(schema, table)]))
        unchecked += [f"{reference}: no longer in the catalog" for key, reference in wanted.items() if key not in found]
        gaps.sort(key=lambda gap: gap.object_name)
        return GrantCheck((*sorted(schemas_lacking.values(), key=lambda gap: gap.object_name), *gaps), tuple(unchecked))

    def close(self) -> None:
        """Close the connection; never raises."""
        with contextlib.suppress(Exception):  # closing must never fail the run
            self._connection.close()


class _Rejected(WarehouseRejected):
    """A refusal that also carries the SQLSTATE (to tell "no such table" apart)."""

    def __init__(self, message: str, line: int | None, column: int | None, sqlstate: str | None) -> None:
        super().__init__(message, line, column)
        self.sqlstate = sqlstate


def _row_description(cursor: Any) -> list[dict[str, Any]]:
    """The driver's row description with each column's type modifier (``varchar(256)`` is 260);
    the DB-API ``description`` drops it. Falls back to ``description`` without modifiers."""
    fields = (getattr(cursor, "ps", None) or {}).get("row_desc")
    if fields and all({"label", "type_oid", "type_modifier"} <= field.keys() for field in fields):
        return [{**field, "label": field["label"].decode("utf-8", "replace")} for field in fields]
    return [{"label": d[0], "type_oid": d[1], "type_modifier": -1} for d in cursor.description or ()]


def statement_timeout_ms(timeout: float) -> int:
    """The server's ``statement_timeout`` for ``timeout`` seconds: a little earlier (``_SERVER_MARGIN_SECONDS``,
    at most a tenth of it), at least 1 ms, at most what the server takes.

    >>> statement_timeout_ms(30), statement_timeout_ms(1), statement_timeout_ms(float("inf"))
    (29750, 900, 2147483647)
    """
    seconds = timeout - min(_SERVER_MARGIN_SECONDS, timeout / 10)
    if not seconds * 1000 < _MAX_STATEMENT_TIMEOUT_MS:  # also NaN and infinity
        return _MAX_STATEMENT_TIMEOUT_MS
    return max(1, math.floor(seconds * 1000))


def _line_column(sql: str, position: str | None) -> tuple[int | None, int | None]:
    """A 1-based character position of an error (PostgreSQL's ``P`` field) as line and column."""
    if position is None or not position.isdigit() or not 0 < int(position) <= len(sql) + 1:
        return None, None
    offset = int(position) - 1
    line_start = sql.rfind("\n", 0, offset) + 1
    return sql.count("\n", 0, offset) + 1, offset - line_start + 1

"""The Databricks connector of the live preflight, on databricks-sql-connector (``wsync-lint[databricks]``).

It opens a session on a Databricks SQL warehouse (Thrift over HTTPS, the driver's default backend) with
an access token. The connection payload's ``config`` has mParticle's ``provider`` and ``schema``; the
schema becomes the session's default schema. Everything else comes from the environment, ``<ID>``
being the connection id upper-cased with ``_`` for other characters:

- ``WSYNC_LINT_<ID>_HOST`` (else ``DATABRICKS_SERVER_HOSTNAME``, ``DATABRICKS_HOST``): the workspace
  host name (``adb-123.4.azuredatabricks.net``; a leading ``https://`` is dropped);
- ``WSYNC_LINT_<ID>_HTTP_PATH`` (else ``DATABRICKS_HTTP_PATH``): the warehouse's HTTP path
  (``/sql/1.0/warehouses/<id>``);
- ``WSYNC_LINT_<ID>_TOKEN`` (else ``DATABRICKS_TOKEN``): the access token;
- ``WSYNC_LINT_<ID>_CATALOG``: the session's catalog (else the workspace's default catalog);
- ``WSYNC_LINT_<ID>_SHARE``: the Delta Sharing share mParticle reads (``mparticle_<org>_<account>``),
  for the grants check;
- ``WSYNC_LINT_<ID>_ENDPOINT``: ``http(s)://host:port`` to reach instead of the workspace (tests, proxies).

Queries are compiled with ``DESCRIBE QUERY`` (Databricks analyses the query, runs nothing, and names
each column's type as DDL does: ``timestamp_ntz``, ``decimal(18,4)``, ``array<string>``; a result's
Thrift metadata would say only ``timestamp`` and ``array``). Tables are resolved with ``DESCRIBE TABLE
EXTENDED``. mParticle reads Databricks through Delta Sharing (WS-GRANT-DBX-*), so the grants check
lists the share with ``SHOW ALL IN SHARE`` and its recipients with ``SHOW GRANTS ON SHARE``.

``--sample`` runs its one-row query of aggregates as it is (:meth:`DatabricksSession.aggregate`). ``--cost``
sends ``EXPLAIN COST <query>`` and sums the size statistics of the tables its optimized plan reads, and asks
``DESCRIBE DETAIL`` how each table is partitioned or clustered (:mod:`wsync_lint.live.databricks_plan`).

Databricks has no read-only session or transaction mode. A single query cannot change a table, but
it can call a user-defined function, which may reach out of the warehouse; what stops that is the model
gate and a principal that can only read. Each statement is bounded on the warehouse by
``STATEMENT_TIMEOUT`` (the timeout, set for the session).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
from collections.abc import Sequence
from typing import Any

from wsync_lint.commands.grants_statements import DATABRICKS_RECIPIENT as RECIPIENT
from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import (
    LiveSettings,
    ScanEstimate,
    WarehouseRejected,
    WarehouseUnreachable,
    driver_missing,
    env_name,
    one_row,
)
from wsync_lint.live.databricks_plan import plan_text, planning_error, pruning_line, scanned_bytes
from wsync_lint.live.statements import NotReadOnly, ReadOnlyQuery, read_only, sendable

DIALECT = "databricks"
# Spark: "...; line 3 pos 14" (analysis) or "(line 1, pos 0)" (parser); the position is 0-based.
_POSITION = re.compile(r"\bline (\d+),? pos (\d+)")
_ERROR_CLASS = re.compile(r"\[([A-Z_]+)(?:\.[A-Z_]+)?\]")
_NOT_VISIBLE = frozenset(
    {"TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "CATALOG_NOT_FOUND", "NO_SUCH_CATALOG_EXCEPTION"}
)
_SHARED_TABLES = frozenset({"TABLE", "VIEW", "MATERIALIZED_VIEW", "STREAMING_TABLE"})
_MPARTICLE_RECIPIENT = re.compile(r"mparticle_(us1|us2|eu1|au1)", re.IGNORECASE)
_DESCRIBE = "DESCRIBE "  # DESCRIBE [QUERY] <query>: sqlglot (the read-only guard) parses it without QUERY
_EXPLAIN_COST = "EXPLAIN COST "
SCAN_SOURCE = "Databricks EXPLAIN COST"


def connect(settings: LiveSettings) -> DatabricksSession:
    """Open a session on the connection's SQL warehouse; :class:`WarehouseUnreachable` when that fails."""
    driver_log = logging.getLogger("databricks.sql")
    if driver_log.level == logging.NOTSET:
        # Unless the user set its level, the driver's own warnings (pyarrow missing, each failed HTTP attempt)
        # would reach stderr through logging's last-resort handler; its failures are reported here, in one line.
        driver_log.setLevel(logging.CRITICAL)
    try:
        from databricks import sql
        from databricks.sql import exc
    except ImportError:
        raise driver_missing("Databricks", "databricks") from None
    arguments = connect_arguments(settings)
    where = settings.endpoint.url if settings.endpoint else arguments["server_hostname"]
    try:
        connection = sql.connect(**arguments)
    except Exception as error:  # noqa: BLE001 - HTTP, Thrift, TLS and URI errors alike mean "no session"
        raise WarehouseUnreachable(
            settings.redact(f"cannot open a Databricks session ({where}): {login_failure(error)}")
        ) from None
    return DatabricksSession(connection, settings, exc)


def connect_arguments(settings: LiveSettings) -> dict[str, Any]:
    """The keyword arguments of ``databricks.sql.connect`` for these settings (the token included)."""
    endpoint = settings.endpoint
    host_variables = ("HOST", "DATABRICKS_SERVER_HOSTNAME", "DATABRICKS_HOST")
    if host := settings.setting(*host_variables):
        host = re.sub(r"^https?://", "", host).rstrip("/")  # DATABRICKS_HOST is often a URL
    else:
        host = endpoint.host if endpoint else settings.require(*host_variables)
    http_path = settings.require("HTTP_PATH", "DATABRICKS_HTTP_PATH")
    seconds = max(1, math.ceil(settings.timeout))
    arguments: dict[str, Any] = {
        "server_hostname": host,
        "http_path": http_path,
        "access_token": settings.require("TOKEN", "DATABRICKS_TOKEN"),
        "user_agent_entry": "wsync-lint",
        "enable_telemetry": False,
        # The driver retries for up to 900 s by default (a bad token too, in some versions): one attempt,
        # bounded by the timeout, so a dead host or a refused login fails within it.
        "_retry_stop_after_attempts_count": 1,
        "_retry_delay_min": 0.1,  # its minimum back-off (1 s) delays even a single attempt's failure
        "_retry_stop_after_attempts_duration": seconds,
        "_socket_timeout": seconds,
        # Bounds each statement on the warehouse side, where polling alone would wait for it.
        "session_configuration": {"STATEMENT_TIMEOUT": str(seconds)},
    }
    if catalog := settings.setting("CATALOG"):
        arguments["catalog"] = catalog
    if schema := settings.text("schema"):
        arguments["schema"] = schema
    if endpoint is not None:
        # `_connection_uri` is the driver's private override of the https://<host><http_path> it builds
        # (the only way to reach plain http on loopback). Tested with 4.9; the `databricks` extra allows <5 only.
        arguments["_connection_uri"] = f"{endpoint.url}/{http_path.lstrip('/')}"
    return arguments


def login_failure(error: BaseException) -> str:
    """Why the driver could not open a session, on one line (HTTP status and the server's reason)."""
    context = getattr(error, "context", None) or {}
    reason = str(context.get("error-message") or getattr(error, "message", None) or error or type(error).__name__)
    reason = " ".join(reason.strip(" :").split()) or type(error).__name__
    # urllib3 wraps the cause in "HTTPConnectionPool(...): Max retries exceeded ... (Caused by ...)": keep the cause.
    if cause := re.search(r"\[Errno -?\d+\][^\"')]*|Read timed out\.", reason):
        reason = cause.group(0).strip()
    if waited := re.search(r"max retry duration of ([\d.]+) seconds", reason):  # how the driver says "timed out"
        reason = f"no answer within {waited.group(1)} s"
    return f"HTTP {context['http-code']}: {reason}" if context.get("http-code") else reason


def warehouse_message(error: BaseException) -> tuple[str, int | None, int | None]:
    """The warehouse's own message of a refused statement (its first line) and its 1-based line and column.

    >>> warehouse_message(Exception("[UNRESOLVED_COLUMN.WITH_SUGGESTION] ... `x` cannot be resolved. "
    ...     "SQLSTATE: 42703; line 3 pos 7;\\n'Project ['x]"))
    ('[UNRESOLVED_COLUMN.WITH_SUGGESTION] ... `x` cannot be resolved. SQLSTATE: 42703; line 3 pos 7', 3, 8)
    >>> warehouse_message(Exception("[PARSE_SYNTAX_ERROR] Syntax error at or near 'FORM'. SQLSTATE: 42601 "
    ...     "(line 1, pos 9)\\n\\n== SQL ==\\nSELECT 1 FORM t"))
    ("[PARSE_SYNTAX_ERROR] Syntax error at or near 'FORM'. SQLSTATE: 42601 (line 1, pos 9)", 1, 10)
    """
    text = str(getattr(error, "message", None) or error).strip()
    first = " ".join(text.splitlines()[0].split()).rstrip(";") if text else type(error).__name__
    position = _POSITION.search(text)
    if position is None:
        return first, None, None
    return first, int(position.group(1)), int(position.group(2)) + 1


def quoted(parts: Sequence[str]) -> str:
    """A dotted name with every part in backticks (Databricks names stay case-insensitive quoted)."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def table_from_description(rows: Sequence[Sequence[Any]], parts: Sequence[str]) -> LiveTable:
    """A table from ``DESCRIBE TABLE EXTENDED`` rows: its columns, then ``# Detailed Table Information``
    (``Catalog``, ``Database``, ``Table``: the full name as stored)."""
    columns: list[ResultColumn] = []
    details: dict[str, str] = {}
    section = "columns"
    for name, data_type, *_ in rows:
        name = str(name or "")
        if name == "# Detailed Table Information":
            section = "details"
        elif section == "columns" and name and not name.startswith("#"):
            columns.append(ResultColumn(name, str(data_type)))
        elif section == "columns" or name.startswith("#"):  # a blank row or "# Partition Information" ends it
            section = "other"
        elif section == "details" and name:
            details[name] = str(data_type or "")
    stored = tuple(details.get(key, "") for key in ("Catalog", "Database", "Table"))
    return LiveTable(stored if all(stored) else tuple(parts), tuple(columns))


def share_gaps(rows: Sequence[Sequence[Any]], share: str, tables: Sequence[tuple[str, LiveTable]]) -> list[GrantGap]:
    """The tables missing from a share, from ``SHOW ALL IN SHARE`` rows (``name``, ``type``,
    ``shared_object``, ...): a table is in it when shared itself or through its whole schema."""
    shared = {(str(row[1]).upper(), str(row[2]).lower()) for row in rows if len(row) > 2 and row[1] and row[2]}
    gaps = []
    for reference, table in tables:
        full = ".".join(table.name).lower()
        schema = ".".join(table.name[:-1]).lower()
        in_share = any(kind in _SHARED_TABLES and name == full for kind, name in shared) or ("SCHEMA", schema) in shared
        if not in_share and reference not in {gap.table for gap in gaps}:
            gaps.append(GrantGap("SELECT", "share", share, RECIPIENT, table=reference))
    return gaps


def recipient_gap(rows: Sequence[Sequence[Any]], share: str) -> GrantGap | None:
    """The share's grant to mParticle's recipient, from ``SHOW GRANTS ON SHARE`` rows (recipient, privilege)."""
    for row in rows:
        if (
            len(row) > 1
            and _MPARTICLE_RECIPIENT.fullmatch(str(row[0]))
            and str(row[1]).upper() in {"SELECT", "ALL PRIVILEGES"}
        ):
            return None
    return GrantGap("SELECT", "share", share, RECIPIENT)


class DatabricksSession:
    """A session on one Databricks SQL warehouse (see the module docstring)."""

    def __init__(self, connection: Any, settings: LiveSettings, errors: Any) -> None:
        self._connection = connection
        self._settings = settings
        self._errors = errors  # databricks.sql.exc: the driver's exception classes

    def describe(self, query: ReadOnlyQuery) -> list[ResultColumn]:
        sendable(query, DIALECT)
        try:
            described, lines, columns = read_only(_DESCRIBE + query.sql, DIALECT), 0, len(_DESCRIBE)
        except NotReadOnly:
            # sqlglot reads DESCRIBE only before a plain query (not "(SELECT 1) UNION ..."): wrap it, one line down.
            try:
                described, lines, columns = read_only(f"{_DESCRIBE}SELECT * FROM (\n{query.sql}\n)", DIALECT), 1, 0
            except NotReadOnly as error:
                raise WarehouseRejected(f"not sent: {error}") from None
        _, rows = self._run(described, lines, columns)
        return [ResultColumn(str(name), str(kind)) for name, kind, *_ in rows if name and not str(name).startswith("#")]

    def count(self, query: ReadOnlyQuery) -> int:
        _, rows = self._run(query)
        if len(rows) != 1 or not rows[0] or not isinstance(rows[0][0], int):
            raise WarehouseRejected(f"the row count came back as {rows[:1]!r}, not one number")
        return int(rows[0][0])

    def aggregate(self, query: ReadOnlyQuery) -> tuple[Any, ...]:
        """Run a one-row query of aggregates; its values in select-list order, as the driver gives them."""
        return one_row(self._run(query)[1])

    def scan(self, query: ReadOnlyQuery, tables: Sequence[LiveTable]) -> ScanEstimate:
        """What ``EXPLAIN COST`` says ``query`` scans, and how ``tables`` are laid out (:meth:`pruning_keys`)."""
        sendable(query, DIALECT)
        try:
            explained = read_only(_EXPLAIN_COST + query.sql, DIALECT)
        except NotReadOnly as error:
            raise WarehouseRejected(f"not sent: {error}") from None
        _, rows = self._run(explained, 0, len(_EXPLAIN_COST))
        text = plan_text(rows)
        if (error := planning_error(text)) is not None:
            raise WarehouseRejected(self._settings.redact(error))
        found = scanned_bytes(text)
        return ScanEstimate(found.scanned, SCAN_SOURCE, found.unavailable, self.pruning_keys(tables))

    def pruning_keys(self, tables: Sequence[LiveTable]) -> tuple[str, ...]:
        """How each table is partitioned or clustered, from ``DESCRIBE DETAIL``: one line per table that is,
        each table asked once. A table the warehouse will not describe (a view, not Delta) gives no line."""
        lines: list[str] = []
        for name in dict.fromkeys(table.name for table in tables):
            try:
                description, rows = self._run(read_only(f"DESCRIBE DETAIL {quoted(name)}", DIALECT))
            except (NotReadOnly, WarehouseRejected):
                continue
            if len(rows) == 1 and (
                line := pruning_line(".".join(name), dict(zip([d[0] for d in description], rows[0], strict=True)))
            ):
                lines.append(line)
        return tuple(lines)

    def table(self, reference: str, parts: Sequence[str]) -> LiveTable | None:
        try:
            _, rows = self._run(read_only(f"DESCRIBE TABLE EXTENDED {quoted(parts)}", DIALECT))
        except WarehouseRejected as error:
            found = _ERROR_CLASS.match(error.message)
            if found and found.group(1) in _NOT_VISIBLE:
                return None
            raise
        return table_from_description(rows, parts)

    def check_grants(self, tables: Sequence[tuple[str, LiveTable]]) -> GrantCheck:
        share = self._settings.setting("SHARE")
        if share is None:
            variable = env_name(self._settings.connection_id, "SHARE")
            return GrantCheck(unchecked=(f"Delta Sharing: no share named: set {variable}",))
        gaps: list[GrantGap] = []
        unchecked: list[str] = []
        try:
            _, rows = self._run(read_only(f"SHOW ALL IN SHARE {quoted([share])}", DIALECT))
            gaps.extend(share_gaps(rows, share, tables))
        except WarehouseRejected as error:
            unchecked.append(f"the tables of share {share}: {error.message}")
        try:
            _, rows = self._run(read_only(f"SHOW GRANTS ON SHARE {quoted([share])}", DIALECT))
            if (gap := recipient_gap(rows, share)) is not None:
                gaps.append(gap)
        except WarehouseRejected as error:  # listing recipients takes a metastore admin or the share's owner
            unchecked.append(f"the recipients of share {share}: {error.message}")
        return GrantCheck(tuple(gaps), tuple(unchecked))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing never fails the run
            self._connection.close()

    # -- sending statements

    def _run(self, query: ReadOnlyQuery, lines: int = 0, columns: int = 0) -> tuple[list[tuple], list[tuple]]:
        """Send one checked statement; its description and rows. ``lines`` and ``columns``: how far our
        wrapping moved the caller's text (down, and right on its first line), taken off the position."""
        sendable(query, DIALECT)
        try:
            with self._connection.cursor() as cursor:
                cursor.execute(query.sql)
                description = [tuple(column) for column in cursor.description or ()]
                return description, [tuple(row) for row in cursor.fetchall()]
        except self._errors.RequestError as error:  # the network or the session, not the statement
            reason = login_failure(error)
            raise WarehouseUnreachable(self._settings.redact(f"Databricks stopped answering: {reason}")) from None
        except self._errors.Error as error:
            message, line, column = warehouse_message(error)
            if line is not None and column is not None:
                line, column = line - lines, column - columns if line == 1 else column
                if line < 1 or column < 1:  # in our wrapping, not in the caller's text
                    line = column = None
            raise WarehouseRejected(self._settings.redact(message), line, column) from None

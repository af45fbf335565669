"""A Databricks SQL warehouse stand-in: the connector's own Thrift service over HTTP, backed by DuckDB.

databricks-sql-connector's default backend speaks Thrift (``TCLIService``) over HTTP. This server runs
the connector's own generated ``Processor`` on :class:`thrift.server.THttpServer`, so the real driver
makes real round trips on loopback (a wrong bearer token gets Databricks' HTTP 403). It answers:

- queries, run by DuckDB after a translation that keeps character offsets (backticks become double
  quotes, ``current_user()`` a literal) except where a type is renamed (``CAST(x AS TIMESTAMP)`` becomes
  ``TIMESTAMPTZ``: Databricks' ``timestamp`` has a time zone, its ``timestamp_ntz`` has none) or a
  function (the calls ``regexp_like(s, p)`` and ``rlike(s, p)``, which DuckDB lacks, become
  ``regexp_matches(s, p)``: all three are true when the pattern is found anywhere in the text; the
  infix ``s RLIKE p`` is not translated);
- DuckDB's ``HUGEINT`` (what its ``SUM`` of integers gives) as ``bigint``, what Databricks' ``sum`` of
  integers gives;
- DuckDB's errors (``errors_as_json``) in Databricks' words for the cases the tests use
  (``UNRESOLVED_COLUMN``, ``TABLE_OR_VIEW_NOT_FOUND``) with Spark's ``line L pos P``, else ``INTERNAL_ERROR``;
- scripted, what DuckDB cannot run: ``DESCRIBE [QUERY] <query>`` (DuckDB's DESCRIBE binds without
  running), ``DESCRIBE TABLE [EXTENDED] <name>``, and from the admin's set-up statements
  ``SHOW ALL IN SHARE <share>`` and ``SHOW GRANTS ON SHARE <share>``; ``DESCRIBE DETAIL <table>`` with the
  partition columns of ``CREATE TABLE ... PARTITIONED BY (...)`` and the clustering columns of
  ``ALTER TABLE ... CLUSTER BY (...)`` set-up statements (Delta's, recorded: DuckDB has neither).

Types are reported in Databricks' names (``bigint``, ``string``, ``timestamp_ntz``, ``decimal(18,4)``,
``array<string>``); results go back as one finished, column-based batch with null bitmaps.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

import duckdb
from databricks.sql.thrift_api.TCLIService import TCLIService
from databricks.sql.thrift_api.TCLIService import ttypes as T
from thrift.protocol import TBinaryProtocol
from thrift.server import THttpServer

OK = T.TStatus(statusCode=T.TStatusCode.SUCCESS_STATUS)
NAME = r"((?:`[^`]+`|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))*)"
DESCRIPTION = ["col_name", "data_type", "comment"]
_SCRIPTED = [
    ("share", re.compile(rf"SHOW\s+ALL\s+IN\s+SHARE\s+{NAME}", re.I)),
    ("grants", re.compile(rf"SHOW\s+GRANTS?\s+ON\s+SHARE\s+{NAME}", re.I)),
    ("detail", re.compile(rf"DESC(?:RIBE)?\s+DETAIL\s+{NAME}", re.I)),
    ("table", re.compile(rf"DESC(?:RIBE)?\s+(?:TABLE\s+)?(EXTENDED\s+)?{NAME}", re.I)),
    ("query", re.compile(r"DESC(?:RIBE)?\s+(?:QUERY\s+)?((?:SELECT|WITH|\()\b.*)", re.I | re.S)),
]
_LEXEMES = re.compile(r"('(?:[^'\\]|\\.)*')|(`(?:[^`]|``)*`)|([^'`]+)|(.)", re.S)
_SIMPLE_TYPES = {"bigint": "bigint", "integer": "int", "smallint": "smallint", "tinyint": "tinyint",
                 "boolean": "boolean", "double": "double", "float": "float", "varchar": "string", "date": "date",
                 "timestamp": "timestamp_ntz", "timestamp with time zone": "timestamp", "blob": "binary",
                 "hugeint": "bigint", '"null"': "void"}  # fmt: skip
_TYPE_IDS = {"bigint": "BIGINT", "int": "INT", "smallint": "SMALLINT", "tinyint": "TINYINT", "boolean": "BOOLEAN",
             "double": "DOUBLE", "float": "FLOAT", "date": "DATE", "timestamp": "TIMESTAMP", "void": "NULL",
             "timestamp_ntz": "TIMESTAMP", "decimal": "DECIMAL", "binary": "BINARY", "array": "ARRAY",
             "map": "MAP", "struct": "STRUCT"}  # fmt: skip
_VALUE_KINDS = {"BOOLEAN": ("boolVal", T.TBoolColumn, False), "TINYINT": ("byteVal", T.TByteColumn, 0),
                "SMALLINT": ("i16Val", T.TI16Column, 0), "INT": ("i32Val", T.TI32Column, 0),
                "BIGINT": ("i64Val", T.TI64Column, 0), "FLOAT": ("doubleVal", T.TDoubleColumn, 0.0),
                "DOUBLE": ("doubleVal", T.TDoubleColumn, 0.0), "BINARY": ("binaryVal", T.TBinaryColumn, b"")}  # fmt: skip


class Refused(Exception):
    """A statement the warehouse refuses: Databricks' message and SQLSTATE."""

    def __init__(self, message: str, state: str) -> None:
        super().__init__(message)
        self.message, self.state = message, state


class FakeWarehouse(TCLIService.Iface):
    """One Databricks SQL warehouse: a DuckDB catalog, shares and their grants, and every statement received."""

    def __init__(self, *, token: str, user: str, catalog: str, schemas: tuple[str, ...]) -> None:
        self.token, self.user, self.catalog = token, user, catalog
        self.statements: list[str] = []
        self.shares: dict[str, list[tuple[str, str, str]]] = {}  # share -> (name, type, shared_object)
        self.grants: list[tuple[str, str, str]] = []  # (share, recipient, privilege)
        self.layouts: dict[str, dict[str, list[str]]] = {}  # table -> partitionColumns, clusteringColumns
        self.database = duckdb.connect()
        self.database.execute(f"ATTACH ':memory:' AS \"{catalog}\"")
        for schema in ("default", *schemas):
            self.database.execute(f'CREATE SCHEMA "{catalog}"."{schema}"')
        self._sessions: dict[bytes, duckdb.DuckDBPyConnection] = {}
        self._lock = threading.Lock()
        self._server: THttpServer.THttpServer | None = None

    def admin(self, sql: str) -> None:
        """Run one set-up statement as the admin: shares and their grants are recorded, the rest goes to DuckDB."""
        text = " ".join(sql.split()).rstrip(";")
        if match := re.fullmatch(rf"CREATE SHARE (?:IF NOT EXISTS )?{NAME}.*", text, re.I):
            self.shares.setdefault(parts_of(match[1])[0], [])
        elif match := re.fullmatch(rf"ALTER SHARE {NAME} ADD (TABLE|VIEW|SCHEMA) {NAME}(?: AS {NAME})?", text, re.I):
            kind, parts = match[2].upper(), parts_of(match[3])
            full = [self.catalog, *parts][-2 if kind == "SCHEMA" else -3 :]
            alias = ".".join(parts_of(match[4]) if match[4] else full[1:])
            self.shares[parts_of(match[1])[0]].append((alias, kind, ".".join(full)))
        elif match := re.fullmatch(rf"GRANT (\w+) ON SHARE {NAME} TO RECIPIENT {NAME}", text, re.I):
            self.grants.append((parts_of(match[2])[0], match[3].strip("`"), match[1].upper()))
        elif match := re.fullmatch(rf"ALTER TABLE {NAME} CLUSTER BY \(([^)]*)\)", text, re.I):
            self._layout(match[1])["clusteringColumns"] = [c.strip().strip("`") for c in match[2].split(",")]
        elif match := re.fullmatch(rf"(CREATE TABLE {NAME} .*) PARTITIONED BY \(([^)]*)\)", text, re.I):
            self.database.execute(translate(match[1], self.user))
            self._layout(match[2])["partitionColumns"] = [c.strip().strip("`") for c in match[3].split(",")]
        else:
            self.database.execute(translate(sql, self.user))

    def _layout(self, name: str) -> dict[str, list[str]]:
        full = ".".join([self.catalog, *parts_of(name)][-3:])
        return self.layouts.setdefault(full, {"partitionColumns": [], "clusteringColumns": []})

    # -- Thrift calls

    def OpenSession(self, req: T.TOpenSessionReq) -> T.TOpenSessionResp:
        cursor = self.database.cursor()
        cursor.execute("SET errors_as_json = true")  # error kinds and positions, to word them as Databricks does
        namespace = req.initialNamespace or T.TNamespace()
        try:
            cursor.execute(f'USE "{namespace.catalogName or self.catalog}"."{namespace.schemaName or "default"}"')
        except duckdb.Error:
            message = f"[SCHEMA_NOT_FOUND] The schema `{namespace.schemaName}` cannot be found. SQLSTATE: 42704"
            return T.TOpenSessionResp(status=T.TStatus(statusCode=T.TStatusCode.ERROR_STATUS, errorMessage=message))
        handle = T.THandleIdentifier(guid=uuid.uuid4().bytes, secret=uuid.uuid4().bytes)
        with self._lock:
            self._sessions[handle.guid] = cursor
        version = T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8
        session = T.TSessionHandle(handle)
        return T.TOpenSessionResp(OK, version, session, canUseMultipleCatalogs=True)

    def CloseSession(self, req: T.TCloseSessionReq) -> T.TCloseSessionResp:
        with self._lock:
            cursor = self._sessions.pop(req.sessionHandle.sessionId.guid, None)
        if cursor is not None:
            cursor.close()
        return T.TCloseSessionResp(status=OK)

    def CloseOperation(self, req: T.TCloseOperationReq) -> T.TCloseOperationResp:
        return T.TCloseOperationResp(status=OK)

    def ExecuteStatement(self, req: T.TExecuteStatementReq) -> T.TExecuteStatementResp:
        with self._lock:
            self.statements.append(req.statement)
            cursor = self._sessions[req.sessionHandle.sessionId.guid]
        operation = T.THandleIdentifier(guid=uuid.uuid4().bytes, secret=uuid.uuid4().bytes)
        handle = T.TOperationHandle(operation, T.TOperationType.EXECUTE_STATEMENT, hasResultSet=True)
        try:
            results = result_set(*self._run(cursor, req.statement.strip().rstrip(";").strip()))
        except Refused as refused:
            detail = f"org.apache.hive.service.cli.HiveSQLException: Error running query: {refused.message}"
            status = T.TGetOperationStatusResp(
                OK, T.TOperationState.ERROR_STATE, refused.state, errorMessage=detail, displayMessage=refused.message
            )
            results = T.TSparkDirectResults(operationStatus=status)
        return T.TExecuteStatementResp(status=OK, operationHandle=handle, directResults=results)

    # -- statements

    def _run(self, cursor: duckdb.DuckDBPyConnection, sql: str) -> tuple[list, list, list]:
        for kind, pattern in _SCRIPTED:
            if match := pattern.fullmatch(sql):
                return getattr(self, f"_scripted_{kind}")(cursor, sql, match)
        try:
            result = cursor.execute(translate(sql, self.user))
        except duckdb.Error as error:
            raise refusal(error, sql) from None
        names, types = [d[0] for d in result.description], [databricks_type(d[1]) for d in result.description]
        return names, types, result.fetchall()

    def _scripted_query(self, cursor, sql, match) -> tuple[list, list, list]:
        try:
            found = cursor.execute("DESCRIBE " + translate(match[1], self.user)).fetchall()
        except duckdb.Error as error:
            raise refusal(error, sql, offset=match.start(1) - len("DESCRIBE ")) from None
        return DESCRIPTION, ["string"] * 3, [(name, databricks_type(duckdb.sqltype(t)), None) for name, t, *_ in found]

    def _found(self, cursor, sql, match, group: int) -> tuple:
        """The catalog's row (catalog, schema, name, type) of the table the ``group``-th group names."""
        current, parts = cursor.execute("SELECT current_catalog(), current_schema()").fetchone(), parts_of(match[group])
        found = cursor.execute(
            "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE lower(table_catalog) = ? AND lower(table_schema) = ? AND lower(table_name) = ?",
            [*current[: 3 - len(parts)], *parts],
        ).fetchone()
        if found is None:
            raise not_found(match[group], sql, match.start(group))
        return found

    def _scripted_detail(self, cursor, sql, match) -> tuple[list, list, list]:
        """Delta's one row of table details, with the columns the fake can know (no file count or size)."""
        found = self._found(cursor, sql, match, 1)
        full = ".".join(found[:3])
        if found[3] == "VIEW":
            message = (
                f"[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] 'DESCRIBE DETAIL' expects a table but `{full}` is a view."
            )
            raise Refused(f"{message} SQLSTATE: 42809", "42809")
        layout, created = self.layouts.get(full, {}), datetime(2024, 1, 1, tzinfo=UTC)
        names = ["format", "id", "name", "description", "location", "createdAt", "lastModified", "partitionColumns",
                 "clusteringColumns", "properties", "minReaderVersion", "minWriterVersion"]  # fmt: skip
        types = ["string"] * 5 + ["timestamp"] * 2 + ["array<string>"] * 2 + ["map<string,string>", "int", "int"]
        row = ("delta", str(uuid.uuid5(uuid.NAMESPACE_URL, full)), full, None, f"s3://standin/{full.replace('.', '/')}",
               created, created, layout.get("partitionColumns", []), layout.get("clusteringColumns", []), {}, 1, 2)  # fmt: skip
        return names, types, [row]

    def _scripted_table(self, cursor, sql, match) -> tuple[list, list, list]:
        found = self._found(cursor, sql, match, 2)
        described = cursor.execute('DESCRIBE "{}"."{}"."{}"'.format(*found[:3])).fetchall()
        rows = [(name, databricks_type(duckdb.sqltype(kind)), None) for name, kind, *_ in described]
        if match[1]:
            rows += [("", "", ""), ("# Detailed Table Information", "", ""), ("Catalog", found[0], "")]
            rows += [
                ("Database", found[1], ""),
                ("Table", found[2], ""),
                ("Type", "VIEW" if found[3] == "VIEW" else "MANAGED", ""),
            ]
        return DESCRIPTION, ["string"] * 3, rows

    def _scripted_share(self, cursor, sql, match) -> tuple[list, list, list]:
        added = datetime(2024, 1, 1, tzinfo=UTC)
        rows = [(*shared, added, "admin@example.com", None, None) for shared in self.shares[self._share(match[1])]]
        names = ["name", "type", "shared_object", "added_at", "added_by", "comment", "partitions"]
        return names, ["string", "string", "string", "timestamp", "string", "string", "string"], rows

    def _scripted_grants(self, cursor, sql, match) -> tuple[list, list, list]:
        share = self._share(match[1])
        return ["recipient", "privilege"], ["string"] * 2, [(who, what) for on, who, what in self.grants if on == share]

    def _share(self, name: str) -> str:
        if (share := parts_of(name)[0]) not in self.shares:
            raise Refused(f"[RESOURCE_DOES_NOT_EXIST] Share '{share}' does not exist. SQLSTATE: 42704", "42704")
        return share

    # -- serving

    def start(self) -> int:
        """Serve on 127.0.0.1 (a free port) in a daemon thread; the port."""
        processor, factory = _TokenCheckingProcessor(self, self.token), TBinaryProtocol.TBinaryProtocolFactory()
        self._server = THttpServer.THttpServer(processor, ("127.0.0.1", 0), factory, server_class=ThreadingHTTPServer)
        self._server.httpd.RequestHandlerClass.log_message = lambda *_: None  # no access log on stderr
        threading.Thread(target=self._server.serve, name="databricks-standin", daemon=True).start()
        return self._server.httpd.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.httpd.shutdown()
            self._server.httpd.server_close()
        self.database.close()


class _TokenCheckingProcessor(TCLIService.Processor):
    """Refuses a call without the right bearer token as Databricks does: HTTP 403 and a reason header."""

    def __init__(self, handler: FakeWarehouse, token: str) -> None:
        super().__init__(handler)
        self._token, self._request = token, threading.local()

    def on_message_begin(self, func) -> None:
        # THttpServer hands over its request handler's hook before each call: the HTTP headers are there.
        self._request.handler = func.__self__

    def process(self, iprot, oprot) -> None:
        if self._request.handler.headers.get("Authorization") != f"Bearer {self._token}":
            raise THttpServer.ResponseException(_refuse)
        super().process(iprot, oprot)


def _refuse(request) -> None:
    request.send_response(403)
    request.send_header("x-databricks-reason-phrase", "Invalid access token.")
    request.send_header("Content-Length", "0")
    request.end_headers()


def databricks_type(duck: duckdb.DuckDBPyType) -> str:
    """A DuckDB type in Databricks' spelling (``DECIMAL(18,4)`` -> ``decimal(18,4)``, ``VARCHAR[]`` -> ``array<string>``)."""
    kind, children = duck.id, dict(duck.children) if duck.id in ("list", "array", "struct", "map", "decimal") else {}
    if kind == "decimal":
        return f"decimal({children['precision']},{children['scale']})"
    if kind in ("list", "array"):
        return f"array<{databricks_type(children['child'])}>"
    if kind == "map":
        return f"map<{databricks_type(children['key'])},{databricks_type(children['value'])}>"
    if kind == "struct":
        return "struct<" + ",".join(f"{name}:{databricks_type(child)}" for name, child in children.items()) + ">"
    return _SIMPLE_TYPES.get(kind, "string")


def parts_of(name: str) -> list[str]:
    """A dotted name's parts, unquoted and lower-cased as Unity Catalog stores them."""
    return [part.strip("`").lower() for part in re.findall(r"`[^`]+`|[^.\s]+", name)]


def translate(sql: str, user: str) -> str:
    """Databricks SQL as DuckDB runs it, keeping offsets where it can (see the module docstring)."""
    out = []
    for literal, quoted, plain, other in _LEXEMES.findall(sql):
        if quoted:
            out.append('"' + quoted[1:-1].replace("``", "`").replace('"', '""') + '"')
        elif plain:
            plain = re.sub(r"(?i)\bcurrent_user\s*\(\s*\)", f"'{user}'", plain)
            # Spark's regexp_like/rlike find the pattern anywhere in the text, as DuckDB's regexp_matches does.
            plain = re.sub(r"(?i)\b(?:regexp_like|rlike)(\s*\()", r"regexp_matches\1", plain)
            plain = re.sub(r"(?i)(\bAS\s+|::\s*)TIMESTAMP\b(?!_)", r"\1TIMESTAMPTZ", plain)
            out.append(re.sub(r"(?i)(\bAS\s+|::\s*)TIMESTAMP_NTZ\b", r"\1TIMESTAMP", plain))
        else:
            out.append(literal or other)
    return "".join(out)


def refusal(error: duckdb.Error, sql: str, offset: int = 0) -> Refused:
    """DuckDB's error in Databricks' words; ``offset``: where DuckDB's text starts in ``sql``."""
    try:
        info = json.loads(str(error).split(": ", 1)[1])
    except (IndexError, ValueError):
        return Refused(f"[INTERNAL_ERROR] {str(error).splitlines()[0]}", "XX000")
    start, text = offset + int(info.get("position", 0)), info.get("exception_message", "")
    if info.get("error_subtype") == "COLUMN_NOT_FOUND":
        candidates = ", ".join(f"`{c}`" for c in info.get("candidates", "").split(",") if c)
        return Refused(
            f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `{info['name']}` "
            f"cannot be resolved. Did you mean one of the following? [{candidates}]. SQLSTATE: 42703; "
            f"{_where(sql, start)};\n'Project [*]",
            "42703",
        )
    if info.get("error_subtype") == "MISSING_ENTRY" and info.get("type") == "Table":
        written = re.match(NAME, sql[start:])
        return not_found(written[1] if written else info["name"], sql, start)
    return Refused(f"[INTERNAL_ERROR] {text.splitlines()[0] if text else error}", "XX000")


def not_found(name: str, sql: str, start: int) -> Refused:
    quoted = ".".join(f"`{part}`" for part in parts_of(name))
    return Refused(
        f"[TABLE_OR_VIEW_NOT_FOUND] The table or view {quoted} cannot be found. Verify the spelling and correctness "
        "of the schema and catalog.\nIf you did not qualify the name with a schema, verify the current_schema() "
        "output, or qualify the name with the correct schema and catalog.\nTo tolerate the error on drop use DROP "
        f"VIEW IF EXISTS or DROP TABLE IF EXISTS. SQLSTATE: 42P01; {_where(sql, start)};\n'Project [*]",
        "42P01",
    )


def _where(sql: str, position: int) -> str:
    """Spark's ``line L pos P``: the line 1-based, the position in it 0-based."""
    before = sql[:position]
    return f"line {before.count(chr(10)) + 1} pos {position - (before.rfind(chr(10)) + 1)}"


def result_set(names: list[str], types: list[str], rows: list[tuple]) -> T.TSparkDirectResults:
    """A finished statement's direct results: status, schema (``TTypeId``, decimal qualifiers), rows, close."""
    columns, descriptions = [], []
    for index, (name, kind) in enumerate(zip(names, types, strict=True)):
        type_id, qualifiers = _TYPE_IDS.get(re.split(r"[<(]", kind)[0], "STRING"), None
        if type_id == "DECIMAL":
            precision, scale = (T.TTypeQualifierValue(i32Value=int(n)) for n in re.findall(r"\d+", kind))
            qualifiers = T.TTypeQualifiers({"precision": precision, "scale": scale})
        entry = T.TTypeEntry(T.TPrimitiveTypeEntry(getattr(T.TTypeId, f"{type_id}_TYPE"), qualifiers))
        descriptions.append(T.TColumnDesc(name, T.TTypeDesc([entry]), position=index + 1))
        field, column, blank = _VALUE_KINDS.get(type_id, ("stringVal", T.TStringColumn, ""))
        values, nulls = [row[index] for row in rows], bytearray((len(rows) + 7) // 8)
        for at, value in enumerate(values):
            if value is None:
                nulls[at // 8] |= 1 << (at % 8)
        cells = [blank if value is None else value if field != "stringVal" else _text(value) for value in values]
        columns.append(T.TColumn(**{field: column(cells, bytes(nulls))}))
    metadata = T.TGetResultSetMetadataResp(OK, T.TTableSchema(descriptions), T.TSparkRowSetType.COLUMN_BASED_SET)
    return T.TSparkDirectResults(
        T.TGetOperationStatusResp(OK, T.TOperationState.FINISHED_STATE),
        metadata,
        T.TFetchResultsResp(OK, hasMoreRows=False, results=T.TRowSet(0, [], columns)),
        T.TCloseOperationResp(OK),
    )


def _text(value: object) -> str:
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, default=str)
    return value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)

"""The type of each output column of a model, where the SQL and the schema snapshot tell it.

A type is known when the column (through derived tables and CTEs) is:

- a column of a snapshot table (:mod:`wsync_lint.analysis.schema_columns`), as the snapshot spells it;
- a cast: ``CAST(x AS T)``, ``x::T``, ``TRY_CAST`` and ``SAFE_CAST`` are ``T``;
- a clock: ``CURRENT_TIMESTAMP`` is the warehouse's own type (Snowflake ``TIMESTAMP_LTZ``,
  BigQuery ``TIMESTAMP``, Redshift ``TIMESTAMPTZ``, Databricks ``TIMESTAMP``; Snowflake
  ``SYSDATE()`` and Redshift ``GETDATE()`` / ``SYSDATE`` are their zone-less UTC type),
  ``CURRENT_DATE`` is ``DATE``;
- a date: ``DATE(...)``, ``TO_DATE(...)``; Snowflake's ``TO_TIMESTAMP_*`` are their type, Databricks
  ``TO_TIMESTAMP_NTZ`` is ``TIMESTAMP_NTZ``;
- an epoch number: ``UNIX_MILLIS``, ``UNIX_SECONDS``, ``UNIX_TIMESTAMP``, ``DATE_PART(EPOCH_...)``,
  ``EXTRACT(EPOCH FROM ...)`` are the warehouse's integer type, with their unit (and ``* 1000``
  turns seconds into milliseconds);
- an aggregate: ``MAX``, ``MIN`` and ``ANY_VALUE`` keep their argument's type, ``COUNT`` is an
  integer, ``ARRAY_AGG`` is an array of its argument's type; array literals are arrays of their
  elements' type;
- anything else sqlglot's ``annotate_types`` can type, given the types found above for the
  column references and calls inside it (``COALESCE(updated_at, created_at)``,
  ``DATEADD(hour, 1, updated_at)``). The types are set on a copy of the expression rather than
  given as a ``MappingSchema``: that needs qualified columns, and sqlglot's ``qualify`` stops at
  the first unknown column; this way derived tables and CTEs are typed too.

Otherwise the type is unknown (None). Nothing here raises: a failure is an unknown type. Types are
:class:`~wsync_lint.analysis.column_types.ColumnType`; a column of a derived table or CTE is typed by
the select items it reads (:mod:`wsync_lint.analysis.lineage`).
"""

from __future__ import annotations

from sqlglot import exp

from wsync_lint.analysis.column_types import ColumnType, from_data_type, named_type, parse_type
from wsync_lint.analysis.from_items import SourceKind
from wsync_lint.analysis.lineage import MAX_DEPTH, inner_items, source_of
from wsync_lint.analysis.query_shape import output_selects
from wsync_lint.analysis.schema_columns import column_type
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.outputs import OutputColumn
from wsync_lint.sql.positions import node_span

T = exp.DataType.Type

# Each warehouse's integer type, for COUNT and epoch functions.
_INTEGER_TYPE = {"snowflake": "NUMBER", "bigquery": "INT64", "redshift": "BIGINT", "databricks": "BIGINT"}
# Epoch units of DATE_PART / EXTRACT parts (Snowflake, Redshift, Databricks).
_EPOCH_PARTS = {
    "EPOCH": "s",
    "EPOCH_SECOND": "s",
    "EPOCH_SECONDS": "s",
    "EPOCH_MILLISECOND": "ms",
    "EPOCH_MILLISECONDS": "ms",
    "EPOCH_MICROSECOND": "us",
    "EPOCH_MICROSECONDS": "us",
    "EPOCH_NANOSECOND": "ns",
    "EPOCH_NANOSECONDS": "ns",
}
_EPOCH_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.UnixMillis: "ms",
    exp.UnixSeconds: "s",
    exp.UnixMicros: "us",
    exp.StrToUnix: "s",  # Databricks UNIX_TIMESTAMP(x)
    exp.TimeToUnix: "s",
}
# Calls sqlglot leaves anonymous, with the type they return (upper-case names).
_NAMED_CALLS: dict[str, dict[str, str]] = {
    "snowflake": {
        "TO_TIMESTAMP": "TIMESTAMP_NTZ",
        "TO_TIMESTAMP_NTZ": "TIMESTAMP_NTZ",
        "TO_TIMESTAMP_LTZ": "TIMESTAMP_LTZ",
        "TO_TIMESTAMP_TZ": "TIMESTAMP_TZ",
        "TRY_TO_TIMESTAMP": "TIMESTAMP_NTZ",
        "TRY_TO_TIMESTAMP_NTZ": "TIMESTAMP_NTZ",
        "TRY_TO_TIMESTAMP_LTZ": "TIMESTAMP_LTZ",
        "TRY_TO_TIMESTAMP_TZ": "TIMESTAMP_TZ",
        "TO_DATE": "DATE",
        "TRY_TO_DATE": "DATE",
    },
    "bigquery": {},
    "redshift": {"TO_DATE": "DATE"},
    # Databricks TO_TIMESTAMP_LTZ returns its TIMESTAMP (which carries the session's zone).
    "databricks": {"TO_DATE": "DATE", "TO_TIMESTAMP_NTZ": "TIMESTAMP_NTZ", "TO_TIMESTAMP_LTZ": "TIMESTAMP"},
}
_DATE_FUNCTIONS = (exp.TsOrDsToDate, exp.Date, exp.StrToDate, exp.DateFromParts)
# The clock's type: CURRENT_TIMESTAMP, NOW(), GETDATE() (Snowflake), LOCALTIMESTAMP ...
_CLOCK_TYPE = {
    "snowflake": "TIMESTAMP_LTZ",
    "bigquery": "TIMESTAMP",
    "redshift": "TIMESTAMPTZ",
    "databricks": "TIMESTAMP",
}
# Clocks that return the UTC time without a zone: Snowflake SYSDATE(), Redshift GETDATE() and SYSDATE.
_UTC_CLOCK_TYPE = {"snowflake": "TIMESTAMP_NTZ", "redshift": "TIMESTAMP"}
_LOCAL_CLOCK_TYPE = {"snowflake": "TIMESTAMP_LTZ", "redshift": "TIMESTAMP", "databricks": "TIMESTAMP_NTZ"}
_PASS_THROUGH = (exp.Paren, exp.Alias, exp.Window, exp.IgnoreNulls, exp.RespectNulls, exp.WithinGroup)
_KEEP_TYPE = (exp.Max, exp.Min, exp.AnyValue)


class _Inferrer:
    """Infers types for one file; results are cached per node."""

    def __init__(self, ctx: SqlContext) -> None:
        self.ctx = ctx
        self.warehouse = ctx.warehouse
        self.snapshot_dialect = ctx.schema.dialect if ctx.schema is not None else ctx.warehouse.name
        self._cache: dict[int, ColumnType | None] = {}
        self._active: set[int] = set()

    def infer(self, node: exp.Expression, depth: int = 0) -> ColumnType | None:
        key = id(node)
        if key in self._cache:
            return self._cache[key]
        if key in self._active or depth > MAX_DEPTH:
            return None
        self._active.add(key)
        try:
            found = self._explicit(node, depth)
            if found is None and not isinstance(node, (exp.Column, exp.Star, exp.Null)):
                found = self._annotated(node, depth)
        except Exception:  # noqa: BLE001 - an unknown type, never a crash
            found = None
        finally:
            self._active.discard(key)
        self._cache[key] = found
        return found

    # -- what the SQL says itself

    def _explicit(self, node: exp.Expression, depth: int) -> ColumnType | None:
        warehouse = self.warehouse
        if isinstance(node, _PASS_THROUGH):
            inner = node.this
            return self.infer(inner, depth + 1) if isinstance(inner, exp.Expression) else None
        if isinstance(node, exp.Column):
            return self._column(node, depth)
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return self._cast(node, depth)
        if isinstance(node, exp.CurrentTimestamp):
            return named_type(self._clock_type(node), warehouse)
        if isinstance(node, exp.CurrentTimestampLTZ):
            return named_type("TIMESTAMP_LTZ", warehouse)
        if isinstance(node, (exp.Localtimestamp, exp.Systimestamp)):
            return named_type(_LOCAL_CLOCK_TYPE.get(warehouse.name, _CLOCK_TYPE[warehouse.name]), warehouse)
        if isinstance(node, (exp.CurrentDate, *_DATE_FUNCTIONS)):
            return named_type("DATE", warehouse)
        if isinstance(node, exp.CurrentDatetime):
            return named_type("DATETIME", warehouse)
        if isinstance(node, (exp.ConvertTimezone, exp.AtTimeZone, exp.FromTimeZone)):
            return self._converted(node, depth)
        if isinstance(node, exp.Anonymous):
            name = node.this.upper() if isinstance(node.this, str) else ""
            spelling = _NAMED_CALLS.get(warehouse.name, {}).get(name)
            return named_type(spelling, warehouse) if spelling else None
        unit = _EPOCH_FUNCTIONS.get(type(node))
        if (
            unit is None
            and isinstance(node, exp.Extract)
            and isinstance(node.this, (exp.Var, exp.Identifier, exp.Literal))
        ):
            unit = _EPOCH_PARTS.get(node.this.name.strip().upper())  # `DATE_PART('epoch', x)` names it in a string
        if unit is not None:
            return self._integer(unit)
        if isinstance(node, (exp.Mul, exp.Div, exp.IntDiv)):
            return self._scaled(node, depth)
        if isinstance(node, _KEEP_TYPE):
            inner = node.this
            return self.infer(inner, depth + 1) if isinstance(inner, exp.Expression) else None
        if isinstance(node, (exp.Count, exp.CountIf)):
            return self._integer(None)
        if isinstance(node, (exp.ArrayAgg, exp.ArrayUniqueAgg)):
            inner = node.this
            element = self.infer(inner, depth + 1) if isinstance(inner, exp.Expression) else None
            return self._array_of(element)
        if isinstance(node, exp.Array):
            for element in node.expressions:
                found = self.infer(element, depth + 1)
                if found is not None and found.kind == "array":
                    return self._array_of(found)
            return None
        return None

    def _converted(self, node: exp.Expression, depth: int) -> ColumnType | None:
        """A time zone conversion: CONVERT_TIMEZONE, AT TIME ZONE, Databricks TO_UTC_TIMESTAMP
        and FROM_UTC_TIMESTAMP."""
        name = self.warehouse.name
        if isinstance(node, exp.ConvertTimezone):
            if name == "snowflake":  # two arguments: TIMESTAMP_TZ; three: TIMESTAMP_NTZ
                return named_type(
                    "TIMESTAMP_TZ" if node.args.get("source_tz") is None else "TIMESTAMP_NTZ", self.warehouse
                )
            spelling = {"redshift": "TIMESTAMP", "databricks": "TIMESTAMP_NTZ"}.get(name)
            return named_type(spelling, self.warehouse) if spelling else None
        if name == "databricks":
            return named_type("TIMESTAMP", self.warehouse)
        if name == "redshift" and isinstance(node, exp.AtTimeZone):
            inner = self.infer(node.this, depth + 1) if isinstance(node.this, exp.Expression) else None
            if inner is not None and inner.name in ("TIMESTAMP", "TIMESTAMPTZ"):  # PostgreSQL: one becomes the other
                return named_type("TIMESTAMPTZ" if inner.name == "TIMESTAMP" else "TIMESTAMP", self.warehouse)
        return None

    def _integer(self, unit: str | None) -> ColumnType | None:
        found = named_type(_INTEGER_TYPE[self.warehouse.name], self.warehouse)
        if found is None or unit is None:
            return found
        return ColumnType(found.name, found.written, found.data_type, "function", unit, True)

    def _array_of(self, element: ColumnType | None) -> ColumnType | None:
        if element is None or element.data_type is None:
            return None
        data_type = exp.DataType(this=T.ARRAY, expressions=[element.data_type.copy()], nested=True)
        return from_data_type(data_type, self.warehouse, "function")

    def _cast(self, node: exp.Cast, depth: int) -> ColumnType | None:
        to = node.args.get("to")
        if not isinstance(to, exp.DataType):
            return None
        found = from_data_type(to, self.warehouse, "cast")
        if found is None or found.kind != "number":
            return found
        inner = self.infer(node.this, depth + 1) if isinstance(node.this, exp.Expression) else None
        if inner is None or inner.epoch_unit is None:
            return found
        return ColumnType(found.name, found.written, found.data_type, found.origin, inner.epoch_unit, found.integer)

    def _scaled(self, node: exp.Binary, depth: int) -> ColumnType | None:
        """``UNIX_SECONDS(x) * 1000`` is milliseconds; ``ms / 1000`` is seconds."""
        left, right = node.this, node.expression
        if isinstance(node, exp.Mul) and _is_thousand(left):
            left, right = right, left
        if not _is_thousand(right) or not isinstance(left, exp.Expression):
            return None
        inner = self.infer(left, depth + 1)
        if inner is None or inner.epoch_unit is None:
            return None
        steps = ("ns", "us", "ms", "s")
        index = steps.index(inner.epoch_unit)
        index += -1 if isinstance(node, exp.Mul) else 1
        if not 0 <= index < len(steps):
            return None
        integer = self._integer(steps[index])
        if integer is None:
            return None
        if isinstance(node, exp.Mul):
            return integer
        # A division is a number, but not always an integer.
        return ColumnType(integer.name, integer.written, integer.data_type, "function", steps[index], False)

    def _clock_type(self, node: exp.CurrentTimestamp) -> str:
        name = self.warehouse.name
        if node.args.get("sysdate") and name in _UTC_CLOCK_TYPE:
            return _UTC_CLOCK_TYPE[name]
        if name == "redshift":
            span = node_span(node)
            if span is not None and self.ctx.text[span.start : span.end].upper() == "GETDATE":
                return _UTC_CLOCK_TYPE[name]
        return _CLOCK_TYPE[name]

    # -- columns: the snapshot, or the derived table or CTE they read
    # -- columns: the snapshot, or the derived table or CTE they read

    def _column(self, column: exp.Column, depth: int) -> ColumnType | None:
        if not isinstance(column.this, exp.Identifier):
            return None
        source = source_of(self.ctx, column)
        if source is None:
            return None
        if source.kind is SourceKind.TABLE:
            written = column_type(self.ctx, column)
            if written is None:
                return None
            return parse_type(written, self.snapshot_dialect, self.warehouse)
        types = [self.infer(item, depth + 1) for item in inner_items(self.ctx, column, source) if not _is_null(item)]
        return _agreed(types)

    # -- anything else: sqlglot's annotate_types, given the types found so far

    def _annotated(self, node: exp.Expression, depth: int) -> ColumnType | None:
        if isinstance(node, (exp.Query, exp.Subquery)):
            return None
        from sqlglot.optimizer.annotate_types import annotate_types

        copy = node.copy()
        for original, duplicate in zip(node.walk(), copy.walk(), strict=False):
            if original is node or not isinstance(original, _PRESET):
                continue
            found = self.infer(original, depth + 1)
            if found is not None and found.data_type is not None:
                duplicate.type = found.data_type.copy()
        annotate_types(exp.Select(expressions=[copy]), dialect=self.warehouse.name, overwrite_types=False)
        return from_data_type(copy.type, self.warehouse)


# Sub-expressions whose type the inference knows better than annotate_types does.
_PRESET = (
    exp.Column,
    exp.Cast,
    exp.TryCast,
    exp.CurrentTimestamp,
    exp.Localtimestamp,
    exp.Anonymous,
    exp.Max,
    exp.Min,
    exp.AnyValue,
    exp.ArrayAgg,
    exp.Extract,
    *_EPOCH_FUNCTIONS,
)


def _is_thousand(node: object) -> bool:
    return isinstance(node, exp.Literal) and node.is_number and node.name.strip() in ("1000", "1000.0", "1e3")


def _is_null(node: exp.Expression) -> bool:
    return isinstance(node, exp.Null)


def _agreed(types: list[ColumnType | None]) -> ColumnType | None:
    """The type several branches agree on; None when one is unknown or they differ."""
    known = [found for found in types if found is not None]
    if not known or len(known) != len(types):
        return None
    first = known[0]
    if any(found.name != first.name or found.epoch_unit != first.epoch_unit for found in known[1:]):
        return None
    return first


def _inferrer(ctx: SqlContext) -> _Inferrer:
    return ctx.memo("type_inference.inferrer", lambda: _Inferrer(ctx))


def expression_type(ctx: SqlContext, expression: exp.Expression) -> ColumnType | None:
    """The type of an expression of the model (None when unknown)."""
    try:
        return _inferrer(ctx).infer(expression)
    except Exception:  # noqa: BLE001
        return None


def output_type(ctx: SqlContext, query: exp.Query, column: OutputColumn) -> ColumnType | None:
    """The type of one output column of ``query`` (every branch of a set operation must agree);
    None where it is unknown or the item is a ``*``. Computed once per column."""
    if column.is_star:
        return None
    cache: dict[tuple[int, int], ColumnType | None] = ctx.memo("type_inference.output_types", dict)
    key = (id(query), column.index)
    if key not in cache:
        try:
            cache[key] = _output_type(ctx, query, column)
        except Exception:  # noqa: BLE001
            cache[key] = None
    return cache[key]


def _output_type(ctx: SqlContext, query: exp.Query, column: OutputColumn) -> ColumnType | None:
    inferrer = _inferrer(ctx)
    branch_types = []
    for select in output_selects(query):
        items = select.expressions
        if column.index >= len(items):
            return None
        item = items[column.index]
        expression = item.this if isinstance(item, exp.Alias) else item
        if not _is_null(expression):  # a NULL branch takes the other branches' type
            branch_types.append(inferrer.infer(expression))
    return _agreed(branch_types)


def output_column_types(ctx: SqlContext, query: exp.Query) -> list[ColumnType | None]:
    """The type of each output column of ``query`` (see :func:`output_type`)."""
    return [output_type(ctx, query, column) for column in ctx.outputs(query)]

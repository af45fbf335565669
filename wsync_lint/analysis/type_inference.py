"""The type of each output column of a model, where the SQL and the schema snapshot tell it.

A type is known when the column (through derived tables and CTEs) is:

- a column of a snapshot table (:mod:`wsync_lint.analysis.schema_columns`), as the snapshot spells it;
- a cast: ``CAST(x AS T)``, ``x::T``, ``TRY_CAST`` and ``SAFE_CAST`` are ``T``;
- a clock: ``CURRENT_TIMESTAMP`` is the warehouse's own type (Snowflake ``TIMESTAMP_LTZ``,
  BigQuery ``TIMESTAMP``, Redshift ``TIMESTAMPTZ``, Databricks ``TIMESTAMP``; Snowflake
  ``SYSDATE()`` and Redshift ``GETDATE()`` / ``SYSDATE`` are their zone-less UTC type),
  ``CURRENT_DATE`` is ``DATE``;
- a date: ``DATE(...)``, ``TO_DATE(...)``; Snowflake's ``TO_TIMESTAMP_*`` are their type;
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

Otherwise the type is unknown (None). Nothing here raises: a failure is an unknown type.

Types are compared by a canonical name: the warehouse's spelling in upper case, without
precision, aliases resolved (``TIMESTAMP_NTZ(9)`` is ``TIMESTAMP_NTZ``, Redshift ``timestamp
with time zone`` is ``TIMESTAMPTZ``, ``character varying(36)`` is ``VARCHAR``, Snowflake
``DATETIME`` and plain ``TIMESTAMP`` are ``TIMESTAMP_NTZ``, the default of its
``TIMESTAMP_TYPE_MAPPING``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

from wsync_lint.analysis.attributes import identity_candidate, item_spans, item_text, shorten
from wsync_lint.analysis.from_items import Source, SourceKind
from wsync_lint.analysis.iterators import resolves
from wsync_lint.analysis.schema_columns import column_type, columns_of, expand_stars, reference_of
from wsync_lint.analysis.scopes import Analysis, analyse, output_selects
from wsync_lint.contract.messages import code
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import Warehouse
from wsync_lint.sql.outputs import OutputColumn
from wsync_lint.sql.positions import Span, node_span

T = exp.DataType.Type

# How deep the inference follows derived tables, CTEs and nested calls.
_MAX_DEPTH = 24

# -- canonical names ------------------------------------------------------------------------

_INTEGERS = frozenset(exp.DataType.INTEGER_TYPES)
_DECIMALS = frozenset({T.DECIMAL, T.DECIMAL32, T.DECIMAL64, T.DECIMAL128, T.DECIMAL256, T.UDECIMAL, T.BIGDECIMAL})
_TEXTS = frozenset(exp.DataType.TEXT_TYPES)
_TIMESTAMPS = frozenset(exp.DataType.TEMPORAL_TYPES) - {T.DATE, T.DATE32, T.TIME, T.TIMETZ}

# Where the warehouse's name for a sqlglot type is not what sqlglot writes for it.
_CANONICAL: dict[str, dict[exp.DataType.Type, str]] = {
    "snowflake": {
        T.TIMESTAMP: "TIMESTAMP_NTZ",  # TIMESTAMP_TYPE_MAPPING's default
        T.DATETIME: "TIMESTAMP_NTZ",
        T.TIMESTAMPNTZ: "TIMESTAMP_NTZ",
        T.TIMESTAMPLTZ: "TIMESTAMP_LTZ",
        T.TIMESTAMPTZ: "TIMESTAMP_TZ",
        **dict.fromkeys(_INTEGERS | _DECIMALS, "NUMBER"),
        T.DOUBLE: "FLOAT",
        T.FLOAT: "FLOAT",
        **dict.fromkeys(_TEXTS, "VARCHAR"),
        T.STRUCT: "OBJECT",
        T.JSON: "VARIANT",
    },
    "bigquery": {},
    "redshift": {T.TIMESTAMPTZ: "TIMESTAMPTZ", T.TIMESTAMPLTZ: "TIMESTAMPTZ"},
    "databricks": {T.TIMESTAMPLTZ: "TIMESTAMP"},
}

# Each warehouse's integer type, for COUNT and epoch functions.
_INTEGER_TYPE = {"snowflake": "NUMBER", "bigquery": "INT64", "redshift": "BIGINT", "databricks": "BIGINT"}
# Scale of a DECIMAL written without one (BigQuery NUMERIC is NUMERIC(38, 9)).
_DEFAULT_SCALE = {"bigquery": 9}


@dataclass(frozen=True)
class ColumnType:
    """The type of one column or expression."""

    name: str
    """The canonical name: upper case, no precision, aliases resolved (``TIMESTAMP_NTZ``)."""
    written: str
    """As the snapshot or the cast spells it (``TIMESTAMP_NTZ(9)``), else the warehouse's spelling."""
    data_type: exp.DataType | None = None
    """The type as sqlglot reads it (element types of arrays and structs), when it reads it."""
    origin: str = "inferred"
    """Where it comes from: ``snapshot``, ``cast``, ``function`` or ``inferred``."""
    epoch_unit: str | None = None
    """For a number the SQL proves to be an epoch: ``ms``, ``s``, ``us`` or ``ns``."""
    integer: bool = False
    """A number without fractional digits."""

    @property
    def kind(self) -> str:
        """``timestamp``, ``date``, ``time``, ``number``, ``string``, ``boolean``, ``array``,
        ``struct`` or ``other``."""
        if self.data_type is None:
            return "other"
        return _kind(self.data_type.this)

    @property
    def shown(self) -> str:
        """For messages: the type as written, and its canonical name when that differs
        (```DATETIME` (`TIMESTAMP_NTZ`)``)."""
        written = code(self.written, 60)
        if _clean(self.written) == self.name:
            return written
        return f"{written} (`{self.name}`)"

    def is_zoneless(self, warehouse: Warehouse) -> bool:
        """A timestamp without time zone in that warehouse (WS-SQL-28)."""
        return self.name in facts.ZONELESS_TIMESTAMP_TYPES.get(warehouse.name, ())


def _kind(this: exp.DataType.Type) -> str:
    if this in (T.DATE, T.DATE32):
        return "date"
    if this in (T.TIME, T.TIMETZ):
        return "time"
    if this in _TIMESTAMPS:
        return "timestamp"
    if this in exp.DataType.NUMERIC_TYPES:
        return "number"
    if this in _TEXTS:
        return "string"
    if this is T.BOOLEAN:
        return "boolean"
    if this in exp.DataType.ARRAY_TYPES:
        return "array"
    if this in exp.DataType.STRUCT_TYPES or this is T.MAP:
        return "struct"
    return "other"


def _clean(text: str) -> str:
    """Upper case, one space between words, no parameters: ``varchar(36)`` -> ``VARCHAR``."""
    text = re.split(r"[(<]", text, maxsplit=1)[0]
    return " ".join(text.upper().split())


def canonical_name(data_type: exp.DataType, warehouse: Warehouse) -> str:
    """The warehouse's name for a sqlglot type, upper case and without parameters."""
    return _canonical(data_type.this, warehouse.name)


@lru_cache(maxsize=1024)
def _canonical(this: exp.DataType.Type, dialect: str) -> str:
    override = _CANONICAL.get(dialect, {}).get(this)
    if override is not None:
        return override
    try:
        return _clean(exp.DataType(this=this).sql(dialect=dialect))
    except Exception:  # noqa: BLE001 - a type sqlglot cannot write in this dialect
        return _clean(this.value)


def _is_integer(data_type: exp.DataType, warehouse: Warehouse) -> bool:
    if data_type.this in _INTEGERS:
        return True
    if data_type.this not in _DECIMALS:
        return False
    params = [p for p in data_type.expressions if isinstance(p, exp.DataTypeParam)]
    if len(params) >= 2:
        return params[1].name.strip() == "0"
    if len(params) == 1:
        return True  # precision only: scale 0
    return _DEFAULT_SCALE.get(warehouse.name, 0) == 0


def _nested(data_type: exp.DataType) -> bool:
    return any(node is not data_type for node in data_type.find_all(exp.DataType))


def _spelled(data_type: exp.DataType, name: str, warehouse: Warehouse) -> str:
    """A type sqlglot inferred, as the warehouse writes it."""
    if warehouse.name == "snowflake" and data_type.this in exp.DataType.NESTED_TYPES:
        return name  # semi-structured ARRAY and OBJECT have no element types
    if _nested(data_type):
        try:
            return data_type.sql(dialect=warehouse.name)
        except Exception:  # noqa: BLE001
            return name
    params = [p.sql(dialect=warehouse.name) for p in data_type.expressions if isinstance(p, exp.DataTypeParam)]
    return f"{name}({', '.join(params)})" if params else name


def from_data_type(
    data_type: exp.DataType | None,
    warehouse: Warehouse,
    origin: str = "inferred",
    written: str | None = None,
    epoch_unit: str | None = None,
) -> ColumnType | None:
    """A :class:`ColumnType` for a sqlglot type (None for an unknown or NULL type)."""
    if not isinstance(data_type, exp.DataType) or data_type.this in (T.UNKNOWN, T.NULL, T.USERDEFINED):
        return None
    name = canonical_name(data_type, warehouse)
    return ColumnType(
        name=name,
        written=written if written is not None else _spelled(data_type, name, warehouse),
        data_type=data_type,
        origin=origin,
        epoch_unit=epoch_unit,
        integer=_is_integer(data_type, warehouse),
    )


def parse_type(text: str, dialect: str, warehouse: Warehouse, origin: str = "snapshot") -> ColumnType:
    """A type as a snapshot (written in ``dialect``) spells it, named for ``warehouse`` (cached:
    the result is shared, and its ``data_type`` must not be changed)."""
    return _parse_type(text, dialect, warehouse, origin)


@lru_cache(maxsize=4096)
def _parse_type(text: str, dialect: str, warehouse: Warehouse, origin: str) -> ColumnType:
    written = " ".join(text.split())
    try:
        data_type = exp.DataType.build(written, dialect=dialect, udt=True)
    except Exception:  # noqa: BLE001 - a spelling sqlglot does not know
        data_type = None
    found = from_data_type(data_type, warehouse, origin, written)
    return found if found is not None else ColumnType(name=_clean(written), written=written, origin=origin)


def named_type(spelling: str, warehouse: Warehouse, origin: str = "function") -> ColumnType | None:
    """A type given by its name in the warehouse's spelling (``TIMESTAMP_LTZ``)."""
    try:
        data_type = exp.DataType.build(spelling, dialect=warehouse.name)
    except Exception:  # noqa: BLE001
        return None
    return from_data_type(data_type, warehouse, origin, spelling)


def has_nested_array(column: ColumnType, warehouse: Warehouse) -> str | None:
    """Where a type holds an array inside an array (directly, or in a field of its elements):
    the inner array's type as the warehouse writes it, or None."""
    data_type = column.data_type
    if data_type is None:
        return None
    for node in data_type.find_all(exp.DataType):
        if node.this not in exp.DataType.ARRAY_TYPES:
            continue
        for inner in node.find_all(exp.DataType):
            if inner is not node and inner.this in exp.DataType.ARRAY_TYPES:
                return _spelled(inner, canonical_name(inner, warehouse), warehouse)
    return None


def contains_type(column: ColumnType, names: tuple[str, ...] | frozenset[str], warehouse: Warehouse) -> str | None:
    """The first of ``names`` (canonical) that the type is or holds (array elements, fields)."""
    if column.name in names:
        return column.name
    if column.data_type is None:
        return None
    for node in column.data_type.find_all(exp.DataType):
        if node is column.data_type:
            continue
        name = canonical_name(node, warehouse)
        if name in names:
            return name
    return None


def epoch_unit_of_name(name: str) -> str | None:
    """The epoch unit a column's name suggests (WS-SM-07): ``ms``, ``s`` or None."""
    lowered = name.lower()
    suffixes = sorted(
        ((suffix, unit) for unit, found in facts.EPOCH_NAME_SUFFIXES.items() for suffix in found),
        key=lambda pair: -len(pair[0]),
    )
    return next((unit for suffix, unit in suffixes if lowered.endswith(suffix)), None)


# -- inference -------------------------------------------------------------------------------

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
    "databricks": {"TO_DATE": "DATE"},
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
        self._analysis: Analysis | None = None

    @property
    def analysis(self) -> Analysis:
        if self._analysis is None:
            self._analysis = analyse(self.ctx)
        return self._analysis

    def infer(self, node: exp.Expression, depth: int = 0) -> ColumnType | None:
        key = id(node)
        if key in self._cache:
            return self._cache[key]
        if key in self._active or depth > _MAX_DEPTH:
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
        if unit is None and isinstance(node, exp.Extract) and isinstance(node.this, (exp.Var, exp.Identifier)):
            unit = _EPOCH_PARTS.get(node.this.name.upper())
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

    def _column(self, column: exp.Column, depth: int) -> ColumnType | None:
        if not isinstance(column.this, exp.Identifier):
            return None
        source = self.source_of(column)
        if source is None:
            return None
        if source.kind is SourceKind.TABLE:
            written = column_type(self.ctx, column)
            if written is None:
                return None
            return parse_type(written, self.snapshot_dialect, self.warehouse)
        types = [self.infer(item, depth + 1) for item in self.inner_items(column, source) if not _is_null(item)]
        return _agreed(types)

    def source_of(self, column: exp.Column) -> Source | None:
        """The one source a column reference reads (None: unknown, several, or a struct path)."""
        ref = reference_of(self.ctx, column)
        if ref is None:
            return None
        analysis = self.analysis
        if ref.qualifier:
            resolution = analysis.resolve(ref.scope, ref.qualifier)
            if resolution is None or resolution.consumed != len(analysis.name_keys(ref.qualifier)):
                return None
            return resolution.source
        candidates = analysis.unqualified_candidates(ref, columns_of(self.ctx))
        return candidates[0] if candidates and len(candidates) == 1 else None

    def inner_items(self, column: exp.Column, source: Source) -> list[exp.Expression]:
        """The select items (one per set-operation branch) of the derived table or CTE that a
        column reads, without their aliases."""
        if source.kind not in (SourceKind.CTE, SourceKind.DERIVED) or source.query is None:
            return []
        identifier = column.this
        if not isinstance(identifier, exp.Identifier):
            return []
        wanted = self.analysis.key(identifier)
        selects = output_selects(source.query)
        if not selects:
            return []
        if source.column_aliases:
            names: list[exp.Expression | None] = list(source.column_aliases)
        else:
            names = [_item_name(item) for item in selects[0].expressions]
        position = next(
            (
                index
                for index, name in enumerate(names)
                if isinstance(name, exp.Identifier) and self.analysis.key(name) == wanted
            ),
            None,
        )
        if position is None:
            return []
        found = []
        for select in selects:
            items = select.expressions
            if position < len(items):
                item = items[position]
                found.append(item.this if isinstance(item, exp.Alias) else item)
        return found

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


def _item_name(item: exp.Expression) -> exp.Expression | None:
    if isinstance(item, exp.Alias):
        return item.args.get("alias")
    return item.this if isinstance(item, exp.Column) else None


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


def lineage(ctx: SqlContext, expression: exp.Expression) -> Iterator[exp.Expression]:
    """``expression``, then every select item of a derived table or CTE its value is read from
    (transitively, each once)."""
    inferrer = _inferrer(ctx)
    seen: set[int] = set()
    stack = [(expression, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(node))
        yield node
        for column in node.find_all(exp.Column):
            try:
                source = inferrer.source_of(column)
                inner = inferrer.inner_items(column, source) if source is not None else []
            except Exception:  # noqa: BLE001
                inner = []
            stack.extend((item, depth + 1) for item in inner)


@dataclass(frozen=True)
class TypedOutput:
    """One column the model returns, with its type: a select-list item, or one column of a ``*``."""

    name: str | None
    """The name the warehouse returns (None when it invents one this cannot predict)."""
    type: ColumnType | None
    column: OutputColumn
    """The select-list item it comes from (the ``*`` for a column a star returns)."""
    expanded: bool = False
    """A column of a ``*``, expanded with the schema snapshot."""
    span: Span | None = None
    """The select-list item's text (None when it is not known)."""

    @property
    def item(self) -> exp.Expression | Span:
        """Where to point for it: the select-list item (its text from its first character)."""
        return self.span if self.span is not None else self.column.item

    def shown(self, ctx: SqlContext) -> str:
        """How messages name it: its name, else (a column the warehouse names itself) its text."""
        if self.name is not None:
            return self.name
        return shorten(item_text(ctx, self.span, self.column.expression, ctx.warehouse.name), 40)


def typed_outputs(ctx: SqlContext, query: exp.Query) -> list[TypedOutput]:
    """Every column ``query`` returns, with its name and type: ``*`` and ``t.*`` are expanded
    from the schema snapshot when they can be (each column of a star typed as the snapshot
    spells it); a star that cannot be expanded is one entry without name or type."""

    def build() -> list[TypedOutput]:
        columns = ctx.outputs(query)
        types = output_column_types(ctx, query)
        stars: dict[int, list] = {}
        if any(column.is_star for column in columns) and ctx.schema is not None:
            try:
                expanded = expand_stars(ctx, query) or []
            except Exception:  # noqa: BLE001
                expanded = []
            for entry in expanded:
                stars.setdefault(id(entry.item), []).append(entry)
        dialect = ctx.schema.dialect if ctx.schema is not None else ctx.warehouse.name
        spans = item_spans(ctx, query)
        found: list[TypedOutput] = []
        for column, kind in zip(columns, types, strict=False):
            span = spans[column.index] if column.index < len(spans) else None
            if not column.is_star:
                name = identity_candidate(column, ctx.warehouse, ctx.text)
                found.append(TypedOutput(name, kind, column, span=span))
                continue
            entries = stars.get(id(column.item))
            if not entries:
                found.append(TypedOutput(None, None, column, span=span))
                continue
            for entry in entries:
                typed = parse_type(entry.type, dialect, ctx.warehouse) if entry.type else None
                found.append(TypedOutput(entry.name, typed, column, expanded=True, span=span))
        return found

    try:
        return ctx.memo(f"type_inference.typed_outputs.{id(query)}", build)
    except Exception:  # noqa: BLE001
        return []


def iterator_output(ctx: SqlContext) -> TypedOutput | None:
    """The output column mParticle's ``WHERE <iterator_field> BETWEEN ...`` names, compared as
    the warehouse folds the unquoted iterator (GAP-8); None without an iterator or when no
    output column is it (a column of a ``*`` counts when the snapshot expands it)."""
    iterator = (ctx.settings.iterator_field or "").strip()
    if not iterator:
        return None
    for query in ctx.queries:
        columns = ctx.outputs(query)
        for column in columns:  # named columns first: only the iterator's type is needed
            name = None if column.is_star else identity_candidate(column, ctx.warehouse, ctx.text)
            if name is not None and resolves(ctx.warehouse, iterator, name):
                spans = item_spans(ctx, query)
                span = spans[column.index] if column.index < len(spans) else None
                return TypedOutput(name, output_type(ctx, query, column), column, span=span)
        if any(column.is_star for column in columns):
            for output in typed_outputs(ctx, query):
                if output.expanded and output.name is not None and resolves(ctx.warehouse, iterator, output.name):
                    return output
    return None

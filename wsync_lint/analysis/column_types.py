"""Column types (:class:`ColumnType`) and how each warehouse names and spells them.

Types are compared by a canonical name: the warehouse's spelling in upper case, without
precision, aliases resolved (``TIMESTAMP_NTZ(9)`` is ``TIMESTAMP_NTZ``, Redshift ``timestamp
with time zone`` is ``TIMESTAMPTZ``, ``character varying(36)`` is ``VARCHAR``, Snowflake
``DATETIME`` and plain ``TIMESTAMP`` are ``TIMESTAMP_NTZ``, the default of its
``TIMESTAMP_TYPE_MAPPING``). A type also keeps its spelling (the snapshot's, the cast's, else the
warehouse's), sqlglot's reading of it (element types of arrays and structs) and, for a number the
SQL proves to be an epoch, its unit. A spelling sqlglot cannot read is still a type: its name, as
written, and nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

from wsync_lint.contract.messages import code
from wsync_lint.mparticle import type_facts
from wsync_lint.mparticle.warehouses import Warehouse

T = exp.DataType.Type

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
        return self.name in type_facts.ZONELESS_TIMESTAMP_TYPES.get(warehouse.name, ())


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
        ((suffix, unit) for unit, found in type_facts.EPOCH_NAME_SUFFIXES.items() for suffix in found),
        key=lambda pair: -len(pair[0]),
    )
    return next((unit for suffix, unit in suffixes if lowered.endswith(suffix)), None)

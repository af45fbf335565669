"""Documented facts about column types: which ``iterator_data_type`` describes a column of each
type, epoch units and their names, zone-less timestamps, and the types Warehouse Sync does not
support (SY04, SY06, TY01, TY02, ``wsync-lint columns``)."""

from __future__ import annotations

from wsync_lint.mparticle.facts import API_REFERENCE, TUTORIAL

# Types are named by their canonical spelling (wsync_lint.analysis.column_types.ColumnType.name): upper
# case, without precision, aliases resolved (Snowflake DATETIME and plain TIMESTAMP are
# TIMESTAMP_NTZ, Redshift `timestamp with time zone` is TIMESTAMPTZ).

# WS-SM-06 (catalogue 2.5, "Column type -> iterator_data_type mapping", inferred from the value
# names; mParticle gives no table): the `iterator_data_type` values that describe a column of
# each type. An empty tuple: no value does (Databricks TIMESTAMP_NTZ is unsupported, WS-TYPE-01).
# The epoch rows name the catalogue's integer type; any other number type is read the same way
# (inferred).
EPOCH_ITERATOR_TYPES: dict[str, str] = {"timestamp_unixtime_ms": "ms", "timestamp_unixtime_s": "s"}
ITERATOR_TYPES_FOR_COLUMN_TYPE: dict[str, dict[str, tuple[str, ...]]] = {
    "snowflake": {"TIMESTAMP_LTZ": ("timestamp_ltz",), "TIMESTAMP_NTZ": ("timestamp_ntz", "datetime"),
                  "TIMESTAMP_TZ": ("timestamp_tz",), "DATE": ("date",), "NUMBER": tuple(EPOCH_ITERATOR_TYPES)},
    "bigquery": {"DATETIME": ("datetime",), "DATE": ("date",), "TIMESTAMP": ("timestamp",),
                 "INT64": tuple(EPOCH_ITERATOR_TYPES)},
    "redshift": {"DATE": ("date",), "TIMESTAMP": ("timestamp",), "TIMESTAMPTZ": ("timestamptz",),
                 "BIGINT": tuple(EPOCH_ITERATOR_TYPES)},
    "databricks": {"DATE": ("date",), "TIMESTAMP": ("timestamp",), "BIGINT": tuple(EPOCH_ITERATOR_TYPES),
                   "TIMESTAMP_NTZ": ()},
}  # fmt: skip
ITERATOR_TYPES_FOR_COLUMN_TYPE_SOURCE = TUTORIAL  # "Set iterator_data_type to the datatype of your iterator"

# WS-SM-07 (inferred from QS1's tutorial assets, C-15): the unit an epoch column's name suggests,
# by the end of its name (case ignored). Longer suffixes are tried first (`_epoch_ms` is ms).
EPOCH_NAME_SUFFIXES: dict[str, tuple[str, ...]] = {
    "ms": ("_ms", "_millis", "_milliseconds"),
    "s": ("_s", "_sec", "_secs", "_seconds", "_epoch"),
}
EPOCH_UNIT_NAMES: dict[str, str] = {"ms": "milliseconds", "s": "seconds", "us": "microseconds", "ns": "nanoseconds"}

# WS-SQL-28 (R2; REF1): "Normalize your timestamps to UTC timestamps". The zone-less timestamp
# types per warehouse (warehouse semantics: Snowflake TIMESTAMP_NTZ and its aliases, BigQuery
# DATETIME, Redshift TIMESTAMP without time zone, Databricks TIMESTAMP_NTZ).
ZONELESS_TIMESTAMP_TYPES: dict[str, tuple[str, ...]] = {
    "snowflake": ("TIMESTAMP_NTZ",),
    "bigquery": ("DATETIME",),
    "redshift": ("TIMESTAMP",),
    "databricks": ("TIMESTAMP_NTZ",),
}
UTC_SOURCE = API_REFERENCE

# WS-TYPE-01 (T2; DBX-NTZ): "Databricks Delta Sharing does not currently support the TIMESTAMP_NTZ
# data type." WS-TYPE-02 (Databricks, "Other data types that are not currently supported ...")
# and WS-TYPE-03 (events pipelines, "the following data types are unsupported") are lists the
# captured tutorial lost (GAP-3): nothing is encoded for them until they are verified.
UNSUPPORTED_COLUMN_TYPES: dict[str, dict[str, str]] = {
    "databricks": {"TIMESTAMP_NTZ": "Databricks Delta Sharing does not currently support the TIMESTAMP_NTZ data type"},
}
UNSUPPORTED_EVENT_COLUMN_TYPES: dict[str, dict[str, str]] = {}  # GAP-3: the list was lost
UNSUPPORTED_COLUMN_TYPES_SOURCE = TUTORIAL

# WS-SQL-27 (T2): "While multi-dimensional, or nested, arrays are unsupported, you can still
# ingest simple arrays with events data."
NESTED_ARRAYS_SOURCE = TUTORIAL

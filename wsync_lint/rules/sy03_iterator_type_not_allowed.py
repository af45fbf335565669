"""The pipeline's `iterator_data_type` is not one its warehouse accepts.

## What it does
Reports a pipeline's `sync_mode.iterator_data_type` that is not in the list of values for the
warehouse of its connection (the connection's `service_provider`); values are exact and lower
case:

| warehouse | `iterator_data_type` |
|---|---|
| Snowflake | `timestamp_ltz`, `timestamp_ntz`, `timestamp_tz`, `datetime`, `date`, `timestamp_unixtime_ms`, `timestamp_unixtime_s` |
| BigQuery | `datetime`, `date`, `timestamp`, `timestamp_unixtime_ms`, `timestamp_unixtime_s` |
| Redshift | `date`, `timestamp`, `timestamptz`, `timestamp_unixtime_ms`, `timestamp_unixtime_s` |
| Databricks | `date`, `timestamp`, `timestamp_unixtime_ms`, `timestamp_unixtime_s` |

`datetime_tz`, which every schedule example of mParticle's API reference uses, is in no list;
`timestamp`, which its pipeline examples use, is not valid on Snowflake. When the connection is
not in the project (or names no known provider), only values that no warehouse accepts are
reported. The hint names the value to use in that warehouse (`datetime_tz` -> `timestamp_tz` on
Snowflake, `timestamptz` on Redshift, `timestamp` on BigQuery and Databricks).

## Why is this bad?
The API rejects the pipeline, or mParticle reads the iterator column with the wrong type and
the incremental window (`WHERE <iterator> BETWEEN ...`) compares the wrong values.

## Example
```json
{
  "id": "users-hourly",
  "pipeline_type": "user_attributes",
  "sync_mode": {"type": "incremental", "iterator_field": "updated_on", "iterator_data_type": "datetime_tz"}
}
```

## Use instead
```json
{
  "id": "users-hourly",
  "pipeline_type": "user_attributes",
  "sync_mode": {"type": "incremental", "iterator_field": "updated_on", "iterator_data_type": "timestamp_tz"}
}
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.resources import Kind, Resource

_ANY_LIST = frozenset(value for values in facts.ITERATOR_DATA_TYPES.values() for value in values)


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def _suggestion(value: str, dialect: str) -> str | None:
    """The value of ``dialect``'s list to write instead of ``value``, when one stands out."""
    allowed = facts.ITERATOR_DATA_TYPES[dialect]
    lowered = value.strip().lower()
    if lowered in allowed:
        return lowered
    equivalent = facts.ITERATOR_TYPE_EQUIVALENTS.get(dialect, {}).get(lowered)
    if equivalent is not None:
        return equivalent
    close = difflib.get_close_matches(lowered, allowed, n=1, cutoff=0.75)
    return close[0] if close else None


def _warehouse_of(ctx: ProjectContext, pipeline: Resource) -> tuple[str, Resource] | None:
    """The warehouse (dialect) of the pipeline's connection, and the connection."""
    connection = ctx.find(Kind.CONNECTION, pipeline.get("connection_id"))
    if connection is None:
        return None
    provider = connection.get("service_provider")
    dialect = facts.SERVICE_PROVIDERS.get(provider) if isinstance(provider, str) else None
    return (dialect, connection) if dialect is not None else None


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        value = pipeline.get("sync_mode", "iterator_data_type")
        if not isinstance(value, str) or not value.strip():
            continue  # absent, empty or not a string: the pipeline's shape (PL01, PL03)
        at = pipeline.value_at("sync_mode", "iterator_data_type")
        found = _warehouse_of(ctx, pipeline)
        if found is not None:
            dialect, connection = found
            allowed = facts.ITERATOR_DATA_TYPES[dialect]
            if value in allowed:
                continue
            display = WAREHOUSES[dialect].display
            suggestion = _suggestion(value, dialect)
            if suggestion is None:
                hint = f"use one of {_listed(allowed)}"
            elif suggestion == value.lower():
                hint = f"write `{suggestion}`: the values are lower case"
            else:
                hint = f"write `{suggestion}` if that is the {display} type of the iterator column"
            yield Finding(
                at,
                f"`iterator_data_type` `{value}` of {pipeline.label} is not valid on {display} "
                f"(the warehouse of {connection.label}), which takes {_listed(allowed)}",
                hint=hint,
            )
            continue
        if value in _ANY_LIST:
            continue  # valid in some warehouse; which one is not known here
        if value.lower() in _ANY_LIST:
            yield Finding(
                at,
                f"`iterator_data_type` `{value}` of {pipeline.label} is valid in no warehouse: the values are lower case",
                hint=f"write `{value.lower()}`",
            )
            continue
        by_value: dict[str, list[str]] = {}
        for dialect in facts.ITERATOR_DATA_TYPES:
            suggestion = _suggestion(value, dialect)
            if suggestion is not None:
                by_value.setdefault(suggestion, []).append(WAREHOUSES[dialect].display)
        where = [f"`{s}` on {' and '.join(displays)}" for s, displays in by_value.items()]
        documented = value.lower() in facts.NEVER_VALID_ITERATOR_TYPES
        yield Finding(
            at,
            f"`iterator_data_type` `{value}` of {pipeline.label} is valid in no warehouse"
            + (" (mParticle's schedule examples use it, but no warehouse's list has it)" if documented else ""),
            hint=(
                "use the type of the iterator column in the connection's warehouse: " + ", ".join(where)
                if where
                else "use a value of the connection's warehouse, e.g. on Snowflake "
                + _listed(facts.ITERATOR_DATA_TYPES["snowflake"])
            ),
        )


RULE = Rule(
    code="SY03",
    name="iterator-type-not-allowed",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

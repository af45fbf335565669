"""The committed schema snapshot no longer matches the warehouse.

## What it does
In `wsync-lint preflight`, compares the committed snapshot of the connection
(`schemas/<connection-id>.json`) with what the warehouse says about every table the model
reads: a table or column the warehouse no longer has, a column the snapshot lacks, a column
whose type changed. Reported in the snapshot file, at the table or column. Names are compared
the way the warehouse compares them; types by their canonical name (`TEXT` and `VARCHAR` are
the same Snowflake type).

## Why is this bad?
`check` trusts the snapshot for type and column checks in CI (RF05, RF06, SY04, TY01). A stale
snapshot lets a dropped column or a changed iterator type pass CI and fault the pipeline.
`wsync-lint schema pull` rewrites the snapshot from the warehouse.

## Example
```json
{"dialect": "snowflake",
 "tables": {"ANALYTICS.CRM.CUSTOMERS": {"CUSTOMER_ID": "VARCHAR", "UPDATED_AT": "TIMESTAMP_NTZ"}}}
```

## Use instead
```json
{"dialect": "snowflake",
 "tables": {"ANALYTICS.CRM.CUSTOMERS": {"CUSTOMER_ID": "VARCHAR", "UPDATED_AT": "TIMESTAMP_TZ"}}}
```

## Known limitations
Needs the warehouse (`preflight`). Only the tables the project's models read are compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.analysis.column_types import parse_type
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext

HINT = "run `wsync-lint schema pull` to rewrite the snapshot from the warehouse"


def _same_type(committed: str, live: str, ctx: LiveContext) -> bool:
    warehouse = ctx.warehouse
    left = parse_type(committed, warehouse.name, warehouse)
    right = parse_type(live, warehouse.name, warehouse)
    if left.name != right.name:
        return False
    if left.data_type is not None and right.data_type is not None and (left.data_type.is_type(*_NESTED)):
        return left.data_type.sql(warehouse.name) == right.data_type.sql(warehouse.name)
    return True


_NESTED = ("ARRAY", "STRUCT", "MAP", "OBJECT")


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    file = ctx.snapshot
    if file is None:
        return
    snapshot = file.snapshot
    shown = f"`{snapshot.shown}`"
    seen: set[str] = set()
    for use in ctx.tables:
        matches = snapshot.matching_tables(use.parts)
        name = ".".join(matches[0]) if len(matches) == 1 else None
        if name is not None and name in seen:
            continue
        if name is None:
            if use.live is not None and not matches:
                live_name = ".".join(use.live.name)
                yield Finding(
                    file.key_at(),
                    f"the snapshot {shown} lacks {code(live_name)}, which the model reads as {code(use.reference)} "
                    f"(connection `{ctx.connection_id}`)",
                    hint=HINT,
                    severity=Severity.WARNING,
                )
            continue
        seen.add(name)
        if use.live is None:
            yield Finding(
                file.key_at(name),
                f"{code(name)} is in the snapshot {shown} but not in the warehouse (connection `{ctx.connection_id}`)",
                hint=HINT,
            )
            continue
        committed = snapshot.tables[name]
        key = ctx.warehouse.column_key
        live_columns = {key(column.name): column for column in use.live.columns}
        committed_keys = {key(column): column for column in committed}
        for column_key, column in committed_keys.items():
            found = live_columns.get(column_key)
            if found is None:
                yield Finding(
                    file.key_at(name, column),
                    f"column {code(column)} of {code(name)} is in the snapshot but no longer in the warehouse",
                    hint=HINT,
                )
            elif not _same_type(committed[column], found.type, ctx):
                yield Finding(
                    file.value_at(name, column),
                    f"column {code(column)} of {code(name)} is {code(committed[column])} in the snapshot but "
                    f"{code(found.type)} in the warehouse",
                    hint=HINT,
                )
        added = [column.name for column_key, column in live_columns.items() if column_key not in committed_keys]
        if added:
            yield Finding(
                file.key_at(name),
                f"{code(name)} has columns the snapshot lacks: {', '.join(code(c) for c in added)}",
                hint=HINT,
            )


RULE = Rule(
    code="LV04",
    name="schema-drift",
    check=check,
    doc=__doc__ or "",
    needs=Needs.LIVE,
    default_severity=Severity.WARNING,
)

"""An output column has a type the warehouse integration does not support.

## What it does
Reports each output column whose type (see `wsync-lint columns`: a cast, a function, and with
a schema snapshot a column read from a snapshot table or behind a `*`, through derived tables
and CTEs) is, or holds in its elements or fields, a type mParticle documents as unsupported for
the warehouse:

- Databricks: `TIMESTAMP_NTZ` ("Databricks Delta Sharing does not currently support the
  TIMESTAMP_NTZ data type", WS-TYPE-01), whether the column is the iterator or not: a
  `CAST(... AS TIMESTAMP_NTZ)`, `...::TIMESTAMP_NTZ`, `TO_TIMESTAMP_NTZ(...)` or
  `LOCALTIMESTAMP` without a snapshot, and a table's `TIMESTAMP_NTZ` column with one.

The finding points at the output column and names its type as the snapshot or the cast writes
it.

## Why is this bad?
mParticle reads a Databricks model through Delta Sharing, which cannot share a `TIMESTAMP_NTZ`
value: the pipeline fails on its first run instead of when the model is reviewed.

## Example
```sql
-- dialect: databricks
SELECT c.customer_id, c.email, CAST(c.updated_at AS TIMESTAMP_NTZ) AS updated_at
FROM analytics.crm.customers c
```

## Use instead
```sql
-- dialect: databricks
SELECT c.customer_id, c.email, CAST(c.updated_at AS TIMESTAMP) AS updated_at
FROM analytics.crm.customers c
```

## Known limitations
mParticle's tutorial also lists other types the Databricks integration does not support, and
types an events pipeline does not support (WS-TYPE-02, WS-TYPE-03), but those lists were lost
from the captured documentation (GAP-3): only `TIMESTAMP_NTZ` is checked until they are
verified (they go in `type_facts.UNSUPPORTED_COLUMN_TYPES` and `type_facts.UNSUPPORTED_EVENT_COLUMN_TYPES`).
Nested arrays in events are TY02. A column whose type is unknown (a table column without a
snapshot, an expression sqlglot cannot type, a `*` the snapshot cannot expand) is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.column_types import contains_type
from wsync_lint.analysis.typed_outputs import typed_outputs
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import facts, type_facts

# What to cast an unsupported type to instead (the warehouse's nearest supported type).
_INSTEAD = {"TIMESTAMP_NTZ": "TIMESTAMP"}


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    unsupported = dict(type_facts.UNSUPPORTED_COLUMN_TYPES.get(ctx.warehouse.name, {}))
    if ctx.settings.pipeline_type == facts.PIPELINE_TYPE_EVENTS:
        unsupported.update(type_facts.UNSUPPORTED_EVENT_COLUMN_TYPES.get(ctx.warehouse.name, {}))
    if not unsupported:
        return
    names = frozenset(unsupported)
    display = ctx.warehouse.display
    for query in ctx.queries:
        for output in typed_outputs(ctx, query):
            kind = output.type
            if kind is None:
                continue
            hit = contains_type(kind, names, ctx.warehouse)
            if hit is None:
                continue
            name = output.shown(ctx)
            where = "" if hit == kind.name else f" (it holds `{hit}` values)"
            instead = _INSTEAD.get(hit)
            yield Finding(
                output.item,
                f"output column `{name}` is {kind.shown}{where}, which Warehouse Sync does not support on {display}: "
                f"{unsupported[hit]}",
                hint=f"cast it in the model (`CAST(... AS {instead})`)" if instead else "convert it in the model",
            )


RULE = Rule(
    code="TY01",
    name="unsupported-column-type",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    reads_pipeline=True,
)

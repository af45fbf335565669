"""An events model returns a nested array, which mParticle does not ingest.

## What it does
For a model an events pipeline uses (`pipeline_type: events`), reports each output column whose
value is an array that holds arrays, directly (`ARRAY<ARRAY<STRING>>`, `[[1, 2], [3]]`) or in a
field of its elements (`ARRAY<STRUCT<sku STRING, tags ARRAY<STRING>>>`). The SQL alone proves
it for array literals of arrays (`ARRAY_CONSTRUCT(ARRAY_CONSTRUCT(...))`, `array(array(...))`,
`[[...]]`) and for `ARRAY_AGG` / `collect_list` of a value cast to an array; with a schema
snapshot, also for array columns of snapshot tables and for `ARRAY_AGG` of them (a Snowflake
`ARRAY` column aggregated with `ARRAY_AGG` is an array of arrays). The finding points at the
output column.

The rule runs without a snapshot and does more with one. User-attribute pipelines are not
checked: arrays there become list attributes.

## Why is this bad?
mParticle's tutorial: "While multi-dimensional, or nested, arrays are unsupported, you can
still ingest simple arrays with events data." The events built from such a column cannot be
ingested as the model returns them.

## Example
```sql
-- wsync-lint: pipeline_type=events
SELECT s.session_id AS event_id, 'page_views' AS event_type,
       ARRAY_AGG(ARRAY_CONSTRUCT(s.page_url, s.viewed_at)) AS pages
FROM analytics.web.page_views s
GROUP BY s.session_id
```

## Use instead
```sql
-- wsync-lint: pipeline_type=events
SELECT s.session_id AS event_id, 'page_views' AS event_type, ARRAY_AGG(s.page_url) AS pages
FROM analytics.web.page_views s
GROUP BY s.session_id
```

## Known limitations
An array whose element type is unknown (a Snowflake `ARRAY` or `VARIANT` column read as is, a
Redshift `SUPER`, a value built by a function sqlglot cannot type) is not checked. An array of
structs holding arrays is counted as nested; mParticle's text does not say how it treats one.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.column_types import has_nested_array
from wsync_lint.analysis.typed_outputs import typed_outputs
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import facts

# How to turn an array of arrays into a simple array, per warehouse.
_FLATTEN = {
    "snowflake": "`ARRAY_FLATTEN(...)`",
    "bigquery": "`ARRAY(SELECT ... FROM UNNEST(...), UNNEST(...))`",
    "redshift": "unnesting it with `FROM t, t.array_column AS a`",
    "databricks": "`flatten(...)`",
}
# Constructs whose nesting the SQL alone shows: arrays and array aggregates.
_ARRAY_BUILDERS = (exp.Array, exp.ArrayAgg, exp.ArrayUniqueAgg)


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if ctx.settings.pipeline_type != facts.PIPELINE_TYPE_EVENTS:
        return
    if ctx.schema is None and not ctx.nodes(*_ARRAY_BUILDERS):
        return  # without a snapshot only the SQL's own arrays can be nested
    for query in ctx.queries:
        for output in typed_outputs(ctx, query):
            kind = output.type
            if kind is None or kind.kind not in ("array", "struct"):
                continue
            if has_nested_array(kind, ctx.warehouse) is None:
                continue
            name = output.shown(ctx)
            shown = f" ({kind.shown})" if "<" in kind.written else ""  # element types spelled out
            yield Finding(
                output.item,
                f"events column `{name}` is an array that holds arrays{shown}: mParticle does not ingest nested "
                "arrays with events data",
                hint=f"flatten it to a simple array ({_FLATTEN[ctx.warehouse.name]}), or return the inner arrays "
                "as columns of their own",
            )


RULE = Rule(
    code="TY02",
    name="nested-array-in-events",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    reads_pipeline=True,
)

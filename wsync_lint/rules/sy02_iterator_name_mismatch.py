"""The pipeline's `iterator_field` matches an output column only when case is ignored.

## What it does
For each pipeline whose data model is in the project, reports a `sync_mode.iterator_field` that
names an output column of the model only if case is ignored, so that the warehouse does not
resolve it. The finding points at the `iterator_field` value and is also reported when the
model's files (payload, SQL) or the connection's file are checked.

mParticle filters the model's result with `WHERE <iterator_field> BETWEEN ...`, writing the
iterator unquoted (as in mParticle's own wrapper examples, `WHERE SCANNED_TIMESTAMP_MS BETWEEN`;
GAP-8). The iterator therefore resolves the way an unquoted name does in the connection's
warehouse:

- **Snowflake** upper-cases the unquoted iterator and compares it exactly with the names the
  model returns. Iterator `UPDATED_AT` or `updated_at` finds `SELECT updated_at` (returned
  `UPDATED_AT`) and `AS "UPDATED_AT"`; neither finds `AS "updated_at"` (returned `updated_at`)
  nor `AS "UpdatedAt"`: reported.
- **Redshift** lower-cases unquoted names and, by default, returns every column name in lower
  case (quoted ones too), so any spelling of the iterator resolves: never reported.
- **BigQuery** and **Databricks** resolve column names case-insensitively: iterator
  `UPDATED_AT` finds `AS updated_at` or `` AS `UpdatedAt` ``: never reported.

An iterator that names no output column at all is SY01's business. The rule stays silent when
the output columns are unknown (the SQL does not parse, is not one query, or selects `*`), and
for a `full` sync without `from` or `until`.

## Why is this bad?
The wrapper query fails in the warehouse ("invalid identifier") on every run although the
model seems to return the column: on Snowflake a quoted lower-case alias is a different column
from the unquoted iterator.

## Example
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: 'SELECT c.customer_id, c.updated_at AS "updated_at" FROM analytics.crm.customers c'
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ntz}
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: SELECT c.customer_id, c.updated_at AS updated_at FROM analytics.crm.customers c
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ntz}
```

## Known limitations
Assumes mParticle writes the iterator unquoted (GAP-8 in the catalogue) and, on Redshift, the
default `enable_case_sensitive_identifier = false`.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.attributes import written_name
from wsync_lint.analysis.iterators import iterator_uses, related_paths, resolves, same_ignoring_case
from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    for use in iterator_uses(ctx):
        pipeline, iterator, outputs, warehouse = use.pipeline, use.iterator, use.outputs, use.warehouse
        if any(resolves(warehouse, iterator, name) for _, name in outputs):
            continue
        match = next(((c, name) for c, name in outputs if same_ignoring_case(iterator, name)), None)
        if match is None:
            continue  # SY01
        column, returned = match
        written = written_name(column, warehouse) if column.name is not None else returned
        folded = warehouse.fold(iterator)
        yield Finding(
            pipeline.value_at("sync_mode", "iterator_field"),
            f"`iterator_field` `{iterator}` of {pipeline.label} matches output column "
            f"`{written}` of {use.binding.model.label} only when case is ignored: "
            f"{warehouse.display} reads the unquoted `{iterator}` in mParticle's `WHERE {iterator} BETWEEN ...` "
            f"as `{folded}`, and the model returns `{returned}`",
            hint=f"make the model return `{folded}` (alias the column `AS {folded}`, without quotes)",
            related=related_paths(use.binding, use.view),
        )


RULE = Rule(
    code="SY02",
    name="iterator-name-mismatch",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

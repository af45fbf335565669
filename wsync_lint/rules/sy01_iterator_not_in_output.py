"""The pipeline's `iterator_field` is not an output column of its data model.

## What it does
For each pipeline whose data model is in the project, reports a `sync_mode.iterator_field` that
names none of the model's output columns, not even when case is ignored. The finding points at
the `iterator_field` value and is also reported when the model's files (payload, SQL) or the
connection's file are checked.

The iterator is looked up among the names the model returns (aliases and bare columns, as the
warehouse returns them, and the columns behind a `*` or `t.*` as the connection's schema
snapshot expands them). The rule stays silent when the output columns are unknown (the SQL
does not parse, is not one query, or selects a `*` that no snapshot expands), and for a `full`
sync without `from` or `until` (the iterator is not used then). An iterator that matches a column only when case is
ignored is SY02's business.

## Why is this bad?
mParticle wraps the model and filters its result on the iterator:
`SELECT ... FROM (<model>) WHERE <iterator_field> BETWEEN ...`. A column the model does not
return cannot be filtered on, so every run of the pipeline fails in the warehouse ("invalid
identifier"). Filtering on a column of the table inside the model does not help: only the
model's own output columns are visible to the wrapper.

## Example
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: SELECT c.customer_id, c.email FROM analytics.crm.customers c
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: UPDATED_AT, iterator_data_type: timestamp_ntz}
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: SELECT c.customer_id, c.email, c.updated_at FROM analytics.crm.customers c
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: UPDATED_AT, iterator_data_type: timestamp_ntz}
```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from wsync_lint.analysis.iterators import iterator_uses, related_paths, resolves, same_ignoring_case
from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    for use in iterator_uses(ctx):
        pipeline, iterator, outputs, warehouse = use.pipeline, use.iterator, use.outputs, use.warehouse
        if any(resolves(warehouse, iterator, n) or same_ignoring_case(iterator, n) for _, n in outputs):
            continue
        names = list(dict.fromkeys(n for _, n in outputs))
        close = difflib.get_close_matches(iterator.casefold(), [n.casefold() for n in names], n=1, cutoff=0.6)
        if close:
            suggestion = next(n for n in names if n.casefold() == close[0])
            hint = f"set `iterator_field` to the output column it should name (`{suggestion}`?), or select the column"
        elif names:
            shown = ", ".join(f"`{n}`" for n in names[:5]) + (", ..." if len(names) > 5 else "")
            hint = f"select the iterator column in the model, or set `iterator_field` to an output column ({shown})"
        else:
            hint = "select the iterator column in the model"
        yield Finding(
            pipeline.value_at("sync_mode", "iterator_field"),
            f"`iterator_field` `{iterator}` of {pipeline.label} is not an output column of {use.binding.model.label}: "
            f"mParticle's `WHERE {iterator} BETWEEN ...` on the model's result fails in {warehouse.display}",
            hint=hint,
            related=related_paths(use.binding, use.view),
        )


RULE = Rule(
    code="SY01",
    name="iterator-not-in-output",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

"""The pipeline's `iterator_field` is not an output column of its data model.

## What it does
For each pipeline whose data model is in the project, reports a `sync_mode.iterator_field` that
names none of the model's output columns, not even when case is ignored. The finding points at
the `iterator_field` value and is also reported when the model's files (payload, SQL) or the
connection's file are checked.

The iterator is looked up among the names the model returns (aliases and bare columns, as the
warehouse returns them). The rule stays silent when the output columns are unknown (the SQL
does not parse, is not one query, or selects `*`), and for a `full` sync without `from` or
`until` (the iterator is not used then). An iterator that matches a column only when case is
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
from collections.abc import Iterator, Mapping

from wsync_lint import facts
from wsync_lint.attributes import identity_candidate
from wsync_lint.outputs import OutputColumn
from wsync_lint.project import Binding
from wsync_lint.project_context import ModelView, ProjectContext
from wsync_lint.resources import Resource
from wsync_lint.rule import Finding, Needs, Rule
from wsync_lint.warehouses import Warehouse

# -- shared with SY02 -------------------------------------------------------------------------


def iterator_field(pipeline: Resource) -> str | None:
    """The pipeline's `sync_mode.iterator_field`, when it is a non-empty string."""
    value = pipeline.get("sync_mode", "iterator_field")
    return value if isinstance(value, str) and value.strip() else None


def iterator_used(pipeline: Resource) -> bool:
    """Whether mParticle filters on the iterator: an incremental sync (or one of unknown type),
    or any sync with a `from` / `until` window (WS-SQL-22)."""
    sync_mode = pipeline.get("sync_mode")
    if not isinstance(sync_mode, Mapping):
        return False
    return (
        sync_mode.get("type") != facts.SYNC_MODE_FULL
        or sync_mode.get("from") is not None
        or sync_mode.get("until") is not None
    )


def resolves(warehouse: Warehouse, iterator: str, returned: str) -> bool:
    """Whether the unquoted `iterator` in mParticle's `WHERE <iterator> BETWEEN ...` names the
    output column the warehouse returns as ``returned`` (GAP-8: the iterator is not quoted)."""
    return warehouse.reference_key(iterator, quoted=False) == warehouse.column_key(returned)


def same_ignoring_case(iterator: str, returned: str) -> bool:
    return returned.casefold() == iterator.casefold()


def output_names(ctx: ProjectContext, binding: Binding) -> tuple[ModelView, list[tuple[OutputColumn, str]]] | None:
    """The model's view for the binding, and each output column with the name the warehouse
    returns for it where the SQL tells it: aliases and columns, the last part of a struct path,
    and on Redshift the name PostgreSQL gives a cast or function call (`updated_at::date` is
    `updated_at`). None when the output columns are unknown."""
    view = ctx.view(binding)
    if view is None:
        return None
    outputs = view.outputs
    if outputs is None:
        return None
    sql = view.context
    named = []
    for column in outputs:
        name = identity_candidate(column, sql.warehouse, sql.text)
        if name is not None:
            named.append((column, name))
    return view, named


def related_paths(binding: Binding, view: ModelView) -> tuple[str, ...]:
    """The files besides the pipeline's that a finding on the pipeline's iterator involves."""
    paths = dict.fromkeys((view.sql_path, *binding.paths))  # the model, its SQL and the connection
    paths.pop(binding.pipeline.path, None)
    return tuple(paths)


def model_label(binding: Binding) -> str:
    return binding.model.label


# ---------------------------------------------------------------------------------------------


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    for binding in ctx.bindings:
        pipeline = binding.pipeline
        iterator = iterator_field(pipeline)
        if iterator is None or not iterator_used(pipeline):
            continue
        found = output_names(ctx, binding)
        if found is None:
            continue
        view, outputs = found
        warehouse = view.context.warehouse
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
            f"`iterator_field` `{iterator}` of {pipeline.label} is not an output column of {model_label(binding)}: "
            f"mParticle's `WHERE {iterator} BETWEEN ...` on the model's result fails in {warehouse.display}",
            hint=hint,
            related=related_paths(binding, view),
        )


RULE = Rule(
    code="SY01",
    name="iterator-not-in-output",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

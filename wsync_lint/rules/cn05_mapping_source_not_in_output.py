"""A field transformation maps a `source` that is not an output column of the pipeline's model.

## What it does
For each `events` pipeline whose data model and field transformation are in the project,
reports a `column` or `ignore` mapping whose `source` is not the name of an output column of
the model, compared with the name as the connection's warehouse returns it:

- Snowflake upper-cases unquoted names: `SELECT eventId` returns `EVENTID`, so `source: eventId`
  is reported (the hint names `EVENTID`); `SELECT eventId AS "eventId"` returns `eventId`.
- Redshift returns every name in lower case: `source: eventId` is reported for `SELECT eventId`
  (returned `eventid`).
- BigQuery and Databricks return names as written. For a bare column (`SELECT e.eventId`) the
  name comes back as the table spells it, which only a schema knows, so a `source` that differs
  from it only in case is not reported there; an alias (`AS eventId`) is exact.

The finding points at the `source` value and is also reported when the model's files (payload,
SQL), the pipeline's or the connection's file is checked. The rule stays silent when the output columns are unknown (the SQL
does not parse, is not one query, or selects a `*` that the connection's schema snapshot does
not expand); with a snapshot, the columns behind a `*` are output columns.

## Why is this bad?
A field transformation reads each row as mParticle receives it, keyed by the column names the
warehouse returns. A `source` that names no such column maps nothing: the event field stays
empty (`column`), or the column is not ignored and lands as an attribute (`ignore`).

## Example
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: web-events
  type: sql
  config:
    sql_query: SELECT e.eventId, e.eventType FROM analytics.web.events e
- id: web-events-ft
  destination_type: event_batch
  mappings:
    - {mapping_type: column, source: eventId, destination: event_id}
- id: web-events-hourly
  pipeline_type: events
  connection_id: snowflake-prod
  data_model_id: web-events
  field_transformation_id: web-events-ft
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: web-events
  type: sql
  config:
    sql_query: SELECT e.eventId, e.eventType FROM analytics.web.events e
- id: web-events-ft
  destination_type: event_batch
  mappings:
    - {mapping_type: column, source: EVENTID, destination: event_id}
- id: web-events-hourly
  pipeline_type: events
  connection_id: snowflake-prod
  data_model_id: web-events
  field_transformation_id: web-events-ft
```
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from wsync_lint.analysis.attributes import written_name
from wsync_lint.analysis.iterators import output_entries
from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import Warehouse
from wsync_lint.project.resources import Kind
from wsync_lint.sql.outputs import OutputColumn

# A name the warehouse may have invented for an unaliased expression (`COUNT(*)` on Snowflake,
# `f0_` on BigQuery): a `source` like this may name such a column, which this rule cannot know.
_INVENTED = re.compile(r"[^A-Za-z0-9_$]|^f\d+_$")


def _found(source: str, outputs: list[tuple[OutputColumn, str]], warehouse: Warehouse) -> bool:
    for column, returned in outputs:
        if returned == source:
            return True
        if warehouse.folding == "preserve" and not column.aliased and returned.casefold() == source.casefold():
            return True  # a bare column comes back as the table spells it
    return False


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    seen: set[tuple[object, ...]] = set()
    for binding in ctx.bindings:
        pipeline = binding.pipeline
        if pipeline.get("pipeline_type") != facts.PIPELINE_TYPE_EVENTS:
            continue
        transformation = ctx.find(Kind.FIELD_TRANSFORMATION, pipeline.get("field_transformation_id"))
        if transformation is None:
            continue
        mappings = transformation.get("mappings")
        if not isinstance(mappings, list):
            continue
        found = output_entries(ctx, binding)
        if found is None:
            continue
        view, entries = found
        outputs = [(column, name) for column, name in entries if name is not None]
        warehouse = view.context.warehouse
        unnamed = len(outputs) < len(entries)
        names = list(dict.fromkeys(name for _, name in outputs))
        for index, mapping in enumerate(mappings):
            if not isinstance(mapping, Mapping) or mapping.get("mapping_type") not in facts.MAPPING_NEEDS_SOURCE:
                continue
            source = mapping.get("source")
            if not isinstance(source, str) or not source or _found(source, outputs, warehouse):
                continue
            if unnamed and _INVENTED.search(source):
                continue  # may be the name the warehouse gave an unaliased expression
            key = (id(transformation), index, view.sql.key, warehouse.name)
            if key in seen:
                continue  # the same model in the same warehouse, for another pipeline
            seen.add(key)
            match = next(((c, n) for c, n in outputs if n.casefold() == source.casefold()), None)
            if match is not None:
                column, returned = match
                written = written_name(column, warehouse) if column.name is not None else returned
                how = (
                    f"{warehouse.display} returns its column `{written}` as `{returned}`"
                    if written != returned
                    else f"its column is `{returned}`, and names are compared with their case"
                )
                message = (
                    f"mapping `source` `{source}` of {transformation.label} is not an output column of "
                    f"{binding.model.label}: {how}"
                )
                hint = f"write `source: {returned}`"
                if not warehouse.folds_quoted and warehouse.folding != "preserve":
                    quote = warehouse.identifier_quote
                    hint += f", or alias the column `AS {quote}{source}{quote}` in the model to keep its case"
            else:
                close = difflib.get_close_matches(source, names, n=1, cutoff=0.6)
                message = (
                    f"mapping `source` `{source}` of {transformation.label} is not an output column of "
                    f"{binding.model.label} ({warehouse.display}), used by {pipeline.label}"
                )
                hint = (
                    f"did you mean `{close[0]}`? `source` must be a column name as {warehouse.display} returns it"
                    if close
                    else "select the column in the model, or map a column it returns"
                )
            related = dict.fromkeys((view.sql_path, *binding.paths))  # SQL, model, pipeline, connection
            related.pop(transformation.path, None)
            yield Finding(
                transformation.value_at("mappings", index, "source"),
                message,
                hint=hint,
                related=tuple(related),
            )


RULE = Rule(
    code="CN05",
    name="mapping-source-not-in-output",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

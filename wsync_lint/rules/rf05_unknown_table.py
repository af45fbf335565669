"""A table the model reads is not in the warehouse's schema snapshot.

## What it does
With a schema snapshot (`schemas/<connection-id>.json` for a model a pipeline uses, or the
file a `-- wsync-lint: schema=...` directive names), reports each table or view in a `FROM` or
`JOIN` that the snapshot does not have, compared the way the warehouse compares names
(Snowflake upper-cases unquoted names, Redshift lower-cases them). A name with fewer parts than
the snapshot's (`crm.customers`) matches any table whose name ends with it. WITH names, table
functions, `UNNEST` and system tables are not warehouse tables and are not looked up.

Without a snapshot the rule does not run, and the summary line says so.

## Why is this bad?
mParticle's first query fails with the warehouse's "object does not exist or not authorized",
and the pipeline faults. A snapshot committed next to the models lets CI catch a misspelt or
dropped table without warehouse credentials.

## Example
```sql
-- wsync-lint: schema=schemas/example.json
SELECT customer_id, email FROM analytics.crm.customer
```

## Use instead
```sql
-- wsync-lint: schema=schemas/example.json
SELECT customer_id, email FROM analytics.crm.customers
```

## Known limitations
BigQuery compares dataset and table names as the snapshot spells them, ignoring case; its real
rule (case-sensitive table names) is stricter.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from wsync_lint.analysis.from_items import SourceKind
from wsync_lint.analysis.scopes import analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.warehouses import Warehouse
from wsync_lint.sql.table_names import NamePart, name_parts, name_span


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    snapshot = ctx.schema
    if snapshot is None:
        return
    known = list(snapshot.tables)
    for scope in analyse(ctx).scopes:
        for source in scope.sources:
            if source.kind is not SourceKind.TABLE or not source.name:
                continue
            parts = name_parts(source.name, ctx.warehouse.name)
            if any("{" in part.name or "}" in part.name for part in parts):
                continue  # a template placeholder: PS03 reports it
            if snapshot.matching_tables(tuple((part.name, part.quoted) for part in parts)):
                continue
            written = _written(parts, ctx.warehouse)
            close = difflib.get_close_matches(written.upper(), [name.upper() for name in known], n=1, cutoff=0.75)
            suggestion = next((name for name in known if close and name.upper() == close[0]), None)
            yield Finding(
                name_span(source.name) or source.node,
                f"{code(written)} is not in {snapshot.described}"
                + (
                    ""
                    if snapshot.live
                    else f" ({len(known)} table{'s' if len(known) != 1 else ''} of {snapshot.warehouse.display})"
                ),
                hint=f"did you mean {code(suggestion)}?"
                if suggestion
                else "check the name, or refresh the snapshot if the table is new",
            )


def _written(parts: tuple[NamePart, ...], warehouse: Warehouse) -> str:
    """The name as the user wrote it (quotes kept where they change its meaning)."""
    quote = warehouse.identifier_quote
    if warehouse.name == "bigquery":
        return ".".join(part.name for part in parts)
    return ".".join(f"{quote}{part.name}{quote}" if part.quoted else part.name for part in parts)


RULE = Rule(
    code="RF05",
    name="unknown-table",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    needs_schema=True,
)

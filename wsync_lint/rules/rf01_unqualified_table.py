"""A table is not fully qualified with its database (project, catalog) and schema.

## What it does
Reports a table reference in a `FROM` or `JOIN` that does not name all three parts the
warehouse uses to find a table:

| warehouse | fully qualified |
|---|---|
| Snowflake, Redshift | `database.schema.table` |
| BigQuery | `project.dataset.table` (also written `` `project.dataset.table` ``) |
| Databricks | `catalog.schema.table` |

References to WITH names, derived tables, `LATERAL` subqueries, `UNNEST`, path navigation
(`FROM t, t.items`), `VALUES` and table functions (`FLATTEN`, `TABLE(...)`, `GENERATOR`,
`IDENTIFIER(...)`) are not table names and are not reported. Neither are Redshift's system
tables (`stl_`, `stv_`, `svl_`, `svv_`, `sys_`, `pg_` ..., and `pg_catalog.` or
`information_schema.` names), which resolve in every database, `DUAL`, Databricks file paths
(`` delta.`/path` ``) and names holding a template placeholder (PS03 reports those).

## Why is this bad?
mParticle runs the model in its own session, whose current database and schema are whatever
the connection's user defaults to, not those of the worksheet where the query was written.
mParticle's documentation asks for fully qualified names because `SELECT * FROM table` "may
not work". A name that resolves today can point at another table, or at nothing, after a
change of default.

## Example
```sql
SELECT scanned_timestamp_ms, cid AS customer_id, propensity_to_buy
FROM demo.mp_dw_demo_attr
```

## Use instead
```sql
SELECT scanned_timestamp_ms, cid AS customer_id, propensity_to_buy
FROM demodw.demo.mp_dw_demo_attr
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.from_items import SourceKind
from wsync_lint.analysis.scopes import analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.table_names import name_parts, name_span

# What each warehouse calls the parts of a fully qualified name, outermost first.
_PARTS = {
    "snowflake": ("database", "schema", "table"),
    "redshift": ("database", "schema", "table"),
    "bigquery": ("project", "dataset", "table"),
    "databricks": ("catalog", "schema", "table"),
}

# Redshift system tables and views live in pg_catalog and resolve in every database
# (https://docs.aws.amazon.com/redshift/latest/dg/cm_chap_system-tables.html).
_REDSHIFT_SYSTEM = re.compile(r"(stl|stv|svl|svv|svcs|stcs|sys|pg)_", re.IGNORECASE)
_REDSHIFT_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if not ctx.nodes(exp.Table):
        return
    analysis = analyse(ctx)
    dialect = ctx.warehouse.name
    parts_named = _PARTS.get(dialect, _PARTS["snowflake"])
    for scope in analysis.scopes:
        for source in scope.sources:
            if source.kind is not SourceKind.TABLE or not source.name:
                continue
            segments = [part.name for part in name_parts(source.name, dialect)]
            if len(segments) >= 3 or _exempt(segments, dialect):
                continue
            written = analysis.written_name(source.name)
            missing = parts_named[: 3 - len(segments)]
            missing_text = " and ".join(missing)
            verb = "is" if len(missing) == 1 else "are"
            where = "the query job's default" if dialect == "bigquery" else "the session's current"
            message = (
                f"{code(written)} is not fully qualified: the {missing_text} {verb} missing, so "
                f"{ctx.warehouse.display} resolves it in {where} {missing_text}"
            )
            full = ".".join((*missing, *segments))
            shape = ".".join(parts_named)
            if dialect == "bigquery":
                full = f"`{full}`"
            hint = f"write it as {code(full, limit=200)} ({code(shape)})"
            yield Finding(name_span(source.name) or source.node, message, hint=hint)


def _exempt(segments: list[str], dialect: str) -> bool:
    table = segments[-1]
    if len(segments) == 1 and table.lower() == "dual":
        return True  # the one-row dummy table
    if any("{" in segment or "}" in segment for segment in segments):
        return True  # a template placeholder (PS03 reports it)
    if dialect == "databricks" and ("/" in table or ":" in table):
        return True  # a file path: delta.`/mnt/data`, parquet.`s3://bucket/x`
    if dialect == "redshift":
        if _REDSHIFT_SYSTEM.match(table):
            return True
        if len(segments) == 2 and segments[0].lower() in _REDSHIFT_SYSTEM_SCHEMAS:
            return True
    return False


RULE = Rule(
    code="RF01",
    name="unqualified-table",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

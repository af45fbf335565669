"""An output name the warehouse cannot return as written.

## What it does
Reports an output column name (an alias, or a bare column's name) that breaks the warehouse's
naming rules for columns:

| Warehouse | Rule |
|---|---|
| Snowflake | at most 255 characters |
| BigQuery | letters, digits and underscores, starting with a letter or underscore; at most 300 characters |
| Redshift | at most 127 bytes (UTF-8) |
| Databricks | none (see Known limitations) |

The name is checked as the warehouse returns it (after case folding).

## Why is this bad?
The name becomes the attribute's key in mParticle. A name the warehouse rejects makes the
data model fail, and one it shortens or rewrites lands under a name nobody wrote.

## Example
```sql
-- dialect: bigquery
SELECT customer_id, lifetime_value AS `lifetime value`
FROM `mp-demo.crm.customers`
```

## Use instead
```sql
-- dialect: bigquery
SELECT customer_id, lifetime_value AS lifetime_value
FROM `mp-demo.crm.customers`
```

## Known limitations
BigQuery datasets with "flexible column names" accept more characters; the rule follows the
default rules.

Databricks names are not checked. Delta Lake's forbidden characters (space , ; { } ( ) =) and
its 255-character limit are rules for the columns of a Delta table, not for the names a query
returns: Databricks returns `` `lifetime value` `` as written, and no documented Warehouse Sync
constraint covers Databricks output names (WS-TYPE-06 names Snowflake and BigQuery only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from wsync_lint.analysis.attributes import named, shorten, typographic_inner
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def _describe_problem(name: str, pattern: re.Pattern[str]) -> str:
    """Why ``name`` does not match ``pattern``, in words ('a' is valid in every pattern)."""
    if not name:
        return "it is empty"
    for i, char in enumerate(name):
        if pattern.match("a" + char) is None:
            return f"it contains {_show(char)}"
        if i == 0 and pattern.match(char) is None:
            return f"it starts with {_show(char)}"
    return "it does not follow them"


def _show(char: str) -> str:
    names = {" ": "a space", "\t": "a tab", "\n": "a line break"}
    return names.get(char, f"`{char}`")


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse
    unit = "bytes" if warehouse.length_in_bytes else "characters"
    for query in ctx.queries:
        for column in named(ctx.outputs(query)):
            returned = column.returned_name
            if typographic_inner(returned) is not None:
                continue  # PS04 reports the typographic quotes
            shown = shorten(returned, 40)
            length = warehouse.name_length(returned)
            if warehouse.max_name_length is not None and length > warehouse.max_name_length:
                yield Finding(
                    column.name_node,
                    f"output name `{shown}` is {length} {unit} long; {warehouse.display} column names are "
                    f"at most {warehouse.max_name_length} {unit}",
                    hint=f"shorten it with `AS <name>` ({warehouse.name_rule})",
                )
            elif warehouse.name_pattern is not None and not warehouse.name_pattern.match(returned):
                detail = _describe_problem(returned, warehouse.name_pattern)
                yield Finding(
                    column.name_node,
                    f"output name `{shown}` breaks the column naming rules of {warehouse.display} "
                    f"({warehouse.name_rule}): {detail}",
                    hint="rename it with `AS <name>`, e.g. with underscores for spaces and punctuation",
                )


RULE = Rule(
    code="CO05",
    name="invalid-attribute-name",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

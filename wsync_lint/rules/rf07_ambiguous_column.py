"""An unqualified column in a query that reads several tables may come from more than one.

## What it does
Reports a column written without a qualifier in a SELECT that reads more than one source
(joins, comma joins, `UNNEST`, `LATERAL`), when more than one of those sources could supply
it. A source whose columns the query spells out (a CTE or derived table with an explicit select
list, an aliased `UNNEST`, `FLATTEN`'s fixed columns) can only supply those names; with a schema
snapshot so can the warehouse tables it lists (and WITH queries or derived tables whose `*` it
expands). A table whose columns are unknown could supply any name.

- Two or more sources are known to have the name: the column is ambiguous, and the warehouse
  rejects the query (an error that names the tables).
- Exactly one source is known to have it: that one supplies it, no finding (`value` next to a
  `FLATTEN` is the `FLATTEN`'s; with a snapshot, `email` is the table's that has it).
- No source is known to have it and two or more have unknown columns (no snapshot, or tables
  missing from it): a warning that ambiguity cannot be ruled out.

In Snowflake, a query that joins with `USING` takes such a column from the left table until the
2026_04 behaviour change bundle makes it an error, so there a proven ambiguity is a warning.

Select aliases used in later clauses or items, a name in `GROUP BY`, `ORDER BY`, `HAVING` or
`QUALIFY` that a select item returns without an alias (`SELECT t.day ... GROUP BY day`),
`USING` columns, columns of queries with a `NATURAL` join, lambda parameters, `UNNEST` elements
and struct fields are not reported. With a snapshot, a BigQuery `UNNEST` of an array the
snapshot does not show to hold scalars counts as unknown (the fields of its STRUCTs are columns).

## Why is this bad?
If both tables have the column, the warehouse rejects the query ("ambiguous column name").
If only one has it today, the model breaks the day the other table gains a column of that name,
and a reader cannot tell which table an attribute comes from.

## Example
```sql
SELECT t.id AS ticket_id, email
FROM mp.demo_service.tickets t
JOIN mp.demo_service.users u ON u.id = t.requester_user_id
```

## Use instead
```sql
SELECT t.id AS ticket_id, u.email
FROM mp.demo_service.tickets t
JOIN mp.demo_service.users u ON u.id = t.requester_user_id
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis import schema_columns
from wsync_lint.analysis.from_items import Source
from wsync_lint.analysis.scope_tree import ColumnRef
from wsync_lint.analysis.scopes import Analysis, ColumnsOf, analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.facts import SNOWFLAKE_USING_AMBIGUITY_SOURCE


def ambiguous_columns(
    analysis: Analysis, columns_of: ColumnsOf | None = None
) -> Iterator[tuple[ColumnRef, list[Source]]]:
    """Each unqualified column reference that two or more sources of its SELECT could supply.

    ``columns_of`` tells a source's column keys (None: unknown); the default knows only what
    the query text says, so a schema-aware caller passes one that knows warehouse tables.
    """
    columns_of = columns_of or analysis.known_columns
    for scope in analysis.scopes:
        if len(scope.sources) < 2:
            continue
        for ref in analysis.columns_in(scope):
            candidates = analysis.unqualified_candidates(ref, columns_of)
            if candidates is None or len(candidates) < 2 or schema_columns.reads_output_name(analysis, ref):
                continue
            # A source whose known columns include the name is taken to supply it: a table
            # of unknown columns competes only when no source is known to have the name.
            known = [source for source in candidates if columns_of(source) is not None]
            if known:
                candidates = known
            if len(candidates) >= 2:
                yield ref, candidates


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if len(ctx.nodes(exp.Table, exp.Unnest, exp.Lateral, exp.Subquery, exp.Values, exp.TableFromRows)) < 2:
        return
    analysis = analyse(ctx)
    columns_of = schema_columns.columns_of(ctx) if ctx.schema is not None else analysis.known_columns
    for ref, candidates in ambiguous_columns(analysis, columns_of):
        name = analysis.written(ref.column)
        qualifier = next((s.qualifier for s in candidates if s.qualifier), None)
        hint = (
            f"qualify it: {code(f'{qualifier}.{name}')}"
            if qualifier
            else "give each source an alias and qualify the column"
        )
        if all(columns_of(source) is not None for source in candidates):
            yield _proven(ctx, ref, candidates, name, hint)
            continue
        labels = ", ".join(code(s.label) for s in candidates)
        unproven = (
            "their columns are not all in the schema snapshot, so" if ctx.schema is not None else "without a schema"
        )
        message = (
            f"{code(name)} is not qualified and the query reads {len(candidates)} tables ({labels}) that could "
            f"supply it; {unproven} it cannot be proven which one does"
        )
        yield Finding(ref.column, message, hint=hint, severity=Severity.WARNING)


def _proven(ctx: SqlContext, ref: ColumnRef, candidates: list[Source], name: str, hint: str) -> Finding:
    """Two or more sources are known to have the column: the warehouse rejects the query."""
    described = [schema_columns.describe_source(ctx, source) for source in candidates]
    listed = ", ".join(described[:-1]) + f" and {described[-1]}"
    both = "both have" if len(candidates) == 2 else "all have"
    per = " (per the schema snapshot)" if any(schema_columns.table_of(ctx, s) is not None for s in candidates) else ""
    message = f"{code(name)} is ambiguous: {listed} {both} a column of that name{per}"
    display = ctx.warehouse.display
    select = ref.scope.select
    if ctx.warehouse.name == "snowflake" and any(
        isinstance(join, exp.Join) and join.args.get("using") for join in select.args.get("joins") or []
    ):
        message += (
            f"; in a `JOIN ... USING` query {display} takes the left table's silently, and rejects the query "
            f"once its 2026_04 behaviour change applies ({SNOWFLAKE_USING_AMBIGUITY_SOURCE})"
        )
        return Finding(ref.column, message, hint=hint, severity=Severity.WARNING)
    return Finding(ref.column, f"{message}, so {display} rejects the query", hint=hint)


RULE = Rule(
    code="RF07",
    name="ambiguous-column",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

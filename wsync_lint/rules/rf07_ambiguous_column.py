"""An unqualified column in a multi-table query is a column of more than one of its tables.

## What it does
With a schema snapshot (`wsync-lint schema pull`, or the live warehouse's columns), reports a
column written without a qualifier in a SELECT that reads more than one source (joins, comma
joins, `UNNEST`, `LATERAL`) when two or more of those sources are known to have a column of
that name: the warehouse tables the snapshot lists, and the sources whose columns the query
spells out (a CTE or derived table with an explicit select list, an aliased `UNNEST`,
`FLATTEN`'s fixed columns). The message names every source that has the column.

It reports only ambiguity it can prove. Without a snapshot the rule does not run (the summary
lists it among the rules that could not run), and a column that only one known source has, or
that is known of no source because the others are missing from the snapshot, is not reported.

In Snowflake, a query that joins with `USING` takes such a column from the left table until the
2026_04 behaviour change bundle makes it an error, so there the finding is a warning.

Select aliases used in later clauses or items, a name in `GROUP BY`, `ORDER BY`, `HAVING` or
`QUALIFY` that a select item returns without an alias (`SELECT t.day ... GROUP BY day`, or
`SELECT day ... GROUP BY day`, where the select item is the one reported), `USING` columns,
columns of queries with a `NATURAL` join, lambda parameters, `UNNEST` elements and struct
fields are not reported. A BigQuery `UNNEST` of an array the snapshot does not show to hold
scalars counts as unknown (the fields of its STRUCTs are columns).

## Why is this bad?
When two tables of the query have the column, the warehouse rejects the query ("ambiguous
column name") and the pipeline fails on every run.

## Example
```sql
-- wsync-lint: schema=schemas/example.json
SELECT c.email, customer_id, o.total_usd
FROM analytics.crm.customers c
JOIN analytics.crm.orders o ON o.customer_id = c.customer_id
```

## Use instead
```sql
-- wsync-lint: schema=schemas/example.json
SELECT c.email, c.customer_id, o.total_usd
FROM analytics.crm.customers c
JOIN analytics.crm.orders o ON o.customer_id = c.customer_id
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

# Clauses where a name may read a select item's output name rather than a source's column.
_LATER_CLAUSES = frozenset({"group", "order", "having", "qualify"})


def ambiguous_columns(analysis: Analysis, columns_of: ColumnsOf) -> Iterator[tuple[ColumnRef, list[Source]]]:
    """Each unqualified column reference that two or more sources of its SELECT are known to have.

    A source of unknown columns (``columns_of`` gives None) proves nothing either way: it is
    left out, so a name is reported only when the known sources alone make it ambiguous.
    """
    for scope in analysis.scopes:
        if len(scope.sources) < 2:
            continue
        for ref in analysis.columns_in(scope):
            candidates = analysis.unqualified_candidates(ref, columns_of)
            if candidates is None or len(candidates) < 2 or schema_columns.reads_output_name(analysis, ref):
                continue
            known = [source for source in candidates if columns_of(source) is not None]
            if len(known) >= 2 and not _repeats_select_item(analysis, ref):
                yield ref, known


def _repeats_select_item(analysis: Analysis, ref: ColumnRef) -> bool:
    """``SELECT day ... GROUP BY day``: the select item is reported, and qualifying it there
    makes the later clause read its output name, so the later name is the same mistake."""
    if ref.clause not in _LATER_CLAUSES or not isinstance(ref.column.this, exp.Identifier):
        return False
    wanted = analysis.key(ref.column.this)
    return any(
        isinstance(item, exp.Column)
        and not item.table
        and isinstance(item.this, exp.Identifier)
        and analysis.key(item.this) == wanted
        for item in ref.scope.select.expressions
    )


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if ctx.schema is None:
        return
    if len(ctx.nodes(exp.Table, exp.Unnest, exp.Lateral, exp.Subquery, exp.Values, exp.TableFromRows)) < 2:
        return
    analysis = analyse(ctx)
    for ref, sources in ambiguous_columns(analysis, schema_columns.columns_of(ctx)):
        yield _finding(ctx, ref, sources, analysis.written(ref.column))


def _finding(ctx: SqlContext, ref: ColumnRef, sources: list[Source], name: str) -> Finding:
    described = [schema_columns.describe_source(ctx, source) for source in sources]
    listed = ", ".join(described[:-1]) + f" and {described[-1]}"
    both = "both have" if len(sources) == 2 else "all have"
    per = " (per the schema snapshot)" if any(schema_columns.table_of(ctx, s) is not None for s in sources) else ""
    message = f"{code(name)} is ambiguous: {listed} {both} a column of that name{per}"
    qualified = [code(f"{source.qualifier}.{name}") for source in sources if source.qualifier]
    if len(qualified) == len(sources):
        # Every candidate is offered: which one the model means is the user's call.
        hint = f"qualify it with the source it should come from: {', '.join(qualified[:-1])} or {qualified[-1]}"
    else:
        hint = "give each source an alias and qualify the column with the one it should come from"
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
    needs_schema=True,
    default_severity=Severity.ERROR,
)

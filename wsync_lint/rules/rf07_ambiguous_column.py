"""An unqualified column in a query that reads several tables may come from more than one.

## What it does
Reports a column written without a qualifier in a SELECT that reads more than one source
(joins, comma joins, `UNNEST`, `LATERAL`), when more than one of those sources could supply
it. A source whose columns the query spells out (a CTE or derived table with an explicit select
list, an aliased `UNNEST`, `FLATTEN`'s fixed columns) can only supply those names; a warehouse
table could supply any name, since without a schema its columns are unknown. When some source is
known to have the name, only such sources count: `value` next to a `FLATTEN` is taken to be
the `FLATTEN`'s, and a name two unknown tables could both supply is reported. Select aliases used
in later clauses or items, `USING` columns, columns of queries with a `NATURAL` join, lambda
parameters, `UNNEST` elements and struct fields are not reported.

Without a schema this is a warning that ambiguity cannot be ruled out; with a schema snapshot
the same logic proves it, and the warehouse's error follows.

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

from wsync_lint.context import SqlContext
from wsync_lint.messages import code
from wsync_lint.rule import Finding, Needs, Rule, Severity
from wsync_lint.scopes import Analysis, ColumnRef, ColumnsOf, Source, analyse


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
            if candidates is None or len(candidates) < 2:
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
    for ref, candidates in ambiguous_columns(analysis):
        name = analysis.written(ref.column)
        labels = ", ".join(code(s.label) for s in candidates)
        message = (
            f"{code(name)} is not qualified and the query reads {len(candidates)} tables ({labels}) that could "
            "supply it; without a schema it cannot be proven which one does"
        )
        qualifier = next((s.qualifier for s in candidates if s.qualifier), None)
        hint = (
            f"qualify it: {code(f'{qualifier}.{name}')}"
            if qualifier
            else "give each source an alias and qualify the column"
        )
        yield Finding(ref.column, message, hint=hint)


RULE = Rule(
    code="RF07",
    name="ambiguous-column",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

"""The model's output uses `*`, so its attributes are whatever columns the tables have.

## What it does
Reports `*`, `t.*` (and BigQuery's `s.field.*`, with or without `EXCEPT`/`EXCLUDE`/`REPLACE`)
in the model's output: the outermost select list of the query, or of each branch of a
top-level `UNION`. A `*` inside a subquery or CTE, or inside a function (`COUNT(*)`,
`OBJECT_CONSTRUCT(*)`), is not output. Neither is a `*` over sources whose columns the query
itself spells out (a CTE or derived table with an explicit select list): its columns are
known.

## Why is this bad?
mParticle turns every output column into an identity or a user attribute. With `*` every
column of the table becomes one, including columns nobody meant to send (personal data,
internal ids), the attribute names and their count are unknown until the query runs, and a
column added to the table later starts syncing silently. A model is limited to 100 columns.

## Example
```sql
SELECT * FROM mp.crm.customers
```

## Use instead
```sql
SELECT customer_id, email, loyalty_tier FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.from_items import Source
from wsync_lint.analysis.query_shape import output_selects, star_of
from wsync_lint.analysis.scopes import Analysis, analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    analysis: Analysis | None = None
    for query in ctx.queries:
        for select in output_selects(query):
            for item in select.expressions:
                star = star_of(item)
                if star is None:
                    continue
                analysis = analysis or analyse(ctx)
                covered = _covered_sources(analysis, select, star)
                if covered is not None and all(analysis.known_columns(s) is not None for s in covered):
                    continue  # e.g. `SELECT * FROM (SELECT a, b FROM t)`: the columns are spelled out
                yield _finding(analysis, star, covered)


def _covered_sources(analysis: Analysis, select: exp.Select, star: exp.Expression) -> list[Source] | None:
    """The sources a star expands; None when it is not known (an undefined qualifier, a struct)."""
    scope = analysis.scope(select)
    if isinstance(star, exp.Star):
        return list(scope.sources) if scope.sources else None
    if isinstance(star, exp.Column):
        qualifier = [p for p in star.parts[:-1] if isinstance(p, exp.Identifier)]
        resolution = analysis.resolve(scope, qualifier)
        if resolution is not None and resolution.consumed == len(analysis.name_keys(qualifier)):
            return [resolution.source]
    return None


def _finding(analysis: Analysis, star: exp.Expression, covered: list[Source] | None) -> Finding:
    if isinstance(star, exp.Star):
        written = "*"
    elif isinstance(star, exp.Dot):
        written = analysis.written(star.this) + ".*"
    else:
        written = ".".join(analysis.written(p) for p in star.parts[:-1]) + ".*"
    kind = "column"
    if covered:
        labels = [_label(analysis, s) for s in covered]
        of = ", ".join(code(label) for label in labels[:3]) + (" ..." if len(labels) > 3 else "")
    elif written == "*":
        of = "its sources"
    else:
        of, kind = code(written[:-2]), "field"  # `s.f.*`: a struct's fields (or an undefined `t`)
    message = (
        f"{code(written)} makes every {kind} of {of} an attribute; the {kind} count and names are unknown"
        " until the query runs"
    )
    return Finding(star, message, hint="list the columns the model should sync, each under its attribute name")


def _label(analysis: Analysis, source: Source) -> str:
    if source.name:
        return analysis.written_name(source.name)
    return source.label


RULE = Rule(
    code="RF04",
    name="select-star",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

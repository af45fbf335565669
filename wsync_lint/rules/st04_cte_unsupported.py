"""The model uses a `WITH` clause (common table expressions).

## What it does
Reports every `WITH` clause, at its `WITH` keyword: at the top of the model and inside
subqueries alike.

## Why is this bad?
mParticle's SQL reference lists `WITH` among the SQL commands that are not supported in a
data model. The model is embedded in mParticle's own query (`SELECT ... FROM ( <model> )`),
and not every warehouse accepts a `WITH` clause in that position.

Whether `WITH` still fails today could not be verified against the current documentation: if
your warehouse and mParticle accept it, turn the rule off in the configuration.

## Example
```sql
WITH open_tickets AS (
    SELECT requester_user_id, COUNT(*) AS open_count
    FROM mp.demo_service.tickets
    WHERE status = 'open'
    GROUP BY requester_user_id
)
SELECT u.email, o.open_count
FROM mp.demo_service.users u
JOIN open_tickets o ON o.requester_user_id = u.id
```

## Use instead
```sql
SELECT u.email, o.open_count
FROM mp.demo_service.users u
JOIN (
    SELECT requester_user_id, COUNT(*) AS open_count
    FROM mp.demo_service.tickets
    WHERE status = 'open'
    GROUP BY requester_user_id
) o ON o.requester_user_id = u.id
```
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import TokenType

from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.positions import node_span


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    clauses = ctx.nodes(exp.With)
    if not clauses:
        return
    tokens = ctx.lexicon.tokens
    starts = [t.start for t in tokens]
    for clause in clauses:
        ctes = clause.expressions
        first = ctes[0] if ctes else clause
        anchor = node_span(first.args.get("alias") or first) or node_span(clause)
        if anchor is None:
            yield _finding(clause, ctes)
            continue
        index = bisect.bisect_left(starts, anchor.start) - 1
        while index >= 0 and tokens[index].token_type != TokenType.WITH:
            index -= 1
        yield _finding(tokens[index] if index >= 0 else clause, ctes)


def _finding(at, ctes: list[exp.Expression]) -> Finding:
    names = [cte.alias for cte in ctes if cte.alias]
    shown = ", ".join(f"`{name}`" for name in names[:3]) + (", ..." if len(names) > 3 else "")
    what = f" (defining {shown})" if shown else ""
    return Finding(
        at,
        f"`WITH` clause{what}: mParticle documents `WITH` as unsupported in data models",
        hint="inline each CTE as a subquery in `FROM` (`FROM (SELECT ...) AS name`)",
    )


RULE = Rule(
    code="ST04",
    name="cte-unsupported",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

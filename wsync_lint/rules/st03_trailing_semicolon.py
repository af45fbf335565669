"""The query ends with a semicolon.

## What it does
Reports each `;` that follows the last statement of the file, when only white space and
comments come after it (`SELECT ... ;`, also `SELECT ... ;;`). The finding covers exactly the
`;` character.

## Why is this bad?
mParticle wraps the model in its own query: `SELECT COUNT(*) FROM ( <model> ) WHERE ...`. A
`;` inside those parentheses ends the statement early and the warehouse rejects the wrapped
query, although the model alone runs fine in a worksheet.

## Example
```sql
SELECT customer_id, email FROM mp.crm.customers;
```

## Use instead
```sql
SELECT customer_id, email FROM mp.crm.customers
```

## Fix
`--fix` removes every `;` after the query (and `--diff` shows it first). Nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import TokenType

from wsync_lint.analysis.token_text import token_span
from wsync_lint.contract.rule import Edit, Finding, Fix, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    tokens = ctx.lexicon.tokens
    if not tokens or tokens[-1].token_type != TokenType.SEMICOLON:
        return
    index = len(tokens) - 1
    while index >= 0 and tokens[index].token_type == TokenType.SEMICOLON:
        index -= 1
    if index < 0:
        return  # nothing but semicolons: no statement to end
    for token in tokens[index + 1 :]:
        span = token_span(token)
        yield Finding(
            span,
            "the query ends with `;`, which breaks mParticle's wrapper `SELECT ... FROM ( <model> )`",
            hint="remove the trailing `;`",
            fix=Fix((Edit(span, ""),), "remove the trailing `;`"),
        )


RULE = Rule(
    code="ST03",
    name="trailing-semicolon",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
    fixable=True,
)

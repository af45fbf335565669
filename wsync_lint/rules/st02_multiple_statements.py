"""The model holds more than one statement.

## What it does
Splits the file on `;` (outside strings and comments) and reports the start of every
statement after the first. Empty statements (`;;`) do not count; a `;` after the last
statement is ST03's business.

## Why is this bad?
mParticle embeds the data model in its own query (`SELECT COUNT(*) FROM ( <model> ) ...`), so
the model must be exactly one statement. A second statement, even a harmless `SELECT`, makes
the wrapped query invalid. Session set-up (`USE`, `SET`, `ALTER SESSION`) cannot be sent this
way either: configure it on the connection's user or role instead.

## Example
```sql
USE WAREHOUSE reporting;
SELECT customer_id, email FROM mp.crm.customers
```

## Use instead
```sql
SELECT customer_id, email FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    chunks = ctx.statement_chunks
    if len(chunks) < 2:
        return
    total = len(chunks)
    for number, chunk in enumerate(chunks[1:], start=2):
        yield Finding(
            chunk[0],
            f"statement {number} of {total} starts here: a data model must be a single statement",
            hint="keep only the query mParticle should run; move the other statements out of the model",
        )


RULE = Rule(
    code="ST02",
    name="multiple-statements",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
)

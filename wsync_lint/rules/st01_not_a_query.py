'''TODO: one-line summary of ST01 not-a-query.

## What it does
TODO

## Why is this bad?
TODO

## Example
```sql
SELECT 1
```

## Use instead
```sql
SELECT 1
```
'''

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.context import SqlContext
from wsync_lint.rule import Finding, Needs, Rule, Severity


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    return iter(())


RULE = Rule(
    code="ST01",
    name="not-a-query",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
)

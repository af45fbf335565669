'''TODO: one-line summary of ID02 identity-near-miss.

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
    code="ID02",
    name="identity-near-miss",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

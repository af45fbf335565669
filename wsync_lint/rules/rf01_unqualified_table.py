'''TODO: one-line summary of RF01 unqualified-table.

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
    code="RF01",
    name="unqualified-table",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

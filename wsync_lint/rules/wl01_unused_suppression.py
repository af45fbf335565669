"""A `wsync-lint: ignore` comment that suppressed nothing.

## What it does
Reports each code in an `ignore` or `ignore-file` comment for which no finding was suppressed,
and a bare `ignore-file` that suppressed nothing at all.

## Why is this bad?
A stale suppression hides the next real problem of that kind on the line, and tells readers
that something is wrong where nothing is.

## Example
```sql
SELECT customer_id FROM mp.crm.customers  -- wsync-lint: ignore ST03
```

## Use instead
```sql
SELECT customer_id FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    for suppression in ctx.suppressions:
        if suppression.line is None and not suppression.entries:
            if not suppression.used:
                yield Finding(
                    suppression.span,
                    "this `ignore-file` comment suppressed no finding",
                    hint="remove the comment",
                )
            continue
        where = "in this file" if suppression.line is None else f"on line {suppression.line}"
        for entry in suppression.entries:
            if entry.code is not None and entry.code not in suppression.used:
                yield Finding(
                    entry.span,
                    f"unused suppression: no {entry.code} finding {where}",
                    hint=f"remove {entry.text!r} from the comment",
                )


RULE = Rule(
    code="WL01",
    name="unused-suppression",
    check=check,
    doc=__doc__,
    needs=Needs.SUPPRESSIONS,
    default_severity=Severity.WARNING,
)

"""A suppression comment naming an unknown code, or no code at all.

## What it does
Reports each entry of a `wsync-lint: ignore` or `ignore-file` comment that is neither a rule
code nor a rule name, and an `ignore` comment that names no rule.

## Why is this bad?
A misspelt code suppresses nothing, so the finding it was meant to silence still fires, or the
author believes a problem is acknowledged when it is not.

## Example
```sql
SELECT customer_id FROM mp.crm.customers  -- wsync-lint: ignore XX99
```

## Use instead
```sql
SELECT customer_id FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    for suppression in ctx.suppressions:
        if suppression.line is not None and not suppression.entries:
            yield Finding(
                suppression.span,
                "this `ignore` comment names no rule",
                hint="name the codes it suppresses: `-- wsync-lint: ignore ST03, CO04`",
            )
        for entry in suppression.entries:
            if entry.code is None:
                yield Finding(
                    entry.span,
                    f"{entry.text!r} is no wsync-lint rule code or name",
                    hint="`wsync-lint rules` lists the codes and names",
                )


RULE = Rule(code="WL02", name="invalid-suppression", check=check, doc=__doc__, needs=Needs.SUPPRESSIONS)

"""A wsync-lint comment that wsync-lint cannot read: a suppression naming an unknown code, or a bad setting.

## What it does
Reports each entry of a `wsync-lint: ignore` or `ignore-file` comment that is neither a rule
code nor a rule name, and an `ignore` comment that names no rule. In a settings comment
(`-- wsync-lint: dialect=... pipeline_type=...`) it reports, at the `key=value`, each setting
it cannot apply: an unknown key or value (with the one most likely meant), a word that is not
`key=value`, a `schema=` snapshot outside the project, and a settings comment after the query.
The file is then checked as if that one setting were absent; its other settings still apply,
and the other files of the run are checked as usual.

## Why is this bad?
A misspelt code suppresses nothing, so the finding it was meant to silence still fires, or the
author believes a problem is acknowledged when it is not. A misspelt setting is not applied: a
model meant for BigQuery is checked as Snowflake SQL, an events model as user attributes.

## Example
```sql
-- wsync-lint: dialect=snowflak
SELECT customer_id FROM mp.crm.customers  -- wsync-lint: ignore XX99
```

## Use instead
```sql
-- wsync-lint: dialect=snowflake
SELECT customer_id FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    """The suppressions' findings; the settings comments' are the engine's, which reads them
    (``engine/directives.py``) before any rule runs, and reports them with this rule's code."""
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

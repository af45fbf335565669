"""The model ends with a line comment.

## What it does
Reports a line comment (`--`, `//` in Snowflake, `#` in BigQuery) that comes after the last
code of the file, at the comment's start: on the last line of code (`... FROM t -- note`) or
on a line of its own below it. When several line comments end the file, the last one is
reported. A block comment (`/* ... */`) at the end is fine, and so is a line comment followed
by more code.

## Why is this bad?
mParticle wraps the model in its own query and closes it with `)`:
`SELECT COUNT(*) FROM ( <model> ) WHERE ...`. The published wrappers put the `)` on a new line,
but if the model's text is pasted in without a final newline, a line comment on the last line
swallows the `)` and the wrapped query no longer parses.

A suppression comment on the last line (`-- wsync-lint: ignore ...`) is a line comment too:
put it on its own line above the code it covers.

## Example
```sql
SELECT customer_id, email
FROM mp.crm.customers -- active customers only
```

## Use instead
```sql
-- active customers only
SELECT customer_id, email
FROM mp.crm.customers
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    tokens = ctx.lexicon.tokens
    comments = ctx.lexicon.comments
    if not tokens or not comments:
        return
    last_code = tokens[-1].end + 1
    last = comments[-1]
    if last.span.start < last_code or not last.is_line:
        return
    if ctx.text[last.span.end :].strip():
        return  # something the lexicon did not keep (a Jinja comment, say) follows
    opener = ctx.text[last.span.start : last.span.start + 2]
    marker = "#" if opener.startswith("#") else opener
    yield Finding(
        last.span,
        f"the model ends with a `{marker}` line comment, which can swallow the `)` mParticle adds after the model",
        hint="move the comment above the query, or make it a `/* ... */` block comment",
    )


RULE = Rule(
    code="ST07",
    name="trailing-line-comment",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.WARNING,
)

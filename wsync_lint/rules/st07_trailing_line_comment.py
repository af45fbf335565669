"""The model ends with a line comment and no line break after it.

## What it does
Reports a line comment (`--`, `//` in Snowflake, `#` in BigQuery) that comes after the last
code of the model and runs to the very end of the text, with no line break after it: on the
last line of code (`... FROM t -- note`) or on a line of its own below it. It points at the
comment's start. A model whose text ends with a line break is not reported, nor is a block
comment (`/* ... */`) at the end, nor a line comment followed by more code.

## Why is this bad?
mParticle wraps the model in its own query and closes it with `)`:
`SELECT COUNT(*) FROM ( <model> ) WHERE ...`. The published wrappers put the `)` on a new line,
so this is probably safe; but if mParticle appends the `)` right after the model's text, a
line comment that the text ends in swallows it and the wrapped query no longer parses. A line
break after the comment removes the doubt.

A suppression comment on the last line (`-- wsync-lint: ignore ...`) is a line comment too:
put it on its own line above the code it covers.

A query written inline in a data model's `sql_query` is where this happens: a JSON or YAML
string rarely ends with a line break. A `.sql` file usually does.

## Example
```json
{
  "id": "customers",
  "type": "sql",
  "name": "Customers",
  "config": {"sql_query": "SELECT customer_id, email FROM mp.crm.customers -- active customers only"}
}
```

## Use instead
```json
{
  "id": "customers",
  "type": "sql",
  "name": "Customers",
  "config": {"sql_query": "SELECT customer_id, email FROM mp.crm.customers /* active customers only */"}
}
```

## Known limitations
A model that ends with a line break is taken as safe: if mParticle trimmed the text before
wrapping it, a comment on its last line would still swallow the `)`. Nothing documents that it
does.
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
    rest = ctx.text[last.span.end :]
    if rest.strip():
        return  # something the lexicon did not keep (a Jinja comment, say) follows
    if "\n" in rest or "\r" in rest:
        return  # the line break ends the comment before anything mParticle appends
    opener = ctx.text[last.span.start : last.span.start + 2]
    marker = "#" if opener.startswith("#") else opener
    yield Finding(
        last.span,
        f"the model ends with a `{marker}` line comment and no line break after it: if mParticle appends its "
        "closing `)` right after the model, the comment swallows it",
        hint="end the model with a line break, move the comment above the query, or make it a `/* ... */` block comment",
    )


RULE = Rule(
    code="ST07",
    name="trailing-line-comment",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.WARNING,
)

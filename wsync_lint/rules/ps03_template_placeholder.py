"""Templating or a placeholder is left in the SQL.

## What it does
Reports text that only a templating tool would replace, at its start:

- Jinja (dbt) blocks: `{{ ... }}`, `{% ... %}`, `{# ... #}`;
- Snowflake CLI templates: `<% ... %>`;
- SnowSQL variables: `&var` and `&{var}` (Snowflake only: elsewhere `&` is bitwise AND);
- documentation placeholders: a single word in angle brackets, such as `<database_name>`
  (in code or inside a quoted name, not in a string, and not `ARRAY<STRING>` or a comparison);
- `replace_me` in any case, anywhere but a comment, strings included.

Jinja blocks and `<% %>` inside a string or quoted name are reported when they close inside it
(`'{{ var("start") }}'`). Placeholders inside SQL comments are ignored: the warehouse never
sees them.

## Why is this bad?
mParticle sends the data model's text to the warehouse as it is: nothing renders templates or
fills in placeholders. The warehouse rejects the query, or, inside a string, the literal text
`replace_me` ends up in a filter or in user attributes.

## Example
```sql
SELECT customer_id, email
FROM {{ ref('customers') }}
WHERE region = 'REPLACE_ME'
```

## Use instead
```sql
SELECT customer_id, email
FROM analytics.crm.customers
WHERE region = 'EMEA'
```

## Known limitations
dbt models are templates by design: lint the compiled SQL (`target/compiled/...`) rather than
the model source.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from sqlglot.tokens import Token

from wsync_lint.context import SqlContext
from wsync_lint.positions import Span
from wsync_lint.rule import Finding, Needs, Rule, Severity
from wsync_lint.token_tools import CODE, COMMENT, IDENTIFIER, STRING, TextMap, ends_operand, text_map

_CANDIDATES = re.compile(
    r"""
      (?P<jinja>\{\{|\{%|\{\#)
    | (?P<cli><%)
    | (?P<amp>&(?:\{[A-Za-z_][\w.]*\}?|[A-Za-z_]\w*))
    | (?P<angle><[A-Za-z_][\w-]*>)
    | (?P<replace>replace_me)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}", "<%": "%>"}
_JINJA_KIND = {"{{": "Jinja expression", "{%": "Jinja statement", "{#": "Jinja comment"}
_SHOWN = 40


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    text = ctx.text
    if not any(c in text for c in "{<&") and "replace_me" not in text.lower():
        return
    where = text_map(ctx)
    tokens = ctx.lexicon.tokens
    starts: list[int] = []
    snowflake = ctx.warehouse.name == "snowflake"
    position = 0
    while True:
        match = _CANDIDATES.search(text, position)
        if match is None:
            return
        start = match.start()
        position = start + 1
        kind = where.kind_at(start)
        if kind == COMMENT:
            continue
        finding = None
        if match.lastgroup in ("jinja", "cli"):
            finding = _template(ctx, match.group(), start, kind, where)
        elif match.lastgroup == "amp":
            if snowflake and kind == CODE:
                name = match.group()
                finding = Finding(
                    Span(start, match.end()),
                    f"SnowSQL variable `{name}` left in the SQL: mParticle does not substitute variables",
                    hint="write the value in the query",
                )
        elif match.lastgroup == "angle":
            if kind == CODE and not starts:
                starts = [t.start for t in tokens]
            if kind == IDENTIFIER or (kind == CODE and _placeholder_position(tokens, starts, start)):
                finding = Finding(
                    Span(start, match.end()),
                    f"placeholder `{match.group()}` left in the SQL",
                    hint="replace it with the real name",
                )
        else:
            finding = Finding(
                Span(start, match.end()),
                f"placeholder `{match.group()}` left in the SQL: mParticle sends the text as is",
                hint="replace it with the real value",
            )
        if finding is not None:
            yield finding
            position = max(position, finding.at.end)  # type: ignore[union-attr]


def _template(ctx: SqlContext, opener: str, start: int, kind: str, where: TextMap) -> Finding | None:
    text = ctx.text
    closer = _CLOSERS[opener]
    close = text.find(closer, start + 2)
    if kind in (STRING, IDENTIFIER):
        literal = where.span_at(start)
        if close == -1 or literal is None or close + 2 > literal.end:
            return None  # `{{` or `<%` that is just text in a string
        end = close + 2
    else:
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        if opener == "<%":
            if close == -1 or close > line_end:
                return None  # `<` followed by `%` without a closing `%>` is not a template
            end = close + 2
        else:
            end = close + 2 if close != -1 else line_end
    block = text[start:end]
    if opener == "<%":
        return Finding(
            Span(start, end),
            f"Snowflake CLI template `{_shown(block)}` left in the SQL: mParticle does not render templates",
            hint="substitute the value before sending the query to mParticle",
        )
    label = _JINJA_KIND[opener]
    hint = (
        "render the template (for dbt: lint the compiled SQL) and send mParticle plain SQL"
        if opener != "{#"
        else "remove it or use a SQL comment (`/* ... */`)"
    )
    return Finding(
        Span(start, end),
        f"{label} `{_shown(block)}` left in the SQL: mParticle sends the query as is, without templating",
        hint=hint,
    )


def _placeholder_position(tokens: Sequence[Token], starts: list[int], offset: int) -> bool:
    """Whether a `<word>` at ``offset`` in code is a placeholder, not `ARRAY<STRING>` or `a<b>c`."""
    index = bisect.bisect_left(starts, offset)
    previous = tokens[index - 1] if index > 0 else None
    return not ends_operand(previous)


RULE = Rule(
    code="PS03",
    name="template-placeholder",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
)

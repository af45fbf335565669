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

Payload files (JSON and YAML) are checked too: every string value, at any depth, for Jinja
blocks and `<% %>` that close inside the value, `<word>` placeholders (the docs'
`<cloud_region_id>`, `mparticle_<org-id>_<account-id>`), `{{storage_integration_name}}`-style
doc placeholders and `replace_me`. `sql_query` values are skipped there: a data model's
`config.sql_query`, and a v1 top-level `sql_query`, are checked as SQL (above). The API
reference's literal `"string"` values are valid strings, not placeholders. The text of a secret (`password`, `service_account_key`, a PEM private key) is
never quoted in the message.

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

from wsync_lint.analysis.payload_values import field_name, holds_private_key, is_secret_key, owner, walk
from wsync_lint.analysis.templates import (
    CANDIDATE_STARTS,
    CANDIDATES,
    CLOSERS,
    JINJA_KIND,
    PLACEHOLDER,
    string_placeholders,
)
from wsync_lint.analysis.token_text import CODE, COMMENT, IDENTIFIER, STRING, TextMap, ends_operand, text_map
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.project.payload_files import string_offsets
from wsync_lint.sql.positions import FileSpan, Span

_SHOWN = 40


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    text = ctx.text
    if not any(c in text for c in "{<&") and "replace_me" not in text.lower():
        return
    where: TextMap | None = None  # built at the first candidate: most files have none
    tokens = ctx.lexicon.tokens
    starts: list[int] = []
    snowflake = ctx.warehouse.name == "snowflake"
    position = 0
    while True:
        match = _next_candidate(text, position)
        if match is None:
            return
        start = match.start()
        position = start + 1
        if where is None:
            where = text_map(ctx)
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


def _next_candidate(text: str, position: int) -> re.Match[str] | None:
    """``CANDIDATES.search(text, position)``, found faster: the first place from ``position``
    where a candidate can start and one does."""
    while True:
        hint = CANDIDATE_STARTS.search(text, position)
        if hint is None:
            return None
        match = CANDIDATES.match(text, hint.start())
        if match is not None:
            return match
        position = hint.start() + 1


def _template(ctx: SqlContext, opener: str, start: int, kind: str, where: TextMap) -> Finding | None:
    text = ctx.text
    closer = CLOSERS[opener]
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
    label = JINJA_KIND[opener]
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


def _skipped(item: object) -> bool:
    return getattr(item, "key", None) == "sql_query"


def payload_check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    payload = ctx.payload
    for item in walk(payload, prune=_skipped):
        value = item.value
        if not isinstance(value, str) or _skipped(item):
            continue
        found = list(string_placeholders(value))
        if not found:
            continue
        offsets = string_offsets(payload, item.document, item.pointer)
        resource = owner(ctx.resources, item)
        name = field_name(resource, item)
        where = f"`{name}`" + (f" of {resource.label}" if resource is not None else "")
        secret = any(is_secret_key(key) for key in item.pointer) or holds_private_key(value)
        for placeholder in found:
            start = offsets[min(placeholder.start, len(offsets) - 1)]
            end = max(offsets[min(placeholder.end, len(offsets) - 1)], start + 1)
            if secret:
                message = f"{placeholder.label} left in {where} (a secret: its text is not shown)"
                hint = f"remove `{name}` from the file: deploy takes secrets from the environment"
            else:
                shown = _shown(value[placeholder.start : placeholder.end])
                message = f"{placeholder.label} `{shown}` left in {where}"
                hint = (
                    "write the real value"
                    if placeholder.label == PLACEHOLDER
                    else "write the value itself: nothing renders templates in a payload"
                )
            yield Finding(
                FileSpan(ctx.path, Span(start, end)),
                f"{message}: mParticle takes the value as it is written",
                hint=hint,
            )


RULE = Rule(
    code="PS03",
    name="template-placeholder",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
    payload_check=payload_check,
)

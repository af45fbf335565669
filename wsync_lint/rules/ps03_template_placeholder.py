"""Templating or a placeholder is left in the SQL.

## What it does
Reports text that only a templating tool would replace, at its start:

- Jinja (dbt) blocks: `{{ ... }}`, `{% ... %}`, `{# ... #}`;
- Snowflake CLI templates: `<% ... %>`;
- SnowSQL variables: `&var` and `&{var}` (Snowflake only: elsewhere `&` is bitwise AND);
- shell, dbt or pipeline variables `${var}`, in code or inside a quoted name (in a string they
  are data);
- bind parameters, in code only: `?`, `:name` and BigQuery's `@name`. Not reported where the
  warehouse reads the text as something else: `x::int`, Snowflake's `v:field` and Databricks'
  `col:field` paths, a `?` after an operand (Redshift/PostgreSQL JSON operators such as
  `j ? 'key'`), the quantifiers of a `MATCH_RECOGNIZE` `PATTERN`, BigQuery's `@@system_variable`,
  Snowflake's `@stage` and Redshift's `@` (absolute value);
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
reference's literal `"string"` values are valid strings, not placeholders, and a `${VAR}` value is
left to the deploy script that substitutes the environment into the file. The text of a secret
(`password`, `service_account_key`, a PEM private key) is never quoted in the message.

## Why is this bad?
mParticle sends the data model's text to the warehouse as it is: nothing renders templates or
fills in placeholders, and it binds no query parameters. The warehouse rejects the query, or,
inside a string, the literal text `replace_me` ends up in a filter or in user attributes.

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
the model source. In a Snowflake file that holds a Snowflake Scripting block (`DECLARE`, `LET`,
`BEGIN ... END`), `:name` and `?` are the block's variables and are not reported anywhere in the
file. PostgreSQL-style `$1` is not reported: in Snowflake it is a staged file's first column.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.payload_values import field_name, holds_private_key, is_secret_key, owner, walk
from wsync_lint.analysis.templates import (
    BIND_KIND,
    CLI_KIND,
    JINJA_KIND,
    PLACEHOLDER,
    SNOWSQL_KIND,
    VARIABLE_KIND,
    Placeholder,
    sql_placeholders,
    string_placeholders,
)
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
    for placeholder in sql_placeholders(ctx):
        yield _finding(ctx, placeholder)


def _finding(ctx: SqlContext, placeholder: Placeholder) -> Finding:
    at = Span(placeholder.start, placeholder.end)
    text = ctx.text[placeholder.start : placeholder.end]
    label = placeholder.label
    warehouse = ctx.warehouse.display
    if label == BIND_KIND:
        return Finding(
            at,
            f"bind parameter `{text}` left in the SQL: mParticle runs the query on {warehouse} without "
            "parameters, so it fails",
            hint="write the value in the query",
        )
    if label == VARIABLE_KIND:
        return Finding(
            at,
            f"template variable `{_shown(text)}` left in the SQL: mParticle sends the query to {warehouse} as is, "
            "without substituting variables",
            hint="write the value in the query, or lint the SQL after the variables are substituted",
        )
    if label == SNOWSQL_KIND:
        return Finding(
            at,
            f"SnowSQL variable `{text}` left in the SQL: mParticle does not substitute variables",
            hint="write the value in the query",
        )
    if label == CLI_KIND:
        return Finding(
            at,
            f"Snowflake CLI template `{_shown(text)}` left in the SQL: mParticle does not render templates",
            hint="substitute the value before sending the query to mParticle",
        )
    if label == PLACEHOLDER:
        if text.lower() == "replace_me":
            return Finding(
                at,
                f"placeholder `{text}` left in the SQL: mParticle sends the text as is",
                hint="replace it with the real value",
            )
        return Finding(at, f"placeholder `{text}` left in the SQL", hint="replace it with the real name")
    hint = (
        "render the template (for dbt: lint the compiled SQL) and send mParticle plain SQL"
        if label != JINJA_KIND["{#"]
        else "remove it or use a SQL comment (`/* ... */`)"
    )
    return Finding(
        at,
        f"{label} `{_shown(text)}` left in the SQL: mParticle sends the query as is, without templating",
        hint=hint,
    )


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

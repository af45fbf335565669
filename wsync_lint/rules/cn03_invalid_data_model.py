"""A data model payload misses a required field, has a wrong value or names no usable query.

## What it does
Checks each data model (`POST/PUT /data-models`) in a payload file:

- the required fields `id` (a slug: letters, digits, `_` and `-`), `name` and `type`, which is
  exactly `sql`; `state`, when given, is `new`, `active` or `inactive`;
- `config` is an object with exactly one of `sql_query` (the query, a non-blank string) or
  `sql_file` (wsync-lint's extension: a `.sql` file, as a path relative to the payload's folder,
  that deploy inlines);
- a `sql_file` that is absolute or a URL, or that names no file;
- response-only fields (`status`, `errors`, `created_on`, `created_by`, `last_modified_on`,
  `last_modified_by`) are a warning: the API reference's own create and update examples send
  `errors`.

The query itself is checked as SQL by the other rules. A v1 ("experimental") data model has
its `sql_query` at the top level: PL08 says to move it into `config`, so this rule does not also
report the missing `config`. A `sql_file` written at the top level is reported here: it
belongs in `config`.

## Why is this bad?
The API rejects a data model without `type: sql` or a query with a 400. A model file that does
not exist, or is named by an absolute path that only exists on one machine, leaves deploy with
nothing to send and the SQL rules with nothing to check.

## Example
```yaml
id: users
name: Users
type: SQL
config:
  sql_query: SELECT customer_id, email FROM analytics.crm.users
  sql_file: users.sql
```

## Use instead
```yaml
id: users
name: Users
type: sql
config:
  sql_query: SELECT customer_id, email FROM analytics.crm.users
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from wsync_lint.analysis.payload_schema import (
    ID_SCHEMA,
    TEXT_SCHEMA,
    choices,
    read_only_findings,
    schema_findings,
    shown,
)
from wsync_lint.analysis.payload_schema import required as schema_required
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind, Resource

_DESCRIPTIONS = {
    "id": "a slug: letters, digits, `_` and `-`",
    "type": f"{choices(facts.DATA_MODEL_TYPES)}",
    "config": "an object with `sql_query` or `sql_file`",
}
_NOT_RELATIVE = re.compile(r"^(?:[/\\~]|[A-Za-z]:[/\\]|[A-Za-z][\w+.-]*://)")


def _schema(required: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "allOf": schema_required(required, _DESCRIPTIONS),
        "properties": {
            "id": ID_SCHEMA,
            "name": TEXT_SCHEMA,
            "type": {"enum": list(facts.DATA_MODEL_TYPES)},
            "state": {"enum": list(facts.STATES["data_model"])},
            "config": {
                "type": "object",
                "properties": {"sql_query": {"type": ["string", "null"]}, "sql_file": {"type": ["string", "null"]}},
            },
        },
    }


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for model in ctx.of_kind(Kind.DATA_MODEL):
        yield from _model(ctx, model)


def _model(ctx: PayloadContext, model: Resource) -> Iterator[Finding]:
    data = model.data
    # A v1 model's top-level `sql_query` is PL08's (move it into `config`); a top-level
    # `sql_file` is reported below. Either way `config` is not also reported missing.
    misplaced = "config" not in data and ("sql_query" in data or "sql_file" in data)
    required = ("id", "name", "type") if misplaced else ("id", "name", "type", "config")
    yield from schema_findings(model, _schema(required))
    if misplaced and "sql_file" in data:
        yield Finding(
            model.key_at("sql_file"),
            f"`sql_file` of {model.label} is outside `config`",
            hint="move it to `config.sql_file`",
        )
    config = data.get("config")
    if isinstance(config, Mapping):
        yield from _query(ctx, model, config)
    yield from read_only_findings(model)


def _query(ctx: PayloadContext, model: Resource, config: Mapping[str, Any]) -> Iterator[Finding]:
    query, sql_file = config.get("sql_query"), config.get("sql_file")
    if query is None and sql_file is None:
        yield Finding(
            model.key_at("config"),
            f"`config` of {model.label} has neither `sql_query` nor `sql_file`: the data model has no query",
            hint="add `config.sql_query` (the query) or `config.sql_file` (a `.sql` file beside this payload)",
        )
        return
    if query is not None and sql_file is not None:
        yield Finding(
            model.key_at("config", "sql_file"),
            f"{model.label} gives both `config.sql_query` and `config.sql_file`; the data model has one query",
            hint="keep one of them",
        )
    if isinstance(query, str) and not query.strip():
        yield Finding(
            model.value_at("config", "sql_query"),
            f"`config.sql_query` of {model.label} is empty",
            hint="write the data model's query, or name its file in `config.sql_file`",
        )
    if isinstance(sql_file, str):
        if not sql_file.strip():
            yield Finding(
                model.value_at("config", "sql_file"),
                f"`config.sql_file` of {model.label} is empty",
                hint="name the `.sql` file, relative to this payload's folder",
            )
        elif _NOT_RELATIVE.match(sql_file):
            yield Finding(
                model.value_at("config", "sql_file"),
                f"`config.sql_file` {shown(sql_file)} of {model.label} is not a path relative to the payload's folder",
                hint="write the path from this payload's folder (`models/users.sql`), so it works on every checkout",
            )
        elif ctx.sql_file_missing(model):
            yield Finding(
                model.value_at("config", "sql_file"),
                f"`config.sql_file` {shown(sql_file)} of {model.label} names no file "
                f"(paths are relative to the folder of `{ctx.path}`)",
                hint="create the file or correct the path",
            )


RULE = Rule(
    code="CN03",
    name="invalid-data-model",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

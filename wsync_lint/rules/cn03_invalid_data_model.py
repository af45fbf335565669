"""A data model payload misses a required field, has a wrong value or names no usable query.

## What it does
Checks each data model (`POST/PUT /data-models`) in a payload file:

- the required fields `id` (a slug: letters, digits, `_` and `-`), `name` and `type`, which is
  exactly `sql`; `state`, when given, is `new`, `active` or `inactive`;
- `config` is an object with exactly one of `sql_query` (the query, a non-blank string) or
  `sql_file` (wsync-lint's extension: the file that holds the query, as a path relative to the
  payload's folder, that deploy inlines; any file name, `.sql` or not, is checked as SQL);
- a query written under a key mParticle does not read (`config.query`, `config.sql`, a
  top-level `query`) is an error when the model has no query otherwise, and other keys in
  `config` are a warning (what the API does with unknown keys is not documented);
- a `sql_file` that is absolute or a URL, that names no file, that is not a regular file (a
  folder, a pipe, a device), or that lies outside the project once `..` and symbolic links are
  resolved. Such a file is never read, by any command;
- response-only fields (`status`, `errors`, `created_on`, `created_by`, `last_modified_on`,
  `last_modified_by`) are a warning: the API reference's own create and update examples send
  `errors`.

A YAML or JSON file that names no Warehouse Sync key is read as a data model when it says
`type: sql` or its `config` has a key that names a query, so a model whose only mistake is the
name of its query key is reported, not skipped. The query itself is checked as SQL by the other
rules. A v1 ("experimental") data model has its `sql_query` at the top level: PL08 says to move
it into `config`, so this rule does not also report the missing `config`. A `sql_file` written
at the top level is reported here: it belongs in `config`.

## Why is this bad?
The API rejects a data model without `type: sql` or a query with a 400. A query under another
key is not sent, so the model has none, and nothing checks its SQL. A model file that does not
exist, or is named by an absolute path that only exists on one machine, leaves deploy with
nothing to send and the SQL rules with nothing to check; one outside the project (a path with
`..`, a symbolic link) makes a review of the project miss what is deployed, and could make a
linter in CI print a file that is no SQL at all.

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
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.model_files import SqlFileProblem
from wsync_lint.project.resources import Kind, Resource, is_query_key

_DESCRIPTIONS = {
    "id": "a slug: letters, digits, `_` and `-`",
    "type": f"{choices(facts.DATA_MODEL_TYPES)}",
    "config": "an object with `sql_query` or `sql_file`",
}
_NOT_RELATIVE = re.compile(r"^(?:[/\\~]|[A-Za-z]:[/\\]|[A-Za-z][\w+.-]*://)")
_KEYS = ("sql_query", "sql_file")
"""What a data model's `config` holds: mParticle's `sql_query`, or wsync-lint's `sql_file`."""
# A file name (`users.sql`, `sql/users.txt`) rather than a query: one word with a suffix.
_LOOKS_LIKE_FILE = re.compile(r"^[^\s]+\.[A-Za-z0-9]+$")
_NAME_THE_FILE = "name the file that holds the query, relative to this payload's folder"


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
    config = data.get("config")
    # A query under a top-level key of its own (`query: SELECT ...`): reported once, at that key.
    stray = [key for key, value in data.items() if is_query_key(key) and key not in _KEYS and isinstance(value, str)]
    # A v1 model's top-level `sql_query` is PL08's (move it into `config`); a top-level
    # `sql_file` or stray query is reported below. Either way `config` is not also reported missing.
    misplaced = "config" not in data and ("sql_query" in data or "sql_file" in data or bool(stray))
    required = ("id", "name", "type") if misplaced else ("id", "name", "type", "config")
    yield from schema_findings(model, _schema(required))
    if misplaced and "sql_file" in data:
        yield Finding(
            model.key_at("sql_file"),
            f"`sql_file` of {model.label} is outside `config`",
            hint="move it to `config.sql_file`",
        )
    has_query = isinstance(config, Mapping) and any(config.get(key) is not None for key in _KEYS)
    for key in stray:
        yield _unread_key(model, (key,), has_query or "sql_query" in data)
    if isinstance(config, Mapping):
        yield from _query(ctx, model, config, query_elsewhere=bool(stray))
    yield from read_only_findings(model)


def _unread_key(model: Resource, keys: tuple[str, ...], has_query: bool) -> Finding:
    """A key mParticle does not read a query from: an error when the model has no query else."""
    written = ".".join(keys)
    value = model.get(*keys)
    target = "sql_file" if isinstance(value, str) and _LOOKS_LIKE_FILE.match(value.strip()) else "sql_query"
    if has_query:
        return Finding(
            model.key_at(*keys),
            f"`{written}` of {model.label} is no data model key: mParticle reads the query from "
            "`config.sql_query` only, so this value is not used",
            hint=f"remove `{written}`",
            severity=Severity.WARNING,
        )
    return Finding(
        model.key_at(*keys),
        f"the query of {model.label} is under `{written}`, which mParticle does not read: "
        f"the data model has no query, and its SQL is not checked",
        hint=f"write it as `config.{target}`",
    )


def _query(ctx: PayloadContext, model: Resource, config: Mapping[str, Any], query_elsewhere: bool) -> Iterator[Finding]:
    query, sql_file = config.get("sql_query"), config.get("sql_file")
    unknown = [key for key in config if key not in _KEYS]
    if query is None and sql_file is None:
        # The first key that holds a string is where the query went; the others are extra keys.
        misnamed = next((key for key in unknown if isinstance(config[key], str)), None)
        for key in unknown:
            yield _unread_key(model, ("config", str(key)), key != misnamed or query_elsewhere)
        if misnamed is None and not query_elsewhere:
            yield Finding(
                model.key_at("config"),
                f"`config` of {model.label} has neither `sql_query` nor `sql_file`: the data model has no query",
                hint="add `config.sql_query` (the query) or `config.sql_file` (the file that holds it)",
            )
        return
    for key in unknown:
        yield _unread_key(model, ("config", str(key)), True)
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
        yield from _sql_file(ctx, model, sql_file)


def _sql_file(ctx: PayloadContext, model: Resource, sql_file: str) -> Iterator[Finding]:
    at = model.value_at("config", "sql_file")
    if not sql_file.strip():
        yield Finding(at, f"`config.sql_file` of {model.label} is empty", hint=_NAME_THE_FILE)
        return
    if _NOT_RELATIVE.match(sql_file):
        yield Finding(
            at,
            f"`config.sql_file` {shown(sql_file)} of {model.label} is not a path relative to the payload's folder",
            hint="write the path from this payload's folder (`models/users.sql`), so it works on every checkout",
        )
        return
    problem = ctx.sql_file_problem(model)
    if problem is None:
        return
    why, file = problem
    named = f"`config.sql_file` {shown(sql_file)} of {model.label}"
    if why is SqlFileProblem.OUTSIDE:
        yield Finding(
            at,
            f"{named} lies outside the project once `..` and symbolic links are resolved: it is not read or checked",
            hint="keep the data model's SQL inside the project (the folder with `wsync-lint.toml` or `.git`)",
            related=(file,),
        )
    elif why is SqlFileProblem.NOT_A_FILE:
        yield Finding(
            at,
            f"{named} is not a regular file (a folder, a pipe or a device): it is not read",
            hint=_NAME_THE_FILE,
            related=(file,),
        )
    else:
        yield Finding(
            at,
            f"{named} names no file (paths are relative to the folder of `{ctx.path}`)",
            hint="create the file or correct the path",
            related=(file,),
        )


RULE = Rule(
    code="CN03",
    name="invalid-data-model",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

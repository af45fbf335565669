"""A payload file is not valid JSON or YAML, or holds something that is no Warehouse Sync resource.

## What it does
Reports a JSON or YAML file that mentions Warehouse Sync keys (`pipeline_type`,
`service_provider`, `sql_query`, ...) but cannot be used as a payload:

- it holds an unresolved merge conflict (Git's `<<<<<<<`, `=======` and `>>>>>>>` lines), at
  the first marker; the file is not read further, so no finding comes from half of a conflict;
- it is not valid JSON (JSON files) or YAML (`.yaml`, `.yml`), at the first bad character;
- it is not UTF-8;
- an object in it (the file's one object, or an item of its list) matches no resource the
  Warehouse Sync API takes: connection, data model, pipeline, field transformation, feed or
  trigger request. API responses that are no resource (a pipeline report, a list of runs) are
  reported here too.

JSON and YAML files without any Warehouse Sync key (`package.json`, CI workflows) are not
payloads and are not reported; one of them that holds a data model (`type: sql`, or a query key
in `config`) is checked as one (CN03).

## Why is this bad?
The API cannot take a file it cannot parse, and nothing checks a payload wsync-lint cannot
recognise. A conflict left in a file after a merge breaks it in a place that has little to do
with the conflict, and the parser's message does not say why. A typo in a key such as `pipline_type` hides every other problem of the pipeline.
mParticle's own BigQuery connection example is not valid JSON as published (raw line breaks in
`service_account_key`).

## Example
```json
{"id": "users-hourly", "pipeline_type": "user_attributes", "connection_id": "snowflake-prod",}
```

## Use instead
```json
{"id": "users-hourly", "pipeline_type": "user_attributes", "connection_id": "snowflake-prod"}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.project.resources import Kind
from wsync_lint.sql.positions import FileSpan, Span

_KINDS = ", ".join(kind.display for kind in list(Kind)[:-1]) + f" or {list(Kind)[-1].display}"


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    problem = ctx.payload.problem
    if problem is not None:
        yield Finding(FileSpan(ctx.path, problem.span), problem.message, hint=problem.hint)
        return
    for document, pointer in ctx.unrecognised:
        place = ctx.payload.place(document, pointer)
        where = f"item {pointer[-1] + 1} of the list" if pointer else "the file's content"  # type: ignore[operator]
        yield Finding(
            FileSpan(ctx.path, Span(place.value.start, place.value.start + 1)),
            f"{where} is no Warehouse Sync resource (a {_KINDS})",
            hint="check the key names: the kind of a payload is recognised by keys such as "
            "`pipeline_type`, `service_provider` or `config.sql_query`",
        )


RULE = Rule(
    code="PS05",
    name="invalid-payload",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

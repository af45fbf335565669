"""A pipeline gives a data plan id without its version (or the reverse), or names them `plan_id`/`plan_version`.

## What it does
Checks a pipeline's data plan:

- `data_plan_id` and `data_plan_version` are given together or not at all; the finding points at
  the one that is given (`null` counts as not given);
- `plan_id` and `plan_version`, the names the tutorial uses, are reported with the names the API
  takes (`data_plan_id`, `data_plan_version`); a misnamed key still counts for the pair above;
- `data_plan_id` is a string, and `data_plan_version` a whole number or a string (the
  reference's table says string, every one of its examples sends the number `2`).

## Why is this bad?
The API answers 404 when "the data plan does exist but you did not specify a data plan
version". The tutorial says "add plan_id and plan_version", but the API reads only
`data_plan_id` and `data_plan_version`: with the tutorial's names, the pipeline is created
without any data plan, and its data is not validated against it.

## Example
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
plan_id: customer-profile
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```

## Use instead
```yaml
id: users-hourly
name: Users hourly
pipeline_type: user_attributes
connection_id: snowflake-prod
data_model_id: users
state: active
environment: production
data_plan_id: customer-profile
data_plan_version: 2
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamp_ltz}
schedule: {type: interval, frequency: hourly, start: "2024-01-01T00:00:00Z", delay: 5m}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.payload_schema import schema_findings
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind

PLAN_ID, PLAN_VERSION = facts.DATA_PLAN_KEYS

# WS-PIPE-12 types (`null` counts as not given); WS-PIPE-14 (C-08): the version as a number or a string.
TYPES = {
    PLAN_ID: {"type": "string", "minLength": 1},
    PLAN_VERSION: {"type": ["integer", "string"], "minLength": 1},
}


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        data = pipeline.data
        given: dict[str, str] = {}  # the API's key -> the key written for it
        for key in facts.DATA_PLAN_KEYS:
            if data.get(key) is not None:
                given[key] = key
        for wrong, right in facts.DATA_PLAN_MISNAMED.items():
            if data.get(wrong) is not None:
                given.setdefault(right, wrong)
        missing = [key for key in facts.DATA_PLAN_KEYS if key not in given] if given else []
        also = f" and add `{missing[0]}`" if missing else ""
        for wrong, right in facts.DATA_PLAN_MISNAMED.items():
            if wrong in data:
                yield Finding(
                    pipeline.key_at(wrong),
                    f"{pipeline.label} names its data plan's {_what(right)} `{wrong}` (the tutorial's name); "
                    f"the API's field is `{right}`",
                    hint=f"rename `{wrong}` to `{right}`" + (also if given.get(right) == wrong else ""),
                )
        typed = {key: schema for key, schema in TYPES.items() if data.get(key) is not None}
        if typed:
            yield from schema_findings(pipeline, {"properties": typed})
        if missing and given[PLAN_ID if missing[0] == PLAN_VERSION else PLAN_VERSION] in facts.DATA_PLAN_KEYS:
            [(present, written)] = given.items()
            yield Finding(
                pipeline.key_at(written),
                f"{pipeline.label} gives `{present}` without `{missing[0]}`; the API needs both to use a data plan",
                hint=f"add `{missing[0]}`, or remove `{present}`",
            )


def _what(key: str) -> str:
    return "id" if key == PLAN_ID else "version"


RULE = Rule(
    code="PL06",
    name="data-plan-incomplete",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

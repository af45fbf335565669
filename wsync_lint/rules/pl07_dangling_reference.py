"""A pipeline names a connection, data model or field transformation that no file of the project defines.

## What it does
Reports a pipeline's `connection_id`, `data_model_id` or `field_transformation_id` whose value
is the `id` of no connection, data model or field transformation (respectively) in any payload
file of the project. The finding is a warning: the resource may exist in the mParticle workspace
without being kept in git. The hint names a defined id that is spelled alike, or another kind
of resource that has the id.

Not checked: `partner_feed_id` and `partner_feed_key` (feeds are created in the mParticle UI or
the Platform API and usually not kept as files), and values that are not strings (PL01 reports
those).

## Why is this bad?
The API answers `404` when a pipeline names a resource that does not exist in the workspace.
When the resource does exist but is not in the project, the cross-file checks cannot run: the
model's SQL is not checked in the connection's warehouse or for this pipeline's iterator, and
field transformations are not compared with the model's output columns.

## Example
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-production
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
```

## Known limitations
Whether the resource exists in the workspace is only known with the API (LV05).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.project.resources import Kind

_REFERENCES: tuple[tuple[str, Kind], ...] = (
    ("connection_id", Kind.CONNECTION),
    ("data_model_id", Kind.DATA_MODEL),
    ("field_transformation_id", Kind.FIELD_TRANSFORMATION),
)
_REFERENCED = frozenset(kind for _, kind in _REFERENCES)


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    pipelines = ctx.of_kind(Kind.PIPELINE)
    if not pipelines:
        return
    ids: dict[Kind, list[str]] = {kind: [] for kind in _REFERENCED}
    for resource in ctx.project.resources:
        if resource.kind in _REFERENCED and resource.id is not None:
            ids[resource.kind].append(resource.id)
    for pipeline in pipelines:
        for key, kind in _REFERENCES:
            value = pipeline.get(key)
            if not isinstance(value, str) or not value or ctx.find(kind, value) is not None:
                continue
            what = kind.display
            others = [other for other in _REFERENCED if other is not kind and ctx.find(other, value) is not None]
            close = difflib.get_close_matches(value, dict.fromkeys(ids[kind]), n=1, cutoff=0.6)
            if close:
                hint = f"did you mean {what} `{close[0]}`?"
            elif others:
                hint = f"`{value}` is the id of a {others[0].display}, not of a {what}: name a {what} here"
            elif ids[kind]:
                hint = f"add the {what}'s payload to the project, or name one it defines (`{ids[kind][0]}` ...)"
            else:
                hint = f"add the {what}'s payload to the project so that wsync-lint can check the pipeline with it"
            yield Finding(
                pipeline.value_at(key),
                f"{pipeline.label} names {what} `{value}`, which no file of the project defines; "
                f"the API answers 404 if it does not exist in the workspace either",
                hint=hint,
            )


RULE = Rule(
    code="PL07",
    name="dangling-reference",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
    default_severity=Severity.WARNING,
)

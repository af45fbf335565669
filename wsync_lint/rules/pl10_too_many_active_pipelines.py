"""The project has more active pipelines than mParticle allows in a workspace.

## What it does
Counts the pipelines of the project whose `state` is `active` and reports each one beyond the
5th, at its `state` value. Pipelines are counted in path order (files sorted by path, then in
their order within a file); the message names the five counted first. A pipeline whose `id`
appears in several files is counted once.

## Why is this bad?
mParticle's limit is 5 active pipelines per workspace ("Max number of Active Pipelines — 5"):
creating or activating a 6th fails. Pipelines that need not run on a schedule can be `paused`,
or merged (one model can feed several attributes).

## Example
```yaml
- {id: p1, pipeline_type: user_attributes, state: active}
- {id: p2, pipeline_type: user_attributes, state: active}
- {id: p3, pipeline_type: user_attributes, state: active}
- {id: p4, pipeline_type: user_attributes, state: active}
- {id: p5, pipeline_type: user_attributes, state: active}
- {id: p6, pipeline_type: user_attributes, state: active}
```

## Use instead
```yaml
- {id: p1, pipeline_type: user_attributes, state: active}
- {id: p2, pipeline_type: user_attributes, state: active}
- {id: p3, pipeline_type: user_attributes, state: active}
- {id: p4, pipeline_type: user_attributes, state: active}
- {id: p5, pipeline_type: user_attributes, state: active}
- {id: p6, pipeline_type: user_attributes, state: paused}
```

## Known limitations
Only the project's files are counted; pipelines already active in the workspace but not kept
in git count too (LV05 asks the API).
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind, Resource


def _order(pipeline: Resource) -> tuple[tuple[str, ...], int, int]:
    return (tuple(pipeline.path.split("/")), pipeline.document, pipeline.start.span.start)


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    limit = facts.ACTIVE_PIPELINE_LIMIT
    active = sorted(
        (p for p in ctx.of_kind(Kind.PIPELINE) if p.get("state") == facts.PIPELINE_STATE_ACTIVE), key=_order
    )
    if len(active) <= limit:
        return
    rank: dict[object, int] = {}
    counted: list[Resource] = []
    for pipeline in active:
        key: object = pipeline.id if pipeline.id is not None else id(pipeline)
        if key not in rank:
            rank[key] = len(rank) + 1
            if len(counted) < limit:
                counted.append(pipeline)
        if rank[key] <= limit:
            continue
        first = ", ".join(f"`{p.id}`" if p.id else f"one in {p.path}" for p in counted)
        yield Finding(
            pipeline.value_at("state"),
            f"{pipeline.label} is active pipeline number {rank[key]} of the project; mParticle allows at most "
            f"{limit} active pipelines per workspace (counted first, in path order: {first})",
            hint="set `state: paused` on the pipelines that need not run, or merge their models",
            related=tuple(dict.fromkeys(p.path for p in counted if p.path != pipeline.path)),
        )


RULE = Rule(
    code="PL10",
    name="too-many-active-pipelines",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

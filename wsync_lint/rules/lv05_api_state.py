"""mParticle's workspace refuses or has faulted what the project's payloads name.

## What it does
In `wsync-lint plan`, `deploy`, `status` and `preflight --api`, holds the project's payloads
against what the Warehouse Sync API answers for the workspace (GET only) and reports, on a key of
a file the user keeps:

- a pipeline's `connection_id` or `data_model_id` that neither the project nor the workspace
  defines (at the value; PL07 only warns, as the resource might exist in the workspace);
- a connection or pipeline whose `status` is `faulted`, and a data model whose `status` is
  `invalid`, with mParticle's own messages (at the resource's `id`; a faulted connection or
  invalid data model the project does not keep is reported at the pipeline's `connection_id`
  or `data_model_id`). Where a message matches a cause mParticle documents, the hint gives the
  advice for it;
- a data plan or data plan version that does not exist (at `data_plan_id`, or at
  `data_plan_version` when another version of the plan was found), a version that is not
  active (at `data_plan_version`), and, as a warning, a version active only in `development`
  for a `production` pipeline;
- in `deploy`, a create or update mParticle refused (`400`, `404`, or `505` when mParticle
  could not reach the warehouse), with mParticle's own message, at the resource's `id`: the
  deploy stopped there, and what came after it was not sent;
- the active-pipeline limit: the workspace's active pipelines that the project does not define,
  plus the project's pipelines with `state: active` (each id once), above 5. Reported at the
  `state` of each project pipeline beyond the limit, in PL10's order (the workspace's own
  first, then the project's in path order).

What could not be read (data plans without Data Planning API access, field transformations) is
listed in the run's notes, never reported as a finding.

## Why is this bad?
Creating or updating a pipeline that names a missing connection, data model or data plan fails
with `404`; an inactive data plan version with `400`; a 6th active pipeline is refused. A
faulted or invalid resource syncs nothing until it is fixed ("In a faulted state, no data will
synchronize until the issue is resolved"); an update of the resource clears the fault.

## Example
```yaml
# workspace 1234 has no connection `snowflake-production`, and the project defines none
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-production
  data_model_id: customers
  state: active
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  state: active
```

## Known limitations
Needs the API (`[tool.wsync-lint.api] workspace` and credentials). Not documented, so not
checked or only warned about: field transformation ids (the Field Transformations API endpoints
are unknown), feeds (`partner_feed_id`; the feed API is account-scoped), whether a version
active only in `development` is accepted by a `production` pipeline (a warning), and whether the
active-pipeline limit is per workspace or per account and whether `paused` pipelines count (only
`active` ones are counted, in this workspace). Which project pipeline is the one "beyond the
limit" follows PL10's path order, not which pipelines are already active.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from wsync_lint.contract.api_state import ApiContext, LiveResource
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.troubleshooting import advice_for
from wsync_lint.printable import counted
from wsync_lint.project.resources import Kind, Resource

_REFERENCES: tuple[tuple[str, Kind], ...] = (
    ("connection_id", Kind.CONNECTION),
    ("data_model_id", Kind.DATA_MODEL),
    ("field_transformation_id", Kind.FIELD_TRANSFORMATION),
)

_FAULTY: dict[Kind, str] = {Kind.CONNECTION: "faulted", Kind.DATA_MODEL: "invalid", Kind.PIPELINE: "faulted"}
"""The ``status`` that says a resource of each kind syncs nothing (WS-ERR-08, WS-ERR-15)."""

CLEARS_THE_FAULT = "fix the cause, then `wsync-lint deploy`: an update clears the fault (R2)"
DEVELOPMENT, PRODUCTION = facts.ENVIRONMENTS
NOT_ACTIVE = "none"
"""``activated_environment`` of a data plan version that is active nowhere."""


def check(ctx: ApiContext, options: dict) -> Iterator[Finding]:
    pipelines = ctx.project.of_kind(Kind.PIPELINE)
    for pipeline in pipelines:
        yield from _dangling(ctx, pipeline)
    yield from _faults(ctx)
    yield from _refused(ctx)
    for pipeline in pipelines:
        yield from _data_plan(ctx, pipeline)
    yield from _active_limit(ctx, pipelines)


# -- references


def _checked(ctx: ApiContext, kind: Kind) -> bool:
    """Whether the workspace's resources of ``kind`` were read: the reader notes the kinds it
    could not read (field transformations, whose endpoints are not documented)."""
    if kind is not Kind.FIELD_TRANSFORMATION:
        return True
    return not any(kind.display in note.lower() for note in ctx.state.unchecked)


def _dangling(ctx: ApiContext, pipeline: Resource) -> Iterator[Finding]:
    workspace = ctx.state.workspace
    for key, kind in _REFERENCES:
        value = pipeline.get(key)
        if not isinstance(value, str) or not value or not _checked(ctx, kind):
            continue
        if ctx.project.find(kind, value) is not None or ctx.state.find(kind, value) is not None:
            continue
        what = kind.display
        known = list(
            dict.fromkeys(
                [r.id for r in ctx.project.of_kind(kind) if r.id] + [live.id for live in ctx.state.of_kind(kind)]
            )
        )
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        if close:
            hint = f"did you mean {what} `{close[0]}`?"
        elif known:
            hint = f"name a {what} the project or the workspace has (`{known[0]}` ...), or add this one's payload"
        else:
            hint = f"add the {what}'s payload to the project: deploy creates it before the pipeline"
        yield Finding(
            pipeline.value_at(key),
            f"{pipeline.label} names {what} `{value}`, which neither the project nor workspace `{workspace}` "
            f"defines: creating or updating the pipeline fails (the API answers 404)",
            hint=hint,
            related=(pipeline.path,),
        )


# -- faulted connections and pipelines, invalid data models


def _faults(ctx: ApiContext) -> Iterator[Finding]:
    workspace = ctx.state.workspace
    for resource in ctx.project.resources:
        live = ctx.state.find(resource.kind, resource.id)
        if live is None or resource.kind not in _FAULTY or live.status != _FAULTY[resource.kind]:
            continue
        yield Finding(
            resource.value_at("id"),
            f"{resource.label} is {live.status} in workspace `{workspace}`: {_said(live)}; "
            f"{_consequence(resource.kind)}",
            hint=advice_for(live.errors) or CLEARS_THE_FAULT,
            related=(resource.path,),
        )
    # A faulted connection or invalid data model that only the workspace holds still stops the
    # project's pipelines that use it: said at the pipeline's reference, the key the user owns.
    for pipeline in ctx.project.of_kind(Kind.PIPELINE):
        for key, kind in _REFERENCES[:2]:
            value = pipeline.get(key)
            live = ctx.state.find(kind, value)
            if live is None or ctx.project.find(kind, value) is not None or live.status != _FAULTY[kind]:
                continue
            yield Finding(
                pipeline.value_at(key),
                f"{pipeline.label} uses {kind.display} `{live.id}`, which is {live.status} in workspace "
                f"`{workspace}` (the project does not define it): {_said(live)}; the pipeline syncs nothing until "
                "it is fixed",
                hint=advice_for(live.errors) or f"fix the {kind.display} in mParticle: an update clears the fault (R2)",
                related=(pipeline.path,),
            )


def _refused(ctx: ApiContext) -> Iterator[Finding]:
    for resource in ctx.project.resources:
        refusal = ctx.state.refused.get((resource.kind, resource.id or ""))
        if refusal is None:
            continue
        said = " ".join(refusal.message.split()) or "no message"
        warehouse = " (mParticle could not reach the warehouse)" if refusal.status == 505 else ""
        yield Finding(
            resource.value_at("id"),
            f"mParticle refused to {refusal.action} {resource.label} in workspace `{ctx.state.workspace}` "
            f'({refusal.status}{warehouse}): "{said}"; the deploy stopped here',
            hint="correct what mParticle names, then deploy again: what was applied before it is kept",
            related=(resource.path,),
        )


def _said(live: LiveResource) -> str:
    if not live.errors:
        return "mParticle gives no message"
    return "mParticle says " + "; ".join(f'"{" ".join(message.split())}"' for message in live.errors)


def _consequence(kind: Kind) -> str:
    if kind is Kind.PIPELINE:
        return "it syncs nothing until the fault is cleared"
    return f"no pipeline using the {kind.display} syncs until it is fixed"


# -- data plans


def _data_plan(ctx: ApiContext, pipeline: Resource) -> Iterator[Finding]:
    plan_id, version = (pipeline.get(key) for key in facts.DATA_PLAN_KEYS)
    found = ctx.state.data_plan(plan_id, version)
    if found is None:
        return  # not named in full (PL06), or not checked (a note says why)
    workspace = ctx.state.workspace
    named = f"data plan `{found.plan_id}` version {found.version}"
    if not found.exists:
        other_versions = [
            plan for (each, _), plan in ctx.state.data_plans.items() if each == found.plan_id and plan.exists
        ]
        if other_versions:
            at, what = (
                "data_plan_version",
                f"version {found.version} of data plan `{found.plan_id}`, which has no such version",
            )
        else:
            at, what = "data_plan_id", f"{named}, which does not exist"
        yield Finding(
            pipeline.value_at(at),
            f"{pipeline.label} names {what} in workspace `{workspace}` (the Data Planning API answered 404): "
            "creating or updating the pipeline fails with 404",
            hint="name a data plan and version that exist in the workspace (WS-PIPE-12)",
            related=(pipeline.path,),
        )
    elif found.activated_environment == NOT_ACTIVE:
        yield Finding(
            pipeline.value_at("data_plan_version"),
            f"{pipeline.label} names {named}, which is not active in workspace `{workspace}`: creating or "
            "updating the pipeline fails with 400",
            hint="activate the version in mParticle's Data Planning, or name an active version (WS-PIPE-12)",
            related=(pipeline.path,),
        )
    elif found.activated_environment == DEVELOPMENT and pipeline.get("environment") == PRODUCTION:
        yield Finding(
            pipeline.value_at("data_plan_version"),
            f"{pipeline.label} is a `production` pipeline, but {named} is active only in `development` in "
            f"workspace `{workspace}`: mParticle does not document whether it accepts that",
            hint="activate the version for production, or confirm with mParticle before deploying",
            severity=Severity.WARNING,
            related=(pipeline.path,),
        )


# -- the active-pipeline limit


def _order(pipeline: Resource) -> tuple[tuple[str, ...], int, int]:
    return (tuple(pipeline.path.split("/")), pipeline.document, pipeline.start.span.start)


def _active_limit(ctx: ApiContext, pipelines: list[Resource]) -> Iterator[Finding]:
    limit = facts.ACTIVE_PIPELINE_LIMIT
    unmanaged = [
        live.id
        for live in ctx.state.of_kind(Kind.PIPELINE)
        if live.state == facts.PIPELINE_STATE_ACTIVE and ctx.project.find(Kind.PIPELINE, live.id) is None
    ]
    active = sorted((p for p in pipelines if p.get("state") == facts.PIPELINE_STATE_ACTIVE), key=_order)
    rank: dict[object, int] = {}
    for pipeline in active:
        rank.setdefault(_identity(pipeline), len(unmanaged) + len(rank) + 1)
    if len(unmanaged) + len(rank) <= limit:
        return
    if unmanaged:
        listed = ", ".join(f"`{each}`" for each in unmanaged[:limit]) + (" ..." if len(unmanaged) > limit else "")
        counts = (
            f"the workspace has {counted(len(unmanaged), 'active pipeline')} the project does not define ({listed}) and the "
            f"project sets {len(rank)} to `active`"
        )
    else:
        counts = f"the project sets {counted(len(rank), 'pipeline')} to `active`"
    within = [pipeline for pipeline in active if rank[_identity(pipeline)] <= limit]
    for pipeline in active:
        if rank[_identity(pipeline)] <= limit:
            continue
        yield Finding(
            pipeline.value_at("state"),
            f"{pipeline.label} would be active pipeline number {rank[_identity(pipeline)]} of workspace "
            f"`{ctx.state.workspace}`: {counts}; mParticle allows at most {limit} active pipelines per workspace",
            hint="set `state: paused` on the pipelines that need not run, or pause one in the workspace",
            related=tuple(dict.fromkeys([pipeline.path, *(p.path for p in within)])),
        )


def _identity(pipeline: Resource) -> object:
    return pipeline.id if pipeline.id is not None else id(pipeline)


RULE = Rule(code="LV05", name="api-state", check=check, doc=__doc__ or "", needs=Needs.API)

"""Read one Warehouse Sync workspace into an :class:`~wsync_lint.contract.api_state.ApiState` (GET only).

``plan``, ``deploy``, ``status`` and ``preflight --api`` all start here: every connection, data
model and pipeline the workspace holds (including those the project does not define: the
active-pipeline limit counts them), and the data plan versions the project's pipelines name. Field
transformations are not read: mParticle documents no API endpoints for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wsync_lint.api.client import ApiForbidden, WarehouseSyncClient
from wsync_lint.contract.api_state import ApiState, DataPlanVersion, LiveResource
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind, Resource

READ_KINDS: tuple[Kind, ...] = (Kind.CONNECTION, Kind.DATA_MODEL, Kind.PIPELINE)
"""The kinds read, in creation order (O2); field transformations have no documented endpoint."""

FIELD_TRANSFORMATIONS_NOT_READ = "field transformations: not read (mParticle documents no API endpoints for them)"
NO_DATA_PLANNING_ACCESS = "data plans: the credential has no Data Planning API access"


def read_workspace(client: WarehouseSyncClient, project: Project) -> ApiState:
    """The workspace as the API answers for it, with the data plan versions ``project`` names."""
    state = ApiState(workspace=client.settings.workspace)
    for kind in READ_KINDS:
        for body in client.list(kind):
            resource_id = body.get("id")
            if isinstance(resource_id, str):
                state.resources[(kind, resource_id)] = LiveResource(kind, resource_id, body)
    if _uses_field_transformations(project.resources):
        state.unchecked.append(FIELD_TRANSFORMATIONS_NOT_READ)
    for plan_id, version in named_data_plans(project):
        try:
            answer = client.data_plan_version(plan_id, version)
        except ApiForbidden:
            # One refusal says it for every plan: the credential lacks the Data Planning tick (N-13).
            state.unchecked.append(NO_DATA_PLANNING_ACCESS)
            break
        state.data_plans[(plan_id, version)] = _version(plan_id, version, answer)
    return state


def named_data_plans(project: Project) -> list[tuple[str, str]]:
    """Each (data plan id, version as text) the project's pipelines name, once, in file order.
    A pipeline naming a plan without a version names nothing to read (PL rules report the pair)."""
    named: dict[tuple[str, str], None] = {}
    for pipeline in project.of_kind(Kind.PIPELINE):
        plan_id, version = pipeline.get("data_plan_id"), pipeline.get("data_plan_version")
        if isinstance(plan_id, str) and plan_id and not isinstance(version, bool) and isinstance(version, int | str):
            named[(plan_id, str(version))] = None
    return list(named)


def _version(plan_id: str, version: str, answer: dict[str, Any] | None) -> DataPlanVersion:
    if answer is None:
        return DataPlanVersion(plan_id, version, exists=False)
    environment = answer.get("activated_environment")
    return DataPlanVersion(plan_id, version, True, environment if isinstance(environment, str) else None)


def _uses_field_transformations(resources: Iterable[Resource]) -> bool:
    """Whether one of ``resources`` is a field transformation or a pipeline that names one: only then
    is it worth saying that the workspace's could not be read."""
    return any(
        resource.kind is Kind.FIELD_TRANSFORMATION
        or (resource.kind is Kind.PIPELINE and resource.get("field_transformation_id"))
        for resource in resources
    )


def notes_about(state: ApiState, resources: Iterable[Resource]) -> list[str]:
    """What could not be read (``state.unchecked``) that matters to ``resources``: the note on field
    transformations only when one of them is or uses one."""
    uses = _uses_field_transformations(resources)
    return [note for note in state.unchecked if uses or note != FIELD_TRANSFORMATIONS_NOT_READ]

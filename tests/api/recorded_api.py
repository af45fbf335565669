"""A workspace of recorded API answers, for the API rules' case tables (LV05, LV06).

Not a stand-in for the API: it builds the :class:`~wsync_lint.contract.api_state.ApiState` that
:func:`wsync_lint.api.workspace.read_workspace` would return, from a case's ``api:`` block, so a
rule's placement and wording are tested with exact, reviewable answers. The client and the reader
are tested over real HTTP against the fake in ``tests/live/standins/mparticle_api.py``.

An ``api:`` block::

    workspace: "1234"          # optional (default "1234")
    resources:                 # bodies as the GET endpoints answer them, by kind
      connections: [{id: snowflake-prod, service_provider: Snowflake, status: faulted,
                     errors: [{message: "..."}]}]
      data_models: [{id: customers, type: sql, status: valid}]
      pipelines: [{id: customers-hourly, state: active, status: idle}]
    data_plans:                # what the Data Planning API said of each version named
      - {plan_id: loyalty, version: 2, exists: false}
      - {plan_id: loyalty, version: 1, activated_environment: none}
    unchecked: ["field transformations: not read (...)"]
    refused:                   # writes a deploy had refused
      - {kind: pipelines, id: customers-hourly, action: create, status: 400, message: "..."}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wsync_lint.contract.api_state import ApiState, DataPlanVersion, LiveResource, Refusal
from wsync_lint.project.resources import Kind

WORKSPACE = "1234"

KINDS: dict[str, Kind] = {
    "connections": Kind.CONNECTION,
    "data_models": Kind.DATA_MODEL,
    "field_transformations": Kind.FIELD_TRANSFORMATION,
    "pipelines": Kind.PIPELINE,
}
"""The ``resources:`` keys: one per kind the API holds."""


def recorded_state(answers: Mapping[str, Any]) -> ApiState:
    """The workspace that ``answers`` (a case's ``api:`` block) describes."""
    unknown = set(answers) - {"workspace", "resources", "data_plans", "unchecked", "refused"}
    assert not unknown, f"unknown keys in the api: block: {sorted(unknown)}"
    state = ApiState(workspace=str(answers.get("workspace", WORKSPACE)))
    for name, bodies in (answers.get("resources") or {}).items():
        kind = KINDS[name]
        for body in bodies:
            resource_id = body["id"]
            state.resources[(kind, resource_id)] = LiveResource(kind, resource_id, body)
    for plan in answers.get("data_plans") or []:
        version = str(plan["version"])
        state.data_plans[(plan["plan_id"], version)] = DataPlanVersion(
            plan["plan_id"], version, plan.get("exists", True), plan.get("activated_environment")
        )
    state.unchecked.extend(answers.get("unchecked") or [])
    for refused in answers.get("refused") or []:
        key = (KINDS[refused["kind"]], refused["id"])
        state.refused[key] = Refusal(refused["action"], refused["status"], refused["message"])
    return state

"""read_workspace against a seeded fake: the exact ApiState, read with GETs only."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write
from wsync_lint.api.client import WarehouseSyncClient
from wsync_lint.api.settings import api_settings
from wsync_lint.api.workspace import FIELD_TRANSFORMATIONS_NOT_READ, NO_DATA_PLANNING_ACCESS, read_workspace
from wsync_lint.contract.api_state import ApiState, DataPlanVersion, LiveResource
from wsync_lint.engine.config import ApiConfig
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.project.resources import Kind

PIPELINE = """{{"id": "{id}", "name": "{id}", "pipeline_type": "events", "connection_id": "conn",
 "data_model_id": "model", "state": "active", "environment": "production",
 "sync_mode": {{"type": "incremental", "iterator_field": "updated_at", "from": "2024-01-01T00:00:00Z"}},
 "schedule": {{"type": "interval", "frequency": "hourly"}}{plan}}}
"""


def project_with_plans(root: Path):
    """Three pipelines naming web-plan v3 (twice, as 3 and "3"), web-plan v9, and a plan without version."""
    plans = {
        "web-hourly": ', "data_plan_id": "web-plan", "data_plan_version": 3',
        "web-daily": ', "data_plan_id": "web-plan", "data_plan_version": "3"',
        "web-old": ', "data_plan_id": "web-plan", "data_plan_version": 9',
        "no-version": ', "data_plan_id": "app-plan"',
    }
    for pipeline_id, plan in plans.items():
        write(root, f"pipelines/{pipeline_id}.json", PIPELINE.format(id=pipeline_id, plan=plan))
    return load_project(root, Planner(RunOptions()))


def seeded(fake) -> dict[tuple[Kind, str], LiveResource]:
    bodies = [
        (Kind.CONNECTION, fake.seed(Kind.CONNECTION, {"id": "conn", "service_provider": "Databricks", "config": {}})),
        (
            Kind.DATA_MODEL,
            fake.seed(Kind.DATA_MODEL, {"id": "model", "type": "sql", "config": {"sql_query": "SELECT 1"}}),
        ),
        (Kind.PIPELINE, fake.seed(Kind.PIPELINE, {"id": "legacy", "connection_id": "conn", "state": "paused"})),
    ]
    fake.fault(Kind.DATA_MODEL, "model", "column `x` does not exist")
    bodies[1][1].update(status="invalid", errors=[{"message": "column `x` does not exist"}])
    return {(kind, body["id"]): LiveResource(kind, body["id"], body) for kind, body in bodies}


def read(fake, project) -> ApiState:
    settings = api_settings(ApiConfig(workspace="1234"), None, 5.0, fake.environment())
    with WarehouseSyncClient(settings) as client:
        return read_workspace(client, project)


def test_the_workspace_and_the_named_data_plans_are_read_with_gets_only(fake_api, tmp_path) -> None:
    resources = seeded(fake_api)
    fake_api.plans[("web-plan", 3)] = {"activated_environment": "none"}
    state = read(fake_api, project_with_plans(tmp_path))
    assert state == ApiState(
        workspace="1234",
        resources=resources,
        data_plans={
            ("web-plan", "3"): DataPlanVersion("web-plan", "3", exists=True, activated_environment="none"),
            ("web-plan", "9"): DataPlanVersion("web-plan", "9", exists=False),
        },
        unchecked=[],
    )
    assert state.find(Kind.DATA_MODEL, "model").errors == ("column `x` does not exist",)
    base = "/platform/v2/workspaces/1234"
    assert [(method, path) for method, path, _ in fake_api.requests] == [
        ("POST", "/oauth/token"),
        ("GET", f"{base}/connections"),
        ("GET", f"{base}/data-models"),
        ("GET", f"{base}/inputs/data-pipelines"),
        ("GET", f"{base}/plans/web-plan/versions/3"),
        ("GET", f"{base}/plans/web-plan/versions/9"),
    ]
    assert fake_api.writes() == []


def test_no_data_planning_access_is_one_note_and_no_finding(fake_api, tmp_path) -> None:
    fake_api.data_planning_access = False
    state = read(fake_api, project_with_plans(tmp_path))
    assert (state.data_plans, state.unchecked) == ({}, [NO_DATA_PLANNING_ACCESS])
    assert [path for _, path, _ in fake_api.requests].count(
        "/platform/v2/workspaces/1234/plans/web-plan/versions/3"
    ) == 1
    assert len(fake_api.requests) == 5


def test_an_empty_workspace_and_a_project_without_plans(fake_api, tmp_path) -> None:
    state = read(fake_api, load_project(tmp_path, Planner(RunOptions())))
    assert state == ApiState(workspace="1234")


def test_field_transformations_unread_is_a_note_only_when_the_project_uses_one(tmp_path: Path, fake_api) -> None:
    write(tmp_path, "wsync-lint.toml", "")
    write(tmp_path, "pipelines/events.yaml", "id: events\npipeline_type: events\nfield_transformation_id: web-ft\n")
    assert read(fake_api, load_project(tmp_path, Planner(RunOptions()))).unchecked == [FIELD_TRANSFORMATIONS_NOT_READ]

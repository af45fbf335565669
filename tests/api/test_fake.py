"""The fake's fidelity: each behaviour of api-layer.md §3.2 with its exact status and body.

Requests go over real HTTP with plain ``requests`` (not wsync-lint's client), so these tests hold the
fake to the documentation alone. A behaviour the docs leave open carries its assumption in the test
name (``__status_assumed_400``) and is a named constant of the fake (api-layer.md §3.4).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.live.standins import mparticle_api as fake_module

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "official_payloads"
SERVER_KEYS = ("created_on", "created_by", "last_modified_on", "last_modified_by")


def official(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"), strict=False)


class Raw:
    """Plain HTTP calls to the fake's workspace with a token fetched as O2 documents."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.base = f"{fake.url}/platform/v2/workspaces/{fake.workspace}"
        self.token = token(fake).json()["access_token"]

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, self.base + path, json=body, headers=headers, timeout=5)


def token(fake, **changes: str) -> requests.Response:
    body = {"client_id": fake_module.CLIENT_ID, "client_secret": fake_module.CLIENT_SECRET}
    body |= {"audience": "https://api.mparticle.com", "grant_type": "client_credentials", **changes}
    return requests.post(fake.url + "/oauth/token", json=body, timeout=5)


def refusal(status: int, message: str) -> dict[str, Any]:
    return {"statusCode": status, "errors": [{"message": message}]}


def without_server_keys(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in SERVER_KEYS}


@pytest.fixture
def raw(fake_api) -> Raw:
    return Raw(fake_api)


def seed_references(fake) -> None:
    fake.seed("connections", {"id": "conn", "service_provider": "Databricks", "state": "active", "config": {}})
    fake.seed("data-models", {"id": "model", "type": "sql", "state": "active", "config": {"sql_query": "SELECT 1"}})


def pipeline(pipeline_id: str = "pipe", **changes: Any) -> dict[str, Any]:
    body = {"id": pipeline_id, "name": pipeline_id, "pipeline_type": "user_attributes", "connection_id": "conn"}
    body |= {"data_model_id": "model", "state": "active", "environment": "development"}
    body |= {"sync_mode": {"type": "incremental", "iterator_field": "updated_at", "from": "2022-07-01T16:00:00Z"}}
    return body | {"schedule": {"type": "interval", "frequency": "hourly"}} | changes


# --- token (O2) ----------------------------------------------------------------------------------
def test_token_answer_is_o2s_shape_with_the_configured_lifetime(fake_api) -> None:
    fake_api.token_lifetime = 120
    answer = token(fake_api)
    assert answer.status_code == 200
    assert sorted(answer.json()) == ["access_token", "expires_in", "token_type"]
    assert (answer.json()["expires_in"], answer.json()["token_type"]) == (120, "Bearer")


@pytest.mark.parametrize(
    "changes",
    [{"client_secret": "wrong"}, {"audience": "https://example.com"}, {"grant_type": "password"}, {"client_id": "x"}],
)
def test_token_with_a_wrong_field_is_refused__body_assumed(fake_api, changes) -> None:
    answer = token(fake_api, **changes)
    assert (answer.status_code, answer.json()) == (401, fake_module.TOKEN_REFUSED_BODY)


def test_unknown_and_expired_bearers_are_refused_401__body_assumed(fake_api, raw) -> None:
    assert raw.call("GET", "/connections").status_code == 200
    fake_api.expire_tokens()
    assert (raw.call("GET", "/connections").status_code, raw.call("GET", "/connections").json()) == (
        401,
        refusal(401, "Unauthorized"),
    )
    missing = requests.get(raw.base + "/connections", timeout=5)
    assert missing.status_code == 401


def test_a_token_past_its_lifetime_is_refused(fake_api) -> None:
    fake_api.token_lifetime = 0
    raw = Raw(fake_api)
    assert raw.call("GET", "/connections").status_code == 401


def test_another_workspace_is_forbidden__status_assumed_403(fake_api, raw) -> None:
    answer = requests.get(
        f"{fake_api.url}/platform/v2/workspaces/9999/connections", headers={"Authorization": f"Bearer {raw.token}"}
    )
    assert (answer.status_code, answer.json()) == (403, refusal(403, "Access to workspace 9999 is forbidden."))


# --- resources: round trips of the official examples ----------------------------------------------
def test_snowflake_create_answers_ex_v2_04_and_get_leaves_the_password_out(raw) -> None:
    created = raw.call("POST", "/connections", official("EX-V2-03"))
    expected = official("EX-V2-04") | {"id": "example-snowflake-connection", "errors": []}  # R2's id defect aside
    assert created.status_code == 200
    assert without_server_keys(created.json()) == without_server_keys(expected)
    assert (created.json()["last_modified_on"], created.json()["last_modified_by"]) == (None, None)
    read = raw.call("GET", "/connections/example-snowflake-connection").json()
    expected["config"].pop("password")
    assert without_server_keys(read) == without_server_keys(expected)
    assert read["created_on"] == created.json()["created_on"]


def test_redshift_create_answers_ex_v2_08_with_the_default_port(raw) -> None:
    created = raw.call("POST", "/connections", official("EX-V2-07"))
    assert without_server_keys(created.json()) == without_server_keys(official("EX-V2-08") | {"errors": []})


def test_bigquery_create_masks_the_service_account_key_as_ex_v2_06(raw) -> None:
    created = raw.call("POST", "/connections", official("EX-V2-05"))
    assert without_server_keys(created.json()) == without_server_keys(official("EX-V2-06") | {"errors": []})
    assert "service_account_key" not in raw.call("GET", "/connections/example-bigquery-connection").json()["config"]


def test_data_model_create_answers_ex_v2_15_with_status_valid(raw) -> None:
    created = raw.call("POST", "/data-models", official("EX-V2-15")).json()
    assert without_server_keys(created) == official("EX-V2-15") | {"status": "valid", "errors": []}


def test_lists_are_bare_arrays_and_connections_filter_by_service_provider(raw) -> None:
    raw.call("POST", "/connections", official("EX-V2-03"))
    raw.call("POST", "/connections", official("EX-V2-07"))
    assert [body["id"] for body in raw.call("GET", "/connections").json()] == [
        "example-snowflake-connection",
        "example-redshift-connection",
    ]
    filtered = raw.call("GET", "/connections?serviceProvider=Redshift").json()
    assert [body["id"] for body in filtered] == ["example-redshift-connection"]
    assert raw.call("GET", "/data-models").json() == []


def test_an_id_that_is_not_a_slug_is_refused__status_assumed_400(raw) -> None:
    answer = raw.call("POST", "/data-models", {"id": "bad id!", "type": "sql", "config": {}})
    assert (answer.status_code, answer.json()) == (
        400,
        refusal(400, "The id must be a slug of numbers, letters, _ and -."),
    )


def test_a_duplicate_id_is_refused__status_assumed_400(raw) -> None:
    raw.call("POST", "/data-models", official("EX-V2-15"))
    answer = raw.call("POST", "/data-models", official("EX-V2-15"))
    assert (answer.status_code, answer.json()) == (
        400,
        refusal(400, "A resource with id example-data-model already exists."),
    )


def test_put_of_an_unknown_id_is_refused__status_assumed_404(raw) -> None:
    answer = raw.call("PUT", "/data-models/nothing", official("EX-V2-15"))
    assert (answer.status_code, answer.json()) == (404, refusal(404, "The requested resource nothing wasn't found."))


def test_get_of_an_unknown_id_is_404(raw) -> None:
    assert raw.call("GET", "/inputs/data-pipelines/nothing").status_code == 404


def test_each_put_sets_a_new_last_modified_on_and_keeps_created(raw) -> None:
    created = raw.call("POST", "/data-models", official("EX-V2-15")).json()
    first = raw.call("PUT", "/data-models/example-data-model", official("EX-V2-15")).json()
    second = raw.call("PUT", "/data-models/example-data-model", official("EX-V2-15")).json()
    assert created["last_modified_on"] is None
    assert None not in (first["last_modified_on"], second["last_modified_on"])
    assert first["last_modified_on"] < second["last_modified_on"]
    assert (second["created_on"], second["last_modified_by"]) == (created["created_on"], fake_module.ACTOR)


def test_put_answer_masks_a_secret_kept_from_before__put_keeps_omitted_secret_assumed(raw) -> None:
    raw.call("POST", "/connections", official("EX-V2-07"))
    body = official("EX-V2-07")
    body["config"].pop("password")
    updated = raw.call("PUT", "/connections/example-redshift-connection", body).json()
    assert updated["config"]["password"] == fake_module.MASK


def test_connection_that_cannot_reach_the_warehouse_is_refused_505(fake_api, raw) -> None:
    fake_api.refuse_warehouse = True
    answer = raw.call("POST", "/connections", official("EX-V2-07"))
    assert (answer.status_code, answer.json()) == (505, refusal(505, fake_module.WAREHOUSE_REFUSED_MESSAGE))
    assert raw.call("GET", "/connections").json() == []


# --- faults (WS-ERR-08) --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "payload", "faulted", "cleared"),
    [
        ("/connections", "EX-V2-07", "faulted", "healthy"),
        ("/data-models", "EX-V2-15", "invalid", "valid"),
    ],
)
def test_a_fault_shows_on_get_and_a_put_clears_it(fake_api, raw, path, payload, faulted, cleared) -> None:
    raw.call("POST", path, official(payload))
    resource_id = official(payload)["id"]
    fake_api.fault(path.strip("/"), resource_id, "role does not exist")
    read = raw.call("GET", f"{path}/{resource_id}").json()
    assert (read["status"], read["errors"]) == (faulted, [{"message": "role does not exist"}])
    updated = raw.call("PUT", f"{path}/{resource_id}", official(payload)).json()
    assert (updated["status"], updated["errors"]) == (cleared, [])


# --- pipelines (§3.2) ----------------------------------------------------------------------------
def test_pipeline_create_adds_status_idle(fake_api, raw) -> None:
    seed_references(fake_api)
    created = raw.call("POST", "/inputs/data-pipelines", pipeline())
    assert created.status_code == 200
    assert without_server_keys(created.json()) == pipeline() | {"status": "idle", "errors": []}


@pytest.mark.parametrize(("key", "missing"), [("connection_id", "no-conn"), ("data_model_id", "no-model")])
def test_a_pipeline_naming_a_missing_reference_is_refused__status_inferred_404(fake_api, raw, key, missing) -> None:
    seed_references(fake_api)
    answer = raw.call("POST", "/inputs/data-pipelines", pipeline(**{key: missing}))
    assert (answer.status_code, answer.json()) == (404, refusal(404, f"The requested resource {missing} wasn't found."))


def test_a_field_transformation_on_a_user_pipeline_is_refused__status_assumed_400(fake_api, raw) -> None:
    seed_references(fake_api)
    answer = raw.call("POST", "/inputs/data-pipelines", pipeline(field_transformation_id="ft"))
    message = "Field transformations are not available for user data pipelines."
    assert (answer.status_code, answer.json()) == (400, refusal(400, message))
    events = raw.call("POST", "/inputs/data-pipelines", pipeline(pipeline_type="events", field_transformation_id="ft"))
    assert events.status_code == 200


def test_data_plan_without_version_or_unknown_is_404_and_inactive_is_400(fake_api, raw) -> None:
    seed_references(fake_api)
    fake_api.plans[("web-plan", 2)] = {"activated_environment": "none"}
    fake_api.plans[("web-plan", 3)] = {"activated_environment": "production"}
    cases = [({"data_plan_id": "web-plan"}, 404, "Data plan web-plan version None wasn't found.")]
    cases.append(
        ({"data_plan_id": "web-plan", "data_plan_version": 9}, 404, "Data plan web-plan version 9 wasn't found.")
    )
    cases.append(
        ({"data_plan_id": "web-plan", "data_plan_version": 2}, 400, "Data plan web-plan version 2 is not active.")
    )
    for changes, status, message in cases:
        answer = raw.call("POST", "/inputs/data-pipelines", pipeline(**changes))
        assert (answer.status_code, answer.json()) == (status, refusal(status, message))
    assert raw.call("POST", "/inputs/data-pipelines", pipeline(data_plan_id="web-plan", data_plan_version="3")).ok


def test_put_changing_sync_mode_from_is_refused__status_assumed_400(fake_api, raw) -> None:
    seed_references(fake_api)
    raw.call("POST", "/inputs/data-pipelines", pipeline())
    changed = pipeline(
        sync_mode={"type": "incremental", "iterator_field": "updated_at", "from": "2024-01-01T00:00:00Z"}
    )
    answer = raw.call("PUT", "/inputs/data-pipelines/pipe", changed)
    message = "The from field in the sync mode settings can't be modified for existing pipelines."
    assert (answer.status_code, answer.json()) == (400, refusal(400, message))
    same_instant = pipeline(sync_mode={"type": "incremental", "from": "2022-07-01T16:00:00+00:00"}, name="renamed")
    assert raw.call("PUT", "/inputs/data-pipelines/pipe", same_instant).status_code == 200


def test_sixth_active_pipeline_is_refused__status_assumed_400_paused_not_counted(fake_api, raw) -> None:
    seed_references(fake_api)
    for number in range(5):
        assert raw.call("POST", "/inputs/data-pipelines", pipeline(f"p{number}")).status_code == 200
    assert raw.call("POST", "/inputs/data-pipelines", pipeline("paused", state="paused")).status_code == 200
    answer = raw.call("POST", "/inputs/data-pipelines", pipeline("p5"))
    message = "The maximum number of active pipelines (5) is reached."
    assert (answer.status_code, answer.json()) == (400, refusal(400, message))
    assert raw.call("PUT", "/inputs/data-pipelines/paused", pipeline("paused")).status_code == 400
    assert raw.call("PUT", "/inputs/data-pipelines/p0", pipeline("p0", name="again")).status_code == 200


def test_trigger_answers_ex_v2_32_then_ex_v2_33_while_not_idle(fake_api, raw) -> None:
    seed_references(fake_api)
    raw.call("POST", "/inputs/data-pipelines", pipeline("example-pipeline"))
    first = raw.call("POST", "/inputs/data-pipelines/trigger", {"pipeline_id": "example-pipeline"})
    assert (first.status_code, first.json()) == (200, official("EX-V2-32"))
    second = raw.call("POST", "/inputs/data-pipelines/trigger", {"pipeline_id": "example-pipeline"})
    assert (second.status_code, second.json()) == (400, official("EX-V2-33"))


def test_report_is_not_found_during_the_delay_after_creation(fake_api, raw) -> None:
    seed_references(fake_api)
    fake_api.report_delay = 60
    raw.call("POST", "/inputs/data-pipelines", pipeline())
    assert raw.call("GET", "/inputs/data-pipelines/pipe/report").status_code == 404
    fake_api.report_delay = 0
    report = raw.call("GET", "/inputs/data-pipelines/pipe/report").json()
    assert sorted(report) == sorted(official("EX-V2-34"))
    assert (report["status"], report["connection_status"], report["data_model_status"]) == ("idle", "healthy", "valid")


def test_runs_are_paged_in_ex_v2_35s_envelope(fake_api, raw) -> None:
    seed_references(fake_api)
    raw.call("POST", "/inputs/data-pipelines", pipeline())
    runs = [fake_api.add_run("pipe")["id"] for _ in range(3)]
    page = raw.call("GET", "/inputs/data-pipelines/pipe/runs?currentPage=2&pageSize=2").json()
    assert sorted(page) == sorted(official("EX-V2-35"))
    assert [item["id"] for item in page["items"]] == runs[2:]
    assert (page["total_pages"], page["total_items"], page["has_previous_page"], page["has_next_page"]) == (
        2,
        3,
        True,
        False,
    )
    assert raw.call("GET", f"/inputs/data-pipelines/pipe/runs/{runs[0]}").json()["id"] == runs[0]


# --- data planning (D1) --------------------------------------------------------------------------
def test_data_plan_version_route(fake_api, raw) -> None:
    fake_api.plans[("web-plan", 3)] = {"activated_environment": "production"}
    assert raw.call("GET", "/plans/web-plan/versions/3").json() == {
        "data_plan_id": "web-plan",
        "version": 3,
        "activated_environment": "production",
    }
    assert raw.call("GET", "/plans/web-plan/versions/4").status_code == 404
    fake_api.data_planning_access = False
    assert raw.call("GET", "/plans/web-plan/versions/3").status_code == 403


# --- test hooks ----------------------------------------------------------------------------------
def test_injected_answers_come_first_and_writes_leave_the_token_out(fake_api, raw) -> None:
    fake_api.inject(429, headers={"Retry-After": "7"}, times=1)
    limited = raw.call("POST", "/data-models", official("EX-V2-15"))
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert raw.call("GET", "/data-models").json() == []
    assert fake_api.writes() == [("POST", "/platform/v2/workspaces/1234/data-models", official("EX-V2-15"))]


def test_an_injected_answer_for_one_method_leaves_the_others_alone(fake_api, raw) -> None:
    fake_api.inject(400, path="/data-models", method="POST")
    assert raw.call("GET", "/data-models").status_code == 200
    refused = raw.call("POST", "/data-models", official("EX-V2-15"))
    assert (refused.status_code, refused.json()) == (400, refusal(400, "Bad Request"))


def test_a_dropped_answer_after_handling_still_creates(fake_api, raw) -> None:
    fake_api.drop(after_handling=True)
    with pytest.raises(requests.ConnectionError):
        raw.call("POST", "/data-models", official("EX-V2-15"))
    assert [body["id"] for body in raw.call("GET", "/data-models").json()] == ["example-data-model"]

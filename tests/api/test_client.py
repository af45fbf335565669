"""The real client over real HTTP against the fake API: tokens, retries, timeouts, errors, secrets.

The injected faults (429, 5xx, 401, a slow answer, a dropped connection) are not documented
behaviours of mParticle's API: they test the client's robustness, not the fake's fidelity.
Request counts come from the fake's own log; nothing of the client is patched.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.live.standins import mparticle_api as fake_module
from wsync_lint.api.client import ApiForbidden, WarehouseSyncClient
from wsync_lint.api.errors import ApiRefused, ApiUnreachable
from wsync_lint.api.settings import api_settings
from wsync_lint.engine.config import ApiConfig
from wsync_lint.live.backend import secret_spellings
from wsync_lint.project.resources import Kind

BASE = "/platform/v2/workspaces/1234"
TOKEN = ("POST", "/oauth/token")
MODEL = {"id": "orders", "name": "Orders", "state": "active", "type": "sql", "config": {"sql_query": "SELECT 1"}}


def client_for(fake, timeout: float = 30.0, workspace: str = "1234", **environment: str) -> WarehouseSyncClient:
    return WarehouseSyncClient(api_settings(ApiConfig(), workspace, timeout, fake.environment(**environment)))


def calls(fake) -> list[tuple[str, str]]:
    """The log without bodies."""
    return [(method, path) for method, path, _ in fake.requests]


# --- settings (more in test_settings.py) ---------------------------------------------------------
def test_missing_credentials_are_exit_3_before_any_request(fake_api) -> None:
    with client_for(fake_api, WSYNC_LINT_API_CLIENT_SECRET="") as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        "mParticle API credentials are not set: export WSYNC_LINT_API_CLIENT_ID and WSYNC_LINT_API_CLIENT_SECRET"
    )
    assert fake_api.requests == []


def test_importing_the_api_layer_does_not_load_requests() -> None:
    code = "import sys, wsync_lint.api.workspace, wsync_lint.api.settings; print('requests' in sys.modules, 'urllib3' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False False"


# --- tokens --------------------------------------------------------------------------------------
def test_the_token_is_fetched_once_for_many_calls(fake_api) -> None:
    with client_for(fake_api) as client:
        for _ in range(5):
            client.list(Kind.CONNECTION)
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/connections")] * 5
    token_body = fake_api.requests[0][2]
    assert token_body == {
        "client_id": fake_module.CLIENT_ID,
        "client_secret": fake_module.CLIENT_SECRET,
        "audience": "https://api.mparticle.com",
        "grant_type": "client_credentials",
    }


def test_a_lifetime_under_a_minute_is_not_refetched_on_every_call(fake_api) -> None:
    """The design's bug: a fixed 60 s margin would refetch each time when expires_in < 60."""
    fake_api.token_lifetime = 30
    with client_for(fake_api) as client:
        for _ in range(3):
            client.list(Kind.DATA_MODEL)
    assert fake_api.tokens_issued == 1


def test_a_token_near_its_expiry_is_refreshed_before_the_call(fake_api) -> None:
    fake_api.token_lifetime = 1  # refreshed 0.1 s before it ends
    with client_for(fake_api) as client:
        client.list(Kind.DATA_MODEL)
        time.sleep(1.0)
        client.list(Kind.DATA_MODEL)
    assert calls(fake_api) == [TOKEN, ("GET", f"{BASE}/data-models"), TOKEN, ("GET", f"{BASE}/data-models")]


def test_a_401_mid_run_refreshes_the_token_exactly_once(fake_api) -> None:
    with client_for(fake_api) as client:
        client.list(Kind.PIPELINE)
        fake_api.expire_tokens()
        assert client.list(Kind.PIPELINE) == []
    pipelines = ("GET", f"{BASE}/inputs/data-pipelines")
    assert calls(fake_api) == [TOKEN, pipelines, pipelines, TOKEN, pipelines]


def test_a_second_401_ends_the_run_with_exit_3(fake_api) -> None:
    fake_api.inject(401, times=2)
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.PIPELINE)
    assert str(raised.value) == (
        "mParticle refused the API credentials (401) for workspace 1234, with a new token too: "
        "check WSYNC_LINT_API_CLIENT_ID and WSYNC_LINT_API_CLIENT_SECRET"
    )
    pipelines = ("GET", f"{BASE}/inputs/data-pipelines")
    assert calls(fake_api) == [TOKEN, pipelines, TOKEN, pipelines]


def test_refused_client_credentials_are_exit_3(fake_api) -> None:
    with (
        client_for(fake_api, WSYNC_LINT_API_CLIENT_SECRET="wrong-secret") as client,
        pytest.raises(ApiUnreachable) as raised,
    ):
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        f"mParticle refused the API credentials (401) at {fake_api.url}/oauth/token: "
        "check WSYNC_LINT_API_CLIENT_ID and WSYNC_LINT_API_CLIENT_SECRET"
    )
    assert calls(fake_api) == [TOKEN]


def test_the_token_endpoint_is_retried_on_5xx(fake_api) -> None:
    fake_api.inject(503, path="/oauth/token")
    with client_for(fake_api) as client:
        client.list(Kind.CONNECTION)
    assert calls(fake_api) == [TOKEN, TOKEN, ("GET", f"{BASE}/connections")]


# --- retries -------------------------------------------------------------------------------------
def test_429_with_retry_after_is_retried_then_succeeds(fake_api) -> None:
    fake_api.inject(429, headers={"Retry-After": "1"})
    with client_for(fake_api) as client:
        assert client.list(Kind.CONNECTION) == []
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/connections")] * 2


def test_503_every_time_is_exit_3_after_three_retries(fake_api) -> None:
    fake_api.inject(503, times=10)
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        f"mParticle API answered 503 SERVICE UNAVAILABLE to GET {fake_api.url}{BASE}/connections after 4 attempts"
    )
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/connections")] * 4


def test_retries_stop_at_the_call_deadline(fake_api) -> None:
    """timeout 0.75 s: deadline 3 s. Backoff waits 0, 1 and 2 s (+ up to 0.3 s jitter): the third
    retry would start at 3 s or later, so it is not made."""
    fake_api.inject(503, times=10)
    with client_for(fake_api, timeout=0.75) as client, pytest.raises(ApiUnreachable):
        client.list(Kind.CONNECTION)
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/connections")] * 3


def test_a_dropped_connection_on_get_is_retried(fake_api) -> None:
    fake_api.drop()
    with client_for(fake_api) as client:
        assert client.get(Kind.DATA_MODEL, "orders") is None
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/data-models/orders")] * 2


def test_a_slow_answer_is_retried_within_the_timeout(fake_api) -> None:
    fake_api.slow(2.0)
    with client_for(fake_api, timeout=0.5) as client:
        assert client.list(Kind.CONNECTION) == []
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/connections")] * 2


def test_answers_slower_than_the_timeout_every_time_are_exit_3(fake_api) -> None:
    """timeout 0.5 s: deadline 2 s. The second attempt ends at 1 s or later and the next backoff is
    1 s or more, so the deadline stops the read retries after two attempts."""
    fake_api.slow(2.0, times=5)
    with client_for(fake_api, timeout=0.5) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == f"mParticle API unreachable at {fake_api.url}: no answer within 0.5 s"
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/connections")] * 2


def test_read_timeouts_are_retried_twice(fake_api) -> None:
    """timeout 1.5 s: deadline 6 s; three attempts (read retries 2) end by about 5 s."""
    fake_api.slow(3.0, times=5)
    with client_for(fake_api, timeout=1.5) as client, pytest.raises(ApiUnreachable):
        client.get(Kind.PIPELINE, "p")
    assert calls(fake_api) == [TOKEN] + [("GET", f"{BASE}/inputs/data-pipelines/p")] * 3


def test_nothing_listening_is_exit_3(fake_api) -> None:
    from tests.live.standins import free_port

    closed = f"http://127.0.0.1:{free_port()}"
    environment = {"WSYNC_LINT_API_TOKEN_URL": closed + "/oauth/token"}
    with client_for(fake_api, timeout=0.5, **environment) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value).startswith(f"mParticle API unreachable at {closed}/oauth/token: could not connect (")


# --- creates: never blindly retried --------------------------------------------------------------
def test_a_create_whose_answer_is_lost_is_resolved_by_reading_it_back(fake_api) -> None:
    fake_api.drop(after_handling=True)
    with client_for(fake_api) as client:
        created = client.create(Kind.DATA_MODEL, MODEL)
    assert {key: created[key] for key in (*MODEL, "status", "errors")} == MODEL | {"status": "valid", "errors": []}
    assert calls(fake_api) == [TOKEN, ("POST", f"{BASE}/data-models"), ("GET", f"{BASE}/data-models/orders")]


def test_a_create_timing_out_after_it_was_received_is_resolved_by_reading_it_back(fake_api) -> None:
    fake_api.slow(2.0)
    with client_for(fake_api, timeout=0.5) as client:
        assert client.create(Kind.DATA_MODEL, MODEL)["id"] == "orders"
    assert calls(fake_api) == [TOKEN, ("POST", f"{BASE}/data-models"), ("GET", f"{BASE}/data-models/orders")]


def test_a_create_lost_before_it_was_applied_has_an_unknown_outcome(fake_api) -> None:
    fake_api.drop(after_handling=False)
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.create(Kind.DATA_MODEL, MODEL)
    assert str(raised.value) == (
        "the outcome of creating data model `orders` is unknown (the connection was closed without an answer): "
        "run `wsync-lint plan` to see whether it exists"
    )
    assert calls(fake_api) == [TOKEN, ("POST", f"{BASE}/data-models"), ("GET", f"{BASE}/data-models/orders")]


def test_a_create_answered_503_is_not_retried(fake_api) -> None:
    fake_api.inject(503, times=5)
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.create(Kind.DATA_MODEL, MODEL)
    assert str(raised.value).startswith("the outcome of creating data model `orders` is unknown (answered 503)")
    assert calls(fake_api)[:2] == [TOKEN, ("POST", f"{BASE}/data-models")]
    assert [method for method, _ in calls(fake_api)].count("POST") == 2  # the token's and the create's


def test_a_create_answered_429_is_not_retried(fake_api) -> None:
    fake_api.inject(429, headers={"Retry-After": "1"})
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.create(Kind.DATA_MODEL, MODEL)
    assert str(raised.value) == (
        f"mParticle API answered 429 TOO MANY REQUESTS to POST {fake_api.url}{BASE}/data-models after 1 attempt"
    )
    assert fake_api.writes() == [("POST", f"{BASE}/data-models", MODEL)]


# --- answers and refusals ------------------------------------------------------------------------
def test_create_get_update_and_list_round_trip(fake_api) -> None:
    with client_for(fake_api) as client:
        created = client.create(Kind.DATA_MODEL, MODEL)
        updated = client.update(Kind.DATA_MODEL, "orders", MODEL | {"name": "Orders v2"})
        assert client.get(Kind.DATA_MODEL, "orders") == updated
        assert client.list(Kind.DATA_MODEL) == [updated]
    assert (created["last_modified_on"], updated["name"]) == (None, "Orders v2")
    assert fake_api.writes() == [
        ("POST", f"{BASE}/data-models", MODEL),
        ("PUT", f"{BASE}/data-models/orders", MODEL | {"name": "Orders v2"}),
    ]


def test_a_refused_write_carries_mparticles_message(fake_api) -> None:
    pipeline = {"id": "p", "pipeline_type": "user_attributes", "connection_id": "nowhere", "data_model_id": "m"}
    with client_for(fake_api) as client, pytest.raises(ApiRefused) as raised:
        client.create(Kind.PIPELINE, pipeline)
    refused = raised.value
    assert (refused.status, refused.message, refused.method, refused.path) == (
        404,
        "The requested resource nowhere wasn't found.",
        "POST",
        f"{fake_api.url}{BASE}/inputs/data-pipelines",
    )


def test_505_is_a_refusal_not_an_outage(fake_api) -> None:
    fake_api.refuse_warehouse = True
    connection = {"id": "c", "service_provider": "Redshift", "config": {"password": "pw-1234"}}
    with client_for(fake_api) as client, pytest.raises(ApiRefused) as raised:
        client.create(Kind.CONNECTION, connection)
    assert (raised.value.status, raised.value.message) == (505, fake_module.WAREHOUSE_REFUSED_MESSAGE)
    assert [method for method, _ in calls(fake_api)] == ["POST", "POST"]


def test_403_names_the_workspace(fake_api) -> None:
    with client_for(fake_api, workspace="9999") as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        f"the mParticle API credential has no access to workspace 9999 (403 on GET "
        f"{fake_api.url}/platform/v2/workspaces/9999/connections): the credential needs Platform API Admin for this workspace"
    )


def test_reports_runs_and_data_plan_versions(fake_api) -> None:
    fake_api.seed("connections", {"id": "c", "service_provider": "Databricks", "config": {}})
    fake_api.seed("data-models", MODEL)
    fake_api.seed("pipeline", {"id": "p", "connection_id": "c", "data_model_id": "orders", "state": "paused"})
    first = fake_api.add_run("p")
    fake_api.plans[("web-plan", 3)] = {"activated_environment": "production"}
    with client_for(fake_api) as client:
        assert client.report("p")["latest_pipeline_run"] == first
        assert client.report("nothing") is None
        assert client.runs("p", page_size=2) == [first]
        assert client.data_plan_version("web-plan", 3) == {
            "data_plan_id": "web-plan",
            "version": 3,
            "activated_environment": "production",
        }
        assert client.data_plan_version("web-plan", "4") is None
        fake_api.data_planning_access = False
        with pytest.raises(ApiForbidden):
            client.data_plan_version("web-plan", 3)
    assert ("GET", f"{BASE}/inputs/data-pipelines/p/runs?currentPage=1&pageSize=2") in calls(fake_api)
    assert fake_api.writes() == []


@pytest.mark.parametrize(
    ("runs", "count", "newest", "pages_read"),
    [(2, 3, [1, 0], [1]), (4, 2, [3, 2], [1, 2]), (5, 2, [4, 3], [1, 3, 2]), (6, 2, [5, 4], [1, 3])],
)
def test_latest_runs_reads_the_last_pages_newest_first(fake_api, runs, count, newest, pages_read) -> None:
    """Runs are listed oldest first (EX-V2-35; the order is not documented, api-layer.md §3.4)."""
    fake_api.seed("pipeline", {"id": "p", "state": "paused"})
    ids = [fake_api.add_run("p")["id"] for _ in range(runs)]
    with client_for(fake_api) as client:
        assert [run["id"] for run in client.latest_runs("p", count)] == [ids[index] for index in newest]
    assert [path for _, path in calls(fake_api)[1:]] == [
        f"{BASE}/inputs/data-pipelines/p/runs?currentPage={page}&pageSize={count}" for page in pages_read
    ]


def test_field_transformations_have_no_documented_endpoint(fake_api) -> None:
    with client_for(fake_api) as client, pytest.raises(NotImplementedError):
        client.list(Kind.FIELD_TRANSFORMATION)
    assert fake_api.requests == []


# --- secrets -------------------------------------------------------------------------------------
def test_no_secret_appears_in_any_error_text_in_any_spelling(fake_api) -> None:
    """mParticle (or a proxy) echoing a secret back, in every spelling: each error text is clean."""
    password = 'pw/+"=&:Zq9'
    environment = {"WSYNC_LINT_REDSHIFT_PROD_PASSWORD": password}
    texts: list[str] = []
    with client_for(fake_api, timeout=0.5, **environment) as client:
        client.list(Kind.CONNECTION)
        token = fake_api.issued_tokens[0]
        secrets = [fake_module.CLIENT_SECRET, password, token]
        echoes = [form for secret in secrets for form in secret_spellings(secret, fake_module.CLIENT_ID)]
        for status in (400, 404, 505):
            fake_api.inject(status, body={"statusCode": status, "errors": [{"message": " | ".join(echoes)}]})
            with pytest.raises(ApiRefused) as refused:
                client.create(Kind.CONNECTION, {"id": "c", "config": {"password": password}})
            texts += [str(refused.value), refused.value.message]
        fake_api.inject(400, body=" ".join(echoes))
        with pytest.raises(ApiRefused) as refused:
            client.update(Kind.DATA_MODEL, "m", MODEL)
        texts.append(str(refused.value))
        for failure in (lambda: fake_api.slow(2.0, times=5), lambda: fake_api.inject(503, times=5)):
            failure()
            with pytest.raises(ApiUnreachable) as unreachable:
                client.list(Kind.PIPELINE)
            texts.append(str(unreachable.value))
    assert len(texts) == 9
    for text in texts:
        for secret in secrets:
            assert not any(form in text for form in secret_spellings(secret, fake_module.CLIENT_ID)), text

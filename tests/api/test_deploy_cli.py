"""``plan`` and ``deploy`` end to end: the command line, the real client, real HTTP, the local fake.

The project (tests/data/api_project) is one Redshift connection, one data model whose SQL is in a
file, and one hourly pipeline, clean under ``check``. Every test reads the fake's own request log
and state, never a mock: what reached the server is what was sent.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.live.standins.mparticle_api import FakeWarehouseSyncApi

PASSWORD = "pw-5ecr3t/with+sym=bols"
WS = "/platform/v2/workspaces/1234"
CREATES = [
    ("POST", f"{WS}/connections"),
    ("POST", f"{WS}/data-models"),
    ("POST", f"{WS}/inputs/data-pipelines"),
]


@pytest.fixture
def project(tmp_path: Path, fake_api: FakeWarehouseSyncApi, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project, the environment pointing at the fake, the connection's password set."""
    return copied_project(tmp_path, fake_api, monkeypatch)


def copied_project(tmp_path: Path, fake_api: FakeWarehouseSyncApi, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ``project`` fixture's work, for other modules' fixtures."""
    folder = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "data" / "api_project", folder)
    for name, value in fake_api.environment(WSYNC_LINT_BILLING_PASSWORD=PASSWORD).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDSHIFT_PASSWORD", raising=False)
    monkeypatch.chdir(folder)
    return folder


def _writes(fake: FakeWarehouseSyncApi) -> list[tuple[str, str]]:
    return [(method, path) for method, path, _ in fake.writes()]


def _deploy(run_cli, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli("deploy", "--no-preflight", "--auto-approve", *extra)


def test_plan_on_an_empty_workspace_creates_everything_in_dependency_order(project, fake_api, run_cli):
    result = run_cli("plan")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "workspace 1234: 0 connections, 0 data models, 0 pipelines read"
    changes = [line.split()[:3] for line in lines if line and line[0] in "+~!?"]
    assert changes == [
        ["+", "connection", "billing"],
        ["+", "data", "model"],
        ["+", "pipeline", "subscriptions-hourly"],
    ]
    assert (
        "    + config.password = (write-only; sent from $WSYNC_LINT_BILLING_PASSWORD, else $REDSHIFT_PASSWORD)" in lines
    )
    assert lines[-1] == "Plan: 3 to create, 0 to update, 0 blocked, 0 unchanged."
    assert _writes(fake_api) == []
    assert {method for method, _, _ in fake_api.requests} <= {"GET", "POST"}  # POST: the token only
    assert run_cli("plan", "--fail-on-changes").code == 1


def test_deploy_then_plan_again_shows_nothing(project, fake_api, run_cli):
    result = _deploy(run_cli)
    assert result.code == 0, result.err
    assert _writes(fake_api) == CREATES
    sent = {path.rsplit("/", 1)[-1]: body for _, path, body in fake_api.writes()}
    assert sent["connections"]["config"]["password"] == PASSWORD  # taken from the environment
    sql = (project / "models" / "subscriptions.sql").read_text(encoding="utf-8")
    assert sent["data-models"]["config"] == {"sql_query": sql}  # inlined byte for byte, final newline kept
    assert "created connection `billing`" in result.err
    assert result.err.splitlines()[-1] == (
        "deployed: connection `billing`, data model `subscriptions`, pipeline `subscriptions-hourly`; "
        "nothing left to change"
    )
    again = run_cli("plan", "--fail-on-changes")
    assert again.code == 0, again.out
    assert again.out.splitlines()[-1] == "Plan: 0 to create, 0 to update, 0 blocked, 3 unchanged."
    assert len(fake_api.writes()) == 3


def test_an_update_of_the_models_sql_is_a_unified_diff_and_one_whole_put(project, fake_api, run_cli):
    assert _deploy(run_cli).code == 0
    model = project / "models" / "subscriptions.sql"
    model.write_text(model.read_text().replace("s.updated_at", "s.updated_at, s.seats"), encoding="utf-8")
    result = run_cli("plan")
    assert result.code == 0, result.err
    assert "~ data model subscriptions" in result.out
    assert "    ~ config.sql_query (from models/subscriptions.sql)" in result.out
    assert "        -SELECT s.customer_id, s.plan_code AS subscription_plan, s.updated_at" in result.out
    assert "        +SELECT s.customer_id, s.plan_code AS subscription_plan, s.updated_at, s.seats" in result.out
    assert result.out.splitlines()[-1] == "Plan: 0 to create, 1 to update, 0 blocked, 2 unchanged."
    assert _deploy(run_cli).code == 0
    method, path, body = fake_api.writes()[-1]
    assert (method, path) == ("PUT", f"{WS}/data-models/subscriptions")
    assert body == {
        "id": "subscriptions",
        "name": "Subscriptions",
        "type": "sql",
        "state": "active",
        "config": {"sql_query": model.read_text(encoding="utf-8")},
    }
    assert len(fake_api.writes()) == 4


def test_a_changed_sync_mode_from_is_blocked_and_nothing_is_sent(project, fake_api, run_cli):
    pipeline = project / "pipelines" / "subscriptions.yaml"
    text = pipeline.read_text()
    pipeline.write_text(
        text.replace(
            "iterator_data_type: timestamptz}", 'iterator_data_type: timestamptz, from: "2024-01-01T00:00:00Z"}'
        )
    )
    assert _deploy(run_cli).code == 0
    pipeline.write_text(
        text.replace(
            "iterator_data_type: timestamptz}", 'iterator_data_type: timestamptz, from: "2024-03-01T00:00:00Z"}'
        )
    )
    planned = run_cli("plan")
    assert planned.code == 1
    finding = next(line for line in planned.out.splitlines() if " LV06 " in line)
    assert finding.startswith("pipelines/subscriptions.yaml:6:")
    assert "2024-01-01T00:00:00Z" in finding
    refused = _deploy(run_cli)
    assert refused.code == 1
    assert "nothing was sent" in refused.err
    assert len(fake_api.writes()) == 3  # the first deploy's creates, nothing since


def test_a_write_refused_mid_deploy_stops_there_and_says_what_was_applied(project, fake_api, run_cli):
    fake_api.inject(400, body={"statusCode": 400, "errors": [{"message": "Schedule start is too far in the past."}]},
                    path="/inputs/data-pipelines", method="POST")  # fmt: skip
    result = _deploy(run_cli)
    assert result.code == 1
    assert _writes(fake_api) == CREATES  # the pipeline's POST reached the fake and was refused
    assert "wsync-lint: deploy stopped: mParticle refused to create pipeline `subscriptions-hourly` (400)" in result.err
    assert "applied: connection `billing`, data model `subscriptions`" in result.err
    assert "not applied: pipeline `subscriptions-hourly`" in result.err
    finding = next(line for line in result.out.splitlines() if " LV05 " in line)
    assert finding.startswith("pipelines/subscriptions.yaml:1:")
    assert "Schedule start is too far in the past." in finding
    assert run_cli("plan").out.splitlines()[-1] == "Plan: 1 to create, 0 to update, 0 blocked, 2 unchanged."


def test_dry_run_prints_the_exact_requests_and_sends_no_write(project, fake_api, run_cli):
    result = run_cli("deploy", "--no-preflight", "--dry-run")
    assert result.code == 0, result.err
    assert _writes(fake_api) == []
    assert {method for method, path, _ in fake_api.requests if not path.endswith("/oauth/token")} == {"GET"}
    assert f"POST {fake_api.url}{WS}/connections" in result.out
    assert '"password": "<from WSYNC_LINT_BILLING_PASSWORD>"' in result.out
    assert PASSWORD not in result.out + result.err
    assert "dry run: nothing was sent" in result.err


def test_dry_run_json_carries_the_requests(project, fake_api, run_cli):
    result = run_cli("deploy", "--no-preflight", "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    requests = [(r["method"], r["url"]) for change in plan["changes"] for r in change.get("requests") or []]
    assert requests == [(method, f"{fake_api.url}{path}") for method, path in CREATES]
    assert PASSWORD not in result.out
    assert _writes(fake_api) == []


def test_deploy_off_a_terminal_without_auto_approve_is_a_usage_error(project, fake_api, run_cli):
    result = run_cli("deploy", "--no-preflight")
    assert result.code == 2
    assert result.err == (
        "wsync-lint: error: deploy writes to mParticle: off a terminal it needs --auto-approve (or --dry-run)\n"
    )
    assert fake_api.requests == []


def test_no_workspace_is_a_usage_error(project, fake_api, run_cli):
    (project / "wsync-lint.toml").write_text("root = true\n")
    result = run_cli("plan")
    assert result.code == 2
    assert result.err.startswith("wsync-lint: error: no Warehouse Sync workspace")
    assert len(result.err.splitlines()) == 1


def test_refused_credentials_are_exit_3_in_one_line(project, fake_api, run_cli, monkeypatch):
    monkeypatch.setenv("WSYNC_LINT_API_CLIENT_SECRET", "not-the-secret")
    result = run_cli("plan")
    assert result.code == 3
    assert result.err.startswith("wsync-lint: unreachable: ")
    assert len(result.err.splitlines()) == 1
    assert "not-the-secret" not in result.err


def test_an_api_that_is_not_there_is_exit_3(project, fake_api, run_cli, monkeypatch):
    monkeypatch.setenv("WSYNC_LINT_API_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("WSYNC_LINT_API_TOKEN_URL", "http://127.0.0.1:9/oauth/token")
    result = run_cli("plan", "--timeout", "2")
    assert result.code == 3
    assert result.err.startswith("wsync-lint: unreachable: ")
    assert len(result.err.splitlines()) == 1


def _on_a_terminal(project: Path, fake: FakeWarehouseSyncApi, answer: str) -> tuple[int, str]:
    """``deploy`` in a subprocess whose standard input is a terminal (a pseudo-terminal), answering
    the confirmation with ``answer``; its exit code and standard error."""
    import os
    import subprocess
    import sys

    controller, terminal = os.openpty()
    environment = {**os.environ, **fake.environment(WSYNC_LINT_BILLING_PASSWORD=PASSWORD)}
    with subprocess.Popen(
        [sys.executable, "-m", "wsync_lint", "deploy", "--no-preflight"],
        cwd=project, env=environment, stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:  # fmt: skip
        os.close(terminal)
        os.write(controller, answer.encode() + b"\n")
        out, err = process.communicate(timeout=120)
    os.close(controller)
    assert "workspace 1234: 0 connections" in out
    return process.returncode, err


def test_on_a_terminal_deploy_asks_and_a_no_sends_nothing(project, fake_api):
    code, err = _on_a_terminal(project, fake_api, "n")
    assert code == 1
    assert "Deploy 3 creates and 0 updates to workspace 1234? [y/N]: " in err
    assert err.endswith("wsync-lint: cancelled; nothing was sent\n")
    assert _writes(fake_api) == []


def test_on_a_terminal_a_yes_deploys(project, fake_api):
    code, err = _on_a_terminal(project, fake_api, "y")
    assert code == 0, err
    assert _writes(fake_api) == CREATES


def test_a_fault_is_reported_but_does_not_stop_the_deploy_that_clears_it(project, fake_api, run_cli):
    assert _deploy(run_cli).code == 0
    fake_api.fault("data-models", "subscriptions", 'column "plan_code" does not exist')
    planned = run_cli("plan")
    assert planned.code == 1  # the plan reports the fault
    assert [line.split(" [")[0] for line in planned.out.splitlines() if " LV05 " in line] == [
        "data-models/subscriptions.yaml:1:5: LV05"
    ]
    model = project / "models" / "subscriptions.sql"
    model.write_text(model.read_text().replace("s.plan_code", "s.plan"), encoding="utf-8")
    result = _deploy(run_cli)
    assert result.code == 0, result.out + result.err
    assert _writes(fake_api)[-1] == ("PUT", f"{WS}/data-models/subscriptions")
    assert run_cli("plan", "--fail-on-changes").code == 0  # the update cleared the fault (R2)


def test_a_resource_changed_in_mparticle_during_the_deploy_stops_it_before_its_write(project, fake_api, run_cli):
    import threading

    assert _deploy(run_cli).code == 0
    (project / "connections" / "billing.json").write_text(
        (project / "connections" / "billing.json").read_text().replace('"Billing"', '"Billing (EU)"'), encoding="utf-8"
    )
    model = project / "models" / "subscriptions.sql"
    model.write_text(model.read_text().replace("-- Active", "-- All active"), encoding="utf-8")
    # The connection's PUT is held for a moment after the fake applied it; meanwhile someone renames
    # the data model in mParticle. The deploy must read it again and stop before its own PUT.
    fake_api.slow(1.0, path="/connections/billing", method="PUT")

    def rename_when_the_connection_is_written() -> None:
        while not any(method == "PUT" for method, _, _ in fake_api.requests):
            threading.Event().wait(0.01)
        fake_api.seed("data-models", {"id": "subscriptions", "name": "Renamed in the UI", "type": "sql",
                                      "state": "active", "config": {"sql_query": "SELECT 1"}})  # fmt: skip

    renamer = threading.Thread(target=rename_when_the_connection_is_written)
    renamer.start()
    result = _deploy(run_cli)
    renamer.join(timeout=10)
    assert result.code == 1
    assert (
        "wsync-lint: deploy stopped: data model `subscriptions` was changed in mParticle since the plan was read"
        in result.err
    )
    assert "applied: connection `billing`" in result.err
    assert "not applied: data model `subscriptions`" in result.err
    assert _writes(fake_api)[-1] == ("PUT", f"{WS}/connections/billing")


def test_a_missing_secret_variable_stops_deploy_before_the_first_write(project, fake_api, run_cli, monkeypatch):
    monkeypatch.delenv("WSYNC_LINT_BILLING_PASSWORD")
    result = _deploy(run_cli)
    assert result.code == 2
    assert result.err.splitlines()[-1].startswith("wsync-lint: error: ")
    assert "WSYNC_LINT_BILLING_PASSWORD" in result.err.splitlines()[-1]
    assert _writes(fake_api) == []


@pytest.mark.parametrize("named", ["pipelines/subscriptions.yaml", "data-models/subscriptions.yaml"])
def test_the_gate_checks_what_a_named_resource_brings_with_it(project, fake_api, run_cli, named):
    (project / "models" / "subscriptions.sql").write_text(
        "SELECT customer_id FROM billing.public.subscriptions WHERE (\n"
    )
    result = run_cli("deploy", named, "--no-preflight", "--auto-approve")
    assert result.code == 1
    assert [line.split(" [")[0] for line in result.out.splitlines() if " PS01 " in line] == [
        "models/subscriptions.sql:1:60: PS01"
    ]
    assert result.err.endswith("nothing was sent\n")
    assert fake_api.requests == []


def test_rotate_secrets_sends_an_unchanged_connection_again(project, fake_api, run_cli):
    assert _deploy(run_cli).code == 0
    assert run_cli("plan", "--fail-on-changes").code == 0  # a new password cannot be seen
    result = _deploy(run_cli, "--rotate-secrets", "billing")
    assert result.code == 0, result.err
    method, path, body = fake_api.writes()[-1]
    assert (method, path, body["config"]["password"]) == ("PUT", f"{WS}/connections/billing", PASSWORD)
    assert len(fake_api.writes()) == 4
    unknown = run_cli("plan", "--rotate-secrets", "nope")
    assert (unknown.code, unknown.err) == (
        2, "wsync-lint: error: --rotate-secrets nope: the project defines no connection `nope`\n"
    )  # fmt: skip


def test_keep_live_state_leaves_a_pipeline_paused_in_mparticle_paused(project, fake_api, run_cli):
    assert _deploy(run_cli).code == 0
    pipeline = yaml.safe_load((project / "pipelines" / "subscriptions.yaml").read_text())
    fake_api.seed("inputs/data-pipelines", {**pipeline, "state": "paused"})  # paused in the UI during an incident
    planned = run_cli("plan")
    assert '    ~ state = "paused" -> "active"' in planned.out
    assert planned.out.splitlines()[-1] == "Plan: 0 to create, 1 to update, 0 blocked, 2 unchanged."
    kept = run_cli("plan", "--keep-live-state", "--fail-on-changes")
    assert kept.code == 0, kept.out
    assert _deploy(run_cli, "--keep-live-state").code == 0
    assert len(fake_api.writes()) == 3


@pytest.mark.parametrize("hidden", [".hidden/s.sql", "node_modules/s.sql", "excluded/s.sql"])
def test_a_whole_project_deploy_checks_every_file_it_sends_wherever_it_is(project, fake_api, run_cli, hidden):
    (project / "wsync-lint.toml").write_text('root = true\nexclude = ["excluded"]\n\n[api]\nworkspace = 1234\n')
    (project / "models" / "subscriptions.sql").unlink()
    (project / hidden).parent.mkdir()
    (project / hidden).write_text("SELECT customer_id FROM billing.public.subscriptions WHERE (\n")
    model = project / "data-models" / "subscriptions.yaml"
    model.write_text(model.read_text().replace("../models/subscriptions.sql", f"../{hidden}"))
    assert run_cli("check").code == 0  # the walk skips the folder: `check` never reads the model
    result = _deploy(run_cli)
    assert result.code == 1
    assert [line.split(" [")[0] for line in result.out.splitlines() if " PS01 " in line] == [f"{hidden}:1:60: PS01"]
    assert fake_api.requests == []


def test_a_live_state_of_another_shape_is_no_crash_and_is_not_kept(project, fake_api, run_cli):
    assert _deploy(run_cli).code == 0
    pipeline = yaml.safe_load((project / "pipelines" / "subscriptions.yaml").read_text())
    for odd in ({"x": 1}, ["paused"], "deleted"):
        fake_api.seed("inputs/data-pipelines", {**pipeline, "state": odd})
        for extra in ((), ("--keep-live-state",)):
            result = run_cli("deploy", "--no-preflight", "--dry-run", "--format", "json", *extra)
            assert result.code == 0, result.err
            (change,) = [c for c in json.loads(result.out)["changes"] if c["action"] == "update"]
            assert change["requests"][0]["body"]["state"] == "active"  # the file's, never the odd live value


def test_rotate_secrets_of_a_connection_the_paths_do_not_select_is_a_usage_error(project, fake_api, run_cli):
    result = run_cli("plan", "data-models/subscriptions.yaml", "--rotate-secrets", "billing")
    assert result.code == 2
    assert result.err == (
        "wsync-lint: error: --rotate-secrets billing: connection `billing` is not among what the paths select: "
        "name its file, or a pipeline that uses it\n"
    )
    assert run_cli("plan", "pipelines/subscriptions.yaml", "--rotate-secrets", "billing").code == 0


def test_an_update_touching_a_running_pipeline_waits_unless_allowed(project, fake_api, run_cli):
    assert _deploy(run_cli).code == 0
    fake_api.set_status("inputs/data-pipelines", "subscriptions-hourly", "running")
    model = project / "models" / "subscriptions.sql"
    model.write_text(model.read_text().replace("s.updated_at", "s.updated_at, s.seats"), encoding="utf-8")
    result = _deploy(run_cli)
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "wsync-lint: deploy stopped: pipeline `subscriptions-hourly` is running in mParticle and this deploy updates "
        "it or what it uses; what an update does to a running sync is not documented: deploy again once it is idle "
        "(`wsync-lint status`), or pass --allow-running; nothing was sent"
    )
    assert len(fake_api.writes()) == 3
    assert _deploy(run_cli, "--allow-running").code == 0
    assert _writes(fake_api)[-1] == ("PUT", f"{WS}/data-models/subscriptions")

"""``deploy`` gates on the warehouse: the real preflight (Redshift driver, PostgreSQL behind pgbouncer)
runs before the API is read, and the API layer (the real client over HTTP to the local fake) writes
only when it passed. Both servers' own logs are the witnesses: the stand-in's statement log says
what was compiled, the fake's request log says what reached mParticle.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write
from tests.live.standins.mparticle_api import FakeWarehouseSyncApi
from tests.live.standins.redshift import DATABASE, RedshiftStandin

WS = "/platform/v2/workspaces/1234"


@pytest.fixture(scope="module")
def redshift(redshift_standin: RedshiftStandin) -> RedshiftStandin:
    redshift_standin.setup(
        "CREATE SCHEMA deploy_gate",
        "CREATE TABLE deploy_gate.accounts (customer_id varchar(36), tier varchar(20), updated_at timestamptz)",
        "GRANT USAGE ON SCHEMA deploy_gate TO wsync",
        "GRANT SELECT ON deploy_gate.accounts TO wsync",
    )
    return redshift_standin


def _project(folder: Path, redshift: RedshiftStandin, sql: str) -> None:
    connection = {"id": redshift.connection_id, "name": "Billing", "state": "active", "service_provider": "Redshift",
                  "config": redshift.config}  # fmt: skip
    write(folder, "wsync-lint.toml", "root = true\n\n[api]\nworkspace = 1234\n")
    write(folder, "connections/billing.json", json.dumps(connection, indent=2) + "\n")
    write(folder, "data-models/accounts.yaml", "id: accounts\nname: Accounts\ntype: sql\nstate: active\n"
                                               "config:\n  sql_file: ../models/accounts.sql\n")  # fmt: skip
    write(folder, "models/accounts.sql", sql)
    write(folder, "pipelines/accounts.yaml", (
        "id: accounts-hourly\nname: Accounts\npipeline_type: user_attributes\n"
        f"connection_id: {redshift.connection_id}\ndata_model_id: accounts\n"
        "sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamptz}\n"
        'schedule: {type: interval, frequency: hourly, delay: 15m, start: "2024-06-01T00:00:00Z"}\n'
        "state: active\nenvironment: production\n"
    ))  # fmt: skip


@pytest.fixture
def environment(redshift: RedshiftStandin, fake_api: FakeWarehouseSyncApi, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**redshift.environment(), **fake_api.environment()}.items():
        monkeypatch.setenv(name, value)


GOOD_SQL = f"SELECT customer_id, tier, updated_at\nFROM {DATABASE}.deploy_gate.accounts\n"


def test_deploy_compiles_every_model_in_the_warehouse_then_writes(redshift, fake_api, environment, tmp_path, run_cli):
    _project(tmp_path, redshift, GOOD_SQL)
    mark = redshift.mark()
    result = run_cli("deploy", "--auto-approve", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    compiled = redshift.queries_of(redshift.statements_since(mark))
    assert any(f"FROM {DATABASE}.deploy_gate.accounts" in query for query in compiled)
    assert [(method, path) for method, path, _ in fake_api.writes()] == [
        ("POST", f"{WS}/connections"),
        ("POST", f"{WS}/data-models"),
        ("POST", f"{WS}/inputs/data-pipelines"),
    ]
    connection = fake_api.writes()[0][2]
    assert connection["config"]["password"] == redshift.password  # the preflight's own variable
    assert redshift.password not in result.out + result.err


def test_a_model_the_warehouse_rejects_stops_deploy_before_mparticle_is_asked(
    redshift, fake_api, environment, tmp_path, run_cli
):
    _project(tmp_path, redshift, GOOD_SQL.replace("tier", "tier_name"))
    result = run_cli("deploy", "--auto-approve", cwd=tmp_path)
    assert result.code == 1
    findings = [line.split(" [")[0] for line in result.out.splitlines() if not line.startswith((" ", "Found"))]
    # The warehouse refused the column (LV01) at the very place RF06 explains it, on the columns the
    # warehouse just gave: one mistake, one finding, the one with the suggestion.
    assert findings == ["models/accounts.sql:1:21: RF06"]
    assert "hint: did you mean `tier`?" in result.out
    assert result.err.splitlines() == [
        "note: connection `redshift-standin`: grants not checked: the IAM role of `aws_iam_role_arn` (WS-GRANT-RS-04) "
        "lives in AWS: SQL cannot see whether it is associated with the cluster or namespace",
        "wsync-lint: deploy stopped: the checks found 1 problem at or above fail-on (warning); nothing was sent",
    ]
    assert fake_api.requests == []  # not even a token was asked for


def test_an_unreachable_warehouse_stops_deploy_with_exit_3(
    redshift, fake_api, environment, tmp_path, run_cli, monkeypatch
):
    monkeypatch.setenv("WSYNC_LINT_REDSHIFT_STANDIN_ENDPOINT", "127.0.0.1:9")
    _project(tmp_path, redshift, GOOD_SQL)
    result = run_cli("deploy", "--auto-approve", "--timeout", "5", cwd=tmp_path)
    assert result.code == 3
    assert result.err.splitlines()[-2:] == [
        "wsync-lint: unreachable: connection `redshift-standin`: Redshift at 127.0.0.1:9: Connection refused",
        "wsync-lint: deploy stopped before reading the workspace; nothing was sent",
    ]
    assert fake_api.requests == []


def test_a_warehouse_without_its_password_stops_deploy_as_not_checked(
    redshift, fake_api, environment, tmp_path, run_cli, monkeypatch
):
    monkeypatch.delenv("WSYNC_LINT_REDSHIFT_STANDIN_PASSWORD")
    monkeypatch.delenv("REDSHIFT_PASSWORD", raising=False)
    _project(tmp_path, redshift, GOOD_SQL)
    mark = redshift.mark()
    result = run_cli("deploy", "--auto-approve", cwd=tmp_path)
    assert result.code == 3
    assert result.err.splitlines()[-2:] == [
        "wsync-lint: not checked: connection `redshift-standin`: WSYNC_LINT_REDSHIFT_STANDIN_PASSWORD is not set "
        "(or REDSHIFT_PASSWORD)",
        "wsync-lint: deploy stopped before reading the workspace; nothing was sent",
    ]
    assert redshift.statements_since(mark) == []
    assert fake_api.requests == []


def test_preflight_with_api_adds_lv05_to_the_warehouses_findings(redshift, fake_api, environment, tmp_path, run_cli):
    from wsync_lint.project.resources import Kind

    _project(tmp_path, redshift, GOOD_SQL.replace("tier", "tier_name"))
    fake_api.seed(Kind.PIPELINE, {"id": "accounts-hourly", "pipeline_type": "user_attributes", "state": "active"})
    fake_api.fault(Kind.PIPELINE, "accounts-hourly", "Query failed: column tier_name does not exist")
    result = run_cli("preflight", "--api", "--select", "LV", cwd=tmp_path)
    assert result.code == 1, result.err
    findings = [line.split(" [")[0] for line in result.out.splitlines() if not line.startswith((" ", "Found"))]
    assert findings == ["models/accounts.sql:1:21: LV01", "pipelines/accounts.yaml:1:5: LV05"]
    assert "Query failed: column tier_name does not exist" in result.out
    assert fake_api.writes() == []


def test_preflight_with_an_unreachable_api_still_reports_the_warehouse(
    redshift, fake_api, environment, tmp_path, run_cli, monkeypatch
):
    monkeypatch.setenv("WSYNC_LINT_API_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("WSYNC_LINT_API_TOKEN_URL", "http://127.0.0.1:9/oauth/token")
    _project(tmp_path, redshift, GOOD_SQL.replace("tier", "tier_name"))
    result = run_cli("preflight", "--api", "--select", "LV", "--timeout", "2", cwd=tmp_path)
    assert result.code == 3
    assert result.out.startswith("models/accounts.sql:1:21: LV01 ")
    why = (
        "mParticle API unreachable at http://127.0.0.1:9/oauth/token: could not connect "
        "([Errno 111] Connection refused)"
    )
    # On the terminal the report says it (standard error does not repeat it); with -o, standard error does.
    assert f"\nunreachable: api `1234`: {why}\n" in result.out
    assert "wsync-lint: " not in result.err
    written = run_cli("preflight", "--api", "--select", "LV", "--timeout", "2", "-o", "report.txt", cwd=tmp_path)
    assert (written.code, written.out) == (3, "")
    assert written.err.splitlines()[-1] == f"wsync-lint: unreachable: api `1234`: {why}"

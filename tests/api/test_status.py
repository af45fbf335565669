"""``wsync-lint status``: each pipeline's report and latest runs, faults as LV05 findings on their files.

Run through the command line (in-process) against the fake API on loopback; the requests each run
makes are asserted from the fake's log, so ``status`` is proven to only read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write
from wsync_lint.project.resources import Kind

CONNECTION = {
    "id": "redshift-billing",
    "name": "Redshift billing",
    "state": "active",
    "service_provider": "Redshift",
    "config": {
        "database": "dev",
        "host": "dwi-test.ab123yyxwwzz.us-east-1.redshift.amazonaws.com",
        "user": "mParticle",
        "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mParticle_role",
    },
}
SQL = "SELECT email AS email, MAX(updated_at) AS updated_at\nFROM dev.billing.invoices\nGROUP BY email\n"
MODEL = {"id": "invoices", "name": "Invoices", "state": "active", "type": "sql", "config": {"sql_query": SQL}}
PIPELINE = {
    "id": "invoices-hourly",
    "name": "Invoices, hourly",
    "pipeline_type": "user_attributes",
    "connection_id": "redshift-billing",
    "data_model_id": "invoices",
    "state": "active",
    "sync_mode": {
        "type": "incremental",
        "iterator_field": "updated_at",
        "iterator_data_type": "timestamp",
        "from": "2024-07-01T16:00:00Z",
    },
    "schedule": {"type": "interval", "frequency": "hourly", "delay": "5m", "start": "2024-07-01T16:00:00Z"},
    "environment": "development",
}
NEW_PIPELINE = {
    **PIPELINE,
    "id": "invoices-daily",
    "state": "paused",
    "schedule": {**PIPELINE["schedule"], "frequency": "daily"},
}
PASSWORD = "Billing-S3cret!pw"
BASE = "/platform/v2/workspaces/1234"


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


@pytest.fixture
def project(tmp_path: Path, fake_api, monkeypatch) -> Path:
    """A project with one connection, one model, two pipelines, and a workspace holding the first pipeline."""
    root = tmp_path / "project"
    write(root, "wsync-lint.toml", 'root = true\n\n[api]\nworkspace = "1234"\n')
    write(root, "connections/redshift-billing.json", _json(CONNECTION))
    write(root, "data-models/invoices.json", _json({**MODEL, "config": {"sql_file": "../models/invoices.sql"}}))
    write(root, "models/invoices.sql", SQL)
    write(root, "pipelines/invoices-hourly.json", _json(PIPELINE))
    write(root, "pipelines/invoices-daily.json", _json(NEW_PIPELINE))
    for name, value in fake_api.environment(WSYNC_LINT_REDSHIFT_BILLING_PASSWORD=PASSWORD).items():
        monkeypatch.setenv(name, value)
    fake_api.seed(Kind.CONNECTION, CONNECTION, secret=PASSWORD)
    fake_api.seed(Kind.DATA_MODEL, MODEL)
    fake_api.seed(Kind.PIPELINE, PIPELINE)
    return root


def _reads(fake_api) -> list[tuple[str, str]]:
    """The API requests of the run (the token's left out), method and path."""
    return [(method, path) for method, path, _ in fake_api.requests if path != "/oauth/token"]


def _workspace_reads() -> list[tuple[str, str]]:
    return [
        ("GET", f"{BASE}/connections"),
        ("GET", f"{BASE}/data-models"),
        ("GET", f"{BASE}/inputs/data-pipelines"),
    ]


def _runs(fake_api) -> None:
    """Two runs of `invoices-hourly`: a success, then a failure with mParticle's message."""
    fake_api.add_run(
        "invoices-hourly",
        started_on="2024-07-02T10:00:01.000Z",
        ended_on="2024-07-02T10:02:00.000Z",
        successful_records=100,
    )
    fake_api.add_run(
        "invoices-hourly",
        status="failed",
        started_on="2024-07-02T11:00:01.000Z",
        ended_on="2024-07-02T11:00:09.000Z",
        failed_records=3,
        errors=[{"message": 'column "updated_at" does not exist'}],
    )


def test_a_healthy_pipeline_shows_its_states_and_latest_runs_newest_first(project: Path, fake_api, run_cli) -> None:
    _runs(fake_api)
    result = run_cli("status", "invoices-hourly", cwd=project)
    assert (result.code, result.err) == (0, "")  # no field transformation: nothing unread worth a note
    assert result.out == (
        "workspace 1234: 1 pipeline\n"
        "\n"
        "pipeline `invoices-hourly`  pipelines/invoices-hourly.json\n"
        "    state active, status idle\n"
        "    connection `redshift-billing`: healthy\n"
        "    data model `invoices`: valid\n"
        "    latest successful run: 13325\n"
        "    run 13326: failed (scheduled), started 2024-07-02T11:00:01.000Z, ended 2024-07-02T11:00:09.000Z, "
        '0 records synced, 3 failed; error: column "updated_at" does not exist\n'
        "    run 13325: success (scheduled), started 2024-07-02T10:00:01.000Z, ended 2024-07-02T10:02:00.000Z, "
        "100 records synced, 0 failed\n"
        "\n"
        "Status: 1 pipeline; no problems.\n"
    )
    assert _reads(fake_api) == [
        *_workspace_reads(),
        ("GET", f"{BASE}/inputs/data-pipelines/invoices-hourly/report"),
        ("GET", f"{BASE}/inputs/data-pipelines/invoices-hourly/runs?currentPage=1&pageSize=3"),
    ]
    assert fake_api.writes() == []


def test_runs_asks_for_that_many_runs(project: Path, fake_api, run_cli) -> None:
    result = run_cli("status", "invoices-hourly", "--runs", "7", cwd=project)
    assert result.code == 0
    assert "    no runs yet\n" in result.out
    assert _reads(fake_api)[-1] == (
        "GET",
        f"{BASE}/inputs/data-pipelines/invoices-hourly/runs?currentPage=1&pageSize=7",
    )


@pytest.mark.parametrize(
    ("kind", "resource_id", "where", "says"),
    [
        (
            Kind.CONNECTION,
            "redshift-billing",
            "connections/redshift-billing.json:2:9",
            "connection `redshift-billing` is faulted",
        ),
        (Kind.DATA_MODEL, "invoices", "data-models/invoices.json:2:9", "data model `invoices` is invalid"),
        (
            Kind.PIPELINE,
            "invoices-hourly",
            "pipelines/invoices-hourly.json:2:9",
            "pipeline `invoices-hourly` is faulted",
        ),
    ],
)
def test_a_fault_is_lv05_s_finding_on_the_resource_s_file_with_mparticle_s_message(
    project: Path, fake_api, run_cli, kind: Kind, resource_id: str, where: str, says: str
) -> None:
    fake_api.fault(kind, resource_id, "Table BILLING.INVOICES does not exist or not authorized.")
    result = run_cli("status", "invoices-hourly", cwd=project)
    assert result.code == 1
    findings = [line for line in result.out.splitlines() if line.startswith(where)]
    assert len(findings) == 1
    assert findings[0].startswith(f"{where}: LV05 [error] {says}")
    assert "Table BILLING.INVOICES does not exist or not authorized." in findings[0]
    assert result.out.endswith("Status: 1 pipeline; 1 problem (1 error, 0 warnings).\n")
    as_json = json.loads(run_cli("status", "invoices-hourly", "--format", "json", cwd=project).out)
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in as_json["findings"]] == [
        (where.split(":")[0], 2, 9, "LV05")
    ]


def test_status_findings_are_exactly_lv05_s(project: Path, fake_api, run_cli) -> None:
    from wsync_lint.api.client import WarehouseSyncClient
    from wsync_lint.api.settings import api_settings
    from wsync_lint.api.workspace import read_workspace
    from wsync_lint.contract.api_state import ApiContext
    from wsync_lint.engine.api_rules import api_violations
    from wsync_lint.engine.config import ApiConfig
    from wsync_lint.engine.run_result import RunOptions, RunResult
    from wsync_lint.engine.runner import Planner, load_project
    from wsync_lint.report.json_format import render_json

    fake_api.fault(Kind.CONNECTION, "redshift-billing", "password authentication failed")
    fake_api.fault(Kind.DATA_MODEL, "invoices", "SQL compilation error")
    planner = Planner(RunOptions(select=("LV05",)))
    loaded = load_project(project, planner)
    with WarehouseSyncClient(api_settings(ApiConfig(workspace="1234"), None, 30.0)) as client:
        expected = api_violations(ApiContext(loaded, read_workspace(client, loaded)), planner)
    assert len(expected) == 2
    as_json = json.loads(run_cli("status", "--format", "json", "--project", str(project)).out)
    assert as_json["findings"] == json.loads(render_json(RunResult(violations=expected)))["findings"]


def test_a_pipeline_not_in_the_workspace_is_a_note_and_leaves_the_exit_alone(project: Path, fake_api, run_cli) -> None:
    result = run_cli("status", "invoices-daily", cwd=project)
    assert (result.code, result.err) == (0, "")  # no field transformation: nothing unread worth a note
    assert result.out == (
        "workspace 1234: 1 pipeline\n"
        "\n"
        "pipeline `invoices-daily`  pipelines/invoices-daily.json\n"
        "    note: not in workspace 1234 (run `wsync-lint deploy` to create it)\n"
        "\n"
        "Status: 1 pipeline, 1 not in the workspace; no problems.\n"
    )
    assert _reads(fake_api) == _workspace_reads()


def test_the_report_s_delay_after_creation_is_a_note(project: Path, fake_api, run_cli) -> None:
    fake_api.report_delay = 3600.0
    result = run_cli("status", "invoices-hourly", cwd=project)
    assert result.code == 0
    assert result.out.splitlines()[3:8] == [
        "    state active, status idle",
        "    connection `redshift-billing`: healthy",
        "    data model `invoices`: valid",
        "    no runs yet",
        "    note: no status report yet: mParticle documents about a minute after creation before it has one; "
        "try again in a few minutes",
    ]


def test_a_pipeline_the_project_does_not_define_is_a_usage_error_before_any_request(
    project: Path, fake_api, run_cli
) -> None:
    result = run_cli("status", "invoices-hourly", "legacy-import", cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"wsync-lint: error: pipeline `legacy-import` is not defined in the project at {project}; "
        "`wsync-lint import` brings a workspace's resources into files\n"
    )
    assert fake_api.requests == []


def test_refused_credentials_end_the_run_with_exit_3_and_one_line(project: Path, fake_api, run_cli) -> None:
    fake_api.inject(401, path="/oauth/token", times=5)
    result = run_cli("status", cwd=project)
    assert (result.code, result.out) == (3, "")
    assert result.err.startswith("wsync-lint: unreachable: ")
    assert result.err.count("\n") == 1


def test_the_json_format_is_the_documented_shape(project: Path, fake_api, run_cli) -> None:
    _runs(fake_api)
    result = run_cli("status", "--format", "json", cwd=project)
    assert (result.code, result.err) == (0, "")  # no field transformation: nothing unread worth a note
    document = json.loads(result.out)
    assert list(document) == ["version", "workspace", "pipelines", "findings", "notes", "summary"]
    assert document["pipelines"][0] == {
        "id": "invoices-daily",
        "path": "pipelines/invoices-daily.json",
        "in_workspace": False,
        "state": None,
        "status": None,
        "errors": [],
        "connection": {"id": "redshift-billing", "status": "healthy", "errors": []},
        "data_model": {"id": "invoices", "status": "valid", "errors": []},
        "latest_successful_run_id": None,
        "runs": None,
        "notes": ["not in workspace 1234 (run `wsync-lint deploy` to create it)"],
    }
    assert document["pipelines"][1] == {
        "id": "invoices-hourly",
        "path": "pipelines/invoices-hourly.json",
        "in_workspace": True,
        "state": "active",
        "status": "idle",
        "errors": [],
        "connection": {"id": "redshift-billing", "status": "healthy", "errors": []},
        "data_model": {"id": "invoices", "status": "valid", "errors": []},
        "latest_successful_run_id": 13325,
        "runs": [
            {
                "id": 13326,
                "type": "scheduled",
                "status": "failed",
                "started_on": "2024-07-02T11:00:01.000Z",
                "ended_on": "2024-07-02T11:00:09.000Z",
                "successful_records": 0,
                "failed_records": 3,
                "errors": ['column "updated_at" does not exist'],
            },
            {
                "id": 13325,
                "type": "scheduled",
                "status": "success",
                "started_on": "2024-07-02T10:00:01.000Z",
                "ended_on": "2024-07-02T10:02:00.000Z",
                "successful_records": 100,
                "failed_records": 0,
                "errors": [],
            },
        ],
        "notes": [],
    }
    assert document["findings"] == []
    assert document["notes"] == []
    assert document["summary"] == {"pipelines": 2, "not_in_workspace": 1, "errors": 0, "warnings": 0}


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_no_secret_reaches_the_output_even_when_mparticle_quotes_one(
    project: Path, fake_api, run_cli, output_format: str
) -> None:
    from tests.live.standins.mparticle_api import CLIENT_SECRET

    fake_api.fault(Kind.CONNECTION, "redshift-billing", f"login failed with password {PASSWORD} ({CLIENT_SECRET})")
    result = run_cli("status", "--format", output_format, cwd=project)
    assert result.code == 1
    for secret in (PASSWORD, CLIENT_SECRET, json.dumps(CLIENT_SECRET)[1:-1]):
        assert secret not in result.out + result.err
    assert "login failed with password *** (***)" in (
        result.out if output_format == "text" else json.loads(result.out)["findings"][0]["message"]
    )


def test_with_more_runs_than_asked_for_the_newest_are_shown(project: Path, fake_api, run_cli) -> None:
    for hour in range(4):
        fake_api.add_run("invoices-hourly", started_on=f"2024-07-02T1{hour}:00:01.000Z")
    result = run_cli("status", "invoices-hourly", "--runs", "2", cwd=project)
    assert [line.split(":")[0] for line in result.out.splitlines() if line.startswith("    run ")] == [
        "    run 13328",
        "    run 13327",
    ]


def test_a_refused_report_is_a_note_and_the_pipeline_s_own_status_is_shown(project: Path, fake_api, run_cli) -> None:
    fake_api.inject(
        400, path="/invoices-hourly/report", body={"statusCode": 400, "errors": [{"message": "Bad pipeline."}]}
    )
    result = run_cli("status", "invoices-hourly", cwd=project)
    assert result.code == 0
    assert result.out.splitlines()[3:8] == [
        "    state active, status idle",
        "    connection `redshift-billing`: healthy",
        "    data model `invoices`: valid",
        "    note: not all read: mParticle answered 400 to GET: Bad pipeline.",
        "",
    ]


# -- the shared options: --quiet, --exit-zero (README "The command line")


def test_status_quiet_prints_the_pipelines_and_findings_only(project: Path, fake_api, run_cli) -> None:
    result = run_cli("status", "invoices-daily", "--quiet", cwd=project)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "pipeline `invoices-daily`  pipelines/invoices-daily.json\n"
        "    note: not in workspace 1234 (run `wsync-lint deploy` to create it)\n"
    )
    fake_api.fault(Kind.PIPELINE, "invoices-hourly", "Table BILLING.INVOICES does not exist or not authorized.")
    full = run_cli("status", "invoices-hourly", cwd=project)
    quiet = run_cli("status", "invoices-hourly", "-q", cwd=project)
    assert (full.code, quiet.code) == (1, 1)
    assert full.out.splitlines()[0] == "workspace 1234: 1 pipeline"
    assert full.out.splitlines()[-1] == "Status: 1 pipeline; 1 problem (1 error, 0 warnings)."
    assert quiet.out == "\n".join(full.out.splitlines()[2:-1]) + "\n"


def test_status_quiet_leaves_out_the_notes(project: Path, fake_api, run_cli) -> None:
    # a pipeline using a field transformation: the workspace's cannot be read, which is a note
    write(project, "pipelines/invoices-hourly.json", _json({**PIPELINE, "field_transformation_id": "ft"}))
    noisy = run_cli("status", "invoices-hourly", cwd=project)
    assert [line.split(":")[0] for line in noisy.err.splitlines()] == ["note"]
    quiet = run_cli("status", "invoices-hourly", "-q", cwd=project)
    assert (quiet.code, quiet.err) == (noisy.code, "")


def test_status_exit_zero_keeps_the_report_of_a_fault(project: Path, fake_api, run_cli) -> None:
    fake_api.fault(Kind.CONNECTION, "redshift-billing", "password authentication failed")
    failed = run_cli("status", "invoices-hourly", cwd=project)
    cleared = run_cli("status", "invoices-hourly", "--exit-zero", cwd=project)
    assert (failed.code, cleared.code) == (1, 0)
    assert cleared.out == failed.out
    assert " LV05 [error] " in cleared.out


def test_import_quiet_lists_the_files_written_only(project: Path, fake_api, run_cli, tmp_path: Path) -> None:
    full = run_cli("import", "--workspace", "1234", "--out", "full", cwd=tmp_path)
    quiet = run_cli("import", "--workspace", "1234", "--out", "quiet", "--quiet", cwd=tmp_path)
    assert (full.code, quiet.code, quiet.err) == (0, 0, "")
    assert full.err.splitlines()[-1] == (
        "note: field transformations were not imported: mParticle documents no API endpoints for them"
    )
    assert full.out.splitlines()[-2].startswith("Imported workspace 1234: 1 connection, 1 data model, 1 pipeline;")
    assert quiet.out == "\n".join(full.out.splitlines()[:-2]).replace("wrote full/", "wrote quiet/") + "\n"
    assert [line.split()[0] for line in quiet.out.splitlines()] == ["wrote"] * 5

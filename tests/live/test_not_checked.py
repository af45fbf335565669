"""What ``preflight`` and ``schema pull`` say about a connection they did not check, without any
warehouse: a password not set and a driver not installed are "not checked" (nothing was tried), a
closed loopback port is "unreachable" (tried, no answer). Either way the findings are reported first
and the run exits 3, whatever ``--exit-zero`` says; standard error names each target only when the
report is not what the terminal shows (``-o``, or a format for machines). ``--connection`` limits the
report to that connection's files (on ``examples/``).

A listening socket is the witness that nothing was tried: the kernel queues a connection attempt on
it even though nobody accepts, so an empty queue after the run means no driver knocked.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write
from tests.live.standins import free_port
from tests.live.test_preflight import CONNECTION, MODEL
from wsync_lint.engine.run_result import NotChecked, RunOptions
from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.live.planning import connection_files
from wsync_lint.live.preflight import PreflightOptions, preflight

REPOSITORY = Path(__file__).resolve().parents[2]

PIPELINE = """\
id: plans-daily
name: Plans
pipeline_type: user_attributes
connection_id: billing
data_model_id: plans
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamptz}
schedule: {type: interval, frequency: daily, start: "2024-05-01T00:00:00Z", delay: 15m}
state: active
environment: production
"""
CLEAN = "SELECT customer_id, updated_at\nFROM billing.public.plans\n"
TRAILING_SEMICOLON = "SELECT customer_id, updated_at\nFROM billing.public.plans;\n"

NO_PASSWORD = "WSYNC_LINT_BILLING_PASSWORD is not set (or REDSHIFT_PASSWORD)"
NO_DRIVER = "the Redshift driver is not installed: install `redshift-connector<3,>=2.1`, or pip install -e '.[redshift]' in a clone of wsync-lint"
STANDARD_SECRETS = ("REDSHIFT_PASSWORD", "SNOWFLAKE_PASSWORD", "DATABRICKS_TOKEN", "DATABRICKS_HOST",
                    "DATABRICKS_SERVER_HOSTNAME", "DATABRICKS_HTTP_PATH", "GOOGLE_APPLICATION_CREDENTIALS")  # fmt: skip


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the machine running the tests has exported, these tests start with no credential."""
    import os

    for name in [*STANDARD_SECRETS, *(name for name in os.environ if name.startswith("WSYNC_LINT_"))]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def knocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A loopback port that listens and never accepts, where the `billing` connection points."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        monkeypatch.setenv("WSYNC_LINT_BILLING_ENDPOINT", f"127.0.0.1:{listener.getsockname()[1]}")
        monkeypatch.setenv("WSYNC_LINT_BILLING_SSL", "0")
        yield listener


def _knocks(listener: socket.socket) -> int:
    """How many connection attempts reached the listener."""
    count = 0
    while True:
        try:
            accepted, _ = listener.accept()
        except BlockingIOError:
            return count
        accepted.close()
        count += 1


def _project(folder: Path, sql: str = CLEAN) -> None:
    write(folder, "wsync-lint.toml", "")
    write(folder, "connections/billing.json", CONNECTION)
    write(folder, "data-models/plans.json", MODEL)
    write(folder, "pipelines/plans.yaml", PIPELINE)
    write(folder, "models/plans.sql", sql)


def _summary(out: str) -> dict:
    return json.loads(out)["summary"]


# -- what is recorded: RunResult.not_checked -------------------------------------------------------


def test_a_password_not_set_is_not_checked_and_nothing_is_tried(tmp_path, monkeypatch, knocked):
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    outcome = preflight([Path(".")], RunOptions(), PreflightOptions(timeout=5))
    assert outcome.result.not_checked == [NotChecked("connection", "billing", NO_PASSWORD, unreachable=False)]
    assert _knocks(knocked) == 0


def test_a_driver_not_installed_is_not_checked_and_nothing_is_tried(tmp_path, monkeypatch, knocked):
    # Uninstalling the driver is not possible in the test venv: a None module entry makes the import
    # fail exactly as a missing package does (as tests/live/test_redshift.py does for connect()).
    monkeypatch.setitem(sys.modules, "redshift_connector", None)
    monkeypatch.setenv("WSYNC_LINT_BILLING_PASSWORD", "not-a-real-password")
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    outcome = preflight([Path(".")], RunOptions(), PreflightOptions(timeout=5))
    assert outcome.result.not_checked == [NotChecked("connection", "billing", NO_DRIVER, unreachable=False)]
    assert _knocks(knocked) == 0


def test_a_closed_port_is_unreachable(tmp_path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("WSYNC_LINT_BILLING_ENDPOINT", f"127.0.0.1:{port}")
    monkeypatch.setenv("WSYNC_LINT_BILLING_PASSWORD", "not-a-real-password")
    monkeypatch.setenv("WSYNC_LINT_BILLING_SSL", "0")
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    outcome = preflight([Path(".")], RunOptions(), PreflightOptions(timeout=5))
    assert outcome.result.not_checked == [
        NotChecked("connection", "billing", f"Redshift at 127.0.0.1:{port}: Connection refused", unreachable=True)
    ]


# -- what is printed, and the exit code ----------------------------------------------------------


def test_json_lists_the_connection_not_checked_and_stderr_says_why_exit_3(tmp_path, run_cli):
    _project(tmp_path)
    result = run_cli("preflight", "--format", "json", cwd=tmp_path)
    assert result.code == 3
    assert _summary(result.out)["not_checked"] == [
        {"kind": "connection", "id": "billing", "reason": NO_PASSWORD, "unreachable": False}
    ]
    assert json.loads(result.out)["findings"] == []
    assert result.err == f"wsync-lint: not checked: connection `billing`: {NO_PASSWORD}\n"


def test_json_marks_an_unreachable_connection(tmp_path, run_cli, monkeypatch):
    port = free_port()
    monkeypatch.setenv("WSYNC_LINT_BILLING_ENDPOINT", f"127.0.0.1:{port}")
    monkeypatch.setenv("WSYNC_LINT_BILLING_PASSWORD", "not-a-real-password")
    monkeypatch.setenv("WSYNC_LINT_BILLING_SSL", "0")
    _project(tmp_path)
    result = run_cli("preflight", "--format", "json", "--timeout", "5", cwd=tmp_path)
    assert result.code == 3
    why = f"Redshift at 127.0.0.1:{port}: Connection refused"
    assert _summary(result.out)["not_checked"] == [
        {"kind": "connection", "id": "billing", "reason": why, "unreachable": True}
    ]
    assert result.err == f"wsync-lint: unreachable: connection `billing`: {why}\n"
    assert "not-a-real-password" not in result.out + result.err


def test_text_on_the_terminal_says_it_in_the_report_only_and_never_all_checks_passed(tmp_path, run_cli):
    """Needs the text reporter's not-checked line and summary (report/text.py)."""
    _project(tmp_path)
    result = run_cli("preflight", cwd=tmp_path)
    assert result.code == 3
    assert result.out.splitlines() == [
        f"not checked: connection `billing`: {NO_PASSWORD}",
        "No problems found in 4 files; 1 connection not checked.",
        "3 rules need a schema snapshot: RF05, RF06, RF07 (they did not run on models without one; see `schema-dir`).",
    ]
    assert result.err == ""


def test_findings_are_reported_then_exit_3_even_with_exit_zero(tmp_path, run_cli):
    _project(tmp_path, TRAILING_SEMICOLON)
    for flags in ((), ("--exit-zero",)):
        result = run_cli("preflight", "--format", "json", *flags, cwd=tmp_path)
        assert result.code == 3, flags
        assert [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(result.out)["findings"]] == [
            ("models/plans.sql", 2, 26, "ST03")
        ]
        assert result.err == f"wsync-lint: not checked: connection `billing`: {NO_PASSWORD}\n"


def test_output_file_moves_the_report_and_stderr_says_what_was_not_checked(tmp_path, run_cli):
    _project(tmp_path, TRAILING_SEMICOLON)
    result = run_cli("preflight", "-o", "report.txt", "-q", cwd=tmp_path)
    assert (result.code, result.out) == (3, "")
    assert result.err == f"wsync-lint: not checked: connection `billing`: {NO_PASSWORD}\n"
    report = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert f"not checked: connection `billing`: {NO_PASSWORD}\n" in report
    assert report.startswith("models/plans.sql:2:26: ST03 [error] ")


@pytest.mark.parametrize("output_format", ["github", "sarif", "junit"])
def test_every_machine_format_gets_the_stderr_line(tmp_path, run_cli, output_format):
    _project(tmp_path)
    result = run_cli("preflight", "--format", output_format, cwd=tmp_path)
    assert result.code == 3
    assert result.err == f"wsync-lint: not checked: connection `billing`: {NO_PASSWORD}\n"


def test_the_api_without_credentials_is_not_checked(tmp_path, run_cli):
    _project(tmp_path)
    write(tmp_path, "wsync-lint.toml", "[api]\nworkspace = 1234\n")
    result = run_cli("preflight", "--api", "--format", "json", cwd=tmp_path)
    assert result.code == 3
    api = "mParticle API credentials are not set: export WSYNC_LINT_API_CLIENT_ID and WSYNC_LINT_API_CLIENT_SECRET"
    assert _summary(result.out)["not_checked"] == [
        {"kind": "connection", "id": "billing", "reason": NO_PASSWORD, "unreachable": False},
        {"kind": "api", "id": "1234", "reason": api, "unreachable": False},
    ]
    assert result.err.splitlines() == [
        f"wsync-lint: not checked: connection `billing`: {NO_PASSWORD}",
        f"wsync-lint: not checked: api `1234`: {api}",
    ]


# -- schema pull ------------------------------------------------------------------------------------


def test_schema_pull_says_not_checked_or_unreachable_per_connection(tmp_path, run_cli, monkeypatch):
    _project(tmp_path)
    write(tmp_path, "connections/down.json", CONNECTION.replace('"billing"', '"down"'))
    write(tmp_path, "pipelines/down.yaml", PIPELINE.replace("plans-daily", "down-daily").replace("billing", "down"))
    port = free_port()
    monkeypatch.setenv("WSYNC_LINT_DOWN_ENDPOINT", f"127.0.0.1:{port}")
    monkeypatch.setenv("WSYNC_LINT_DOWN_PASSWORD", "not-a-real-password")
    monkeypatch.setenv("WSYNC_LINT_DOWN_SSL", "0")
    result = run_cli("schema", "pull", "--quiet", "--timeout", "5", cwd=tmp_path)
    assert (result.code, result.out) == (3, "")
    assert sorted(result.err.splitlines()) == [
        f"wsync-lint: not checked: connection `billing`: {NO_PASSWORD}",
        f"wsync-lint: unreachable: connection `down`: Redshift at 127.0.0.1:{port}: Connection refused",
    ]
    assert not (tmp_path / "schemas").exists()


# -- --connection --------------------------------------------------------------------------------


def _examples_json(run_cli, *args: str):
    result = run_cli("preflight", "examples", "--format", "json", *args, cwd=REPOSITORY)
    findings = [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(result.out)["findings"]]
    return result, findings


def test_connection_limits_the_report_to_that_connections_files(run_cli):
    result, findings = _examples_json(run_cli, "--connection", "snowflake-prod")
    assert result.code == 3
    # The BigQuery model's RF03 and ST05, and the Databricks model's TY01, belong to other connections.
    assert findings == [
        ("examples/models/snowflake/propensity_scores.sql", 3, 5, "ID01"),
        ("examples/models/snowflake/propensity_scores.sql", 3, 7, "CO04"),
        ("examples/models/snowflake/propensity_scores.sql", 3, 7, "ID02"),
        ("examples/models/snowflake/propensity_scores.sql", 4, 7, "CO04"),
        ("examples/models/snowflake/propensity_scores.sql", 7, 38, "ST03"),
        ("examples/pipelines/propensity-scores-nightly.yaml", 10, 23, "SY03"),
    ]
    summary = _summary(result.out)
    # connection, 2 pipelines, 2 data models, 2 SQL files
    assert summary["files"] == 7
    assert summary["not_checked"] == [
        {
            "kind": "connection",
            "id": "snowflake-prod",
            "reason": "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set (or SNOWFLAKE_PASSWORD)",
            "unreachable": False,
        }
    ]
    assert result.err == (
        "wsync-lint: not checked: connection `snowflake-prod`: "
        "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set (or SNOWFLAKE_PASSWORD)\n"
    )


def test_connection_files_are_its_payload_pipelines_data_models_sql_field_transformations_and_snapshot(monkeypatch):
    monkeypatch.chdir(REPOSITORY)  # files are displayed relative to the working folder
    planner = Planner(RunOptions())
    project = load_project(Path("examples").resolve(), planner)
    assert sorted(connection_files(project, "bigquery-prod", planner)) == [
        "examples/connections/bigquery-prod.yaml",
        "examples/data-models/order-history.yaml",
        "examples/data-models/web-events.yaml",
        "examples/field-transformations/web-events.json",
        "examples/models/bigquery/order_history.sql",
        "examples/models/bigquery/web_events.sql",
        "examples/pipelines/order-history-daily.json",
        "examples/pipelines/web-events-hourly.json",
        "examples/schemas/bigquery-prod.json",
    ]


def test_a_standalone_model_belongs_to_no_connection(run_cli):
    """examples/models/bigquery/support_tickets.sql is linted by `check`, but no data model names it."""
    result, findings = _examples_json(run_cli, "--connection", "bigquery-prod")
    assert result.code == 3
    assert findings == []
    # connection, 2 pipelines, 2 data models, 2 SQL files, the events pipeline's field transformation
    assert _summary(result.out)["files"] == 8


def test_an_unknown_connection_is_one_usage_line_naming_the_known_ones(run_cli):
    result = run_cli("preflight", "examples", "--connection", "snowflake-dev", cwd=REPOSITORY)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "wsync-lint: error: --connection `snowflake-dev`: no pipeline under the paths uses it (connections used: "
        "`bigquery-prod`, `databricks-mobile`, `redshift-billing`, `snowflake-prod`)\n"
    )


def test_a_model_two_connections_share_is_judged_by_the_named_connection_only(tmp_path, run_cli):
    """A second pipeline runs the Snowflake model on Redshift: with `--connection snowflake-prod` the
    Redshift snapshot's RF05 on that model is not reported; with `--connection redshift-billing` it is."""
    shutil.copytree(REPOSITORY / "examples", tmp_path / "examples")
    pipeline = (tmp_path / "examples" / "pipelines" / "customer-profiles-hourly.json").read_text()
    shared = pipeline.replace("customer-profiles-hourly", "cp-redshift").replace("snowflake-prod", "redshift-billing")
    write(tmp_path / "examples", "pipelines/cp-redshift.json", shared)

    def codes(connection: str) -> list[tuple[int, str]]:
        result = run_cli("preflight", "examples", "--format", "json", "--connection", connection, cwd=tmp_path)
        model = "examples/models/snowflake/customer_profiles.sql"
        return [(f["line"], f["code"]) for f in json.loads(result.out)["findings"] if f["path"] == model]

    assert codes("snowflake-prod") == []
    assert codes("redshift-billing") == [(10, "RF05")]

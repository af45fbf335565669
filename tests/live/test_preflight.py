"""The preflight's own machinery, without a warehouse: what is sent and in which order, what is
never sent, the timeout backstop, settings from the environment and secret redaction, the
windows that are counted, and when progress is drawn.

The sessions here are :class:`tests.live.recorded.RecordedSession` (our own protocol, recorded
answers); the connectors are tested against real stand-ins in ``test_<warehouse>.py``.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import write
from tests.live.recorded import recorded_opener
from wsync_lint.engine.run_result import NotChecked, RunOptions
from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.errors import UsageError
from wsync_lint.live.backend import Endpoint, LiveSettings, WarehouseNotTried, WarehouseUnreachable, env_name
from wsync_lint.live.preflight import PreflightOptions, preflight
from wsync_lint.live.sessions import within
from wsync_lint.live.statements import NotReadOnly, ReadOnlyQuery, read_only
from wsync_lint.live.windows import first_windows
from wsync_lint.project.project import Project

NOW = datetime(2024, 6, 1, 12, 30, tzinfo=UTC)
CONNECTION = (
    '{"id": "billing", "name": "Billing", "state": "active", "service_provider": "Redshift", '
    '"config": {"database": "billing", "host": "b.abc.us-east-1.redshift.amazonaws.com", "port": "5439", '
    '"user": "mparticle_sync", "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mp"}}'
)
MODEL = (
    '{"id": "plans", "name": "Plans", "type": "sql", "state": "active", "config": {"sql_file": "../models/plans.sql"}}'
)
PIPELINE = """\
id: plans-daily
name: Plans
pipeline_type: user_attributes
connection_id: billing
data_model_id: plans
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamptz, from: "2024-01-01T00:00:00Z"}
schedule: {type: interval, frequency: daily, start: "2024-05-01T00:00:00Z"}
state: active
environment: production
"""


def _project(folder: Path, sql: str) -> None:
    write(folder, "wsync-lint.toml", "")
    write(folder, "connections/billing.json", CONNECTION)
    write(folder, "data-models/plans.json", MODEL)
    write(folder, "pipelines/plans.yaml", PIPELINE)
    write(folder, "models/plans.sql", sql)


def _run(folder: Path, monkeypatch, answers=None, **options):
    sessions = []
    monkeypatch.chdir(folder)
    outcome = preflight(
        [Path(".")],
        RunOptions(),
        PreflightOptions(**options),
        environment={},
        now=NOW,
        opener=recorded_opener(answers or {}, sessions),
    )
    return outcome, sessions


def test_a_clean_model_is_sent_alone_then_in_each_wrapper(tmp_path, monkeypatch):
    _project(tmp_path, "SELECT customer_id, updated_at FROM public.plans\n")
    outcome, [session] = _run(tmp_path, monkeypatch, count=True)
    model = "SELECT customer_id, updated_at FROM public.plans\n"
    window = (
        "WHERE updated_at BETWEEN CAST('2024-05-01 00:00:00+00:00' AS TIMESTAMPTZ) "
        "AND CAST('2024-05-02 00:00:00+00:00' AS TIMESTAMPTZ)"
    )
    assert session.sent[0] == model
    assert [sql.split("\n", 1)[0] for sql in session.sent[1:4]] == ["SELECT COUNT(*)", "SELECT *", "SELECT *"]
    assert session.sent[2].endswith("LIMIT 0")
    # --count: the first daily window from schedule.start, then the history before it.
    assert session.sent[4].endswith(window)
    assert "CAST('2024-01-01 00:00:00+00:00' AS TIMESTAMPTZ)" in session.sent[5]
    assert len(session.sent) == 6
    assert outcome.result.not_checked == []


@pytest.mark.parametrize(
    ("sql", "reason", "static"),
    [
        ("DELETE FROM public.plans", "not a read-only statement: Delete", {"ST01"}),
        ("SELECT 1 AS a; DELETE FROM public.plans", "2 statements: only one is ever sent", {"ST01", "ST02"}),
        (
            "SELECT * INTO public.copy FROM public.plans",
            "the query writes (a data-changing clause inside it)",
            {"ST01"},
        ),
    ],
)
def test_a_model_that_is_not_one_read_is_never_sent(tmp_path, monkeypatch, sql, reason, static):
    _project(tmp_path, sql)
    outcome, [session] = _run(tmp_path, monkeypatch, count=True)
    assert session.sent == []
    assert outcome.notes == [f"pipeline `plans-daily`: the model was not sent to the warehouse: {reason}"]
    # The static rules say why, at the model's statements.
    assert {v.code for v in outcome.result.violations if v.code.startswith("ST0")} == static


def test_unknown_connection_is_a_usage_error(tmp_path, monkeypatch):
    _project(tmp_path, "SELECT customer_id, updated_at FROM public.plans\n")
    with pytest.raises(
        UsageError, match=r"^--connection `nope`: no pipeline under the paths uses it \(connections used: `billing`\)$"
    ):
        _run(tmp_path, monkeypatch, connection="nope")


def test_an_opener_that_fails_makes_the_connection_unreachable_and_redacts(tmp_path, monkeypatch):
    _project(tmp_path, "SELECT customer_id, updated_at FROM public.plans\n")
    monkeypatch.chdir(tmp_path)
    secret = "s3cr3t-Pa55word"

    def refuse(dialect, settings):
        raise WarehouseUnreachable(f"login failed for mparticle_sync with password {secret}")

    outcome = preflight(
        [Path(".")], RunOptions(), PreflightOptions(), environment={"WSYNC_LINT_BILLING_PASSWORD": secret},
        now=NOW, opener=refuse,
    )  # fmt: skip
    assert outcome.result.not_checked == [
        NotChecked("connection", "billing", "Redshift: login failed for mparticle_sync with password ***", True)
    ]


def test_within_gives_up_on_a_call_that_hangs():
    """It gives up while the call is still blocked: the call ends only when the test releases it."""
    release = threading.Event()
    finished = threading.Event()

    def hang() -> None:
        release.wait()
        finished.set()

    with pytest.raises(WarehouseUnreachable, match=r"no answer within 0.2 s \(--timeout\)"):
        within(0.2, hang)
    assert not finished.is_set()
    release.set()


def test_within_passes_answers_and_errors_through():
    assert within(1, lambda: 42) == 42
    with pytest.raises(KeyError):
        within(1, lambda: {}["missing"])


def test_read_only_queries_are_made_only_by_read_only():
    with pytest.raises(NotReadOnly):
        ReadOnlyQuery("DROP TABLE t", "snowflake")
    assert read_only("EXPLAIN SELECT 1", "redshift").sql == "EXPLAIN SELECT 1"
    with pytest.raises(NotReadOnly, match="not a read-only statement: Insert"):
        read_only("INSERT INTO t SELECT 1", "snowflake")
    with pytest.raises(NotReadOnly, match="not a read-only statement: Grant"):
        read_only("GRANT SELECT ON t TO r", "snowflake")


def test_settings_from_the_environment_and_redaction():
    settings = LiveSettings(
        "snowflake-prod",
        "snowflake",
        {"user": "MP"},
        {
            "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD": "hunter2-long",
            "SNOWFLAKE_PASSWORD": "fallback-secret",
            "WSYNC_LINT_SNOWFLAKE_PROD_PRIVATE_KEY_FILE": "/keys/mp.p8",
            "WSYNC_LINT_SNOWFLAKE_PROD_ENDPOINT": "http://127.0.0.1:8085",
        },
    )
    assert env_name("snowflake-prod", "TOKEN") == "WSYNC_LINT_SNOWFLAKE_PROD_TOKEN"
    assert settings.setting("PASSWORD", "SNOWFLAKE_PASSWORD") == "hunter2-long"
    assert settings.endpoint == Endpoint("http", "127.0.0.1", 8085)
    assert settings.redact("pw hunter2-long or fallback-secret at /keys/mp.p8") == "pw *** or *** at /keys/mp.p8"
    with pytest.raises(WarehouseNotTried, match=r"^WSYNC_LINT_SNOWFLAKE_PROD_TOKEN is not set$"):
        settings.require("TOKEN")
    with pytest.raises(WarehouseNotTried, match=r"^WSYNC_LINT_SNOWFLAKE_PROD_SCHEMA is not set \(or A, B\)$"):
        settings.require("SCHEMA", "A", "B")


def _pipeline_binding(tmp_path: Path, pipeline: str):
    _project(tmp_path, "SELECT customer_id, updated_at FROM public.plans\n")
    write(tmp_path, "pipelines/plans.yaml", pipeline)
    project: Project = load_project(tmp_path, Planner(RunOptions()))
    [binding] = project.bindings()
    return binding


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        (
            PIPELINE,
            [
                ("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z", 24_000_000, ("schedule", "frequency")),
                ("2024-01-01T00:00:00Z", "2024-05-01T00:00:00Z", 24_000_000, ("schedule", "start")),
            ],
        ),
        (
            PIPELINE.replace("daily", "hourly").replace(', start: "2024-05-01T00:00:00Z"', ""),
            [("2024-06-01T11:00:00Z", "2024-06-01T12:00:00Z", 1_000_000, ("schedule", "frequency"))],
        ),
        (
            PIPELINE.replace(
                'schedule: {type: interval, frequency: daily, start: "2024-05-01T00:00:00Z"}', "schedule: {type: once}"
            ),
            [("2024-01-01T00:00:00Z", None, 40_000_000, ("schedule", "type"))],
        ),
        (
            PIPELINE.replace(
                'schedule: {type: interval, frequency: daily, start: "2024-05-01T00:00:00Z"}',
                "schedule: {type: on_demand}",
            ),
            [("2024-01-01T00:00:00Z", None, 24_000_000, ("schedule", "type"))],
        ),
    ],
    ids=["daily-with-history", "hourly-without-start", "once", "on-demand"],
)
def test_first_windows_and_their_limits(tmp_path, pipeline, expected):
    from wsync_lint.sql.sync_window import format_timestamp

    binding = _pipeline_binding(tmp_path, pipeline)
    found = [
        (format_timestamp(w.start) if w.start else None, format_timestamp(w.until) if w.until else None, w.limit, w.key)
        for w in first_windows(binding, NOW)
    ]
    assert found == expected


def test_progress_is_drawn_only_for_a_person_at_a_terminal(monkeypatch):
    from wsync_lint.live import progress

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True)
    assert progress.wanted("text", quiet=False)
    assert not progress.wanted("json", quiet=False)
    assert not progress.wanted("text", quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted("text", quiet=False)
    assert type(progress.progress_for("text", quiet=False)).__name__ == "Progress"


def test_the_rich_progress_display_draws_each_pipeline_and_clears_itself():
    import io

    from rich.console import Console

    from wsync_lint.live.progress import RichProgress

    screen = io.StringIO()
    display = RichProgress(Console(file=screen, force_terminal=True, width=100))
    display.start(2)
    display.step("users-hourly (Snowflake)")
    display.step("events-daily (BigQuery)")
    display.stop()
    drawn = screen.getvalue()
    assert "preflight users-hourly (Snowflake)" in drawn and "preflight events-daily (BigQuery)" in drawn
    assert display._bar.tasks[0].completed == 2

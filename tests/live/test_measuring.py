"""``preflight --sample`` and ``--cost`` without a warehouse: the exact statements sent, the figures
read from their answers, and what is said when something cannot be measured.

The sessions are :class:`tests.live.recorded.RecordedSession` (our own protocol, recorded answers);
the same queries run on the real stand-ins in ``test_sampling_standins.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import write
from tests.live.recorded import recorded_opener
from wsync_lint.contract.live_figures import IdentitySample, IteratorSample, Sample, ScanCost
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.live.measuring import BIGQUERY_PRICE_SOURCE
from wsync_lint.live.preflight import PreflightOptions, preflight
from wsync_lint.sql.positions import FileSpan, Span

NOW = datetime(2024, 6, 1, 12, 30, tzinfo=UTC)
CONNECTION = (
    '{"id": "billing", "name": "Billing", "state": "active", "service_provider": "Redshift", '
    '"config": {"database": "billing", "host": "b.abc.us-east-1.redshift.amazonaws.com", "port": "5439", '
    '"user": "mparticle_sync", "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mp"}}'
)
MODEL_FILE = (
    '{"id": "plans", "name": "Plans", "type": "sql", "state": "active", "config": {"sql_file": "../models/plans.sql"}}'
)
PIPELINE = """\
id: plans-hourly
name: Plans
pipeline_type: user_attributes
connection_id: billing
data_model_id: plans
sync_mode: {type: incremental, iterator_field: updated_ms, iterator_data_type: timestamp_unixtime_ms}
schedule: {type: interval, frequency: hourly, start: "2024-06-01T00:00:00Z"}
state: active
environment: production
"""
MODEL = "SELECT p.customer_id, p.email AS Email, p.updated_ms\nFROM public.plans p\n"
COLUMNS = {"customer_id": "varchar", "email": "varchar", "updated_ms": "bigint"}
WINDOW = "updated_ms BETWEEN 1717200000000 AND 1717203600000"
IDENTITY_QUERY = """\
SELECT COUNT(*),
       SUM(CASE WHEN "customer_id" IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT "customer_id" IS NULL AND NOT (TRIM(CAST("customer_id" AS VARCHAR)) <> '') THEN 1 ELSE 0 END),
       SUM(CASE WHEN "email" IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT "email" IS NULL AND NOT (CAST("email" AS VARCHAR) ~ '^[^@ ]+@[^@ ]+[.][^@ ]+$') THEN 1 ELSE 0 END),
       SUM(CASE WHEN "customer_id" IS NULL AND "email" IS NULL THEN 1 ELSE 0 END)
FROM
(
SELECT "customer_id", "email"
FROM
(
SELECT p.customer_id, p.email AS Email, p.updated_ms
FROM public.plans p
) AS m
{where}LIMIT 500
) AS s"""
ITERATOR_QUERY = """\
SELECT COUNT(*),
       SUM(CASE WHEN "updated_ms" IS NULL THEN 1 ELSE 0 END),
       MIN("updated_ms"),
       MAX("updated_ms"),
       SUM(CASE WHEN "updated_ms" > 1717245000000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN ABS("updated_ms") < 100000000000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN ABS("updated_ms") >= 100000000000 AND ABS("updated_ms") < 100000000000000 THEN 1 ELSE 0 END),
       SUM(CASE WHEN ABS("updated_ms") >= 100000000000000 THEN 1 ELSE 0 END)
FROM
(
SELECT "updated_ms"
FROM
(
SELECT p.customer_id, p.email AS Email, p.updated_ms
FROM public.plans p
) AS m
LIMIT 500
) AS s"""


def _project(folder: Path, pipeline: str = PIPELINE, config: str = "") -> None:
    write(folder, "wsync-lint.toml", config)
    write(folder, "connections/billing.json", CONNECTION)
    write(folder, "data-models/plans.json", MODEL_FILE)
    write(folder, "pipelines/plans.yaml", pipeline)
    write(folder, "models/plans.sql", MODEL)


def _run(folder: Path, monkeypatch: pytest.MonkeyPatch, answers: dict, environment=None, **options):
    sessions: list = []
    monkeypatch.chdir(folder)
    outcome = preflight(
        [Path(".")],
        RunOptions(select=("LV07", "LV08", "LV09")),
        PreflightOptions(**options),
        environment=environment or {},
        now=NOW,
        opener=recorded_opener(answers, sessions),
    )
    return outcome, sessions[0]


def test_the_sample_sends_two_aggregate_queries_and_reads_only_counts(tmp_path, monkeypatch):
    _project(tmp_path)
    answers = {
        "columns": COLUMNS,
        "aggregates": [[500, 0, 2, 10, 3, 0], [500, 4, 1717100000000, 1717209999000, 0, 0, 496, 0]],
    }
    outcome, session = _run(tmp_path, monkeypatch, answers, sample=500)
    # The model alone, the three wrappers (compiled), then the two samples.
    assert session.sent[4:] == [IDENTITY_QUERY.format(where=f"WHERE {WINDOW}\n"), ITERATOR_QUERY]
    assert len(session.sent) == 6
    sample = Sample(
        500,
        "the first hourly sync window (2024-06-01T00:00:00Z .. 2024-06-01T01:00:00Z)",
        500,
        0,
        (
            IdentitySample("customer_id", "customer_id", "any text that is not blank", 0, 2, Span(9, 20)),
            IdentitySample(
                "email", "email", "an email address (one @, a dot after it, no spaces)", 10, 3, Span(33, 38)
            ),
        ),
        IteratorSample(
            "updated_ms", "timestamp_unixtime_ms", 500, 4, "1717100000000", "1717209999000", 0, (0, 496, 0),
            Span(42, 52),
        ),
        Span(0, 52),
    )  # fmt: skip
    [figures] = outcome.result.figures
    assert (figures.pipeline, figures.path, figures.connection, figures.warehouse) == (
        "plans-hourly", "pipelines/plans.yaml", "billing", "Redshift",
    )  # fmt: skip
    assert (figures.sample, figures.cost, figures.not_measured) == (sample, None, ())
    # 4 NULL iterators of 500: LV09 at the iterator's output column; 3 of 490 emails (0.6%) are under 1%.
    assert [(v.code, v.path, v.line, v.column) for v in outcome.result.violations] == [
        ("LV09", "models/plans.sql", 1, 43)
    ]


def test_an_empty_window_is_sampled_again_over_the_model(tmp_path, monkeypatch):
    _project(tmp_path)
    answers = {
        "columns": COLUMNS,
        "aggregates": [[0, None, None, None, None, None], [500, 0, 0, 0, 0, 0], [500, 0, 1, 2, 0, 0, 500, 0]],
    }
    outcome, session = _run(tmp_path, monkeypatch, answers, sample=500)
    assert session.sent[4:6] == [IDENTITY_QUERY.format(where=f"WHERE {WINDOW}\n"), IDENTITY_QUERY.format(where="")]
    [figures] = outcome.result.figures
    assert figures.sample is not None
    assert figures.sample.what == (
        "the model (the first hourly sync window (2024-06-01T00:00:00Z .. 2024-06-01T01:00:00Z) holds no rows)"
    )


def test_the_cost_asks_for_the_window_then_every_row(tmp_path, monkeypatch):
    _project(tmp_path, config="scan-price-per-tib = {redshift = 5}\n")
    answers = {
        "columns": COLUMNS,
        "scans": [
            {"scanned": 2048, "source": "Redshift EXPLAIN", "pruning_keys": ["public.plans: sorted by updated_ms"]},
            {"scanned": 4096, "source": "Redshift EXPLAIN"},
        ],
    }
    outcome, session = _run(tmp_path, monkeypatch, answers, cost=True)
    sync = "SELECT *\nFROM\n(\nSELECT p.customer_id, p.email AS Email, p.updated_ms\nFROM public.plans p\n) AS m"
    assert session.sent[4:] == [f"EXPLAIN {sync}\nWHERE {WINDOW}", f"EXPLAIN {sync}"]
    [figures] = outcome.result.figures
    assert figures.cost == ScanCost(
        "the first hourly sync window (2024-06-01T00:00:00Z .. 2024-06-01T01:00:00Z)",
        2048,
        "Redshift EXPLAIN",
        None,
        4096,
        ("public.plans: sorted by updated_ms",),
        "hourly",
        720.0,
        5.0,
        "scan-price-per-tib in wsync-lint.toml",
        FileSpan("pipelines/plans.yaml", figures.cost.at.span),
    )
    assert figures.cost.monthly == 2048 * 720
    assert not figures.cost.prunes_nothing
    assert outcome.result.violations == []


def test_bigquery_on_demand_is_the_only_default_price(tmp_path, monkeypatch):
    from wsync_lint.live.measuring import price_for

    assert price_for("bigquery", {}, None).per_tib == 6.25
    assert price_for("bigquery", {}, None).source == BIGQUERY_PRICE_SOURCE
    assert price_for("snowflake", {}, None) is None
    assert price_for("snowflake", {"snowflake": 3.0}, "pyproject.toml").source == "scan-price-per-tib in pyproject.toml"


def test_what_cannot_be_measured_is_said(tmp_path, monkeypatch):
    _project(tmp_path)
    answers = {
        "columns": {"ref": "varchar", "updated_at": "timestamptz"},
        "scans": [{"source": "Redshift EXPLAIN", "unavailable": "no byte figure"}],
    }
    outcome, session = _run(tmp_path, monkeypatch, answers, sample=1000, cost=True)
    [figures] = outcome.result.figures
    assert figures.sample is None
    assert figures.cost is not None and figures.cost.unavailable == "no byte figure"
    assert figures.not_measured == (
        "iterator sample: `updated_ms` is not a column of the model's result",
        "sample: the model has no identity column and the pipeline no iterator",
    )
    # No second estimate (over every row) without a first figure.
    assert [sql.split("\n")[0] for sql in session.sent[4:]] == ["EXPLAIN SELECT *"]


def test_a_refused_sample_is_not_measured_and_said_with_why(tmp_path, monkeypatch):
    _project(tmp_path)
    answers = {
        "columns": COLUMNS,
        "rejects": [{"when": "LIMIT 1000", "message": "permission denied for relation plans"}],
    }
    outcome, session = _run(tmp_path, monkeypatch, answers, sample=1000)
    [figures] = outcome.result.figures
    assert figures.sample is None
    # The iterator's sample is still asked for after the identities' was refused (both are, here).
    assert figures.not_measured == (
        "sample: the warehouse refused it: permission denied for relation plans",
        "iterator sample: the warehouse refused it: permission denied for relation plans",
    )
    assert len(session.sent) == 6


def test_a_model_the_warehouse_refuses_is_not_measured(tmp_path, monkeypatch):
    _project(tmp_path)
    answers = {"columns": COLUMNS, "rejects": [{"when": "LIMIT 0", "message": "column does not exist"}]}
    outcome, session = _run(tmp_path, monkeypatch, answers, sample=1000, cost=True)
    assert [f.not_measured for f in outcome.result.figures] == [
        (
            "sample: the warehouse refused the model or a query around it (LV01)",
            "cost: the warehouse refused the model or a query around it (LV01)",
        )
    ]
    assert len(session.sent) == 4  # the model and its three wrappers: no sample, no estimate


def test_without_the_options_nothing_is_measured(tmp_path, monkeypatch):
    _project(tmp_path)
    outcome, session = _run(tmp_path, monkeypatch, {"columns": COLUMNS})
    assert outcome.result.figures == []
    assert len(session.sent) == 4


@pytest.mark.parametrize("output_format", ["text", "concise", "json", "github", "sarif", "junit"])
def test_a_secret_a_warehouse_echoes_in_a_refusal_is_never_printed(tmp_path, monkeypatch, output_format):
    from wsync_lint.report import REPORTERS

    secret = "s3cr3t-Pa55word"
    _project(tmp_path)
    answers = {
        "columns": COLUMNS,
        "rejects": [{"when": "LIMIT 1000", "message": f"login as mparticle_sync/{secret} may not read plans"}],
        "scans": [{"source": "Redshift EXPLAIN", "unavailable": "none"}],
    }
    outcome, _ = _run(tmp_path, monkeypatch, answers, {"WSYNC_LINT_BILLING_PASSWORD": secret}, sample=1000, cost=True)
    assert outcome.result.figures[0].not_measured == (
        "sample: the warehouse refused it: login as mparticle_sync/*** may not read plans",
        "iterator sample: the warehouse refused it: login as mparticle_sync/*** may not read plans",
    )
    report = REPORTERS[output_format](outcome.result, False)
    text = report if isinstance(report, str) else bytes(report).decode()
    assert "may not read plans" in text
    assert secret not in text


def test_no_iterator_value_is_read_of_a_column_named_as_an_identity(tmp_path, monkeypatch):
    """An `mpid` made the iterator: its minimum and maximum would be identity values, so the query
    does not ask for them (and with a type the warehouse does not take, nothing is in the future)."""
    pipeline = PIPELINE.replace("iterator_field: updated_ms", "iterator_field: email")
    _project(tmp_path, pipeline)
    answers = {"columns": COLUMNS, "aggregates": [[500, 0, 0, 0, 0, 0], [500, 0, 3, 0, 500, 0]]}
    outcome, session = _run(tmp_path, monkeypatch, answers, sample=500)
    iterator_query = session.sent[5]
    assert "MIN(" not in iterator_query and "MAX(" not in iterator_query
    assert iterator_query.startswith('SELECT COUNT(*),\n       SUM(CASE WHEN "email" IS NULL THEN 1 ELSE 0 END),\n')
    [figures] = outcome.result.figures
    assert figures.sample is not None and figures.sample.iterator is not None
    iterator = figures.sample.iterator
    assert (iterator.minimum, iterator.maximum, iterator.bounds_withheld) == (
        None,
        None,
        "the column is the identity `email`",
    )


def test_a_refusal_quoting_a_value_is_printed_with_the_value_masked(tmp_path, monkeypatch):
    _project(tmp_path)
    message = 'invalid input syntax for type bigint: "ana@example.com" in column "email"'
    answers = {"columns": COLUMNS, "rejects": [{"when": "LIMIT 500", "message": message}]}
    outcome, _ = _run(tmp_path, monkeypatch, answers, sample=500)
    assert outcome.result.figures[0].not_measured[0] == (
        'sample: the warehouse refused it: invalid input syntax for type bigint: "…" in column "email"'
    )


@pytest.mark.parametrize("frequency", ["[hourly]", "{every: hour}"])
def test_a_schedule_of_the_wrong_shape_is_not_measured_not_a_crash(tmp_path, monkeypatch, frequency):
    _project(tmp_path, PIPELINE.replace("frequency: hourly", f"frequency: {frequency}"))
    answers = {"columns": COLUMNS, "aggregates": [[500, 0, 0, 0, 0, 0], [500, 0, 1, 2, 0, 0, 500, 0]]}
    outcome, _ = _run(tmp_path, monkeypatch, answers, sample=500, count=True, cost=True)
    [figures] = outcome.result.figures
    assert figures.sample is not None and figures.sample.what == "the model (no sync window)"
    assert figures.not_measured == ("cost: the pipeline's schedule is not one wsync-lint can count runs of",)


def test_columns_whose_names_differ_in_case_are_each_placed_at_their_own(tmp_path, monkeypatch):
    """Snowflake keeps a quoted name's case: `"Email"` and `"EMAIL"` are two columns, each reported
    at its own alias."""
    _project(tmp_path)
    snowflake = CONNECTION.replace('"Redshift"', '"Snowflake"')
    write(tmp_path, "connections/billing.json", snowflake)
    write(
        tmp_path,
        "models/plans.sql",
        'SELECT p.email AS "Email", p.email AS "EMAIL", p.updated_ms\nFROM db.public.plans p\n',
    )
    answers = {
        "columns": {"Email": "VARCHAR", "EMAIL": "VARCHAR", "UPDATED_MS": "NUMBER"},
        "aggregates": [[100, 0, 50, 0, 60, 0], [100, 0, 1717200000000, 1717200000000, 0, 0, 100, 0]],
    }
    outcome, _ = _run(tmp_path, monkeypatch, answers, sample=100)
    assert [(v.code, v.line, v.column) for v in outcome.result.violations] == [("LV08", 1, 19), ("LV08", 1, 39)]


def test_a_minimum_that_is_no_number_is_shown_as_the_warehouse_gives_it():
    from decimal import Decimal

    from wsync_lint.live.measuring import _text

    assert [_text(v) for v in (Decimal("NaN"), float("inf"), Decimal("1717200000000"), 2.5)] == [
        "NaN", "inf", "1717200000000", "2.5",
    ]  # fmt: skip

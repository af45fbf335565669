"""``preflight --sample --cost`` end to end on the real stand-ins: seeded defects, exact figures.

Every stand-in holds the same ten rows (:data:`ROWS`) with known defects, read by two pipelines:
``updated-sync`` (a timestamp iterator: one NULL, two values in the future) and ``epochs-sync`` (an
iterator of epoch SECONDS declared ``timestamp_unixtime_ms``, so its first sync window holds no row
and the identities are sampled over the model instead). The run is the real one: ``preflight()``
with the stand-in's environment and a fixed :data:`NOW`, then the command line in ``json`` and
``text``. The statement record of each stand-in shows that the sample and the cost only read, and
no output holds a value of an identity column. This module holds what the four share, and
BigQuery (bqemulator behind the dry-run proxy); Snowflake is in ``test_sampling_snowflake.py``,
Redshift and Databricks in ``test_sampling_redshift_databricks.py``, on the same rows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import write
from tests.live.standins.bigquery import BigQueryStandin
from tests.live.test_preflight_cli import _connection
from wsync_lint.contract.live_figures import IdentitySample, IteratorSample, PipelineFigures, Sample, ScanCost
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.live.backend import env_name
from wsync_lint.live.measuring import BIGQUERY_PRICE_SOURCE
from wsync_lint.live.preflight import PreflightOptions, preflight
from wsync_lint.live.statements import read_only
from wsync_lint.mparticle.identity_forms import IDENTITY_FORMS
from wsync_lint.sql.positions import FileSpan, Span

NOW = datetime(2024, 6, 1, 12, 30, tzinfo=UTC)
START = "2024-06-01T00:00:00Z"
WINDOW = "the first hourly sync window (2024-06-01T00:00:00Z .. 2024-06-01T01:00:00Z)"
# (customer_id, email, updated_at, updated_epoch): updated_epoch is epoch SECONDS. The future values
# are far ahead, so that the command line's own clock (not NOW) finds them in the future too.
ROWS = [
    ("c1", "ann@example.com", "2024-06-01 00:05:00", 1717200300),
    ("c2", None, "2024-06-01 00:10:00", 1717200600),
    ("c3", None, "2024-06-01 00:15:00", 1717200900),
    ("c4", "bob at example.com", "2024-06-01 00:20:00", 1717201200),
    ("c5", "x@y", "2024-06-01 00:25:00", 1717201500),
    ("", "eve@example.com", "2024-06-01 00:30:00", 1717201800),
    (None, None, "2024-06-01 00:35:00", 1717202100),
    ("c8", "dan@example.com", None, 1717202400),
    ("c9", "fay@example.com", "2099-01-01 09:00:00", 1717203000),
    ("c10", "gus@example.com", "2099-06-01 00:00:00", 1717203600),
]
# The forms in words, as the product states them (its facts, not this test's).
NOT_BLANK, EMAIL_FORM = IDENTITY_FORMS["customer_id"].words, IDENTITY_FORMS["email"].words
EMAILS = [email for _, email, _, _ in ROWS if email]
"""No output may hold one: only counts leave the warehouse."""


def values_sql(timestamp: str = "TIMESTAMP") -> str:
    """The rows as an ``INSERT ... VALUES`` list, a timestamp written ``<timestamp> '...'``."""

    def literal(value: object) -> str:
        return "NULL" if value is None else str(value) if isinstance(value, int) else f"'{value}'"

    return ", ".join(
        f"({literal(customer)}, {literal(email)}, {'NULL' if at is None else f'{timestamp} {literal(at)}'}, {epoch})"
        for customer, email, at, epoch in ROWS
    )


def model_sql(customer: str, email: str, updated_at: str, epoch: str, table: str) -> str:
    """The model both pipelines read: the four columns of ``table``, on two lines."""
    return f"SELECT {customer}, {email}, {updated_at}, {epoch}\nFROM {table}\n"


def sampling_project(
    folder: Path, connection: dict, model: str, iterators: dict[str, tuple[str, str]], config: str = ""
) -> None:
    """A project of one connection and, per entry of ``iterators`` (model id -> (iterator field,
    iterator data type)), a data model of ``model`` and an hourly incremental pipeline ``<id>-sync``."""
    write(folder, "wsync-lint.toml", config)
    write(folder, "connections/warehouse.json", json.dumps(connection, indent=2))
    for model_id, (field, data_type) in iterators.items():
        write(folder, f"models/{model_id}.sql", model)
        data_model = {"id": model_id, "name": model_id, "type": "sql", "state": "active",
                      "config": {"sql_file": f"../models/{model_id}.sql"}}  # fmt: skip
        write(folder, f"data-models/{model_id}.json", json.dumps(data_model, indent=2))
        pipeline = {
            "id": f"{model_id}-sync",
            "name": model_id,
            "connection_id": connection["id"],
            "data_model_id": model_id,
            "pipeline_type": "user_attributes",
            "sync_mode": {"type": "incremental", "iterator_field": field, "iterator_data_type": data_type},
            "schedule": {"type": "interval", "frequency": "hourly", "start": START},
            "state": "active",
            "environment": "production",
        }
        write(folder, f"pipelines/{model_id}.json", json.dumps(pipeline, indent=2))


def run_preflight(folder: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]):
    """The real preflight with ``--sample 1000 --cost``, LV07-LV09 only, at :data:`NOW`."""
    monkeypatch.chdir(folder)
    return preflight(
        [Path(".")],
        RunOptions(select=("LV07", "LV08", "LV09")),
        PreflightOptions(sample=1000, cost=True),
        environment=environment,
        now=NOW,
    )


def findings(outcome) -> list[tuple[str, str, int, int, str]]:
    """(code, path, line, column, message) of each finding of a :func:`run_preflight` outcome."""
    return [(v.code, v.path, v.line, v.column, v.message) for v in outcome.result.violations]


def expected_samples(model: str, columns: tuple[str, str, str, str], data_type: str, latest: tuple[str, str]) -> dict:
    """The two pipelines' samples of :data:`ROWS` read through ``model``, whose output columns are
    ``columns`` as the warehouse names them; ``data_type``: the timestamp iterator's declared type;
    ``latest``: its minimum and maximum as the driver's values print."""
    customer, email, updated_at, epoch = columns

    def at(name: str) -> Span:
        start = model.index(name, len("SELECT "))
        return Span(start, start + len(name))

    # Rows 2, 3 and 7 have no email, rows 4 and 5 a malformed one; row 7 no customer id, row 6 a blank one.
    identities = (
        IdentitySample(customer, "customer_id", NOT_BLANK, 1, 1, at(customer)),
        IdentitySample(email, "email", EMAIL_FORM, 3, 2, at(email)),
    )
    updated = IteratorSample(updated_at, data_type, 10, 1, *latest, 2, None, at(updated_at))
    epochs = IteratorSample(epoch, "timestamp_unixtime_ms", 10, 0, "1717200300", "1717203600", 0, (10, 0, 0), at(epoch))
    first_line = Span(0, model.index("\n"))
    return {
        # Seconds read as milliseconds are in 1970: the window holds none, the model's rows are read instead.
        "epochs": Sample(1000, f"the model ({WINDOW} holds no rows)", 10, 1, identities, epochs, first_line),
        # The first window holds rows 1 to 7.
        "updated": Sample(1000, WINDOW, 7, 1, identities, updated, first_line),
    }


def expected_findings(columns: tuple[str, str, str, str], latest: str) -> list[tuple[str, str, int, int, str]]:
    """LV08 and LV09 on the two models (output columns at 8, 21, 28 and 40 of line 1 in every
    warehouse's model); ``latest``: the timestamp iterator's maximum as printed."""
    customer, email, updated_at, epoch = columns
    model = f"the model ({WINDOW} holds no rows)"
    no_profile = "mParticle attaches them to no profile"
    wrong_profile = "mParticle cannot resolve them to the right profile"
    blank = f"do not have the form of the identity `customer_id`, {NOT_BLANK}"
    not_email = f"do not have the form of the identity `email`, {EMAIL_FORM}"
    return [
        ("LV08", "models/epochs.sql", 1, 8, f"1 of 10 (10.0%) sampled rows of {model} of pipeline `epochs-sync` "
         f"have no identity (`{customer}`, `{email}` all NULL): {no_profile}"),
        ("LV08", "models/epochs.sql", 1, 8, f"1 of 9 (11.1%) values of `{customer}` in the sampled rows of {model} "
         f"of pipeline `epochs-sync` {blank}: {wrong_profile}"),
        ("LV08", "models/epochs.sql", 1, 21, f"2 of 7 (28.6%) values of `{email}` in the sampled rows of {model} "
         f"of pipeline `epochs-sync` {not_email}: {wrong_profile}"),
        ("LV09", "models/epochs.sql", 1, 40, f"10 of 10 (100.0%) values of the iterator `{epoch}` in the sampled rows "
         "of the model of pipeline `epochs-sync` have the size of epoch seconds (from 1717200300 to 1717203600), "
         "but `iterator_data_type` `timestamp_unixtime_ms` declares milliseconds: the sync windows will not select "
         "them"),
        ("LV08", "models/updated.sql", 1, 8, f"1 of 6 (16.7%) values of `{customer}` in the sampled rows of {WINDOW} "
         f"of pipeline `updated-sync` {blank}: {wrong_profile}"),
        ("LV08", "models/updated.sql", 1, 8, f"1 of 7 (14.3%) sampled rows of {WINDOW} of pipeline `updated-sync` "
         f"have no identity (`{customer}`, `{email}` all NULL): {no_profile}"),
        ("LV08", "models/updated.sql", 1, 21, f"2 of 4 (50.0%) values of `{email}` in the sampled rows of {WINDOW} "
         f"of pipeline `updated-sync` {not_email}: {wrong_profile}"),
        ("LV09", "models/updated.sql", 1, 28, f"2 of 9 (22.2%) values of the iterator `{updated_at}` in the sampled "
         f"rows of the model of pipeline `updated-sync` are in the future (the latest: {latest}): each is skipped "
         "until the clock passes it"),
        ("LV09", "models/updated.sql", 1, 28, f"the iterator `{updated_at}` is NULL in 1 of 10 (10.0%) sampled rows "
         "of the model of pipeline `updated-sync`: no sync window selects those rows, so they are never synced"),
    ]  # fmt: skip


def schedule_at(folder: Path, model_id: str) -> FileSpan:
    """The ``"frequency"`` key of a pipeline written by :func:`sampling_project`: where LV07 points."""
    path = f"pipelines/{model_id}.json"
    start = (folder / path).read_text().index('"frequency"')
    return FileSpan(path, Span(start, start + len('"frequency"')))


def figures_of(warehouse: str, connection: str, samples: dict, costs: dict) -> list[PipelineFigures]:
    """Both pipelines' figures, in the order reported (by pipeline id)."""
    return [
        PipelineFigures(f"{name}-sync", f"pipelines/{name}.json", connection, warehouse, samples[name], costs[name])
        for name in ("epochs", "updated")
    ]


def assert_no_identity_value(*outputs: str) -> None:
    """Only counts left the warehouse: no seeded email (nor its local part) is in any output."""
    for output in outputs:
        for email in EMAILS:
            assert email not in output
            assert email.split("@")[0] + "@" not in output


def figure_text(out: str) -> str:
    """The text report from its sample table on (the findings above it are asserted in JSON)."""
    return out[out.index("Sample (at most") :]


def command_line(folder: Path, run_cli, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]) -> tuple:
    """``wsync-lint preflight --sample --cost`` (LV07-LV09) in ``json``, then in ``text``, on the
    command line's own clock: the future values are far enough ahead that nothing changes."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    arguments = ("preflight", "--sample", "--cost", "--select", "LV07,LV08,LV09")
    return run_cli(*arguments, "--format", "json", cwd=folder), run_cli(*arguments, cwd=folder)


def json_findings(out: str) -> list[tuple[str, str, int, int, str]]:
    """(code, path, line, column, message) of each finding of the ``json`` report ``out``."""
    return [(f["code"], f["path"], f["line"], f["column"], f["message"]) for f in json.loads(out)["findings"]]


# -- BigQuery (bqemulator, behind the dry-run proxy for the bytes) ------------------------------

BIGQUERY_MODEL = model_sql("customer_id", "email", "updated_at", "updated_epoch", "`test-proj.crm.sampled`")


@pytest.fixture(scope="module")
def bigquery(bigquery_standin: BigQueryStandin) -> BigQueryStandin:
    """The emulator with :data:`ROWS` in ``crm.sampled``."""
    bigquery_standin.setup(
        "CREATE SCHEMA IF NOT EXISTS crm",
        "CREATE OR REPLACE TABLE crm.sampled (customer_id STRING, email STRING, updated_at TIMESTAMP,"
        " updated_epoch INT64)",
        f"INSERT INTO crm.sampled (customer_id, email, updated_at, updated_epoch) VALUES {values_sql()}",
    )
    return bigquery_standin


@pytest.fixture
def bigquery_proxy(bigquery: BigQueryStandin):
    """The dry-run proxy in front of the emulator, for one test (its figures and record are the test's)."""
    from tests.live.standins.bigquery_dry_run import serving

    yield from serving(bigquery.url)


BIGQUERY_COLUMNS = ("customer_id", "email", "updated_at", "updated_epoch")
BIGQUERY_SYNC = f"SELECT *\nFROM\n(\n{BIGQUERY_MODEL.strip()}\n)"
BIGQUERY_UPDATED_WINDOW = (
    "\nWHERE updated_at BETWEEN CAST('2024-06-01 00:00:00+00:00' AS TIMESTAMP)"
    " AND CAST('2024-06-01 01:00:00+00:00' AS TIMESTAMP)"
)
BIGQUERY_EPOCHS_WINDOW = "\nWHERE updated_epoch BETWEEN 1717200000000 AND 1717203600000"
FIFTY_GIB = 50 * 1024**3
BIGQUERY_LV07 = (
    "pipeline `updated-sync` scans 50.0 GiB per hourly run (BigQuery dry run of "
    f"{WINDOW}), 35.2 TiB a month at 720 runs (about $219.73 at $6.25 per TiB), above the budget of 1.0 TiB: the "
    "iterator filter prunes nothing, each window scans as much as every row (test-proj.crm.sampled: partitioned by "
    "_PARTITIONTIME (DAY))"
)


def _bigquery_run(bigquery: BigQueryStandin, proxy, folder: Path) -> dict[str, str]:
    """The project, and BigQuery's figures for the proxy to give: ``updated-sync``'s dry runs scan
    50 GiB over its window and over every row alike, as on a table partitioned by ingestion time
    (laid over the emulator's tables.get answer) and filtered on another column. ``epochs-sync``'s
    dry runs keep the emulator's own figure: 0 bytes (bqemulator reports 0 for every dry run)."""
    sampling_project(
        folder,
        _connection(bigquery, "BigQuery"),
        BIGQUERY_MODEL,
        {"epochs": ("updated_epoch", "timestamp_unixtime_ms"), "updated": ("updated_at", "timestamp")},
    )
    proxy.scanned.update({BIGQUERY_SYNC + BIGQUERY_UPDATED_WINDOW: FIFTY_GIB, BIGQUERY_SYNC: FIFTY_GIB})
    proxy.tables["test-proj.crm.sampled"] = {"timePartitioning": {"type": "DAY"}}
    return {env_name(bigquery.connection_id, "ENDPOINT"): proxy.url}


def test_bigquery_sample_and_cost_exact_figures_findings_and_reads_only(
    bigquery, bigquery_proxy, tmp_path, monkeypatch
):
    outcome = run_preflight(tmp_path, monkeypatch, _bigquery_run(bigquery, bigquery_proxy, tmp_path))
    latest = ("2024-06-01 00:05:00+00:00", "2099-06-01 00:00:00+00:00")  # the client's TIMESTAMP is aware
    samples = expected_samples(BIGQUERY_MODEL, BIGQUERY_COLUMNS, "timestamp", latest)
    keys = ("test-proj.crm.sampled: partitioned by _PARTITIONTIME (DAY)",)
    price = (6.25, BIGQUERY_PRICE_SOURCE)
    costs = {
        # The emulator's own 0 bytes for the window (the product takes it as a figure: 0 B a month, no
        # LV07); over every row the query is updated-sync's, to which the proxy gives 50 GiB.
        "epochs": ScanCost(WINDOW, 0, "BigQuery dry run", None, FIFTY_GIB, keys, "hourly", 720.0, *price,
                           schedule_at(tmp_path, "epochs")),
        "updated": ScanCost(WINDOW, FIFTY_GIB, "BigQuery dry run", None, FIFTY_GIB, keys, "hourly", 720.0, *price,
                            schedule_at(tmp_path, "updated")),
    }  # fmt: skip
    assert outcome.result.figures == figures_of("BigQuery", "bq-standin", samples, costs)
    assert findings(outcome) == [
        *expected_findings(BIGQUERY_COLUMNS, latest[1]),
        ("LV07", "pipelines/updated.json", 14, 5, BIGQUERY_LV07),
    ]
    # The proxy's record: dry runs, tables.get, the permission check, and the sample's four
    # jobs.query of aggregates; every query only reads.
    sent = bigquery_proxy.sent
    for request in sent:
        if request.query is not None:
            read_only(request.query, "bigquery")
    assert {(r.method, r.path.rsplit("/", 1)[-1], r.dry_run) for r in sent} == {
        ("POST", "jobs", True),
        ("POST", "queries", False),
        ("GET", "sampled", False),
        ("POST", "sampled:testIamPermissions", False),
    }
    queries = [r.query for r in sent if r.path.endswith("/queries")]
    assert [q.split("\n")[0] for q in queries] == ["SELECT COUNT(*),"] * 5
    assert ["LIMIT 1000" in q for q in queries] == [True] * 5
    # The cost's dry runs, per pipeline: over the first window, then over every row.
    estimates = [BIGQUERY_SYNC + BIGQUERY_EPOCHS_WINDOW, BIGQUERY_SYNC + BIGQUERY_UPDATED_WINDOW, BIGQUERY_SYNC]
    assert [r.query for r in sent if r.dry_run and r.query in estimates] == [
        estimates[0],
        estimates[2],
        estimates[1],
        estimates[2],
    ]
    assert_no_identity_value(repr(outcome.result.figures), *(v.message for v in outcome.result.violations))


def test_bigquery_command_line_json_and_text(bigquery, bigquery_proxy, tmp_path, run_cli, monkeypatch):
    environment = _bigquery_run(bigquery, bigquery_proxy, tmp_path)
    as_json, as_text = command_line(tmp_path, run_cli, monkeypatch, environment)
    assert (as_json.code, as_text.code) == (1, 1)
    assert json_findings(as_json.out) == [
        *expected_findings(BIGQUERY_COLUMNS, "2099-06-01 00:00:00+00:00"),
        ("LV07", "pipelines/updated.json", 14, 5, BIGQUERY_LV07),
    ]
    epochs, updated = json.loads(as_json.out)["pipelines"]
    keys = ["test-proj.crm.sampled: partitioned by _PARTITIONTIME (DAY)"]
    priced = {"price_per_tib": 6.25, "price_source": BIGQUERY_PRICE_SOURCE}
    assert epochs["cost"] == {
        "window": WINDOW, "scanned_bytes": 0, "source": "BigQuery dry run", "unavailable": None,
        "every_row_bytes": FIFTY_GIB, "prunes_nothing": False, "pruning_keys": keys, "schedule": "hourly",
        "runs_per_month": 720, "monthly_bytes": 0, **priced, "monthly_cost": 0.0,
    }  # fmt: skip
    assert updated["cost"] == {
        "window": WINDOW, "scanned_bytes": FIFTY_GIB, "source": "BigQuery dry run", "unavailable": None,
        "every_row_bytes": FIFTY_GIB, "prunes_nothing": True, "pruning_keys": keys, "schedule": "hourly",
        "runs_per_month": 720, "monthly_bytes": FIFTY_GIB * 720, **priced, "monthly_cost": 219.73,
    }  # fmt: skip
    assert (updated["sample"]["iterator"]["min"], updated["sample"]["iterator"]["max"]) == (
        "2024-06-01 00:05:00+00:00", "2099-06-01 00:00:00+00:00",
    )  # fmt: skip
    text = figure_text(as_text.out)
    assert (
        text[text.index("Scan per run") :]
        == f"""\
Scan per run and per month (a 30-day month):
  pipeline      warehouse   per run  schedule  runs/month  per month  cost/month
  epochs-sync   BigQuery        0 B  hourly           720        0 B       $0.00
    BigQuery dry run of {WINDOW}
    price: $6.25 per TiB ({BIGQUERY_PRICE_SOURCE})
  updated-sync  BigQuery   50.0 GiB  hourly           720   35.2 TiB     $219.73
    BigQuery dry run of {WINDOW}
    price: $6.25 per TiB ({BIGQUERY_PRICE_SOURCE})
    the iterator filter prunes nothing: one window scans as much as every row (50.0 GiB)
      test-proj.crm.sampled: partitioned by _PARTITIONTIME (DAY)
Found 10 problems (3 errors, 7 warnings) in 7 files.
"""
    )
    assert "  updated-sync (BigQuery): 7 rows of " + WINDOW in text
    assert_no_identity_value(as_json.out, as_json.err, as_text.out, as_text.err)

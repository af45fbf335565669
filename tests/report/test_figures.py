"""What ``preflight --sample`` / ``--cost`` measured, in every format, from results built by hand.

Two pipelines: ``users-hourly`` with a sample (two identity columns, an epoch iterator whose values
have the size of seconds though it is declared in milliseconds) and a cost the warehouse gives no
bytes for; ``orders-daily`` with no sample (not measured, and why) and a cost whose iterator filter
prunes nothing, with the table's partitioning and a price. ``check`` (no figures) keeps its
output: the golden files of test_formats.py, where JSON only gains ``"pipelines": []``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import jsonschema
import pytest

from tests.conftest import REPO
from tests.report.test_formats import _result
from wsync_lint.contract.live_figures import IdentitySample, IteratorSample, PipelineFigures, Sample, ScanCost
from wsync_lint.engine.run_result import RunResult
from wsync_lint.printable import json_text
from wsync_lint.report import REPORTERS
from wsync_lint.report.figures import count_text
from wsync_lint.sql.positions import FileSpan, Span

GIB = 1024**3
HOURLY_WINDOW = "the first hourly sync window (2024-05-01 00:00 to 01:00 UTC)"
NO_BYTES = "Snowflake's EXPLAIN gives the partitions a query reads, not its bytes"
PRICE_SOURCE = "BigQuery on-demand list price, cloud.google.com/bigquery/pricing"


def _users(pipeline: str = "users-hourly", column: str = "EMAIL", minimum: str = "1714521600") -> PipelineFigures:
    return PipelineFigures(
        pipeline=pipeline,
        path="pipelines/users-hourly.json",
        connection="snowflake-prod",
        warehouse="Snowflake",
        sample=Sample(
            limit=1000,
            what=HOURLY_WINDOW,
            rows=812,
            unidentified=3,
            identities=(
                IdentitySample(column, "email", "an email address: one @, a dot after it", 10, 4, Span(7, 12)),
                IdentitySample("CUSTOMER_ID", "customer_id", "any text", 0, 0, Span(14, 25)),
            ),
            iterator=IteratorSample(
                column="UPDATED_AT", data_type="timestamp_unixtime_ms", rows=1000, nulls=2, minimum=minimum,
                maximum="1714525199", future=0, magnitudes=(998, 0, 0), at=Span(27, 37),
            ),
            model_at=Span(0, 6),
        ),
        cost=ScanCost(
            window=HOURLY_WINDOW, scanned=None, source="Snowflake EXPLAIN", unavailable=NO_BYTES, every_row=None,
            pruning_keys=(), schedule="hourly", runs_per_month=720.0, price_per_tib=None, price_source=None,
            at=FileSpan("pipelines/users-hourly.json", Span(40, 48)),
        ),
    )  # fmt: skip


ORDERS = PipelineFigures(
    pipeline="orders-daily",
    path="pipelines/orders-daily.yaml",
    connection="bq",
    warehouse="BigQuery",
    cost=ScanCost(
        window="the first daily sync window (2024-05-01)", scanned=120 * GIB, source="BigQuery dry run",
        unavailable=None, every_row=120 * GIB, pruning_keys=("analytics.orders: partitioned by order_date",),
        schedule="daily", runs_per_month=30.0, price_per_tib=6.25, price_source=PRICE_SOURCE,
        at=FileSpan("pipelines/orders-daily.yaml", Span(60, 65)),
    ),
    not_measured=("sample: the model was not sent",),
)  # fmt: skip


def _measured() -> RunResult:
    return RunResult(paths=["pipelines/users-hourly.json", "pipelines/orders-daily.yaml"], figures=[_users(), ORDERS])


TABLES = [
    "Sample (at most 1,000 rows per pipeline; only counts, and the iterator's minimum and maximum, leave the warehouse):",
    f"  users-hourly (Snowflake): 812 rows of {HOURLY_WINDOW}",
    "    column       identity     NULL (of rows)  malformed (of values set)",
    "    EMAIL        email             10 (1.2%)                   4 (0.5%)",
    "    CUSTOMER_ID  customer_id        0 (0.0%)                   0 (0.0%)",
    "    rows with no identity: 3 (0.4%)",
    "    iterator UPDATED_AT (timestamp_unixtime_ms), 1,000 rows of the model:",
    "      NULL 2 (0.2%); min 1714521600, max 1714525199; 0 in the future",
    "      sized as epoch seconds: 998, milliseconds: 0, microseconds: 0",
    "Scan per run and per month (a 30-day month):",
    "  pipeline      warehouse    per run  schedule  runs/month  per month  cost/month",
    "  users-hourly  Snowflake        n/a  hourly           720        n/a         n/a",
    f"    not available (Snowflake EXPLAIN): {NO_BYTES}",
    "  orders-daily  BigQuery   120.0 GiB  daily             30    3.5 TiB      $21.97",
    "    BigQuery dry run of the first daily sync window (2024-05-01)",
    f"    price: $6.25 per TiB ({PRICE_SOURCE})",
    "    the iterator filter prunes nothing: one window scans as much as every row (120.0 GiB)",
    "      analytics.orders: partitioned by order_date",
    "Not measured:",
    "  orders-daily: sample: the model was not sent",
]
"""The text format's tables for :func:`_measured` (120 GiB x 30 = 3.5 TiB, at $6.25 = $21.97)."""

PIPELINES = [
    {
        "pipeline": "users-hourly",
        "path": "pipelines/users-hourly.json",
        "connection": "snowflake-prod",
        "warehouse": "Snowflake",
        "sample": {
            "limit": 1000,
            "of": HOURLY_WINDOW,
            "rows": 812,
            "unidentified": 3,
            "identities": [
                {"column": "EMAIL", "identity": "email", "form": "an email address: one @, a dot after it",
                 "nulls": 10, "malformed": 4},
                {"column": "CUSTOMER_ID", "identity": "customer_id", "form": "any text", "nulls": 0, "malformed": 0},
            ],
            "iterator": {
                "column": "UPDATED_AT", "data_type": "timestamp_unixtime_ms", "rows": 1000, "nulls": 2,
                "min": "1714521600", "max": "1714525199", "future": 0,
                "magnitudes": {"seconds": 998, "milliseconds": 0, "microseconds": 0},
            },
        },
        "cost": {
            "window": HOURLY_WINDOW, "scanned_bytes": None, "source": "Snowflake EXPLAIN", "unavailable": NO_BYTES,
            "every_row_bytes": None, "prunes_nothing": False, "pruning_keys": [], "schedule": "hourly",
            "runs_per_month": 720, "monthly_bytes": None, "price_per_tib": None, "price_source": None,
            "monthly_cost": None,
        },
        "not_measured": [],
    },
    {
        "pipeline": "orders-daily",
        "path": "pipelines/orders-daily.yaml",
        "connection": "bq",
        "warehouse": "BigQuery",
        "sample": None,
        "cost": {
            "window": "the first daily sync window (2024-05-01)", "scanned_bytes": 128849018880,
            "source": "BigQuery dry run", "unavailable": None, "every_row_bytes": 128849018880,
            "prunes_nothing": True, "pruning_keys": ["analytics.orders: partitioned by order_date"],
            "schedule": "daily", "runs_per_month": 30, "monthly_bytes": 3865470566400, "price_per_tib": 6.25,
            "price_source": PRICE_SOURCE, "monthly_cost": 21.97,
        },
        "not_measured": ["sample: the model was not sent"],
    },
]  # fmt: skip
"""The JSON format's ``pipelines`` for :func:`_measured`: counts only, in the documented order."""


def test_text_prints_the_tables_after_the_findings_and_before_the_summary():
    assert (
        REPORTERS["text"](_measured(), False)
        == "\n".join([*TABLES, "No problems found in 2 files; 1 pipeline not fully measured."]) + "\n"
    )
    with_findings = _measured()
    with_findings.violations = _result().violations
    lines = REPORTERS["concise"](with_findings, False).splitlines()
    assert lines[3:] == [*TABLES, "Found 3 problems (2 errors, 1 warning) in 2 files; 1 pipeline not fully measured."]
    assert [line.split(":", 1)[0] for line in lines[:3]] == ["models/tickets.sql"] * 2 + ["models/users, v2.sql"]


@pytest.mark.parametrize("name", ["text", "concise"])
def test_quiet_leaves_out_the_tables(name):
    assert REPORTERS[name](_measured(), True) == ""


def test_json_carries_the_figures_after_the_summary_exactly_as_json_dumps_writes_them():
    written = REPORTERS["json"](_measured(), False)
    document = json.loads(written)
    assert list(document) == ["version", "findings", "summary", "pipelines"]
    assert document["pipelines"] == PIPELINES
    assert [list(pipeline) for pipeline in document["pipelines"]] == [
        ["pipeline", "path", "connection", "warehouse", "sample", "cost", "not_measured"]
    ] * 2
    assert list(document["pipelines"][1]["cost"]) == [
        "window", "scanned_bytes", "source", "unavailable", "every_row_bytes", "prunes_nothing", "pruning_keys",
        "schedule", "runs_per_month", "monthly_bytes", "price_per_tib", "price_source", "monthly_cost",
    ]  # fmt: skip
    assert written == (json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n").encode("utf-8")
    with_findings = _measured()
    with_findings.violations = _result().violations
    both = REPORTERS["json"](with_findings, False)
    assert json.loads(both)["pipelines"] == PIPELINES
    assert both == (json_text(json.dumps(json.loads(both), indent=2, ensure_ascii=False)) + "\n").encode("utf-8")


def test_json_rounds_the_cost_to_cents_and_keeps_a_weekly_schedule_s_fraction_of_runs():
    weekly = ScanCost(
        window="the first weekly sync window", scanned=5 * 10**9, source="BigQuery dry run", unavailable=None,
        every_row=None, pruning_keys=(), schedule="weekly", runs_per_month=30 / 7, price_per_tib=6.25,
        price_source=PRICE_SOURCE, at=FileSpan("p.json", Span(0, 1)),
    )  # fmt: skip
    on_demand = ScanCost(
        window="the first sync window", scanned=1000, source="BigQuery dry run", unavailable=None, every_row=1000,
        pruning_keys=(), schedule="on_demand", runs_per_month=None, price_per_tib=None, price_source=None,
        at=FileSpan("q.json", Span(0, 1)),
    )  # fmt: skip
    result = RunResult(
        paths=["p.json"],
        figures=[PipelineFigures("w", "p.json", "bq", "BigQuery", cost=weekly), PipelineFigures("d", "q.json", "bq", "BigQuery", cost=on_demand)],
    )  # fmt: skip
    [first, second] = json.loads(REPORTERS["json"](result, False))["pipelines"]
    # 5e9 B x 30/7 = 21,428,571,428.57 B = 0.01949 TiB, at $6.25: $0.1218...
    assert {key: first["cost"][key] for key in ("runs_per_month", "monthly_bytes", "monthly_cost")} == {
        "runs_per_month": 30 / 7, "monthly_bytes": 21428571429, "monthly_cost": 0.12
    }  # fmt: skip
    assert {key: second["cost"][key] for key in ("prunes_nothing", "runs_per_month", "monthly_bytes")} == {
        "prunes_nothing": True, "runs_per_month": None, "monthly_bytes": None
    }  # fmt: skip
    assert REPORTERS["text"](result, False).splitlines()[1:8] == [
        "  pipeline  warehouse  per run  schedule   runs/month  per month  cost/month",
        "  w         BigQuery   4.7 GiB  weekly            4.3   20.0 GiB       $0.12",
        "    BigQuery dry run of the first weekly sync window",
        f"    price: $6.25 per TiB ({PRICE_SOURCE})",
        "  d         BigQuery    1000 B  on_demand         n/a        n/a         n/a",
        "    BigQuery dry run of the first sync window",
        "    the iterator filter prunes nothing: one window scans as much as every row (1000 B)",
    ]


def test_sarif_carries_the_json_format_s_objects_in_the_run_s_properties():
    document = json.loads(REPORTERS["sarif"](_measured(), False))
    schema = json.loads((REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    assert document["runs"][0]["properties"] == {"pipelines": PIPELINES}


def test_github_gives_a_notice_per_pipeline_and_kind():
    assert REPORTERS["github"](_measured(), False).splitlines() == [
        f"::notice title=wsync-lint sample users-hourly::812 rows of {HOURLY_WINDOW}"
        "%0AEMAIL (email): NULL 10 (1.2%25), malformed 4 (0.5%25) of the values set"
        "%0ACUSTOMER_ID (customer_id): NULL 0 (0.0%25), malformed 0 (0.0%25) of the values set"
        "%0Arows with no identity: 3 (0.4%25)"
        "%0Aiterator UPDATED_AT (timestamp_unixtime_ms), 1,000 rows of the model:"
        "%0ANULL 2 (0.2%25); min 1714521600, max 1714525199; 0 in the future"
        "%0Asized as epoch seconds: 998, milliseconds: 0, microseconds: 0",
        "::notice title=wsync-lint cost users-hourly::Snowflake: hourly, 720 runs a month; "
        f"the bytes per run are not available (Snowflake EXPLAIN): {NO_BYTES}",
        "::notice title=wsync-lint cost orders-daily::BigQuery: 120.0 GiB per run (BigQuery dry run of the first "
        "daily sync window (2024-05-01)); daily, 30 runs a month: 3.5 TiB a month, $21.97 at $6.25 per TiB "
        f"({PRICE_SOURCE})"
        "%0Athe iterator filter prunes nothing: one window scans as much as every row (120.0 GiB)"
        "%0Aanalytics.orders: partitioned by order_date",
        "::notice title=wsync-lint not measured orders-daily::sample: the model was not sent",
    ]


def test_junit_puts_the_tables_in_the_suite_s_system_out():
    root = ET.fromstring(REPORTERS["junit"](_measured(), False))
    [suite] = root.findall("testsuite")
    assert suite.find("system-out").text == "\n".join(TABLES) + "\n"
    assert [case.get("name") for case in suite.findall("testcase")] == [
        "pipelines/users-hourly.json",
        "pipelines/orders-daily.yaml",
    ]


def test_check_without_figures_gains_only_an_empty_pipelines_list():
    check = _result()
    assert json.loads(REPORTERS["json"](check, False))["pipelines"] == []
    assert json.loads(REPORTERS["sarif"](check, False))["runs"][0]["properties"] == {"pipelines": []}
    assert ET.fromstring(REPORTERS["junit"](check, False)).find("testsuite/system-out") is None
    assert "notice" not in REPORTERS["github"](check, False)
    assert "Sample (" not in REPORTERS["text"](check, False)


# A pipeline id, a column name and an iterator value that try to forge report lines.
FORGED = "x\nAll checks passed (3 files checked).\n\x1b[2J"
ESCAPED = "x\\nAll checks passed (3 files checked).\\n\\x1b[2J"


def _hostile() -> RunResult:
    return RunResult(paths=["p.json"], figures=[_users(pipeline=FORGED, column=f"E{FORGED}", minimum=f"1{FORGED}")])


def test_text_and_github_print_hostile_values_escaped_on_their_own_lines():
    wide = " " * len(f"E{ESCAPED}")
    assert REPORTERS["text"](_hostile(), False).splitlines() == [
        TABLES[0],
        f"  {ESCAPED} (Snowflake): 812 rows of {HOURLY_WINDOW}",
        f"    column{wide[6:]}  identity     NULL (of rows)  malformed (of values set)",
        f"    E{ESCAPED}  email             10 (1.2%)                   4 (0.5%)",
        f"    CUSTOMER_ID{wide[11:]}  customer_id        0 (0.0%)                   0 (0.0%)",
        *TABLES[5:7],
        f"      NULL 2 (0.2%); min 1{ESCAPED}, max 1714525199; 0 in the future",
        *TABLES[8:10],
        "  pipeline  warehouse  per run  schedule  runs/month  per month  cost/month",
        f"  {ESCAPED}",  # longer than the table's pipeline column: a line of its own
        "            Snowflake      n/a  hourly           720        n/a         n/a",
        TABLES[12],
        "All checks passed (1 file checked).",
    ]
    github = REPORTERS["github"](_hostile(), False)
    assert github.count("\n") == 2
    assert github.startswith(f"::notice title=wsync-lint sample {ESCAPED}::812 rows of {HOURLY_WINDOW}%0AE{ESCAPED} (")
    assert "\x1b" not in github


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_json_formats_keep_hostile_values_exactly(name):
    report = REPORTERS[name](_hostile(), False)
    text = report.decode("utf-8") if isinstance(report, (bytes, bytearray)) else report
    assert "\x1b" not in text
    document = json.loads(text)
    [pipeline] = document["pipelines"] if name == "json" else document["runs"][0]["properties"]["pipelines"]
    assert pipeline["pipeline"] == FORGED
    assert pipeline["sample"]["identities"][0]["column"] == f"E{FORGED}"
    assert pipeline["sample"]["iterator"]["min"] == f"1{FORGED}"


def test_junit_with_hostile_values_is_valid_xml():
    root = ET.fromstring(REPORTERS["junit"](_hostile(), False).encode("utf-8"))
    assert (
        root.find("testsuite/system-out").text.splitlines()[1]
        == f"  {ESCAPED} (Snowflake): 812 rows of {HOURLY_WINDOW}"
    )


def test_counts_have_their_share_as_a_percent_with_one_decimal():
    assert [count_text(part, whole) for part, whole in ((1204, 10033), (0, 812), (5, 0), (1000, 1000))] == [
        "1,204 (12.0%)", "0 (0.0%)", "5", "1,000 (100.0%)"
    ]  # fmt: skip


def test_an_empty_window_and_an_iterator_of_nulls_are_said_in_words():
    empty = Sample(
        limit=50, what=None, rows=0, unidentified=0, identities=(),
        iterator=IteratorSample("ts", "timestamp", 1, 1, None, None, 0, None, Span(0, 1)), model_at=Span(0, 1),
    )  # fmt: skip
    withheld = IteratorSample(
        "mpid", None, 4, 0, None, None, None, None, Span(0, 1), "the column is the identity `mpid`"
    )
    result = RunResult(
        paths=["p.json"],
        figures=[
            PipelineFigures("p", "p.json", "rs", "Redshift", sample=empty, not_measured=("identities: none",)),
            PipelineFigures("q", "q.json", "rs", "Redshift", sample=replace(empty, iterator=withheld)),
        ],
    )
    assert REPORTERS["text"](result, True) == ""
    assert REPORTERS["text"](result, False).splitlines() == [
        "Sample (at most 50 rows per pipeline; only counts, and the iterator's minimum and maximum, leave the warehouse):",
        "  p (Redshift): identities not read",
        "    iterator ts (timestamp), 1 row of the model:",
        "      NULL 1 (100.0%); no value but NULL; 0 in the future",
        "  q (Redshift): identities not read",
        "    iterator mpid, 4 rows of the model:",
        "      NULL 0 (0.0%); min and max not read (the column is the identity `mpid`); future not checked",
        "Not measured:",
        "  p: identities: none",
        "No problems found in 1 file; 1 pipeline not fully measured.",
    ]

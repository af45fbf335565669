"""``check --show-files`` and ``check --show-settings``: exact listings on examples/, nothing checked."""

from __future__ import annotations

import io
import sys

import pytest

from tests.conftest import REPO

EXAMPLES = REPO / "examples"
HEAD = [
    f"project root: {EXAMPLES} (wsync-lint.toml says root = true)",
    "configuration: wsync-lint.toml",
    "workspace: 1234 (plan, deploy, status and import)",
]


def test_show_files_lists_each_file_with_what_it_is_sorted(run_cli):
    result = run_cli("check", "--show-files", "schemas", "pipelines/app-devices-daily.json", "models", cwd=EXAMPLES)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "models/bigquery/order_history.sql       model (sql_file of data model `order-history`)",
        "models/bigquery/support_tickets.sql     model (standalone: no data model links it)",
        "models/bigquery/web_events.sql          model (sql_file of data model `web-events`)",
        "models/databricks/app_devices.sql       model (sql_file of data model `app-devices`)",
        "models/redshift/subscriptions.sql       model (sql_file of data model `subscriptions`)",
        "models/snowflake/customer_profiles.sql  model (sql_file of data model `customer-profiles`)",
        "models/snowflake/propensity_scores.sql  model (sql_file of data model `propensity-scores`)",
        "pipelines/app-devices-daily.json        payload (pipeline `app-devices-daily`)",
        "schemas/bigquery-prod.json              skipped (a schema snapshot)",
        "schemas/databricks-mobile.json          skipped (a schema snapshot)",
        "schemas/redshift-billing.json           skipped (a schema snapshot)",
        "schemas/snowflake-prod.json             skipped (a schema snapshot)",
    ]


def test_show_files_of_the_whole_project_counts_what_check_counts(run_cli):
    listed = run_cli("check", "--show-files", cwd=EXAMPLES).out.splitlines()
    checked = [line for line in listed if not line.split("  ")[-1].lstrip().startswith("skipped")]
    assert len(listed) == 28 and len(checked) == 24  # `check examples/`: "... in 24 files."
    assert run_cli("check", "examples/", cwd=REPO).out.splitlines()[-1].endswith(" in 24 files.")


def test_show_files_names_a_model_no_pipeline_uses_and_what_is_no_payload(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "m.yaml").write_text("id: m\ntype: sql\nconfig: {sql_file: m.sql}\n", encoding="utf-8")
    (tmp_path / "m.sql").write_text("SELECT 1 AS customer_id\n", encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "x"}\n', encoding="utf-8")
    result = run_cli("check", "--show-files", "-o", "files.txt", cwd=tmp_path)
    assert (result.code, result.out) == (0, "")
    assert (tmp_path / "files.txt").read_text(encoding="utf-8").splitlines() == [
        "m.sql         model (sql_file of data model `m`, no pipeline uses it)",
        "m.yaml        payload (data model `m`)",
        "package.json  skipped (names no Warehouse Sync key: not a payload)",
    ]


def test_show_settings_of_a_standalone_model_and_of_a_payload(run_cli):
    result = run_cli(
        "check", "--show-settings", "models/bigquery/support_tickets.sql", "connections/snowflake-prod.json",
        cwd=EXAMPLES,
    )  # fmt: skip
    assert result.code == 0
    assert result.out.splitlines() == [
        "file: models/bigquery/support_tickets.sql",
        *HEAD,
        "checked as: model (standalone: no data model links it)",
        "dialect: bigquery (from the file's `-- wsync-lint: dialect=...` comment)",
        "schema snapshot: schemas/bigquery-prod.json (from the file's `schema=` comment)",
        "pipelines: none (no pipeline of the project involves this file)",
        "",
        "file: connections/snowflake-prod.json",
        *HEAD,
        "checked as: payload (connection `snowflake-prod`)",
        "pipeline `customer-profiles-hourly` (pipelines/customer-profiles-hourly.json):",
        "  data model: `customer-profiles` (data-models/customer-profiles.yaml)",
        "  dialect: snowflake (from connection `snowflake-prod`, connections/snowflake-prod.json)",
        "  schema snapshot: schemas/snowflake-prod.json",
        "pipeline `propensity-scores-nightly` (pipelines/propensity-scores-nightly.yaml):",
        "  data model: `propensity-scores` (data-models/propensity-scores.yaml)",
        "  dialect: snowflake (from connection `snowflake-prod`, connections/snowflake-prod.json)",
        "  schema snapshot: schemas/snowflake-prod.json",
    ]


@pytest.fixture
def stdin(monkeypatch):
    def put(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))

    return put


def test_show_settings_of_standard_input_as_a_file_of_the_project(run_cli, stdin):
    pipeline = (EXAMPLES / "pipelines/customer-profiles-hourly.json").read_text(encoding="utf-8")
    stdin(pipeline.replace('"customer-profiles-hourly"', '"new"').replace('"snowflake-prod"', '"snowflake-prd"'))
    result = run_cli("check", "--show-settings", "-", "--stdin-filename", "pipelines/new.json", cwd=EXAMPLES)
    assert result.code == 0
    assert result.out.splitlines() == [
        "file: pipelines/new.json",
        *HEAD,
        "checked as: payload (pipeline `new`)",
        "pipeline `new` (pipelines/new.json):",
        "  data model: `customer-profiles` (data-models/customer-profiles.yaml)",
        "  dialect: snowflake (connection `snowflake-prd` is not in the project; from `dialect` in wsync-lint.toml)",
        "  schema snapshot: none",
    ]


def test_show_settings_of_standard_input_alone(run_cli, stdin):
    stdin("-- wsync-lint: dialect=redshift\nSELECT 1 AS customer_id\n")
    result = run_cli("check", "--show-settings", "-", cwd=EXAMPLES)
    assert (result.code, result.out.splitlines()) == (
        0,
        [
            "file: - (standard input)",
            "project root: none",
            "configuration: wsync-lint.toml",
            "workspace: 1234 (plan, deploy, status and import)",
            "checked as: a standalone model (no project: give --stdin-filename PATH to check it as that file)",
            "dialect: redshift (from the file's `-- wsync-lint: dialect=...` comment)",
            "schema snapshot: none (a `-- wsync-lint: schema=...` comment in the model names one)",
        ],
    )


def test_show_settings_and_show_files_do_not_go_together(run_cli):
    result = run_cli("check", "--show-settings", "--show-files", cwd=EXAMPLES)
    assert (result.code, result.err) == (2, "wsync-lint: error: --show-settings and --show-files: give one of them\n")


def test_show_settings_of_an_empty_model_says_what_would_decide_and_that_nothing_was_read(run_cli, stdin):
    """An editor's new, empty buffer: no query to read, so the file's own comment decides nothing."""
    stdin("")
    result = run_cli(
        "check", "--show-settings", "-", "--stdin-filename", "models/snowflake/customer_profiles.sql", cwd=EXAMPLES
    )
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-2] == (
        "  dialect: snowflake (from connection `snowflake-prod`, connections/snowflake-prod.json; "
        "the file itself is not read: the file is empty)"
    )
    stdin("  \n")
    result = run_cli("check", "--show-settings", "-", "--stdin-filename", "adhoc/new.sql", cwd=EXAMPLES)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-3] == (
        "dialect: snowflake (from `dialect` in wsync-lint.toml; the file itself is not read: the file is empty)"
    )

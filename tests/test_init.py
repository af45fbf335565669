"""`wsync-lint init`: a small project that passes `check`, written whole or not at all."""

from __future__ import annotations

import os

import pytest
import yaml

from tests.conftest import write

WAREHOUSES = ("snowflake", "bigquery", "redshift", "databricks")


def files_under(folder) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if not path.is_dir())


def user_attribute_files(warehouse: str) -> list[str]:
    return [
        f"connections/{warehouse}-main.yaml",
        f"data-models/{warehouse}-customers.yaml",
        f"models/{warehouse}/customers.sql",
        f"pipelines/{warehouse}-customers-daily.yaml",
    ]


def event_files(warehouse: str) -> list[str]:
    return [
        f"data-models/{warehouse}-events.yaml",
        f"field-transformations/{warehouse}-events.yaml",
        f"models/{warehouse}/events.sql",
        f"pipelines/{warehouse}-events-hourly.yaml",
    ]


def test_default_is_one_snowflake_project_and_says_what_to_run_next(tmp_path, run_cli):
    result = run_cli("init", "project", cwd=tmp_path)
    expected = sorted([*user_attribute_files("snowflake"), "wsync-lint.toml"])
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Wrote a Warehouse Sync project to project:\n"
        + "".join(f"  project/{path}\n" for path in expected)
        + "Replace the example values the comments point at, then:\n"
        "  wsync-lint check project\n"
        "  wsync-lint render snowflake-customers-daily --project project\n"
        "  wsync-lint grants project\n"
    )
    assert files_under(tmp_path / "project") == expected


def test_the_current_folder_by_default_and_quiet_lists_the_files_only(tmp_path, run_cli):
    result = run_cli("init", "-q", "--warehouse", "redshift", cwd=tmp_path)
    expected = sorted([*user_attribute_files("redshift"), "wsync-lint.toml"])
    assert (result.code, result.out, result.err) == (0, "".join(f"{path}\n" for path in expected), "")
    assert files_under(tmp_path) == expected  # no temporary file left behind


def test_a_folder_name_that_needs_quotes_is_quoted_in_the_next_commands(tmp_path, run_cli):
    result = run_cli("init", "my project", "--warehouse", "databricks", cwd=tmp_path)
    assert result.code == 0
    assert result.out.endswith(
        "  wsync-lint check 'my project'\n"
        "  wsync-lint render databricks-customers-daily --project 'my project'\n"
        "  wsync-lint grants 'my project'\n"
    )


@pytest.mark.parametrize("events", [False, True], ids=["user-attributes", "events"])
@pytest.mark.parametrize("warehouse", WAREHOUSES)
def test_each_warehouse_alone_passes_check(tmp_path, run_cli, warehouse, events):
    args = ["init", "p", "--warehouse", warehouse, "-q"] + (["--events"] if events else [])
    assert run_cli(*args, cwd=tmp_path).code == 0
    expected = sorted(
        [*user_attribute_files(warehouse), *(event_files(warehouse) if events else []), "wsync-lint.toml"]
    )
    assert files_under(tmp_path / "p") == expected
    # Every rule that runs without a warehouse, the ones off by default included.
    result = run_cli("check", "p", "--extend-select", "ALL", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"All checks passed ({len(expected) - 1} files checked).\n")


@pytest.mark.parametrize("events", [False, True], ids=["user-attributes", "events"])
def test_all_four_warehouses_together_pass_check(tmp_path, run_cli, events):
    args = ["init", "p", "--warehouse", "snowflake,bigquery", "--warehouse", "redshift,databricks", "-q"]
    assert run_cli(*args, *(["--events"] if events else []), cwd=tmp_path).code == 0
    expected = sorted(
        [
            "wsync-lint.toml",
            *(f for w in WAREHOUSES for f in user_attribute_files(w) + (event_files(w) if events else [])),
        ]
    )
    assert files_under(tmp_path / "p") == expected
    result = run_cli("check", "p", "--extend-select", "ALL", "-q", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, "", "")


def test_warehouses_keep_their_order_and_come_once(tmp_path, run_cli):
    result = run_cli("init", "p", "--warehouse", "BigQuery,snowflake", "--warehouse", "bigquery", cwd=tmp_path)
    assert result.code == 0
    assert "  wsync-lint render bigquery-customers-daily --project p\n" in result.out
    assert files_under(tmp_path / "p") == sorted(
        [*user_attribute_files("bigquery"), *user_attribute_files("snowflake"), "wsync-lint.toml"]
    )
    # The first warehouse is the one of .sql files no pipeline uses.
    assert 'dialect = "bigquery"\n' in (tmp_path / "p" / "wsync-lint.toml").read_text(encoding="utf-8")


def test_render_and_columns_work_on_the_result(tmp_path, run_cli):
    assert run_cli("init", "p", "--warehouse", "snowflake", "--events", "-q", cwd=tmp_path).code == 0
    result = run_cli("render", "snowflake-events-hourly", "--project", "p", "--until", "2025-01-01T01:00:00Z")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0] == (
        "-- pipeline snowflake-events-hourly: data model snowflake-events, Snowflake connection snowflake-main, "
        "window 2025-01-01T00:00:00Z .. 2025-01-01T01:00:00Z"
    )
    assert "WHERE TIMESTAMP_UNIXTIME_MS BETWEEN 1735689600000 AND 1735693200000;" in result.out
    result = run_cli("columns", "snowflake-customers-daily", "--project", "p")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-5:] == [
        "column        type       role",
        "CUSTOMER_ID   (unknown)  user identity customer_id",
        "EMAIL         (unknown)  user identity email",
        "loyalty_tier  (unknown)  custom attribute",
        "UPDATED_AT    (unknown)  iterator",
    ]
    result = run_cli("columns", "snowflake-events-hourly", "--project", "p")
    assert result.out.splitlines()[-5:] == [
        "column                 type       role",
        "EVENT_ID               (unknown)  mapped to event_id",
        "SESSION_ID             (unknown)  mapped to session_id",
        "EVENT_TYPE             (unknown)  mapped to event_type",
        "TIMESTAMP_UNIXTIME_MS  NUMBER     iterator; mapped to timestamp_unixtime_ms",
    ]


def test_grants_work_on_the_result(tmp_path, run_cli):
    assert run_cli("init", "p", "--warehouse", "redshift", "-q", cwd=tmp_path).code == 0
    result = run_cli("grants", "p", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-2:] == [
        "GRANT USAGE ON SCHEMA crm TO mparticle_sync;",
        "GRANT SELECT ON TABLE crm.customers TO mparticle_sync;",
    ]


def test_payloads_are_v2_shapes_without_secrets_and_name_the_secret_variable(tmp_path, run_cli):
    assert run_cli("init", "p", "--warehouse", "snowflake,bigquery,databricks", "-q", cwd=tmp_path).code == 0
    snowflake = (tmp_path / "p/connections/snowflake-main.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(snowflake) == {
        "id": "snowflake-main",
        "name": "Snowflake",
        "state": "active",
        "service_provider": "Snowflake",
        "config": {
            "account_identifier": "xy12345",
            "region": "us-east-2.aws",
            "warehouse": "MPARTICLE_WH",
            "database": "ANALYTICS",
            "user": "MPARTICLE_SYNC",
            "role": "MPARTICLE_ROLE",
            "storage_integration": "mp_us1_1234_5678_s3",
        },
    }
    # The variables deploy (wsync_lint.api.secrets) and preflight read.
    assert "# `preflight` read it from $WSYNC_LINT_SNOWFLAKE_MAIN_PASSWORD, else $SNOWFLAKE_PASSWORD.\n" in snowflake
    bigquery = (tmp_path / "p/connections/bigquery-main.yaml").read_text(encoding="utf-8")
    assert "read it from the file named by $WSYNC_LINT_BIGQUERY_MAIN_CREDENTIALS_FILE.\n" in bigquery
    assert "service_account_key" not in yaml.safe_load(bigquery)["config"]
    databricks = (tmp_path / "p/connections/databricks-main.yaml").read_text(encoding="utf-8")
    assert "# Delta Sharing needs no password: mParticle reads the tables the share holds.\n" in databricks
    pipeline = yaml.safe_load((tmp_path / "p/pipelines/snowflake-customers-daily.yaml").read_text(encoding="utf-8"))
    assert pipeline["sync_mode"] == {
        "type": "incremental",
        "iterator_field": "UPDATED_AT",
        "iterator_data_type": "timestamp_ntz",
        "from": "2025-01-01T00:00:00Z",
    }
    assert (pipeline["state"], pipeline["schedule"]["delay"]) == ("paused", "15m")
    sql = (tmp_path / "p/models/snowflake/customers.sql").read_text(encoding="utf-8")
    assert sql.endswith(
        "SELECT\n    c.id AS customer_id,\n    c.email AS email,\n"
        '    c.loyalty_tier AS "loyalty_tier",\n    c.updated_at AS UPDATED_AT\n'
        "FROM ANALYTICS.CRM.CUSTOMERS c\n"
    )


def test_a_project_inside_another_is_its_own_root(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    # The enclosing repository's payload has an id the new project uses too: one project, PS06.
    write(tmp_path, "connections/other.json", '{"id": "snowflake-main", "name": "x", "service_provider": "Snowflake"}')
    assert run_cli("init", "sub", "-q", cwd=tmp_path).code == 0
    result = run_cli("check", "sub", "-q", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, "", "")


# -- never overwrites, writes whole or nothing ------------------------------------------------------------


def test_an_existing_file_stops_it_before_anything_is_written(tmp_path, run_cli):
    write(tmp_path, "p/pipelines/snowflake-events-hourly.yaml", "mine\n")
    result = run_cli("init", "p", "--events", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "wsync-lint: error: p/pipelines/snowflake-events-hourly.yaml: exists; "
        "`wsync-lint init` never overwrites a file (nothing written)\n"
    )
    assert files_under(tmp_path / "p") == ["pipelines/snowflake-events-hourly.yaml"]
    assert (tmp_path / "p/pipelines/snowflake-events-hourly.yaml").read_text(encoding="utf-8") == "mine\n"


def test_a_second_run_refuses_and_changes_nothing(tmp_path, run_cli):
    assert run_cli("init", "-q", cwd=tmp_path).code == 0
    before = {path: (tmp_path / path).read_text(encoding="utf-8") for path in files_under(tmp_path)}
    result = run_cli("init", "--warehouse", "bigquery,snowflake", cwd=tmp_path)
    assert (result.code, result.err) == (
        2,
        "wsync-lint: error: connections/snowflake-main.yaml: exists; `wsync-lint init` never overwrites a file "
        "(nothing written)\n",
    )
    assert {path: (tmp_path / path).read_text(encoding="utf-8") for path in files_under(tmp_path)} == before


def test_folder_that_is_a_file_or_a_link_is_refused(tmp_path, run_cli):
    write(tmp_path, "file", "x")
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "models").symlink_to(tmp_path / "real")
    cases = {
        "file": "wsync-lint: error: file: is not a folder; nothing written\n",
        "link": "wsync-lint: error: link: is a symbolic link; wsync-lint never writes through one\n",
        "p": "wsync-lint: error: p/models: is a symbolic link; wsync-lint never writes through one\n",
    }
    for folder, error in cases.items():
        result = run_cli("init", folder, cwd=tmp_path)
        assert (result.code, result.out, result.err) == (2, "", error)
    assert files_under(tmp_path / "real") == []
    assert os.listdir(tmp_path / "p") == ["models"]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("snowflak", "unknown warehouse `snowflak`; did you mean `snowflake`? "),
        ("oracle", "unknown warehouse `oracle`; "),
        ("bigquery,mysql", "unknown warehouse `mysql`; "),
    ],
)
def test_unknown_warehouse_is_one_line(tmp_path, run_cli, value, error):
    result = run_cli("init", "p", "--warehouse", value, cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert (
        result.err == f"wsync-lint: error: --warehouse: {error}choose from snowflake, bigquery, redshift, databricks\n"
    )
    assert not (tmp_path / "p").exists()


def test_help_lists_the_exit_codes(run_cli):
    result = run_cli("init", "--help")
    assert result.code == 0
    assert "Exit codes:\n    0        the project was written\n" in result.out


def test_readme_sample_is_what_init_prints(tmp_path, run_cli):
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    prompt = "```text\n$ wsync-lint init acme-wsync\n"
    start = readme.index(prompt) + len(prompt)
    result = run_cli("init", "acme-wsync", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out == readme[start : readme.index("```\n", start)]


def test_every_warehouse_of_the_command_line_has_a_template():
    from wsync_lint.cli.options import DIALECTS
    from wsync_lint.commands.project_warehouses import WAREHOUSE_TEMPLATES
    from wsync_lint.mparticle.facts import SERVICE_PROVIDERS

    assert tuple(WAREHOUSE_TEMPLATES) == DIALECTS == WAREHOUSES
    assert {name: t.provider for name, t in WAREHOUSE_TEMPLATES.items()} == {d: p for p, d in SERVICE_PROVIDERS.items()}

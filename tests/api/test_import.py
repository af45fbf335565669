"""``wsync-lint import``: a workspace written as payload files that ``check`` passes and ``plan`` finds unchanged.

The workspace is the fake (tests/live/standins/mparticle_api.py) seeded with the official request
bodies' shapes (EX-V2-03, -05, -07, -09, -15, -27): what it answers is what mParticle's answers
look like (secrets masked or absent, ``status``, ``created_*``, Snowflake's derived keys, Redshift's
port). The pure parts (what a file holds) are tested on the answers themselves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

import pytest

from tests.conftest import write
from wsync_lint.api.importing import (
    ImportedFile,
    ImportPlan,
    config_file,
    import_plan,
    json_file,
    payload_body,
    write_import,
)
from wsync_lint.contract.api_state import LiveResource
from wsync_lint.errors import UsageError
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind

SNOWFLAKE_PASSWORD = "Snow-S3cret!pass"
REDSHIFT_PASSWORD = "red$hift-S3cret"
BIGQUERY_KEY = json.dumps({"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nK3Y\n"})
SECRETS = (SNOWFLAKE_PASSWORD, REDSHIFT_PASSWORD, "K3Y", "BEGIN PRIVATE KEY")

SNOWFLAKE = {  # EX-V2-03 (its password sent apart, as the fake keeps secrets)
    "id": "snowflake-prod",
    "name": "Example Snowflake Connection",
    "state": "active",
    "service_provider": "Snowflake",
    "config": {
        "account_identifier": "gd12345",
        "region": "us-central1.gcp",
        "warehouse": "compute_wh",
        "database": "my_database",
        "role": "mparticle_role",
        "user": "mparticle_user",
        "storage_integration": "mp_us1_123_123_s3",
    },
}
REDSHIFT = {  # EX-V2-07
    "id": "redshift-billing",
    "name": "Redshift Connection",
    "state": "active",
    "service_provider": "Redshift",
    "config": {
        "database": "dev",
        "host": "dwi-test.ab123yyxwwzz.us-east-1.redshift.amazonaws.com",
        "user": "mParticle",
        "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mParticle_role",
    },
}
BIGQUERY = {  # EX-V2-05
    "id": "bigquery-prod",
    "name": "Example BigQuery Connection",
    "state": "active",
    "service_provider": "BigQuery",
    "config": {
        "region": "us-east1",
        "project_id": "my-gcp-project",
        "dataset_id": "my-dataset",
        "service_account_id": "mparticle-account@my-gcp-project.iam.gserviceaccount.com",
    },
}
DATABRICKS = {  # EX-V2-09
    "id": "databricks-share",
    "name": "Example Databricks Connection",
    "state": "active",
    "service_provider": "Databricks",
    "config": {"provider": "your-databricks-org-name", "schema": "your-schema-name"},
}
TICKETS_SQL = (
    "-- open tickets per customer\r\n"
    "SELECT email AS email, COUNT(id) AS count_of_open_tickets, MAX(updated_at) AS updated_at\r\n"
    "FROM dev.demo_service.tickets\r\n"
    "WHERE status = 'open'\r\n"
    "GROUP BY email\r\n"
)
TICKETS_MODEL = {  # EX-V2-15 without its `errors`, with SQL that parses (CRLF, final newline: kept)
    "id": "open-tickets",
    "name": "Open tickets",
    "state": "active",
    "type": "sql",
    "config": {"sql_query": TICKETS_SQL},
}
PIPELINE = {  # EX-V2-29's user_attributes shape, on the Redshift connection
    "id": "open-tickets-hourly",
    "name": "Open tickets, hourly",
    "pipeline_type": "user_attributes",
    "connection_id": "redshift-billing",
    "data_model_id": "open-tickets",
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


# -- what a file holds ---------------------------------------------------------------------------


def test_a_snowflake_answer_loses_read_only_keys_the_masked_password_and_the_derived_keys() -> None:
    answer = {  # EX-V2-04, the create answer, as the API gives it
        "id": "example-connection",
        "name": "Example Snowflake Connection",
        "state": "active",
        "status": "healthy",
        "service_provider": "Snowflake",
        "config": {
            "account_identifier": "gd12345",
            "region": "us-central1.gcp",
            "warehouse": "compute_wh",
            "database": "my_database",
            "role": "mparticle_role",
            "user": "mparticle_user",
            "password": "************",
            "storage_integration": "mp_us1_123_123_s3",
            "aws_iam_user_arn": "arn:aws:iam::123456:user/externalstages/abcdefg",
            "aws_external_id": "GD1234=2_abcdefg==",
        },
        "created_on": "2023-02-03T23:53:08.413",
        "created_by": "developer@mparticle.com",
        "last_modified_on": None,
        "last_modified_by": None,
    }
    assert payload_body(Kind.CONNECTION, answer) == {**SNOWFLAKE, "id": "example-connection"}


def test_a_bigquery_list_answer_loses_its_placeholder_key_and_a_redshift_answer_keeps_its_port() -> None:
    bigquery = {"id": "b", "service_provider": "BigQuery", "config": {"region": "r", "service_account_key": "string"}}
    redshift = {"id": "r", "service_provider": "Redshift", "config": {"host": "h", "port": "5439", "password": "x"}}
    assert payload_body(Kind.CONNECTION, bigquery) == {
        "id": "b",
        "service_provider": "BigQuery",
        "config": {"region": "r"},
    }
    assert payload_body(Kind.CONNECTION, redshift) == {
        "id": "r",
        "service_provider": "Redshift",
        "config": {"host": "h", "port": "5439"},
    }


def test_a_masked_partner_feed_key_is_left_out_and_the_rest_keeps_the_api_order() -> None:
    answer = {"id": "p", "partner_feed_key": "************", "errors": [], "state": "paused", "data_plan_version": 2}
    body = payload_body(Kind.PIPELINE, answer)
    assert list(body.items()) == [("id", "p"), ("state", "paused"), ("data_plan_version", 2)]


def test_a_model_s_sql_goes_to_its_own_file_byte_for_byte_and_sql_file_takes_its_place() -> None:
    model = {"id": "m", "name": "M", "status": "valid", "type": "sql", "config": {"sql_query": TICKETS_SQL, "x": 1}}
    plan = import_plan([LiveResource(Kind.DATA_MODEL, "m", model)])
    assert [(str(f.relative), f.kind, f.resource_id) for f in plan.files] == [
        ("data-models/m.json", Kind.DATA_MODEL, "m"),
        ("models/m.sql", None, None),
    ]
    assert plan.files[0].data == (
        b'{\n  "id": "m",\n  "name": "M",\n  "type": "sql",\n  "config": {\n'
        b'    "sql_file": "../models/m.sql",\n    "x": 1\n  }\n}\n'
    )
    assert plan.files[1].data == TICKETS_SQL.encode("utf-8")
    assert (plan.notes, plan.refused) == ([], [])


@pytest.mark.parametrize("sql", ["\ufeffSELECT 1 AS a", "SELECT 1\x00", "  \n", "SELECT '\ud800' AS a"])
def test_sql_a_file_would_not_give_back_unchanged_stays_inline(sql: str) -> None:
    model = {"id": "m", "type": "sql", "config": {"sql_query": sql}}
    plan = import_plan([LiveResource(Kind.DATA_MODEL, "m", model)])
    assert [str(f.relative) for f in plan.files] == ["data-models/m.json"]
    assert json.loads(plan.files[0].data) == model
    assert plan.notes == [
        "data model `m`: its SQL stays inline in `config.sql_query`: a .sql file could not give it back "
        "byte for byte (byte-order mark, NUL, blank or not UTF-8)"
    ]


def test_files_are_ordered_by_kind_in_creation_order_then_id() -> None:
    resources = [
        LiveResource(Kind.PIPELINE, "b", {"id": "b"}),
        LiveResource(Kind.CONNECTION, "z", {"id": "z"}),
        LiveResource(Kind.PIPELINE, "a", {"id": "a"}),
        LiveResource(Kind.DATA_MODEL, "m", {"id": "m", "config": {"sql_query": "SELECT 1 AS a\n"}}),
    ]
    assert [str(f.relative) for f in import_plan(resources).files] == [
        "connections/z.json",
        "data-models/m.json",
        "models/m.sql",
        "pipelines/a.json",
        "pipelines/b.json",
    ]


@pytest.mark.parametrize(
    ("ids", "refused"),
    [
        (["../x"], "connection `../x`: its id is not a slug (letters, digits, `_` and `-`), so it has no file name"),
        ([""], "connection ``: its id is not a slug (letters, digits, `_` and `-`), so it has no file name"),
        (
            ["Prod", "prod"],
            "connection `prod`: `connections/prod.json` would be the same file as `connections/Prod.json`",
        ),
    ],
)
def test_an_id_that_is_no_file_name_of_its_own_refuses_the_import(tmp_path: Path, ids: list[str], refused: str) -> None:
    plan = import_plan([LiveResource(Kind.CONNECTION, each, {"id": each}) for each in ids])
    assert plan.refused == [refused]
    with pytest.raises(UsageError) as raised:
        write_import(plan, tmp_path, overwrite=False)
    assert str(raised.value) == f"not imported: {refused}; nothing was written"
    assert list(tmp_path.iterdir()) == []


def test_non_ascii_stays_readable_and_characters_a_terminal_cannot_hold_are_escaped() -> None:
    assert json_file({"name": "Café\u202e"}) == '{\n  "name": "Café\\u202e"\n}\n'.encode()


# -- writing -------------------------------------------------------------------------------------


def _plan(*files: tuple[str, bytes]) -> ImportPlan:
    return ImportPlan(files=[ImportedFile(PurePosixPath(relative), data) for relative, data in files])


def test_a_file_with_other_content_stops_the_import_before_any_write(tmp_path: Path) -> None:
    write(tmp_path, "connections/b.json", "{}\n")
    plan = _plan(("connections/a.json", b"A\n"), ("connections/b.json", b"B\n"))
    with pytest.raises(UsageError) as raised:
        write_import(plan, tmp_path, overwrite=False)
    assert str(raised.value) == (
        f"{tmp_path.resolve()}/connections/b.json: holds other content; nothing was written "
        "(use --overwrite to replace the files that differ)"
    )
    assert sorted(p.name for p in (tmp_path / "connections").iterdir()) == ["b.json"]
    assert (tmp_path / "connections/b.json").read_text() == "{}\n"


def test_overwrite_replaces_files_that_differ_and_leaves_identical_ones_alone(tmp_path: Path) -> None:
    write(tmp_path, "connections/a.json", "A\n")
    write(tmp_path, "connections/b.json", "old\n")
    before = os.stat(tmp_path / "connections/a.json").st_ino
    outcome = write_import(_plan(("connections/a.json", b"A\n"), ("connections/b.json", b"B\n")), tmp_path, True)
    assert (outcome.written, outcome.unchanged) == (["connections/b.json"], ["connections/a.json"])
    assert (tmp_path / "connections/b.json").read_bytes() == b"B\n"
    assert os.stat(tmp_path / "connections/a.json").st_ino == before


def test_a_folder_that_links_out_of_the_output_folder_is_refused(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "connections").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UsageError, match=r"is outside the project .*; not written"):
        write_import(_plan(("connections/a.json", b"A\n")), out, overwrite=True)
    assert list(elsewhere.iterdir()) == []


def test_a_file_that_is_a_link_is_never_written_through(tmp_path: Path) -> None:
    target = write(tmp_path, "target.json", "T\n")
    (tmp_path / "out/connections").mkdir(parents=True)
    (tmp_path / "out/connections/a.json").symlink_to(target)
    with pytest.raises(UsageError, match="is a symbolic link; wsync-lint never writes through one"):
        write_import(_plan(("connections/a.json", b"A\n")), tmp_path / "out", overwrite=True)
    assert target.read_text() == "T\n"


def test_the_configuration_names_the_workspace_and_makes_the_folder_a_project(tmp_path: Path) -> None:
    written, note = config_file(tmp_path, "1234")
    assert note is None and written is not None
    assert str(written.relative) == "wsync-lint.toml"
    assert written.data.decode() == (
        "# Written by `wsync-lint import` from Warehouse Sync workspace 1234.\n"
        "# This folder is a project of its own, deployed to that workspace.\n"
        "root = true\n\n[api]\nworkspace = 1234\n"
    )


def test_an_existing_configuration_is_kept_and_a_note_says_what_it_lacks(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.wsync-lint]: no configuration
    assert config_file(tmp_path, "1234")[0] is not None
    write(tmp_path, "pyproject.toml", "[tool.wsync-lint]\ndialect = 'snowflake'\n")
    assert config_file(tmp_path, "1234") == (
        None,
        f"{tmp_path}/pyproject.toml names no workspace: add `workspace = 1234` under "
        "[tool.wsync-lint.api] so `plan` reads this one",
    )
    write(tmp_path, "wsync-lint.toml", "[api]\nworkspace = 99\n")
    assert config_file(tmp_path, "1234") == (
        None,
        f"{tmp_path}/wsync-lint.toml names workspace `99`, not `1234` (imported from): "
        "`plan` and `deploy` will use its workspace",
    )
    write(tmp_path, "wsync-lint.toml", "[api]\nworkspace = 1234\n")
    assert config_file(tmp_path, "1234") == (None, None)


# -- against the workspace -----------------------------------------------------------------------


@pytest.fixture
def workspace(fake_api, monkeypatch):
    """The fake seeded with the official request shapes, each connection's secret kept apart."""
    for name, value in fake_api.environment().items():
        monkeypatch.setenv(name, value)
    fake_api.seed(Kind.CONNECTION, SNOWFLAKE, secret=SNOWFLAKE_PASSWORD)
    fake_api.seed(Kind.CONNECTION, REDSHIFT, secret=REDSHIFT_PASSWORD)
    fake_api.seed(Kind.CONNECTION, BIGQUERY, secret=BIGQUERY_KEY)
    fake_api.seed(Kind.CONNECTION, DATABRICKS)
    fake_api.seed(Kind.DATA_MODEL, TICKETS_MODEL)
    fake_api.seed(Kind.PIPELINE, PIPELINE)
    return fake_api


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


IMPORTED_OUT = (
    "wrote imported/connections/bigquery-prod.json\n"
    "wrote imported/connections/databricks-share.json\n"
    "wrote imported/connections/redshift-billing.json\n"
    "wrote imported/connections/snowflake-prod.json\n"
    "wrote imported/data-models/open-tickets.json\n"
    "wrote imported/models/open-tickets.sql\n"
    "wrote imported/pipelines/open-tickets-hourly.json\n"
    "wrote imported/wsync-lint.toml\n"
    "Imported workspace 1234: 4 connections, 1 data model, 1 pipeline; 8 files written, 0 unchanged.\n"
    "Next: `wsync-lint check imported` and `wsync-lint plan imported`.\n"
)
FT_NOTE = "note: field transformations were not imported: mParticle documents no API endpoints for them\n"


def test_import_writes_every_resource_with_get_requests_only(tmp_path: Path, workspace, run_cli) -> None:
    result = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, IMPORTED_OUT, FT_NOTE)
    base = "/platform/v2/workspaces/1234"
    assert [(method, path) for method, path, _ in workspace.requests] == [
        ("POST", "/oauth/token"),
        ("GET", f"{base}/connections"),
        ("GET", f"{base}/data-models"),
        ("GET", f"{base}/inputs/data-pipelines"),
    ]
    assert workspace.writes() == []
    files = _files(tmp_path / "imported")
    assert json.loads(files["connections/snowflake-prod.json"]) == SNOWFLAKE  # derived keys and password gone
    assert json.loads(files["connections/redshift-billing.json"]) == {
        **REDSHIFT,
        "config": {**REDSHIFT["config"], "port": "5439"},
    }
    assert json.loads(files["connections/bigquery-prod.json"]) == BIGQUERY
    assert json.loads(files["connections/databricks-share.json"]) == DATABRICKS
    assert files["data-models/open-tickets.json"] == (
        b'{\n  "id": "open-tickets",\n  "name": "Open tickets",\n  "state": "active",\n  "type": "sql",\n'
        b'  "config": {\n    "sql_file": "../models/open-tickets.sql"\n  }\n}\n'
    )
    assert files["models/open-tickets.sql"] == TICKETS_SQL.encode()
    assert files["pipelines/open-tickets-hourly.json"] == json_file(PIPELINE)
    for data in files.values():
        for secret in SECRETS:
            assert secret.encode() not in data


def test_check_passes_on_the_imported_files_and_plan_finds_nothing_to_change(
    tmp_path: Path, workspace, run_cli
) -> None:
    from wsync_lint import lint_paths
    from wsync_lint.api.planning import plan_project
    from wsync_lint.api.settings import api_settings
    from wsync_lint.engine.config import ConfigFinder
    from wsync_lint.engine.run_result import RunOptions

    unnamed = run_cli("import", "--out", "imported", cwd=tmp_path)
    assert (unnamed.code, unnamed.out, workspace.requests) == (2, "", [])
    assert unnamed.err == (
        "wsync-lint: error: no Warehouse Sync workspace: pass --workspace ID, or set `workspace` under `[api]` in "
        "wsync-lint.toml (`[tool.wsync-lint.api]` in pyproject.toml)\n"
    )
    assert run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path).code == 0
    out = tmp_path / "imported"
    checked = lint_paths([out])
    assert [(Path(v.path).name, v.code) for v in checked.violations if v.code.startswith(("CN", "PS"))] == []
    assert checked.errors == 0

    def settings_for(root: Path):  # the written wsync-lint.toml names the workspace
        return api_settings(ConfigFinder().for_folder(root).api, None, 30.0)

    planned = plan_project([out], RunOptions(), settings_for)
    assert planned.project.root == out.resolve()
    assert sorted((change.kind.value, change.id, change.action) for change in planned.plan.changes) == [
        ("connection", "bigquery-prod", "noop"),
        ("connection", "databricks-share", "noop"),
        ("connection", "redshift-billing", "noop"),
        ("connection", "snowflake-prod", "noop"),
        ("data_model", "open-tickets", "noop"),
        ("pipeline", "open-tickets-hourly", "noop"),
    ]


def test_a_second_import_leaves_identical_files_alone_and_refuses_to_overwrite_changed_ones(
    tmp_path: Path, workspace, run_cli
) -> None:
    assert run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path).code == 0
    again = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert again.code == 0
    assert again.out == (
        "Imported workspace 1234: 4 connections, 1 data model, 1 pipeline; 0 files written, 7 unchanged.\n"
        "Next: `wsync-lint check imported` and `wsync-lint plan imported`.\n"
    )
    edited = tmp_path / "imported/models/open-tickets.sql"
    edited.write_text("SELECT 1 AS edited\n")
    before = _files(tmp_path / "imported")
    refused = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        f"wsync-lint: error: {edited.resolve()}: holds other content; nothing was written "
        "(use --overwrite to replace the files that differ)\n"
    )
    assert _files(tmp_path / "imported") == before
    replaced = run_cli("import", "--out", "imported", "--workspace", "1234", "--overwrite", cwd=tmp_path)
    assert replaced.code == 0
    assert replaced.out.splitlines()[0] == "wrote imported/models/open-tickets.sql"
    assert edited.read_bytes() == TICKETS_SQL.encode()


def test_unreachable_api_writes_nothing_and_exits_3(tmp_path: Path, workspace, run_cli) -> None:
    workspace.inject(401, path="/oauth/token", times=5)
    result = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert (result.code, result.out) == (3, "")
    assert result.err.startswith("wsync-lint: unreachable: ") and result.err.count("\n") == 1
    assert not (tmp_path / "imported").exists()


def test_no_secret_reaches_a_file_or_the_output(tmp_path: Path, workspace, run_cli, monkeypatch) -> None:
    from tests.live.standins.mparticle_api import CLIENT_SECRET

    # A name that quotes the client secret (the API returns it as it is) is redacted from the output.
    workspace.seed(Kind.CONNECTION, {**DATABRICKS, "id": "odd", "name": "odd"})
    result = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert result.code == 0
    texts = [result.out, result.err, *(data.decode() for data in _files(tmp_path / "imported").values())]
    for secret in (*SECRETS, CLIENT_SECRET, json.dumps(CLIENT_SECRET)[1:-1]):
        assert all(secret not in text for text in texts)


def test_the_examples_deployed_then_imported_come_back_unchanged(
    tmp_path: Path, fake_api, monkeypatch, run_cli
) -> None:
    """The repository's example project, as deploy would send it, imported again: every SQL file
    byte for byte, `check` with no payload error, and `plan` with nothing to change."""
    from tests.conftest import REPO
    from wsync_lint import lint_paths
    from wsync_lint.api.desired import desired_body
    from wsync_lint.api.planning import plan_project
    from wsync_lint.api.settings import api_settings
    from wsync_lint.engine.config import ConfigFinder
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.engine.runner import Planner, load_project

    for name, value in fake_api.environment().items():
        monkeypatch.setenv(name, value)
    examples = load_project(REPO / "examples", Planner(RunOptions()))
    sent = [r for r in examples.resources if r.kind in (Kind.CONNECTION, Kind.DATA_MODEL, Kind.PIPELINE)]
    for resource in sent:
        fake_api.seed(resource.kind, desired_body(examples, resource), secret="Example-S3cret")
    result = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert result.code == 0
    out = tmp_path / "imported"
    for model in examples.of_kind(Kind.DATA_MODEL):
        sql = examples.model_sql(model)
        assert sql is not None and sql.file is not None
        assert (out / "models" / f"{model.id}.sql").read_bytes() == sql.file.read_bytes()
    assert [v.code for v in lint_paths([out]).violations if v.code.startswith(("CN", "PS"))] == []
    planned = plan_project(
        [out], RunOptions(), lambda root: api_settings(ConfigFinder().for_folder(root).api, None, 30.0)
    )
    assert {(change.kind, change.id): change.action for change in planned.plan.changes} == {
        (resource.kind, resource.id): "noop" for resource in sent
    }
    assert len(sent) == 16
    assert "Example-S3cret" not in "".join(p.read_text() for p in out.rglob("*") if p.is_file())


# -- secrets, masks and SQL the red team found written (FIX14) -------------------------------------


def test_every_key_cn02_calls_a_credential_is_left_out_at_any_depth_and_so_is_a_private_key() -> None:
    answer = {
        "id": "c1",
        "service_provider": "Redshift",
        "config": {
            "host": "h",
            "Password": "Cleartext-PW-1",
            "db_password": "Cleartext-PW-2",
            "tunnel": {"ssh_private_key": "k", "user": "u", "keys": ["-----BEGIN PRIVATE KEY-----\nK\n", "x"]},
            "note": "-----BEGIN RSA PRIVATE KEY-----\nK\n-----END RSA PRIVATE KEY-----",
        },
    }
    assert payload_body(Kind.CONNECTION, answer) == {
        "id": "c1",
        "service_provider": "Redshift",
        "config": {"host": "h", "tunnel": {"user": "u", "keys": ["x"]}},
    }


def _settings(**environment: str):
    from wsync_lint.api.settings import ApiSettings

    return ApiSettings("1234", environment={"WSYNC_LINT_API_CLIENT_ID": "client", **environment})


def test_a_known_secret_in_any_value_is_written_as_stars_and_a_note_names_the_file_and_key() -> None:
    from wsync_lint.api.importing import known_secrets

    secrets = known_secrets(_settings(WSYNC_LINT_API_CLIENT_SECRET="cl1ent/S3cret", WSYNC_LINT_C1_PASSWORD="pw-9999"))
    connection = {
        "id": "c1",
        "name": "echo cl1ent/S3cret",
        "config": {"note": "pw=pw-9999", "list": ["cl1ent%2FS3cret"]},
    }
    model = {"id": "m1", "type": "sql", "config": {"sql_query": "SELECT 'pw-9999' AS x\n"}}
    plan = import_plan(
        [LiveResource(Kind.CONNECTION, "c1", connection), LiveResource(Kind.DATA_MODEL, "m1", model)], secrets
    )
    assert {str(f.relative): json.loads(f.data) for f in plan.files if f.relative.suffix == ".json"} == {
        "connections/c1.json": {"id": "c1", "name": "echo ***", "config": {"note": "pw=***", "list": ["***"]}},
        "data-models/m1.json": {"id": "m1", "type": "sql", "config": {"sql_file": "../models/m1.sql"}},
    }
    assert plan.files[-1].data == b"SELECT '***' AS x\n"
    assert plan.notes == [
        "connections/c1.json: `name` held a value of `$WSYNC_LINT_API_CLIENT_SECRET`; written as `***`: "
        "correct it by hand",
        "connections/c1.json: `config.note` held a value of `$WSYNC_LINT_C1_PASSWORD`; written as `***`: "
        "correct it by hand",
        "connections/c1.json: `config.list[0]` held a value of `$WSYNC_LINT_API_CLIENT_SECRET`; written as `***`: "
        "correct it by hand",
        "models/m1.sql: the model's SQL held a value of `$WSYNC_LINT_C1_PASSWORD`; written as `***`: correct it by hand",
    ]


def test_an_id_that_holds_a_known_secret_refuses_the_import_without_showing_it() -> None:
    from wsync_lint.api.importing import known_secrets

    secrets = known_secrets(_settings(WSYNC_LINT_C1_PASSWORD="pw-9999"))
    plan = import_plan([LiveResource(Kind.CONNECTION, "x-pw-9999", {"id": "x-pw-9999"})], secrets)
    assert (plan.files, plan.refused) == (
        [],
        ["a connection: its id holds a value of `$WSYNC_LINT_C1_PASSWORD`, so it has no file name"],
    )


def test_import_writes_no_known_secret_and_says_where_each_was(tmp_path: Path, workspace, run_cli, monkeypatch) -> None:
    from tests.live.standins.mparticle_api import CLIENT_SECRET

    monkeypatch.setenv("WSYNC_LINT_ODD_PASSWORD", "hunter2pw-SECRET")
    workspace.seed(
        Kind.CONNECTION,
        {**DATABRICKS, "id": "odd", "name": f"echo {CLIENT_SECRET}", "config": {"note": "pw=hunter2pw-SECRET"}},
    )
    result = run_cli("import", "--out", "imported", "--workspace", "1234", cwd=tmp_path)
    assert result.code == 0
    assert result.err == (
        "note: connections/odd.json: `name` held a value of `$WSYNC_LINT_API_CLIENT_SECRET`; written as `***`: "
        "correct it by hand\n"
        "note: connections/odd.json: `config.note` held a value of `$WSYNC_LINT_ODD_PASSWORD`; written as `***`: "
        "correct it by hand\n" + FT_NOTE
    )
    written = json.loads((tmp_path / "imported/connections/odd.json").read_text())
    assert (written["name"], written["config"]) == ("echo ***", {"note": "pw=***"})


def test_a_masked_partner_feed_key_is_left_out_with_a_note() -> None:
    pipeline = {"id": "p1", "state": "paused", "partner_feed_key": facts.MASKED_SECRET, "tags": []}
    plan = import_plan([LiveResource(Kind.PIPELINE, "p1", pipeline)])
    assert json.loads(plan.files[0].data) == {"id": "p1", "state": "paused", "tags": []}
    assert plan.notes == [
        "pipeline `p1`: mParticle masks `partner_feed_key` (`************`), so it was left out of "
        "pipelines/p1.json: deploy will not send it unless the file sets it"
    ]


def test_sql_over_the_project_s_max_file_size_stays_inline() -> None:
    sql = "SELECT 1 AS a\n"
    model = {"id": "m", "type": "sql", "config": {"sql_query": sql}}
    plan = import_plan([LiveResource(Kind.DATA_MODEL, "m", model)], max_file_size=len(sql) - 1)
    assert [str(f.relative) for f in plan.files] == ["data-models/m.json"]
    assert json.loads(plan.files[0].data) == model
    assert plan.notes == [
        "data model `m`: its SQL stays inline in `config.sql_query`: it is 14 bytes, over the project's "
        "`max-file-size` (13), so a .sql file would not be read; raise `max-file-size` for `check` to read its "
        "payload file"
    ]
    assert [
        str(f.relative) for f in import_plan([LiveResource(Kind.DATA_MODEL, "m", model)], max_file_size=14).files
    ] == [
        "data-models/m.json",
        "models/m.sql",
    ]


def test_the_size_limit_is_the_one_the_imported_project_will_have(tmp_path: Path) -> None:
    from wsync_lint.api.importing import file_size_limit
    from wsync_lint.files import DEFAULT_MAX_FILE_SIZE

    write(tmp_path, "wsync-lint.toml", "max-file-size = 2048\n")
    assert file_size_limit(tmp_path / "out", None, writes_config=False) == 2048
    assert file_size_limit(tmp_path / "out", None, writes_config=True) == DEFAULT_MAX_FILE_SIZE


def test_a_live_sql_file_beside_the_query_is_left_out_and_the_query_imported() -> None:
    model = {"id": "m", "type": "sql", "config": {"sql_query": "SELECT 1 AS a\n", "sql_file": "../models/x.sql"}}
    plan = import_plan([LiveResource(Kind.DATA_MODEL, "m", model)])
    assert [(str(f.relative), f.data) for f in plan.files] == [
        (
            "data-models/m.json",
            b'{\n  "id": "m",\n  "type": "sql",\n  "config": {\n    "sql_file": "../models/m.sql"\n  }\n}\n',
        ),
        ("models/m.sql", b"SELECT 1 AS a\n"),
    ]
    assert plan.notes == [
        "data model `m`: its `config.sql_file` in mParticle was left out: it names a file of the machine that sent "
        "it (the SQL comes from `config.sql_query`); `plan` lists it as a removal"
    ]


def test_a_longer_local_file_holds_other_content_not_unreadable(tmp_path: Path) -> None:
    write(tmp_path, "models/m.sql", "-- my local edit\nSELECT 2 AS a\n")
    with pytest.raises(UsageError) as raised:
        write_import(_plan(("models/m.sql", b"SELECT 1 AS a\n")), tmp_path, overwrite=False)
    assert str(raised.value) == (
        f"{tmp_path.resolve()}/models/m.sql: holds other content; nothing was written "
        "(use --overwrite to replace the files that differ)"
    )
    assert write_import(_plan(("models/m.sql", b"SELECT 1 AS a\n")), tmp_path, overwrite=True).written == [
        "models/m.sql"
    ]

"""Configuration files: discovery by walking up, validation, per-file ignores, severities."""

from __future__ import annotations

import pytest

from tests.conftest import write

BAD = "SELECT customer_id FROM mp.crm.customers WHERE\n"
EMPTY = ""


def _findings(out: str) -> list[tuple[str, str]]:
    """(path, code) of each finding line of ``check -q`` text output (hint lines are indented)."""
    return [(line.split(":")[0], line.split()[1]) for line in out.splitlines() if line and not line.startswith(" ")]


def _codes(out: str) -> list[str]:
    return [code for _, code in _findings(out)]


def _paths(out: str) -> list[str]:
    return [path for path, _ in _findings(out)]


def test_nearest_config_wins_walking_up(tmp_path, run_cli):
    write(tmp_path, "pyproject.toml", '[tool.wsync-lint]\nselect = ["PS01"]\n')
    write(tmp_path, "models/legacy/wsync-lint.toml", 'select = ["PS02"]\n')
    write(tmp_path, "models/a.sql", BAD)
    write(tmp_path, "models/b.sql", EMPTY)
    write(tmp_path, "models/legacy/c.sql", BAD)
    write(tmp_path, "models/legacy/d.sql", EMPTY)
    result = run_cli("check", "-q", cwd=tmp_path)
    assert result.out.splitlines()[0].startswith("models/a.sql:1:42: PS01")
    assert _paths(result.out) == ["models/a.sql", "models/legacy/d.sql"]


def test_pyproject_without_our_table_is_passed_over(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = ["PS02"]\n')
    write(tmp_path, "sub/pyproject.toml", "[tool.other]\nx = 1\n")
    write(tmp_path, "sub/a.sql", BAD)
    write(tmp_path, "sub/b.sql", EMPTY)
    assert _codes(run_cli("check", "-q", cwd=tmp_path).out) == ["PS02"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('selekt = ["PS01"]\n', "wsync-lint.toml: unknown key 'selekt'"),
        ("[tool.wsync-lint.api]\nworkspace = 1\n", "wsync-lint.toml: unknown key 'tool' (in wsync-lint.toml the keys need no table header: `[api]`, not `[tool.wsync-lint.api]`)"),
        ('dialect = "oracle"\n', "wsync-lint.toml: unknown dialect 'oracle' (expected one of: snowflake, bigquery, redshift, databricks)"),
        ('select = ["PS99"]\n', "wsync-lint.toml: select: unknown rule code or name 'PS99'"),
        ('pipeline-type = "profiles"\n', "wsync-lint.toml: unknown pipeline_type 'profiles' (expected one of: user_attributes, events)"),
        ("select = 3\n", "wsync-lint.toml: select: expected a list of strings"),
        ('[rules.PS01]\nseverity = "fatal"\n', "wsync-lint.toml: rules.PS01.severity: expected 'error' or 'warning', got 'fatal'"),
        ('[rules.PS01]\nmax = 3\n', "wsync-lint.toml: rules.PS01: unknown option 'max' for PS01 (known: severity)"),
        ('[rules.XX01]\nseverity = "error"\n', "wsync-lint.toml: rules: unknown rule code or name 'XX01'"),
        ('fail-on = "info"\n', "wsync-lint.toml: fail-on: expected 'error' or 'warning', got 'info'"),
        ("select = [\n", "wsync-lint.toml: invalid TOML: "),
        ('root = "yes"\n', "wsync-lint.toml: root: expected true or false"),
        ('[api]\nworkspace = "12ab"\n', "wsync-lint.toml: api.workspace: expected a workspace id (a number such as 1234)"),
        ("[api]\nworkspace = true\n", "wsync-lint.toml: api.workspace: expected a workspace id"),
        ("[api]\nspace = 1\n", "wsync-lint.toml: api: unknown key 'space' (known: workspace)"),
        ('api = 1234\n', "wsync-lint.toml: api: expected a table, e.g. [tool.wsync-lint.api] workspace = 1234"),
        ('[api]\nworkspace = 1\ntoken-url = "https://evil.example/t"\n', "wsync-lint.toml: api: 'token-url' cannot be set in a file"),
        ('[api]\nendpoint = "https://evil.example"\n', "export WSYNC_LINT_API_ENDPOINT or WSYNC_LINT_API_TOKEN_URL instead"),
    ],
)  # fmt: skip
def test_invalid_config_is_exit_2_with_one_line(tmp_path, run_cli, config, message):
    write(tmp_path, "wsync-lint.toml", config)
    write(tmp_path, "a.sql", BAD)
    result = run_cli("check", cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("wsync-lint: error: ")
    assert message in result.err


def test_per_file_ignores_by_glob(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = ["PS"]\n[per-file-ignores]\n"legacy/*.sql" = ["PS01"]\n')
    write(tmp_path, "legacy/a.sql", BAD)
    write(tmp_path, "legacy/b.sql", EMPTY)
    write(tmp_path, "models/c.sql", BAD)
    assert _findings(run_cli("check", "-q", cwd=tmp_path).out) == [
        ("legacy/b.sql", "PS02"),
        ("models/c.sql", "PS01"),
    ]


def test_severity_override_and_fail_on(tmp_path, run_cli):
    write(
        tmp_path, "wsync-lint.toml", 'select = ["PS01"]\nfail-on = "error"\n[rules.parse-error]\nseverity = "warning"\n'
    )
    write(tmp_path, "a.sql", BAD)
    result = run_cli("check", cwd=tmp_path)
    assert result.code == 0  # only warnings, and only errors fail
    assert "a.sql:1:42: PS01 [warning]" in result.out


def test_config_settings_apply_to_models(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'dialect = "bigquery"\nselect = ["PS01"]\n')
    write(tmp_path, "a.sql", "SELECT `customer_id` FROM `p.d.t`\n")
    assert run_cli("check", cwd=tmp_path).code == 0


def test_explicit_config_option(tmp_path, run_cli):
    write(tmp_path, "conf/strict.toml", 'select = ["PS02"]\n')
    write(tmp_path, "a.sql", BAD)
    write(tmp_path, "b.sql", EMPTY)
    assert _codes(run_cli("check", "-q", "--config", "conf/strict.toml", cwd=tmp_path).out) == ["PS02"]


def test_exclude_globs(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = ["PS"]\nexclude = ["build", "*.tmp.sql"]\n')
    write(tmp_path, "build/a.sql", BAD)
    write(tmp_path, "b.tmp.sql", BAD)
    write(tmp_path, "c.sql", BAD)
    assert _paths(run_cli("check", "-q", cwd=tmp_path).out) == ["c.sql"]


def test_max_file_size(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = ["PS02"]\nmax-file-size = 10\n')
    write(tmp_path, "a.sql", "SELECT customer_id FROM t\n")
    result = run_cli("check", "-q", cwd=tmp_path)
    assert (
        result.out.splitlines()[0]
        == "a.sql:1:1: PS02 [error] the file is 26 bytes, over the 10-byte limit (`max-file-size`), so it is not read"
    )


# -- project roots


def _workspace(root, identity: str) -> None:
    """One mParticle workspace: a Snowflake connection, a data model and its pipeline, with the
    same ids in every workspace."""
    write(root, "connections/sf.json", '{"id": "sf", "service_provider": "Snowflake", "config": {}}\n')
    write(root, "data-models/users.yaml", "id: users\ntype: sql\nconfig: {sql_file: ../models/users.sql}\n")
    write(
        root,
        "pipelines/users.json",
        '{"id": "users-hourly", "pipeline_type": "user_attributes", "connection_id": "sf",'
        ' "data_model_id": "users", "sync_mode": {"type": "full"}}\n',
    )
    write(root, "models/users.sql", f"SELECT {identity}, u.tier FROM mp.crm.users AS u\n")


def _id01(out: str) -> list[str]:
    return [path for path, code in _findings(out) if code == "ID01"]


def test_dev_prod_monorepo_with_root_true_is_two_projects(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    _workspace(tmp_path / "dev", "u.email")
    _workspace(tmp_path / "prod", "u.user_id")  # prod's model has no identity
    for workspace in ("dev", "prod"):
        write(tmp_path, f"{workspace}/wsync-lint.toml", 'root = true\nselect = ["ID01", "PS06"]\n')
    assert _id01(run_cli("check", "-q", cwd=tmp_path).out) == ["prod/models/users.sql"]
    assert _id01(run_cli("check", "-q", "prod/models/users.sql", cwd=tmp_path).out) == ["prod/models/users.sql"]
    assert _id01(run_cli("check", "-q", "prod", cwd=tmp_path).out) == ["prod/models/users.sql"]
    assert run_cli("check", "-q", "dev", cwd=tmp_path).out == ""
    shown = run_cli("check", "--show-settings", "prod/models/users.sql", cwd=tmp_path).out
    assert f"project root: {(tmp_path / 'prod').resolve()} (prod/wsync-lint.toml says root = true)\n" in shown


def test_a_configuration_file_for_a_subfolder_does_not_cut_the_project(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = ["ID01"]\n')
    _workspace(tmp_path, "u.user_id")
    write(tmp_path, "models/wsync-lint.toml", 'select = ["ID01", "RF01"]\n')
    expected = ["models/users.sql"]
    assert _id01(run_cli("check", "-q", cwd=tmp_path).out) == expected
    assert _id01(run_cli("check", "-q", "models/users.sql", cwd=tmp_path).out) == expected
    assert _id01(run_cli("check", "-q", "users.sql", cwd=tmp_path / "models").out) == ["users.sql"]
    shown = run_cli("check", "--show-settings", "models/users.sql", cwd=tmp_path).out.splitlines()
    assert shown[1:3] == [
        f"project root: {tmp_path.resolve()} (the top-most folder with a configuration file; no .git or root = true above)",
        "configuration: models/wsync-lint.toml",
    ]

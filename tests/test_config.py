"""Configuration files: discovery by walking up, validation, per-file ignores, severities."""

from __future__ import annotations

import pytest

from tests.conftest import write

BAD = "SELECT customer_id FROM mp.crm.customers WHERE\n"
EMPTY = ""
SEMICOLON = "SELECT customer_id FROM mp.crm.customers;\n"


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


DIALECTS = "(expected one of: snowflake, bigquery, redshift, databricks)"
HEADERLESS = "wsync-lint.toml takes the keys without the `[tool.wsync-lint]` header (that header is pyproject.toml's): "


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('selekt = ["PS01"]\n', "unknown key 'selekt' in wsync-lint.toml; did you mean 'select'?"),
        ('colour = "blue"\n', "unknown key 'colour' in wsync-lint.toml"),
        ('extend-ignore = ["PS01"]\n', "unknown key 'extend-ignore' in wsync-lint.toml; did you mean 'ignore'?"),
        ('pipeline_typ = "events"\n', "unknown key 'pipeline_typ' in wsync-lint.toml; did you mean 'pipeline-type'?"),
        ("[tool.wsync-lint.api]\nworkspace = 1\n", HEADERLESS + "did you mean `[api]`?"),
        ('[tool.wsync-lint]\nselect = ["PS01"]\n', HEADERLESS + "did you mean top-level `select`?"),
        ('[tool.wsync-lint.rules.ST04]\nseverity = "warning"\n', HEADERLESS + "did you mean `[rules.ST04]`?"),
        (
            '[tool.wsync-lint]\nselect = ["PS01"]\nfail-on = "error"\n[tool.wsync-lint.per-file-ignores]\n"a.sql" = "PS01"\n',
            HEADERLESS + "did you mean top-level `select`, `fail-on` and `[per-file-ignores]`?",
        ),
        ("[tool.wsync-lint]\n", HEADERLESS + "did you mean top-level keys?"),
        ("[tool.black]\nline-length = 1\n", "unknown key 'tool' in wsync-lint.toml"),
        ('dialect = "oracle"\n', f"unknown dialect 'oracle' {DIALECTS}"),
        ('dialect = "snowflak"\n', f"unknown dialect 'snowflak' {DIALECTS}; did you mean 'snowflake'?"),
        ('dialect = ["snowflake"]\n', f"unknown dialect ['snowflake'] {DIALECTS}"),
        ('select = ["PS99"]\n', "select: unknown rule code or name 'PS99'"),
        ('ignore = "PS01,PS99"\n', "ignore: unknown rule code or name 'PS99'"),
        ('pipeline-type = "profiles"\n', "unknown pipeline-type 'profiles' (expected one of: user_attributes, events)"),
        (
            'pipeline-type = "event"\n',
            "unknown pipeline-type 'event' (expected one of: user_attributes, events); did you mean 'events'?",
        ),
        (
            'pipeline_type = "event"\n',
            "unknown pipeline_type 'event' (expected one of: user_attributes, events); did you mean 'events'?",
        ),
        (
            'iterator-data-type = "TIMESTAMP_NTZ"\n',
            "unknown iterator-data-type 'TIMESTAMP_NTZ' (expected one of: date, datetime, timestamp, timestamp_ltz, "
            "timestamp_ntz, timestamp_tz, timestamp_unixtime_ms, timestamp_unixtime_s, timestamptz); "
            "did you mean 'timestamp_ntz'?",
        ),
        ("iterator-field = 5\n", "iterator-field must be a column name"),
        ("select = 3\n", "select: expected a list of strings"),
        ('extend-select = ["PS01", 3]\n', "extend-select: expected a list of strings"),
        ('[rules.PS01]\nseverity = "fatal"\n', "rules.PS01.severity: expected 'error' or 'warning', got 'fatal'"),
        (
            '[rules.PS01]\nseverity = "warn"\n',
            "rules.PS01.severity: expected 'error' or 'warning', got 'warn'; did you mean 'warning'?",
        ),
        ("[rules.PS01]\nmax = 3\n", "rules.PS01: unknown option 'max' for PS01 (known: severity)"),
        (
            '[rules.PS01]\nseverty = "error"\n',
            "rules.PS01: unknown option 'severty' for PS01 (known: severity); did you mean 'severity'?",
        ),
        ('[rules.XX01]\nseverity = "error"\n', "rules: unknown rule code or name 'XX01'"),
        ('fail-on = "info"\n', "fail-on: expected 'error' or 'warning', got 'info'"),
        ('fail_on = "eror"\n', "fail_on: expected 'error' or 'warning', got 'eror'; did you mean 'error'?"),
        ("select = [\n", "invalid TOML: Invalid value (at end of document)"),
        ('root = "yes"\n', "root: expected true or false"),
        ('exclude = "build, tmp[.sql"\n', "exclude: 'tmp[.sql' is not a valid glob: its `[` opens a character class "
         "that is never closed (write `[[]` for a literal `[`)"),
        ('read-only-functions = "util.clean, .x"\n', "read-only-functions: expected function names such as 'util.clean_email'"),
        ('[per-file-ignores]\n"legacy/*.sql" = "PS01, XX"\n', "per-file-ignores.legacy/*.sql: unknown rule code or name 'XX'"),
        ('[api]\nworkspace = "12ab"\n', "api.workspace: expected a workspace id (a number such as 1234)"),
        ("[api]\nworkspace = true\n", "api.workspace: expected a workspace id (a number such as 1234)"),
        ("[api]\nspace = 1\n", "api: unknown key 'space' (known: workspace)"),
        ("api = 1234\n", "api: expected a table, e.g. [tool.wsync-lint.api] workspace = 1234"),
        (
            '[api]\nworkspace = 1\ntoken-url = "https://evil.example/t"\n',
            "api: 'token-url' cannot be set in a file (a committed file must not send the credentials elsewhere): "
            "export WSYNC_LINT_API_ENDPOINT or WSYNC_LINT_API_TOKEN_URL instead",
        ),
    ],
)  # fmt: skip
def test_invalid_config_is_exit_2_with_one_line(tmp_path, run_cli, config, message):
    write(tmp_path, "wsync-lint.toml", config)
    write(tmp_path, "a.sql", BAD)
    result = run_cli("check", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: {tmp_path.resolve() / 'wsync-lint.toml'}: {message}\n"


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('[tool.wsync-lint]\nselct = ["PS01"]\n', "unknown key 'selct' in [tool.wsync-lint]; did you mean 'select'?"),
        ('[tool.wsync_lint]\nselect = ["PS01"]\n', "`[tool.wsync_lint]` is not read; did you mean `[tool.wsync-lint]`?"),
        ('[tool.wsynclint]\nselect = ["PS01"]\n', "`[tool.wsynclint]` is not read; did you mean `[tool.wsync-lint]`?"),
        (
            '[tool.wsync-linter.rules.PS01]\nseverity = "error"\n',
            "`[tool.wsync-linter]` is not read; did you mean `[tool.wsync-lint]`?",
        ),
        (
            '[tool.WSYNC-LINT]\nselect = ["PS01"]\n',
            "`[tool.WSYNC-LINT]` is not read; did you mean `[tool.wsync-lint]`?",
        ),
        (
            '[tool.wsync-lint]\nselect = ["PS02"]\n[tool.wsync_lint]\nignore = ["PS01"]\n',
            "`[tool.wsync_lint]`, beside `[tool.wsync-lint]`, is not read; did you mean `[tool.wsync-lint]`?",
        ),
        ('[tool.wsync-lint]\npipeline-type = "event"\n', "unknown pipeline-type 'event' (expected one of: "
         "user_attributes, events); did you mean 'events'?"),
        ('[tool]\nwsync-lint = 3\n', "`tool.wsync-lint` must be a table ([tool.wsync-lint]), not an integer"),
    ],
)  # fmt: skip
def test_invalid_pyproject_is_exit_2_with_one_line(tmp_path, run_cli, pyproject, message):
    write(tmp_path, "pyproject.toml", pyproject)
    write(tmp_path, "a.sql", BAD)
    result = run_cli("check", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: {tmp_path.resolve() / 'pyproject.toml'}: {message}\n"


def test_a_misspelt_table_named_by_config_option_is_the_same_error(tmp_path, run_cli):
    write(tmp_path, "conf/pyproject.toml", '[tool.wsync_lint]\nselect = ["PS01"]\n')
    write(tmp_path, "a.sql", BAD)
    result = run_cli("check", "--config", "conf/pyproject.toml", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "wsync-lint: error: conf/pyproject.toml: `[tool.wsync_lint]` is not read; did you mean `[tool.wsync-lint]`?\n"
    )


def test_other_tools_tables_in_pyproject_are_left_alone(tmp_path, run_cli):
    write(
        tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 1\n[tool.sqlfluff.core]\ndialect = 'x'\n[tool.pylint]\n"
    )
    write(tmp_path, "a.sql", BAD)
    assert _codes(run_cli("check", "-q", "--select", "PS", cwd=tmp_path).out) == ["PS01"]


# -- list-valued keys take what the command line takes: a list, or one comma-separated string


@pytest.mark.parametrize(
    "ignore",
    ['["PS01", "PS02"]', '"PS01,PS02"', '" PS01 , PS02 ,, "', '["PS01, PS02", ""]', '["PS01", " PS02"]'],
)
def test_ignore_takes_a_list_or_a_comma_separated_string(tmp_path, run_cli, ignore):
    write(tmp_path, "wsync-lint.toml", f'select = ["PS01", "PS02", "ST03"]\nignore = {ignore}\n')
    write(tmp_path, "a.sql", BAD)
    write(tmp_path, "b.sql", EMPTY)
    write(tmp_path, "c.sql", SEMICOLON)
    assert _codes(run_cli("check", "-q", cwd=tmp_path).out) == ["ST03"]
    # ... as `--ignore` does on the command line:
    write(tmp_path, "wsync-lint.toml", 'select = ["PS01", "PS02", "ST03"]\n')
    assert _codes(run_cli("check", "-q", "--ignore", " PS01 , PS02 ,, ", cwd=tmp_path).out) == ["ST03"]


@pytest.mark.parametrize("select", ['"PS01,PS02"', '"PS01, PS02"', '["PS01", "PS02,"]'])
def test_select_takes_a_comma_separated_string(tmp_path, run_cli, select):
    write(tmp_path, "wsync-lint.toml", f"select = {select}\n")
    write(tmp_path, "a.sql", BAD)
    write(tmp_path, "b.sql", EMPTY)
    write(tmp_path, "c.sql", SEMICOLON)
    assert _codes(run_cli("check", "-q", cwd=tmp_path).out) == ["PS01", "PS02"]


def test_extend_select_takes_a_comma_separated_string(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = "PS01"\nextend-select = "PS02 , ST03"\n')
    write(tmp_path, "a.sql", BAD)
    write(tmp_path, "b.sql", EMPTY)
    write(tmp_path, "c.sql", SEMICOLON)
    assert _findings(run_cli("check", "-q", cwd=tmp_path).out) == [
        ("a.sql", "PS01"),
        ("b.sql", "PS02"),
        ("c.sql", "ST03"),
    ]


def test_per_file_ignores_values_take_a_comma_separated_string(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'select = ["PS"]\n[per-file-ignores]\n"legacy/*" = "PS01, PS02"\n')
    write(tmp_path, "legacy/a.sql", BAD)
    write(tmp_path, "legacy/b.sql", EMPTY)
    write(tmp_path, "models/c.sql", BAD)
    assert _findings(run_cli("check", "-q", cwd=tmp_path).out) == [("models/c.sql", "PS01")]


def test_exclude_takes_a_comma_separated_string_and_a_class_holds_a_literal_comma(tmp_path, run_cli):
    """Globs split at commas too; a comma inside a character class (`[,]`) is a literal comma."""
    write(tmp_path, "wsync-lint.toml", 'select = ["PS01"]\nexclude = "build, *.tmp.sql, a[,]b.sql"\n')
    for name in ("build/a.sql", "b.tmp.sql", "a,b.sql", "c.sql"):
        write(tmp_path, name, BAD)
    assert _paths(run_cli("check", "-q", cwd=tmp_path).out) == ["c.sql"]


def test_read_only_functions_take_a_comma_separated_string():
    from pathlib import Path

    from wsync_lint.engine.config import parse_config

    listed = parse_config({"read-only-functions": ["util.Clean_Email", "mozfun.*"]}, Path("wsync-lint.toml"))
    joined = parse_config({"read-only-functions": " util.Clean_Email ,mozfun.*, "}, Path("wsync-lint.toml"))
    assert listed.read_only_functions == joined.read_only_functions == frozenset({"UTIL.CLEAN_EMAIL", "MOZFUN.*"})


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


def test_every_key_a_did_you_mean_can_name_is_a_key():
    from pathlib import Path

    from wsync_lint.engine.config import TOP_LEVEL_KEYS, parse_config
    from wsync_lint.errors import UsageError

    for key in TOP_LEVEL_KEYS:
        with pytest.raises(UsageError) as raised:
            parse_config({key: object()}, Path("wsync-lint.toml"))  # known, so its value is what is wrong
        assert "unknown key" not in str(raised.value), key


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        (
            "[rules.LV08]\nmax-null-rate = 5\n",
            "wsync-lint.toml: rules.LV08.max-null-rate: expected a number from 0 to 1",
        ),
        ("[rules.LV08]\nmax-null-rate = true\n", "wsync-lint.toml: rules.LV08.max-null-rate: expected float"),
        (
            "[rules.LV07]\nmax-monthly-scan-tib = '1 TiB'\n",
            "wsync-lint.toml: rules.LV07.max-monthly-scan-tib: expected float",
        ),
        (
            "scan-price-per-tib = {bigqeury = 5}\n",
            "wsync-lint.toml: scan-price-per-tib: unknown warehouse 'bigqeury' (known: snowflake, bigquery, redshift, "
            "databricks); did you mean 'bigquery'?",
        ),
        (
            "scan-price-per-tib = {bigquery = -1}\n",
            "wsync-lint.toml: scan-price-per-tib.bigquery: expected a price of 0 or more per TiB scanned",
        ),
        (
            "scan-price-per-tib = 6.25\n",
            "wsync-lint.toml: scan-price-per-tib: expected a table of warehouse = price per TiB scanned (bigquery = 6.25)",
        ),
    ],
)
def test_live_measurement_settings_are_validated(tmp_path, run_cli, toml, error):
    write(tmp_path, "wsync-lint.toml", toml)
    write(tmp_path, "m.sql", "SELECT 1 AS a\n")
    result = run_cli("check", "m.sql", cwd=tmp_path)
    assert (result.code, result.err) == (
        2,
        f"wsync-lint: error: {tmp_path / error.split(':')[0]}:{error.split(':', 1)[1]}\n",
    )


def test_a_whole_number_is_a_float_option_and_a_price_per_warehouse(tmp_path):
    from wsync_lint.engine.config import parse_config

    config = parse_config(
        {"scan-price-per-tib": {"snowflake": 3}, "rules": {"LV07": {"max-monthly-scan-tib": 2}}}, None
    )
    assert config.scan_prices == {"snowflake": 3.0}
    assert config.rules["LV07"].options == {"max_monthly_scan_tib": 2.0}
    assert isinstance(config.rules["LV07"].options["max_monthly_scan_tib"], float)


def test_explain_lists_a_rules_options_with_their_defaults(run_cli):
    result = run_cli("explain", "LV08")
    assert result.code == 0
    assert result.out.endswith(
        "\n## Options\nUnder `[tool.wsync-lint.rules.LV08]` (`[rules.LV08]` in wsync-lint.toml):\n"
        "- `max-null-rate` (number, 0 to 1, default `0.95`): share of NULL values of one identity column above "
        "which it is reported\n"
        "- `max-malformed-rate` (number, 0 to 1, default `0.01`): share of values without the identity's form above "
        "which it is reported\n"
        "- `max-unidentified-rate` (number, 0 to 1, default `0.01`): share of rows with no identity at all above "
        "which it is reported\n"
    )

"""One command line: every command follows the conventions of README's "The command line".

Walks click's command tree, so that a command added later (``init``, ...) is held to the same
table: how it takes the project, which of the shared options it has (each the very option of
:mod:`wsync_lint.cli.options`, so it means and says the same everywhere), one-line usage errors and
the exit codes in its ``--help``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tests.conftest import REPO, write
from wsync_lint.cli import options
from wsync_lint.cli.app import cli

SHARED = ("--format", "--output-file", "--config", "--quiet", "--exit-zero")
LINT_FORMATS = ("text", "json", "github", "sarif", "junit")

# command path -> (how it takes what it works on, its shared options, its --format choices)
CONVENTIONS: dict[str, tuple[str, set[str], tuple[str, ...]]] = {
    "check": ("PATHS", set(SHARED), LINT_FORMATS),
    "preflight": ("PATHS", set(SHARED), LINT_FORMATS),
    "schema pull": ("PATHS", {"--config", "--quiet"}, ()),
    "grants": ("PATHS", {"--format", "--output-file", "--config"}, ("text", "json")),
    "plan": ("PATHS", set(SHARED), ("text", "json")),
    "deploy": ("PATHS", {"--format", "--output-file", "--config", "--quiet"}, ("text", "json")),
    "render": ("TARGET", {"--format", "--output-file", "--config"}, ("text", "json")),
    "columns": ("TARGET", {"--format", "--output-file", "--config"}, ("text", "json")),
    "status": ("[PIPELINE]...", set(SHARED), ("text", "json")),
    "import": ("", {"--config", "--quiet"}, ()),
    "rules": ("", {"--format", "--output-file"}, ("text", "json", "markdown")),
    "explain": ("CODE_OR_NAME", set(), ()),
    "init": ("[FOLDER]", {"--quiet"}, ()),
}


def _commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    """Every command of the tree (not the groups), by its path: ``check``, ``schema pull``."""
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
        else:
            found.append((" ".join((*prefix, name)), command))
    return found


COMMANDS = _commands()
COMMAND_IDS = [path for path, _ in COMMANDS]


def _option(command: click.Command, name: str) -> click.Option | None:
    return next((p for p in command.params if isinstance(p, click.Option) and name in p.opts), None)


def _shared(decorator) -> click.Option:  # type: ignore[no-untyped-def]
    """The option a shared decorator adds, as click builds it."""

    @click.command()
    @decorator
    def probe(**_: object) -> None:
        """A command holding just that option."""

    [option] = probe.params
    return option


def _described(option: click.Option) -> tuple[object, ...]:
    """What an option is to its user: its names, help, flag-ness, default and type."""
    return (option.name, tuple(option.opts), option.help, option.is_flag, option.default, type(option.type).__name__)


def test_every_command_is_in_the_convention_table():
    assert set(COMMAND_IDS) == set(CONVENTIONS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_each_command_has_the_shared_options_the_table_gives_it(path, command):
    if path not in CONVENTIONS:
        pytest.fail(f"{path}: add it to CONVENTIONS (and to README's table)")
    _, wanted, formats = CONVENTIONS[path]
    assert {name for name in SHARED if _option(command, name) is not None} == wanted
    shared = {
        "--output-file": options.output_file_option,
        "--config": options.config_option,
        "--quiet": options.quiet_option,
        "--exit-zero": options.exit_zero_option,
    }
    for name, decorator in shared.items():
        if name in wanted:
            assert _described(_option(command, name)) == _described(_shared(decorator)), name
    if "--format" in wanted:
        found = _option(command, "--format")
        assert _described(found)[:4] == _described(_shared(options.format_option("text")))[:4]
        assert found.default == "text"
        if path in ("check", "preflight"):  # the lint reports (check adds `concise`)
            assert set(formats) <= set(found.type.choices)
        else:
            assert tuple(found.type.choices) == formats


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_each_command_takes_the_project_as_the_table_says(path, command):
    how = CONVENTIONS[path][0]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    project = _option(command, "--project")
    if how == "PATHS":
        [paths] = arguments
        assert (paths.name, paths.nargs, paths.type.exists) == ("paths", -1, False)  # refuse_missing_paths says it
        assert project is None
    elif how in ("TARGET", "[PIPELINE]..."):
        [target] = arguments
        assert target.make_metavar(click.Context(command)) == how
        assert _described(project) == _described(_shared(options.project_option))
        assert project.callback is _shared(options.project_option).callback
    else:
        assert [a.make_metavar(click.Context(command)) for a in arguments] == ([how] if how else [])
        assert project is None


@pytest.mark.parametrize("command", ["check", "preflight", "grants", "schema pull", "plan", "deploy"])
def test_a_missing_path_is_the_same_one_line_for_every_paths_command(tmp_path, run_cli, command):
    result = run_cli(*command.split(), "nowhere", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", "wsync-lint: error: nowhere: no such file or folder\n")


@pytest.mark.parametrize("command", [("render", "m"), ("columns", "m"), ("status",), ("status", "p")])
def test_a_missing_project_is_the_same_one_line_for_every_target_command(tmp_path, run_cli, command):
    result = run_cli(*command, "--project", "nowhere", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == "wsync-lint: error: --project nowhere: no such file or folder\n"


# -- usage errors: one line, every command

BAD_INVOCATIONS = [
    *[((*path.split(), "--no-such-option"), path) for path in COMMAND_IDS],
    *[((*path.split(), "--format", "yaml"), path) for path, (_, have, _f) in CONVENTIONS.items() if "--format" in have],
    *[
        ((*path.split(), "--timeout", "soon"), path)
        for path in ("preflight", "schema pull", "plan", "deploy", "status")
    ],
    *[
        ((*path.split(), "--output-file"), path)
        for path, (_, have, _f) in CONVENTIONS.items()
        if "--output-file" in have
    ],
    (("render",), "render"),
    (("columns",), "columns"),
    (("explain",), "explain"),
    (("render", "a", "b"), "render"),
    (("columns", "a", "b"), "columns"),
    (("explain", "ST03", "ST04"), "explain"),
    (("rules", "extra"), "rules"),
    (("import", "extra"), "import"),
    (("init", "a", "b"), "init"),
    (("status", "--runs", "0"), "status"),
    (("status", "--runs", "many"), "status"),
    (("check", "--jobs", "0"), "check"),
    (("check", "--cache-dir"), "check"),
    (("check", "--no-cache=yes"), "check"),
    (("no-such-command",), ""),
    (("schema", "no-such-command"), "schema"),
    (("schema",), "schema"),
    ((), ""),
]


@pytest.mark.parametrize(("args", "path"), BAD_INVOCATIONS, ids=[" ".join(a) or "(none)" for a, _ in BAD_INVOCATIONS])
def test_every_usage_error_is_one_line_naming_the_help_to_read(tmp_path, run_cli, args, path):
    result = run_cli(*args, cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    [line] = result.err.splitlines()
    assert result.err.endswith("\n")
    shown = " ".join(["wsync-lint", *path.split()])
    assert line.startswith("wsync-lint: error: ")
    assert line.endswith(f" (see '{shown} --help')")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("render",), "Missing argument 'TARGET' (see 'wsync-lint render --help')"),
        (("rules", "extra"), "Got unexpected extra argument (extra) (see 'wsync-lint rules --help')"),
        (("rules", "--format", "yaml"),
         "Invalid value for '--format': 'yaml' is not one of 'text', 'json', 'markdown' (see 'wsync-lint rules --help')"),
        (("status", "--runs", "0"),
         "Invalid value for '--runs': 0 is not in the range 1<=x<=50 (see 'wsync-lint status --help')"),
        (("no-such-command",), "No such command 'no-such-command' (see 'wsync-lint --help')"),
        ((), "missing command (one of: check, columns, deploy, explain, grants, import, init, plan, preflight, "
             "render, rules, schema, status) (see 'wsync-lint --help')"),
        (("schema",), "missing command (one of: pull) (see 'wsync-lint schema --help')"),
        (("plan", "--quiet=yes"), "Option '--quiet' does not take a value (see 'wsync-lint plan --help')"),
        (("schema", "pull", "--config"), "Option '--config' requires an argument (see 'wsync-lint schema pull --help')"),
        (("check", "--bogus"), "No such option '--bogus' (see 'wsync-lint check --help')"),
        (("check", "--slect"), "No such option '--slect'; did you mean '--select'? (see 'wsync-lint check --help')"),
        (("check", "--output-format", "json"),
         "No such option '--output-format'; did you mean '--format'? (see 'wsync-lint check --help')"),
        (("plan", "--exit-zer"), "No such option '--exit-zer'; did you mean '--exit-zero'? (see 'wsync-lint plan --help')"),
    ],
)  # fmt: skip
def test_usage_error_lines(tmp_path, run_cli, args, line):
    result = run_cli(*args, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", f"wsync-lint: error: {line}\n")


# -- exit codes in every --help


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=COMMAND_IDS)
def test_each_help_lists_the_exit_codes_the_command_can_return(run_cli, path, command):
    assert path in options.COMMAND_EXIT_CODES
    result = run_cli(*path.split(), "--help")
    assert (result.code, result.err) == (0, "")
    listed = result.out[result.out.index("\n  Exit codes:\n") :]
    codes = [line.split()[0] for line in listed.splitlines()[2:] if not line.startswith(" " * 11)]
    assert codes == [*map(str, options.COMMAND_EXIT_CODES[path]), "130/143"]


def test_plan_and_the_group_list_their_exit_codes_with_what_they_mean_there(run_cli):
    assert run_cli("plan", "--help").out.endswith(
        "  Exit codes:\n"
        "    0        no blocked change and no finding (changes or not; or --exit-zero)\n"
        "    1        a blocked change or a finding (or any change with\n"
        "             --fail-on-changes)\n"
        "    2        usage, configuration or internal error\n"
        "    3        the API could not be reached, or its credentials are not set\n"
        "    130/143  interrupted (Ctrl-C / SIGTERM)\n"
    )
    assert run_cli("rules", "--help").out.endswith(
        "  Exit codes:\n    0        printed\n    2        usage, configuration or internal error\n"
        "    130/143  interrupted (Ctrl-C / SIGTERM)\n"
    )
    group = run_cli("--help").out
    assert group.startswith(
        "Usage: wsync-lint [OPTIONS] COMMAND [ARGS]...\n\n"
        "  Lint mParticle Warehouse Sync data models before the API or the pipeline\n  rejects them.\n\n"
    )
    assert group.endswith(
        "  Exit codes:\n"
        "    0        nothing at or above the failing severity\n"
        "    1        findings\n"
        "    2        usage, configuration or internal error\n"
        "    3        a warehouse or the API could not be checked or reached\n"
        "    130/143  interrupted (Ctrl-C / SIGTERM)\n"
    )


def test_every_help_starts_without_loading_the_parser_the_drivers_or_http():
    program = (
        "import sys\nfrom wsync_lint.cli.app import main\n"
        f"for path in {[*COMMAND_IDS, '']!r}:\n"
        "    try:\n        main([*path.split(), '--help'])\n    except SystemExit as done:\n"
        "        assert done.code == 0, path\n"
        "heavy = ('sqlglot', 'requests', 'urllib3', 'snowflake', 'google', 'redshift_connector', 'databricks')\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & set(heavy)))\n"
    )
    run = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == "[]", run.stdout[-2000:] + run.stderr


# -- -o: the output in the file, nothing on standard output


def _model_project(root: Path) -> Path:
    """A Snowflake pipeline `p` running model `m` (one identity column and its iterator)."""
    (root / ".git").mkdir(parents=True)
    write(root, "c.json", json.dumps({"id": "sf", "service_provider": "Snowflake", "config": {"role": "R"}}))
    write(root, "m.json", json.dumps({"id": "m", "type": "sql", "config": {"sql_file": "m.sql"}}))
    write(root, "m.sql", "SELECT email, UPDATED_AT FROM db.s.t\n")
    sync = {"type": "incremental", "iterator_field": "UPDATED_AT", "iterator_data_type": "timestamp_ntz"}
    pipeline = {"id": "p", "pipeline_type": "user_attributes", "connection_id": "sf", "data_model_id": "m"}
    write(root, "p.json", json.dumps({**pipeline, "sync_mode": sync}))
    return root


@pytest.mark.parametrize(
    "args",
    [
        ("render", "p", "--until", "2024-01-01T01:00:00Z"),
        ("render", "m", "--format", "json"),
        ("columns", "p"),
        ("columns", "p", "--format", "json"),
        ("grants",),
        ("grants", "--format", "json"),
        ("rules",),
        ("rules", "--format", "json"),
        ("rules", "--format", "markdown"),
    ],
)
def test_output_file_gets_exactly_what_standard_output_would(tmp_path, run_cli, args):
    root = _model_project(tmp_path / "project")
    printed = run_cli(*args, cwd=root)
    assert (printed.code, printed.err) == (0, "")
    assert printed.out.endswith("\n") and not printed.out.endswith("\n\n")
    written = run_cli(*args, "-o", "out.txt", cwd=root)
    assert (written.code, written.out, written.err) == (0, "", "")
    assert (root / "out.txt").read_text(encoding="utf-8") == printed.out


@pytest.mark.parametrize("args", [("render", "p"), ("columns", "p"), ("grants",), ("rules",)])
def test_an_output_file_that_is_a_link_is_refused_before_any_work(tmp_path, run_cli, args):
    root = _model_project(tmp_path / "project")
    (root / "target.txt").write_text("keep\n", encoding="utf-8")
    (root / "link.txt").symlink_to(root / "target.txt")
    (root / "m.sql").unlink()  # any work would now fail on the model
    result = run_cli(*args, "-o", "link.txt", cwd=root)
    assert (result.code, result.out) == (2, "")
    assert result.err == "wsync-lint: error: link.txt: is a symbolic link; wsync-lint never writes through one\n"
    assert (root / "target.txt").read_text(encoding="utf-8") == "keep\n"


# -- rules and explain


def test_rules_prints_a_header_row_aligned_with_its_columns(run_cli):
    from wsync_lint.engine.registry import all_rules

    lines = run_cli("rules").out.splitlines()
    width = max(len(rule.name) for rule in all_rules())
    assert lines[0] == f"code  {'name':<{width}}  severity      fix  summary"
    st03 = next(line for line in lines if line.startswith("ST03 "))
    assert st03.index("trailing-semicolon") == lines[0].index("name")
    assert st03.index("error") == lines[0].index("severity")
    assert st03.index("fix ") == lines[0].index("fix")
    assert st03.index("The query ends") == lines[0].index("summary")
    assert len(lines) == len(all_rules()) + 1


def test_rules_json_lists_every_rule(run_cli):
    from wsync_lint.engine.registry import all_rules

    document = json.loads(run_cli("rules", "--format", "json").out)
    assert [entry["code"] for entry in document] == [rule.code for rule in all_rules()]
    assert next(entry for entry in document if entry["code"] == "ST03") == {
        "code": "ST03",
        "name": "trailing-semicolon",
        "aliases": [],
        "severity": "error",
        "enabled_by_default": True,
        "fixable": True,
        "summary": next(rule.summary for rule in all_rules() if rule.code == "ST03"),
    }


def test_rules_markdown_is_docs_rules_md(run_cli):
    assert run_cli("rules", "--format", "markdown").out == (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("asked", "suggestion"),
    [
        ("ST3", "did you mean `ST03` (trailing-semicolon)? "),
        ("st3", "did you mean `ST03` (trailing-semicolon)? "),
        ("semicolon", "did you mean `ST03` (trailing-semicolon)? "),
        ("SEMICOLON", "did you mean `ST03` (trailing-semicolon)? "),
        ("dangling-refrence", "did you mean `PL07` (dangling-reference)? "),
        ("identity", "did you mean `ID01` (missing-identity), `ID02` (identity-near-miss) or "
                     "`ID03` (duplicate-identity)? "),
        ("XX99", ""),
        ("zzzzzzzz", ""),
    ],
)  # fmt: skip
def test_explain_suggests_the_closest_codes_or_names(run_cli, asked, suggestion):
    result = run_cli("explain", asked)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: unknown rule {asked!r}; {suggestion}`wsync-lint rules` lists them\n"


def test_the_readme_table_of_options_is_what_each_command_has():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| command | takes |") :]
    rows = table[: table.index("\n\n")].splitlines()[2:]
    documented = {}
    for row in rows:
        path, takes, formats, *flags = (cell.strip() for cell in row.strip("|").split("|"))
        shown = {"--format"} if not formats.startswith("-") else set()
        shown |= {name for name, cell in zip(SHARED[1:], flags, strict=True) if cell.startswith("yes")}
        documented[path.strip("`")] = (
            takes.split(",")[0],
            shown,
            tuple(formats.split()) if shown & {"--format"} else (),
        )
    actual = {}
    for path, command in COMMANDS:
        found = _option(command, "--format")
        have = {name for name in SHARED if _option(command, name) is not None}
        actual[path] = (CONVENTIONS[path][0] or "-", have, tuple(found.type.choices) if found else ())
    for path, (how, have, formats) in actual.items():
        takes = {"": "-", "[PIPELINE]...": "[PIPELINE]..."}.get(how, how)
        assert documented[path][1:] == (have, formats), path
        assert documented[path][0] in (takes, "`--out FOLDER`"), path
    assert set(documented) == set(actual)

"""Every command README.md shows runs as written, and every sample it shows is what the command prints.

The README's commands are collected from each line of each ```sh block, each `$ cmd` line of a
```text block, the `run:`/`script:` lines of its CI snippets, and each inline code span that starts
with a program (`wsync-lint`, `pip`, `python`, `pre-commit`, ...). Each one must be covered by a rule:

- RUNS: it runs here, in-process, in a fresh copy of `examples/` (or on the repository, read-only),
  with the exit code the README states; a ```text sample after its `$` line, or a block the README
  introduces as its output (INTRODUCED), must be what it prints: standard output, then standard
  error, line for line, where a `...` line stands for any lines and nothing else is elided;
- STATIC: it cannot run here (an install from an index or a git URL, a warehouse login, the whole
  test suite), so the table says why and checks what can be checked without running it;
- a synopsis (`wsync-lint check [PATHS]...`): the command and its options exist;
- the API walk-through, which tests/api/test_readme_api.py runs against the local fake.

A command no rule covers fails `test_every_readme_command_is_covered`: a README edit cannot add an
untested command. Every `wsync-lint` command is also checked against the command line itself (its
subcommand and options exist), runnable or not.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from difflib import unified_diff
from pathlib import Path

import click
import pytest
import yaml
from packaging.requirements import Requirement

from tests.conftest import REPO, CliResult
from tests.readme_extraction import (
    COMMANDS,
    EXTRAS,
    FENCE,
    PLACEHOLDER,
    PYPROJECT,
    README,
    SHELL_OPERATORS,
    UNPROMPTED,
    Command,
    sample_matches,
    where,
)


@dataclass(frozen=True)
class Run:
    """How a README command runs here and what it must end with."""

    code: int
    why: str  # where the README states (or implies) that exit code
    cwd: str = "."  # in the sandbox: "." holds a copy of examples/, "examples" is that copy
    says: str | None = None  # a line of its output (standard output or error) must hold this
    writes: str | None = None  # a file (relative to cwd) the command must write
    shown_root: str | None = None  # how the sample shows the absolute path of cwd
    files: tuple[tuple[str, str], ...] = ()  # (path relative to cwd, text) written before it runs


@dataclass(frozen=True)
class Static:
    """A README command that cannot run here: why, and what is checked instead."""

    why: str
    check: Callable[[str], None] = field(default=lambda text: None)


def _installs_an_extra(text: str) -> None:
    """`pip install -e '.[x]'` or `pip install 'wsync-lint[x] @ git+...'`: the extras exist, the URL is your copy."""
    requirement = shlex.split(text)[-1]
    if requirement.startswith(".["):
        requirement = f"wsync-lint{requirement[1:]}"
    parsed = Requirement(requirement)
    assert parsed.name == PYPROJECT["project"]["name"] and set(parsed.extras) <= set(EXTRAS), text
    assert parsed.url in (None, "git+https://github.com/<owner>/wsync-lint@<commit>"), parsed.url


def _dev_tools(text: str) -> None:
    """Every tool README.md and CONTRIBUTING.md tell a contributor to run comes with the dev extra."""
    _installs_an_extra("pip install -e '.[dev]'")
    for tool in ("pytest", "ruff", "import-linter", "pre-commit"):
        assert any(re.match(rf"{tool}\b", requirement) for requirement in EXTRAS["dev"]), f"no `{tool}` in dev"


def _read_variable(text: str) -> None:
    """`export NAME=...`: wsync-lint reads NAME."""
    from wsync_lint.live.backend import env_name

    name = text.removeprefix("export ").split("=")[0]
    source = "".join(path.read_text(encoding="utf-8") for path in (REPO / "wsync_lint").rglob("*.py"))
    assert f'"{name}"' in source or env_name("snowflake-prod", name.rsplit("_", 1)[-1]) == name, name


def _ci_installs_standins(text: str) -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install -y -qq postgresql pgbouncer" in ci and "bash tests/live/standins/install.sh" in ci


def _manual_hook(text: str) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks[text.split()[-1]]["stages"] == ["manual"]


def _fake_api_env(text: str) -> None:
    """`--env` only prints the variables (the walk-through's fixture sets the same ones)."""
    args = [sys.executable, "-m", "tests.live.standins.mparticle_api", "8765", "--env"]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert "export WSYNC_LINT_API_ENDPOINT=http://127.0.0.1:8765" in done.stdout.splitlines(), done.stderr


WALK = "the walk-through in tests/api/test_readme_api.py: its `fake_api` fixture starts this fake API and sets these"
GIT_URL = "git+https://github.com/<owner>/wsync-lint@<commit>"
INDEX = "installs from the package index"
PLACEHOLDERS = "your copy and a commit of it are placeholders"
STATIC: dict[str, Static] = {
    "python3 -m venv .venv": Static("creates the virtual environment the tests run in"),
    ". .venv/bin/activate": Static("activates the virtual environment the line before it creates"),
    "pip install -e '.[dev]'": Static(INDEX, _dev_tools),
    "python -m pytest": Static("runs the whole test suite, this test included (CI runs it: .ci/run)"),
    "apt-get install postgresql pgbouncer": Static("root and the Debian archive", _ci_installs_standins),
    "bash tests/live/standins/install.sh": Static(INDEX, _ci_installs_standins),
    "pip install -e '.[snowflake]'": Static(INDEX, _installs_an_extra),
    "pip install wsync-lint": Static(INDEX, _installs_an_extra),
    "pip install -e '.[api]'": Static(INDEX, _installs_an_extra),
    f"pip install 'wsync-lint[snowflake] @ {GIT_URL}'": Static(PLACEHOLDERS, _installs_an_extra),
    f'pip install "wsync-lint @ {GIT_URL}"': Static(PLACEHOLDERS, _installs_an_extra),
    "export WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD=...": Static("a real warehouse password", _read_variable),
    "export WSYNC_LINT_API_CLIENT_ID=...": Static("real API credentials", _read_variable),
    "export WSYNC_LINT_API_CLIENT_SECRET=...": Static("real API credentials", _read_variable),
    "pre-commit run --hook-stage manual wsync-lint-preflight": Static("needs a warehouse login", _manual_hook),
    "wsync-lint preflight . --sample --cost --select LV": Static(
        "runs against the PostgreSQL stand-in: tests/live/test_readme_sample_output.py compares this block with its output"
    ),
    "wsync-lint preflight --api": Static("needs API credentials; the walk-through runs the API commands"),
    "python -m tests.live.standins.mparticle_api 8765 &": Static(f"serves on a fixed port; {WALK}"),
    'eval "$(python -m tests.live.standins.mparticle_api 8765 --env)"': Static(WALK, _fake_api_env),
    "export WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD=example-password": Static(WALK, _read_variable),
    "kill %1": Static("stops the fake API the walk-through started"),
    "ruff check .": Static("lints the whole working tree: a contributor's step", _dev_tools),
    "ruff format --check .": Static("checks the whole working tree's format: a contributor's step", _dev_tools),
    "pip install": Static("names pip's command (the action's Python must accept it)"),
}

FINDINGS = "the examples hold deliberate mistakes: exit 1 (README, first paragraph and Exit codes)"
STANDALONE = "a listing, no findings: exit 0"
UNREACHABLE = "no warehouse login here: exit 3 (Exit codes: `3` a live check could not reach the warehouse)"
RUNS: dict[str, Run] = {
    "wsync-lint check examples/": Run(1, FINDINGS),
    "wsync-lint check --diff examples/": Run(1, FINDINGS),
    "wsync-lint explain ST03": Run(0, STANDALONE),
    "wsync-lint --version": Run(0, STANDALONE),
    "wsync-lint rules --format markdown > docs/rules.md": Run(0, "regenerating the index leaves it unchanged"),
    "wsync-lint render customer-profiles-hourly --until 2024-01-01T01:00:00Z": Run(0, STANDALONE, cwd="examples"),
    "wsync-lint columns customer-profiles-hourly": Run(0, STANDALONE, cwd="examples"),
    "wsync-lint grants examples/": Run(0, STANDALONE),
    "wsync-lint init acme-wsync": Run(0, "init writes a project that passes check: exit 0"),
    "wsync-lint check --show-files": Run(
        0, "--show-files lists what a run would check, checks nothing", cwd="examples"
    ),
    "cat models/bigquery/web_events.sql | wsync-lint check - --stdin-filename models/bigquery/web_events.sql": Run(
        0, "the model has no finding: exit 0", cwd="examples"
    ),
    "wsync-lint check examples/ --select TY01": Run(1, FINDINGS),
    "wsync-lint check --show-settings models/bigquery/web_events.sql": Run(
        0, "nothing is checked: exit 0 (Project roots)", cwd="examples", shown_root="/home/me/acme-wsync"
    ),
    "wsync-lint preflight examples/ --connection snowflake-prod --count": Run(
        3, UNREACHABLE, says="not checked: connection `snowflake-prod`"
    ),
    "wsync-lint preflight examples/ --connection snowflake-prod --sample --cost": Run(
        3, UNREACHABLE, says="not checked: connection `snowflake-prod`"
    ),
    "wsync-lint preflight examples/ --sample=200 --cost --format json -o preflight.json": Run(
        3, UNREACHABLE, says="wsync-lint: not checked: connection `snowflake-prod`", writes="preflight.json"
    ),
    "wsync-lint schema pull examples/": Run(3, UNREACHABLE),
    "wsync-lint check --format github": Run(1, FINDINGS, cwd="examples"),
    "wsync-lint check --format sarif -o wsync-lint.sarif": Run(1, FINDINGS, cwd="examples", writes="wsync-lint.sarif"),
    "wsync-lint check --format junit -o wsync-lint.xml": Run(1, FINDINGS, cwd="examples", writes="wsync-lint.xml"),
    "wsync-lint check --format junit -o wsync-lint.xml --exit-zero": Run(
        0, "--exit-zero", cwd="examples", writes="wsync-lint.xml"
    ),
    "wsync-lint check": Run(1, FINDINGS, cwd="examples"),
    "wsync-lint check --select WL02 -q models/users.sql": Run(
        1,
        "a WL02 finding: exit 1 (A model's own settings)",
        cwd="examples",
        files=(
            ("models/users.sql", "-- wsync-lint: dialect=snowflak\nSELECT customer_id FROM analytics.crm.customers\n"),
        ),
    ),
}

# Text blocks without a `$` line that the README introduces as a command's output: (section, ordinal).
INTRODUCED: dict[tuple[str, int], str] = {
    ("What it catches", 0): "wsync-lint check examples/",
    ("What mParticle will run: `render`", 0): "wsync-lint render customer-profiles-hourly --until 2024-01-01T01:00:00Z",
    ("What mParticle makes of each column: `columns`", 0): "wsync-lint columns customer-profiles-hourly",
    ("Schema snapshots", 0): "wsync-lint check examples/ --select TY01",
}
API_CHAPTER = "The Warehouse Sync API: `plan`, `deploy`, `status`, `import`"
WALK_TEST = (REPO / "tests" / "api" / "test_readme_api.py").read_text(encoding="utf-8")


def _cli_command(words: list[str]) -> tuple[click.Command, list[str]]:
    """The click command a `wsync-lint ...` line names, and the words after the command's name."""
    from wsync_lint.cli.app import cli

    command: click.Command = cli
    words = words[1:]
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        command, words = command.commands[words[0]], words[1:]
    return command, words


def _is_synopsis(command: Command) -> bool:
    words = command.text.split()
    return words[0] == "wsync-lint" and any(PLACEHOLDER.match(word) for word in words[1:])


def rule_of(command: Command) -> str | None:
    """The name of the rule that covers a command, or None."""
    if command.text in STATIC:
        return "static"
    if command.text.startswith("cd "):
        return "cd"
    if command.text in RUNS:
        return "runs"
    if _is_synopsis(command):
        return "synopsis"
    if (
        command.origin == "inline"
        and command.text.startswith("wsync-lint ")
        and not _cli_command(command.text.split())[1]
    ):
        return "mention"  # `wsync-lint preflight` names the command, as a heading would
    if command.chapter == API_CHAPTER and command.text in WALK_TEST:
        return "walk"
    return None


def test_every_readme_command_is_covered():
    uncovered = [str(command) for command in COMMANDS if rule_of(command) is None]
    assert not uncovered, "README commands no rule covers (add each to a table here or make it runnable):\n" + (
        "\n".join(uncovered)
    )


def test_every_table_entry_is_a_readme_command():
    shown = {command.text for command in COMMANDS}
    stale = [text for text in [*STATIC, *RUNS] if text not in shown and text not in INTRODUCED.values()]
    assert not stale, f"table entries the README no longer shows: {stale}"
    blocks = {(section, ordinal) for section, ordinal, _ in UNPROMPTED}
    assert not set(INTRODUCED) - blocks, f"INTRODUCED names blocks that are gone: {set(INTRODUCED) - blocks}"
    assert all(command in RUNS for command in INTRODUCED.values())
    for command in COMMANDS:  # a `cd` leads to a folder, and the commands after it run there
        if rule_of(command) == "cd":
            assert (REPO / command.cwd / command.text[3:]).is_dir(), command
        elif rule_of(command) == "runs" and command.cwd != ".":
            assert RUNS[command.text].cwd == command.cwd, f"{command}: RUNS says it runs in {RUNS[command.text].cwd}"


def test_every_text_block_is_a_sample_of_a_command():
    """A ```text block shows a command's output: after its `$ cmd` line, or listed in INTRODUCED."""
    orphans = [f"{section} (its text block {n})" for section, n, _ in UNPROMPTED if (section, n) not in INTRODUCED]
    assert not orphans, f"text blocks that show no command's output (add a `$ cmd` line): {orphans}"


@pytest.mark.parametrize("command", [c for c in COMMANDS if rule_of(c) == "static"], ids=str)
def test_what_cannot_run_here_is_checked_statically(command: Command):
    STATIC[command.text].check(command.text)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.text.startswith("wsync-lint ")], ids=str)
def test_each_wsync_lint_command_and_option_exists(command: Command):
    words = shlex.split(command.text.replace("[", " ").replace("]", " "))
    words = words[: next((i for i, w in enumerate(words) if w in SHELL_OPERATORS), len(words))]
    cli_command, rest = _cli_command(words)
    if cli_command.name == "cli" and not rest[0].startswith("-"):
        assert _is_synopsis(command) and PLACEHOLDER.match(rest[0]), f"no command `{rest[0]}`"
        return  # `wsync-lint COMMAND --help`: any command
    options = {opt for param in cli_command.params for opt in [*param.opts, *param.secondary_opts]}
    options |= {"-h", "--help"}
    unknown = [
        w.split("=")[0] for w in rest if w.startswith("-") and w not in ("-", "--") and w.split("=")[0] not in options
    ]
    assert not unknown, f"`{cli_command.name}` has no option {unknown}"


def _samples() -> dict[str, tuple[str, ...]]:
    """Each runnable command's sample: after its `$` line, or the block INTRODUCED names."""
    samples = {command.text: command.sample for command in COMMANDS if command.sample is not None}
    for section, ordinal, lines in UNPROMPTED:
        if (section, ordinal) in INTRODUCED:
            samples[INTRODUCED[(section, ordinal)]] = tuple(lines)
    return samples


SAMPLES = _samples()


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a fresh copy of examples/, and an environment without any warehouse or API login."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    for name in ("SNOWFLAKE_PASSWORD", "REDSHIFT_PASSWORD", "GOOGLE_APPLICATION_CREDENTIALS", "DATABRICKS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in [name for name in os.environ if name.startswith(("WSYNC_LINT_", "DATABRICKS_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # google-auth: no probe of a cloud metadata server
    return tmp_path


@pytest.mark.parametrize("text", sorted({c.text for c in COMMANDS if rule_of(c) == "runs"} | set(INTRODUCED.values())))
def test_each_runnable_command_exits_as_the_readme_says_and_prints_its_sample(text: str, sandbox: Path, run_cli):
    run = RUNS[text]
    words = shlex.split(text)
    redirect = words[words.index(">") + 1] if ">" in words else None
    words = words[: words.index(">")] if redirect else words
    cwd = (sandbox / run.cwd).resolve()
    for relative, content in run.files:
        (cwd / relative).parent.mkdir(parents=True, exist_ok=True)
        (cwd / relative).write_text(content, encoding="utf-8")
    if words[0] == "wsync-lint" and not set(words) & {"|", "<", "$(", ";"}:
        result = run_cli(*words[1:], cwd=cwd)
    else:  # the shell matters: run it as a user's shell would, with the installed wsync-lint first on PATH
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        done = subprocess.run(["bash", "-c", text], cwd=cwd, env={**os.environ, "PATH": path}, capture_output=True,
                              text=True, timeout=60, check=False)  # fmt: skip
        result = CliResult(done.returncode, done.stdout, done.stderr)
    assert result.code == run.code, f"`{text}` exited {result.code}, not {run.code} ({run.why}):\n{result.err}"
    if redirect is not None:
        assert result.out == (REPO / redirect).read_text(encoding="utf-8"), f"{redirect} is not what `{text}` writes"
    if run.says is not None:
        assert any(run.says in line for line in (result.out + result.err).splitlines()), result.out + result.err
    if run.writes is not None:
        assert (cwd / run.writes).stat().st_size > 0
    if text in SAMPLES:
        shown = result.out + result.err
        if run.shown_root is not None:
            shown = shown.replace(str(cwd), run.shown_root)
        sample = list(SAMPLES[text])
        same = sample_matches(shown.splitlines(), sample)
        diff = "\n".join(unified_diff(sample, shown.splitlines(), "README sample", "printed", lineterm=""))
        assert same, f"README sample of `{text}` is not what it prints:\n{diff}"


def test_the_api_walkthrough_samples_are_the_ones_its_test_checks():
    """The API chapter's commands run in tests/api/test_readme_api.py, against the local fake, in the
    order the README's samples were made in: every `$` sample of the chapter is one that test checks."""
    from tests.api import test_readme_api as walkthrough

    prompted = {c.text for c in COMMANDS if c.chapter == API_CHAPTER and c.sample is not None}
    assert prompted == set(walkthrough.SAMPLES)
    assert all(rule_of(c) in ("walk", "static", "synopsis", "mention") for c in COMMANDS if c.chapter == API_CHAPTER)


def test_the_python_api_example_prints_what_its_comments_say(sandbox: Path, monkeypatch: pytest.MonkeyPatch):
    (block,) = [m.group("body") for m in FENCE.finditer(README) if m.group("lang") == "python"]
    monkeypatch.chdir(sandbox)
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(compile(block, "README.md (Python API)", "exec"), {})
    expected = [line.split("  # ")[1] for line in block.splitlines() if line.startswith("print(") and "  # " in line]
    assert expected and all(line in printed.getvalue().splitlines() for line in expected), printed.getvalue()


def test_every_yaml_and_toml_block_parses():
    for block in FENCE.finditer(README):
        place = f"README.md:{where(block.start())[0]}"
        if block.group("lang") == "yaml":
            assert yaml.safe_load(block.group("body")) is not None, place
        elif block.group("lang") == "toml":
            tomllib.loads(block.group("body"))


def test_sample_matching_elides_only_at_dot_lines():
    assert sample_matches(["a", "b", "c"], ["a", "...", "c"])
    assert sample_matches(["a", "c"], ["a", "...", "c"])
    assert sample_matches(["a", "b", "c", "d"], ["a", "...", "c", "..."])
    assert not sample_matches(["a", "b", "c"], ["a", "c"])
    assert not sample_matches(["a", "b"], ["a", "b", "c"])
    assert not sample_matches(["a", "b c"], ["a", "b ..."])
    assert not sample_matches(["x", "a"], ["a", "..."])

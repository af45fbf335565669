"""CI integration: the GitHub Action (action.yml), its steps run with bash the way GitHub runs them,
and the README's snippets for GitHub Actions, GitLab CI and pre-commit (their commands are run by
tests/test_readme_commands.py; here, what they wire together).

Each `run:` step's script is run with `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`),
with the step's `env:` evaluated from the inputs, `GITHUB_ACTION_PATH` pointing at a copy of this
checkout and the working folder a copy of `examples/` (a workspace as a user's repository would be).
The `uses:` step (actions/setup-python) cannot run here: a throw-away venv stands in for the Python it
would put on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import REPO
from tests.readme_extraction import EXTRAS, FENCE, README, where

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict] = ACTION["runs"]["steps"]
INPUT_EXPRESSION = re.compile(r"^\$\{\{ inputs\.([a-z-]+) \}\}$")
# The only `if:` form the steps use; any other would need a real expression evaluator.
INPUT_NOT_EMPTY = re.compile(r"^inputs\.([a-z-]+) != ''$")
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

# What `wsync-lint check --format github` prints for examples/ (the README's nine findings).
ANNOTATIONS = [
    "::error file=models/bigquery/support_tickets.sql,line=4,col=5,endLine=4,endColumn=12,title=RF03::"
    "`u.email` is neither aggregated nor in GROUP BY, next to `COUNT(t.id)`"
    "%0Ahint: add `GROUP BY u.email`, or aggregate it (for example `MAX(u.email)`)",
    "::error file=models/bigquery/support_tickets.sql,line=5,col=20,endLine=5,endColumn=43,title=ST05::"
    'double-quoted alias `"count_of_open_tickets"` is a string in BigQuery, not a name'
    "%0Ahint: write `` `count_of_open_tickets` ``: BigQuery quotes names with backticks",
    "::error file=models/databricks/app_devices.sql,line=8,col=5,endLine=8,endColumn=17,title=TY01::"
    "pipeline `app-devices-daily`: output column `updated_at` is `TIMESTAMP_NTZ`, which Warehouse Sync does not"
    " support on Databricks: Databricks Delta Sharing does not currently support the TIMESTAMP_NTZ data type"
    "%0Ahint: cast it in the model (`CAST(... AS TIMESTAMP)`)",
    "::error file=models/snowflake/propensity_scores.sql,line=3,col=5,endLine=3,endColumn=14,title=ID01::"
    "pipeline `propensity-scores-nightly`: no output column is a reserved user or device identity, so mParticle"
    " cannot attach the rows to a profile (reserved names include `customer_id`, `email`, `mpid`, `mp_deviceid`"
    " ...)%0Ahint: select the identity and alias it with its reserved name, e.g. `user_id AS customer_id`",
    "::warning file=models/snowflake/propensity_scores.sql,line=3,col=7,endLine=3,endColumn=14,title=CO04::"
    "pipeline `propensity-scores-nightly`: attribute `user_id` lands in mParticle as `USER_ID` (Snowflake"
    ' upper-cases unquoted names)%0Ahint: quote it to keep the case (`AS "user_id"`), or write it as `USER_ID`',
    "::warning file=models/snowflake/propensity_scores.sql,line=3,col=7,endLine=3,endColumn=14,title=ID02::"
    "`user_id` looks like the reserved identity `customer_id` but is not one: mParticle stores it as a custom"
    " attribute and does not use it to find the profile"
    "%0Ahint: if it is the identity, use the reserved name: `s.user_id AS customer_id`",
    "::warning file=models/snowflake/propensity_scores.sql,line=4,col=7,endLine=4,endColumn=24,title=CO04::"
    "pipeline `propensity-scores-nightly`: attribute `propensity_to_buy` lands in mParticle as `PROPENSITY_TO_BUY`"
    ' (Snowflake upper-cases unquoted names)%0Ahint: quote it to keep the case (`AS "propensity_to_buy"`), or'
    " write it as `PROPENSITY_TO_BUY`",
    "::error file=models/snowflake/propensity_scores.sql,line=7,col=38,endLine=7,endColumn=39,title=ST03::"
    "the query ends with `;`, which breaks mParticle's wrapper `SELECT ... FROM ( <model> )`"
    "%0Ahint: remove the trailing `;`",
    "::error file=pipelines/propensity-scores-nightly.yaml,line=10,col=23,endLine=10,endColumn=32,title=SY03::"
    "`iterator_data_type` `timestamp` of pipeline `propensity-scores-nightly` is not valid on Snowflake (the"
    " warehouse of connection `snowflake-prod`), which takes `timestamp_ltz`, `timestamp_ntz`, `timestamp_tz`,"
    " `datetime`, `date`, `timestamp_unixtime_ms`, `timestamp_unixtime_s`"
    "%0Ahint: write `timestamp_ntz` if that is the Snowflake type of the iterator column",
]


def test_the_action_is_composite_with_four_inputs():
    assert ACTION["runs"]["using"] == "composite"
    defaults = {name: spec.get("default") for name, spec in ACTION["inputs"].items()}
    assert defaults == {"paths": ".", "args": "", "sarif-file": "", "python-version": "3.12"}
    assert not any(spec.get("required") for spec in ACTION["inputs"].values())
    assert [step.get("uses", "run") for step in STEPS] == [
        "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065",  # v5.6.0, pinned by commit
        "run",
        "run",
    ]
    assert STEPS[0]["if"] == "inputs.python-version != ''"
    assert STEPS[0]["with"] == {"python-version": "${{ inputs.python-version }}"}


def test_inputs_reach_the_scripts_only_through_the_environment():
    """An expression inside `run:` is pasted into the script before bash reads it: an input holding
    `$(...)` would run. So every `run:` is free of expressions and every input goes through `env:`."""
    for step in STEPS:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step["name"]
        for value in step.get("env", {}).values():
            assert INPUT_EXPRESSION.match(value), value


@pytest.fixture(scope="module")
def action_python(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A throw-away venv on PATH, as actions/setup-python's Python would be, with the action's install
    step run in it; returns the environment the later steps run in.

    Offline and fast on purpose: the venv sees the packages of the Python running the tests (a .pth
    file naming its site-packages; `--system-site-packages` would only show the base interpreter's),
    `PIP_NO_DEPS=1` keeps pip from fetching the dependencies already there, and with build isolation
    off (`PIP_NO_BUILD_ISOLATION=0`, pip's spelling of `--no-build-isolation`) setuptools comes from
    there too instead of the index. GITHUB_ACTION_PATH is a copy of the checkout because building
    writes `build/` into the source folder, which must not happen in the shared working tree."""
    root = tmp_path_factory.mktemp("action")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (purelib,) = (venv / "lib").glob("python*/site-packages")
    (purelib / "tests-python.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    action_path = root / "action"
    action_path.mkdir()
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy2(REPO / name, action_path / name)
    shutil.copytree(REPO / "wsync_lint", action_path / "wsync_lint", ignore=shutil.ignore_patterns("__pycache__"))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    environment.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        GITHUB_ACTION_PATH=str(action_path),
        PIP_NO_DEPS="1",
        PIP_NO_BUILD_ISOLATION="0",
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS="",
    )
    (install,) = [step for step in STEPS if "pip install" in step.get("run", "")]
    (root / "workspace").mkdir()
    done = _bash(install["run"], environment, root / "workspace")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (venv / "bin" / "wsync-lint").is_file()
    return environment


def _bash(script: str, environment: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a step's script as GitHub's `shell: bash` does: `bash --noprofile --norc -eo pipefail {0}`."""
    path = cwd.parent / f"step-{abs(hash(script))}.sh"
    path.write_text(script, encoding="utf-8")
    command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)


def _run_action(environment: dict[str, str], workspace: Path, **given: str) -> subprocess.CompletedProcess[str]:
    """Run the steps after the install, as GitHub would with these inputs (`with:`), and return the last
    one that ran (a failing step ends the job, as on GitHub)."""
    inputs = {
        name: given.get(name.replace("-", "_"), spec.get("default", "")) for name, spec in ACTION["inputs"].items()
    }
    done = None
    for step in STEPS:
        if "uses" in step or "pip install" in step["run"]:
            continue  # setup-python: the venv stands in for it; the install ran once in the fixture
        condition = step.get("if")
        if condition is not None:
            matched = INPUT_NOT_EMPTY.match(condition)
            assert matched, f"no evaluator for `if: {condition}`"
            if inputs[matched.group(1)] == "":
                continue
        values = {name: inputs[INPUT_EXPRESSION.match(value).group(1)] for name, value in step.get("env", {}).items()}
        done = _bash(step["run"], {**environment, **values}, workspace)
        if done.returncode != 0:
            break
    assert done is not None
    return done


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The repository a workflow checked out: here a copy of examples/."""
    shutil.copytree(REPO / "examples", tmp_path / "repo")
    return tmp_path / "repo"


def test_default_inputs_annotate_every_finding_and_exit_1(action_python, workspace):
    done = _run_action(action_python, workspace)
    assert (done.returncode, done.stdout.splitlines(), done.stderr) == (1, ANNOTATIONS, "")


def test_sarif_file_holds_the_same_nine_findings(action_python, workspace):
    done = _run_action(action_python, workspace, sarif_file="reports/wsync-lint.sarif")
    assert (done.returncode, done.stdout.splitlines()) == (1, ANNOTATIONS)
    sarif = json.loads((workspace / "reports" / "wsync-lint.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, SARIF_SCHEMA)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [result["ruleId"] for result in results] == [line.split("title=")[1][:4] for line in ANNOTATIONS]


def test_paths_and_args_select_what_is_checked(action_python, workspace):
    done = _run_action(action_python, workspace, paths="models/snowflake\npipelines", args="--select ST03 --quiet")
    assert (done.returncode, done.stdout.splitlines()) == (1, [ANNOTATIONS[7]])
    clean = _run_action(action_python, workspace, paths="models/redshift", args="--select ST,SY")
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_a_usage_error_fails_the_step_with_exit_2_before_the_annotations(action_python, workspace):
    done = _run_action(action_python, workspace, args="--select XX99", sarif_file="wsync-lint.sarif")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("wsync-lint: error: ") and done.stderr.count("\n") == 1
    assert not (workspace / "wsync-lint.sarif").exists()


def test_an_input_is_never_run_as_shell_code(action_python, workspace):
    done = _run_action(action_python, workspace, paths="$(touch pwned) ;touch pwned2", args="`touch pwned3`")
    assert done.returncode == 2
    assert sorted(path.name for path in workspace.iterdir() if path.name.startswith("pwned")) == []


# --- the README's snippets ----------------------------------------------------------------------


def _yaml_blocks(chapter: str) -> list[tuple[str, object]]:
    """The text and the parsed content of each ```yaml block of a README chapter."""
    return [
        (block.group("body"), yaml.safe_load(block.group("body")))
        for block in FENCE.finditer(README)
        if block.group("lang") == "yaml" and where(block.start())[2] == chapter
    ]


def test_the_pre_commit_snippet_pins_a_commit_and_names_hooks_that_exist():
    ((text, snippet),) = _yaml_blocks("pre-commit")
    (repo,) = snippet["repos"]
    assert repo["repo"] == "https://github.com/<owner>/wsync-lint" and "your copy of this repository" in text
    assert re.search(r"rev: \w+ +# a commit of your copy \(no release is tagged yet\)", text)
    hooks = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {hook["id"] for hook in repo["hooks"]} <= hooks
    # The driver the manual hook needs, as the prose spells it, is the snowflake extra's pin.
    assert '`additional_dependencies: ["snowflake-connector-python>=4,<5"]`' in README
    assert "snowflake-connector-python>=4,<5" in EXTRAS["snowflake"]


def test_the_github_workflow_uses_the_action_with_its_inputs():
    workflows = [snippet for _, snippet in _yaml_blocks("In CI") if isinstance(snippet, dict) and "jobs" in snippet]
    ((job,),) = [list(workflow["jobs"].values()) for workflow in workflows]
    steps = {step["uses"].split("@")[0]: step for step in job["steps"]}
    ours = steps["<owner>/wsync-lint"]
    assert ours["uses"] == "<owner>/wsync-lint@<commit>"
    assert set(ours["with"]) <= set(ACTION["inputs"])
    upload = steps["github/codeql-action/upload-sarif"]
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"] and upload["if"] == "always()"


def test_the_gitlab_job_keeps_the_junit_report_check_writes():
    ((job,),) = [
        list(snippet.values())
        for _, snippet in _yaml_blocks("In CI")
        if isinstance(snippet, dict) and "jobs" not in snippet
    ]
    assert job["image"] == "python:3.11"
    assert job["artifacts"] == {"when": "always", "reports": {"junit": "wsync-lint.xml"}}
    assert "wsync-lint check --format junit -o wsync-lint.xml --exit-zero" in job["script"]

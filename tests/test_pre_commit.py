"""The pre-commit hooks, run for real: pre-commit from PyPI, `try-repo` against this checkout.

A commit that stages a broken model is refused; once the model is fixed, the hook passes and
the commit goes through.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)


def test_hook_definitions():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    check = hooks["wsync-lint"]
    assert check["entry"] == "wsync-lint check"
    assert check["language"] == "python"
    # Every text file: a data model's sql_file may have any name; check skips what is no model.
    assert check["types"] == ["text"]
    assert "types_or" not in check
    live = hooks["wsync-lint-preflight"]
    assert live["entry"] == "wsync-lint preflight"
    assert live["stages"] == ["manual"]
    assert live["pass_filenames"] is False


def _git_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "project"
    project.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("VIRTUAL_ENV", None)
    for command in (
        ["git", "init", "-q"],
        ["git", "config", "user.email", "ci@example.com"],
        ["git", "config", "user.name", "CI"],
        ["git", "config", "commit.gpgsign", "false"],
    ):
        assert _run(command, project, env).returncode == 0
    return project, env


def test_bad_model_blocks_the_commit_and_good_model_passes(tmp_path):
    project, env = _git_project(tmp_path)
    model = project / "models" / "customers.sql"
    model.parent.mkdir()
    model.write_text("SELECT customer_id\nFROM mp.crm.customers\nWHERE\n", encoding="utf-8")
    _run(["git", "add", "."], project, env)

    failing = _run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "wsync-lint"], project, env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "models/customers.sql:3:1: PS01 [error]" in failing.stdout

    model.write_text("SELECT customer_id\nFROM mp.crm.customers\n", encoding="utf-8")
    _run(["git", "add", "."], project, env)
    passing = _run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "wsync-lint"], project, env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "wsync-lint" in passing.stdout and "Passed" in passing.stdout
    assert _run(["git", "commit", "-q", "-m", "add the customers model"], project, env).returncode == 0


def test_manual_preflight_hook_runs_preflight_on_the_whole_project(tmp_path):
    """The manual-stage hook runs `preflight` (no file names): here the hook's environment has no
    warehouse driver and no credentials, so the connection is not checked, the report says which
    and why, and the hook fails (exit 3)."""
    project, env = _git_project(tmp_path)
    files = {
        "connections/billing.json": '{"id": "billing", "name": "Billing", "state": "active", '
        '"service_provider": "Redshift", "config": {"database": "billing", "host": "127.0.0.1", "port": "9", '
        '"user": "mparticle_sync", "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mp"}}',
        "data-models/plans.json": '{"id": "plans", "name": "Plans", "type": "sql", "state": "active", '
        '"config": {"sql_query": "SELECT customer_id, updated_at FROM public.plans"}}',
        "pipelines/plans.json": '{"id": "plans-daily", "name": "Plans", "pipeline_type": "user_attributes", '
        '"connection_id": "billing", "data_model_id": "plans", "sync_mode": {"type": "incremental", '
        '"iterator_field": "updated_at", "iterator_data_type": "timestamptz"}, '
        '"schedule": {"type": "interval", "frequency": "daily", "start": "2024-06-01T00:00:00Z"}, '
        '"state": "active", "environment": "production"}',
    }
    for relative, text in files.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text, encoding="utf-8")
    _run(["git", "add", "."], project, env)
    args = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "wsync-lint-preflight"]
    run = _run([*args, "--hook-stage", "manual", "--all-files"], project, env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "\nnot checked: connection `billing`: the Redshift driver is not installed" in run.stdout
    assert "\nFound 2 problems (0 errors, 2 warnings) in 3 files; 1 connection not checked.\n" in run.stdout
    assert "- exit code: 3" in run.stdout


def test_the_readme_snippet_as_written_with_a_commit_of_a_clone(tmp_path):
    """README.md's `.pre-commit-config.yaml` as written, `repo:` a clone of this checkout and `rev:` its
    HEAD commit (short, as the snippet shows one): pre-commit checks that commit out, installs it and
    the hook runs (`try-repo` above uses the working tree and never reads `rev:`)."""
    project, env = _git_project(tmp_path)
    clone = tmp_path / "clone"
    assert _run(["git", "clone", "-q", str(REPO), str(clone)], tmp_path, env).returncode == 0
    rev = _run(["git", "rev-parse", "--short", "HEAD"], clone, env).stdout.strip()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    snippet = readme.split("## pre-commit\n\n```yaml\n", 1)[1].split("```", 1)[0]
    assert "https://github.com/<owner>/wsync-lint" in snippet and "rev: 0123abc" in snippet
    config = snippet.replace("https://github.com/<owner>/wsync-lint", str(clone)).replace("rev: 0123abc", f"rev: {rev}")
    (project / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    model = project / "models" / "customers.sql"
    model.parent.mkdir()
    model.write_text('SELECT customer_id AS "customer_id"\nFROM mp.crm.customers;\n', encoding="utf-8")
    _run(["git", "add", "."], project, env)
    run = _run([sys.executable, "-m", "pre_commit", "run", "--all-files"], project, env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "models/customers.sql:2:22: ST03 [error] the query ends with `;`" in run.stdout, run.stdout

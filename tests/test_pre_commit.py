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
    assert set(check["types_or"]) == {"sql", "json", "yaml"}


def test_bad_model_blocks_the_commit_and_good_model_passes(tmp_path):
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

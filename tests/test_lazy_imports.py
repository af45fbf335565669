"""``check`` (the pre-commit path) never loads a warehouse driver or the HTTP library: they are
imported only when ``preflight`` or an API command runs (import-linter keeps them in their own
modules; this proves nothing on the way imports those modules at start-up)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = ("requests", "urllib3", "snowflake", "google", "redshift_connector", "databricks", "httpx")

PROGRAM = f"""
import sys
from wsync_lint.cli.app import main
try:
    main(["check", "examples", "--quiet"])
except SystemExit:
    pass
print(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r})))
"""


def test_check_loads_no_driver_and_no_http_library() -> None:
    run = subprocess.run([sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.stdout.splitlines()[-1] == "[]", run.stdout + run.stderr


def test_the_command_line_help_lists_the_api_commands_without_loading_them() -> None:
    program = PROGRAM.replace('["check", "examples", "--quiet"]', '["--help"]')
    run = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)
    lines = run.stdout.splitlines()
    assert lines[-1] == "[]", run.stdout + run.stderr
    commands = {line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")}
    assert {"plan", "deploy", "status", "import"} <= commands

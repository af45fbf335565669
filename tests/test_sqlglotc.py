"""sqlglotc (the compiled sqlglot, the ``speed`` extra) changes nothing but the speed.

Two throwaway virtual environments are built from a snapshot of this checkout: one with
``pip install '<checkout>[speed]'`` (sqlglotc), one with ``pip install <checkout>`` pinned to the
same sqlglot version (pure Python). Each runs ``python -m wsync_lint check --select ALL --format
json --dialect D`` over the same fixed sample, per dialect:

* 150 plain corpus files and up to 30 Jinja corpus files of the dialect (a seeded draw: the
  Jinja ones are mostly parse failures, the path where error messages and positions come from
  sqlglot's parser);
* every official mParticle example (tests/data/official_examples) and examples/models;

and the two JSON documents must be byte for byte the same.

Comparing two fresh environments (rather than one against the test's own interpreter) keeps the
test meaningful whether or not the developer's environment has sqlglotc installed.

The corpus lives outside the repository (``../shared/corpus``). Without it the test is skipped,
unless ``WSYNC_LINT_REQUIRE_CORPUS=1`` (CI), where a missing corpus is a failure. pip needs the
package index (like tests/test_pre_commit.py); if sqlglotc has no distribution for this platform
at all, the test is skipped: the extra is optional "where it installs".
"""

from __future__ import annotations

import difflib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO

DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
PLAIN_PER_DIALECT = 150
JINJA_PER_DIALECT = 30
SEED = 20240601
PIP_TIMEOUT = 60  # seconds per network operation (pip --timeout)
INSTALL_TIMEOUT = 600  # seconds for a whole pip install
CHECK_TIMEOUT = 300  # seconds for one check process
# What a snapshot of the checkout needs to be installed (pyproject.toml names README.md).
SNAPSHOT = ("pyproject.toml", "README.md", "wsync_lint")
PROBE = (
    "import importlib.metadata as m, json, sqlglot.tokens as t, wsync_lint as w; "
    "print(json.dumps({'sqlglotc': t.SQLGLOTC_INSTALLED, 'sqlglot': m.version('sqlglot'), "
    "'wsync_lint': w.__file__}))"
)


def require_corpus() -> None:
    if all((CORPUS / dialect).is_dir() for dialect in DIALECTS):
        return
    reason = f"the shared corpus {CORPUS} is missing"
    if os.environ.get("WSYNC_LINT_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{reason} and WSYNC_LINT_REQUIRE_CORPUS=1")
    pytest.skip(f"{reason} (set WSYNC_LINT_REQUIRE_CORPUS=1 to make this a failure)")


def sample(dialect: str) -> list[Path]:
    """The fixed sample of one dialect: seeded draws of plain and Jinja corpus files."""
    root = CORPUS / dialect
    files = sorted(p for p in root.rglob("*.sql") if p.is_file())
    plain = [p for p in files if p.relative_to(root).parts[0] != "jinja"]
    jinja = [p for p in files if p.relative_to(root).parts[0] == "jinja"]
    draw = random.Random(f"{SEED}-{dialect}")
    picked = draw.sample(plain, min(PLAIN_PER_DIALECT, len(plain)))
    picked += draw.sample(jinja, min(JINJA_PER_DIALECT, len(jinja)))
    return sorted(picked)


def snapshot(destination: Path) -> Path:
    """A copy of what pip needs from the checkout: pip builds in the source folder (build/,
    *.egg-info), and the checkout itself must not be written to."""
    destination.mkdir(parents=True)
    for name in SNAPSHOT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def clean_env() -> dict[str, str]:
    """The environment for the venvs' processes: nothing may put the checkout on their path."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def make_venv(folder: Path, requirements: list[str]) -> Path:
    """A fresh virtual environment at ``folder`` with ``requirements`` installed; its python."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120, capture_output=True)
    python = folder / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--timeout", str(PIP_TIMEOUT), *requirements],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        env=clean_env(),
        check=False,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if "No matching distribution found for sqlglotc" in output:
            pytest.skip(f"sqlglotc does not install on this platform:\n{output[-1500:]}")
        pytest.fail(f"pip install {' '.join(requirements)} failed ({done.returncode}):\n{output[-3000:]}")
    return python


def probe(python: Path, cwd: Path) -> dict:
    """What ``python`` imports when started in ``cwd`` (as the checks are)."""
    done = subprocess.run(
        [str(python), "-c", PROBE], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout)


def check(python: Path, dialect: str, paths: list[str], cwd: Path) -> str:
    argv = [str(python), "-m", "wsync_lint", "check", "--select", "ALL", "--format", "json", "--dialect", dialect]
    done = subprocess.run(
        [*argv, *paths], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=CHECK_TIMEOUT, check=False
    )
    assert done.returncode in (0, 1), f"{python} check --dialect {dialect} exited {done.returncode}:\n{done.stderr}"
    assert done.stderr == "", f"{python} check --dialect {dialect} wrote to stderr:\n{done.stderr[-3000:]}"
    return done.stdout


def first_difference(pure: str, compiled: str) -> str:
    """The first finding that differs (by path), or a unified diff of the documents."""
    a, b = json.loads(pure), json.loads(compiled)
    header = f"summary: pure {a['summary']} / sqlglotc {b['summary']}\n" if a["summary"] != b["summary"] else ""
    for left, right in zip(a["findings"], b["findings"], strict=False):
        if left != right:
            return f"{header}first differing finding, in {left['path']}:\n  pure:     {left}\n  sqlglotc: {right}"
    diff = difflib.unified_diff(pure.splitlines(), compiled.splitlines(), "pure", "sqlglotc", lineterm="", n=2)
    return header + "\n".join(list(diff)[:60])


def test_sqlglotc_gives_exactly_the_findings_of_pure_sqlglot(tmp_path):
    require_corpus()
    source = snapshot(tmp_path / "checkout")
    compiled = make_venv(tmp_path / "venv-sqlglotc", [f"{source}[speed]"])
    cwd = REPO.parent  # paths in the report: shared/corpus/..., <checkout>/examples/...
    compiled_info = probe(compiled, cwd)
    assert compiled_info["sqlglotc"] is True, f"sqlglotc is installed but inactive: {compiled_info}"
    # The same sqlglot release as the compiled environment: only sqlglotc may differ.
    pure = make_venv(tmp_path / "venv-pure", [str(source), f"sqlglot=={compiled_info['sqlglot']}"])
    pure_info = probe(pure, cwd)
    assert pure_info["sqlglotc"] is False, f"the pure environment has sqlglotc: {pure_info}"
    assert pure_info["sqlglot"] == compiled_info["sqlglot"]
    for info, venv in ((pure_info, "venv-pure"), (compiled_info, "venv-sqlglotc")):
        assert (tmp_path / venv) in Path(info["wsync_lint"]).parents, f"wsync_lint not from the snapshot: {info}"

    shared = sorted((REPO / "tests" / "data" / "official_examples").glob("*.sql"))
    shared += sorted((REPO / "examples").rglob("*.sql"))
    assert shared, "no official examples found"
    compared = 0
    for dialect in DIALECTS:
        files = sample(dialect) + shared
        paths = [os.path.relpath(p, cwd) for p in files]
        pure_out = check(pure, dialect, paths, cwd)
        compiled_out = check(compiled, dialect, paths, cwd)
        document = json.loads(pure_out)
        assert document["summary"]["files"] == len(files)
        if compiled_out != pure_out:
            pytest.fail(
                f"--dialect {dialect}: sqlglotc changes the findings\n{first_difference(pure_out, compiled_out)}"
            )
        compared += len(document["findings"])
    assert compared > 1000  # the sample is not trivially clean

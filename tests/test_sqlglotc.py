"""sqlglotc (the compiled sqlglot, a default dependency where it has a wheel) changes nothing but
the speed, and wsync-lint works without it.

Two throwaway virtual environments are built from a snapshot of this checkout, both with
``pip install <checkout>`` (the default install, which brings sqlglotc on this platform); from one,
sqlglotc is then uninstalled: pure Python, what a platform without a sqlglotc wheel gets. Each runs
``python -m wsync_lint check --no-cache --select ALL --format json --dialect D`` over the same
fixed sample, per dialect:

* 150 plain corpus files and up to 30 Jinja corpus files of the dialect (a seeded draw: the
  Jinja ones are mostly parse failures, the path where error messages and positions come from
  sqlglot's parser);
* every official mParticle example (tests/data/official_examples) and examples/models;

and the two JSON documents must be byte for byte the same.

Comparing two fresh environments (rather than one against the test's own interpreter) keeps the
test meaningful whether or not the developer's environment has sqlglotc installed. A second test
holds the dependency's environment marker to the platforms sqlglotc publishes wheels for, so that
an install elsewhere never tries to compile it.

The corpus lives outside the repository (``../shared/corpus``). Without it the first test is
skipped, unless ``WSYNC_LINT_REQUIRE_CORPUS=1`` (CI), where a missing corpus is a failure. pip needs
the package index (like tests/test_pre_commit.py); if sqlglotc has no wheel for this platform, the
default install has no sqlglotc and the first test is skipped.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

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


def uninstall(python: Path, name: str) -> None:
    """``pip uninstall`` ``name`` from the environment of ``python``."""
    subprocess.run(
        [str(python), "-m", "pip", "uninstall", "--yes", "--quiet", name],
        check=True, capture_output=True, timeout=INSTALL_TIMEOUT, env=clean_env(),
    )  # fmt: skip


def probe(python: Path, cwd: Path) -> dict:
    """What ``python`` imports when started in ``cwd`` (as the checks are)."""
    done = subprocess.run(
        [str(python), "-c", PROBE], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout)


def check(python: Path, dialect: str, paths: list[str], cwd: Path) -> str:
    # --no-cache: the checks run in the checkout's parent folder, which is not the test's to write to.
    argv = [str(python), "-m", "wsync_lint", "check", "--no-cache", "--select", "ALL", "--format", "json"]
    argv += ["--dialect", dialect]
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
    compiled = make_venv(tmp_path / "venv-sqlglotc", [str(source)])
    cwd = REPO.parent  # paths in the report: shared/corpus/..., <checkout>/examples/...
    compiled_info = probe(compiled, cwd)
    if not sqlglotc_requirement().marker.evaluate():
        pytest.skip("the default install leaves sqlglotc out on this platform (no wheel)")
    assert compiled_info["sqlglotc"] is True, f"the default install has no active sqlglotc: {compiled_info}"
    # The same install without sqlglotc: only the compiled build may differ.
    pure = make_venv(tmp_path / "venv-pure", [str(source)])
    uninstall(pure, "sqlglotc")
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


def sqlglotc_requirement() -> Requirement:
    """The sqlglotc dependency of pyproject.toml."""
    with open(REPO / "pyproject.toml", "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    [found] = [Requirement(d) for d in dependencies if Requirement(d).name == "sqlglotc"]
    return found


# Where sqlglotc 30.30.0 publishes wheels (checked with `pip download --only-binary=:all:
# --platform ... sqlglotc==30.30.0`): manylinux x86_64 and aarch64, macOS universal2, win_amd64,
# CPython 3.11-3.15. No wheel: musllinux, ppc64le, s390x, 32-bit and ARM Windows, PyPy.
MARKER_CASES = [
    ("CPython", "linux", "x86_64", True),
    ("CPython", "linux", "aarch64", True),
    ("CPython", "darwin", "arm64", True),
    ("CPython", "darwin", "x86_64", True),
    ("CPython", "win32", "AMD64", True),
    ("CPython", "linux", "ppc64le", False),
    ("CPython", "linux", "s390x", False),
    ("CPython", "linux", "i686", False),
    ("CPython", "win32", "x86", False),
    ("CPython", "win32", "ARM64", False),
    ("PyPy", "linux", "x86_64", False),
]


@pytest.mark.parametrize(("implementation", "platform", "machine", "wanted"), MARKER_CASES)
def test_sqlglotc_is_a_dependency_exactly_where_it_has_a_wheel(implementation, platform, machine, wanted):
    requirement = sqlglotc_requirement()
    assert str(requirement.specifier) == "<31,>=30.30"
    environment = {"platform_python_implementation": implementation, "sys_platform": platform}
    assert requirement.marker.evaluate({**environment, "platform_machine": machine}) is wanted

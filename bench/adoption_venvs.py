"""The adoption bench's virtual environments: this checkout's default install (with sqlglotc), the same
without sqlglotc (pure sqlglot), and sqlfluff.

They are built from a snapshot of the checkout taken when the bench starts (pip builds in its source
folder, and the checkout must not change under a run), each probed for what it really imports.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from common import REPO

SNAPSHOT = ("pyproject.toml", "README.md", "wsync_lint")
PIP_TIMEOUT = 60
PROBE = (
    "import importlib.metadata as m, json, sys\n"
    "info = {'python': sys.version.split()[0]}\n"
    "for name in ('sqlglot', 'sqlglotc', 'wsync-lint', 'sqlfluff'):\n"
    "    try:\n"
    "        info[name] = m.version(name)\n"
    "    except m.PackageNotFoundError:\n"
    "        info[name] = None\n"
    "if info['wsync-lint']:\n"
    "    import sqlglot.tokens, wsync_lint\n"
    "    info['sqlglotc_active'] = sqlglot.tokens.SQLGLOTC_INSTALLED\n"
    "    info['wsync_lint_file'] = wsync_lint.__file__\n"
    "print(json.dumps(info))\n"
)
ENVS = ("pure", "sqlglotc")


@dataclass
class Venv:
    name: str
    root: Path
    info: dict = field(default_factory=dict)

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def script(self, name: str) -> str:
        return str(self.root / "bin" / name)


def snapshot(work: Path) -> tuple[Path, str]:
    """A copy of what pip needs from the checkout (pip builds in the source folder, which must
    not be written to), and a fingerprint of its package sources."""
    destination = work / "checkout"
    destination.mkdir()
    for name in SNAPSHOT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination / name)
    digest = hashlib.sha256()
    for path in sorted((destination / "wsync_lint").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(destination).as_posix().encode() + b"\0" + path.read_bytes())
    return destination, digest.hexdigest()[:12]


def run_pip(venv: Venv, *args: str) -> None:
    argv = [
        venv.python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--timeout",
        str(PIP_TIMEOUT),
    ]
    done = subprocess.run([*argv, *args], capture_output=True, text=True, check=False, timeout=1200)
    if done.returncode != 0:
        sys.exit(f"bench: pip install {' '.join(args)} in {venv.root} failed:\n{(done.stdout + done.stderr)[-3000:]}")


def uninstall(venv: Venv, name: str) -> None:
    """``pip uninstall -y name`` in ``venv`` (nothing to do when it is not installed)."""
    argv = [venv.python, "-m", "pip", "uninstall", "--yes", "--quiet", "--disable-pip-version-check", name]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        sys.exit(f"bench: pip uninstall {name} in {venv.root} failed:\n{(done.stdout + done.stderr)[-3000:]}")


def probe(venv: Venv, cwd: Path) -> dict:
    done = subprocess.run([venv.python, "-c", PROBE], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"bench: {venv.root} is broken:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def ensure_venv(venv: Venv, requirements: list[str], source: Path | None = None) -> bool:
    """Create ``venv`` with ``requirements`` unless it exists; whether it was created.

    The snapshot's path (``source``) changes every run, so the marker names it ``<checkout>``."""
    marker = venv.root / "wsync-bench.json"
    wanted = json.dumps([r.replace(str(source), "<checkout>") if source else r for r in requirements])
    if marker.exists() and marker.read_text() == wanted and Path(venv.python).exists():
        return False
    if venv.root.exists():
        shutil.rmtree(venv.root)
    print(f"creating the {venv.name} environment in {venv.root} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv.root)], check=True, capture_output=True)
    run_pip(venv, *requirements)
    marker.write_text(wanted)
    return True


def prepare_venvs(root: Path, work: Path, sqlfluff_version: str | None) -> tuple[dict[str, Venv], str]:
    """The environments, each probed: the wsync-lint ones hold this run's snapshot."""
    source, fingerprint = snapshot(work)
    venvs = {name: Venv(name, root / name) for name in ENVS}
    speed, pure = venvs["sqlglotc"], venvs["pure"]
    # The default install brings sqlglotc where it has a wheel (this platform: the bench stops
    # otherwise) and pins the sqlglot release; the pure side is the same install without sqlglotc,
    # what a platform without a wheel gets.
    ensure_venv(speed, [str(source)], source)
    sqlglot_version = probe(speed, work)["sqlglot"]
    ensure_venv(pure, [str(source), f"sqlglot=={sqlglot_version}"], source)
    for venv in (speed, pure):  # always this run's checkout, whether the environment is new or kept
        run_pip(venv, "--no-deps", "--force-reinstall", str(source))
    uninstall(pure, "sqlglotc")
    if sqlfluff_version:
        venvs["sqlfluff"] = Venv("sqlfluff", root / "sqlfluff")
        ensure_venv(venvs["sqlfluff"], [f"sqlfluff=={sqlfluff_version}"])
    for venv in venvs.values():
        venv.info = probe(venv, work)
    problems = []
    if pure.info["sqlglotc_active"] or pure.info["sqlglotc"]:
        problems.append(f"the pure environment has sqlglotc: {pure.info}")
    if not speed.info["sqlglotc_active"]:
        problems.append(f"sqlglotc is not active in the default install: {speed.info}")
    if pure.info["sqlglot"] != speed.info["sqlglot"]:
        problems.append(f"sqlglot differs: pure {pure.info['sqlglot']}, sqlglotc {speed.info['sqlglot']}")
    for venv in (pure, speed):
        if venv.root not in Path(venv.info["wsync_lint_file"]).parents:
            problems.append(f"{venv.name} imports wsync_lint from {venv.info['wsync_lint_file']}")
    if sqlfluff_version and venvs["sqlfluff"].info["sqlfluff"] != sqlfluff_version:
        problems.append(f"sqlfluff {venvs['sqlfluff'].info['sqlfluff']} installed, {sqlfluff_version} wanted")
    if problems:
        sys.exit("bench: " + "\n".join(problems))
    return venvs, fingerprint

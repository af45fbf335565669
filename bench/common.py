"""What both benchmarks share: corpus files, timed child runs in alternation, the run's facts, the results files.

bench_check.py and bench_adoption.py measure a whole process the same way: the bare-parse child and
``wsync-lint check`` runs alternate (:func:`alternate`), and a broken run stops the bench so that no
figure is ever taken from it.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
SMALL_SQL = "SELECT customer_id, email FROM mp.crm.customers\n"

# The bare-parse process: nothing but reading files and sqlglot.parse.
BARE_PARSE = textwrap.dedent(
    """
    import logging, sys
    import sqlglot
    from sqlglot.errors import SqlglotError
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    dialect, listing = sys.argv[1], sys.argv[2]
    ok = failed = other = 0
    with open(listing, encoding="utf-8") as handle:
        paths = handle.read().split("\\0")
    for path in paths:
        if not path:
            continue
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        try:
            sqlglot.parse(text, read=dialect)
            ok += 1
        except SqlglotError:
            failed += 1
        except Exception:  # not expected (the baseline saw none); counted, never fatal
            other += 1
    print(ok, failed, other)
    """
)


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_kib: int
    code: int


def median_of(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def fastest(runs: list[Run]) -> float:
    return min(r.wall for r in runs)


def plain_files(corpus: Path, dialect: str, limit: int | None) -> list[Path]:
    """Every plain ``.sql`` file of a dialect (hidden folders included), sorted; ``limit`` keeps an
    evenly spread sample so every source stays represented."""
    root = corpus / dialect
    files = sorted(p for p in root.rglob("*.sql") if p.is_file() and p.relative_to(root).parts[0] != "jinja")
    if limit is not None and len(files) > limit:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def kib(files: list[Path]) -> float:
    return sum(p.stat().st_size for p in files) / 1024


_BYTECODE = Path(tempfile.gettempdir()) / "wsync-lint-bench-bytecode"


def child_env() -> dict[str, str]:
    """The environment of every measured child: this one, with compiled bytecode kept (in a folder
    outside the checkout) even where ``PYTHONDONTWRITEBYTECODE`` is set, as an installed
    wsync-lint has it; otherwise every run would compile the package from source first."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(_BYTECODE)
    return env


def timed(argv: list[str], stdout_path: Path, cwd: Path | None = None) -> tuple[Run, str]:
    """Run ``argv`` to completion: wall time, the child's own CPU time and peak memory, stderr."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=child_env())
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode), stderr


def wsync_lint_script(python: str | None = None) -> str:
    """The ``wsync-lint`` console script beside ``python`` (default: this interpreter), what users run."""
    candidate = Path(python or sys.executable).with_name("wsync-lint")
    if not candidate.exists():
        sys.exit(f"bench: {candidate} not found; activate the project's venv (pip install -e .)")
    return str(candidate)


def check_argv(
    dialect: str,
    files: list[Path],
    cwd: Path,
    jobs: int | None = None,
    script: str | None = None,
    cache_dir: Path | None = None,
) -> list[str]:
    """``wsync-lint check`` of ``files`` (paths relative to ``cwd``), cold (``--no-cache``: every run
    checks every file) unless ``cache_dir`` holds its cache; ``jobs`` None: its default."""
    cache = ["--no-cache"] if cache_dir is None else ["--cache-dir", str(cache_dir)]
    argv = [script or wsync_lint_script(), "check", *cache, "--dialect", dialect, "-q", "--exit-zero"]
    argv += ["--format", "json"]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    argv += [str(p.relative_to(cwd)) for p in files]
    return fits_arg_max(argv, dialect)


def fits_arg_max(argv: list[str], what: str) -> list[str]:
    """``argv``, after making sure it stays well below ``ARG_MAX`` (the bench stops otherwise)."""
    size = sum(len(a) + 1 for a in argv) + sum(len(k) + len(v) + 2 for k, v in os.environ.items())
    if size > os.sysconf("SC_ARG_MAX") // 2:
        sys.exit(f"bench: the argument list for {what} is {size:,} bytes, too close to ARG_MAX")
    return argv


def json_summary(path: Path) -> dict:
    """The ``summary`` object of a JSON report, read from the end of the file.

    The bench process must stay small: a child started from it inherits its peak RSS in
    ``ru_maxrss`` (the high-water mark survives exec), so the full report is never loaded here.
    """
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 4096))
        tail = handle.read().decode("utf-8", errors="replace")
    at = tail.rfind('"summary"')
    if at == -1:
        sys.exit(f"bench: no summary in {path}")
    return json.loads("{" + tail[at:].strip().removesuffix("}") + "}")["summary"]


def write_listing(work: Path, dialect: str, files: list[Path]) -> Path:
    """The NUL-separated file list the bare parse and the in-process child read."""
    listing = work / f"{dialect}.list"
    listing.write_text("\0".join(str(p) for p in files), encoding="utf-8")
    return listing


def bare_parse_argv(python: str, work: Path, dialect: str, listing: Path) -> list[str]:
    bare = work / "bare_parse.py"
    bare.write_text(BARE_PARSE, encoding="utf-8")
    return [python, str(bare), dialect, str(listing)]


@dataclass
class Side:
    """One command measured whole-process, alternating with the other sides of its group."""

    name: str
    argv: list[str]
    kind: str
    """``parse`` (the bare parse: prints ``ok failed other``), ``check`` (a wsync-lint JSON report
    of ``files`` files; exit 0, empty stderr) or ``other`` (any output; exit 0, stderr kept)."""
    files: int
    cwd: Path | None = None
    repeat: int | None = None
    """Runs wanted (None: one per round)."""
    runs: list[Run] = field(default_factory=list)
    last: dict = field(default_factory=dict)
    """What the last run reported: ``ok``/``failed``/``other`` (parse), the JSON ``summary``
    (check), ``stderr`` (other)."""


def alternate(sides: list[Side], rounds: int, work: Path, label: str) -> None:
    """Run every side once per round (until it has its ``repeat`` runs), rotating the order every
    round so a slow spell of the machine hits every side; stop the bench on a broken run."""
    out = work / "side.out"
    for round_ in range(rounds):
        order = sides[round_ % len(sides) :] + sides[: round_ % len(sides)]
        ran = set()
        for side in order:
            if side.repeat is not None and len(side.runs) >= side.repeat:
                continue
            ran.add(side.name)
            run, err = timed(side.argv, out, cwd=side.cwd)
            if run.code != 0 or (err.strip() and side.kind != "other"):
                sys.exit(f"bench: {side.name} of {label} failed ({run.code}): {err.strip()[-2000:]}")
            if side.kind == "parse":
                ok, failed, other = map(int, out.read_text().split())
                if ok + failed + other != side.files:
                    sys.exit(f"bench: {side.name} of {label} parsed {ok + failed + other} files, expected {side.files}")
                side.last = {"ok": ok, "failed": failed, "other": other}
            elif side.kind == "check":
                summary = json_summary(out)
                if summary["files"] != side.files:
                    sys.exit(f"bench: {side.name} checked {summary['files']} files of {label}, expected {side.files}")
                side.last = {"summary": summary}
            else:
                side.last = {"stderr": err.strip()[-2000:]}
            side.runs.append(run)
        print(
            f"  {label} round {round_ + 1}/{rounds}: "
            + "  ".join(f"{side.name} {side.runs[-1].wall:.2f}s" for side in sides if side.name in ran),
            file=sys.stderr,
        )


def environment(python: str | None = None) -> dict:
    """The run's facts for a report's header: versions (of ``python``'s environment), machine, load, commit."""
    # Asked of a child: importing sqlglot here would raise this process's peak RSS, which every
    # child it starts inherits in ru_maxrss.
    probe = (
        "import json, sqlglot, sqlglot.tokens as t, wsync_lint as w; "
        "print(json.dumps([sqlglot.__version__, bool(getattr(t, 'SQLGLOTC_INSTALLED', False)), w.__version__]))"
    )
    done = subprocess.run([python or sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    sqlglot_version, sqlglotc, version = json.loads(done.stdout)
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": platform.python_version(),
        "sqlglot": sqlglot_version,
        "sqlglotc": sqlglotc,
        "wsync_lint": version,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "loadavg_start": os.getloadavg(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_files": len([line for line in _git("status", "--porcelain").splitlines() if line.strip()]),
    }


def _git(*args: str) -> str:
    """Read-only git queries, for the report's header ('' when git is unavailable)."""
    try:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ""
    return done.stdout.strip()


def publish(report: str, raw: dict, output: Path | None, name: str) -> None:
    """Print ``report``; write it to ``output`` (default ``bench/results/<name>-<time>.md``) and ``raw`` to the
    ``.json`` beside it."""
    print(report)
    output = output or REPO / "bench" / "results" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    output.with_suffix(".json").write_text(json.dumps(raw, indent=2, default=str), encoding="utf-8")
    print(f"\n(written to {output} and {output.with_suffix('.json').name})", file=sys.stderr)

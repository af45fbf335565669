#!/usr/bin/env python3
"""How much does ``wsync-lint check`` cost on top of bare sqlglot parsing?  (run by hand)

For each dialect, on the plain corpus files (``<corpus>/<dialect>/**.sql`` outside ``jinja/``):

* whole process, interpreter start to exit, alternating and repeated:
  (a) a bare-parse process: read every file, ``sqlglot.parse(text, read=dialect)``, catch
      sqlglot's errors;
  (b) ``wsync-lint check --dialect D -q --exit-zero --format json <files>``;
* in process: the summed per-file time of ``sqlglot.parse`` against the summed per-file time of
  the engine's check (``wsync_lint.engine.python_api.lint_string``) on the same in-memory texts;

plus start-up (``wsync-lint --version``, a one-file check) and ``python -X importtime`` evidence
that no warehouse driver is imported by ``check``.

Read the ratios, not the absolute times: the machine is shared and noisy. See bench/README.md.

    python bench/bench_check.py                    # full run, 3 repeats
    python bench/bench_check.py --limit 50 --repeat 1 --dialects redshift
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
# A module whose top-level package is one of these is a warehouse driver (or its SDK).
DRIVER_PACKAGES = ("snowflake", "redshift_connector", "databricks", "google.cloud", "pyarrow", "pandas")
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


@dataclass
class DialectResult:
    dialect: str
    files: int
    kib: float
    parse_runs: list[Run] = field(default_factory=list)
    check_runs: list[Run] = field(default_factory=list)
    """``check`` as users run it (its default --jobs: every CPU above 48 files)."""
    serial_runs: list[Run] = field(default_factory=list)
    """``check --jobs 1``: one process, like the bare parse (empty if --jobs does not exist)."""
    parse_ok: int = 0
    parse_failed: int = 0
    parse_other: int = 0
    check_files: int = 0
    check_findings: int = 0
    in_parse: list[float] = field(default_factory=list)
    in_check: list[float] = field(default_factory=list)
    in_files: int = 0
    breakdown: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def _median(runs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    def summary(self) -> dict:
        med = self._median
        parse_s, check_s = med(self.parse_runs, "wall"), med(self.check_runs, "wall")
        parse_cpu = med(self.parse_runs, "cpu")
        in_parse, in_check = statistics.median(self.in_parse), statistics.median(self.in_check)
        fastest_parse = min(r.wall for r in self.parse_runs)
        summary = {
            "dialect": self.dialect,
            "files": self.files,
            "kib": self.kib,
            "parse_s": parse_s,
            "check_s": check_s,
            "ratio": check_s / parse_s,
            "ratio_fastest": min(r.wall for r in self.check_runs) / fastest_parse,
            "cpu_ratio": med(self.check_runs, "cpu") / parse_cpu,
            "files_per_s": self.files / check_s,
            "parse_files_per_s": self.files / parse_s,
            "parse_rss_mib": med(self.parse_runs, "max_rss_kib") / 1024,
            "check_rss_mib": med(self.check_runs, "max_rss_kib") / 1024,
            "in_parse_s": in_parse,
            "in_check_s": in_check,
            "in_ratio": in_check / in_parse,
            "in_files": self.in_files,
            "parse_failed": self.parse_failed,
            "parse_other": self.parse_other,
            "check_findings": self.check_findings,
        }
        if self.serial_runs:
            serial_s = med(self.serial_runs, "wall")
            summary |= {
                "serial_s": serial_s,
                "serial_ratio": serial_s / parse_s,
                "serial_ratio_fastest": min(r.wall for r in self.serial_runs) / fastest_parse,
                "serial_cpu_ratio": med(self.serial_runs, "cpu") / parse_cpu,
                "serial_rss_mib": med(self.serial_runs, "max_rss_kib") / 1024,
            }
        return summary


def plain_files(corpus: Path, dialect: str, limit: int | None) -> list[Path]:
    """Every plain ``.sql`` file of a dialect (hidden folders included), sorted; ``limit`` keeps an
    evenly spread sample so every source stays represented."""
    root = corpus / dialect
    files = sorted(p for p in root.rglob("*.sql") if p.is_file() and p.relative_to(root).parts[0] != "jinja")
    if limit is not None and len(files) > limit:
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def timed(argv: list[str], stdout_path: Path, cwd: Path | None = None) -> tuple[Run, str]:
    """Run ``argv`` to completion: wall time, the child's own CPU time and peak memory, stderr."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd)
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
    dialect: str, files: list[Path], cwd: Path, jobs: int | None = None, script: str | None = None
) -> list[str]:
    """``wsync-lint check`` of ``files`` (paths relative to ``cwd``); ``jobs`` None: its default."""
    argv = [script or wsync_lint_script(), "check", "--dialect", dialect, "-q", "--exit-zero", "--format", "json"]
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


def has_jobs_option() -> bool:
    done = subprocess.run([wsync_lint_script(), "check", "--help"], capture_output=True, text=True, check=False)
    return "--jobs" in done.stdout


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


def whole_process(
    result: DialectResult, files: list[Path], corpus: Path, repeat: int, work: Path, serial: bool
) -> None:
    dialect = result.dialect
    cwd = corpus / dialect
    listing = write_listing(work, dialect, files)
    sides = [
        Side("parse", bare_parse_argv(sys.executable, work, dialect, listing), "parse", len(files)),
        Side("check", check_argv(dialect, files, cwd), "check", len(files), cwd),
    ]
    if serial:
        sides.append(Side("check -j1", check_argv(dialect, files, cwd, jobs=1), "check", len(files), cwd))
    alternate(sides, repeat, work, dialect)
    result.parse_runs, result.check_runs = sides[0].runs, sides[1].runs
    result.serial_runs = sides[2].runs if serial else []
    parsed = sides[0].last
    result.parse_ok, result.parse_failed, result.parse_other = parsed["ok"], parsed["failed"], parsed["other"]
    summary = sides[-1].last["summary"]
    result.check_files = summary["files"]
    result.check_findings = summary["errors"] + summary["warnings"]


def in_process_child(dialect: str, listing: str, repeat: int, with_breakdown: bool = True) -> None:
    """(child mode) Summed per-file parse and check times, ``repeat`` alternating passes, as JSON."""
    import logging

    import sqlglot
    from sqlglot.errors import SqlglotError

    from wsync_lint.engine.config import DEFAULT_MAX_FILE_SIZE
    from wsync_lint.engine.python_api import lint_string

    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    paths = [p for p in Path(listing).read_text(encoding="utf-8").split("\0") if p]
    texts = []
    for path in paths:
        data = Path(path).read_bytes()
        if len(data) <= DEFAULT_MAX_FILE_SIZE:  # the CLI would not parse a larger file (PS02)
            texts.append((path, data, data.decode("utf-8", errors="replace")))
    clock = time.perf_counter
    parse_totals, check_totals = [], []
    for round_ in range(repeat):
        for which in ("parse", "check") if round_ % 2 == 0 else ("check", "parse"):
            total = 0.0
            for path, data, text in texts:
                start = clock()
                if which == "parse":
                    try:  # noqa: SIM105 - a bare try costs less than contextlib.suppress inside the timing
                        sqlglot.parse(text, read=dialect)
                    except SqlglotError:
                        pass
                else:
                    lint_string(data, dialect=dialect, path=path)
                total += clock() - start
            (parse_totals if which == "parse" else check_totals).append(total)
    print(
        json.dumps(
            {
                "files": len(texts),
                "parse": parse_totals,
                "check": check_totals,
                "breakdown": breakdown(texts, dialect) if with_breakdown else {},
            }
        )
    )


def breakdown(texts: list[tuple[str, bytes, str]], dialect: str) -> dict[str, float]:
    """(child mode) One extra check pass with the engine's stages and every rule timed.

    The engine's functions are wrapped at run time (nothing in the package changes); the wrappers
    add a little overhead, so this pass is not the one the ratios come from.
    """
    import dataclasses

    from wsync_lint.engine.model_check import model_check as engine
    from wsync_lint.engine.python_api import lint_string

    spent: dict[str, float] = {}
    clock = time.perf_counter

    def timed_call(name, function):
        def wrapper(*args, **kwargs):
            start = clock()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + clock() - start

        return wrapper

    def timed_rule(rule):
        def check(ctx, options):
            start = clock()
            try:
                return iter(list(rule.check(ctx, options)))
            finally:
                spent[f"rule {rule.code}"] = spent.get(f"rule {rule.code}", 0.0) + clock() - start

        return dataclasses.replace(rule, check=check)

    stages = {
        "scan": "tokenize + comments",
        "read_directives": "directive comments",
        "parse_tokens": "parse",
        "parses_in": "PS01 probe of the other dialects",
    }
    saved = {name: getattr(engine, name) for name in (*stages, "all_rules")}
    rules = tuple(timed_rule(rule) for rule in engine.all_rules())
    try:
        for name, label in stages.items():
            setattr(engine, name, timed_call(label, saved[name]))
        engine.all_rules = lambda: rules
        start = clock()
        for path, data, _ in texts:
            lint_string(data, dialect=dialect, path=path)
        total = clock() - start
    finally:
        for name, function in saved.items():
            setattr(engine, name, function)
    spent["engine: positions, violations, suppressions, the rest"] = total - sum(spent.values())
    spent["total"] = total
    return spent


def in_process(
    result: DialectResult, work: Path, repeat: int, python: str | None = None, with_breakdown: bool = True
) -> None:
    """The in-process figures of ``result``'s dialect, in a child run by ``python`` (default: this
    interpreter), on the listing :func:`write_listing` wrote."""
    listing = work / f"{result.dialect}.list"
    argv = [
        python or sys.executable,
        __file__,
        "--_in-process",
        result.dialect,
        str(listing),
        str(repeat),
        "1" if with_breakdown else "0",
    ]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"bench: in-process run of {result.dialect} failed: {completed.stderr.strip()[-2000:]}")
    data = json.loads(completed.stdout)
    result.in_files, result.in_parse, result.in_check = data["files"], data["parse"], data["check"]
    result.breakdown = data["breakdown"]


def startup(work: Path, runs: int = 10) -> dict:
    """Median whole-process times of tiny runs: the fixed cost every pre-commit call pays."""
    small = work / "small.sql"
    small.write_text(SMALL_SQL, encoding="utf-8")
    script = wsync_lint_script()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import sqlglot'": [sys.executable, "-c", "import sqlglot"],
        "wsync-lint --version": [script, "--version"],
        "wsync-lint check <one small file>": [script, "check", "-q", str(small)],
    }
    found: dict[str, dict] = {}
    for name, argv in cases.items():
        walls = []
        for _ in range(runs):
            run, err = timed(argv, work / "startup.out")
            if run.code not in (0, 1) or err.strip():
                sys.exit(f"bench: {name} failed ({run.code}): {err.strip()}")
            walls.append(run.wall)
        found[name] = {"median_ms": statistics.median(walls) * 1000, "min_ms": min(walls) * 1000}
    return found


def import_evidence(work: Path, top: int = 12) -> dict:
    """``python -X importtime -m wsync_lint check <file>``: total, top imports, any driver."""
    small = work / "small.sql"
    small.write_text(SMALL_SQL, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wsync_lint", "check", "-q", str(small)],
        capture_output=True,
        text=True,
        check=False,
    )
    entries = []  # (module, self_us, cumulative_us, depth)
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
        depth = (len(name) - len(name.lstrip())) // 2
        entries.append((name.strip(), int(self_us), int(cumulative_us), depth))
    total_us = sum(e[1] for e in entries)
    top_level = sorted((e for e in entries if e[3] <= 1), key=lambda e: -e[2])[:top]
    by_package: dict[str, int] = {}
    for module, self_us, _, _ in entries:
        by_package[module.split(".")[0]] = by_package.get(module.split(".")[0], 0) + self_us
    drivers = sorted({m for m, *_ in entries if any(m == d or m.startswith(d + ".") for d in DRIVER_PACKAGES)})
    return {
        "exit_code": completed.returncode,
        "modules": len(entries),
        "total_ms": total_us / 1000,
        "top": [{"module": m, "self_ms": s / 1000, "cumulative_ms": c / 1000} for m, s, c, _ in top_level],
        "by_package_ms": dict(sorted(((k, v / 1000) for k, v in by_package.items()), key=lambda kv: -kv[1])[:8]),
        "driver_modules": drivers,
        "checked_for": list(DRIVER_PACKAGES),
    }


def environment(python: str | None = None) -> dict:
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


def render(env: dict, results: list[DialectResult], start: dict, imports: dict, repeat: int) -> str:
    rows = [r.summary() for r in results]
    lines = [
        "# wsync-lint check vs bare sqlglot parse",
        "",
        f"{env['when']}; Python {env['python']}, sqlglot {env['sqlglot']} "
        f"({'sqlglotc compiled' if env['sqlglotc'] else 'pure Python'}), wsync-lint {env['wsync_lint']}, "
        f"commit {env['commit'] or '?'} with {env['uncommitted_files']} uncommitted files; "
        f"{env['cpus']} CPUs; load average {env['loadavg_start'][0]:.2f} at start, "
        f"{env['loadavg_end'][0]:.2f} at end.",
        f"Median of {repeat} alternating runs per side. Read the ratios; absolute times move with the machine's load.",
        "",
        "## Whole process (interpreter start to exit), plain corpus files",
        "",
        "`check` is the command as users run it: with more than 48 files it uses every CPU "
        f"({env['cpus']} here) while the bare parse uses one. `check -j1` is one process, like the parse: "
        "that ratio is the like-for-like cost of linting.",
        "",
        "| dialect | files | KiB | parse s | check s | ratio check/parse | check -j1 s | ratio -j1/parse "
        "| ratio -j1, fastest runs | CPU ratio check / -j1 | files/s (check) | files/s (parse) | peak MiB parse / check / -j1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in rows:
        serial = "serial_s" in s
        lines.append(
            f"| {s['dialect']} | {s['files']:,} | {s['kib']:,.0f} | {s['parse_s']:.2f} | {s['check_s']:.2f} | "
            f"{s['ratio']:.2f}x | "
            + (
                f"{s['serial_s']:.2f} | {s['serial_ratio']:.2f}x | {s['serial_ratio_fastest']:.2f}x | "
                if serial
                else "- | - | - | "
            )
            + f"{s['cpu_ratio']:.2f}x / "
            + (f"{s['serial_cpu_ratio']:.2f}x" if serial else "-")
            + f" | {s['files_per_s']:.0f} | {s['parse_files_per_s']:.0f} | "
            f"{s['parse_rss_mib']:.0f} / {s['check_rss_mib']:.0f} / "
            + (f"{s['serial_rss_mib']:.0f}" if serial else "-")
            + " |"
        )
    lines += [
        "",
        "## In process (summed per-file time, no start-up, no file I/O)",
        "",
        "One process, one CPU: `sqlglot.parse` against `wsync_lint.engine.python_api.lint_string` (default rules) per file.",
        "",
        "| dialect | files | parse s | check s | ratio check/parse | sqlglot parse failures | findings (check) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in rows:
        failed = f"{s['parse_failed']:,}" + (f" (+{s['parse_other']} other exceptions)" if s["parse_other"] else "")
        lines.append(
            f"| {s['dialect']} | {s['in_files']:,} | {s['in_parse_s']:.2f} | {s['in_check_s']:.2f} | "
            f"{s['in_ratio']:.2f}x | {failed} | {s['check_findings']:,} |"
        )
    lines += [
        "",
        "### Where the check time goes (one extra in-process pass, stages and rules wrapped in timers)",
        "",
        "| stage | " + " | ".join(s["dialect"] for s in rows) + " |",
        "|---|" + "---:|" * len(rows),
    ]
    stage_names: list[str] = []
    for result in results:
        for name in result.breakdown:
            if name not in stage_names and name != "total":
                stage_names.append(name)
    rule_names = sorted(
        (n for n in stage_names if n.startswith("rule ")), key=lambda n: -sum(r.breakdown.get(n, 0.0) for r in results)
    )
    shown = [n for n in stage_names if not n.startswith("rule ") and not n.startswith("engine")]
    shown += ["all rules"] + rule_names[:8] + [n for n in stage_names if n.startswith("engine")] + ["total"]
    for name in shown:
        cells = []
        for result in results:
            b = result.breakdown
            value = sum(v for k, v in b.items() if k.startswith("rule ")) if name == "all rules" else b.get(name, 0.0)
            cells.append(f"{value:.2f} s ({100 * value / b['total']:.0f} %)" if b.get("total") else "-")
        label = f"  {name}" if name.startswith("rule ") else name
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Start-up (median of 10 whole-process runs)",
        "",
        "| command | median ms | min ms |",
        "|---|---:|---:|",
    ]
    for name, figures in start.items():
        lines.append(f"| `{name}` | {figures['median_ms']:.0f} | {figures['min_ms']:.0f} |")
    lines += [
        "",
        "## Imports of `python -X importtime -m wsync_lint check <one file>`",
        "",
        f"{imports['modules']} modules, {imports['total_ms']:.0f} ms of import time in total (sum of self times; "
        f"exit code {imports['exit_code']}).",
        "",
        "Warehouse drivers imported: "
        + (", ".join(imports["driver_modules"]) if imports["driver_modules"] else "none")
        + f" (looked for {', '.join(imports['checked_for'])}).",
        "",
        "| import (top two nesting levels, by cumulative time) | cumulative ms | self ms |",
        "|---|---:|---:|",
    ]
    for entry in imports["top"]:
        lines.append(f"| {entry['module']} | {entry['cumulative_ms']:.1f} | {entry['self_ms']:.1f} |")
    lines += [
        "",
        "Import time by package (sum of self times): "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in imports["by_package_ms"].items()),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--_in-process":
        in_process_child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:6] != ["0"])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialects", default=",".join(DIALECTS), help="comma-separated (default: all four)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side and dialect (default 3)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"default {DEFAULT_CORPUS}")
    parser.add_argument("--limit", type=int, help="at most N files per dialect (a quick run)")
    parser.add_argument("--output", type=Path, help="report file (default bench/results/check-<time>.md)")
    args = parser.parse_args()
    dialects = [d.strip() for d in args.dialects.split(",") if d.strip()]
    unknown = [d for d in dialects if d not in DIALECTS]
    if unknown or not dialects:
        parser.error(f"unknown dialect(s) {unknown}; choose from {', '.join(DIALECTS)}")
    if not args.corpus.is_dir():
        parser.error(f"corpus folder {args.corpus} not found (--corpus)")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    env = environment()
    serial = has_jobs_option()
    results = []
    with tempfile.TemporaryDirectory(prefix="wsync-bench-") as tmp:
        work = Path(tmp)
        for dialect in dialects:
            files = plain_files(args.corpus, dialect, args.limit)
            if not files:
                parser.error(f"no plain .sql files under {args.corpus / dialect}")
            result = DialectResult(dialect, len(files), sum(p.stat().st_size for p in files) / 1024)
            print(f"{dialect}: {len(files)} files", file=sys.stderr)
            whole_process(result, files, args.corpus, args.repeat, work, serial)
            in_process(result, work, args.repeat)
            results.append(result)
        print("start-up ...", file=sys.stderr)
        start = startup(work)
        imports = import_evidence(work)
    env["loadavg_end"] = os.getloadavg()
    report = render(env, results, start, imports, args.repeat)
    print(report)
    output = args.output or REPO / "bench" / "results" / f"check-{time.strftime('%Y%m%d-%H%M%S')}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    raw = {
        "environment": env,
        "dialects": [{**asdict(r), "summary": r.summary()} for r in results],
        "startup": start,
        "imports": imports,
        "argv": sys.argv,
    }
    output.with_suffix(".json").write_text(json.dumps(raw, indent=2, default=str), encoding="utf-8")
    print(f"\n(written to {output} and {output.with_suffix('.json').name})", file=sys.stderr)


if __name__ == "__main__":
    main()

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
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from common import (
    DEFAULT_CORPUS,
    DIALECTS,
    SMALL_SQL,
    Run,
    Side,
    alternate,
    bare_parse_argv,
    check_argv,
    environment,
    fastest,
    kib,
    median_of,
    plain_files,
    publish,
    timed,
    write_listing,
    wsync_lint_script,
)
from in_process import in_process

# A module whose top-level package is one of these is a warehouse driver (or its SDK).
DRIVER_PACKAGES = ("snowflake", "redshift_connector", "databricks", "google.cloud", "pyarrow", "pandas")


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

    def summary(self) -> dict:
        med = median_of
        parse_s, check_s = med(self.parse_runs, "wall"), med(self.check_runs, "wall")
        parse_cpu = med(self.parse_runs, "cpu")
        in_parse, in_check = statistics.median(self.in_parse), statistics.median(self.in_check)
        fastest_parse = fastest(self.parse_runs)
        summary = {
            "dialect": self.dialect,
            "files": self.files,
            "kib": self.kib,
            "parse_s": parse_s,
            "check_s": check_s,
            "ratio": check_s / parse_s,
            "ratio_fastest": fastest(self.check_runs) / fastest_parse,
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
                "serial_ratio_fastest": fastest(self.serial_runs) / fastest_parse,
                "serial_cpu_ratio": med(self.serial_runs, "cpu") / parse_cpu,
                "serial_rss_mib": med(self.serial_runs, "max_rss_kib") / 1024,
            }
        return summary


def has_jobs_option() -> bool:
    done = subprocess.run([wsync_lint_script(), "check", "--help"], capture_output=True, text=True, check=False)
    return "--jobs" in done.stdout


def whole_process(
    result: DialectResult, files: list[Path], listing: Path, corpus: Path, repeat: int, work: Path, serial: bool
) -> None:
    dialect = result.dialect
    cwd = corpus / dialect
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


def startup(work: Path, runs: int = 10) -> dict:
    """Median whole-process times of tiny runs: the fixed cost every pre-commit call pays."""
    small = work / "small.sql"
    small.write_text(SMALL_SQL, encoding="utf-8")
    script = wsync_lint_script()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import sqlglot'": [sys.executable, "-c", "import sqlglot"],
        "wsync-lint --version": [script, "--version"],
        "wsync-lint check <one small file>": [script, "check", "--no-cache", "-q", str(small)],
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
        [sys.executable, "-X", "importtime", "-m", "wsync_lint", "check", "--no-cache", "-q", str(small)],
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
        "| ratio -j1, fastest runs | CPU ratio check / -j1 | files/s (check) | files/s (parse) "
        "| peak MiB parse / check / -j1 |",
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
        "One process, one CPU: `sqlglot.parse` against `wsync_lint.engine.python_api.lint_string` "
        "(default rules) per file.",
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
            result = DialectResult(dialect, len(files), kib(files))
            print(f"{dialect}: {len(files)} files", file=sys.stderr)
            listing = write_listing(work, dialect, files)
            whole_process(result, files, listing, args.corpus, args.repeat, work, serial)
            times = in_process(dialect, listing, args.repeat)
            result.in_files, result.in_parse, result.in_check = times.files, times.parse, times.check
            result.breakdown = times.breakdown
            results.append(result)
        print("start-up ...", file=sys.stderr)
        start = startup(work)
        imports = import_evidence(work)
    env["loadavg_end"] = os.getloadavg()
    report = render(env, results, start, imports, args.repeat)
    raw = {
        "environment": env,
        "dialects": [{**asdict(r), "summary": r.summary()} for r in results],
        "startup": start,
        "imports": imports,
        "argv": sys.argv,
    }
    publish(report, raw, args.output, "check")


if __name__ == "__main__":
    main()

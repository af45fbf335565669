#!/usr/bin/env python3
"""The adoption figures in one run: --jobs scaling, check vs bare parse, wsync-lint vs sqlfluff.

(run by hand; see bench/README.md)

Three throwaway virtual environments are made from a snapshot of this checkout (so the code
measured is the checkout as it was when the bench started, even if it changes meanwhile):

* ``pure``:     ``pip install <checkout>`` (pure-Python sqlglot; the default install);
* ``sqlglotc``: ``pip install '<checkout>[speed]'`` (the compiled sqlglot build);
* ``sqlfluff``: ``pip install sqlfluff==<pinned>``, in its own environment (never a project
  dependency).

Then, in both wsync-lint environments:

(a) whole corpus (plain files of the four dialects): files/s of ``wsync-lint check --jobs 1``
    and ``--jobs 2``, whole process, alternating, medians; the ratio jobs 2 / jobs 1;
(b) ``check --jobs 1`` time / bare ``sqlglot.parse`` time, whole process (same runs as (a))
    and in process, per dialect and in total (bench_check.py's measurement);
(c) ``sqlfluff lint --dialect D -p 1 --disable-progress-bar --nofail`` time / ``wsync-lint
    check --jobs 1`` time on the same subset per dialect (200 random plain files of at most
    20,000 bytes, fixed seed: the method of shared/design/perf-baseline.md), and ``-p 2`` /
    ``--jobs 2``.

    python bench/bench_adoption.py                                    # everything (~12 min on 2 cores)
    python bench/bench_adoption.py --limit 40 --repeat 1 --venvs /tmp/wsync-bench-venvs   # quick look
    python bench/bench_adoption.py --dialects databricks --no-sqlfluff
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bench_check as bc

SQLFLUFF_VERSION = "4.5.0"  # the version of shared/design/perf-baseline.md
SUBSET_SEED = 20240601  # the seed of perf-baseline.md's subsets
SUBSET_SIZE = 200
SUBSET_MAX_BYTES = 20_000  # sqlfluff's default large_file_skip_byte_limit: it lints every file
SQLFLUFF_DIALECT = {
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
}
TARGETS = {"sqlfluff": 20.0, "parse": 1.5, "jobs": 1.6}
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


# --------------------------------------------------------------------------------------------
# Environments
# --------------------------------------------------------------------------------------------


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
        source = bc.REPO / name
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
    # The speed extra first: sqlglotc pins the sqlglot release, and the pure side gets the same.
    ensure_venv(speed, [f"{source}[speed]"], source)
    sqlglot_version = probe(speed, work)["sqlglot"]
    ensure_venv(pure, [str(source), f"sqlglot=={sqlglot_version}"], source)
    for venv in (speed, pure):  # always this run's checkout, whether the environment is new or kept
        run_pip(venv, "--no-deps", "--force-reinstall", str(source))
    if sqlfluff_version:
        venvs["sqlfluff"] = Venv("sqlfluff", root / "sqlfluff")
        ensure_venv(venvs["sqlfluff"], [f"sqlfluff=={sqlfluff_version}"])
    for venv in venvs.values():
        venv.info = probe(venv, work)
    problems = []
    if pure.info["sqlglotc_active"] or pure.info["sqlglotc"]:
        problems.append(f"the pure environment has sqlglotc: {pure.info}")
    if not speed.info["sqlglotc_active"]:
        problems.append(f"sqlglotc is not active in the speed environment: {speed.info}")
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


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def subset_files(corpus: Path, dialect: str, size: int, seed: int) -> list[Path]:
    """perf-baseline.md's subset method: ``size`` random plain files of at most 20,000 bytes."""
    candidates = [p for p in bc.plain_files(corpus, dialect, None) if p.stat().st_size <= SUBSET_MAX_BYTES]
    return sorted(random.Random(seed).sample(candidates, min(size, len(candidates))))


def kib(files: list[Path]) -> float:
    return sum(p.stat().st_size for p in files) / 1024


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def median_wall(side: bc.Side) -> float:
    return statistics.median(r.wall for r in side.runs)


def median_cpu(side: bc.Side) -> float:
    return statistics.median(r.cpu for r in side.runs)


def side_figures(side: bc.Side) -> dict:
    return {
        "median_s": median_wall(side),
        "fastest_s": min(r.wall for r in side.runs),
        "cpu_s": median_cpu(side),
        "rss_mib": statistics.median(r.max_rss_kib for r in side.runs) / 1024,
        "runs": [asdict(r) for r in side.runs],
        "last": side.last,
    }


def corpus_part(
    dialect: str, files: list[Path], corpus: Path, venvs: dict[str, Venv], repeat: int, work: Path, in_repeat: int
) -> dict:
    """(a) and (b) for one dialect: parse, check -j1, check -j2 per environment, alternating; then
    the in-process parse and check times per environment."""
    cwd = corpus / dialect
    listing = bc.write_listing(work, dialect, files)
    sides = []
    for name in ENVS:
        venv = venvs[name]
        sides += [
            bc.Side(f"{name} parse", bc.bare_parse_argv(venv.python, work, dialect, listing), "parse", len(files)),
            bc.Side(
                f"{name} -j1",
                bc.check_argv(dialect, files, cwd, 1, venv.script("wsync-lint")),
                "check",
                len(files),
                cwd,
            ),
            bc.Side(
                f"{name} -j2",
                bc.check_argv(dialect, files, cwd, 2, venv.script("wsync-lint")),
                "check",
                len(files),
                cwd,
            ),
        ]
    bc.alternate(sides, repeat, work, f"{dialect} corpus")
    found = {
        "dialect": dialect,
        "files": len(files),
        "kib": kib(files),
        "sides": {s.name: side_figures(s) for s in sides},
    }
    found["in_process"] = {}
    for name in ENVS:
        result = bc.DialectResult(dialect, len(files), found["kib"])
        bc.in_process(result, work, in_repeat, python=venvs[name].python, with_breakdown=False)
        found["in_process"][name] = {
            "files": result.in_files,
            "parse_s": statistics.median(result.in_parse),
            "check_s": statistics.median(result.in_check),
            "parse_runs": result.in_parse,
            "check_runs": result.in_check,
        }
        print(
            f"  {dialect} in process ({name}): parse {found['in_process'][name]['parse_s']:.2f}s  "
            f"check {found['in_process'][name]['check_s']:.2f}s",
            file=sys.stderr,
        )
    return found


def sqlfluff_part(
    dialect: str,
    files: list[Path],
    corpus: Path,
    venvs: dict[str, Venv],
    repeat: int,
    sqlfluff_repeat: int,
    sqlfluff_jobs: list[int],
    work: Path,
) -> dict:
    """(c) for one dialect: sqlfluff against wsync-lint (and the bare parse) on the same subset."""
    cwd = corpus / dialect
    relative = [str(p.relative_to(cwd)) for p in files]
    listing = bc.write_listing(work, dialect, files)
    sides = []
    for jobs in sqlfluff_jobs:
        argv = [venvs["sqlfluff"].script("sqlfluff"), "lint", "--dialect", SQLFLUFF_DIALECT[dialect], "-p", str(jobs)]
        argv += ["--disable-progress-bar", "--nofail", *relative]
        sides.append(
            bc.Side(f"sqlfluff -p {jobs}", bc.fits_arg_max(argv, dialect), "other", len(files), cwd, sqlfluff_repeat)
        )
    sides.append(
        bc.Side("pure parse", bc.bare_parse_argv(venvs["pure"].python, work, dialect, listing), "parse", len(files))
    )
    for name in ENVS:
        script = venvs[name].script("wsync-lint")
        for jobs in (1, 2):
            sides.append(
                bc.Side(
                    f"{name} -j{jobs}",
                    bc.check_argv(dialect, files, cwd, jobs, script),
                    "check",
                    len(files),
                    cwd,
                    repeat,
                )
            )
    bc.alternate(sides, max(repeat, sqlfluff_repeat), work, f"{dialect} subset")
    return {
        "dialect": dialect,
        "files": len(files),
        "kib": kib(files),
        "paths": relative,
        "sides": {s.name: side_figures(s) for s in sides},
    }


def warm_up(venvs: dict[str, Venv], work: Path) -> None:
    """One tiny run of every tool, so no measured run pays for a cold disk cache of its imports."""
    small = work / "warm.sql"
    small.write_text(bc.SMALL_SQL, encoding="utf-8")
    for name in ENVS:
        bc.timed([venvs[name].script("wsync-lint"), "check", "-q", "--exit-zero", str(small)], work / "warm.out")
    if "sqlfluff" in venvs:
        bc.timed(
            [venvs["sqlfluff"].script("sqlfluff"), "lint", "--dialect", "ansi", "--nofail", str(small)],
            work / "warm.out",
        )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def totals(parts: list[dict], side: str, key: str = "median_s") -> float:
    return sum(part["sides"][side][key] for part in parts)


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "**met**" if ok else "**not met**"


def render(meta: dict, corpus_parts: list[dict], fluff_parts: list[dict]) -> str:
    venvs = meta["venvs"]
    lines = [
        "# wsync-lint adoption figures: --jobs, check vs bare parse, wsync-lint vs sqlfluff",
        "",
        f"{meta['when']}; Python {venvs['pure']['python']}, sqlglot {venvs['pure']['sqlglot']} "
        f"(pure) / sqlglot {venvs['sqlglotc']['sqlglot']} + sqlglotc {venvs['sqlglotc']['sqlglotc']} (compiled), "
        + (f"sqlfluff {venvs['sqlfluff']['sqlfluff']}, " if "sqlfluff" in venvs else "")
        + f"wsync-lint {venvs['pure']['wsync-lint']} from commit {meta['commit'] or '?'} with "
        f"{meta['uncommitted_files']} uncommitted files (package snapshot {meta['fingerprint']}); "
        f"{meta['cpus']} CPUs; load average (1 min) {meta['load']['start'][0]:.2f} at start, "
        + ", ".join(f"{v[0]:.2f} {k}" for k, v in meta["load"].items() if k != "start")
        + ".",
        f"Medians of {meta['repeat']} alternating whole-process runs per side"
        + (f" ({meta['sqlfluff_repeat']} for sqlfluff)" if fluff_parts else "")
        + f"; in-process figures: medians of {meta['in_repeat']} passes. Read the ratios: both sides of each were "
        "measured in the same minutes.",
        "",
        "Each environment is a fresh virtual environment holding the same snapshot of the checkout: "
        "`pure` is `pip install wsync-lint` (the default install), `sqlglotc` is `pip install 'wsync-lint[speed]'`.",
        "",
    ]
    has_corpus, has_fluff = bool(corpus_parts), bool(fluff_parts)
    # ---- targets
    lines += [
        "## Targets",
        "",
        "Each figure is the total over the dialects, with the weakest dialect in brackets. The verdict is "
        "on the default install (`pure`) and its total; `sqlglotc` is the optional extra.",
        "",
        "| target | measured as | pure (weakest dialect) | sqlglotc (weakest dialect) | verdict |",
        "|---|---|---:|---:|---|",
    ]

    def target_row(target: str, measured: str, cells: list[tuple[float, float]], fmt: str, limit: float, higher: bool):
        pure_total, pure_worst = cells[0]
        every = "yes" if (pure_worst >= limit if higher else pure_worst <= limit) else "no"
        lines.append(
            f"| {target} | {measured} | "
            + " | ".join(f"{total:{fmt}}× ({worst:{fmt}}×)" for total, worst in cells)
            + f" | {verdict(pure_total, limit, higher)}; in every dialect: {every} |"
        )

    if has_fluff:
        for jobs in meta["sqlfluff_jobs"]:
            cells = []
            for env in ENVS:
                fluff, ours = f"sqlfluff -p {jobs}", f"{env} -j{jobs}"
                worst = min(p["sides"][fluff]["median_s"] / p["sides"][ours]["median_s"] for p in fluff_parts)
                cells.append((totals(fluff_parts, fluff) / totals(fluff_parts, ours), worst))
            target_row(
                f"≥ {TARGETS['sqlfluff']:.0f}× faster than sqlfluff" + ("" if jobs == 1 else " (both on 2 CPUs)"),
                f"`sqlfluff lint -p {jobs}` time ÷ `wsync-lint check --jobs {jobs}` time, same subsets (c)",
                cells,
                ".0f",
                TARGETS["sqlfluff"],
                True,
            )
    if has_corpus:
        cells = []
        for env in ENVS:
            worst = max(
                p["sides"][f"{env} -j1"]["median_s"] / p["sides"][f"{env} parse"]["median_s"] for p in corpus_parts
            )
            cells.append((totals(corpus_parts, f"{env} -j1") / totals(corpus_parts, f"{env} parse"), worst))
        target_row(
            f"check ≤ {TARGETS['parse']}× bare parse",
            "whole process: `check --jobs 1` ÷ bare `sqlglot.parse`, whole corpus (b)",
            cells,
            ".2f",
            TARGETS["parse"],
            False,
        )
        cells = []
        for env in ENVS:
            parse = sum(p["in_process"][env]["parse_s"] for p in corpus_parts)
            check = sum(p["in_process"][env]["check_s"] for p in corpus_parts)
            worst = max(p["in_process"][env]["check_s"] / p["in_process"][env]["parse_s"] for p in corpus_parts)
            cells.append((check / parse, worst))
        target_row(
            f"check ≤ {TARGETS['parse']}× bare parse",
            "in process (no start-up): summed per-file check ÷ parse, whole corpus (b)",
            cells,
            ".2f",
            TARGETS["parse"],
            False,
        )
        cells = []
        for env in ENVS:
            worst = min(
                p["sides"][f"{env} -j1"]["median_s"] / p["sides"][f"{env} -j2"]["median_s"] for p in corpus_parts
            )
            cells.append((totals(corpus_parts, f"{env} -j1") / totals(corpus_parts, f"{env} -j2"), worst))
        target_row(
            f"jobs 2 ≥ {TARGETS['jobs']}× jobs 1",
            "files/s of `check --jobs 2` ÷ files/s of `--jobs 1`, whole corpus (a)",
            cells,
            ".2f",
            TARGETS["jobs"],
            True,
        )
    lines.append("")
    # ---- (a)
    if has_corpus:
        lines += [
            "## (a) Whole corpus: files/s with --jobs 1 and --jobs 2",
            "",
            "Every plain `.sql` file of the four dialect folders (`<dialect>/<source>/**.sql`, hidden folders "
            "included), one `wsync-lint check --dialect D -q --exit-zero --format json --jobs N <files>` process per "
            "dialect; the total is the sum of the per-dialect medians. **Jinja files are not included**: they are "
            "dbt templates, not Warehouse Sync models (mParticle runs a model's SQL as written), sqlglot rejects 98 % "
            "of them unrendered, and leaving them out keeps these figures comparable with bench_check.py and "
            "perf-baseline.md, which use the plain files. The 3 `generic` files (sqlglot's own stress files in its "
            "default dialect, no warehouse) are not included either.",
            "",
            "| env | dialect | files | KiB | --jobs 1 s | --jobs 2 s | files/s -j1 | files/s -j2 | jobs 2 ÷ jobs 1 "
            "| CPU s -j1 / -j2 | peak MiB -j1 / -j2 |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for env in ENVS:
            rows = [
                (p["dialect"], p["files"], p["kib"], p["sides"][f"{env} -j1"], p["sides"][f"{env} -j2"])
                for p in corpus_parts
            ]
            total_files, total_kib = sum(r[1] for r in rows), sum(r[2] for r in rows)
            t1, t2 = sum(r[3]["median_s"] for r in rows), sum(r[4]["median_s"] for r in rows)
            c1, c2 = sum(r[3]["cpu_s"] for r in rows), sum(r[4]["cpu_s"] for r in rows)
            for dialect, files, size, j1, j2 in rows:
                lines.append(
                    f"| {env} | {dialect} | {files:,} | {size:,.0f} | {j1['median_s']:.2f} | {j2['median_s']:.2f} | "
                    f"{files / j1['median_s']:.0f} | {files / j2['median_s']:.0f} | {j1['median_s'] / j2['median_s']:.2f}× | "
                    f"{j1['cpu_s']:.1f} / {j2['cpu_s']:.1f} | {j1['rss_mib']:.0f} / {j2['rss_mib']:.0f} |"
                )
            lines.append(
                f"| **{env}** | **all** | **{total_files:,}** | **{total_kib:,.0f}** | **{t1:.2f}** | **{t2:.2f}** | "
                f"**{total_files / t1:.0f}** | **{total_files / t2:.0f}** | **{t1 / t2:.2f}×** | {c1:.1f} / {c2:.1f} | |"
            )
        lines.append("")
        # ---- (b)
        lines += [
            "## (b) check time ÷ bare sqlglot parse time",
            "",
            "Whole process: the bare parse is bench_check.py's (read each file, `sqlglot.parse(text, read=D)`, catch "
            "sqlglot's errors) in the same environment, against `check --jobs 1` (one process each), same runs as (a). "
            "In process: bench_check.py's child, summed per-file `sqlglot.parse` against `wsync_lint.engine.python_api.lint_string` "
            "on texts already in memory (no start-up, no file I/O).",
            "",
            "| env | dialect | parse s | check -j1 s | ratio | ratio, fastest runs | CPU ratio | in-process parse s "
            "| in-process check s | in-process ratio | sqlglot failures |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for env in ENVS:
            sums = [0.0] * 5
            for p in corpus_parts:
                parse, check, inp = p["sides"][f"{env} parse"], p["sides"][f"{env} -j1"], p["in_process"][env]
                lines.append(
                    f"| {env} | {p['dialect']} | {parse['median_s']:.2f} | {check['median_s']:.2f} | "
                    f"{check['median_s'] / parse['median_s']:.2f}× | {check['fastest_s'] / parse['fastest_s']:.2f}× | "
                    f"{check['cpu_s'] / parse['cpu_s']:.2f}× | {inp['parse_s']:.2f} | {inp['check_s']:.2f} | "
                    f"{inp['check_s'] / inp['parse_s']:.2f}× | {parse['last']['failed']:,} |"
                )
                for i, value in enumerate(
                    (parse["median_s"], check["median_s"], parse["cpu_s"], inp["parse_s"], inp["check_s"])
                ):
                    sums[i] += value
            cpu_check = sum(p["sides"][f"{env} -j1"]["cpu_s"] for p in corpus_parts)
            lines.append(
                f"| **{env}** | **all** | **{sums[0]:.2f}** | **{sums[1]:.2f}** | **{sums[1] / sums[0]:.2f}×** | | "
                f"{cpu_check / sums[2]:.2f}× | {sums[3]:.2f} | {sums[4]:.2f} | **{sums[4] / sums[3]:.2f}×** | |"
            )
        lines += ["", "sqlglotc speed-up (pure ÷ sqlglotc, whole corpus):"]
        for label, side in (
            ("bare parse, whole process", "parse"),
            ("check --jobs 1", "-j1"),
            ("check --jobs 2", "-j2"),
        ):
            lines.append(
                f"- {label}: {totals(corpus_parts, f'pure {side}') / totals(corpus_parts, f'sqlglotc {side}'):.2f}×"
            )
        in_pure = sum(p["in_process"]["pure"]["check_s"] for p in corpus_parts)
        in_c = sum(p["in_process"]["sqlglotc"]["check_s"] for p in corpus_parts)
        lines += [f"- check, in process: {in_pure / in_c:.2f}×", ""]
    # ---- (c)
    if has_fluff:
        jobs_list = meta["sqlfluff_jobs"]
        lines += [
            "## (c) sqlfluff vs wsync-lint on the same files",
            "",
            f"Per dialect, {meta['subset_size']} random plain files of at most {SUBSET_MAX_BYTES:,} bytes (seed "
            f"{meta['subset_seed']}; the method of perf-baseline.md, re-drawn here, so not necessarily its exact "
            "lists). `sqlfluff lint --dialect D -p N --disable-progress-bar --nofail <files>` (default rules and "
            "configuration) against `wsync-lint check --dialect D -q --exit-zero --format json --jobs N <files>`, "
            "whole process, from the dialect folder. `parse` is the bare pure-sqlglot parse of the same files (the "
            "baseline's table 2 anchor).",
            "",
            "| dialect | files | KiB | "
            + " | ".join(f"sqlfluff -p {j} s" for j in jobs_list)
            + " | parse s | pure -j1 s | pure -j2 s | sqlglotc -j1 s | sqlglotc -j2 s | "
            + " | ".join(f"sqlfluff -p {j} ÷ pure -j{j} | ÷ sqlglotc -j{j}" for j in jobs_list)
            + " | sqlfluff -p 1 ÷ parse |",
            "|---|---:|---:|" + "---:|" * (len(jobs_list) + 5 + 2 * len(jobs_list) + 1),
        ]
        rows = [*fluff_parts, None]
        for p in rows:
            if p is None:
                fig = {name: sum(q["sides"][name]["median_s"] for q in fluff_parts) for name in fluff_parts[0]["sides"]}
                head = f"| **all** | {sum(q['files'] for q in fluff_parts):,} | {sum(q['kib'] for q in fluff_parts):,.0f} | "
            else:
                fig = {name: side["median_s"] for name, side in p["sides"].items()}
                head = f"| {p['dialect']} | {p['files']:,} | {p['kib']:,.0f} | "
            ratios = []
            for j in jobs_list:
                ratios += [
                    f"{fig[f'sqlfluff -p {j}'] / fig[f'pure -j{j}']:.0f}×",
                    f"{fig[f'sqlfluff -p {j}'] / fig[f'sqlglotc -j{j}']:.0f}×",
                ]
            lines.append(
                head
                + " | ".join(f"{fig[f'sqlfluff -p {j}']:.1f}" for j in jobs_list)
                + f" | {fig['pure parse']:.2f} | {fig['pure -j1']:.2f} | {fig['pure -j2']:.2f} | {fig['sqlglotc -j1']:.2f} | "
                f"{fig['sqlglotc -j2']:.2f} | "
                + " | ".join(ratios)
                + (f" | {fig['sqlfluff -p 1'] / fig['pure parse']:.0f}× |" if 1 in jobs_list else " | - |")
            )
        stderr = {p["dialect"]: p["sides"][f"sqlfluff -p {jobs_list[0]}"]["last"].get("stderr") for p in fluff_parts}
        stderr = {k: v for k, v in stderr.items() if v}
        lines.append("")
        if stderr:
            lines.append("sqlfluff wrote to stderr (last lines, exit code 0):")
            for dialect, text in stderr.items():
                lines.append(f"- {dialect}: `{text.splitlines()[-1][:200]}`")
            lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialects", default=",".join(bc.DIALECTS), help="comma-separated (default: all four)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="whole-process runs per wsync-lint/parse side (default 3)"
    )
    parser.add_argument(
        "--sqlfluff-repeat", type=int, default=1, help="runs per sqlfluff side (default 1: minutes each)"
    )
    parser.add_argument("--sqlfluff-jobs", default="1,2", help="sqlfluff -p values to measure (default 1,2)")
    parser.add_argument("--no-sqlfluff", action="store_true", help="skip part (c) and the sqlfluff environment")
    parser.add_argument("--no-corpus", action="store_true", help="skip parts (a) and (b)")
    parser.add_argument("--limit", type=int, help="at most N corpus files and N subset files per dialect (a quick run)")
    parser.add_argument(
        "--subset-size", type=int, default=SUBSET_SIZE, help=f"files per dialect in (c) (default {SUBSET_SIZE})"
    )
    parser.add_argument(
        "--seed", type=int, default=SUBSET_SEED, help=f"seed of the (c) subsets (default {SUBSET_SEED})"
    )
    parser.add_argument("--sqlfluff-version", default=SQLFLUFF_VERSION, help=f"default {SQLFLUFF_VERSION}")
    parser.add_argument(
        "--venvs", type=Path, help="keep the environments here and reuse them (default: a temporary folder)"
    )
    parser.add_argument("--corpus", type=Path, default=bc.DEFAULT_CORPUS, help=f"default {bc.DEFAULT_CORPUS}")
    parser.add_argument("--output", type=Path, help="report file (default bench/results/adoption-<time>.md)")
    args = parser.parse_args()
    dialects = [d.strip() for d in args.dialects.split(",") if d.strip()]
    if not dialects or any(d not in bc.DIALECTS for d in dialects):
        parser.error(f"--dialects: choose from {', '.join(bc.DIALECTS)}")
    if not args.corpus.is_dir():
        parser.error(f"corpus folder {args.corpus} not found (--corpus)")
    if args.repeat < 1 or args.sqlfluff_repeat < 1:
        parser.error("--repeat and --sqlfluff-repeat must be at least 1")
    try:
        sqlfluff_jobs = sorted({int(j) for j in args.sqlfluff_jobs.split(",")})
    except ValueError:
        parser.error("--sqlfluff-jobs: comma-separated integers, e.g. 1,2")
    if not set(sqlfluff_jobs) <= {1, 2}:
        parser.error("--sqlfluff-jobs: 1 and/or 2 (they are compared with --jobs 1 and --jobs 2)")
    subset_size = min(args.subset_size, args.limit) if args.limit else args.subset_size
    # Nothing from outside may decide what the environments import.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        os.environ.pop(name, None)

    load = {"start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="wsync-adoption-") as tmp:
        work = Path(tmp)
        venv_root = args.venvs.resolve() if args.venvs else work / "venvs"
        venv_root.mkdir(parents=True, exist_ok=True)
        venvs, fingerprint = prepare_venvs(venv_root, work, None if args.no_sqlfluff else args.sqlfluff_version)
        git = bc.environment(venvs["pure"].python)
        warm_up(venvs, work)
        load["after setup"] = os.getloadavg()
        corpus_parts, fluff_parts = [], []
        if not args.no_corpus:
            for dialect in dialects:
                files = bc.plain_files(args.corpus, dialect, args.limit)
                print(f"{dialect}: {len(files)} corpus files", file=sys.stderr)
                corpus_parts.append(corpus_part(dialect, files, args.corpus, venvs, args.repeat, work, args.repeat))
            load["after (a)(b)"] = os.getloadavg()
        if not args.no_sqlfluff:
            for dialect in dialects:
                files = subset_files(args.corpus, dialect, subset_size, args.seed)
                print(f"{dialect}: {len(files)} subset files (sqlfluff)", file=sys.stderr)
                fluff_parts.append(
                    sqlfluff_part(
                        dialect, files, args.corpus, venvs, args.repeat, args.sqlfluff_repeat, sqlfluff_jobs, work
                    )
                )
            load["at end"] = os.getloadavg()
    meta = {
        "when": git["when"],
        "commit": git["commit"],
        "uncommitted_files": git["uncommitted_files"],
        "fingerprint": fingerprint,
        "cpus": os.cpu_count(),
        "load": load,
        "repeat": args.repeat,
        "in_repeat": args.repeat,
        "sqlfluff_repeat": args.sqlfluff_repeat,
        "sqlfluff_jobs": sqlfluff_jobs,
        "subset_size": subset_size,
        "subset_seed": args.seed,
        "venvs": {name: venv.info for name, venv in venvs.items()},
        "argv": sys.argv,
    }
    report = render(meta, corpus_parts, fluff_parts)
    print(report)
    output = args.output or bc.REPO / "bench" / "results" / f"adoption-{time.strftime('%Y%m%d-%H%M%S')}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    raw = {"meta": meta, "corpus": corpus_parts, "sqlfluff": fluff_parts}
    output.with_suffix(".json").write_text(json.dumps(raw, indent=2, default=str), encoding="utf-8")
    print(f"\n(written to {output} and {output.with_suffix('.json').name})", file=sys.stderr)


if __name__ == "__main__":
    main()

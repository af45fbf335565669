"""The adoption bench's measurements: (a) and (b) over the corpus, (c) against sqlfluff on random subsets.

Every side is a whole process run by ``common.alternate``; the wsync-lint and parse sides run in each
environment of ``adoption_venvs.ENVS``.
"""

from __future__ import annotations

import random
import statistics
import sys
from dataclasses import asdict
from pathlib import Path

from adoption_venvs import ENVS, Venv
from common import (
    SMALL_SQL,
    Side,
    alternate,
    bare_parse_argv,
    check_argv,
    fastest,
    fits_arg_max,
    kib,
    median_of,
    plain_files,
    timed,
    write_listing,
)
from in_process import in_process

SUBSET_MAX_BYTES = 20_000  # sqlfluff's default large_file_skip_byte_limit: it lints every file
SQLFLUFF_DIALECT = {
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
}


def subset_files(corpus: Path, dialect: str, size: int, seed: int) -> list[Path]:
    """perf-baseline.md's subset method: ``size`` random plain files of at most 20,000 bytes."""
    candidates = [p for p in plain_files(corpus, dialect, None) if p.stat().st_size <= SUBSET_MAX_BYTES]
    return sorted(random.Random(seed).sample(candidates, min(size, len(candidates))))


def side_figures(side: Side) -> dict:
    return {
        "median_s": median_of(side.runs, "wall"),
        "fastest_s": fastest(side.runs),
        "cpu_s": median_of(side.runs, "cpu"),
        "rss_mib": median_of(side.runs, "max_rss_kib") / 1024,
        "runs": [asdict(r) for r in side.runs],
        "last": side.last,
    }


def check_sides(venv: Venv, dialect: str, files: list[Path], cwd: Path, repeat: int | None = None) -> list[Side]:
    """``wsync-lint check --jobs 1`` and ``--jobs 2`` of ``files`` in ``venv``."""
    script = venv.script("wsync-lint")
    return [
        Side(f"{venv.name} -j{jobs}", check_argv(dialect, files, cwd, jobs, script), "check", len(files), cwd, repeat)
        for jobs in (1, 2)
    ]


def corpus_part(
    dialect: str, files: list[Path], corpus: Path, venvs: dict[str, Venv], repeat: int, work: Path, in_repeat: int
) -> dict:
    """(a) and (b) for one dialect: parse, check -j1, check -j2 per environment, alternating; then
    the in-process parse and check times per environment."""
    cwd = corpus / dialect
    listing = write_listing(work, dialect, files)
    sides = []
    for name in ENVS:
        python = venvs[name].python
        sides.append(Side(f"{name} parse", bare_parse_argv(python, work, dialect, listing), "parse", len(files)))
        sides += check_sides(venvs[name], dialect, files, cwd)
    alternate(sides, repeat, work, f"{dialect} corpus")
    found = {
        "dialect": dialect,
        "files": len(files),
        "kib": kib(files),
        "sides": {s.name: side_figures(s) for s in sides},
    }
    found["in_process"] = {}
    for name in ENVS:
        times = in_process(dialect, listing, in_repeat, python=venvs[name].python, with_breakdown=False)
        found["in_process"][name] = {
            "files": times.files,
            "parse_s": statistics.median(times.parse),
            "check_s": statistics.median(times.check),
            "parse_runs": times.parse,
            "check_runs": times.check,
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
    listing = write_listing(work, dialect, files)
    sides = []
    for jobs in sqlfluff_jobs:
        argv = [venvs["sqlfluff"].script("sqlfluff"), "lint", "--dialect", SQLFLUFF_DIALECT[dialect], "-p", str(jobs)]
        argv += ["--disable-progress-bar", "--nofail", *relative]
        sides.append(
            Side(f"sqlfluff -p {jobs}", fits_arg_max(argv, dialect), "other", len(files), cwd, sqlfluff_repeat)
        )
    sides.append(Side("pure parse", bare_parse_argv(venvs["pure"].python, work, dialect, listing), "parse", len(files)))
    for name in ENVS:
        sides += check_sides(venvs[name], dialect, files, cwd, repeat)
    alternate(sides, max(repeat, sqlfluff_repeat), work, f"{dialect} subset")
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
    small.write_text(SMALL_SQL, encoding="utf-8")
    for name in ENVS:
        timed([venvs[name].script("wsync-lint"), "check", "-q", "--exit-zero", str(small)], work / "warm.out")
    if "sqlfluff" in venvs:
        timed(
            [venvs["sqlfluff"].script("sqlfluff"), "lint", "--dialect", "ansi", "--nofail", str(small)],
            work / "warm.out",
        )

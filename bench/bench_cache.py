#!/usr/bin/env python3
"""What does a re-run cost once ``check``'s content cache is warm?  (run by hand)

For each dialect, on the plain corpus files (``<corpus>/<dialect>/**.sql`` outside ``jinja/``, as
``bench/common.py`` ``plain_files`` lists them), whole process, interpreter start to exit:

* cold: ``wsync-lint check --no-cache --dialect D -q --exit-zero --format json <files>``;
* warm: the same without ``--no-cache``, after one run that filled the cache (``--cache-dir`` in a
  temporary folder: nothing is written into the corpus);

cold and warm alternate, ``--repeat`` times each (medians), and every warm report must be byte for
byte the cold one (the bench stops otherwise). The target (issue 16): the warm runs of the whole
corpus cost at most 10 % of the cold ones.

    python bench/bench_cache.py                      # full run, 3 repeats
    python bench/bench_cache.py --limit 50 --repeat 1 --dialects redshift
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from common import DEFAULT_CORPUS, DIALECTS, check_argv, environment, plain_files, publish, timed

TARGET = 0.10


def measure(corpus: Path, dialect: str, limit: int | None, repeat: int, work: Path) -> dict:
    """Cold and warm medians for one dialect, after checking that both report the same."""
    files = plain_files(corpus, dialect, limit)
    cold_argv = check_argv(dialect, files, corpus)
    warm_argv = check_argv(dialect, files, corpus, cache_dir=work / f"cache-{dialect}")
    cold_out, warm_out = work / f"{dialect}-cold.json", work / f"{dialect}-warm.json"
    primed, err = timed(warm_argv, warm_out, cwd=corpus)
    if primed.code != 0 or err.strip():
        sys.exit(f"bench: the priming run of {dialect} failed ({primed.code}): {err.strip()[-2000:]}")
    cold, warm = [], []
    for round_ in range(repeat):
        for argv, out, runs in ((cold_argv, cold_out, cold), (warm_argv, warm_out, warm)):
            run, err = timed(argv, out, cwd=corpus)
            if run.code != 0 or err.strip():
                sys.exit(f"bench: a run of {dialect} failed ({run.code}): {err.strip()[-2000:]}")
            runs.append(run.wall)
        if cold_out.read_bytes() != warm_out.read_bytes():
            sys.exit(f"bench: the warm report of {dialect} differs from the cold one ({cold_out}, {warm_out})")
        print(f"  {dialect} round {round_ + 1}/{repeat}: cold {cold[-1]:.2f}s  warm {warm[-1]:.2f}s", file=sys.stderr)
    return {
        "dialect": dialect,
        "files": len(files),
        "cold_s": statistics.median(cold),
        "warm_s": statistics.median(warm),
        "priming_s": primed.wall,
        "cold_runs": cold,
        "warm_runs": warm,
    }


def report(rows: list[dict], facts: dict, repeat: int) -> str:
    cold = sum(row["cold_s"] for row in rows)
    warm = sum(row["warm_s"] for row in rows)
    lines = [
        "# check's content cache: warm re-run against cold run",
        "",
        f"{facts['when']}; Python {facts['python']}, sqlglot {facts['sqlglot']} (sqlglotc: {facts['sqlglotc']}), "
        f"wsync-lint {facts['wsync_lint']}, {facts['cpus']} CPUs, commit {facts['commit']} "
        f"({facts['uncommitted_files']} files uncommitted). Whole process, medians of {repeat}, seconds; the warm "
        "reports are byte for byte the cold ones.",
        "",
        "| dialect | files | cold | warm | warm ÷ cold | first run (fills the cache) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['dialect']} | {row['files']:,} | {row['cold_s']:.2f} | {row['warm_s']:.2f} | "
            f"{row['warm_s'] / row['cold_s']:.3f} | {row['priming_s']:.2f} |"
        )
    ratio = warm / cold if cold else float("nan")
    verdict = "met" if ratio <= TARGET else "NOT met"
    lines += [
        f"| **all** | {sum(row['files'] for row in rows):,} | {cold:.2f} | {warm:.2f} | **{ratio:.3f}** | |",
        "",
        f"Target: warm ÷ cold <= {TARGET:.2f} over the whole corpus: {verdict}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dialects", nargs="+", choices=DIALECTS, default=list(DIALECTS))
    parser.add_argument("--limit", type=int, help="at most this many files per dialect (an even spread)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, help="the report (default bench/results/cache-<time>.md)")
    args = parser.parse_args()
    facts = environment()
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as folder:
        rows = [measure(args.corpus, d, args.limit, args.repeat, Path(folder)) for d in args.dialects]
    publish(report(rows, facts, args.repeat), {"environment": facts, "dialects": rows}, args.output, "cache")


if __name__ == "__main__":
    main()

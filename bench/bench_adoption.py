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
import os
import sys
import tempfile
from pathlib import Path

from adoption_report import render
from adoption_runs import corpus_part, sqlfluff_part, subset_files, warm_up
from adoption_venvs import prepare_venvs
from common import DEFAULT_CORPUS, DIALECTS, environment, plain_files, publish

SQLFLUFF_VERSION = "4.5.0"  # the version of shared/design/perf-baseline.md
SUBSET_SEED = 20240601  # the seed of perf-baseline.md's subsets
SUBSET_SIZE = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dialects", default=",".join(DIALECTS), help="comma-separated (default: all four)")
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
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"default {DEFAULT_CORPUS}")
    parser.add_argument("--output", type=Path, help="report file (default bench/results/adoption-<time>.md)")
    args = parser.parse_args()
    dialects = [d.strip() for d in args.dialects.split(",") if d.strip()]
    if not dialects or any(d not in DIALECTS for d in dialects):
        parser.error(f"--dialects: choose from {', '.join(DIALECTS)}")
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
        git = environment(venvs["pure"].python)
        warm_up(venvs, work)
        load["after setup"] = os.getloadavg()
        corpus_parts, fluff_parts = [], []
        if not args.no_corpus:
            for dialect in dialects:
                files = plain_files(args.corpus, dialect, args.limit)
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
    publish(report, {"meta": meta, "corpus": corpus_parts, "sqlfluff": fluff_parts}, args.output, "adoption")


if __name__ == "__main__":
    main()

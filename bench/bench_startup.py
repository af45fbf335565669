"""Start-up of a one-file ``wsync-lint check`` against ``python -c 'import sqlglot'`` (issue 16, point 2).

Runs, alternated round by round (the order rotates so that a slow spell of the machine hits every
side), ``--runs`` times each (default 10):

- ``python -c pass``: the interpreter alone;
- ``python -c 'import sqlglot'``: the floor a one-file check is compared with;
- ``wsync-lint --version``: must not import sqlglot, so close to ``python -c pass``;
- ``wsync-lint check --no-cache FILE``: a small example model of ``examples/`` (its project,
  pipelines and connection are loaded as users see them), default rules, text format;
- the same check of a copy of FILE alone in a temporary project (``root = true``, no payload
  files): what a model outside a Warehouse Sync project costs.

It prints the medians, the ratio check ÷ import sqlglot (the target is at most 1.3), and the
heaviest imports of the check (``python -X importtime``). The children run with compiled bytecode,
as an installed package has it (``PYTHONDONTWRITEBYTECODE`` dropped, the ``.pyc`` files kept under
``PYTHONPYCACHEPREFIX`` in a temporary folder, not in the tree; one warm-up run each first). Nothing
else is written; the run takes well under a minute::

    python bench/bench_startup.py
    python bench/bench_startup.py --runs 20 --file examples/models/bigquery/web_events.sql
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, child_env, wsync_lint_script

DEFAULT_FILE = REPO / "examples" / "models" / "snowflake" / "propensity_scores.sql"
TARGET_RATIO = 1.3


def _wall(argv: list[str]) -> float:
    """Seconds ``argv`` takes, start to exit; the bench stops on a broken run."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False, cwd=REPO, env=child_env())
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1) or done.stderr.strip():
        sys.exit(f"bench: {' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    return wall


def alternated_medians(cases: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median milliseconds of each case, the cases alternated in rotating order."""
    names = list(cases)
    for argv in cases.values():  # compiles the bytecode the measured runs use
        _wall(argv)
    walls: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            walls[name].append(_wall(cases[name]))
    return {name: statistics.median(found) * 1000 for name, found in walls.items()}


def top_imports(argv: list[str], top: int) -> tuple[float, list[tuple[str, float]]]:
    """Total import milliseconds of ``argv`` run under ``-X importtime``, and its ``top`` heaviest
    top-level imports (cumulative)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, cwd=REPO, env=child_env()
    )
    total_us, top_level = 0, []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|", 2)
        total_us += int(self_us)
        if len(name) - len(name.lstrip()) <= 3:  # the interpreter's module and its direct imports
            top_level.append((name.strip(), int(cumulative_us) / 1000))
    return total_us / 1000, sorted(top_level, key=lambda entry: -entry[1])[:top]


def main() -> None:
    """Measure, print the medians, the ratio and the heaviest imports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the model checked")
    parser.add_argument("--top", type=int, default=15, help="heaviest imports listed")
    args = parser.parse_args()
    script = wsync_lint_script()
    check = [script, "check", "--no-cache"]
    with tempfile.TemporaryDirectory() as alone:
        copy = Path(alone) / args.file.name
        copy.write_bytes(args.file.read_bytes())
        (Path(alone) / "wsync-lint.toml").write_text('root = true\ndialect = "snowflake"\n', encoding="utf-8")
        checks = {
            f"wsync-lint {' '.join(check[1:])} {args.file.name} (in its project)": [*check, str(args.file.resolve())],
            f"wsync-lint {' '.join(check[1:])} {args.file.name} (alone)": [*check, str(copy)],
        }
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python -c 'import sqlglot'": [sys.executable, "-c", "import sqlglot"],
            "wsync-lint --version": [script, "--version"],
            **checks,
        }
        medians = alternated_medians(cases, args.runs)
        width = max(map(len, medians))
        print(f"medians of {args.runs} alternated runs (ms):")
        for name, median in medians.items():
            print(f"  {name:<{width}}  {median:7.1f}")
        for name in checks:
            ratio = medians[name] / medians["python -c 'import sqlglot'"]
            verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
            print(
                f"ratio check / import sqlglot, {name.rsplit('(', 1)[1][:-1]}: {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})"
            )
        for name, argv in checks.items():
            total, heaviest = top_imports(["-m", "wsync_lint", *argv[1:]], args.top)
            print(f"\nimports of {name} (python -X importtime): {total:.1f} ms in all; heaviest, cumulative ms:")
            for module, cumulative in heaviest:
                print(f"  {module:<50} {cumulative:7.1f}")


if __name__ == "__main__":
    main()

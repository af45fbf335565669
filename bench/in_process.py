"""The in-process measurement: summed per-file ``sqlglot.parse`` against ``lint_string`` times, in a child.

The parent (:func:`in_process`) runs this file as a script with the interpreter of the environment
being measured: ``python in_process.py DIALECT LISTING REPEAT BREAKDOWN``. sqlglot and wsync-lint are
imported only in the child, so the bench process stays small and every environment times its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class InProcessTimes:
    files: int
    """Files timed: those of the listing that the CLI would parse (at most its file-size limit)."""
    parse: list[float]
    """Summed per-file parse time, one per pass."""
    check: list[float]
    """Summed per-file check time, one per pass."""
    breakdown: dict[str, float]
    """Seconds per engine stage and rule in one extra timed pass (empty unless asked for)."""


def in_process(
    dialect: str, listing: Path, repeat: int, python: str | None = None, with_breakdown: bool = True
) -> InProcessTimes:
    """The in-process figures of ``dialect`` on the files of ``listing`` (see ``common.write_listing``), in
    a child run by ``python`` (default: this interpreter)."""
    argv = [python or sys.executable, __file__, dialect, str(listing), str(repeat), "1" if with_breakdown else "0"]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"bench: in-process run of {dialect} failed: {completed.stderr.strip()[-2000:]}")
    data = json.loads(completed.stdout)
    return InProcessTimes(data["files"], data["parse"], data["check"], data["breakdown"])


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

    from wsync_lint.engine import model_check as engine
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
    saved = {name: getattr(engine, name) for name in (*stages, "sql_rules")}
    timed: dict = {}  # one timed copy per rule, whatever selection asks for it
    try:
        for name, label in stages.items():
            setattr(engine, name, timed_call(label, saved[name]))
        engine.sql_rules = lambda codes: tuple(
            timed.setdefault(rule.code, timed_rule(rule)) for rule in saved["sql_rules"](codes)
        )
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


if __name__ == "__main__":
    in_process_child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:5] != ["0"])

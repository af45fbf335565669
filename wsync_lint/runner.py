"""Checking a set of paths: discovery, configuration per folder, and the run's result."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wsync_lint.config import Config, ConfigFinder
from wsync_lint.context import FileSettings
from wsync_lint.engine import FilePlan, check_source
from wsync_lint.errors import UsageError
from wsync_lint.registry import selected_codes, validate_selectors
from wsync_lint.rule import Severity, Violation
from wsync_lint.source import read_source

SQL_SUFFIXES = (".sql",)
_SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


@dataclass(frozen=True)
class RunOptions:
    """What the command line says, on top of configuration."""

    dialect: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_path: Path | None = None


@dataclass
class RunResult:
    """Every violation of a run, and what it covered."""

    violations: list[Violation] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    """Every file checked, as displayed."""
    fail_on: Severity = Severity.WARNING
    fixed: int = 0
    """Findings fixed by ``--fix`` in this run."""

    @property
    def files(self) -> int:
        return len(self.paths)

    @property
    def errors(self) -> int:
        return sum(1 for v in self.violations if v.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for v in self.violations if v.severity is Severity.WARNING)


def discover(paths: Iterable[Path], finder: ConfigFinder) -> Iterator[Path]:
    """SQL files under ``paths``: files named directly are always checked if they are SQL;
    folders are walked, skipping hidden folders, virtual environments and configured excludes."""
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_file():
            candidates: Iterable[Path] = [path] if path.suffix.lower() in SQL_SUFFIXES else []
        else:
            candidates = _walk(path, finder)
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(folder: Path, finder: ConfigFinder) -> Iterator[Path]:
    for root, folders, files in os.walk(folder):
        root_path = Path(root)
        config = finder.for_folder(root_path)
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".") and name not in _SKIPPED_FOLDERS and not config.excludes(root_path / name)
        )
        for name in sorted(files):
            candidate = root_path / name
            if candidate.suffix.lower() in SQL_SUFFIXES and not config.excludes(candidate):
                yield candidate


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, with ``/`` separators."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class Planner:
    """Turns configuration plus command line into a :class:`FilePlan` per file (cached)."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.finder = ConfigFinder(options.config_path)
        for name, selectors in (
            ("--select", options.select or ()),
            ("--extend-select", options.extend_select),
            ("--ignore", options.ignore),
        ):
            validate_selectors(selectors, name)
        self._plans: dict[tuple[int, tuple[str, ...]], FilePlan] = {}

    def config_for(self, path: Path) -> Config:
        return self.finder.for_folder(path.parent)

    def plan_for(self, path: Path) -> FilePlan:
        config = self.config_for(path)
        extra_ignores = config.ignored_for(path)
        key = (id(config), extra_ignores)
        if key not in self._plans:
            self._plans[key] = self._plan(config, extra_ignores)
        return self._plans[key]

    def _plan(self, config: Config, extra_ignores: tuple[str, ...]) -> FilePlan:
        options = self.options
        codes = selected_codes(
            options.select if options.select is not None else config.select,
            (*config.extend_select, *options.extend_select),
            (*config.ignore, *options.ignore, *extra_ignores),
        )
        settings = FileSettings(
            dialect=config.dialect,  # type: ignore[arg-type]  # None: resolved per file
            pipeline_type=config.pipeline_type,
            iterator_field=config.iterator_field,
            iterator_data_type=config.iterator_data_type,
        )
        return FilePlan(codes, settings, options.dialect, config.rules)


@dataclass(frozen=True)
class FileOutcome:
    """What checking one file produced."""

    path: str
    violations: list[Violation]
    fail_on: Severity


def check_path(planner: Planner, path: Path) -> FileOutcome:
    """Read and check one file with the configuration that applies to it."""
    config = planner.config_for(path)
    shown = display_path(path)
    source = read_source(path, config.max_file_size)
    return FileOutcome(shown, check_source(source, shown, planner.plan_for(path)), config.fail_on)


# Below this many files a process pool costs more to start than it saves.
PARALLEL_THRESHOLD = 48

_worker_planner: Planner | None = None


def _start_worker(options: RunOptions) -> None:
    global _worker_planner
    _worker_planner = Planner(options)


def _check_in_worker(path: Path) -> FileOutcome:
    assert _worker_planner is not None, "worker not initialised"
    return check_path(_worker_planner, path)


def worker_count(jobs: int | None, files: int) -> int:
    """Processes to use: ``jobs`` when given, else every CPU when there are enough files."""
    if jobs is not None:
        return max(1, min(jobs, files or 1))
    if files <= PARALLEL_THRESHOLD:
        return 1
    return min(os.cpu_count() or 1, files)


def lint_paths(paths: Iterable[Path], options: RunOptions, jobs: int | None = 1) -> RunResult:
    """Check every SQL file under ``paths``, in ``jobs`` processes (None: decide by file count).

    The result is the same whatever the number of processes: files keep their discovery
    order and violations are sorted.
    """
    planner = Planner(options)
    files = list(discover(paths, planner.finder))
    workers = worker_count(jobs, len(files))
    if workers == 1:
        outcomes = [check_path(planner, path) for path in files]
    else:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, len(files) // (workers * 8))
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(options,)) as pool:
            outcomes = list(pool.map(_check_in_worker, files, chunksize=chunk))
    result = RunResult()
    result.fail_on = Severity.WARNING if any(o.fail_on is Severity.WARNING for o in outcomes) else Severity.ERROR
    for outcome in outcomes:
        result.paths.append(outcome.path)
        result.violations.extend(outcome.violations)
    result.violations.sort(key=Violation.sort_key)
    return result

"""Checking a set of paths: discovery, configuration per folder, and the run's result."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.cache import RunCache
from wsync_lint.engine.cached_run import ProjectResult, cached_outcomes, cached_project, open_cache
from wsync_lint.engine.collection import checked_apart, collect_for_a_run
from wsync_lint.engine.config import Config, ConfigFinder
from wsync_lint.engine.discovery import discover, forget_resolved_folders, resolved, resolved_folder
from wsync_lint.engine.model_check import FilePlan, analyse
from wsync_lint.engine.project_check import ProjectChecker
from wsync_lint.engine.quoted_text import quotable_payload_text
from wsync_lint.engine.registry import selected_codes, validate_selectors
from wsync_lint.engine.run_result import RunOptions, RunResult
from wsync_lint.engine.stdin import STDIN_NAME, StdinFile
from wsync_lint.errors import UsageError
from wsync_lint.files import is_within
from wsync_lint.project.model_files import SQL_SUFFIXES, SqlFileProblem
from wsync_lint.project.payload_files import PAYLOAD_SUFFIXES
from wsync_lint.project.project import Binding, ModelSql, Project, payload_candidates, read_payload
from wsync_lint.project.roots import RootFinder, project_roots
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.positions import Span
from wsync_lint.sql.reading import ReadProblem, read_source
from wsync_lint.sql.snapshots import snapshot_file_name


def display_path(path: Path) -> str:
    """``path`` relative to the working folder, with ``/`` separators: ``models/x.sql`` inside it,
    ``../models/x.sql`` outside it (as every report shows it; a link is shown as itself, wherever
    it leads). Only a path with no relative form (another drive) stays as it is."""
    try:
        absolute = resolved(path) if path.name in ("", "..") else resolved_folder(path.parent) / path.name
        return Path(os.path.relpath(absolute, _working_folder(os.getcwd()))).as_posix()
    except (ValueError, OSError, RuntimeError):  # another drive; a NUL byte; a loop of symlinks
        return path.as_posix()


@lru_cache(maxsize=8)
def _working_folder(cwd: str) -> Path:
    return Path(cwd).resolve()


class Planner:
    """Turns configuration plus command line into a :class:`FilePlan` per file (cached)."""

    def __init__(self, options: RunOptions, stdin: StdinFile | None = None) -> None:
        self.options = options
        self.stdin = stdin
        """``check -``: the text that stands in for one file (:mod:`.stdin`)."""
        self.finder = ConfigFinder(options.config_path)
        for name, selectors in (
            ("--select", options.select or ()),
            ("--extend-select", options.extend_select),
            ("--ignore", options.ignore),
        ):
            validate_selectors(selectors, name)
        self._plans: dict[tuple[int, tuple[str, ...]], FilePlan] = {}
        self._configs: dict[Path, Config] = {}
        self.roots = RootFinder()

    def read(self, path: Path, inside: Path | None = None) -> str | ReadProblem:
        """A model file's text, or why not: at most its configuration's ``max-file-size``
        bytes, a regular file inside its project (``inside``, else the root of ``path``); for the
        file standard input stands in for, that text."""
        if self.stdin is not None and (self.stdin.stands_for(path) or path == self.stdin.location):
            return self.stdin.sql_source()
        return read_source(path, self.config_for(path).max_file_size, inside or self.roots.root_of(path).folder)

    def config_for(self, path: Path) -> Config:
        folder = path.parent
        found = self._configs.get(folder)
        if found is None:
            found = self._configs[folder] = self.finder.for_folder(folder)
        return found

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
    not_run: frozenset[str] = frozenset()
    plan: FilePlan | None = None
    dialect_origin: str = "default"
    source: str | None = None
    """The text read, when there is a finding to quote it under (a worker sends it back)."""


def check_path(
    planner: Planner, path: Path, shown: str | None = None, source: str | ReadProblem | None = None
) -> FileOutcome:
    """Read and check one file with the configuration that applies to it (``shown``: how it is
    displayed, when the caller knows already; ``source``: its text, when the caller read it already)."""
    config = planner.config_for(path)
    shown = shown if shown is not None else display_path(path)
    source = planner.read(path) if source is None else source
    plan = planner.plan_for(path)
    analysis = analyse(source, shown, plan)
    quoted = source if isinstance(source, str) and analysis.violations else None
    return FileOutcome(
        shown,
        analysis.violations,
        config.fail_on,
        frozenset(analysis.context.not_run),
        plan,
        analysis.dialect_origin,
        quoted,
    )


# Below this many files a process pool costs more to start than it saves.
PARALLEL_THRESHOLD = 48

_worker_planner: Planner | None = None


def _start_worker(options: RunOptions) -> None:
    global _worker_planner
    collect_for_a_run()
    _worker_planner = Planner(options)


def _check_in_worker(path: Path, shown: str, source: str | ReadProblem | None = None) -> FileOutcome:
    assert _worker_planner is not None, "worker not initialised"
    planner = _worker_planner
    return checked_apart(lambda: check_path(planner, path, shown, source))


def worker_count(jobs: int | None, files: int) -> int:
    """Processes to use: ``jobs`` when given, else every CPU when there are enough files."""
    if jobs is not None:
        return max(1, min(jobs, files or 1))
    if files <= PARALLEL_THRESHOLD:
        return 1
    return min(os.cpu_count() or 1, files)


def lint_paths(
    paths: Iterable[Path], options: RunOptions, jobs: int | None = 1, stdin: StdinFile | None = None
) -> RunResult:
    """Check every SQL and payload file under ``paths``, with the whole project they belong to,
    in ``jobs`` processes (None: decide by file count); or, with ``stdin``, the text of standard
    input as the one file it stands in for (``paths`` are not used).

    Payload files and the models pipelines use are checked in this process, as one project per
    root folder (:func:`~wsync_lint.project.project.project_root`); findings are kept for the files under
    ``paths`` and for cross-file findings that involve them. Standalone SQL files go to the
    process pool. The result is the same whatever the number of processes: files keep their
    discovery order and violations are sorted.
    """
    forget_resolved_folders()
    planner = Planner(options, stdin)
    # Standard input is one file, and edited between runs: never cached.
    cache = open_cache(planner, options) if options.cache and stdin is None else None
    if stdin is not None and stdin.path is None:
        alone = _check_files([stdin.location], [STDIN_NAME], planner, options, 1, None)
        alone.fail_on = planner.config_for(stdin.location).fail_on
        return alone
    paths = list(paths) if stdin is None else [stdin.path]
    # One walk finds both kinds of file; each is displayed (a path resolution) once. Standard
    # input is one file, named as the file it stands in for: a payload, a model, or neither.
    found = list(discover(paths, planner.finder, (*SQL_SUFFIXES, *PAYLOAD_SUFFIXES))) if stdin is None else paths
    shown = {path: display_path(path) for path in found}
    sql_files = [path for path in found if path.suffix.lower() not in PAYLOAD_SUFFIXES]  # and unlisted folders
    named_payloads = [shown[path] for path in found if path.suffix.lower() in PAYLOAD_SUFFIXES]
    project_outcomes = [check_project_at(root, planner, cache) for root in project_roots(paths, planner.roots)]
    checked_sql = set().union(*(outcome.checked_sql for outcome, _, _ in project_outcomes))
    refused = set().union(*(outcome.refused for outcome, _, _ in project_outcomes))
    if stdin is not None and not stdin.path.exists():
        refused.discard(resolved(stdin.path))  # a model not written yet: checked on its own
    if stdin is not None and stdin.path.suffix.lower() not in SQL_SUFFIXES and resolved(stdin.path) not in checked_sql:
        sql_files = []  # as `check FILE` passes over a file that is no model (README.md): the same answer
    # A model file of another name (`users.txt`) is found through the data model that names it,
    # and reported like a `.sql` file when it is under ``paths``.
    linked = frozenset(p for p in checked_sql if p.suffix.lower() not in (*SQL_SUFFIXES, *PAYLOAD_SUFFIXES))
    for path in discover(paths, planner.finder, (), linked) if linked and stdin is None else ():
        found.append(path)
        shown[path] = display_path(path)
        sql_files.append(path)
    payload_paths = {path for _, loaded, _ in project_outcomes for path in loaded}
    reported = {shown[path] for path in sql_files} | (set(named_payloads) & payload_paths)
    # A model named through a link (`models/alias.sql` -> `snowflake/users.sql`) is checked, and its
    # findings placed, under its real name: they are the named file's findings.
    real = {path: resolved(path) for path in sql_files}
    reported |= {display_path(real[path]) for path in sql_files if real[path] in checked_sql}
    in_projects = checked_sql | refused
    files = [path for path in sql_files if real[path] not in in_projects]
    result = _check_files(files, [shown[path] for path in files], planner, options, jobs, cache)
    if cache is not None:
        cache.save()
    fail_ons = [planner.config_for(path).fail_on for path in found] or [planner.config_for(Path.cwd() / "-").fail_on]
    result.fail_on = min(fail_ons, key=lambda severity: severity.rank)
    for outcome, _, sources in project_outcomes:
        result.sources.update(sources)
        result.not_run |= outcome.not_run
        result.analysed.update(outcome.analysed)
        result.unread_payloads.extend(outcome.unread_payloads)
        result.violations.extend(
            v for v in outcome.violations if v.path in reported or not reported.isdisjoint(v.related)
        )
    checked_apart = {shown[path] for path in files}
    result.paths.extend(path for path in (*(shown[p] for p in sql_files), *named_payloads)
                        if path in reported and path not in checked_apart)  # fmt: skip
    result.violations.sort(key=Violation.sort_key)
    _keep_quoted_sources(result)
    return result


def _keep_quoted_sources(result: RunResult) -> None:
    """Keep the text of the files that have a finding only."""
    quoted = {v.path for v in result.violations}
    result.sources = {path: text for path, text in result.sources.items() if path in quoted}


def load_project(root: Path, planner: Planner) -> Project:
    """Every payload file under ``root`` (configured excludes left out); the text of standard
    input in the stead of the payload file it stands in for (also one not written yet)."""
    project = Project(root)
    stdin = planner.stdin if planner.stdin is not None and planner.stdin.is_payload else None
    locations = list(payload_candidates(root, planner.roots))
    written = stdin is None or any(stdin.stands_for(location) for location in locations)
    if (
        stdin is not None
        and stdin.path is not None
        and not written
        and planner.roots.root_of(stdin.path).folder == root
    ):
        locations.append(stdin.path)
    for location in locations:
        config = planner.config_for(location)
        if config.excludes(location) or is_snapshot(location, config, root):
            continue
        raw = stdin.raw() if stdin is not None and stdin.stands_for(location) else None
        payload = read_payload(location, display_path(location), config.max_file_size, root, raw)
        if payload is not None:
            project.add(payload, location)
    return project


def read_model(project: Project, sql: ModelSql, planner: Planner) -> tuple[str | ReadProblem, str, Path]:
    """A data model's SQL (or why its file cannot be read), where it is shown as, and the file
    whose configuration applies to it (the payload file, for an inline query)."""
    if sql.file is not None:
        if sql.problem is not None:
            refusal = ReadProblem(_REFUSED[sql.problem], Span(0, 0), "correct `config.sql_file` (CN03)")
            return refusal, display_path(sql.file), sql.file
        return planner.read(sql.file, project.root), display_path(sql.file), sql.file
    return sql.inline or "", sql.model.path, project.locations[sql.model.path]


_REFUSED = {
    SqlFileProblem.OUTSIDE: "the file lies outside the project, so it is not read",
    SqlFileProblem.MISSING: "no such file",
    SqlFileProblem.NOT_A_FILE: "not a regular file, so it is not read",
}


def check_project_at(root: Path, planner: Planner, cache: RunCache | None = None) -> ProjectResult:
    """Load and check the project under ``root`` (or read that from ``cache``); also return its payload
    files as displayed, and the text read of each of its files (as displayed), for the code frames."""
    if cache is not None:
        return cached_project(root, planner, cache, load_project, check_project, display_path)
    return check_project(load_project(root, planner), root, planner)


def check_project(project: Project, root: Path, planner: Planner) -> ProjectResult:
    """Check the loaded ``project`` under ``root`` (:func:`check_project_at`)."""
    # Secrets are masked: a code frame must never quote one.
    sources = {payload.path: quotable_payload_text(payload) for payload in project.files if payload.problem is None}
    payloads = {payload.path for payload in project.files}

    def read_sql(path: Path) -> str | ReadProblem:
        text = planner.read(path, root)
        shown = display_path(path)
        # A payload file read as a model too (a `sql_file` naming a connection) is quoted as a
        # payload, masked, or not at all: never as the raw text.
        if isinstance(text, str) and shown not in payloads:
            sources[shown] = text
        return text

    checker = ProjectChecker(
        project,
        plan_for=planner.plan_for,
        max_file_size=lambda path: planner.config_for(path).max_file_size,
        display=display_path,
        snapshot_for=lambda binding: snapshot_path(
            root, planner.config_for(root / "-"), binding, planner.options.schema_override
        ),
        read_sql=read_sql,
        connection=planner.options.connection,
    )
    outcome = checker.run()
    outcome.unread_payloads = [payload.path for payload in project.files if payload.problem is not None]
    return outcome, [payload.path for payload in project.files], sources


def is_snapshot(location: Path, config: Config, root: Path) -> bool:
    """Whether ``location`` is in the schema snapshot folder (snapshots are no payloads)."""
    return config.schema_folder(root).resolve() in resolved(location).parents


def snapshot_path(
    root: Path, config: Config, binding: Binding, override: Mapping[str, str] | None = None
) -> str | None:
    """The schema snapshot of a pipeline's connection, ``<schema-dir>/<connection-id>.json``
    (relative to the configuration file, else to the project root), when it exists; ``override``
    (connection id -> snapshot file) wins."""
    connection_id = binding.connection.id if binding.connection is not None else None
    if connection_id is None:
        return None
    if override and connection_id in override:
        return override[connection_id]
    try:
        name = snapshot_file_name(connection_id)
    except UsageError:  # CN01 reports the id; no file is named after it
        return None
    candidate = resolved(config.schema_folder(root) / name)
    # A snapshot is read only from the project, or from beside a configuration file outside it.
    allowed = is_within(candidate, root.resolve()) or is_within(candidate, config.paths_base(root).resolve())
    return str(candidate) if allowed and candidate.is_file() else None


def _check_files(
    files: list[Path], shown: list[str], planner: Planner, options: RunOptions, jobs: int | None, cache: RunCache | None
) -> RunResult:
    """Check files apart from any project (standalone models), in ``jobs`` processes; with ``cache``,
    only those it has no entry for."""
    if cache is not None:
        check_misses = partial(_outcomes, planner, options, jobs)
        outcomes = cached_outcomes(files, shown, planner, cache, check_misses, FileOutcome)
    else:
        outcomes = _outcomes(planner, options, jobs, files, shown, [None] * len(files))
    result = RunResult()
    for outcome in outcomes:
        result.paths.append(outcome.path)
        result.violations.extend(outcome.violations)
        result.not_run |= outcome.not_run
        if outcome.plan is not None:
            result.analysed[outcome.path] = [(outcome.plan, outcome.dialect_origin)]
        if outcome.source is not None:
            result.sources[outcome.path] = outcome.source
    return result


def _outcomes(
    planner: Planner, options: RunOptions, jobs: int | None, files: list[Path], shown: list[str], texts: list[Any]
) -> list[FileOutcome]:
    """Check ``files`` (each with its text when read already, else None) in ``jobs`` processes."""
    workers = worker_count(jobs, len(files))
    if workers == 1:
        return [
            checked_apart(lambda call=call: check_path(planner, *call))
            for call in zip(files, shown, texts, strict=True)
        ]
    from wsync_lint.engine.workers import map_in_processes

    chunks = max(1, len(files) // (workers * 8))
    return map_in_processes(workers, _start_worker, (options,), _check_in_worker, files, shown, texts, chunksize=chunks)

"""``wsync-lint preflight``: each pipeline's model against its real warehouse, read-only.

For every pipeline under the paths (optionally of one connection), grouped by connection so
each warehouse gets one session:

1. the model is sent alone, then each of mParticle's wrappers around it (row count, column
   probe, sync run, as :mod:`wsync_lint.sql.wrappers` renders them), to be compiled without reading
   rows; refusals become LV01;
2. every table the model reads is looked up (for LV04 and for the live schema snapshot);
3. the connection's privileges are checked (LV02);
4. with ``--count``, the rows of the first sync window are counted (LV03);
5. the whole project is then checked as ``check`` does, with the snapshots just taken from the
   warehouse in place of the committed ones, so the schema-aware rules see the warehouse's truth.

Only :class:`~wsync_lint.live.statements.ReadOnlyQuery` objects reach a connector: a model that
is not exactly one query never leaves the machine. A connection that cannot be reached is
reported on one line (exit 3) and the other connections are still checked.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from wsync_lint.commands.grants import TableReference, table_references
from wsync_lint.contract.live_context import (
    MODEL,
    GrantCheck,
    LiveContext,
    LiveTable,
    Place,
    Rejection,
    SnapshotFile,
    TableUse,
    WindowCount,
)
from wsync_lint.contract.rule import Needs, Violation
from wsync_lint.engine.model_check import make_violation, rule_options
from wsync_lint.engine.project_check import placed_in_payload
from wsync_lint.engine.registry import all_rules
from wsync_lint.engine.runner import Planner, RunOptions, RunResult, lint_paths, load_project, read_model, snapshot_path
from wsync_lint.live.backend import LiveSettings, Session, WarehouseRejected, WarehouseUnreachable, settings_for
from wsync_lint.live.statements import NotReadOnly, ReadOnlyQuery, read_only
from wsync_lint.live.windows import first_windows
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.payload_files import load_payload_file
from wsync_lint.project.project import Binding, ModelSql, Project, project_roots
from wsync_lint.sql.positions import FileSpan, LineIndex, Span
from wsync_lint.sql.snapshots import LIVE_SUFFIX, read_snapshot
from wsync_lint.sql.wrappers import count_query, render_pipeline, window_condition

T = TypeVar("T")

# The driver's own timeouts should fire first (their messages say more); this is the backstop
# for a driver that ignores them: the timeout plus as much again, at most 5 s more.
_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class PreflightOptions:
    """What the command line says about the live part of the run."""

    connection: str | None = None
    """Only the pipelines of this connection id."""
    count: bool = False
    """Count the rows of the first sync window (LV03): this reads data."""
    timeout: float = 30.0
    """Seconds for each login and each statement."""


@dataclass
class PreflightResult:
    """Findings (static and live), connections that could not be reached, and notes."""

    result: RunResult
    unreachable: list[str] = field(default_factory=list)
    """One line per connection that could not be reached (exit 3)."""
    notes: list[str] = field(default_factory=list)
    """What was not checked, and why."""


class Progress:
    """What the run reports while it works (nothing, unless the CLI gives a display)."""

    def start(self, total: int) -> None:
        """``total`` pipelines will be checked."""

    def step(self, label: str) -> None:
        """One pipeline is being checked."""

    def stop(self) -> None:
        """The run is over."""


@dataclass
class Work:
    """The pipelines of one connection, with the project they belong to."""

    project: Project
    connection_id: str
    dialect: str
    config: Mapping[str, Any]
    bindings: list[Binding] = field(default_factory=list)


def connector(dialect: str) -> Callable[[LiveSettings], Session]:
    """The ``connect`` function of the warehouse's connector module (imported only now)."""
    return importlib.import_module(f"wsync_lint.live.{dialect}").connect  # type: ignore[no-any-return]


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, or :class:`WarehouseUnreachable` when it has not answered after ``seconds``.

    The call runs in a daemon thread, so a driver stuck in a socket cannot keep the process alive.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, re-raised there
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True, name="wsync-lint-live")
    worker.start()
    worker.join(seconds + min(seconds, _GRACE_SECONDS))
    if worker.is_alive():
        raise WarehouseUnreachable(f"no answer within {seconds:g} s (--timeout)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


Connect = Callable[[str, LiveSettings], Session]
"""Opens a session: ``connect(dialect, settings)``."""


def connect(dialect: str, settings: LiveSettings) -> Session:
    """A session through the warehouse's connector module (imported, with its driver, only now)."""
    return connector(dialect)(settings)


def open_session(
    work: Work, timeout: float, environment: Mapping[str, str] | None, opener: Connect = connect
) -> tuple[LiveSettings, Session] | str:
    """A session on the connection's warehouse, or the one line that says why there is none."""
    settings = settings_for(work.connection_id, work.dialect, work.config, timeout, environment)
    try:
        return settings, within(timeout, lambda: opener(work.dialect, settings))
    except WarehouseUnreachable as error:
        return unreachable_line(work, settings, error)


def unreachable_line(work: Work, settings: LiveSettings, error: WarehouseUnreachable) -> str:
    display = WAREHOUSES[work.dialect].display
    return f"connection {work.connection_id} ({display}): {settings.redact(str(error))}"


def close_session(session: Session, timeout: float) -> None:
    """Close without waiting on a dead connection for more than the timeout."""
    with contextlib.suppress(WarehouseUnreachable):
        within(timeout, session.close)


def preflight(
    paths: Iterable[Path],
    run_options: RunOptions,
    options: PreflightOptions,
    environment: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    opener: Connect = connect,
) -> PreflightResult:
    """Check the pipelines under ``paths`` against their warehouses, then lint with what was learned."""
    paths = list(paths) or [Path(".")]
    progress = progress or Progress()
    now = now or datetime.now(UTC)
    planner = Planner(run_options)
    works, notes = plan_work(paths, planner, options.connection)
    outcome = PreflightResult(RunResult(), notes=notes)
    live_violations: list[Violation] = []
    live_tables: dict[str, tuple[str, list[LiveTable]]] = {}
    progress.start(sum(len(work.bindings) for work in works))
    try:
        for work in works:
            opened = open_session(work, options.timeout, environment, opener)
            if isinstance(opened, str):
                outcome.unreachable.append(opened)
                continue
            settings, session = opened
            checker = _BindingChecker(session, settings, work, planner, options, now)
            try:
                for binding in work.bindings:
                    display = WAREHOUSES[work.dialect].display
                    progress.step(f"{binding.pipeline.id or binding.pipeline.path} ({display})")
                    live_violations.extend(checker.check(binding))
            except WarehouseUnreachable as error:
                outcome.unreachable.append(unreachable_line(work, settings, error))
            finally:
                close_session(session, options.timeout)
            outcome.notes.extend(checker.notes)
            live_tables[work.connection_id] = (work.dialect, checker.tables_seen)
    finally:
        progress.stop()
    with tempfile.TemporaryDirectory(prefix="wsync-lint-live-") as folder:
        overrides = write_snapshots(Path(folder), live_tables)
        result = lint_paths(paths, replace(run_options, schema_override=overrides))
    # A finding several pipelines share (a snapshot's drift, a table's missing grant) is reported
    # once, about all of their files.
    merged: dict[tuple[object, ...], Violation] = {}
    for violation in live_violations:
        key = violation.sort_key()
        earlier = merged.get(key)
        related = (*earlier.related, *violation.related) if earlier is not None else violation.related
        merged[key] = replace(violation, related=tuple(dict.fromkeys(related)))
    known = {v.sort_key() for v in result.violations}
    result.violations.extend(v for key, v in merged.items() if key not in known)
    result.violations.sort(key=Violation.sort_key)
    outcome.result = result
    return outcome


def snapshot_document(dialect: str, tables: Iterable[LiveTable]) -> dict[str, Any]:
    """A schema snapshot (the format of :mod:`wsync_lint.sql.snapshots`) of these tables, sorted."""
    found = {".".join(table.name): {column.name: column.type for column in table.columns} for table in tables}
    return {"dialect": dialect, "tables": dict(sorted(found.items()))}


def write_snapshots(folder: Path, tables: Mapping[str, tuple[str, list[LiveTable]]]) -> dict[str, str]:
    """Write one snapshot per connection into ``folder``; connection id -> the file written."""
    written = {}
    for connection_id, (dialect, found) in tables.items():
        path = folder / f"{connection_id}{LIVE_SUFFIX}"
        path.write_text(json.dumps(snapshot_document(dialect, found), indent=2) + "\n", encoding="utf-8")
        written[connection_id] = str(path)
    return written


def plan_work(paths: list[Path], planner: Planner, connection: str | None) -> tuple[list[Work], list[str]]:
    """The pipelines to check, grouped by connection, and notes on those that cannot be."""
    wanted = [path.resolve() for path in paths]

    def under_paths(location: Path) -> bool:
        resolved = location.resolve()
        return any(resolved == path or path in resolved.parents for path in wanted)

    works: dict[tuple[str, str], Work] = {}
    notes: list[str] = []
    seen_connections: set[str] = set()
    for root in project_roots(paths):
        project = load_project(root, planner)
        for binding in project.bindings():
            files = [project.locations[path] for path in binding.paths]
            sql = project.model_sql(binding.model)
            if sql is not None and sql.file is not None:
                files.append(sql.file)
            if not any(under_paths(location) for location in files):
                continue
            label = binding.pipeline.label
            if binding.connection is None or binding.connection.id is None:
                notes.append(f"{label}: its connection is not in the project (PL07): not preflighted")
                continue
            seen_connections.add(binding.connection.id)
            if connection is not None and binding.connection.id != connection:
                continue
            if binding.dialect is None:
                notes.append(f"{label}: connection `{binding.connection.id}` names no known warehouse: not preflighted")
                continue
            config = binding.connection.get("config")
            key = (str(root), binding.connection.id)
            work = works.setdefault(
                key,
                Work(project, binding.connection.id, binding.dialect, config if isinstance(config, Mapping) else {}),
            )
            work.bindings.append(binding)
    if connection is not None and connection not in seen_connections:
        from wsync_lint.errors import UsageError

        known = ", ".join(sorted(seen_connections)) or "none"
        raise UsageError(f"--connection {connection}: no pipeline under the paths uses it (connections: {known})")
    return list(works.values()), notes


class _BindingChecker:
    """Asks one session about each pipeline of its connection and turns the answers into findings."""

    def __init__(
        self,
        session: Session,
        settings: LiveSettings,
        work: Work,
        planner: Planner,
        options: PreflightOptions,
        now: datetime,
    ) -> None:
        self.session = session
        self.settings = settings
        self.work = work
        self.planner = planner
        self.options = options
        self.now = now
        self.notes: list[str] = []
        self._tables: dict[str, LiveTable | None] = {}
        self._grants: dict[tuple[str, ...], GrantCheck] = {}
        self._snapshots: dict[str, SnapshotFile] = {}

    @property
    def tables_seen(self) -> list[LiveTable]:
        """Every table the warehouse had, once each (several references can name one table)."""
        return list({table.name: table for table in self._tables.values() if table is not None}.values())

    def ask(self, call: Callable[[], T]) -> T:
        return within(self.options.timeout, call)

    def check(self, binding: Binding) -> list[Violation]:
        project = self.work.project
        sql = project.model_sql(binding.model)
        label = binding.pipeline.label
        if sql is None:
            return []  # CN03 reports a model without SQL
        text, shown, location = read_model(project, sql, self.planner)
        if not isinstance(text, str):
            self.notes.append(f"{label}: the model's SQL cannot be read: not preflighted")
            return []
        dialect = self.work.dialect
        try:
            model_query = read_only(text, dialect)
        except NotReadOnly as error:
            # The static rules (ST01, ST02, PS01) say what is wrong; nothing is sent.
            self.notes.append(f"{label}: the model was not sent to the warehouse: {error}")
            return []
        references = table_references(text, dialect, shown)
        context = LiveContext(
            connection_id=self.work.connection_id,
            warehouse=WAREHOUSES[dialect],
            pipeline=f"`{binding.pipeline.id}`" if binding.pipeline.id else f"in {binding.pipeline.path}",
            grantee=self._grantee(),
            connection_at=binding.connection.key_at("config") if binding.connection else binding.pipeline.start,
        )
        context.rejections = self._compile(binding, text, model_query)
        if isinstance(references, list):
            context.tables = [self._table_use(reference) for reference in references]
            readable = [(use.reference, use.live) for use in context.tables if use.live is not None]
            key = tuple(sorted({reference for reference, _ in readable}))
            if key not in self._grants:
                self._grants[key] = self.ask(lambda: self.session.check_grants(readable))
                self.notes.extend(
                    f"connection `{self.work.connection_id}`: grants not checked: {self.settings.redact(reason)}"
                    for reason in self._grants[key].unchecked
                )
            context.grants = self._grants[key]
        if self.options.count and not context.rejections:
            context.counts = self._counts(binding, text)
        context.snapshot = self._committed_snapshot(binding)
        return self._violations(context, sql, text, shown, location, binding)

    # -- asking the warehouse

    def _compile(self, binding: Binding, text: str, model_query: ReadOnlyQuery) -> list[Rejection]:
        try:
            self.ask(lambda: self.session.describe(model_query))
        except WarehouseRejected as error:
            return [self._rejection(MODEL, text, text, error)]
        rendering = render_pipeline(
            binding.pipeline.data, binding.model.id, text, self.work.dialect, self.work.connection_id, self.now
        )
        rejections = []
        for wrapper in rendering.queries:
            try:
                query = read_only(wrapper.sql, self.work.dialect)
                self.ask(lambda q=query: self.session.describe(q))
            except NotReadOnly as error:
                rejections.append(Rejection(wrapper.title, f"not sent: {error}", _model_start(text)))
            except WarehouseRejected as error:
                rejections.append(self._rejection(wrapper.title, wrapper.sql, text, error))
        return rejections

    def _rejection(self, statement: str, sent: str, text: str, error: WarehouseRejected) -> Rejection:
        message = self.settings.redact(error.message)
        if error.line is None:
            return Rejection(statement, message, _model_start(text))
        lines = LineIndex(sent)
        offset = lines.offset(error.line, error.column or 1)
        model = text.strip()
        begin = sent.find(model)
        if begin < 0 or not begin <= offset <= begin + len(model):
            # The error is in mParticle's part of the wrapper (often caused by the model's end).
            end = len(text.rstrip())
            return Rejection(statement, message, Span(max(0, end - 1), end), positioned=True)
        start = len(text) - len(text.lstrip()) + offset - begin
        return Rejection(statement, message, Span(start, min(start + 1, len(text))), positioned=True)

    def _table_use(self, reference: TableReference) -> TableUse:
        written = reference.written
        if written not in self._tables:
            try:
                names = [part.name for part in reference.parts]
                self._tables[written] = self.ask(lambda: self.session.table(written, names))
            except WarehouseRejected:
                self._tables[written] = None
        parts = tuple((part.name, part.quoted) for part in reference.parts)
        return TableUse(written, parts, reference.span, self._tables[written])

    def _counts(self, binding: Binding, text: str) -> list[WindowCount]:
        counted = []
        for window in first_windows(binding, self.now):
            iterator = binding.pipeline.get("sync_mode", "iterator_field")
            data_type = binding.pipeline.get("sync_mode", "iterator_data_type")
            condition = None
            if isinstance(iterator, str) and iterator and (window.start or window.until):
                condition = window_condition(
                    iterator,
                    data_type if isinstance(data_type, str) else None,
                    self.work.dialect,
                    window.start,
                    window.until,
                )
            query = read_only(count_query(text, self.work.dialect, condition).sql, self.work.dialect)
            try:
                rows = self.ask(lambda q=query: self.session.count(q))
            except WarehouseRejected as error:
                self.notes.append(f"{binding.pipeline.label}: rows not counted: {self.settings.redact(error.message)}")
                continue
            at = binding.pipeline.key_at(*window.key)
            counted.append(WindowCount(window.what, rows, window.limit, window.limit_name, at))
        return counted

    # -- placing the answers

    def _grantee(self) -> str:
        config = self.work.config
        for key, what in (("role", "role"), ("service_account_id", "service account"), ("user", "user")):
            value = config.get(key)
            if isinstance(value, str) and value:
                return f"{what} `{value}`"
        return f"the user of connection `{self.work.connection_id}`"

    def _committed_snapshot(self, binding: Binding) -> SnapshotFile | None:
        project = self.work.project
        path = snapshot_path(project.root, self.planner.config_for(project.root / "-"), binding)
        if path is None:
            return None
        if path not in self._snapshots:  # the connection's pipelines share one snapshot: read it once
            snapshot = read_snapshot(Path(path))
            self._snapshots[path] = SnapshotFile(
                snapshot, load_payload_file(snapshot.shown, Path(path).read_text(encoding="utf-8"))
            )
        return self._snapshots[path]

    def _violations(
        self, context: LiveContext, sql: ModelSql, text: str, shown: str, location: Path, binding: Binding
    ) -> list[Violation]:
        plan = self.planner.plan_for(location)
        model_lines = LineIndex(text)
        lines_of = {payload.path: payload.lines for payload in self.work.project.files}
        lines_of.update({found.file.path: found.file.lines for found in self._snapshots.values()})
        related = (*binding.paths, shown)
        in_model: list[Violation] = []
        elsewhere: list[Violation] = []
        for rule in all_rules():
            if rule.needs is not Needs.LIVE or rule.code not in plan.codes:
                continue
            config = plan.rule_configs.get(rule.code)
            for finding in rule.check(context, rule_options(rule, config)):
                at: Place = finding.at  # type: ignore[assignment]
                if isinstance(at, FileSpan):
                    violation = make_violation(rule, finding, at.path, at.span, lines_of[at.path], config)
                    elsewhere.append(replace(violation, related=related))
                else:
                    violation = make_violation(rule, finding, shown, at, model_lines, config)
                    in_model.append(replace(violation, related=related))
        if sql.file is None:
            in_model = placed_in_payload(in_model, sql, model_lines)
        return in_model + elsewhere


def _model_start(text: str) -> Span:
    """The model's first line (where a finding with no better place points)."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    return Span(start, end if end > start else max(start + 1, len(text.rstrip())))

"""``wsync-lint preflight``: each pipeline's model against its real warehouse, sending only reading statements.

For every pipeline under the paths (optionally of one connection), grouped by connection so
each warehouse gets one session:

1. the model is sent alone, then each of mParticle's wrappers around it (row count, column
   probe, sync run, as :mod:`wsync_lint.sql.wrappers` renders them), to be compiled without reading
   rows; refusals become LV01;
2. every table the model reads is looked up (for LV04 and for the live schema snapshot);
3. the connection's privileges are checked (LV02);
4. with ``--count``, the rows of the first sync window are counted (LV03); with ``--sample N``,
   aggregates of at most N rows describe the identity and iterator columns (LV08, LV09); with
   ``--cost``, the warehouse estimates what a run scans (LV07) (:mod:`wsync_lint.live.measuring`);
5. the whole project is then checked as ``check`` does, with the snapshots just taken from the
   warehouse in place of the committed ones, so the schema-aware rules see the warehouse's truth.

Only :class:`~wsync_lint.live.statements.ReadOnlyQuery` objects reach a connector: a model that
is not exactly one query never leaves the machine. Step 1 compiles without reading rows, but the
warehouse may still evaluate a function while planning; step 4 executes the model. What keeps either
from changing the warehouse is told in :mod:`wsync_lint.live.backend`. A connection that cannot be reached is
not checked (its driver is not installed, a credential is not set) or cannot be reached is named in
``RunResult.not_checked`` with why (exit 3), and the other connections are still checked. With
``--connection``, the report holds only the files of that connection (:func:`~wsync_lint.live.planning.connection_files`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from wsync_lint.contract.live_context import LiveTable
from wsync_lint.contract.live_figures import PipelineFigures
from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.run_result import NotChecked, RunOptions, RunResult
from wsync_lint.engine.runner import Planner, lint_paths
from wsync_lint.live.backend import WarehouseUnreachable
from wsync_lint.live.measuring import Measures
from wsync_lint.live.pipeline_check import BindingChecker
from wsync_lint.live.planning import plan_work
from wsync_lint.live.sessions import Connect, close_session, connect, not_checked, open_session
from wsync_lint.live.snapshot_writing import write_snapshots
from wsync_lint.mparticle.warehouses import WAREHOUSES

REJECTED = "LV01"
"""The rule that reports what the warehouse refused."""


@dataclass(frozen=True)
class PreflightOptions:
    """What the command line says about the live part of the run."""

    connection: str | None = None
    """Only the pipelines of this connection id."""
    count: bool = False
    """Count the rows of the first sync window (LV03): this reads data."""
    timeout: float = 30.0
    """Seconds for each login and each statement."""
    sample: int | None = None
    """``--sample N``: read aggregates of at most N rows per query (LV08, LV09): this reads data."""
    cost: bool = False
    """``--cost``: the warehouse's estimate of what each run scans, and a month of runs (LV07)."""


@dataclass
class PreflightResult:
    """Findings (static and live; the targets not checked in ``result.not_checked``), and notes."""

    result: RunResult
    notes: list[str] = field(default_factory=list)
    """What was left out of a target that was checked (a model not sent, grants not checked), and why."""
    scope: frozenset[str] | None = None
    """With ``--connection``: the only files (as displayed) findings are reported in and counted."""

    def add(self, violations: Sequence[Violation]) -> None:
        """More findings (the API's LV05 and LV06): those inside the scope that are not reported yet."""
        known = {violation.sort_key() for violation in self.result.violations}
        self.result.violations.extend(
            v for v in violations if v.sort_key() not in known and (self.scope is None or v.path in self.scope)
        )
        self.result.violations.sort(key=Violation.sort_key)


class Progress:
    """What the run reports while it works (nothing, unless the CLI gives a display)."""

    def start(self, total: int) -> None:
        """``total`` pipelines will be checked."""

    def step(self, label: str) -> None:
        """One pipeline is being checked."""

    def stop(self) -> None:
        """The run is over."""


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
    planned = plan_work(paths, planner, options.connection)
    works = planned.works
    outcome = PreflightResult(RunResult(), notes=planned.notes, scope=planned.scope)
    targets: list[NotChecked] = []
    live_violations: list[Violation] = []
    live_tables: dict[str, tuple[str, list[LiveTable]]] = {}
    figures: list[PipelineFigures] = []
    sources: dict[str, str] = {}
    measures = Measures(options.sample, options.cost)
    progress.start(sum(len(work.bindings) for work in works))
    try:
        for work in works:
            opened = open_session(work, options.timeout, environment, opener)
            if isinstance(opened, NotChecked):
                targets.append(opened)
                continue
            settings, session = opened
            checker = BindingChecker(session, settings, work, planner, options.timeout, options.count, now, measures)
            try:
                for binding in work.bindings:
                    display = WAREHOUSES[work.dialect].display
                    progress.step(f"{binding.pipeline.id or binding.pipeline.path} ({display})")
                    live_violations.extend(checker.check(binding))
            except WarehouseUnreachable as error:
                targets.append(not_checked(work, settings, error))
            finally:
                close_session(session, options.timeout)
            outcome.notes.extend(checker.notes)
            figures.extend(checker.figures)
            sources.update(checker.sources)
            live_tables[work.connection_id] = (work.dialect, checker.tables_seen)
    finally:
        progress.stop()
    with tempfile.TemporaryDirectory(prefix="wsync-lint-live-") as folder:
        overrides = write_snapshots(Path(folder), live_tables)
        result = lint_paths(paths, replace(run_options, schema_override=overrides, connection=options.connection))
    # A finding several pipelines share (a snapshot's drift, a table's missing grant) is reported
    # once, about all of their files.
    merged: dict[tuple[object, ...], Violation] = {}
    for violation in live_violations:
        key = violation.sort_key()
        earlier = merged.get(key)
        related = (*earlier.related, *violation.related) if earlier is not None else violation.related
        merged[key] = replace(violation, related=tuple(dict.fromkeys(related)))
    known = {v.sort_key() for v in result.violations}
    # One mistake, one finding: where the warehouse's refusal points at the very place a rule
    # already explains (RF06 names the column the warehouse does not know, with a suggestion), the
    # refusal says the same thing less precisely.
    explained = {(v.path, v.line, v.column) for v in result.violations if v.severity is Severity.ERROR}
    result.violations.extend(
        v
        for key, v in merged.items()
        if key not in known and not (v.code == REJECTED and (v.path, v.line, v.column) in explained)
    )
    if outcome.scope is not None:
        result.violations = [v for v in result.violations if v.path in outcome.scope]
        result.paths = [path for path in result.paths if path in outcome.scope]
    result.violations.sort(key=Violation.sort_key)
    # The lint kept the text of its own findings' files only: the live findings' files are quoted too.
    result.sources.update({v.path: sources[v.path] for v in result.violations if v.path in sources})
    result.not_checked = targets
    result.figures = [f for f in figures if outcome.scope is None or f.path in outcome.scope]
    outcome.result = result
    return outcome

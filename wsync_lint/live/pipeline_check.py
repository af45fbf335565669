"""One connection's pipelines asked about in its session, the answers turned into live findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from wsync_lint.analysis.function_purity import unsafe_calls
from wsync_lint.commands.model_tables import TableReference, table_references
from wsync_lint.contract.live_context import (
    GrantCheck,
    LiveContext,
    LiveTable,
    Place,
    Refusal,
    ResultColumn,
    SnapshotFile,
    TableUse,
    WindowCount,
)
from wsync_lint.contract.live_figures import PipelineFigures, Sample, ScanCost
from wsync_lint.contract.rule import Needs, Violation
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.engine.model_check import make_violation, rule_options
from wsync_lint.engine.project_check import placed_in_payload
from wsync_lint.engine.quoted_text import quotable_payload_text
from wsync_lint.engine.registry import all_rules
from wsync_lint.engine.runner import Planner, display_path, read_model, snapshot_path
from wsync_lint.live.backend import LiveSettings, Session, WarehouseRejected
from wsync_lint.live.compiling import compile_pipeline, model_start
from wsync_lint.live.measuring import Measurer, Measures, output_places, price_for, without_values
from wsync_lint.live.planning import Work
from wsync_lint.live.sessions import within
from wsync_lint.live.statements import NotReadOnly, ReadAmbiguously, read_only
from wsync_lint.live.windows import first_windows, window_filter
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.payload_files import load_payload_file
from wsync_lint.project.project import Binding, ModelSql
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.lexicon import scan
from wsync_lint.sql.parse import parse_tokens
from wsync_lint.sql.positions import FileSpan, LineIndex, Span
from wsync_lint.sql.snapshots import read_snapshot
from wsync_lint.sql.wrappers import count_query

T = TypeVar("T")


class BindingChecker:
    """Asks one session about each pipeline of its connection and turns the answers into findings."""

    def __init__(
        self,
        session: Session,
        settings: LiveSettings,
        work: Work,
        planner: Planner,
        timeout: float,
        count: bool,
        now: datetime,
        measures: Measures | None = None,
    ) -> None:
        """``timeout``: seconds for each statement; ``count``: count the rows of the first sync window
        (LV03); ``measures``: what ``--sample`` and ``--cost`` ask (LV07-LV09)."""
        self.session = session
        self.settings = settings
        self.work = work
        self.planner = planner
        self.timeout = timeout
        self.count = count
        self.now = now
        self.measures = measures or Measures()
        config = planner.config_for(work.project.root / "-")
        self._price = price_for(work.dialect, config.scan_prices, display_path(config.path) if config.path else None)
        """What a TiB scanned costs on this connection's warehouse (``--cost``), the same for each pipeline."""
        self.notes: list[str] = []
        self.sources: dict[str, str] = {
            payload.path: quotable_payload_text(payload) for payload in work.project.files if payload.problem is None
        }
        """The text of each file a live finding may point at, as displayed (for the code frames;
        payloads with their secrets masked, as ``check`` quotes them)."""
        self.figures: list[PipelineFigures] = []
        """What ``--sample`` and ``--cost`` measured, one entry per pipeline they were asked for."""
        self._tables: dict[str, LiveTable | None] = {}
        self._grants: dict[tuple[str, ...], GrantCheck] = {}
        self._snapshots: dict[str, SnapshotFile] = {}

    @property
    def tables_seen(self) -> list[LiveTable]:
        """Every table the warehouse had, once each (several references can name one table)."""
        return list({table.name: table for table in self._tables.values() if table is not None}.values())

    def ask(self, call: Callable[[], T]) -> T:
        return within(self.timeout, call)

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
        if sql.file is not None:
            self.sources[shown] = text
        dialect = self.work.dialect
        context = LiveContext(
            connection_id=self.work.connection_id,
            warehouse=WAREHOUSES[dialect],
            pipeline=f"`{binding.pipeline.id}`" if binding.pipeline.id else f"in {binding.pipeline.path}",
            grantee=self._grantee(),
            connection_at=binding.connection.key_at("config") if binding.connection else binding.pipeline.start,
        )
        model = self.parsed(text, location)
        context.refusals, held_back = self.refusals(model, location)
        model_query = None
        try:
            model_query = read_only(text, dialect)
        except ReadAmbiguously as error:
            # No static rule sees this: the warehouse's reading differs from sqlglot's.
            context.refusals.append(Refusal("lexing", "", str(error), Span(error.offset, error.offset + 1)))
        except NotReadOnly as error:
            if not held_back:
                # The static rules (ST01, ST02, PS01) say what is wrong; nothing is sent.
                self.notes.append(f"{label}: the model was not sent to the warehouse: {error}")
                return []
        if held_back and not context.refusals:
            self.notes.append(f"{label}: the model was not sent to the warehouse: ST08 reports what it calls")
        if held_back or context.refusals:
            self._not_measured(binding, "the model was not sent to the warehouse")
            return self._violations(context, sql, text, shown, location, binding)
        references = table_references(text, dialect, shown)
        context.rejections, columns = compile_pipeline(
            self.session, self.settings, self.timeout, self.work, binding, text, model_query, self.now
        )
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
        if self.count and not context.rejections:
            context.counts = self._counts(binding, text)
        if context.rejections:
            self._not_measured(binding, "the warehouse refused the model or a query around it (LV01)")
        elif self.measures.sample or self.measures.cost:
            self._measure(binding, text, columns, model, context)
        context.snapshot = self._committed_snapshot(binding)
        return self._violations(context, sql, text, shown, location, binding)

    def parsed(self, text: str, location: Path) -> SqlContext | None:
        """The model read as the static rules read it (None when it does not parse: PS01 says why,
        and read_only() refuses to send it)."""
        dialect = self.work.dialect
        lexicon = scan(text, dialect)
        statements, failure = parse_tokens(text, lexicon, dialect)
        if failure is not None or not statements:
            return None
        return SqlContext(str(location), text, WAREHOUSES[dialect], FileSettings(dialect=dialect), lexicon, statements)

    def refusals(self, model: SqlContext | None, location: Path) -> tuple[list[Refusal], bool]:
        """Why the model must not be sent, and whether it must not: the calls wsync-lint cannot
        prove free of side effects and row locks (:func:`~wsync_lint.analysis.function_purity.unsafe_calls`),
        except the functions the configuration vouches for (``read-only-functions``). ST08's calls
        hold the model back too, but when ST08 runs on the file its finding is the one reported
        (one mistake, one finding), so they are not among the refusals."""
        if model is None:
            return [], False
        vouched = self.planner.config_for(location).read_only_functions
        st08_reports = "ST08" in self.planner.plan_for(location).codes
        found = unsafe_calls(model, vouched)
        kept = [call for call in found if not (call.st08 and st08_reports)]
        return [Refusal(call.kind, call.name, call.why, call.at) for call in kept], bool(found)

    # -- asking the warehouse

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
            condition = window_filter(binding, window, self.work.dialect)
            query = read_only(count_query(text, self.work.dialect, condition).sql, self.work.dialect)
            try:
                rows = self.ask(lambda q=query: self.session.count(q))
            except WarehouseRejected as error:
                message = self.settings.redact(without_values(error.message, query.sql))
                self.notes.append(f"{binding.pipeline.label}: rows not counted: {message}")
                continue
            at = binding.pipeline.key_at(*window.key)
            counted.append(WindowCount(window.what, rows, window.limit, window.limit_name, at))
        return counted

    def _measure(
        self, binding: Binding, text: str, columns: list[ResultColumn], model: SqlContext | None, context: LiveContext
    ) -> None:
        """``--sample`` and ``--cost`` for one pipeline whose model and wrappers compiled."""
        measurer = Measurer(self.session, self.work.dialect, self.ask, self.now, self.settings.redact)
        model_at = model_start(text)
        if self.measures.sample:
            places = output_places(model) if model is not None else {}
            context.sample = measurer.sample(binding, text, columns, places, model_at, self.measures.sample)
        if self.measures.cost:
            # Each table once, however often the model names it (a self-join): its layout is asked once.
            tables = {use.live.name: use.live for use in context.tables if use.live is not None}
            context.cost = measurer.cost(binding, text, list(tables.values()), self._price)
        self._record(binding, context.sample, context.cost, tuple(measurer.missed))

    def _not_measured(self, binding: Binding, why: str) -> None:
        asked = [name for name, wanted in (("sample", self.measures.sample), ("cost", self.measures.cost)) if wanted]
        if asked:
            self._record(binding, None, None, tuple(f"{name}: {why}" for name in asked))

    def _record(self, binding: Binding, sample: Sample | None, cost: ScanCost | None, missed: tuple[str, ...]) -> None:
        pipeline = binding.pipeline
        self.figures.append(
            PipelineFigures(
                pipeline.id or pipeline.path,
                pipeline.path,
                self.work.connection_id,
                WAREHOUSES[self.work.dialect].display,
                sample,
                cost,
                missed,
            )
        )

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
            self._snapshots[path] = SnapshotFile(snapshot, load_payload_file(snapshot.shown, snapshot.text))
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

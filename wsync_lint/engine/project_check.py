"""Checking a project: payload rules per file, each model's SQL per pipeline, then project rules.

A model used by a pipeline is checked in the warehouse of the pipeline's connection, with the
pipeline's type and iterator; a model two pipelines use is checked for each, and identical
findings are reported once. An inline query (``config.sql_query``) is checked like a file, and
its findings are placed inside the payload file, on the query's own text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wsync_lint.contract.project_context import ModelView, PayloadContext, ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Violation
from wsync_lint.engine.model_check import FilePlan, analyse, make_violation, place_in_file, rule_options
from wsync_lint.engine.registry import find_rule, payload_rules, rules_needing
from wsync_lint.project.model_files import SQL_SUFFIXES
from wsync_lint.project.payload_files import PayloadFile, string_offsets
from wsync_lint.project.project import Binding, ModelSql, Project
from wsync_lint.project.resources import Kind, Resource
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.positions import FileSpan, LineIndex, Span
from wsync_lint.sql.reading import ReadProblem, read_source


@dataclass
class ProjectOutcome:
    """What checking a project produced."""

    violations: list[Violation] = field(default_factory=list)
    checked_sql: set[Path] = field(default_factory=set)
    """SQL files checked here, for their pipelines (the runner does not check them again)."""
    not_run: set[str] = field(default_factory=set)
    """Rules that could not run on some model for want of a schema snapshot."""
    refused: set[Path] = field(default_factory=set)
    """SQL files that data models name but that must not be read (CN03: outside the project, not
    a regular file, missing), resolved: the runner does not read them either."""
    analysed: dict[str, list[tuple[FilePlan, str]]] = field(default_factory=dict)
    """Each model checked here (as displayed) -> the plans it was checked with and where each
    one's warehouse came from (``--fix`` re-checks with the same plans; notes name a default)."""
    unread_payloads: list[str] = field(default_factory=list)
    """Payload files that could not be decoded (one may hold the pipeline of a model)."""


class ProjectChecker:
    """Checks one project with the plans (selection, options) of the files involved."""

    def __init__(
        self,
        project: Project,
        plan_for: Callable[[Path], FilePlan],
        max_file_size: Callable[[Path], int],
        display: Callable[[Path], str],
        snapshot_for: Callable[[Binding], str | None] = lambda binding: None,
        read_sql: Callable[[Path], str | ReadProblem] | None = None,
        connection: str | None = None,
    ) -> None:
        """``read_sql`` reads a model file of the project (default: from disk, bounded by its
        configuration's ``max-file-size``): the runner passes one that takes the text of
        standard input for the file it stands in for, and keeps what it read for the code frames."""
        self.project = project
        self.plan_for = plan_for
        self.max_file_size = max_file_size
        self.display = display
        self.snapshot_for = snapshot_for
        self.read_sql = read_sql or (lambda path: read_source(path, max_file_size(path), project.root))
        self.connection = connection
        """Only the pipelines of this connection id judge a model (``RunOptions.connection``)."""
        self.outcome = ProjectOutcome()
        self._lines: dict[str, LineIndex] = {payload.path: payload.lines for payload in project.files}
        self._locations: dict[str, Path] = dict(project.locations)

    def run(self) -> ProjectOutcome:
        for payload in self.project.files:
            self._check_payload(payload)
        context = ProjectContext(self.project, self.project.bindings())
        self._check_models(context)
        self._check_project(context)
        return self.outcome

    # -- payload files, one at a time

    def _check_payload(self, payload: PayloadFile) -> None:
        plan = self.plan_for(self.project.locations[payload.path])
        resources = [r for r in self.project.resources if r.file is payload]
        unrecognised = [(document, pointer) for file, document, pointer in self.project.unrecognised if file is payload]
        problems = {
            id(resource): (sql.problem, self.display(sql.file))
            for resource in resources
            if resource.kind is Kind.DATA_MODEL
            and (sql := self.project.model_sql(resource)) is not None
            and sql.problem is not None
            and sql.file is not None
        }
        context = PayloadContext(payload, resources, unrecognised, problems)
        for rule in payload_rules(plan.codes):
            check = rule.check if rule.needs is Needs.PAYLOAD else rule.payload_check
            if check is None:
                continue
            config = plan.rule_configs.get(rule.code)
            for finding in check(context, rule_options(rule, config)):
                span = finding.at.span if isinstance(finding.at, FileSpan) else finding.at
                assert isinstance(span, Span), f"{rule.code}: a payload finding points at a span"
                self.outcome.violations.append(make_violation(rule, finding, payload.path, span, payload.lines, config))

    # -- each model's SQL, per pipeline that uses it

    def _check_models(self, context: ProjectContext) -> None:
        by_model: dict[int, list[Binding]] = {}
        for binding in context.bindings:
            by_model.setdefault(id(binding.model), []).append(binding)
        models = [
            (sql, by_model.get(id(model), []))
            for model in self.project.of_kind(Kind.DATA_MODEL)
            if (sql := self.project.model_sql(model)) is not None
        ]
        for sql, _ in models:
            if sql.file is not None and sql.problem is not None:
                self.outcome.refused.add(sql.file)
        bound_files = {sql.file for sql, bindings in models if bindings and sql.file is not None}
        for sql, all_bindings in models:
            bindings = [b for b in all_bindings if self._judges(b)]
            if all_bindings and not bindings:
                continue  # the model of another connection's pipelines only
            # The runner finds a standalone `.sql` file and checks it with its own settings; a
            # file of another name is found only here, through the model, and checked once.
            if (
                not bindings
                and sql.file is not None
                and (
                    sql.file.suffix.lower() in SQL_SUFFIXES
                    or sql.file in bound_files
                    or sql.file in self.outcome.checked_sql
                )
            ):
                continue
            self._check_model(sql, bindings, context)

    def _judges(self, binding: Binding) -> bool:
        return self.connection is None or (binding.connection is not None and binding.connection.id == self.connection)

    def _check_model(self, sql: ModelSql, bindings: list[Binding], context: ProjectContext) -> None:
        if sql.file is not None:
            if sql.problem is not None:
                return  # CN03 reports it; a file outside the project or no regular file is never read
            shown = self.display(sql.file)
            plan = self.plan_for(sql.file)
            source = self.read_sql(sql.file)
            self.outcome.checked_sql.add(sql.file)  # resolved by locate_sql_file
            self._locations[shown] = sql.file
        else:
            shown = sql.model.path
            plan = self.plan_for(self.project.locations[shown])
            source = sql.inline or ""
        # The same finding from several pipelines is reported once; one that depends on the
        # pipeline names the pipelines it is about.
        merged: dict[tuple[object, ...], tuple[Violation, list[Binding]]] = {}
        for binding in bindings or [None]:
            # No fallback warehouse here: without the connection's, the model's own directive decides.
            bound = binding.settings(None, self.snapshot_for(binding)) if binding is not None else None
            analysis = analyse(source, shown, _bound_plan(plan, bound))
            violations, sql_context = analysis.violations, analysis.context
            self.outcome.analysed.setdefault(shown, []).append((_bound_plan(plan, bound), analysis.dialect_origin))
            self.outcome.not_run |= sql_context.not_run
            if binding is not None:
                context.views[id(binding.pipeline)] = ModelView(sql, sql_context, shown)
            if sql.file is None:
                violations = placed_in_payload(violations, sql, sql_context.lines)
            else:
                self._lines[shown] = sql_context.lines
            for violation in violations:
                _, involved = merged.setdefault(violation.sort_key(), (violation, []))
                if binding is not None and _reads_pipeline(violation):
                    involved.append(binding)
        for violation, involved in merged.values():
            self.outcome.violations.append(_involving(violation, involved) if involved else violation)

    # -- rules over the whole project

    def _check_project(self, context: ProjectContext) -> None:
        if not self.project.resources:
            return  # every project rule reads the resources: none, nothing to find (and no rule imported)
        for rule in rules_needing(Needs.PROJECT):
            for finding in rule.check(context, rule.default_options()):
                self._place_project_finding(rule, finding)

    def _place_project_finding(self, rule: Rule, finding: Finding) -> None:
        violation = place_in_file(rule, finding, self._locations, self._lines, self.plan_for)
        if violation is not None:
            self.outcome.violations.append(violation)


def _bound_plan(plan: FilePlan, bound: FileSettings | None) -> FilePlan:
    if bound is None:
        return plan
    return FilePlan(plan.codes, plan.settings, plan.forced_dialect, plan.rule_configs, bound)


def _reads_pipeline(violation: Violation) -> bool:
    rule = find_rule(violation.code)
    return rule is not None and rule.reads_pipeline


def _involving(violation: Violation, bindings: list[Binding]) -> Violation:
    """A finding that depends on the pipelines using the model is about their files too, and
    says which pipelines."""
    names = list(dict.fromkeys(f"`{binding.pipeline.id}`" for binding in bindings if binding.pipeline.id))
    label = ""
    if names:
        label = f"pipeline {names[0]}: " if len(names) == 1 else f"pipelines {', '.join(names)}: "
    related = (*violation.related, *(path for binding in bindings for path in binding.paths))
    return _replace(violation, message=label + violation.message, related=tuple(dict.fromkeys(related)))


def placed_in_payload(violations: list[Violation], sql: ModelSql, sql_lines: LineIndex) -> list[Violation]:
    """Move findings on an inline query to where the query's text is in the payload file."""
    model: Resource = sql.model
    payload = model.file
    offsets = string_offsets(payload, model.document, (*model.pointer, *sql.pointer))
    placed = []
    for violation in violations:
        start = _payload_offset(offsets, sql_lines.offset(violation.line, violation.column))
        end = _payload_offset(offsets, sql_lines.offset(violation.end_line, violation.end_column))
        line, column = payload.lines.position(start)
        end_line, end_column = payload.lines.position(max(end, start))
        placed.append(
            _replace(
                violation,
                path=payload.path,
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                fix=None,  # fixes edit .sql files; an inline query is edited by hand
            )
        )
    return placed


def _payload_offset(offsets: list[int], offset: int) -> int:
    return offsets[max(0, min(offset, len(offsets) - 1))]


def _replace(violation: Violation, **changes: object) -> Violation:
    from dataclasses import replace

    return replace(violation, **changes)  # type: ignore[arg-type]

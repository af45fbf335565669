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
from wsync_lint.engine.model_check import FilePlan, analyse_source, make_violation, rule_options
from wsync_lint.engine.registry import all_rules, find_rule
from wsync_lint.project.payload_files import PayloadFile, string_offsets
from wsync_lint.project.project import Binding, ModelSql, Project
from wsync_lint.project.resources import Kind, Resource
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.positions import FileSpan, LineIndex, Span
from wsync_lint.sql.reading import read_source


@dataclass
class ProjectOutcome:
    """What checking a project produced."""

    violations: list[Violation] = field(default_factory=list)
    checked_sql: set[Path] = field(default_factory=set)
    """SQL files checked here, for their pipelines (the runner does not check them again)."""
    not_run: set[str] = field(default_factory=set)
    """Rules that could not run on some model for want of a schema snapshot."""


class ProjectChecker:
    """Checks one project with the plans (selection, options) of the files involved."""

    def __init__(
        self,
        project: Project,
        plan_for: Callable[[Path], FilePlan],
        max_file_size: Callable[[Path], int],
        display: Callable[[Path], str],
        snapshot_for: Callable[[Binding], str | None] = lambda binding: None,
    ) -> None:
        self.project = project
        self.plan_for = plan_for
        self.max_file_size = max_file_size
        self.display = display
        self.snapshot_for = snapshot_for
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
        missing = frozenset(
            id(resource)
            for resource in resources
            if resource.kind is Kind.DATA_MODEL
            and (sql := self.project.model_sql(resource)) is not None
            and sql.file is not None
            and not sql.file.is_file()
        )
        context = PayloadContext(payload, resources, unrecognised, missing)
        for rule in all_rules():
            if rule.code not in plan.codes:
                continue
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
        for model in self.project.resources:
            sql = self.project.model_sql(model) if model.kind is Kind.DATA_MODEL else None
            if sql is None:
                continue
            bindings = by_model.get(id(model), [])
            if not bindings and sql.file is not None:
                continue  # a standalone .sql file: the runner checks it with its own settings
            self._check_model(sql, bindings, context)

    def _check_model(self, sql: ModelSql, bindings: list[Binding], context: ProjectContext) -> None:
        if sql.file is not None:
            if not sql.file.is_file():
                return  # CN03 reports the missing file
            shown = self.display(sql.file)
            plan = self.plan_for(sql.file)
            source = read_source(sql.file, self.max_file_size(sql.file))
            self.outcome.checked_sql.add(sql.file.resolve())
            self._locations[shown] = sql.file
        else:
            shown = sql.model.path
            plan = self.plan_for(self.project.locations[shown])
            source = sql.inline or ""
        # The same finding from several pipelines is reported once; one that depends on the
        # pipeline names the pipelines it is about.
        merged: dict[tuple[object, ...], tuple[Violation, list[Binding]]] = {}
        for binding in bindings or [None]:
            bound = binding.settings(_fallback(plan), self.snapshot_for(binding)) if binding is not None else None
            violations, sql_context = analyse_source(source, shown, _bound_plan(plan, bound))
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
        for rule in all_rules():
            if rule.needs is not Needs.PROJECT:
                continue
            for finding in rule.check(context, rule.default_options()):
                self._place_project_finding(rule, finding)

    def _place_project_finding(self, rule: Rule, finding: Finding) -> None:
        at = finding.at
        assert isinstance(at, FileSpan), f"{rule.code}: a project finding points into a named file"
        location = self._locations.get(at.path)
        lines = self._lines.get(at.path)
        if location is None or lines is None:
            return
        plan = self.plan_for(location)
        if rule.code not in plan.codes:
            return
        config = plan.rule_configs.get(rule.code)
        self.outcome.violations.append(make_violation(rule, finding, at.path, at.span, lines, config))


def _fallback(plan: FilePlan) -> str:
    """The warehouse to assume when the pipeline's connection is not in the project."""
    from wsync_lint.engine.model_check import DEFAULT_DIALECT

    return plan.forced_dialect or (plan.settings.dialect if plan.settings else None) or DEFAULT_DIALECT


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

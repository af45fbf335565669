"""The lint pipeline for one model: read -> tokens -> directives -> parse -> rules -> violations.

Rules only yield findings. Here they get a position (1-based line and column from character
offsets), a code and a severity, are filtered by selection, ``per-file-ignores`` and
suppression comments, and come back sorted by line, column and code.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from wsync_lint.contract.rule import Finding, Location, Needs, Rule, Violation
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.engine.config import RuleConfig
from wsync_lint.engine.directives import DirectiveProblem, Directives, read_directives
from wsync_lint.engine.registry import find_rule, sql_rules
from wsync_lint.errors import UsageError
from wsync_lint.files import is_within, resolved_or_none
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.roots import RootFinder
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.lexicon import Lexicon, scan
from wsync_lint.sql.parse import parse_tokens, parses_in
from wsync_lint.sql.positions import FileSpan, LineIndex, Span, node_span
from wsync_lint.sql.reading import ReadProblem, no_statement_problem
from wsync_lint.sql.snapshots import read_snapshot

DEFAULT_DIALECT = "snowflake"

# Trying the other three dialects for PS01's hint costs three parses; only worth it on files of
# data-model size.
_OTHER_DIALECT_PROBE_LIMIT = 64 * 1024


def _worth_probing(text: str, lexicon: Lexicon) -> bool:
    """Whether PS01 should say which other warehouses parse the file.

    The hint ("is the connection's warehouse right?") is for a data model: one statement of
    modest size. A script of several statements is already reported by ST02, and parsing it
    three more times would cost more than checking it.
    """
    if len(text) > _OTHER_DIALECT_PROBE_LIMIT:
        return False
    last = len(lexicon.tokens) - 1
    return all(t.token_type is not TokenType.SEMICOLON for t in lexicon.tokens[:last])


@dataclass(frozen=True)
class FilePlan:
    """What to check in one file and how, before its own directive comments are read."""

    codes: frozenset[str]
    """The rule codes that run."""
    settings: FileSettings | None = None
    """Settings from configuration (dialect None when the configuration names none)."""
    forced_dialect: str | None = None
    """``--dialect``: beats the directive comment and the configuration."""
    rule_configs: dict[str, RuleConfig] = field(default_factory=dict)
    bound: FileSettings | None = None
    """The settings of the pipeline that uses this model: they beat everything else (its dialect
    is None when the pipeline's connection is missing or names no known warehouse)."""


DIALECT_ORIGINS = ("connection", "--dialect", "directive", "configuration", "default")
"""Where a model's warehouse can come from, strongest first."""


def choose_dialect(plan: FilePlan, directives: Directives) -> tuple[str, str]:
    """The model's warehouse and where it comes from (one of :data:`DIALECT_ORIGINS`).

    The connection of the pipeline that uses the model decides. When it cannot (no pipeline
    uses the model, or its connection is missing or names no known warehouse): ``--dialect``,
    then the file's directive comment, then configuration, then Snowflake by default.
    """
    if plan.bound is not None and plan.bound.dialect:
        return plan.bound.dialect, "connection"
    if plan.forced_dialect:
        return plan.forced_dialect, "--dialect"
    if directives.settings.get("dialect"):
        return directives.settings["dialect"], "directive"
    if plan.settings is not None and plan.settings.dialect:
        return plan.settings.dialect, "configuration"
    return DEFAULT_DIALECT, "default"


def resolve_settings(plan: FilePlan, directives: Directives) -> tuple[FileSettings, str]:
    """The pipeline that uses the model; else the file's directive comment, then configuration,
    then defaults; with where the warehouse came from (:func:`choose_dialect`)."""
    dialect, origin = choose_dialect(plan, directives)
    if plan.bound is not None:
        return replace(plan.bound, dialect=dialect), origin
    base = plan.settings or FileSettings(dialect=DEFAULT_DIALECT)
    chosen = directives.settings
    settings = FileSettings(
        dialect=dialect,
        pipeline_type=chosen.get("pipeline_type", base.pipeline_type),
        iterator_field=chosen.get("iterator_field", base.iterator_field),
        iterator_data_type=chosen.get("iterator_data_type", base.iterator_data_type),
        schema=chosen.get("schema", base.schema),
    )
    return settings, origin


@dataclass
class ModelCheck:
    """What checking one model produced: its findings, the file as parsed, and where its
    warehouse came from (:data:`DIALECT_ORIGINS`, or ``unread`` when the file could not be read
    or holds no statement: no warehouse mattered)."""

    violations: list[Violation]
    context: SqlContext
    dialect_origin: str
    directive_problems: tuple[DirectiveProblem, ...] = ()
    """What in the file's wsync-lint comments could not be applied (WL02's when it runs): for a
    command that runs no rules (``render``, ``columns``, ``--show-settings``) to mention."""


def check_source(source: str | ReadProblem, path: str, plan: FilePlan) -> list[Violation]:
    """Lint one model's text (or report why it could not be read); ``path`` is for display."""
    return analyse_source(source, path, plan)[0]


def analyse_source(source: str | ReadProblem, path: str, plan: FilePlan) -> tuple[list[Violation], SqlContext]:
    """:func:`check_source`, also returning the parsed file (for cross-file rules)."""
    analysis = analyse(source, path, plan)
    return analysis.violations, analysis.context


def analyse(source: str | ReadProblem, path: str, plan: FilePlan) -> ModelCheck:
    """:func:`analyse_source`, also saying where the model's warehouse came from."""
    if isinstance(source, ReadProblem):
        settings, _ = resolve_settings(plan, Directives())
        empty = Lexicon((), (), True)
        lines = LineIndex(source.text)
        warehouse = WAREHOUSES[settings.dialect]
        context = SqlContext(path, "", warehouse, settings, empty, read_problem=source, lines=lines)
        return ModelCheck(_run_rules(context, plan, Directives()), context, "unread")

    text = source
    lines = LineIndex(text)
    provisional, _ = choose_dialect(plan, Directives())
    lexicon = scan(text, provisional)
    directives = read_directives(text, lexicon, lines)
    if plan.bound is None and "schema" in directives.settings:
        _place_directive_snapshot(path, directives)
    settings, origin = resolve_settings(plan, directives)
    if settings.dialect != provisional:
        lexicon = scan(text, settings.dialect)
    context = SqlContext(path, text, WAREHOUSES[settings.dialect], settings, lexicon, lines=lines, running=plan.codes)
    if not lexicon.tokens:
        context.read_problem = no_statement_problem(text)
    else:
        context.statements, context.parse_failure = parse_tokens(text, lexicon, settings.dialect)
        if context.parse_failure is None and not context.statements:
            context.read_problem = no_statement_problem(text)
        elif context.parse_failure and "PS01" in plan.codes and _worth_probing(text, lexicon):
            context.other_dialects_parsing = tuple(
                name for name in WAREHOUSES if name != settings.dialect and parses_in(text, name)
            )
    if context.read_problem is not None:
        origin = "unread"
    return ModelCheck(_run_rules(context, plan, directives), context, origin, tuple(directives.problems))


def _place_directive_snapshot(path: str, directives: Directives) -> None:
    """Resolve the snapshot a ``schema=`` directive names (relative to the SQL file), or drop the
    setting when it leads out of the SQL file's project: a committed comment must not make
    wsync-lint read, and quote in its findings, a file elsewhere on the machine."""
    name = directives.settings["schema"]
    snapshot = resolved_or_none(Path(path).parent / name)
    root = RootFinder().root_of(Path(path)).folder
    if snapshot is None or not is_within(snapshot, root):
        message = f"schema={name}: the snapshot lies outside the project ({root}), so it is not read"
        directives.drop_setting("schema", message, "name a snapshot inside the project, relative to this file")
        return
    try:
        read_snapshot(snapshot)  # cached: the rules read it again for nothing
    except UsageError as unusable:  # missing, a folder, not JSON, not a snapshot: this file's mistake
        directives.drop_setting(
            "schema",
            f"schema={name}: {str(unusable).removeprefix(f'{snapshot}: ')}",
            "name a schema snapshot file (`wsync-lint schema pull` writes one)",
        )
        return
    directives.settings["schema"] = str(snapshot)


def _runs(rule: Rule, context: SqlContext) -> bool:
    if rule.needs is Needs.SOURCE:
        return True
    if context.read_problem is not None:
        return False
    if rule.needs is Needs.TREE:
        return context.parse_failure is None
    return rule.needs is Needs.TEXT  # payload and project rules run elsewhere


def _run_rules(context: SqlContext, plan: FilePlan, directives: Directives) -> list[Violation]:
    locator = Locator(context)
    violations: list[Violation] = []
    late_rules: list[Rule] = []
    for rule in sql_rules(plan.codes):
        if rule.needs is Needs.SUPPRESSIONS:
            late_rules.append(rule)
        elif rule.needs_schema and context.schema is None:
            context.not_run.add(rule.code)
        elif _runs(rule, context):
            violations.extend(_violations(rule, context, locator, plan))
    kept = _apply_suppressions(violations, directives)
    if context.read_problem is None:
        context.suppressions = directives.suppressions
        for rule in late_rules:
            kept.extend(_violations(rule, context, locator, plan))
    if directives.problems and DIRECTIVE_PROBLEM_CODE in plan.codes:
        kept.extend(_directive_violations(context, plan, directives))
    kept.sort(key=Violation.sort_key)
    return kept


DIRECTIVE_PROBLEM_CODE = "WL02"
"""What a wsync-lint comment that cannot be read is reported as (``invalid-suppression``, whose
documentation covers settings comments too; codes are a contract, so it keeps its name)."""


def _directive_violations(context: SqlContext, plan: FilePlan, directives: Directives) -> Iterator[Violation]:
    """Each part of the file's wsync-lint comments that could not be read, as a finding at it. Like
    WL02's other findings they come after suppressions: a comment cannot silence its own mistake."""
    rule = find_rule(DIRECTIVE_PROBLEM_CODE)
    assert rule is not None
    config = plan.rule_configs.get(rule.code)
    for problem in directives.problems:
        finding = Finding(problem.span, problem.message, hint=problem.hint)
        yield make_violation(rule, finding, context.path, problem.span, context.lines, config)


def _violations(rule: Rule, context: SqlContext, locator: Locator, plan: FilePlan) -> list[Violation]:
    config = plan.rule_configs.get(rule.code)
    path, lines = context.path, locator.lines
    return [
        make_violation(rule, finding, path, locator.span_of(finding.at), lines, config)
        for finding in rule.check(context, rule_options(rule, config))
    ]


def rule_options(rule: Rule, config: RuleConfig | None) -> dict[str, object]:
    """The rule's options: its defaults, overridden by configuration."""
    options = rule.default_options()
    if config is not None:
        options.update(config.options)
    return options


def make_violation(
    rule: Rule, finding: Finding, path: str, span: Span, lines: LineIndex, config: RuleConfig | None
) -> Violation:
    """Place ``finding`` at ``span`` of the file ``path`` (whose lines are ``lines``)."""
    line, column = lines.position(span.start)
    end_line, end_column = lines.position(span.end)
    severity = (config.severity if config else None) or finding.severity or rule.default_severity
    return Violation(
        path=path,
        line=line,
        column=column,
        code=rule.code,
        end_line=end_line,
        end_column=end_column,
        name=rule.name,
        severity=severity,
        message=finding.message,
        hint=finding.hint,
        fix=finding.fix,
        related=finding.related,
    )


def place_in_file(
    rule: Rule,
    finding: Finding,
    locations: Mapping[str, Path],
    lines: Mapping[str, LineIndex],
    plan_for: Callable[[Path], FilePlan],
) -> Violation | None:
    """Place a finding of a rule over the whole project (it points into a named file) with that
    file's plan: its selection and severity apply where the finding lands. None when the file is
    not one of ``locations`` or its plan leaves the rule out."""
    at = finding.at
    assert isinstance(at, FileSpan), f"{rule.code}: a project-wide finding points into a named file"
    location, text_lines = locations.get(at.path), lines.get(at.path)
    if location is None or text_lines is None:
        return None
    plan = plan_for(location)
    if rule.code not in plan.codes:
        return None
    return make_violation(rule, finding, at.path, at.span, text_lines, plan.rule_configs.get(rule.code))


class Locator:
    """Turns what a finding points at into a span and 1-based positions, for one file."""

    def __init__(self, context: SqlContext) -> None:
        self.context = context
        self.lines = context.lines
        self.tokens = context.lexicon.tokens
        self._starts: list[int] | None = None

    def span_of(self, at: Location) -> Span:
        if isinstance(at, Span):
            return at
        if isinstance(at, FileSpan):
            return at.span
        if isinstance(at, Token):
            return Span(at.start, at.end + 1)
        node: exp.Expression | None = at
        while node is not None and not isinstance(node, exp.Query):
            span = node_span(node)
            if span is not None:
                return self._close_parentheses(span)
            # An unpositioned node (`*`, `CURRENT_DATE`): point at what holds it, but not at a
            # whole query, whose first positioned part may be any of its other items.
            node = node.parent
        if node is not None and node is not at:
            return self._statement_start(node)
        span = node_span(at)
        return self._close_parentheses(span) if span is not None else self._statement_start(at)

    def _statement_start(self, node: exp.Expression) -> Span:
        """The first token of the statement holding ``node`` (the file's start if unknown)."""
        span = self.context.statement_span(node)
        if span is None:
            return Span(0, 0)
        first = self.tokens[bisect.bisect_left(self._token_starts(), span.start)]
        return Span(first.start, first.end + 1)

    def _token_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [token.start for token in self.tokens]
        return self._starts

    def _close_parentheses(self, span: Span) -> Span:
        """Extend a node's span over the closing parentheses it opened.

        sqlglot positions names and literals, not punctuation, so ``COUNT(t.id)`` would
        otherwise end at ``id``. A node's text always has balanced parentheses.
        """
        index = bisect.bisect_left(self._token_starts(), span.start)
        depth, end = 0, span.end
        while index < len(self.tokens):
            token = self.tokens[index]
            if token.start >= span.end and depth <= 0:
                break
            if token.token_type is TokenType.L_PAREN:
                depth += 1
            elif token.token_type is TokenType.R_PAREN:
                depth -= 1
            end = max(end, token.end + 1)
            index += 1
        return Span(span.start, end)


def _apply_suppressions(violations: list[Violation], directives: Directives) -> list[Violation]:
    if not directives.suppressions:
        return violations
    kept = []
    for violation in violations:
        suppressed = False
        for suppression in directives.suppressions:
            if suppression.covers(violation.code, violation.line):
                suppression.used.add(violation.code)
                suppressed = True
        if not suppressed:
            kept.append(violation)
    return kept

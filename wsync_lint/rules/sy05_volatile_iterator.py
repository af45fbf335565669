"""The iterator column is computed from the clock, so its value changes on every run.

## What it does
For a model whose pipeline has an iterator (`sync_mode.iterator_field`, or `iterator_field` in
the configuration or a `-- wsync-lint:` comment), finds the output column named like the
iterator (case ignored) and reports a call to the clock that its value is computed from,
pointing at the call:

- `CURRENT_TIMESTAMP`, `CURRENT_DATE`, `CURRENT_TIME`, `CURRENT_DATETIME`, `LOCALTIMESTAMP`,
  `LOCALTIME`, `SYSDATE`, `SYSTIMESTAMP`, `GETDATE()`, `NOW()`, `SYSDATETIME()`,
  `UNIX_TIMESTAMP()` without arguments, and the like, in every warehouse's spelling;
- anywhere in the column's expression: `CURRENT_TIMESTAMP() AS updated_at`, but also
  `COALESCE(updated_at, CURRENT_TIMESTAMP())` (rows without a timestamp get a new one on every
  run), `DATEADD(day, -1, CURRENT_DATE)` or `DATEDIFF(day, created_at, CURRENT_DATE)`;
- through derived tables and CTEs: `SELECT s.updated_at FROM (SELECT CURRENT_TIMESTAMP AS
  updated_at ...) s` is reported at the inner call.

A clock call that only decides a condition is not reported: `CASE WHEN updated_at >
CURRENT_TIMESTAMP() THEN NULL ELSE updated_at END` never returns the clock's value (clock
calls under a comparison, `AND`/`OR`/`NOT`, or in a subquery's `WHERE`, `HAVING`, `JOIN`
condition or `ORDER BY` are ignored). One finding per output column, at its first clock call.

## Why is this bad?
mParticle syncs the rows whose iterator lies in the window since the last run
(`WHERE <iterator> BETWEEN <last run> AND <now>`). A value computed from the clock is always
"now": every row falls in every window, so each run re-syncs the whole model (against the
record limits), or, when the value is truncated or shifted (`CURRENT_DATE - 1`), rows fall
outside every window and are never synced.

## Example
```sql
-- wsync-lint: pipeline_type=user_attributes iterator_field=UPDATED_AT
SELECT c.customer_id, c.email, CURRENT_TIMESTAMP() AS updated_at
FROM analytics.crm.customers c
```

## Use instead
```sql
-- wsync-lint: pipeline_type=user_attributes iterator_field=UPDATED_AT
SELECT c.customer_id, c.email, c.updated_at
FROM analytics.crm.customers c
```

## Known limitations
Only the model's text is read: a view or table column that is itself filled from the clock
(a load timestamp) is not recognised, and neither is a clock behind `*`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.attributes import item_spans
from wsync_lint.analysis.from_items import SourceKind
from wsync_lint.analysis.query_shape import output_selects
from wsync_lint.analysis.scope_tree import ColumnRef
from wsync_lint.analysis.scopes import Analysis, analyse
from wsync_lint.contract.rule import Finding, Location, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.positions import node_span

# Clock expressions as sqlglot 30 parses them in the four dialects (`GETDATE()`, `SYSDATE`,
# `NOW()` and `LOCALTIMESTAMP` often become `CurrentTimestamp`).
_CLOCK_NODES: tuple[type[exp.Expression], ...] = (
    exp.CurrentTimestamp,
    exp.CurrentTimestampLTZ,
    exp.CurrentDate,
    exp.CurrentDatetime,
    exp.CurrentTime,
    exp.Localtime,
    exp.Localtimestamp,
    exp.Systimestamp,
)
# Clock functions sqlglot leaves as anonymous calls in some dialect (upper case).
_CLOCK_FUNCTIONS = frozenset(
    {
        "NOW", "GETDATE", "GETUTCDATE", "SYSDATE", "SYSDATETIME", "SYSUTCDATETIME", "SYSDATETIMEOFFSET",
        "SYSTIMESTAMP", "TIMEOFDAY", "LOCALTIMESTAMP", "LOCALTIME", "CURRENT_TIMESTAMP", "CURRENT_DATE",
        "CURRENT_TIME", "CURRENT_DATETIME", "CURDATE", "CURTIME", "UTC_TIMESTAMP", "UTC_DATE",
        "TRANSACTION_TIMESTAMP", "STATEMENT_TIMESTAMP", "CLOCK_TIMESTAMP", "CURRENT_TIMESTAMP_LTZ",
    }
)  # fmt: skip
# Called without arguments, these read the clock; with an argument they convert it.
_CLOCK_WITHOUT_ARGUMENTS = frozenset({"UNIX_TIMESTAMP", "UNIX_SECONDS", "UNIX_MILLIS"})
# Niladic keywords some dialects parse as a column name when written without parentheses.
_CLOCK_KEYWORDS = frozenset({"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME"})
# Words a clock written without parentheses is spelled with (sqlglot does not position them).
_BARE_CLOCK_WORDS = _CLOCK_KEYWORDS | {"CURRENT_DATETIME", "SYSDATE", "SYSTIMESTAMP"}
# Ancestors under which a clock call only decides a condition, not the value.
_CONDITIONS: tuple[type[exp.Expression], ...] = (
    exp.Predicate,
    exp.Connector,
    exp.Not,
    exp.Where,
    exp.Having,
    exp.Qualify,
    exp.Join,
    exp.Order,
    exp.Group,
)
_MAX_DEPTH = 8


def _is_clock(node: exp.Expression) -> bool:
    if isinstance(node, _CLOCK_NODES):
        return True
    if isinstance(node, exp.Anonymous):
        name = str(node.this).upper() if isinstance(node.this, str) else ""
        return name in _CLOCK_FUNCTIONS or (name in _CLOCK_WITHOUT_ARGUMENTS and not node.expressions)
    if isinstance(node, exp.Column):
        identifier = node.this
        return (
            not node.table
            and isinstance(identifier, exp.Identifier)
            and not identifier.quoted
            and identifier.name.upper() in _CLOCK_KEYWORDS
        )
    return False


def _under_condition(node: exp.Expression, root: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None and node is not root:
        if isinstance(parent, _CONDITIONS):
            return True
        node, parent = parent, parent.parent
    return False


class _Tracer:
    """Finds the clock calls an output expression takes its value from, through derived tables
    and CTEs."""

    def __init__(self, ctx: SqlContext) -> None:
        self.ctx = ctx
        self._analysis: Analysis | None = None
        self._refs: dict[int, ColumnRef] | None = None

    @property
    def analysis(self) -> Analysis:
        if self._analysis is None:
            self._analysis = analyse(self.ctx)
        return self._analysis

    def clocks(self, expression: exp.Expression, depth: int = 0, seen: set[int] | None = None) -> list[exp.Expression]:
        seen = seen if seen is not None else set()
        if id(expression) in seen or depth > _MAX_DEPTH:
            return []
        seen.add(id(expression))
        found: list[exp.Expression] = []
        for node in expression.walk():
            if _is_clock(node):
                if not _under_condition(node, expression):
                    found.append(node)
            elif isinstance(node, exp.Column) and not _under_condition(node, expression):
                for inner in self._inner_expressions(node):
                    found.extend(self.clocks(inner, depth + 1, seen))
        return found

    def _inner_expressions(self, column: exp.Column) -> list[exp.Expression]:
        """The select items of a derived table or CTE that ``column`` reads (one per branch of a
        set operation); none when it reads no such source."""
        identifier = column.this
        if not isinstance(identifier, exp.Identifier):
            return []
        analysis = self.analysis
        if self._refs is None:
            self._refs = {id(ref.column): ref for ref in analysis.column_refs}
        ref = self._refs.get(id(column))
        if ref is None:
            return []
        qualifier = ref.qualifier
        if qualifier:
            resolution = analysis.resolve(ref.scope, qualifier)
            if resolution is None or resolution.consumed != len(qualifier):
                return []
            source = resolution.source
        else:
            candidates = analysis.unqualified_candidates(ref)
            if not candidates or len(candidates) != 1:
                return []
            source = candidates[0]
        if source.kind not in (SourceKind.CTE, SourceKind.DERIVED) or source.query is None:
            return []
        wanted = analysis.key(identifier)
        selects = output_selects(source.query)
        if not selects:
            return []
        if source.column_aliases:  # `AS d(a, b)` names the columns by position
            names: list[exp.Expression | None] = list(source.column_aliases)
        else:  # the first branch of a set operation names the columns
            names = [_item_name(item) for item in selects[0].expressions]
        position = next(
            (i for i, name in enumerate(names) if isinstance(name, exp.Identifier) and analysis.key(name) == wanted),
            None,
        )
        if position is None:
            return []
        items = (_item_at(select, position) for select in selects)
        return [item for item in items if item is not None]


def _item_name(item: exp.Expression) -> exp.Expression | None:
    """The identifier naming a select item (its alias, or a bare column's name)."""
    if isinstance(item, exp.Alias):
        return item.args.get("alias")
    return item.this if isinstance(item, exp.Column) else None


def _item_at(select: exp.Select, index: int) -> exp.Expression | None:
    items = select.expressions
    if index >= len(items):
        return None
    item = items[index]
    return item.this if isinstance(item, exp.Alias) else item


def _positioned(node: exp.Expression) -> bool:
    meta = node._meta
    return bool(meta and "start" in meta)


def _holder(node: exp.Expression) -> tuple[exp.Select, int] | None:
    """The SELECT whose select-list item holds ``node``, and the item's index."""
    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, exp.Select) and child.arg_key == "expressions":
            return parent, child.index if child.index is not None else 0
        child, parent = parent, parent.parent
    return None


def _location(ctx: SqlContext, clock: exp.Expression) -> tuple[Location, int, str]:
    """Where to point for a clock call, where that starts, and the call as written.

    A keyword written without parentheses (`CURRENT_DATE`) is not positioned by sqlglot: it is
    found among the item's tokens. A clock sqlglot adds itself (Databricks `unix_timestamp()`
    reads as `UNIX_TIMESTAMP(CURRENT_TIMESTAMP())`) is shown as the call that holds it.
    """
    if _positioned(clock):
        return clock, _span_start(clock), _written(ctx, clock)
    held = _holder(clock)
    if held is not None and ctx.lexicon.tokenized:
        select, index = held
        spans = item_spans(ctx, select)
        span = spans[index] if index < len(spans) else None
        if span is not None:
            # The n-th unpositioned clock of the item is its n-th bare clock word.
            item = select.expressions[index]
            unpositioned = [n for n in item.dfs() if _is_clock(n) and not _positioned(n)]  # text order
            ordinal = next((i for i, n in enumerate(unpositioned) if n is clock), 0)
            words = _bare_words(ctx.lexicon.tokens, span.start, span.end)
            if ordinal < len(words):
                word = words[ordinal]
                return word, word.start, word.text
    holder: exp.Expression | None = clock.parent
    while holder is not None and not _positioned(holder):
        holder = holder.parent
    if isinstance(holder, exp.Func):
        return clock, _span_start(holder), _written(ctx, holder)
    return clock, _span_start(clock), clock.sql(dialect=ctx.warehouse.name)


def _span_start(node: exp.Expression) -> int:
    span = node_span(node)
    return span.start if span is not None else 0


def _written(ctx: SqlContext, node: exp.Expression) -> str:
    """A positioned call as written, with its parentheses (sqlglot positions only the name)."""
    span = node_span(node)
    if span is None:
        return node.sql(dialect=ctx.warehouse.name)
    end, depth, after = span.end, 0, 0
    for token in ctx.lexicon.tokens:
        if token.start < span.start:
            continue
        if token.start >= span.end and depth <= 0:
            after += 1  # only the call's own parentheses, right after its name, are taken
            if after > 1 or token.token_type is not TokenType.L_PAREN:
                break
        if token.token_type is TokenType.L_PAREN:
            depth += 1
        elif token.token_type is TokenType.R_PAREN:
            depth -= 1
        end = max(end, token.end + 1)
    return " ".join(ctx.text[span.start : end].split())


def _bare_words(tokens: tuple[Token, ...] | list[Token], start: int, end: int) -> list[Token]:
    found = []
    for position, token in enumerate(tokens):
        if token.start < start or token.start >= end:
            continue
        if token.text.upper() not in _BARE_CLOCK_WORDS:
            continue
        following = tokens[position + 1] if position + 1 < len(tokens) else None
        if following is not None and following.token_type is TokenType.L_PAREN:
            continue
        found.append(token)
    return found


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    iterator = ctx.settings.iterator_field
    if not iterator or not iterator.strip():
        return
    wanted = iterator.strip().casefold()
    tracer = _Tracer(ctx)
    for query in ctx.queries:
        for column in ctx.outputs(query):
            if column.returned_name is None or column.returned_name.casefold() != wanted:
                continue
            clocks: list[exp.Expression] = []
            for select in output_selects(query):  # every branch of a UNION feeds the column
                expression = _item_at(select, column.index)
                if expression is not None:
                    clocks.extend(tracer.clocks(expression))
            if not clocks:
                continue
            location, _, shown = min((_location(ctx, clock) for clock in clocks), key=lambda found: found[1])
            yield Finding(
                location,
                f"iterator column `{column.returned_name}` is computed from the clock (`{shown}`): "
                "its value changes on every run, so mParticle's incremental window re-syncs every row each time "
                "(or never syncs rows whose value is shifted back)",
                hint="use as the iterator a stored timestamp that changes only when the row changes (such as the "
                "table's `updated_at`)",
            )


RULE = Rule(
    code="SY05",
    name="volatile-iterator",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    reads_pipeline=True,
)

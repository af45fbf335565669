"""The iterator column can be NULL by construction, and rows with a NULL iterator are never synced.

## What it does
For each pipeline that filters on its iterator (an incremental sync, or a sync with `from` or
`until`), follows the output column the iterator names back through the model's SQL (through
CTEs, derived tables and every branch of a `UNION`) and reports, at the pipeline's
`iterator_field`, when the SQL itself makes the value NULL for some rows:

- a column of the optional side of an outer join: the right table of a `LEFT JOIN`, the tables
  before a `RIGHT JOIN`, either side of a `FULL JOIN` (rows without a match get NULL);
- `NULLIF(a, b)` (NULL when `a = b`), a `CASE` without `ELSE` (or a branch that is `NULL`), an
  `IF`/`IFF` without a false branch, `LAG`/`LEAD` without a default, a literal `NULL`;
- any of these under a function that is NULL when its input is (`CAST`, `DATE_TRUNC`,
  `CONVERT_TIMEZONE`, arithmetic, `MAX`/`MIN` ...), or under `GREATEST`/`LEAST` on Snowflake and
  BigQuery (NULL when any argument is; on Redshift and Databricks only when all are).

It stays silent when the value has a fallback that is not NULL (`COALESCE`, `IFNULL`, `NVL`
with a column or constant that the SQL does not make NULL), when the model filters the NULLs
out (`WHERE x IS NOT NULL`, or any `WHERE`, `HAVING`, `QUALIFY` or inner-join condition on the
optional table, which drops its unmatched rows), and whenever it cannot tell which table a
column comes from. A NULL stored in a table is not seen (only what the SQL constructs).

## Why is this bad?
mParticle syncs the rows whose iterator lies in the window of the run
(`WHERE <iterator> BETWEEN <last run> AND <now>`, WS-SM-01). A NULL is in no window: a row
whose iterator is NULL is never synced, on any run, and nothing reports it.

## Example
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: |
      SELECT c.customer_id, c.email, p.updated_at
      FROM analytics.crm.customers c
      LEFT JOIN analytics.crm.preferences p ON p.customer_id = c.customer_id
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: UPDATED_AT, iterator_data_type: timestamp_ntz}
```

## Use instead
```yaml
- id: snowflake-prod
  service_provider: Snowflake
- id: customers
  type: sql
  config:
    sql_query: |
      SELECT c.customer_id, c.email,
             COALESCE(GREATEST(c.updated_at, p.updated_at), c.updated_at) AS updated_at
      FROM analytics.crm.customers c
      LEFT JOIN analytics.crm.preferences p ON p.customer_id = c.customer_id
- id: customers-hourly
  pipeline_type: user_attributes
  connection_id: snowflake-prod
  data_model_id: customers
  sync_mode: {type: incremental, iterator_field: UPDATED_AT, iterator_data_type: timestamp_ntz}
```

## Known limitations
An iterator returned by a `*` is not followed, and neither is a column whose table the SQL
does not name unambiguously (qualify it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.analysis.attributes import shorten
from wsync_lint.analysis.from_items import Source, SourceKind
from wsync_lint.analysis.iterators import iterator_uses, related_paths, resolves
from wsync_lint.analysis.lineage import MAX_DEPTH, inner_items, source_of
from wsync_lint.analysis.query_shape import output_selects
from wsync_lint.contract.project_context import ModelView, ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.positions import node_span

# NULL when their first argument (`this`) is: casts, truncations, conversions, aggregates that
# are NULL over a group of NULLs. Date arithmetic keeps its timestamp in `this` too.
_STRICT: tuple[type[exp.Expression], ...] = (
    exp.Cast,
    exp.TryCast,
    exp.Paren,
    exp.TimestampTrunc,
    exp.DateTrunc,
    exp.DatetimeTrunc,
    exp.TimeTrunc,
    exp.AtTimeZone,
    exp.Timestamp,
    exp.Date,
    exp.TsOrDsToDate,
    exp.TsOrDsToTimestamp,
    exp.StrToTime,
    exp.UnixToTime,
    exp.TimeToUnix,
    exp.DateAdd,
    exp.DateSub,
    exp.TimestampAdd,
    exp.TimestampSub,
    exp.DatetimeAdd,
    exp.DatetimeSub,
    exp.Max,
    exp.Min,
)
_ARITHMETIC: tuple[type[exp.Expression], ...] = (exp.Add, exp.Sub, exp.Mul, exp.Div)
_FILTERS = ("where", "having", "qualify")


@dataclass(frozen=True)
class Reason:
    """Why the iterator can be NULL: the node that makes it so, and a clause saying why."""

    node: exp.Expression
    why: str
    source: Source | None = None
    """The optional side of an outer join the value comes from."""
    side: str = ""
    """That join ("LEFT JOIN", "FULL JOIN" ...)."""


class _Nulls:
    """Decides whether a select item's value can be NULL by construction."""

    def __init__(self, ctx: SqlContext) -> None:
        self.ctx = ctx

    def text(self, node: exp.Expression) -> str:
        """The node as written, or as sqlglot writes it when its span misses closing parentheses
        (a call's span ends at its last positioned argument)."""
        span = node_span(node)
        written = self.ctx.text[span.start : span.end] if span is not None else ""
        if not written or written.count("(") != written.count(")"):
            written = node.sql(dialect=self.ctx.warehouse.name)
        return shorten(" ".join(written.replace("`", "").split()), 60)  # shown inside backticks

    def reason(self, node: exp.Expression, select: exp.Select, depth: int = 0) -> Reason | None:
        if depth > MAX_DEPTH or _filtered(select, node):
            return None
        if isinstance(node, exp.Alias):
            return self.reason(node.this, select, depth + 1)
        if isinstance(node, exp.Null):
            return Reason(node, "the model sets it to `NULL`")
        if isinstance(node, exp.Nullif):
            if self.constrained(select, node):
                return None
            return Reason(node, f"`{self.text(node)}` is NULL when its two arguments are equal")
        if isinstance(node, exp.Case):
            return self._case(node, select, depth)
        if isinstance(node, exp.If):
            if node.args.get("false") is None:
                if self.constrained(select, node.this):
                    return None
                return Reason(
                    node, f"`{self.text(node)}` has no false branch: it is NULL when the condition is not true"
                )
            return self._any([node.args.get("true"), node.args.get("false")], select, depth)
        if isinstance(node, exp.Nvl2):
            return self._any([node.args.get("true"), node.args.get("false")], select, depth)
        if isinstance(node, exp.Coalesce):
            return self._all([node.this, *node.expressions], select, depth)
        if isinstance(node, (exp.Greatest, exp.Least)):
            values = [node.this, *node.expressions]
            if node.args.get("ignore_nulls"):
                return self._all(values, select, depth)
            found = self._any(values, select, depth)
            if found is None:
                return None
            name = "GREATEST" if isinstance(node, exp.Greatest) else "LEAST"
            warehouse = self.ctx.warehouse.display
            why = f"`{name}` is NULL in {warehouse} when any argument is, and {found.why}"
            return Reason(found.node, why, found.source, found.side)
        if isinstance(node, exp.Window):
            return self._window(node, select, depth)
        if isinstance(node, _ARITHMETIC):
            return self._any([node.this, node.expression], select, depth)
        if isinstance(node, exp.ConvertTimezone):
            return self._any([node.args.get("timestamp")], select, depth)
        if isinstance(node, _STRICT):
            return self._any([node.this], select, depth)
        if isinstance(node, exp.Column):
            return self._column(node, select, depth)
        return None

    def constrained(self, select: exp.Select, node: exp.Expression, depth: int = 0) -> bool:
        """Whether a filter may rule out the rows that make ``node`` NULL: a `WHERE`, `HAVING` or
        `QUALIFY` of its SELECT, or of a CTE or derived table it reads (`WHERE product IN ('a',
        'b')` makes `CASE product WHEN 'a' ... WHEN 'b' ... END` cover every row). True when a
        column's origin cannot be followed."""
        if depth > MAX_DEPTH:
            return True
        columns = list(node.find_all(exp.Column))
        for key in _FILTERS:
            place = select.args.get(key)
            if isinstance(place, exp.Expression) and any(
                _same(filtered, column) for filtered in place.find_all(exp.Column) for column in columns
            ):
                return True
        for column in columns:
            source = source_of(self.ctx, column)
            if source is None:
                return True
            if source.kind not in (SourceKind.CTE, SourceKind.DERIVED):
                continue
            items = inner_items(self.ctx, column, source)
            if not items:
                return True  # behind a `*`
            for item in items:
                holder = item.find_ancestor(exp.Select)
                if holder is None or self.constrained(holder, item, depth + 1):
                    return True
        return False

    def _any(self, nodes: list[exp.Expression | None], select: exp.Select, depth: int) -> Reason | None:
        for node in nodes:
            if isinstance(node, exp.Expression) and (found := self.reason(node, select, depth + 1)) is not None:
                return found
        return None

    def _all(self, nodes: list[exp.Expression | None], select: exp.Select, depth: int) -> Reason | None:
        reasons = []
        for node in nodes:
            found = self.reason(node, select, depth + 1) if isinstance(node, exp.Expression) else None
            if found is None:
                return None
            reasons.append(found)
        sources = {id(found.source) for found in reasons if found.source is not None}
        if len(sources) > 1 and any(found.side == "FULL JOIN" for found in reasons):
            return None  # `COALESCE(a.k, b.k)` over `a FULL JOIN b`: every row has one side
        return reasons[0] if reasons else None

    def _case(self, node: exp.Case, select: exp.Select, depth: int) -> Reason | None:
        branches = node.args.get("ifs") or []
        if any(isinstance(branch.this, exp.Boolean) and branch.this.this is True for branch in branches):
            return self._any([branch.args.get("true") for branch in branches], select, depth)
        if node.args.get("default") is None:
            tests = [node.this, *(branch.this for branch in branches)]
            if any(isinstance(test, exp.Expression) and self.constrained(select, test) for test in tests):
                return None  # `WHERE product IN ('a', 'b')` may make the `WHEN`s cover every row
            return Reason(node, "its `CASE` has no `ELSE`: it is NULL for every row that matches no `WHEN`")
        return self._any([*(branch.args.get("true") for branch in branches), node.args.get("default")], select, depth)

    def _window(self, node: exp.Window, select: exp.Select, depth: int) -> Reason | None:
        function = node.this
        if isinstance(function, (exp.Lag, exp.Lead)) and function.args.get("default") is None:
            where = "first" if isinstance(function, exp.Lag) else "last"
            return Reason(node, f"`{self.text(function)}` is NULL on the {where} row of each window partition")
        if isinstance(function, (exp.Max, exp.Min)):
            return self._any([function.this], select, depth)
        return None

    def _column(self, column: exp.Column, select: exp.Select, depth: int) -> Reason | None:
        source = source_of(self.ctx, column)
        if source is None:
            return None
        side = _optional_side(source)
        if side is not None and not _rejected(self.ctx, source):
            return Reason(
                source.join if source.join is not None else source.node,
                f"`{self.text(column)}` comes from `{source.label}`, the optional side of a {side}: "
                f"it is NULL for every row without a match in `{source.label}`",
                source,
                side,
            )
        for item in inner_items(self.ctx, column, source):
            holder = item.find_ancestor(exp.Select)
            if holder is not None and (found := self.reason(item, holder, depth + 1)) is not None:
                return found
        return None


def _optional_side(source: Source) -> str | None:
    """The outer join that makes ``source`` optional ("LEFT JOIN", ...), or None."""
    select = source.node.find_ancestor(exp.Select)
    joins = list(select.args.get("joins") or []) if select is not None else []
    own = source.join
    if own is not None and own.side in ("LEFT", "FULL") and own.kind not in ("SEMI", "ANTI"):
        return f"{own.side} JOIN"
    if own is not None and not any(join is own for join in joins):
        return None  # inside a parenthesised join group: its order is not modelled
    position = next((i for i, join in enumerate(joins) if join is own), -1)
    for join in joins[position + 1 :]:
        if join.side in ("RIGHT", "FULL"):
            return f"{join.side} JOIN"
    return None


def _rejected(ctx: SqlContext, source: Source) -> bool:
    """Whether a filter of the source's SELECT reads the source (or may: an unqualified column
    of unknown table), which drops the rows an outer join adds for it."""
    select = source.node.find_ancestor(exp.Select)
    if select is None:
        return True
    places = [select.args.get(key) for key in _FILTERS]
    places += [
        join.args.get("on") for join in select.args.get("joins") or [] if join is not source.join and not join.side
    ]
    for place in places:
        if not isinstance(place, exp.Expression):
            continue
        for column in place.find_all(exp.Column):
            found = source_of(ctx, column)
            if found is source or (found is None and not column.table):
                return True
    return False


def _filtered(select: exp.Select, node: exp.Expression) -> bool:
    """Whether the SELECT keeps only rows where ``node`` is not NULL (`WHERE node IS NOT NULL`), or
    may (a column it filters on in any way)."""
    target = node.this if isinstance(node, exp.Alias) else node
    alias = node.alias if isinstance(node, exp.Alias) else ""
    for key in _FILTERS:
        place = select.args.get(key)
        if not isinstance(place, exp.Expression):
            continue
        if isinstance(target, exp.Column) and any(_same(column, target) for column in place.find_all(exp.Column)):
            return True  # `WHERE d.x > ...` drops the NULLs as surely as `IS NOT NULL`
        for test in place.find_all(exp.Is):
            if not isinstance(test.expression, exp.Null) or not isinstance(test.parent, exp.Not):
                continue
            if _same(test.this, target) or (
                alias and isinstance(test.this, exp.Column) and test.this.name.casefold() == alias.casefold()
            ):
                return True
    return False


def _same(tested: exp.Expression, target: exp.Expression) -> bool:
    """The same expression; for columns, the same name and (when both say it) the same table."""
    if isinstance(tested, exp.Column) and isinstance(target, exp.Column):
        if tested.name.casefold() != target.name.casefold():
            return False
        return not tested.table or not target.table or tested.table.casefold() == target.table.casefold()
    return tested == target


def _where(view: ModelView, node: exp.Expression) -> str:
    """Where ``node`` is, for the message: a line of the SQL file, or the inline query."""
    span = node_span(node)
    while span is None and node.parent is not None:  # a literal NULL is not positioned
        node = node.parent
        span = node_span(node)
    if view.sql.file is None or span is None:
        return f"in the `sql_query` of {view.sql.model.label}"
    line, _ = view.context.lines.position(span.start)
    return f"(line {line} of `{view.sql_path}`)"


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    for use in iterator_uses(ctx):
        column = next((c for c, n in use.outputs if not c.is_star and resolves(use.warehouse, use.iterator, n)), None)
        if column is None:
            continue
        sql = use.view.context
        nulls = _Nulls(sql)
        reason = None
        for select in output_selects(sql.queries[0]):  # every branch of a UNION feeds the column
            if column.index < len(select.expressions):
                reason = nulls.reason(select.expressions[column.index], select)
                if reason is not None:
                    break
        if reason is None:
            continue
        iterator = use.iterator
        yield Finding(
            use.pipeline.value_at("sync_mode", "iterator_field"),
            f"iterator `{iterator}` of {use.pipeline.label} can be NULL {_where(use.view, reason.node)}: {reason.why}; "
            f"mParticle's `WHERE {iterator} BETWEEN ...` never selects a NULL, so those rows are never synced",
            hint="give the iterator a value on every row (`COALESCE` with a timestamp every row has, such as the "
            "main table's `updated_at`)",
            related=related_paths(use.binding, use.view),
        )


RULE = Rule(
    code="SY09",
    name="nullable-iterator",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
    default_severity=Severity.WARNING,
)

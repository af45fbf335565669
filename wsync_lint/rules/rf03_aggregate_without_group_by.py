"""Aggregates are mixed with columns that are neither aggregated nor grouped.

## What it does
In a SELECT whose select list calls an aggregate function (`COUNT`, `SUM`, `MAX`,
`ARRAY_AGG` ...; a window function with `OVER` is not one, and subqueries are judged on their
own), reports every column reference in the select list, `HAVING`, `QUALIFY` or `ORDER BY`
that is outside the aggregates' arguments and that no `GROUP BY` covers. Without a `GROUP BY`
every such column is reported. A select item is reported once, at its first such column,
however many it reads; when it is more than a bare column the hint groups the whole item (its
position or its expression), unless it holds an aggregate or a window. A `GROUP BY` item covers a column when it is the same column
(with or without its qualifier, names compared as the warehouse does), an expression that
contains it (`GROUP BY DATE(t.ts)` covers `DATE(t.ts)`), a select alias or a position
(`GROUP BY 1`) naming the select item that holds it; `GROUP BY ALL` covers everything.
References to select aliases and to outer queries (correlated subqueries) are not columns to
group.

## Why is this bad?
All four warehouses reject the query ("not a valid group by expression", "must appear in the
GROUP BY clause", "SELECT list expression references column ... which is neither grouped nor
aggregated"). mParticle's own examples carry this bug: `SELECT u.email AS email, COUNT(t.id)
... ` without `GROUP BY u.email`.

## Example
```sql
SELECT u.email AS email, COUNT(t.id) AS count_of_open_tickets
FROM mp.demo_service.tickets t
JOIN mp.demo_service.users u ON u.id = t.requester_user_id
WHERE t.status = 'open'
```

## Use instead
```sql
SELECT u.email AS email, COUNT(t.id) AS count_of_open_tickets
FROM mp.demo_service.tickets t
JOIN mp.demo_service.users u ON u.id = t.requester_user_id
WHERE t.status = 'open'
GROUP BY u.email
```

## Known limitations
Only aggregate functions sqlglot knows (and a list of others it does not, BigQuery's
`HLL_COUNT.*` and `KLL_QUANTILES.*` sketch aggregates included) count: a user-defined aggregate
function is taken for a scalar one. A column that is functionally
dependent on a grouped key is still reported, as the warehouses do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp

from wsync_lint.analysis.attributes import shorten
from wsync_lint.analysis.query_shape import star_of
from wsync_lint.analysis.scope_tree import ColumnRef, Scope
from wsync_lint.analysis.scopes import Analysis, analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.aggregates import aggregate_calls, aggregate_holders, is_aggregated

# Clauses evaluated after grouping, whose columns must be grouped or aggregated.
_GROUPED_CLAUSES = frozenset({"expressions", "having", "qualify", "order"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    selects = ctx.nodes(exp.Select)
    if not selects:
        return
    dialect = ctx.warehouse.name
    # Walking every select item for aggregate calls is costly: only the nodes above one need it.
    holders = aggregate_holders(ctx.nodes(exp.AggFunc, exp.Anonymous), dialect)
    if not holders:
        return
    analysis: Analysis | None = None
    for select in selects:
        if id(select) not in holders:
            continue
        aggregates = [call for item in select.expressions for call in aggregate_calls(item, dialect, holders)]
        if not aggregates:
            continue
        group = select.args.get("group")
        if isinstance(group, exp.Group) and group.args.get("all"):
            continue
        analysis = analysis or analyse(ctx)
        scope = analysis.scope(select)
        grouping = _Grouping.of(analysis, select, group)
        first: str | None = None  # the first aggregate as written, rendered for the first finding only
        reported: set[object] = set()
        for ref in analysis.columns_in(scope):
            if ref.clause not in _GROUPED_CLAUSES or not _is_reportable(analysis, scope, ref):
                continue
            root = ref.item if ref.item is not None else select.args.get(ref.clause)
            if root is None or is_aggregated(ref.column, root, dialect):
                continue
            if grouping.covers(analysis, ref):
                continue
            written = analysis.written(ref.column)
            # One finding per select item, and per column name in the other clauses: the item (or
            # the name) is the mistake, however often its columns occur in it.
            seen = id(ref.item) if ref.item is not None else (ref.clause, written)
            if seen in reported:
                continue
            reported.add(seen)
            if first is None:
                first = analysis.written(aggregates[0])
            yield _finding(analysis, select, ref, written, first, dialect, has_group=group is not None)


def _finding(
    analysis: Analysis, select: exp.Select, ref: ColumnRef, written: str, first: str, dialect: str, has_group: bool
) -> Finding:
    item = ref.item
    expression = item.this if isinstance(item, exp.Alias) else item
    aggregate_it = f"aggregate it (for example {code(f'MAX({written})')})"
    if expression is None or expression is ref.column or not _groupable(expression, dialect):
        message = f"{code(written)} is neither aggregated nor in GROUP BY, next to {code(first)}"
        if has_group:
            return Finding(ref.column, message, hint=f"add {code(written)} to the GROUP BY, or {aggregate_it}")
        return Finding(ref.column, message, hint=f"add {code(f'GROUP BY {written}')}, or {aggregate_it}")
    position = next(i for i, each in enumerate(select.expressions, start=1) if each is item)
    shown = shorten(analysis.written(expression), 50)
    message = (
        f"select item {position}, {code(shown)}, is neither aggregated nor in GROUP BY "
        f"(it reads {code(written)}), next to {code(first)}"
    )
    if has_group:
        hint = (
            f"add the item to the GROUP BY (by its position, {code(str(position))}, or its expression), or aggregate it"
        )
    else:
        hint = f"group by the item ({code(f'GROUP BY {position}')}), or aggregate it"
    return Finding(ref.column, message, hint=hint)


def _groupable(expression: exp.Expression, dialect: str) -> bool:
    """Whether a select item can itself be a GROUP BY key: not when it holds an aggregate, a
    window function or a subquery (the warehouses reject those in GROUP BY)."""
    if aggregate_calls(expression, dialect):
        return False
    return expression.find(exp.Window, exp.Subquery, exp.Query) is None


def _is_reportable(analysis: Analysis, scope: Scope, ref: ColumnRef) -> bool:
    column = ref.column
    if ref.opaque or isinstance(column.this, exp.Star) or analysis.is_niladic(column):
        return False
    if ref.scope.opaque and not ref.qualifier:
        return False  # in a routine body an unqualified name may be one of its parameters
    if ref.item is not None and star_of(ref.item) is not None:
        return False  # `f(a, b).*`: GROUP BY names the struct's fields, which only a schema knows
    qualifier = ref.qualifier
    if qualifier:
        resolution = analysis.resolve(scope, qualifier)
        return resolution is None or resolution.depth == 0  # an outer query's column is a constant here
    # An unqualified name that is a select alias (of another item, or in a later clause).
    item = analysis.select_aliases(scope.select).get(analysis.key(column.this))
    return item is None or ref.item is item


@dataclass
class _Grouping:
    """What a GROUP BY covers."""

    names: set[str] = field(default_factory=set)
    """Keys of grouped unqualified column names, and of every grouped column's name."""
    qualified: set[tuple[str, ...]] = field(default_factory=set)
    """Qualifier keys + name key of grouped qualified columns."""
    expressions: list[exp.Expression] = field(default_factory=list)
    """Grouped expressions other than columns, matched by their normalised text."""
    items: set[int] = field(default_factory=set)
    """ids of select items grouped by position or alias."""
    _rendered: set[str] | None = None
    """Normalised text of :attr:`expressions` (with and without qualifiers), rendered on first need."""
    _keys: dict[int, set[str]] = field(default_factory=dict)
    """Expression keys already computed, by node id (rendering them is the costly part)."""

    @classmethod
    def of(cls, analysis: Analysis, select: exp.Select, group: exp.Group | None) -> _Grouping:
        grouping = cls()
        if group is None:
            return grouping
        aliases = analysis.select_aliases(select)
        items = select.expressions
        for expression in _grouped_expressions(group):
            if isinstance(expression, exp.Literal) and not expression.is_string and expression.name.isdigit():
                position = int(expression.name)
                if 1 <= position <= len(items):
                    item = items[position - 1]
                    grouping.items.add(id(item))
                    grouping.add_expression(analysis, item.this if isinstance(item, exp.Alias) else item)
                continue
            grouping.add_expression(analysis, expression)
            if (
                isinstance(expression, exp.Column)
                and isinstance(expression.this, exp.Identifier)
                and not expression.table
            ):
                aliased = aliases.get(analysis.key(expression.this))
                if aliased is not None:
                    # `GROUP BY id` with `campaign_id AS id` groups by the aliased expression.
                    grouping.items.add(id(aliased))
                    grouping.add_expression(analysis, aliased.this)
        return grouping

    def add_expression(self, analysis: Analysis, expression: exp.Expression) -> None:
        if isinstance(expression, exp.Column) and isinstance(expression.this, exp.Identifier):
            qualifier = [p for p in expression.parts[:-1] if isinstance(p, exp.Identifier)]
            if qualifier:
                self.qualified.add((*analysis.name_keys(qualifier), analysis.key(expression.this)))
            else:
                self.names.add(analysis.key(expression.this))
            return  # a column is matched by name; only the expressions around a column need its text
        self.expressions.append(expression)

    def expression_keys(self, analysis: Analysis) -> set[str]:
        """The keys of the grouped expressions: rendered once, and only when a column is not
        covered by name (rendering is the costly part)."""
        if self._rendered is None:
            self._rendered = set()
            for expression in self.expressions:
                self._rendered.update(_expression_keys(analysis, expression))
        return self._rendered

    def covers(self, analysis: Analysis, ref: ColumnRef) -> bool:
        column = ref.column
        if ref.item is not None and id(ref.item) in self.items:
            return True
        name_key = analysis.key(column.this)
        qualifier = ref.qualifier
        if name_key in self.names:
            return True
        if not qualifier:
            if any(q[-1] == name_key for q in self.qualified):
                return True
        elif (*analysis.name_keys(qualifier), name_key) in self.qualified:
            return True
        if not self.expressions:
            return False
        grouped = self.expression_keys(analysis)
        # An enclosing expression equal to a grouped one.
        root = ref.item.this if isinstance(ref.item, exp.Alias) else ref.item
        node: exp.Expression | None = column.parent
        while node is not None and not isinstance(node, exp.Select):
            if isinstance(node, (exp.Alias, exp.Ordered, exp.Order, exp.Having, exp.Qualify)):
                break
            keys = self._keys.get(id(node))
            if keys is None:
                keys = self._keys[id(node)] = _expression_keys(analysis, node)
            if not grouped.isdisjoint(keys):
                return True
            if node is root:
                break
            node = node.parent
        return False


def _grouped_expressions(group: exp.Group) -> Iterator[exp.Expression]:
    stack: list[exp.Expression] = []
    for key in ("expressions", "grouping_sets", "cube", "rollup"):
        value = group.args.get(key)
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, exp.Expression):
            stack.append(value)
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.Rollup, exp.Cube, exp.GroupingSets, exp.Tuple)):
            stack.extend(node.expressions)
        elif isinstance(node, exp.Paren):
            stack.append(node.this)
        elif isinstance(node, exp.Expression):
            yield node


def _expression_keys(analysis: Analysis, node: exp.Expression) -> set[str]:
    """Text of an expression with names as the warehouse resolves them, with and without qualifiers."""

    def normalise(strip: bool):
        def transform(n: exp.Expression) -> exp.Expression:
            if isinstance(n, exp.Column) and strip and n.args.get("table") is not None:
                return exp.column(
                    exp.to_identifier(analysis.key(n.this), quoted=True)
                    if isinstance(n.this, exp.Identifier)
                    else n.this
                )
            if isinstance(n, exp.Identifier):
                return exp.to_identifier(analysis.key(n), quoted=True)
            return n

        return transform

    return {node.transform(normalise(strip), copy=True).sql(dialect=analysis.dialect) for strip in (False, True)}


RULE = Rule(
    code="RF03",
    name="aggregate-without-group-by",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

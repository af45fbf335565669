"""The names a query's select list returns, as the warehouse returns them, and which of them
repeat an earlier one (CO02 reports the repeats; CO01 leaves an expression CO02 explains alone)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.analysis.attributes import is_unnamed, item_spans, item_text, redshift_name, shorten
from wsync_lint.analysis.typed_outputs import star_expansions
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.outputs import OutputColumn
from wsync_lint.sql.positions import Span


@dataclass(frozen=True)
class ReturnedName:
    """One name the select list returns, with where it comes from."""

    returned: str
    column: OutputColumn
    at: exp.Expression | Span
    star: str | None = None
    """For a column of a ``*``: the star as written (`*`, `c.*`)."""
    expression: str | None = None
    """For an unaliased expression Redshift names itself: the expression as written."""

    def later(self, written: str) -> str:
        if self.star is not None:
            return f"column `{self.returned}` of `{self.star}`"
        if self.expression is not None:
            return f"output expression `{self.expression}` (named `{self.returned}`)"
        return f"output name `{written}`"

    def earlier(self, written: str) -> str:
        if self.star is not None:
            return f"`{self.returned}` of `{self.star}`"
        if self.expression is not None:
            return f"`{self.expression}` (named `{self.returned}`)"
        return f"`{written}`"


def returned_names(ctx: SqlContext, query: exp.Query) -> list[ReturnedName]:
    """Every name the select list returns where it is known, in order."""
    warehouse = ctx.warehouse
    columns = ctx.outputs(query)
    stars = star_expansions(ctx, query) or {}
    needs_spans = bool(stars) or (warehouse.name == "redshift" and any(is_unnamed(c) for c in columns))
    spans = item_spans(ctx, query) if needs_spans else []
    found: list[ReturnedName] = []
    for column in columns:
        span = spans[column.index] if column.index < len(spans) else None
        if column.returned_name is not None:
            found.append(ReturnedName(column.returned_name, column, column.name_node))
        elif column.is_star and column.index in stars:
            star = shorten(item_text(ctx, span, column.item, warehouse.name), 40)
            for entry in stars[column.index]:
                if entry.name is not None:
                    found.append(ReturnedName(entry.name, column, span or column.item, star=star))
        elif warehouse.name == "redshift" and is_unnamed(column):
            name, _ = redshift_name(column.expression, ctx.text)
            if name is not None:
                text = shorten(item_text(ctx, span, column.expression, warehouse.name), 40)
                found.append(ReturnedName(name, column, span or column.expression, expression=text))
    return found


def repeats(ctx: SqlContext, query: exp.Query) -> dict[int, list[tuple[ReturnedName, ReturnedName]]]:
    """By select item (its index): each name it returns that an earlier name of the query already
    returned, paired with that earlier name (compared as the warehouse compares names)."""
    return ctx.memo(f"output_collisions.{id(query)}", lambda: _repeats(ctx, query))


def _repeats(ctx: SqlContext, query: exp.Query) -> dict[int, list[tuple[ReturnedName, ReturnedName]]]:
    first_by_key: dict[str, ReturnedName] = {}
    found: dict[int, list[tuple[ReturnedName, ReturnedName]]] = {}
    for name in returned_names(ctx, query):
        first = first_by_key.setdefault(ctx.warehouse.column_key(name.returned), name)
        if first is not name:
            found.setdefault(name.column.index, []).append((name, first))
    return found

"""Whether a renaming hint is safe: is an output name used again in its SELECT (CO04's hints must
never suggest a change that breaks a valid query)."""

from __future__ import annotations

import math

from sqlglot import exp

from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.outputs import OutputColumn

# The clauses of a SELECT where an output name can be referred to by name (which of them a
# warehouse allows varies; any of them makes quoting the alias alone unsafe).
_REFERRING_CLAUSES = ("where", "group", "having", "qualify", "order")


def referred_to_unquoted(ctx: SqlContext, column: OutputColumn) -> bool:
    """Whether the SELECT that returns the aliased ``column`` names the alias unquoted and unqualified elsewhere
    (a later select item, WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY): quoting only the alias
    would then make those references miss it."""
    select = column.item.parent
    if not column.aliased or not isinstance(select, exp.Select) or column.name is None:
        return False  # a bare column's other uses name the table's column, not the output
    last_use = ctx.memo(f"alias_references.{id(select)}", lambda: _last_uses(select))
    return last_use.get(column.name.casefold(), -1) > column.index


def _last_uses(select: exp.Select) -> dict[str, float]:
    """Each name the SELECT refers to unquoted and unqualified (case-folded), with the index of the
    last select item that does (infinity for the clauses after the select list). One walk of the
    SELECT for all its output columns: asking item by item walks the rest of a wide SELECT once
    per column."""
    places: list[tuple[float, exp.Expression]] = list(enumerate(select.expressions))
    places += [(math.inf, select.args[clause]) for clause in _REFERRING_CLAUSES if select.args.get(clause) is not None]
    last: dict[str, float] = {}
    for index, place in places:
        for reference in place.find_all(exp.Column):
            identifier = reference.this
            if not reference.table and isinstance(identifier, exp.Identifier) and not identifier.quoted:
                name = identifier.name.casefold()
                last[name] = max(last.get(name, -1), index)
    return last

"""Whether a renaming hint is safe: is an output name used again in its SELECT (CO04's hints must
never suggest a change that breaks a valid query)."""

from __future__ import annotations

from sqlglot import exp

from wsync_lint.sql.outputs import OutputColumn

# The clauses of a SELECT where an output name can be referred to by name (which of them a
# warehouse allows varies; any of them makes quoting the alias alone unsafe).
_REFERRING_CLAUSES = ("where", "group", "having", "qualify", "order")


def referred_to_unquoted(column: OutputColumn) -> bool:
    """Whether the SELECT that returns the aliased ``column`` names the alias unquoted and unqualified elsewhere
    (a later select item, WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY): quoting only the alias
    would then make those references miss it."""
    select = column.item.parent
    if not column.aliased or not isinstance(select, exp.Select) or column.name is None:
        return False  # a bare column's other uses name the table's column, not the output
    wanted = column.name.casefold()
    places: list[exp.Expression] = list(select.expressions[column.index + 1 :])
    places += [select.args[clause] for clause in _REFERRING_CLAUSES if select.args.get(clause) is not None]
    for place in places:
        for reference in place.find_all(exp.Column):
            identifier = reference.this
            if (
                not reference.table
                and isinstance(identifier, exp.Identifier)
                and not identifier.quoted
                and identifier.name.casefold() == wanted
            ):
                return True
    return False

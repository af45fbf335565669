"""The shape of a query's output: the SELECTs whose select lists it returns, and which items are stars.

Plain walks over the parsed query, without scopes or a schema: the scope analysis, the snapshot's
columns and the type inference all ask them.
"""

from __future__ import annotations

from sqlglot import exp


def output_selects(query: exp.Expression) -> list[exp.Select]:
    """The SELECTs whose select lists are a query's output: itself, or every set-operation branch."""
    found: list[exp.Select] = []
    stack = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Select):
            found.append(node)
        elif isinstance(node, exp.SetOperation):
            stack.append(node.expression)
            stack.append(node.this)
        elif isinstance(node, exp.Subquery):
            stack.append(node.this)
    return found


def set_branches(query: exp.Expression) -> list[exp.Select]:
    """The SELECTs of a set operation, left to right (parenthesised branches unwrapped); none when a
    branch is not a SELECT."""
    found: list[exp.Select] = []
    stack: list[exp.Expression] = [query]
    while stack:
        node = stack.pop()
        while isinstance(node, exp.Subquery) and isinstance(node.this, exp.Query):
            node = node.this
        if isinstance(node, exp.Select):
            found.append(node)
        elif isinstance(node, exp.SetOperation):
            stack.append(node.expression)
            stack.append(node.this)
        else:
            return []
    return found


def star_of(item: exp.Expression) -> exp.Expression | None:
    """The ``*`` of a select item that is ``*``, ``t.*`` or ``s.field.*``, else None."""
    if isinstance(item, exp.Star):
        return item
    if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
        return item
    if isinstance(item, exp.Dot) and isinstance(item.expression, exp.Star):
        return item
    return None

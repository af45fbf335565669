"""The output columns of a model: what mParticle turns into identities and attributes.

mParticle wraps the model (``SELECT OBJECT_CONSTRUCT_KEEP_NULL(*) FROM (<model>)``), so every
output column becomes one key, named as the warehouse returns it. This module names them once
for all rules: the name as written, whether it was quoted, and the name after folding.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.mparticle.warehouses import Warehouse


@dataclass(frozen=True)
class OutputColumn:
    """One item of a model's outermost select list."""

    index: int
    """0-based position in the select list."""
    item: exp.Expression
    """The select-list item as parsed (an ``Alias``, ``Column``, ``Star`` or other expression)."""
    expression: exp.Expression
    """The item without its alias."""
    name: str | None
    """The name as written (alias or column name); None when the warehouse invents one."""
    name_node: exp.Expression
    """The node to point at when reporting on the name."""
    quoted: bool
    is_star: bool
    aliased: bool
    returned_name: str | None
    """The name the warehouse returns (after its case folding); None when it invents one."""


def output_columns(query: exp.Query, warehouse: Warehouse) -> list[OutputColumn]:
    """The output columns of ``query``; for a set operation, those of its first branch."""
    columns = []
    for index, item in enumerate(query.selects):
        expression = item.this if isinstance(item, exp.Alias) else item
        is_star = isinstance(expression, exp.Star) or (
            isinstance(expression, exp.Column) and isinstance(expression.this, exp.Star)
        )
        identifier: exp.Expression | None = None
        if isinstance(item, exp.Alias):
            identifier = item.args.get("alias")
        elif isinstance(expression, exp.Column) and not is_star:
            identifier = expression.this
        if isinstance(identifier, exp.Identifier):
            name, quoted = identifier.name, bool(identifier.quoted)
            returned = warehouse.returned_name(name, quoted)
        else:
            name, quoted, returned = None, False, None
        columns.append(
            OutputColumn(
                index=index,
                item=item,
                expression=expression,
                name=name,
                name_node=identifier if identifier is not None else item,
                quoted=quoted,
                is_star=is_star,
                aliased=isinstance(item, exp.Alias),
                returned_name=returned,
            )
        )
    return columns

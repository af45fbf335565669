"""OutputName: one column a query returns or a FROM item supplies, by the name the warehouse returns.

What the snapshot's columns (:mod:`wsync_lint.analysis.schema_columns`) and the expansion of a ``*``
(:mod:`wsync_lint.analysis.star_expansion`) are lists of.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.analysis.from_items import Source
from wsync_lint.contract.sql_context import SqlContext


@dataclass(frozen=True)
class OutputName:
    """One column a query returns or a FROM item supplies."""

    name: str | None
    """The name as the warehouse returns it (after its case folding); None when the warehouse
    invents one this cannot predict."""
    type: str | None
    """The column's type as the snapshot spells it, where the column reads a table column."""
    item: exp.Expression | None = None
    """The select-list item it comes from (the ``*`` item for an expanded column)."""
    source: Source | None = None
    """For a column a ``*`` expanded: the FROM item it comes from."""


def key_of(ctx: SqlContext, column: OutputName) -> str | None:
    """The key the column's name resolves by (None for a name the warehouse invents)."""
    return ctx.warehouse.column_key(column.name) if column.name is not None else None

"""Lineage of a model's values: which derived table or CTE select items a column reference reads.

A column reference reads one source (when the scope analysis can tell which); when that is a
derived table or a WITH query, its value is the matching select item of each of its SELECTs (one
per set-operation branch), which read further sources in turn. The type inference
(:mod:`wsync_lint.analysis.type_inference`) types a column by those items; :func:`lineage` walks them.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.from_items import Source, SourceKind
from wsync_lint.analysis.query_shape import output_selects
from wsync_lint.analysis.schema_columns import columns_of
from wsync_lint.analysis.scopes import analyse, reference_of
from wsync_lint.contract.sql_context import SqlContext

# How deep lineage and the type inference follow derived tables, CTEs and nested calls.
MAX_DEPTH = 24


def source_of(ctx: SqlContext, column: exp.Column) -> Source | None:
    """The one source a column reference reads (None: unknown, several, or a struct path)."""
    ref = reference_of(ctx, column)
    if ref is None:
        return None
    analysis = analyse(ctx)
    if ref.qualifier:
        resolution = analysis.resolve(ref.scope, ref.qualifier)
        if resolution is None or resolution.consumed != len(analysis.name_keys(ref.qualifier)):
            return None
        return resolution.source
    candidates = analysis.unqualified_candidates(ref, columns_of(ctx))
    return candidates[0] if candidates and len(candidates) == 1 else None


def inner_items(ctx: SqlContext, column: exp.Column, source: Source) -> list[exp.Expression]:
    """The select items (one per set-operation branch) of the derived table or CTE that a
    column reads, without their aliases."""
    if source.kind not in (SourceKind.CTE, SourceKind.DERIVED) or source.query is None:
        return []
    identifier = column.this
    if not isinstance(identifier, exp.Identifier):
        return []
    analysis = analyse(ctx)
    wanted = analysis.key(identifier)
    selects = output_selects(source.query)
    if not selects:
        return []
    if source.column_aliases:
        names: list[exp.Expression | None] = list(source.column_aliases)
    else:
        names = [_item_name(item) for item in selects[0].expressions]
    position = next(
        (
            index
            for index, name in enumerate(names)
            if isinstance(name, exp.Identifier) and analysis.key(name) == wanted
        ),
        None,
    )
    if position is None:
        return []
    found = []
    for select in selects:
        items = select.expressions
        if position < len(items):
            item = items[position]
            found.append(item.this if isinstance(item, exp.Alias) else item)
    return found


def _item_name(item: exp.Expression) -> exp.Expression | None:
    if isinstance(item, exp.Alias):
        return item.args.get("alias")
    return item.this if isinstance(item, exp.Column) else None


def lineage(ctx: SqlContext, expression: exp.Expression) -> Iterator[exp.Expression]:
    """``expression``, then every select item of a derived table or CTE its value is read from
    (transitively, each once)."""
    seen: set[int] = set()
    stack = [(expression, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen or depth > MAX_DEPTH:
            continue
        seen.add(id(node))
        yield node
        for column in node.find_all(exp.Column):
            try:
                source = source_of(ctx, column)
                inner = inner_items(ctx, column, source) if source is not None else []
            except Exception:  # noqa: BLE001
                inner = []
            stack.extend((item, depth + 1) for item in inner)

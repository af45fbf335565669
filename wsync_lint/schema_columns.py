"""Columns and types from a schema snapshot: what the schema-aware rules build on.

The scope analysis (:mod:`wsync_lint.scopes`) knows which FROM items a column can come from;
the snapshot (:mod:`wsync_lint.snapshots`) knows the columns and types of warehouse tables.
Together they prove a column unknown (no source has it) or ambiguous (two do), and give the
type of an output column that reads a table column.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from wsync_lint.context import SqlContext
from wsync_lint.scopes import Analysis, ColumnsOf, Source, SourceKind, analyse
from wsync_lint.snapshots import SchemaSnapshot
from wsync_lint.table_names import name_parts


def table_of(ctx: SqlContext, source: Source) -> tuple[str, ...] | None:
    """The snapshot table a TABLE source reads (None: not a table, no snapshot, or not exactly one
    match)."""
    snapshot = ctx.schema
    if snapshot is None or source.kind is not SourceKind.TABLE or not source.name:
        return None
    parts = name_parts(source.name, ctx.warehouse.name)
    found = snapshot.matching_tables(tuple((part.name, part.quoted) for part in parts))
    return found[0] if len(found) == 1 else None


def snapshot_columns(ctx: SqlContext, source: Source) -> Mapping[str, str] | None:
    """Column name -> type of the table a source reads, as the snapshot stores them."""
    table = table_of(ctx, source)
    snapshot: SchemaSnapshot | None = ctx.schema
    return snapshot.columns(table) if table is not None and snapshot is not None else None


def columns_of(ctx: SqlContext) -> ColumnsOf:
    """A :data:`~wsync_lint.scopes.ColumnsOf` that also knows warehouse tables from the snapshot
    (keys as the scope analysis compares names)."""
    analysis = analyse(ctx)

    def known(source: Source) -> frozenset[str] | None:
        columns = snapshot_columns(ctx, source)
        if columns is None:
            return analysis.known_columns(source)
        return frozenset(ctx.warehouse.reference_key(name, quoted=True) for name in columns)

    return ctx.memo("schema_columns.columns_of", lambda: known)


def column_type(ctx: SqlContext, column: exp.Column) -> str | None:
    """The snapshot type of a column reference that reads a warehouse table column."""
    analysis: Analysis = analyse(ctx)
    ref = next((r for r in analysis.column_refs if r.column is column), None)
    if ref is None or not isinstance(column.this, exp.Identifier):
        return None
    if ref.qualifier:
        resolution = analysis.resolve(ref.scope, ref.qualifier)
        if resolution is None or resolution.consumed != len(ref.qualifier):
            return None
        sources = [resolution.source]
    else:
        sources = analysis.unqualified_candidates(ref, columns_of(ctx)) or []
    if len(sources) != 1:
        return None
    columns = snapshot_columns(ctx, sources[0])
    if columns is None:
        return None
    wanted = analysis.key(column.this)
    return next(
        (kind for name, kind in columns.items() if ctx.warehouse.reference_key(name, quoted=True) == wanted), None
    )


def output_types(ctx: SqlContext, query: exp.Query) -> list[str | None]:
    """The type of each output column of ``query`` where the snapshot tells it (a column read
    from a warehouse table); None where it does not."""
    types: list[str | None] = []
    for column in ctx.outputs(query):
        expression = column.expression
        types.append(column_type(ctx, expression) if isinstance(expression, exp.Column) else None)
    return types

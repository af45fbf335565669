"""Columns and types from a schema snapshot: what the schema-aware rules build on.

The scope analysis (:mod:`wsync_lint.analysis.scopes`) knows which FROM items a column can come from;
the snapshot (:mod:`wsync_lint.sql.snapshots`) knows the columns and types of warehouse tables.
Together they prove a column unknown (no source has it) or ambiguous (two do), and give the
type of an output column that reads a table column.

- :func:`source_columns`: the columns a FROM item supplies, in the warehouse's order: a table's
  from the snapshot, a WITH query's or derived table's from its select list (its ``*`` expanded
  by :mod:`wsync_lint.analysis.star_expansion`), ``FLATTEN``'s fixed columns, the names an
  ``UNNEST`` or ``AS d(a, b)`` gives.
- :func:`expand_stars` / :func:`query_outputs`: a query's output columns with ``*`` and ``t.*``
  expanded (and their ``EXCLUDE`` / ``EXCEPT`` / ``REPLACE`` / ``RENAME`` / ``ILIKE``
  modifiers applied), each with its returned name and snapshot type.
- :func:`columns_of`: a :data:`~wsync_lint.analysis.scopes.ColumnsOf` for the scope analysis that knows
  all of that.

Everything here is computed once per file (cached on the context) and never raises on odd
input: what cannot be known is None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from sqlglot import exp

from wsync_lint.analysis.attributes import invented_name, is_path, item_spans, item_text
from wsync_lint.analysis.from_items import FLATTEN_COLUMNS, Source, SourceKind
from wsync_lint.analysis.output_names import OutputName, key_of
from wsync_lint.analysis.query_shape import set_branches, star_of
from wsync_lint.analysis.scope_tree import ColumnRef, Scope
from wsync_lint.analysis.scopes import Analysis, ColumnsOf, analyse, reference_of
from wsync_lint.analysis.star_expansion import covered_columns, star_columns
from wsync_lint.contract.messages import code
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.snapshots import SchemaSnapshot
from wsync_lint.sql.table_names import name_parts

# -- tables ---------------------------------------------------------------------------------------


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


def _once(
    ctx: SqlContext, memo_key: str, node: object, compute: Callable[[], list[OutputName] | None]
) -> list[OutputName] | None:
    """``compute()`` for ``node``, once per file. While it is computed the answer is None, so a
    source that needs itself (a recursive WITH query) is unknown instead of endless; a failure
    is unknown too: an analysis aid must never break a rule."""
    memo: dict[int, list[OutputName] | None] = ctx.memo(memo_key, dict)
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = None
    try:
        result = compute()
    except Exception:  # noqa: BLE001
        result = None
    memo[key] = result
    return result


# -- the columns of a source ----------------------------------------------------------------------


def source_columns(ctx: SqlContext, source: Source) -> list[OutputName] | None:
    """The columns ``source`` supplies, in order; None when they are not known.

    A warehouse table's come from the snapshot (in its order); a WITH query's or derived
    table's from its select list; ``AS d(a, b)`` renames them; ``FLATTEN`` has its six fixed
    columns; an aliased ``UNNEST`` or ``LATERAL VIEW`` the names it gives. A PIVOT or UNPIVOT
    makes them unknown.
    """
    return _once(ctx, "schema_columns.source_columns", source, lambda: _source_columns(ctx, source))


def _source_columns(ctx: SqlContext, source: Source) -> list[OutputName] | None:
    if source.node.args.get("pivots"):
        return None
    warehouse = ctx.warehouse
    kind = source.kind
    base: list[OutputName] | None = None
    if kind is SourceKind.TABLE:
        columns = snapshot_columns(ctx, source)
        if columns is not None:
            base = [
                OutputName(warehouse.returned_name(name, quoted=True), kind_, source.node, source)
                for name, kind_ in columns.items()
            ]
    elif kind in (SourceKind.CTE, SourceKind.DERIVED):
        if source.query is not None:
            inner = query_outputs(ctx, source.query)
            base = [replace(column, item=source.node, source=source) for column in inner] if inner is not None else None
    elif kind is SourceKind.UNNEST:
        if not source.column_aliases or not _fields_hidden(ctx, source):
            return None
        return [_aliased(ctx, alias, source) for alias in source.column_aliases]
    elif kind is SourceKind.FUNCTION:
        known = analyse(ctx).known_columns(source)
        if known is not None and not source.column_aliases:
            if not known:
                return []  # GENERATOR
            if ctx.warehouse.name == "snowflake":
                return [
                    OutputName(warehouse.returned_name(name, quoted=False), None, source.node, source)
                    for name in FLATTEN_COLUMNS
                ]
    if source.column_aliases:
        # `AS d(a, b)`: the first columns take these names (the rest keep theirs).
        renamed = [_aliased(ctx, alias, source) for alias in source.column_aliases]
        if base is None:
            return renamed if kind is not SourceKind.TABLE else None
        if len(renamed) > len(base):
            return None
        return [
            replace(column, name=renamed[index].name) if index < len(renamed) else column
            for index, column in enumerate(base)
        ]
    return base


def _fields_hidden(ctx: SqlContext, source: Source) -> bool:
    """Whether an ``UNNEST``'s columns are only the names it gives. In BigQuery the fields of an
    array of STRUCTs are columns too (aliased or not), so there its columns are known only when
    the snapshot says the array holds no STRUCTs."""
    if ctx.warehouse.name != "bigquery":
        return True
    node = source.node
    arrays = node.expressions if isinstance(node, exp.Unnest) else []
    if len(arrays) != 1 or not isinstance(arrays[0], exp.Column):
        return False
    kind = column_type(ctx, arrays[0])
    return kind is not None and kind.upper().startswith("ARRAY") and "STRUCT" not in kind.upper()


def _aliased(ctx: SqlContext, alias: exp.Identifier, source: Source) -> OutputName:
    return OutputName(ctx.warehouse.returned_name(alias.name, bool(alias.quoted)), None, source.node, source)


# -- the output of a query ------------------------------------------------------------------------


def expand_stars(ctx: SqlContext, query: exp.Query) -> list[OutputName] | None:
    """The model's output columns with every ``*`` and ``t.*`` expanded, in the warehouse's
    column order; None when some ``*`` cannot be expanded (a table not in the snapshot, a WITH
    query over one, a ``*`` of a struct).

    For a set operation, the columns of its first branch (which name the result). Columns that
    are not from a ``*`` are there too, each with its returned name (None when the warehouse
    invents one this cannot predict) and, where it reads a table column, its snapshot type.
    """
    return query_outputs(ctx, query)


def query_outputs(ctx: SqlContext, query: exp.Expression) -> list[OutputName] | None:
    """The output columns of any query (SELECT, set operation, parenthesised query)."""
    try:
        return _query_outputs(ctx, query)
    except Exception:  # noqa: BLE001 - an analysis aid must never break a rule
        return None


def _query_outputs(ctx: SqlContext, query: exp.Expression) -> list[OutputName] | None:
    while isinstance(query, exp.Subquery) and isinstance(query.this, exp.Query):
        query = query.this
    if isinstance(query, exp.Select):
        return select_outputs(ctx, query)
    if isinstance(query, exp.SetOperation):
        branches = set_branches(query)
        first = select_outputs(ctx, branches[0]) if branches else None
        if first is None:
            return None
        others = [select_outputs(ctx, branch) for branch in branches[1:]]
        result = []
        for index, column in enumerate(first):
            kinds = {column.type}
            for other in others:
                kinds.add(other[index].type if other is not None and index < len(other) else None)
            result.append(column if len(kinds) == 1 else replace(column, type=None))
        return result
    return None


def select_outputs(ctx: SqlContext, select: exp.Select) -> list[OutputName] | None:
    """The output columns of one SELECT, its stars expanded (cached per SELECT)."""
    return _once(ctx, "schema_columns.select_outputs", select, lambda: _select_outputs(ctx, select))


def _select_outputs(ctx: SqlContext, select: exp.Select) -> list[OutputName] | None:
    analysis = analyse(ctx)
    scope = analysis.scope(select)
    warehouse = ctx.warehouse
    result: list[OutputName] = []
    unnamed = 0
    spans: list | None = None
    for index, item in enumerate(select.expressions):
        star = star_of(item)
        if star is not None:
            expanded = star_columns(ctx, scope, star, lambda source: source_columns(ctx, source))
            if expanded is None:
                return None
            result.extend(replace(column, item=item) for column in expanded)
            continue
        expression = item.this if isinstance(item, exp.Alias) else item
        identifier: exp.Expression | None = None
        if isinstance(item, exp.Alias):
            identifier = item.args.get("alias")
        elif isinstance(expression, exp.Column):
            identifier = expression.this
        elif is_path(expression) and warehouse.name != "snowflake":
            identifier = expression.expression  # a struct field, named by its last part
        name: str | None = None
        if isinstance(identifier, exp.Identifier):
            name = warehouse.returned_name(identifier.name, bool(identifier.quoted))
        else:
            if spans is None:
                spans = item_spans(ctx, select)
            span = spans[index] if index < len(spans) else None
            text = item_text(ctx, span, expression, warehouse.name)
            name = invented_name(warehouse, expression, text, unnamed, ctx.text)
            unnamed += 1
        kind = column_type(ctx, expression) if isinstance(expression, exp.Column) else None
        result.append(OutputName(name, kind, item))
    return result


def star_sources_columns(ctx: SqlContext, scope: Scope, star: exp.Expression) -> list[OutputName] | None:
    """The columns a ``*`` or ``t.*`` covers before its modifiers, as the snapshot knows them; None
    when not known."""
    return covered_columns(ctx, scope, star, lambda source: source_columns(ctx, source))


def column_keys(ctx: SqlContext, columns: list[OutputName]) -> frozenset[str] | None:
    """The keys of a list of columns (as the scope analysis compares names); None when the
    warehouse invents a name this cannot predict, so any name could be one of them."""
    keys = set()
    for column in columns:
        if column.name is None:
            return None
        keys.add(ctx.warehouse.column_key(column.name))
    return frozenset(keys)


def describe_source(ctx: SqlContext, source: Source) -> str:
    """How a message names a source: the snapshot's table name (with its alias), the WITH query,
    the derived table, the table function."""
    table = table_of(ctx, source)
    if table is not None:
        name = code(".".join(table))
        return f"{name} (as {code(source.label)})" if source.alias is not None else name
    if source.kind is SourceKind.CTE:
        if source.alias is not None and source.name:
            written = analyse(ctx).written(source.name[-1])
            return f"the WITH query {code(written)} (as {code(source.label)})"
        return f"the WITH query {code(source.label)}"
    if source.kind is SourceKind.DERIVED:
        return f"the derived table {code(source.label)}" if source.alias is not None else "a derived table"
    if source.kind is SourceKind.VALUES:
        return f"the VALUES list {code(source.label)}" if source.alias is not None else "a VALUES list"
    return code(source.label)


# -- what the scope analysis asks -----------------------------------------------------------------


def columns_of(ctx: SqlContext) -> ColumnsOf:
    """A :data:`~wsync_lint.analysis.scopes.ColumnsOf` that also knows warehouse tables from the snapshot,
    and WITH queries and derived tables whose ``*`` the snapshot expands (keys as the scope
    analysis compares names)."""
    analysis = analyse(ctx)
    cache: dict[int, frozenset[str] | None] = {}

    def known(source: Source) -> frozenset[str] | None:
        key = id(source)
        if key not in cache:
            cache[key] = _known(source)
        return cache[key]

    by_table: dict[tuple[str, ...], frozenset[str]] = {}

    def _known(source: Source) -> frozenset[str] | None:
        if source.node.args.get("pivots"):
            return None
        table = table_of(ctx, source) if not source.column_aliases else None
        if table is not None and ctx.schema is not None:
            if table not in by_table:
                warehouse = ctx.warehouse
                by_table[table] = frozenset(
                    warehouse.reference_key(name, quoted=True) for name in ctx.schema.columns(table)
                )
            return by_table[table]
        columns = source_columns(ctx, source)
        if columns is not None:
            return column_keys(ctx, columns)
        if source.kind is SourceKind.UNNEST and ctx.warehouse.name == "bigquery":
            return None  # the fields of an array of STRUCTs are columns too
        if source.kind is SourceKind.TABLE and ctx.schema is not None and snapshot_columns(ctx, source) is not None:
            return None
        return analysis.known_columns(source)

    return ctx.memo("schema_columns.columns_of", lambda: known)


# Clauses where an unqualified name may be a select item's output name (`SELECT t.date ...
# GROUP BY date`): BigQuery allows it in all four, every warehouse in ORDER BY.
_OUTPUT_NAME_CLAUSES = frozenset({"group", "order", "having", "qualify"})


def reads_output_name(analysis: Analysis, ref: ColumnRef) -> bool:
    """Whether an unqualified reference in ``GROUP BY``, ``ORDER BY``, ``HAVING`` or ``QUALIFY``
    names a column its SELECT returns under that name without an alias (``t.date``, a struct
    path ``s.a.city``): the warehouse may read it as that output column."""
    if ref.qualifier or ref.clause not in _OUTPUT_NAME_CLAUSES or not isinstance(ref.column.this, exp.Identifier):
        return False
    wanted = analysis.key(ref.column.this)
    for item in ref.scope.select.expressions:
        if isinstance(item, exp.Column) and isinstance(item.this, exp.Identifier) and item.table:
            name: exp.Expression | None = item.this  # `t.day`; a bare `day` resolves as the reference does
        elif isinstance(item, exp.Dot) and is_path(item):
            name = item.expression
        else:
            continue
        if item is not ref.column and isinstance(name, exp.Identifier) and analysis.key(name) == wanted:
            return True
    return False


def column_type(ctx: SqlContext, column: exp.Column) -> str | None:
    """The snapshot type of a column reference that reads a warehouse table column (directly, or
    through WITH queries and derived tables that pass it on unchanged)."""
    try:
        return _column_type(ctx, column)
    except Exception:  # noqa: BLE001 - an analysis aid must never break a rule
        return None


def _column_type(ctx: SqlContext, column: exp.Column) -> str | None:
    if ctx.schema is None:
        return None
    analysis: Analysis = analyse(ctx)
    ref = reference_of(ctx, column)
    if ref is None or not isinstance(column.this, exp.Identifier):
        return None
    if ref.qualifier:
        resolution = analysis.resolve(ref.scope, ref.qualifier)
        if resolution is None or resolution.consumed != len(analysis.name_keys(ref.qualifier)):
            return None
        sources = [resolution.source]
    else:
        sources = analysis.unqualified_candidates(ref, columns_of(ctx)) or []
    if len(sources) != 1:
        return None
    columns = source_columns(ctx, sources[0])
    if columns is None:
        return None
    wanted = analysis.key(column.this)
    found = [found for found in columns if key_of(ctx, found) == wanted]
    return found[0].type if len(found) == 1 else None


def output_types(ctx: SqlContext, query: exp.Query) -> list[str | None]:
    """The type of each output column of ``query`` where the snapshot tells it (a column read
    from a warehouse table); None where it does not."""
    types: list[str | None] = []
    for column in ctx.outputs(query):
        expression = column.expression
        types.append(column_type(ctx, expression) if isinstance(expression, exp.Column) else None)
    return types

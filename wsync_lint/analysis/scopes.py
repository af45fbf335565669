"""The scope analysis of one file: what qualifiers and column names resolve to, and which columns a source has.

:func:`analyse` builds it once per file, on the scope tree (:mod:`wsync_lint.analysis.scope_tree`) of
the nodes the context already indexed, and caches it on the context. Names are compared with the
warehouse's :meth:`~wsync_lint.mparticle.warehouses.Warehouse.reference_key`
(:mod:`wsync_lint.analysis.names`), so case rules live in one place.

Without a schema the columns of a warehouse table are unknown (``None``); the columns of CTEs,
derived tables and aliased table functions are known from their text. A schema-aware layer
passes its own ``columns_of`` to :meth:`Analysis.unqualified_candidates` (which sources could
supply an unqualified column) and :meth:`Analysis.could_be_column` to know table columns too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from wsync_lint.analysis.from_items import FLATTEN_COLUMNS, Source, SourceKind, match_length
from wsync_lint.analysis.query_shape import star_of
from wsync_lint.analysis.scope_tree import ColumnRef, Scope, ScopeTree

if TYPE_CHECKING:
    from wsync_lint.contract.sql_context import SqlContext


# Unquoted, unqualified names the warehouse reads as a function call without parentheses, but
# that sqlglot 30 parses as a column in that dialect.
NILADIC_NAMES: dict[str, frozenset[str]] = {
    "snowflake": frozenset(),
    "bigquery": frozenset(),
    "redshift": frozenset(),
    "databricks": frozenset({"current_user", "user", "session_user", "current_schema", "current_database"}),
}

# Columns the warehouse adds to tables, which no select list or schema shows.
PSEUDO_COLUMNS: dict[str, frozenset[str]] = {
    "snowflake": frozenset(),
    "bigquery": frozenset({"_table_suffix", "_partitiontime", "_partitiondate", "_file_name"}),
    "redshift": frozenset(),
    "databricks": frozenset({"_metadata"}),
}


@dataclass(frozen=True)
class Resolution:
    """What a qualifier resolved to."""

    source: Source
    scope: Scope
    depth: int
    """0 for the column's own SELECT, 1 for the one around it (correlated) ..."""
    consumed: int
    """How many qualifier parts name the source; the rest is a struct path."""


ColumnsOf = Callable[[Source], "frozenset[str] | None"]


class Analysis(ScopeTree):
    """Scopes, sources and column references of one file, and what their names resolve to (build with
    :func:`analyse`)."""

    def __init__(self, ctx: SqlContext) -> None:
        self._query_columns: dict[int, frozenset[str] | None] = {}
        self._known_columns: dict[Source, frozenset[str] | None] = {}
        self._select_aliases: dict[int, dict[str, exp.Expression]] = {}
        self._settled_names: dict[Scope, frozenset[str] | None] = {}
        super().__init__(ctx)

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, scope: Scope, qualifier: list[exp.Identifier]) -> Resolution | None:
        """The source a qualifier names, searching the scope and then the enclosing ones."""
        keys = self.name_keys(qualifier)
        if not keys:
            return None
        for depth, current in enumerate(scope.chain()):
            best: tuple[Source, int] | None = None
            for source in current.sources:
                consumed = match_length(source, keys)
                if consumed and (best is None or consumed > best[1]):
                    best = (source, consumed)
            if best is not None:
                return Resolution(best[0], current, depth, best[1])
        return None

    def visible_sources(self, scope: Scope) -> list[Source]:
        """The sources of the scope and of the enclosing ones, innermost first."""
        return [source for current in scope.chain() for source in current.sources]

    def sources_at(self, ref: ColumnRef) -> list[Source]:
        """The sources of its own SELECT an unqualified column can be read from where it sits.

        A table function's arguments see the items before it; a JOIN condition sees the items
        up to its join; everything else sees all of them.
        """
        sources = ref.scope.sources
        if ref.in_source is not None:
            return sources[: ref.in_source.index]
        if ref.in_join_condition is not None:
            last = max((s.index for s in sources if s.join is ref.in_join_condition), default=len(sources) - 1)
            return sources[: last + 1]
        return sources

    # -- columns -------------------------------------------------------------------------------

    def known_columns(self, source: Source) -> frozenset[str] | None:
        """The keys of the columns a source supplies, when its text says; None when unknown.

        Computed once per source: rules ask it for every column reference the source could supply.
        """
        found = self._known_columns.get(source, False)
        if found is False:
            found = self._known_columns[source] = self._columns_from_text(source)
        return found  # type: ignore[return-value]

    def _columns_from_text(self, source: Source) -> frozenset[str] | None:
        if source.node.args.get("pivots"):
            return None
        if source.column_aliases and source.kind is not SourceKind.UNNEST:
            return frozenset(self.key(c) for c in source.column_aliases)
        if source.kind is SourceKind.UNNEST:
            if source.alias is None and not source.column_aliases:
                return None  # BigQuery: the fields of an unaliased UNNEST of structs are columns
            return frozenset(self.key(c) for c in source.column_aliases)
        if source.kind in (SourceKind.CTE, SourceKind.DERIVED) and source.query is not None:
            return self.query_columns(source.query)
        if source.kind is SourceKind.FUNCTION:
            function = source.node.this if isinstance(source.node, (exp.TableFromRows, exp.Lateral)) else None
            if isinstance(function, exp.Generator):
                return frozenset()
            if isinstance(function, exp.Explode) and self.dialect == "snowflake":
                return frozenset(self.warehouse.reference_key(c, False) for c in FLATTEN_COLUMNS)
        return None

    def query_columns(self, query: exp.Query) -> frozenset[str] | None:
        """The keys of a query's output names; None when a ``*`` makes them unknown."""
        cached = self._query_columns.get(id(query), False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        names: set[str] | None = set()
        for item in query.selects:
            expression = item.this if isinstance(item, exp.Alias) else item
            if star_of(expression) is not None:
                names = None
                break
            identifier = item.args.get("alias") if isinstance(item, exp.Alias) else None
            if identifier is None and isinstance(expression, exp.Column):
                identifier = expression.this
            if isinstance(identifier, exp.Identifier):
                names.add(self.key(identifier))
        result = frozenset(names) if names is not None else None
        self._query_columns[id(query)] = result
        return result

    def candidate_sources(
        self, ref: ColumnRef, name: exp.Identifier, columns_of: ColumnsOf | None = None
    ) -> list[Source]:
        """The sources of the column's SELECT that could supply an unqualified ``name``.

        ``columns_of(source)`` gives a source's column keys, or None when unknown (then the
        source could supply any name); by default :meth:`known_columns`. A schema-aware layer
        passes one that also knows warehouse tables: one candidate proves the source, two or
        more prove the name ambiguous.
        """
        columns_of = columns_of or self.known_columns
        wanted = self.key(name)
        found = []
        for source in self.sources_at(ref):
            columns = columns_of(source)
            if columns is None or wanted in columns:
                found.append(source)
        return found

    def unqualified_candidates(self, ref: ColumnRef, columns_of: ColumnsOf | None = None) -> list[Source] | None:
        """The sources that could supply an unqualified column reference.

        None when the reference is not a column of a source at all, or its source is settled
        by the syntax: a lambda parameter, a select alias used in a later clause or item, a
        `USING` column, any column next to a NATURAL join, an UNNEST element or other range
        variable used as a value, a warehouse pseudo-column. Otherwise the list may hold
        none (unknown column), one (proven) or several (ambiguous) sources.
        """
        column = ref.column
        identifier = column.this
        if ref.qualifier or ref.opaque or not isinstance(identifier, exp.Identifier) or self.is_niladic(column):
            return None
        key = self.key(identifier)
        if not identifier.quoted and identifier.name.lower() in PSEUDO_COLUMNS.get(self.dialect, frozenset()):
            return None
        select = ref.scope.select
        alias_item = self.select_aliases(select).get(key)
        if alias_item is not None and ref.clause not in ("joins", "from_", "laterals") and ref.item is not alias_item:
            return None
        settled = self.settled_names(ref.scope)
        if settled is None or key in settled:
            return None
        return self.candidate_sources(ref, identifier, columns_of)

    def settled_names(self, scope: Scope) -> frozenset[str] | None:
        """The keys of the unqualified names a SELECT's FROM clause settles without a source to
        choose: `USING` columns, and range variables or UNNEST elements read as values. None when
        a NATURAL join settles every name. Computed once per SELECT."""
        if scope in self._settled_names:
            return self._settled_names[scope]
        keys: set[str] | None = set()
        for join in scope.select.args.get("joins") or []:
            if not isinstance(join, exp.Join):
                continue
            if str(join.args.get("method") or "").upper() == "NATURAL":
                keys = None
                break
            for used in join.args.get("using") or []:
                if isinstance(used, exp.Identifier):
                    keys.add(self.key(used))
                elif isinstance(used, exp.Column) and isinstance(used.this, exp.Identifier):
                    keys.add(self.key(used.this))
        if keys is not None:
            keys.update(path[0] for source in scope.sources for path in source.paths if len(path) == 1)
        settled = frozenset(keys) if keys is not None else None
        self._settled_names[scope] = settled
        return settled

    def could_be_column(self, scope: Scope, identifier: exp.Identifier, columns_of: ColumnsOf | None = None) -> bool:
        """Whether ``identifier`` may name a column of some source visible from the scope."""
        columns_of = columns_of or self.known_columns
        wanted = self.key(identifier)
        for source in self.visible_sources(scope):
            columns = columns_of(source)
            if columns is None or wanted in columns:
                return True
        return False

    def select_aliases(self, select: exp.Select) -> dict[str, exp.Expression]:
        """Select-list aliases of a SELECT by key, each with its item."""
        cached = self._select_aliases.get(id(select))
        if cached is not None:
            return cached
        aliases: dict[str, exp.Expression] = {}
        self._select_aliases[id(select)] = aliases
        for item in select.expressions:
            if isinstance(item, exp.Alias):
                identifier = item.args.get("alias")
                if isinstance(identifier, exp.Identifier):
                    aliases.setdefault(self.key(identifier), item)
        return aliases

    def is_niladic(self, column: exp.Column) -> bool:
        """An unqualified, unquoted name the warehouse reads as a function (``current_user``)."""
        if not NILADIC_NAMES.get(self.dialect):
            return False  # most warehouses have none: spare the checks below
        identifier = column.this
        return (
            not column.table
            and isinstance(identifier, exp.Identifier)
            and not identifier.quoted
            and identifier.name.lower() in NILADIC_NAMES.get(self.dialect, frozenset())
        )


def analyse(ctx: SqlContext) -> Analysis:
    """The file's :class:`Analysis`, built on first use and cached on the context."""
    return ctx.memo("scopes.analysis", lambda: Analysis(ctx))


def reference_of(ctx: SqlContext, column: exp.Column) -> ColumnRef | None:
    """The scope analysis's record of a column reference (None when it is in no SELECT)."""
    analysis = analyse(ctx)
    refs: dict[int, ColumnRef] = ctx.memo("scopes.refs", lambda: {id(ref.column): ref for ref in analysis.column_refs})
    return refs.get(id(column))

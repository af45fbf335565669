"""Scopes: the sources each SELECT can see, and what qualifiers and column names resolve to.

A *source* is one item of a FROM clause (see :mod:`wsync_lint.analysis.from_items`). A *scope* is one
SELECT with its sources and the scope around it: a subquery sees the sources of the selects that hold it (correlation), a CTE body does not
see the query its WITH belongs to.

:func:`analyse` builds all of it once per file, from the nodes the context already indexed,
and caches it on the context. Names are compared with the warehouse's
:meth:`~wsync_lint.mparticle.warehouses.Warehouse.reference_key`, so case rules live in one place.

Without a schema the columns of a warehouse table are unknown (``None``); the columns of CTEs,
derived tables and aliased table functions are known from their text. A schema-aware layer
passes its own ``columns_of`` to :meth:`Analysis.unqualified_candidates` (which sources could
supply an unqualified column) and :meth:`Analysis.could_be_column` to know table columns too.

Also here: the model's output selects (:func:`output_selects`, :func:`star_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlglot import exp

from wsync_lint.analysis.from_items import FLATTEN_COLUMNS, Key, Source, SourceKind, collect_sources, match_length
from wsync_lint.mparticle.warehouses import Warehouse

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

# Statements whose own tables a nested SELECT may reference without a scope we model.
_OPAQUE_STATEMENTS = (exp.Update, exp.Delete, exp.Merge, exp.MultitableInserts)

# Statements of procedural SQL, whose variables (loop records, DECLAREd names) a SELECT may
# qualify columns with. `Command` is text sqlglot did not parse (BEGIN, END FOR, ...).
_SCRIPT_STATEMENTS = (exp.ForIn, exp.Command, exp.Declare, exp.Block, exp.IfBlock, exp.WhileBlock, exp.Execute)
_ROUTINE_KINDS = frozenset({"FUNCTION", "PROCEDURE", "TABLE FUNCTION", "AGGREGATE FUNCTION"})


@dataclass(eq=False)
class Scope:
    """One SELECT: its sources and the scope it is nested in."""

    select: exp.Select
    sources: list[Source]
    parent: Scope | None
    opaque_outer: bool
    """True when an enclosing UPDATE, DELETE, MERGE or routine (CREATE FUNCTION, CREATE
    PROCEDURE) may supply names this model does not track."""
    columns: list[ColumnRef] = field(default_factory=list)
    """The column references in this SELECT's own clauses (not in nested queries)."""

    def chain(self) -> Iterator[Scope]:
        """This scope, then the enclosing ones, innermost first."""
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent

    @property
    def opaque(self) -> bool:
        """Whether some enclosing statement may supply names (then qualifiers cannot be judged)."""
        return any(scope.opaque_outer for scope in self.chain())


@dataclass(eq=False)
class ColumnRef:
    """A column reference and where it sits."""

    column: exp.Column
    scope: Scope
    clause: str
    """The SELECT argument holding it: ``expressions``, ``where``, ``group``, ``joins`` ..."""
    item: exp.Expression | None
    """The select-list item holding it (clause ``expressions``)."""
    in_source: Source | None
    """The FROM item whose arguments hold it (``UNNEST(arr)``, ``FLATTEN(input => x)``)."""
    in_join_condition: exp.Join | None
    """The JOIN whose ON / USING / MATCH_CONDITION holds it."""
    opaque: bool
    """True for lambda parameters and MATCH_RECOGNIZE pattern variables: not table columns."""

    @cached_property
    def qualifier(self) -> list[exp.Identifier]:
        """The parts before the column name (``[t]`` for ``t.status``, ``[]`` when unqualified).

        Computed once per reference (several rules ask); do not modify the list.
        """
        return [part for part in self.column.parts[:-1] if isinstance(part, exp.Identifier)]


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


class Analysis:
    """Scopes, sources and column references of one file (build with :func:`analyse`)."""

    def __init__(self, ctx: SqlContext) -> None:
        self.ctx = ctx
        self.warehouse: Warehouse = ctx.warehouse
        self.dialect = ctx.warehouse.name
        self._scopes: dict[int, Scope] = {}
        self._query_columns: dict[int, frozenset[str] | None] = {}
        self._known_columns: dict[Source, frozenset[str] | None] = {}
        self._select_aliases: dict[int, dict[str, exp.Expression]] = {}
        self._settled_names: dict[Scope, frozenset[str] | None] = {}
        self.scripted = any(isinstance(statement, _SCRIPT_STATEMENTS) for statement in ctx.statements)
        """True when the file is procedural SQL, whose variables can qualify columns too."""
        for select in ctx.nodes(exp.Select):
            self._scope_for(select)

    # -- names ---------------------------------------------------------------------------------

    def key(self, identifier: exp.Identifier) -> str:
        """The warehouse's resolution key for a name."""
        return self.warehouse.reference_key(identifier.name, bool(identifier.quoted))

    def name_keys(self, parts: tuple[exp.Identifier, ...] | list[exp.Identifier]) -> Key:
        """Keys of a dotted name; BigQuery's backticked ```p.d.t``` counts as three parts."""
        keys: list[str] = []
        for part in parts:
            if self.dialect == "bigquery" and part.quoted and "." in part.name:
                keys.extend(self.warehouse.reference_key(piece, True) for piece in part.name.split("."))
            else:
                keys.append(self.key(part))
        return tuple(keys)

    def written_name(self, parts: tuple[exp.Identifier, ...] | list[exp.Identifier]) -> str:
        """A dotted name for a message: BigQuery paths without their backticks (`p.d.t`)."""
        if self.dialect == "bigquery":
            return ".".join(part.name for part in parts)
        return ".".join(self.written(part) for part in parts)

    def written(self, node: exp.Expression) -> str:
        """A node as the user would write it in this dialect."""
        if isinstance(node, exp.Identifier):
            return self._identifier_text(node)
        if isinstance(node, exp.Column) and all(isinstance(p, exp.Identifier) for p in node.parts):
            return ".".join(self._identifier_text(p) for p in node.parts)  # type: ignore[arg-type]
        return node.sql(dialect=self.dialect, comments=False)

    def _identifier_text(self, identifier: exp.Identifier) -> str:
        if not identifier.quoted:
            return identifier.name
        quote = self.warehouse.identifier_quote
        return quote + identifier.name.replace(quote, quote * 2) + quote

    # -- scopes --------------------------------------------------------------------------------

    @property
    def scopes(self) -> list[Scope]:
        """Every SELECT's scope."""
        return list(self._scopes.values())

    def scope(self, select: exp.Select) -> Scope:
        return self._scope_for(select)

    def _scope_for(self, select: exp.Select) -> Scope:
        found = self._scopes.get(id(select))
        if found is not None:
            return found
        parent_select, opaque = _enclosing_select(select)
        parent = self._scope_for(parent_select) if parent_select is not None else None
        scope = Scope(select, [], parent, opaque)
        self._scopes[id(select)] = scope
        scope.sources = collect_sources(self, select)
        return scope

    @cached_property
    def column_refs(self) -> list[ColumnRef]:
        """Every column reference that sits in a SELECT's clauses (each also on its scope)."""
        refs = []
        by_node: dict[int, Source] = {}
        for scope in self._scopes.values():
            for source in scope.sources:
                by_node[id(source.node)] = source
        for column in self.ctx.nodes(exp.Column):
            ref = self._locate(column, by_node)
            if ref is not None:
                refs.append(ref)
                ref.scope.columns.append(ref)
        return refs

    def columns_in(self, scope: Scope) -> list[ColumnRef]:
        """The column references in a SELECT's own clauses."""
        _ = self.column_refs  # building the references files each one under its scope
        return scope.columns

    def _locate(self, column: exp.Column, by_node: dict[int, Source]) -> ColumnRef | None:
        opaque = False
        in_source: Source | None = None
        in_join: exp.Join | None = None
        seen_join = False
        node: exp.Expression = column
        while True:
            parent = node.parent
            if parent is None:
                return None
            if in_source is None and not seen_join and id(node) in by_node and by_node[id(node)].node is node:
                in_source = by_node[id(node)]
            if _plain_parent(type(parent)):
                node = parent  # nothing below says where the column sits: climb on
                continue
            if isinstance(parent, exp.SetOperation):
                return None
            if isinstance(parent, exp.Star) and node.arg_key in ("except_", "rename"):
                return None  # `* EXCEPT (a)`, `* RENAME (a AS b)`: names of the star's columns
            if isinstance(parent, exp.Lambda):
                opaque = opaque or self._is_lambda_parameter(column, parent)
            elif isinstance(parent, exp.MatchRecognize):
                opaque = True
            if isinstance(parent, exp.Join) and not seen_join:
                seen_join = True
                if node.arg_key != "this":
                    in_join = parent
            if isinstance(parent, exp.Select):
                scope = self._scopes.get(id(parent)) or self._scope_for(parent)
                clause = node.arg_key
                item = node if clause == "expressions" else None
                return ColumnRef(column, scope, clause, item, in_source, in_join, opaque)
            node = parent

    def _is_lambda_parameter(self, column: exp.Column, lambda_: exp.Lambda) -> bool:
        """Whether the first part of ``column`` names a parameter of ``lambda_``."""
        parts = column.parts
        first = parts[0] if parts else None
        if not isinstance(first, exp.Identifier):
            return False
        return self.key(first) in {self.key(p) for p in lambda_.expressions if isinstance(p, exp.Identifier)}

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


# -- the model's output -------------------------------------------------------------------------


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


def star_of(item: exp.Expression) -> exp.Expression | None:
    """The ``*`` of a select item that is ``*``, ``t.*`` or ``s.field.*``, else None."""
    if isinstance(item, exp.Star):
        return item
    if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
        return item
    if isinstance(item, exp.Dot) and isinstance(item.expression, exp.Star):
        return item
    return None


# -- building -----------------------------------------------------------------------------------

# The parents a column's climb to its SELECT has to look at; any other parent is passed through.
_TELLING_PARENTS = (exp.SetOperation, exp.Star, exp.Lambda, exp.MatchRecognize, exp.Join, exp.Select)
_PLAIN_PARENTS: dict[type, bool] = {}


def _plain_parent(kind: type) -> bool:
    """Whether a parent of this class is none of :data:`_TELLING_PARENTS` (one ``issubclass``
    per class: most parents are operators and functions, met over and over)."""
    plain = _PLAIN_PARENTS.get(kind)
    if plain is None:
        plain = _PLAIN_PARENTS[kind] = not issubclass(kind, _TELLING_PARENTS)
    return plain


def _enclosing_select(select: exp.Select) -> tuple[exp.Select | None, bool]:
    """The SELECT whose scope encloses ``select`` (skipping the query that owns a CTE), and
    whether an UPDATE/DELETE/MERGE encloses it."""
    skip_owner: exp.Expression | None = None
    node: exp.Expression | None = select.parent
    child: exp.Expression = select
    while node is not None:
        if isinstance(node, exp.With) and child.arg_key == "expressions":
            skip_owner = node.parent  # a CTE body does not see the query its WITH belongs to
        elif isinstance(node, exp.Select) and node is not skip_owner:
            return node, False
        elif isinstance(node, _OPAQUE_STATEMENTS) or (
            isinstance(node, exp.Create) and str(node.args.get("kind") or "").upper() in _ROUTINE_KINDS
        ):
            return None, True  # the routine's parameters or the statement's tables are names too
        child, node = node, node.parent
    return None, False

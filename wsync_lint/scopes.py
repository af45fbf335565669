"""Scopes: the sources each SELECT can see, and what qualifiers and column names resolve to.

A *source* is one item of a FROM clause: a warehouse table, a reference to a WITH name, a
derived table, VALUES, an UNNEST (also BigQuery/Redshift path navigation ``FROM t, t.arr``
and Databricks ``LATERAL VIEW``) or another table function (Snowflake ``FLATTEN``,
``TABLE(...)``, ``GENERATOR``). A *scope* is one SELECT with its sources and the scope around
it: a subquery sees the sources of the selects that hold it (correlation), a CTE body does not
see the query its WITH belongs to.

:func:`analyse` builds all of it once per file, from the nodes the context already indexed,
and caches it on the context. Names are compared with the warehouse's
:meth:`~wsync_lint.warehouses.Warehouse.reference_key`, so case rules live in one place.

Without a schema the columns of a warehouse table are unknown (``None``); the columns of CTEs,
derived tables and aliased table functions are known from their text. A schema-aware layer
passes its own ``columns_of`` to :meth:`Analysis.unqualified_candidates` (which sources could
supply an unqualified column) and :meth:`Analysis.could_be_column` to know table columns too.

Also here: aggregate detection (:func:`is_aggregate_call`, :func:`is_aggregated`), the
model's output selects (:func:`output_selects`, :func:`star_of`) and :func:`code` for
quoting SQL in messages.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlglot import exp

from wsync_lint.warehouses import Warehouse

if TYPE_CHECKING:
    from wsync_lint.context import SqlContext


class SourceKind(enum.Enum):
    """What a FROM item is."""

    TABLE = "table"
    """A warehouse table or view (``db.schema.table``)."""
    CTE = "cte"
    """A reference to a WITH name."""
    DERIVED = "derived"
    """``(SELECT ...) AS d``, also ``LATERAL (SELECT ...)``."""
    VALUES = "values"
    UNNEST = "unnest"
    """``UNNEST(...)``, path navigation ``t.arr`` (BigQuery, Redshift), Databricks ``LATERAL VIEW``."""
    FUNCTION = "function"
    """Other table functions: ``FLATTEN``, ``TABLE(...)``, ``GENERATOR``, ``IDENTIFIER(...)``, stages."""


# Snowflake FLATTEN's output columns (https://docs.snowflake.com/en/sql-reference/functions/flatten).
FLATTEN_COLUMNS = ("SEQ", "KEY", "PATH", "INDEX", "VALUE", "THIS")

# Aggregate functions sqlglot 30 parses as anonymous functions (so not exp.AggFunc), from each
# warehouse's function reference. Upper-case names. A name missing here is taken for a scalar
# function; one listed for the wrong warehouse would take a user's function for an aggregate.
_COMMON_AGGREGATES = frozenset(
    {"CORR", "COVAR_POP", "COVAR_SAMP", "REGR_AVGX", "REGR_AVGY", "REGR_COUNT", "REGR_INTERCEPT",
     "REGR_R2", "REGR_SLOPE", "REGR_SXX", "REGR_SXY", "REGR_SYY"}
)  # fmt: skip
EXTRA_AGGREGATES: dict[str, frozenset[str]] = {
    "snowflake": _COMMON_AGGREGATES | {
        "APPROX_PERCENTILE", "APPROX_PERCENTILE_ACCUMULATE", "APPROX_PERCENTILE_COMBINE",
        "APPROX_TOP_K_ACCUMULATE", "APPROX_TOP_K_COMBINE", "APPROXIMATE_JACCARD_INDEX",
        "APPROXIMATE_SIMILARITY", "BITAND_AGG", "BITOR_AGG", "BITXOR_AGG", "HLL_ACCUMULATE",
        "HLL_COMBINE", "KURTOSIS", "MINHASH", "MINHASH_COMBINE", "SKEW", "ST_COLLECT",
    },
    "bigquery": _COMMON_AGGREGATES | {"ST_UNION_AGG", "ST_CENTROID_AGG", "ST_EXTENT"},
    "redshift": frozenset({"BIT_AND", "BIT_OR", "LISTAGG"}),
    "databricks": _COMMON_AGGREGATES | {
        "APPROX_PERCENTILE", "BITAND_AGG", "BITOR_AGG", "BITXOR_AGG", "BIT_AND", "BIT_OR", "BIT_XOR",
        "COLLECT_LIST", "COLLECT_SET", "EVERY", "HISTOGRAM_NUMERIC", "KURTOSIS", "PERCENTILE",
        "PERCENTILE_APPROX", "SOME", "SKEWNESS", "TRY_AVG", "TRY_SUM",
    },
}  # fmt: skip

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

# Wrappers that may sit between an aggregate call and its OVER clause or its arguments.
_AGG_WRAPPERS = (exp.IgnoreNulls, exp.RespectNulls, exp.WithinGroup, exp.Filter)

# Statements whose own tables a nested SELECT may reference without a scope we model.
_OPAQUE_STATEMENTS = (exp.Update, exp.Delete, exp.Merge, exp.MultitableInserts)

# Statements of procedural SQL, whose variables (loop records, DECLAREd names) a SELECT may
# qualify columns with. `Command` is text sqlglot did not parse (BEGIN, END FOR, ...).
_SCRIPT_STATEMENTS = (exp.ForIn, exp.Command, exp.Declare, exp.Block, exp.IfBlock, exp.WhileBlock, exp.Execute)
_ROUTINE_KINDS = frozenset({"FUNCTION", "PROCEDURE", "TABLE FUNCTION", "AGGREGATE FUNCTION"})

Key = tuple[str, ...]


@dataclass(eq=False)
class Source:
    """One FROM item of a SELECT."""

    kind: SourceKind
    node: exp.Expression
    """The FROM item as parsed (``Table``, ``Subquery``, ``Unnest``, ``Lateral`` ...)."""
    index: int
    """Position among the scope's sources, in FROM order."""
    join: exp.Join | None
    """The JOIN that brought it in (comma joins are joins too); None for the FROM item."""
    alias: exp.Identifier | None
    """The alias as written; None when there is none (or sqlglot invented it)."""
    name: tuple[exp.Identifier, ...] = ()
    """TABLE and CTE: the name parts as written, outermost first."""
    column_aliases: tuple[exp.Identifier, ...] = ()
    """``AS d(a, b)``, an UNNEST's element and offset names, a LATERAL VIEW's columns."""
    query: exp.Query | None = None
    """The body of a CTE reference or a derived table."""
    cte: exp.CTE | None = None
    extra_names: tuple[exp.Identifier, ...] = ()
    """Other names it answers to: PIVOT aliases, aliases sqlglot adds."""
    paths: tuple[Key, ...] = ()
    """The qualifiers (as keys) that name it: its alias, or the suffixes of its table name."""
    label: str = ""
    """How messages name it: the alias, or the table's name as written."""

    @property
    def qualifier(self) -> str | None:
        """The text to write before ``.column`` to use this source, if it has one."""
        if self.alias is not None:
            return self.label
        if self.kind in (SourceKind.TABLE, SourceKind.CTE) and self.name:
            return self.label
        return None


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

    @property
    def qualifier(self) -> list[exp.Identifier]:
        """The parts before the column name (``[t]`` for ``t.status``, ``[]`` when unqualified)."""
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
        self._select_aliases: dict[int, dict[str, exp.Expression]] = {}
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
        scope.sources = _SourceCollector(self, select).collect()
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
        parts = column.parts
        first = parts[0] if parts else None
        first_key = self.key(first) if isinstance(first, exp.Identifier) else None
        opaque = False
        in_source: Source | None = None
        in_join: exp.Join | None = None
        seen_join = False
        node: exp.Expression = column
        while True:
            parent = node.parent
            if parent is None or isinstance(parent, exp.SetOperation):
                return None
            if isinstance(parent, exp.Star) and node.arg_key in ("except_", "rename"):
                return None  # `* EXCEPT (a)`, `* RENAME (a AS b)`: names of the star's columns
            if isinstance(parent, exp.Lambda) and first_key is not None:
                params = {self.key(p) for p in parent.expressions if isinstance(p, exp.Identifier)}
                opaque = opaque or first_key in params
            elif isinstance(parent, exp.MatchRecognize):
                opaque = True
            if in_source is None and not seen_join and id(node) in by_node and by_node[id(node)].node is node:
                in_source = by_node[id(node)]
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

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, scope: Scope, qualifier: list[exp.Identifier]) -> Resolution | None:
        """The source a qualifier names, searching the scope and then the enclosing ones."""
        keys = self.name_keys(qualifier)
        if not keys:
            return None
        for depth, current in enumerate(scope.chain()):
            best: tuple[Source, int] | None = None
            for source in current.sources:
                consumed = _match(source, keys)
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
        """The keys of the columns a source supplies, when its text says; None when unknown."""
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
        for join in select.args.get("joins") or []:
            if not isinstance(join, exp.Join):
                continue
            if str(join.args.get("method") or "").upper() == "NATURAL":
                return None
            for used in join.args.get("using") or []:
                if isinstance(used, exp.Identifier) and self.key(used) == key:
                    return None
                if (
                    isinstance(used, exp.Column)
                    and isinstance(used.this, exp.Identifier)
                    and self.key(used.this) == key
                ):
                    return None
        for source in ref.scope.sources:
            if (key,) in source.paths:
                return None  # a range variable or UNNEST element read as a value
        return self.candidate_sources(ref, identifier, columns_of)

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


# -- aggregates ---------------------------------------------------------------------------------


def is_aggregate_call(node: exp.Expression, dialect: str) -> bool:
    """An aggregate function call that is not a window function (no OVER)."""
    if isinstance(node, exp.AggFunc) or (
        isinstance(node, exp.Anonymous) and node.name.upper() in EXTRA_AGGREGATES.get(dialect, frozenset())
    ):
        return not _windowed(node)
    return False


def _windowed(node: exp.Expression) -> bool:
    child, parent = node, node.parent
    while isinstance(parent, _AGG_WRAPPERS) and child.arg_key == "this":
        child, parent = parent, parent.parent
    return isinstance(parent, exp.Window) and child.arg_key == "this"


def aggregate_calls(expression: exp.Expression, dialect: str) -> list[exp.Expression]:
    """The aggregate calls in an expression, outside nested queries and outside OVER windows."""
    found = []
    for node in expression.walk(prune=lambda n: isinstance(n, (exp.Query, exp.Subquery)) and n is not expression):
        if isinstance(node, (exp.Query, exp.Subquery)) and node is not expression:
            continue
        if is_aggregate_call(node, dialect):
            found.append(node)
    return found


def is_aggregated(node: exp.Expression, root: exp.Expression, dialect: str) -> bool:
    """Whether ``node`` sits inside an aggregate call (its arguments, FILTER or WITHIN GROUP) below ``root``."""
    child, current = node, node.parent
    while current is not None:
        if is_aggregate_call(current, dialect):
            return True
        if isinstance(current, (exp.WithinGroup, exp.Filter)) and child.arg_key != "this":
            inner = current.this
            while isinstance(inner, _AGG_WRAPPERS):
                inner = inner.this
            if inner is not None and is_aggregate_call(inner, dialect):
                return True
        if current is root:
            return False
        child, current = current, current.parent
    return False


# -- messages -----------------------------------------------------------------------------------


def code(text: str, limit: int = 60) -> str:
    """``text`` as inline code for a message: shortened past ``limit`` characters, and fenced
    with double backticks when it holds a backtick itself (BigQuery, Databricks names)."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if "`" in text:
        return f"`` {text} ``"
    return f"`{text}`"


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


def _match(source: Source, keys: Key) -> int:
    """How many leading qualifier parts name ``source`` (0 when none)."""
    best = 0
    for path in source.paths:
        if len(path) > best and keys[: len(path)] == path:
            best = len(path)
    if source.kind is SourceKind.TABLE and source.alias is None and source.name:
        # `db.s.t.col` against `FROM s.t`: the qualifier names the table more fully than written.
        full = source.paths[-1] if source.paths else ()
        if full and len(keys) > len(full) and keys[-len(full) :] == full:
            best = max(best, len(keys))
    return best


class _SourceCollector:
    """Collects the FROM items of one SELECT as :class:`Source` objects."""

    def __init__(self, analysis: Analysis, select: exp.Select) -> None:
        self.analysis = analysis
        self.select = select
        self.sources: list[Source] = []
        self._ctes: dict[str, exp.CTE] | None = None

    def collect(self) -> list[Source]:
        from_ = self.select.args.get("from_")
        if isinstance(from_, exp.From) and from_.this is not None:
            self._add(from_.this, None)
        for join in self.select.args.get("joins") or []:
            if isinstance(join, exp.Join) and join.this is not None:
                self._add(join.this, join)
        for lateral in self.select.args.get("laterals") or []:
            self._add(lateral, None)
        return self.sources

    def _add(self, node: exp.Expression, join: exp.Join | None) -> None:
        if isinstance(node, exp.Subquery) and not isinstance(node.this, exp.Query) and node.this is not None:
            # A parenthesised join group: `FROM (a JOIN b ON ...)`.
            self._add(node.this, join)
            for inner in node.args.get("joins") or []:
                self._add(inner.this, inner)
            return
        self.sources.append(self._source(node, join))
        if isinstance(node, exp.Table):
            for inner in node.args.get("joins") or []:
                if isinstance(inner, exp.Join) and inner.this is not None:
                    self._add(inner.this, inner)

    def _source(self, node: exp.Expression, join: exp.Join | None) -> Source:
        analysis = self.analysis
        table_alias = node.args.get("alias")
        alias: exp.Identifier | None = None
        extra: list[exp.Identifier] = []
        columns: tuple[exp.Identifier, ...] = ()
        if isinstance(table_alias, exp.TableAlias):
            identifier = table_alias.this
            if isinstance(identifier, exp.Identifier) and identifier.name:
                if not (identifier._meta and "start" in identifier._meta):
                    extra.append(identifier)  # invented by sqlglot (`_flattened`, BigQuery `JOBS`)
                else:
                    alias = identifier
            columns = tuple(c for c in table_alias.columns if isinstance(c, exp.Identifier))
        for pivot in node.args.get("pivots") or []:
            pivot_alias = pivot.args.get("alias")
            identifier = pivot_alias.this if isinstance(pivot_alias, exp.TableAlias) else pivot_alias
            if isinstance(identifier, exp.Identifier) and identifier.name:
                extra.append(identifier)

        kind = SourceKind.FUNCTION
        name: tuple[exp.Identifier, ...] = ()
        query: exp.Query | None = None
        cte: exp.CTE | None = None
        if isinstance(node, exp.Table):
            if isinstance(node.this, exp.Identifier):
                name = tuple(p for p in node.parts if isinstance(p, exp.Identifier))
                cte = self._cte(name) if len(name) == 1 else None
                kind = SourceKind.CTE if cte is not None else SourceKind.TABLE
                if cte is not None:
                    query = cte.this if isinstance(cte.this, exp.Query) else None
                    cte_alias = cte.args.get("alias")
                    if not columns and isinstance(cte_alias, exp.TableAlias):
                        columns = tuple(c for c in cte_alias.columns if isinstance(c, exp.Identifier))
        elif isinstance(node, exp.Subquery):
            kind, query = SourceKind.DERIVED, node.this if isinstance(node.this, exp.Query) else None
        elif isinstance(node, exp.Lateral):
            if isinstance(node.this, exp.Subquery):
                kind, query = SourceKind.DERIVED, node.this.this if isinstance(node.this.this, exp.Query) else None
            elif node.args.get("view"):
                kind = SourceKind.UNNEST
        elif isinstance(node, exp.Unnest):
            kind = SourceKind.UNNEST
            offset = node.args.get("offset")
            if isinstance(offset, exp.Identifier):
                columns = (*columns, offset)
        elif isinstance(node, exp.Values):
            kind = SourceKind.VALUES
        elif isinstance(node, exp.AtIndex):
            # Redshift `FROM t c, c.orders AS o AT i`: the element `o` and its index `i`.
            kind = SourceKind.UNNEST
            element = node.this.args.get("alias") if isinstance(node.this, exp.Alias) else None
            index = node.expression
            columns = tuple(c for c in (element, index) if isinstance(c, exp.Identifier))

        paths: list[Key] = []
        if alias is not None:
            paths.append((analysis.key(alias),))
        elif name:
            keys = analysis.name_keys(name)
            if kind is SourceKind.TABLE:
                paths.extend(keys[i:] for i in range(len(keys) - 1, -1, -1))
            else:
                paths.append(keys)
        if kind is SourceKind.UNNEST:
            paths.extend((analysis.key(c),) for c in columns)
        paths.extend((analysis.key(e),) for e in extra)

        if alias is not None:
            label = analysis.written(alias)
        elif name:
            label = analysis.written(name[-1])
        elif kind is SourceKind.UNNEST and columns:
            label = analysis.written(columns[0])
        else:
            label = _unnamed_label(node, kind)
        return Source(
            kind=kind,
            node=node,
            index=len(self.sources),
            join=join,
            alias=alias,
            name=name,
            column_aliases=columns,
            query=query,
            cte=cte,
            extra_names=tuple(extra),
            paths=tuple(paths),
            label=label,
        )

    def _cte(self, name: tuple[exp.Identifier, ...]) -> exp.CTE | None:
        if self._ctes is None:
            self._ctes = _visible_ctes(self.select, self.analysis)
        return self._ctes.get(self.analysis.key(name[0]))


def _unnamed_label(node: exp.Expression, kind: SourceKind) -> str:
    """A short code-like name for a FROM item without a name: `(SELECT ...)`, `FLATTEN(...)`."""
    if kind is SourceKind.DERIVED:
        return "LATERAL (SELECT ...)" if isinstance(node, exp.Lateral) else "(SELECT ...)"
    if kind is SourceKind.VALUES:
        return "VALUES (...)"
    function = node.this if isinstance(node, (exp.Table, exp.TableFromRows, exp.Lateral)) else node
    while isinstance(function, exp.Dot):
        function = function.expression
    if isinstance(function, exp.Explode):
        name = (
            "FLATTEN" if isinstance(node, (exp.TableFromRows, exp.Lateral)) and not node.args.get("view") else "EXPLODE"
        )
    elif isinstance(function, exp.Func):
        name = function.sql_name() if not isinstance(function, exp.Anonymous) else function.name
    else:
        name = "UNNEST" if kind is SourceKind.UNNEST else "TABLE"
    return f"{name}(...)"


def _visible_ctes(select: exp.Select, analysis: Analysis) -> dict[str, exp.CTE]:
    """The WITH names a SELECT's FROM can use, innermost definitions first."""
    found: dict[str, exp.CTE] = {}
    child: exp.Expression = select
    node = select
    skip: exp.With | None = None
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
        if isinstance(node, exp.With) and isinstance(child, exp.CTE):
            # Inside a CTE body: the earlier CTEs, and itself when recursive (Snowflake: always).
            recursive = bool(node.args.get("recursive")) or analysis.dialect == "snowflake"
            for cte in node.expressions:
                if cte is child and not recursive:
                    break
                _add_cte(found, cte, analysis)
                if cte is child:
                    break
            skip = node
        elif isinstance(with_, exp.With) and with_ is not skip:
            for cte in with_.expressions:
                _add_cte(found, cte, analysis)
        child, node = node, node.parent
    return found


def _add_cte(found: dict[str, exp.CTE], cte: exp.Expression, analysis: Analysis) -> None:
    if isinstance(cte, exp.CTE):
        alias = cte.args.get("alias")
        identifier = alias.this if isinstance(alias, exp.TableAlias) else None
        if isinstance(identifier, exp.Identifier):
            found.setdefault(analysis.key(identifier), cte)

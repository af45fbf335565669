"""Sources: the items of a SELECT's FROM clause, as the scope analysis sees them.

A source is a warehouse table, a reference to a WITH name, a derived table, VALUES, an UNNEST
(also path navigation and Databricks ``LATERAL VIEW``) or another table function. This module
says what each FROM item is, which names it answers to and which columns it is known to have;
:mod:`wsync_lint.analysis.scope_tree` puts them into scopes and :mod:`wsync_lint.analysis.scopes`
resolves references against them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.analysis.names import Key, Names


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


def match_length(source: Source, keys: Key) -> int:
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

    def __init__(self, names: Names, select: exp.Select) -> None:
        self.names = names
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
        names = self.names
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
            paths.append((names.key(alias),))
        elif name:
            keys = names.name_keys(name)
            if kind is SourceKind.TABLE:
                paths.extend(keys[i:] for i in range(len(keys) - 1, -1, -1))
            else:
                paths.append(keys)
        if kind is SourceKind.UNNEST:
            paths.extend((names.key(c),) for c in columns)
        paths.extend((names.key(e),) for e in extra)

        if alias is not None:
            label = names.written(alias)
        elif name:
            label = names.written(name[-1])
        elif kind is SourceKind.UNNEST and columns:
            label = names.written(columns[0])
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
            self._ctes = _visible_ctes(self.select, self.names)
        return self._ctes.get(self.names.key(name[0]))


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


def _visible_ctes(select: exp.Select, names: Names) -> dict[str, exp.CTE]:
    """The WITH names a SELECT's FROM can use, innermost definitions first."""
    found: dict[str, exp.CTE] = {}
    child: exp.Expression = select
    node = select
    skip: exp.With | None = None
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
        if isinstance(node, exp.With) and isinstance(child, exp.CTE):
            # Inside a CTE body: the earlier CTEs, and itself when recursive (Snowflake: always).
            recursive = bool(node.args.get("recursive")) or names.dialect == "snowflake"
            for cte in node.expressions:
                if cte is child and not recursive:
                    break
                _add_cte(found, cte, names)
                if cte is child:
                    break
            skip = node
        elif isinstance(with_, exp.With) and with_ is not skip:
            for cte in with_.expressions:
                _add_cte(found, cte, names)
        child, node = node, node.parent
    return found


def _add_cte(found: dict[str, exp.CTE], cte: exp.Expression, names: Names) -> None:
    if isinstance(cte, exp.CTE):
        alias = cte.args.get("alias")
        identifier = alias.this if isinstance(alias, exp.TableAlias) else None
        if isinstance(identifier, exp.Identifier):
            found.setdefault(names.key(identifier), cte)


def collect_sources(names: Names, select: exp.Select) -> list[Source]:
    """The FROM items of ``select``, in FROM order."""
    return _SourceCollector(names, select).collect()

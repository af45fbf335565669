"""The scope tree of one file: each SELECT with the sources it can see, and where each column reference sits.

A *source* is one item of a FROM clause (see :mod:`wsync_lint.analysis.from_items`). A *scope* is one
SELECT with its sources and the scope around it: a subquery sees the sources of the selects that hold it
(correlation), a CTE body does not see the query its WITH belongs to.

:class:`ScopeTree` builds all of it from the nodes the context already indexed; the scope analysis
(:class:`wsync_lint.analysis.scopes.Analysis`) resolves names on top of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlglot import exp

from wsync_lint.analysis.from_items import Source, collect_sources
from wsync_lint.analysis.names import Names

if TYPE_CHECKING:
    from wsync_lint.contract.sql_context import SqlContext

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


class ScopeTree(Names):
    """The scopes and column references of one file."""

    def __init__(self, ctx: SqlContext) -> None:
        super().__init__(ctx.warehouse)
        self.ctx = ctx
        self._scopes: dict[int, Scope] = {}
        self.scripted = any(isinstance(statement, _SCRIPT_STATEMENTS) for statement in ctx.statements)
        """True when the file is procedural SQL, whose variables can qualify columns too."""
        for select in ctx.nodes(exp.Select):
            self._scope_for(select)

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

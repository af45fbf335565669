"""Calls in a model that change state or hold the session (ST08; the live layer refuses to send them).

mParticle runs a data model on every sync, so whatever a call does, it does on every sync. Which
calls do something is per warehouse (:data:`wsync_lint.mparticle.function_facts.SIDE_EFFECT_FUNCTIONS`):
`pg_sleep` is a PostgreSQL name, `SYSTEM$WAIT` Snowflake's, `reflect` Databricks'. A call
qualified with a schema (`util.reflect(...)`) is a user's function of the same name, except in
PostgreSQL's own `pg_catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.analysis.scopes import analyse, reference_of
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import function_facts

# Schemas whose functions are the built-in ones.
_BUILTIN_SCHEMAS = frozenset({"PG_CATALOG"})


@dataclass(frozen=True)
class SideEffectCall:
    """One call that changes state or holds the session."""

    node: exp.Expression
    """The call (for a Snowflake sequence, the ``seq.NEXTVAL`` column)."""
    at: exp.Expression
    """The function's name, where a finding points."""
    name: str
    """The name as written (``pg_sleep``, ``seq1.NEXTVAL``)."""
    effect: str
    """What one call does, as a verb phrase ("advances a sequence")."""


def side_effect_of(warehouse: str, name: str) -> str | None:
    """What calling the built-in function ``name`` does in ``warehouse``, when it changes state or
    holds the session; None otherwise."""
    wanted = name.upper()
    for pattern, effect in function_facts.SIDE_EFFECT_FUNCTIONS.get(warehouse, {}).items():
        if (pattern.endswith("*") and wanted.startswith(pattern[:-1])) or wanted == pattern:
            return effect
    return None


def side_effect_calls(ctx: SqlContext) -> list[SideEffectCall]:
    """Every side-effecting call in the file's statements, in text order."""
    return ctx.memo("side_effects.calls", lambda: _find(ctx))


def _find(ctx: SqlContext) -> list[SideEffectCall]:
    warehouse = ctx.warehouse.name
    found: list[SideEffectCall] = []
    for call in ctx.nodes(exp.Anonymous):
        name = call.this if isinstance(call.this, str) else None
        if not name or not _builtin(call) or not _in_query(call):
            continue
        effect = side_effect_of(warehouse, name)
        if effect is not None:
            found.append(SideEffectCall(call, call, name, effect))
    if warehouse == "snowflake":
        found.extend(_sequence_calls(ctx))
    return sorted(found, key=lambda call: _start(call.at))


def _in_query(node: exp.Expression) -> bool:
    """Whether a query evaluates the node (not, say, a column default in DDL, which mParticle's
    run of the model does not evaluate)."""
    return node.find_ancestor(exp.Query) is not None


def _builtin(call: exp.Anonymous) -> bool:
    """Whether the call names a built-in function: unqualified, or in a built-in schema."""
    parent = call.parent
    if not isinstance(parent, exp.Dot) or parent.expression is not call:
        return True
    qualifier = parent.this
    if isinstance(qualifier, exp.Column) and not qualifier.table:
        qualifier = qualifier.this
    return isinstance(qualifier, exp.Identifier) and qualifier.name.upper() in _BUILTIN_SCHEMAS


def _sequence_calls(ctx: SqlContext) -> list[SideEffectCall]:
    """Snowflake's `<sequence>.NEXTVAL`: a qualified name ending in NEXTVAL, which sqlglot reads as
    a column (an unqualified `nextval` is an ordinary column name, and so is `t.nextval` when `t`
    is a table or alias of the query)."""
    keyword, effect = function_facts.SNOWFLAKE_SEQUENCE_NEXTVAL
    found = []
    for column in ctx.nodes(exp.Column):
        identifier = column.this
        if not isinstance(identifier, exp.Identifier) or identifier.quoted or not column.table:
            continue
        if identifier.name.upper() != keyword or not _in_query(column) or _names_a_source(ctx, column):
            continue
        written = ".".join(part.name for part in column.parts)
        found.append(SideEffectCall(column, identifier, written, effect))
    return found


def _names_a_source(ctx: SqlContext, column: exp.Column) -> bool:
    ref = reference_of(ctx, column)
    if ref is None or not ref.qualifier:
        return False
    return analyse(ctx).resolve(ref.scope, ref.qualifier) is not None


def _start(node: exp.Expression) -> int:
    meta = node._meta
    return meta["start"] if meta and "start" in meta else 0

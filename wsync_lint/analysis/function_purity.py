"""What in a model wsync-lint cannot prove free of side effects, so ``preflight`` never sends it.

``preflight`` compiles the model in the warehouse, and with ``--count`` runs it; PostgreSQL even
evaluates an ``IMMUTABLE`` function while planning. A model is sent only when everything it calls
is known to compute a value and nothing else:

- a function sqlglot parses into a typed class is a built-in of *some* warehouse: it is sent when
  the warehouse documents that name (:data:`~wsync_lint.mparticle.pure_functions.TYPED_BUILTINS`;
  elsewhere the name calls a user's function of that name) and does not change state
  (:data:`_STATE_CHANGING`, ``NEXT VALUE FOR``); ``IDENTIFIER(...)`` names what it calls at run time;
- an untyped call (``exp.Anonymous``) must be on the warehouse's list of documented pure
  built-ins (:data:`wsync_lint.mparticle.pure_functions.PURE_BUILTINS`);
- a call qualified with a schema is a user-defined function (a UDF may write, call out, or wrap
  ``nextval`` behind a false ``IMMUTABLE``), unless the schema holds only built-ins.

ST08's calls (:mod:`wsync_lint.analysis.side_effects`) and row locks (``FOR UPDATE``/``FOR
SHARE``) are never sent; the other calls are sent when the user vouches for them by name
(``read-only-functions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from wsync_lint.analysis.function_names import CalledName, called_name
from wsync_lint.analysis.side_effects import side_effect_calls
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import pure_functions
from wsync_lint.sql.positions import Span, node_span

# Typed sqlglot functions that change state (checked over every sqlglot Func class: the rest compute a value).
_STATE_CHANGING: dict[type[exp.Func], str] = {exp.NextValueFor: "advances a sequence"}
_UNDOCUMENTED = "not among the built-ins documented to only compute a value"


@dataclass(frozen=True)
class UnsafeCall:
    """A call, or a clause, that keeps the model from being sent."""

    at: Span
    name: str
    """As written (``public.audit_write``, ``nextval``, ``FOR UPDATE``)."""
    why: str
    """What it is or does, as a phrase: "a user-defined function", "advances a sequence"."""
    kind: str
    """``side-effect`` (a known one), ``unproven`` (the only kind ``read-only-functions`` lets
    through) or ``lock``."""
    st08: bool = False
    """It is one of ST08's calls (ST08 reports it in every run)."""


def unsafe_calls(ctx: SqlContext, vouched: frozenset[str] = frozenset()) -> list[UnsafeCall]:
    """Everything in the model's statements that keeps it from being sent, in text order.

    ``vouched``: upper-case function names (as written, qualifier included; ``UTIL.*`` for every
    function of a schema) the user declares read-only; they pass unless they change state.
    """
    warehouse = ctx.warehouse.name
    found: list[UnsafeCall] = []
    flagged: set[int] = set()
    for call in side_effect_calls(ctx):
        span = _own_span(call.at)
        flagged.add(id(call.node))
        found.append(UnsafeCall(span, call.name, call.effect, "side-effect", st08=True))
    for call in ctx.nodes(exp.Func):
        if id(call) in flagged or call.find_ancestor(exp.Query) is None or call.find_ancestor(exp.Hint):
            continue
        named = called_name(call)
        effect = _STATE_CHANGING.get(type(call))
        if isinstance(call, exp.DynamicIdentifier):
            why = _run_time_target(call)
        else:
            why = effect or _unproven(warehouse, call, named)
        if why is None or (effect is None and _vouched(named, vouched)):
            continue
        written = "IDENTIFIER" if isinstance(call, exp.DynamicIdentifier) else named.written
        found.append(UnsafeCall(named.at or Span(0, 1), written, why, "side-effect" if effect else "unproven"))
    found += _typed_names_the_warehouse_lacks(ctx, vouched, {call.at.start for call in found})
    for lock in ctx.nodes(exp.Lock):
        clause = "FOR UPDATE" if lock.args.get("update") else "FOR SHARE"
        found.append(UnsafeCall(_lock_span(ctx, lock), clause, "locks the rows it reads", "lock"))
    return sorted(found, key=lambda call: call.at.start)


def _unproven(warehouse: str, call: exp.Func, named: CalledName) -> str | None:
    """Why the call is not known to be pure in ``warehouse``, or None when it is."""
    qualifier = tuple(part.upper() for part in named.qualifier)
    pure = pure_functions.PURE_BUILTINS.get(warehouse, frozenset())
    written = ".".join((*qualifier, named.name.upper()))
    builtin_schema = bool(qualifier) and qualifier[-1] in pure_functions.BUILTIN_SCHEMAS.get(warehouse, ())
    if qualifier and not builtin_schema and written not in pure:
        return "a user-defined function"
    if named.quoted:
        return "a function called by a quoted name, which no built-in needs"
    if builtin_schema and qualifier[-1] in pure_functions.READ_ONLY_SCHEMAS.get(warehouse, ()):
        return None
    if builtin_schema:  # typed or not: BigQuery's `ML.GENERATE_TEXT` is a built-in that calls out
        return None if written in pure or named.name.upper() in pure else _UNDOCUMENTED
    if not isinstance(call, exp.Anonymous | exp.AnonymousAggFunc):
        return None  # typed and unqualified: _typed_names_the_warehouse_lacks judges its name
    return None if written in pure else _UNDOCUMENTED


def _run_time_target(call: exp.DynamicIdentifier) -> str | None:
    """Why a Snowflake ``IDENTIFIER('...')`` cannot be judged, or None: when it is called
    (``IDENTIFIER('f')(x)``) or a member of it is used (``IDENTIFIER('seq').NEXTVAL``), what runs
    is named by a string known only at run time. Naming a table or column that way only reads."""
    if call.expressions or isinstance(call.parent, exp.Dot):
        return "calls what its string names, which is known only at run time"
    return None


def _typed_names_the_warehouse_lacks(ctx: SqlContext, vouched: frozenset[str], known: set[int]) -> list[UnsafeCall]:
    """Unqualified calls by a name sqlglot types (as some dialect's built-in) that this warehouse
    does not document. sqlglot keeps no position or spelling for a typed call's name, so they are
    found in the tokens: a name followed by ``(``, not after a ``.``, that sqlglot's parser for
    the warehouse turns into one of its function classes."""
    warehouse = ctx.warehouse.name
    documented = pure_functions.TYPED_BUILTINS.get(warehouse)
    if documented is None:
        return []
    typed = Dialect.get_or_raise(warehouse).parser_class.FUNCTIONS
    pure = pure_functions.PURE_BUILTINS.get(warehouse, frozenset())
    tokens = ctx.lexicon.tokens
    found = []
    for index, token in enumerate(tokens[:-1]):
        if token.token_type is not TokenType.VAR or tokens[index + 1].token_type is not TokenType.L_PAREN:
            continue
        if (index and tokens[index - 1].token_type is TokenType.DOT) or token.start in known:
            continue
        name = token.text.upper()
        if name not in typed or name in documented or name in pure:
            continue
        if _vouched(CalledName((), token.text, False, None), vouched):
            continue
        found.append(UnsafeCall(Span(token.start, token.end + 1), token.text, _UNDOCUMENTED, "unproven"))
    return found


def _vouched(named: CalledName, vouched: frozenset[str]) -> bool:
    written = named.written.upper()
    schemas = (".".join(named.qualifier[:n]).upper() + ".*" for n in range(1, len(named.qualifier) + 1))
    return written in vouched or any(schema in vouched for schema in schemas)


def _own_span(node: exp.Expression) -> Span:
    """The node's own token (a call's name), else all it covers."""
    meta = node._meta
    if meta and "start" in meta:
        return Span(meta["start"], meta["end"] + 1)
    return node_span(node) or Span(0, 1)


def _lock_span(ctx: SqlContext, lock: exp.Lock) -> Span:
    """The ``FOR`` of the locking clause (sqlglot keeps no position for it): the n-th ``FOR
    UPDATE``/``FOR SHARE``/``FOR NO KEY``/``FOR KEY`` of the text for the n-th lock."""
    tokens = ctx.lexicon.tokens
    fors = [
        token
        for token, following in pairwise(tokens)
        if token.text.upper() == "FOR" and following.text.upper() in ("UPDATE", "SHARE", "NO", "KEY")
    ]
    index = next(n for n, node in enumerate(ctx.nodes(exp.Lock)) if node is lock)
    if index < len(fors):
        return Span(fors[index].start, fors[index].end + 1)
    return node_span(lock.parent) if lock.parent is not None and node_span(lock.parent) else Span(0, 1)

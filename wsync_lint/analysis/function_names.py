"""How a model names the function it calls: the schema (or namespace) it qualifies it with, if any.

sqlglot keeps the qualifier in three shapes: a ``Dot`` around the call (``util.f(x)``,
``db.s.f(x)``), a table function's ``db``/``catalog`` (``FROM public.srf(1)``), or a single quoted
name holding dots (BigQuery's ```proj.ds.f`(x)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.sql.positions import Span, node_span


@dataclass(frozen=True)
class CalledName:
    """A called function's name as written."""

    qualifier: tuple[str, ...]
    """The schema or namespace parts before the name (empty: unqualified)."""
    name: str
    quoted: bool
    """The name was written in quotes (a name no built-in is called by, except by accident)."""
    at: Span | None
    """From the qualifier's start to the name's end (None: sqlglot kept no position)."""

    @property
    def written(self) -> str:
        """``util.clean_email``, as the model writes it (without quotes)."""
        return ".".join((*self.qualifier, self.name))


def called_name(call: exp.Func) -> CalledName:
    """The name ``call`` is called by (for an untyped call, ``exp.Anonymous``, its own name; for a
    typed one, the qualifier only matters, and the name is sqlglot's)."""
    untyped = isinstance(call, exp.Anonymous | exp.AnonymousAggFunc)
    this = call.this if untyped else None
    quoted = isinstance(this, exp.Identifier) and this.quoted
    name = this.name if isinstance(this, exp.Identifier) else this if isinstance(this, str) else call.sql_name()
    qualifier: tuple[str, ...] = ()
    outer: exp.Expression = call
    parent = call.parent
    if isinstance(parent, exp.Dot) and parent.expression is call:
        qualifier = tuple(part.name for part in _parts(parent.this))
        outer = parent
    elif isinstance(parent, exp.NetFunc):
        qualifier = ("NET",)  # BigQuery's `NET.PUBLIC_SUFFIX(...)`: sqlglot keeps the namespace as a wrapper
    elif isinstance(parent, exp.Table) and parent.this is call:
        qualifier = tuple(part.name for part in (parent.args.get("catalog"), parent.args.get("db")) if part)
        outer = parent
    if untyped and "." in name:
        *more, name = name.split(".")
        qualifier = (*qualifier, *more)
    return CalledName(qualifier, name, quoted, _name_span(call, outer))


def _name_span(call: exp.Func, outer: exp.Expression) -> Span | None:
    """From the qualifier's start to the end of the name (sqlglot positions an untyped call at its
    name; a typed one only through its arguments)."""
    meta = call._meta
    own = Span(meta["start"], meta["end"] + 1) if meta and "start" in meta else node_span(call)
    whole = node_span(outer) if outer is not call else own
    if own is None or whole is None:
        return own or whole
    return Span(min(whole.start, own.start), own.end)


def _parts(node: exp.Expression) -> list[exp.Expression]:
    """The identifiers of a qualifier (``a.b`` is a ``Dot`` or a ``Column`` with a table)."""
    if isinstance(node, exp.Dot):
        return [*_parts(node.this), *_parts(node.expression)]
    if isinstance(node, exp.Column):
        return list(node.parts)
    return [node]

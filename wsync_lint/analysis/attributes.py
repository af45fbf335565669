"""Helpers shared by the output-column rules (CO01-CO05, ID01-ID03).

mParticle turns every output column of a model into one identity or attribute, named as the
warehouse returns it. :mod:`wsync_lint.sql.outputs` names the columns that have a name; this module
adds what several of those rules need on top:

- :func:`is_star`, :func:`is_path`, :func:`is_unnamed`: which items expand to unknown columns
  (``*``, ``t.*``, BigQuery ``(expr).*``), which are struct paths named by their last part
  (``a.address.city``), and which need a name invented by the warehouse;
- :func:`identity_candidate`: the name to match against the reserved identities;
- :func:`item_spans`: the full source text of each select item (sqlglot positions names and
  literals only, so ``CAST(a AS INT)`` would otherwise start at ``a``);
- :func:`invented_name`: the name a warehouse gives an expression without an alias;
- :func:`position_text`: ``line:col`` of a node, for messages that point at a second place.

Per-file results (the select lists of the token stream, the line index) are cached on the
context under ``_attributes_*`` keys, as :meth:`SqlContext.outputs` caches its own."""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.warehouses import REDSHIFT, REDSHIFT_RENAMED_FUNCTIONS, Warehouse
from wsync_lint.sql.outputs import OutputColumn
from wsync_lint.sql.positions import Span, node_span

# ---------------------------------------------------------------------------------------------
# Names


def is_path(expression: exp.Expression) -> bool:
    """Whether ``expression`` is a column or struct path of plain names (``a.b.c.d.e``)."""
    while isinstance(expression, exp.Dot):
        if not isinstance(expression.expression, exp.Identifier):
            return False
        expression = expression.this
    return isinstance(expression, exp.Column) and isinstance(expression.this, exp.Identifier)


def is_star(column: OutputColumn) -> bool:
    """Whether ``column`` expands to columns unknown here: ``*``, ``t.*``, or ``(expr).*``."""
    expression = column.expression
    return column.is_star or (isinstance(expression, exp.Dot) and isinstance(expression.expression, exp.Star))


def is_unnamed(column: OutputColumn) -> bool:
    """Whether the warehouse has to invent a name for ``column`` (an unaliased expression)."""
    return column.name is None and not is_star(column) and not is_path(column.expression)


# Typographic quotes around a name: the author meant a quoted identifier; PS04 reports the
# characters, and the output-column rules read the name inside them.
_TYPOGRAPHIC_QUOTES = "\u201c\u201d\u2018\u2019\u00b4"


def typographic_inner(name: str) -> str | None:
    """The name inside typographic quotes (``“customer_id”`` -> ``customer_id``), else None."""
    if len(name) > 1 and name[0] in _TYPOGRAPHIC_QUOTES and name[-1] in _TYPOGRAPHIC_QUOTES:
        inner = name.strip(_TYPOGRAPHIC_QUOTES)
        return inner or None
    return None


def named(columns: list[OutputColumn]) -> Iterator[OutputColumn]:
    """The columns with a name as written (aliases and bare columns)."""
    return (column for column in columns if column.returned_name is not None)


def identity_candidate(column: OutputColumn, warehouse: Warehouse, source: str) -> str | None:
    """The name to match against the reserved identities (where the SQL tells it).

    The returned name, or the name inside typographic quotes; for an unaliased struct path its
    last part; on Redshift, the real name PostgreSQL gives a cast or function of a column
    (``email::varchar`` is ``email``). ``source`` is the file's text.
    """
    if is_star(column):
        return None
    if column.returned_name is not None:
        return typographic_inner(column.name or "") or column.returned_name
    expression = column.expression
    if isinstance(expression, exp.Dot) and is_path(expression):
        last = expression.expression
        return warehouse.returned_name(last.name, bool(last.args.get("quoted")))
    if warehouse.name == "redshift":
        name, strength = redshift_name(expression, source)
        return name if strength > 1 else None
    return None


def written_name(column: OutputColumn, warehouse: Warehouse) -> str:
    """The column's name as written, with its double quotes (for messages inside backticks)."""
    if column.quoted and warehouse.identifier_quote == '"':
        return f'"{column.name}"'
    return column.name or ""


def position_text(ctx: SqlContext, node: exp.Expression) -> str:
    """``line:col`` (1-based) of where ``node`` starts, for a message."""
    span = node_span(node)
    if span is None:
        return "?"
    line, column = ctx.lines.position(span.start)
    return f"{line}:{column}"


# ---------------------------------------------------------------------------------------------
# The source text of select items

# Tokens that end a select list when they appear at its own parenthesis depth.
_LIST_ENDERS = frozenset(
    {
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.QUALIFY,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.WINDOW,
        TokenType.INTO,
        TokenType.FETCH,
        TokenType.OFFSET,
        TokenType.SEMICOLON,
        TokenType.CLUSTER_BY,
        TokenType.DISTRIBUTE_BY,
        TokenType.SORT_BY,
    }
)
_OPENERS = frozenset({TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE})
_CLOSERS = frozenset({TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE})
_ANGLE_TYPES = frozenset({TokenType.STRUCT, TokenType.ARRAY, TokenType.MAP})


class _OpenList:
    __slots__ = ("depth", "first", "items")

    def __init__(self, depth: int, first: int) -> None:
        self.depth = depth
        self.items: list[tuple[int, int]] = []
        self.first = first  # token index where the current item starts


def _skip_modifiers(tokens: tuple[Token, ...], i: int) -> int:
    """The index of the first token of the select list after ``SELECT`` at ``i - 1``."""
    n = len(tokens)
    while i < n:
        tt = tokens[i].token_type
        if tt is TokenType.DISTINCT:
            i += 1
            if i < n and tokens[i].token_type is TokenType.ON:
                i = _skip_group(tokens, i + 1)
        elif tt is TokenType.ALL:
            i += 1
        elif tt is TokenType.TOP:
            i += 1
            if i < n and tokens[i].token_type is TokenType.L_PAREN:
                i = _skip_group(tokens, i)
            elif i < n:
                i += 1
            while i < n and tokens[i].text.upper() in ("PERCENT", "WITH", "TIES"):
                i += 1
        elif tt is TokenType.ALIAS and i + 1 < n and tokens[i + 1].text.upper() in ("STRUCT", "VALUE"):
            i += 2  # BigQuery SELECT AS STRUCT / AS VALUE
        else:
            return i
    return i


def _skip_group(tokens: tuple[Token, ...], i: int) -> int:
    """The index after the parenthesised group starting at ``i`` (or ``i`` if none starts there)."""
    if i >= len(tokens) or tokens[i].token_type is not TokenType.L_PAREN:
        return i
    depth = 0
    while i < len(tokens):
        tt = tokens[i].token_type
        if tt in _OPENERS:
            depth += 1
        elif tt in _CLOSERS:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _ends_list(tokens: tuple[Token, ...], i: int) -> bool:
    tt = tokens[i].token_type
    if tt not in _LIST_ENDERS:
        return False
    previous = tokens[i - 1].token_type if i else None
    if tt is TokenType.FROM and previous is TokenType.DISTINCT:
        return False  # a IS DISTINCT FROM b
    # SELECT * EXCEPT (a, b) lists columns to leave out, it does not end the list
    return not (tt is TokenType.EXCEPT and previous is TokenType.STAR)


def select_lists(tokens: tuple[Token, ...]) -> list[list[Span]]:
    """The item spans of every select list in ``tokens``, ordered by their first item.

    A select list runs from its ``SELECT`` (and modifiers such as ``DISTINCT`` or ``TOP n``) to
    the first clause keyword, ``;`` or unmatched closing parenthesis at its own depth; its items
    are split at the commas of that depth (commas inside BigQuery ``STRUCT<a INT64, b STRING>``
    angle brackets excepted).
    """
    found: list[list[Span]] = []
    stack: list[_OpenList] = []
    depth = angle = 0

    def close_item(current: _OpenList, last: int) -> None:
        if last >= current.first:
            current.items.append((current.first, last))

    def close_list(current: _OpenList, last: int) -> None:
        close_item(current, last)
        found.append([Span(tokens[a].start, tokens[b].end + 1) for a, b in current.items])

    n = len(tokens)
    i = 0
    while i < n:
        token = tokens[i]
        tt = token.token_type
        top = stack[-1] if stack else None
        if tt is TokenType.SELECT:
            if top is not None and top.depth == depth:
                close_list(stack.pop(), i - 1)
            first = _skip_modifiers(tokens, i + 1)
            stack.append(_OpenList(depth, first))
            i = first
            continue
        if tt in _OPENERS:
            depth += 1
        elif tt in _CLOSERS:
            while stack and stack[-1].depth >= depth:
                close_list(stack.pop(), i - 1)
            depth -= 1
        elif tt is TokenType.LT and i and tokens[i - 1].token_type in _ANGLE_TYPES:
            angle += 1
        elif tt is TokenType.GT and angle:
            angle -= 1
        elif top is not None and top.depth == depth:
            if tt is TokenType.COMMA and not angle:
                close_item(top, i - 1)
                top.first = i + 1
            elif _ends_list(tokens, i):
                close_list(stack.pop(), i - 1)
        i += 1
    while stack:
        close_list(stack.pop(), n - 1)
    found.sort(key=lambda spans: spans[0].start if spans else -1)
    return found


def item_spans(ctx: SqlContext, query: exp.Query) -> list[Span | None]:
    """The source span of each item of ``query``'s select list (None where it is not known)."""
    selects = query.selects
    unknown: list[Span | None] = [None] * len(selects)
    if not ctx.lexicon.tokenized or not selects:
        return unknown
    lists = ctx.memo("attributes.select_lists", lambda: select_lists(ctx.lexicon.tokens))
    bounds = ctx.statement_span(query)
    if bounds is not None:  # only the lists of the query's own statement
        lists = [spans for spans in lists if spans and bounds.start <= spans[0].start < bounds.end]
    anchors = []
    for index, select in enumerate(selects):
        span = node_span(select)
        if span is not None:
            anchors.append((index, span.start))
    if not anchors:
        # Nothing in the select list is positioned (`SELECT CURRENT_DATE`): take the nearest
        # list of the right length before the query's first positioned part, if it has one.
        after = node_span(query)
        candidates = [
            spans for spans in lists if len(spans) == len(selects) and (after is None or spans[-1].end <= after.start)
        ]
        if after is not None and candidates:
            return list(candidates[-1])
        return list(candidates[0]) if len(candidates) == 1 else unknown
    # The outermost list whose items hold every positioned item (a subquery in an item has a
    # list of its own inside the outer one).
    for spans in lists:
        if len(spans) == len(selects) and all(spans[i].start <= at < spans[i].end for i, at in anchors):
            return list(spans)
    return unknown


def item_text(ctx: SqlContext, span: Span | None, expression: exp.Expression, dialect: str) -> str:
    """The text of a select item as written (or as sqlglot renders it when its span is unknown)."""
    if span is not None:
        return ctx.text[span.start : span.end]
    try:
        return expression.sql(dialect=dialect)
    except Exception:  # noqa: BLE001 - rendering is only for a message
        return type(expression).__name__


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line (runs of white space become one space), cut at ``limit`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


# ---------------------------------------------------------------------------------------------
# Names the warehouses invent


def invented_name(
    warehouse: Warehouse, expression: exp.Expression, text: str | None, ordinal: int, source: str
) -> str | None:
    """The column name ``warehouse`` gives an unaliased expression, or None when not predictable.

    ``text`` is the expression as written, ``ordinal`` its 0-based position among the unnamed
    columns of the select list and ``source`` the file's text (for function names as written).

    - Snowflake: the expression text, upper-cased (``COUNT(T.ID)``).
    - BigQuery: ``f0_``, ``f1_`` ... numbered among the unnamed columns.
    - Redshift: PostgreSQL's rules: a function's name (``count``), a cast's operand or type,
      a ``CASE``'s ``ELSE`` or ``case``; ``?column?`` for literals and operators.
    - Databricks: generated from the expression text; not predicted here (None).
    """
    if warehouse.name == "snowflake":
        return shorten(text).upper() if text else None
    if warehouse.name == "bigquery":
        return f"f{ordinal}_"
    if warehouse.name == "redshift":
        return redshift_name(expression, source)[0]
    return None


# PostgreSQL names a cast of a literal after the type's internal name.
_PG_TYPE_NAMES = {
    exp.DataType.Type.INT: "int4",
    exp.DataType.Type.BIGINT: "int8",
    exp.DataType.Type.SMALLINT: "int2",
    exp.DataType.Type.BOOLEAN: "bool",
    exp.DataType.Type.DOUBLE: "float8",
    exp.DataType.Type.FLOAT: "float4",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.VARCHAR: "varchar",
    exp.DataType.Type.CHAR: "bpchar",
    exp.DataType.Type.DATE: "date",
    exp.DataType.Type.TIMESTAMP: "timestamp",
    exp.DataType.Type.TIMESTAMPTZ: "timestamptz",
}


def redshift_name(expression: exp.Expression, source: str) -> tuple[str | None, int]:
    """PostgreSQL's ``FigureColname`` for ``expression``: (name, strength).

    Strength 2 is a real name, 1 a fallback (``case``, a type name) and 0 ``?column?``; the name
    is None when the expression is outside what this models.
    """
    node = expression
    while isinstance(node, (exp.Paren, exp.Window, exp.WithinGroup, exp.IgnoreNulls, exp.RespectNulls)):
        node = node.this
    if isinstance(node, exp.Column):
        if isinstance(node.this, exp.Star):
            return None, 0
        return REDSHIFT.returned_name(node.name, bool(node.this.args.get("quoted"))), 2
    if is_path(node):
        last = node.expression  # type: ignore[union-attr]
        return REDSHIFT.returned_name(last.name, bool(last.args.get("quoted"))), 2
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        return redshift_name(node.expression, source)  # schema.function(...)
    if isinstance(node, exp.Cast):
        name, strength = redshift_name(node.this, source)
        if strength > 1:
            return name, strength
        to = node.args.get("to")
        type_name = _PG_TYPE_NAMES.get(to.this) if isinstance(to, exp.DataType) else None
        return type_name, 1 if type_name else 0
    if isinstance(node, exp.Case):
        default = node.args.get("default")
        if default is not None:
            name, strength = redshift_name(default, source)
            if strength > 1:
                return name, strength
        return "case", 1
    if isinstance(node, exp.Boolean):
        return "bool", 1
    if isinstance(node, (exp.Literal, exp.Null, exp.Binary, exp.Unary, exp.Predicate, exp.Not, exp.Neg)):
        return "?column?", 0
    if isinstance(node, exp.Func):
        meta = node._meta
        if meta and "start" in meta:
            written = source[meta["start"] : meta["end"] + 1]
            quoted = len(written) > 1 and written[0] == written[-1] == '"'
            name = REDSHIFT.returned_name(written[1:-1] if quoted else written.rsplit(".", 1)[-1], quoted)
            return (name if quoted else REDSHIFT_RENAMED_FUNCTIONS.get(name, name)), 2
    return None, 0

"""Names quoted another database's way: `[name]` (SQL Server) anywhere it cannot be a subscript
or an array literal, and `` `name` `` where the warehouse does not quote with backticks.

ST05 reports them; PS01 leaves a parse failure they explain to ST05. Both read them from here,
so that what PS01 defers to is exactly what ST05 reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.token_text import ends_operand, source_char, word
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.positions import Span

BACKTICK_FOREIGN = ("snowflake", "redshift")
"""The warehouses where a backtick does not quote a name."""

_BRACKETED = re.compile(r"\s*([A-Za-z_][\w$]*(?: +[\w$]+)*)\s*\Z")
_SINGLE_WORD = re.compile(r"[A-Za-z_][\w$]*\Z")
_NAME_BEFORE = frozenset({"AS", "FROM", "JOIN"})


def bracket_quoted(ctx: SqlContext, tokens: list[Token]) -> Iterator[tuple[Span, str]]:
    """Each `[name]` that quotes a name, with the name (``tokens``: the file's code tokens)."""
    array_literals = ctx.warehouse.name in ("snowflake", "bigquery")
    for index, token in enumerate(tokens):
        if token.text != "[":
            continue
        close = _closing_bracket(tokens, index)
        if close is None:
            continue
        match = _BRACKETED.match(ctx.text[token.end + 1 : tokens[close].start])
        if match is None:
            continue
        previous = tokens[index - 1] if index > 0 else None
        following = tokens[close + 1] if close + 1 < len(tokens) else None
        if ends_operand(previous):
            continue  # a subscript: `arr[0]`, `col[key]`, `ARRAY[x]`
        after_distinct = index > 1 and word(tokens[index - 2]) == "DISTINCT"  # IS DISTINCT FROM [x]
        name_position = (
            previous is not None and (word(previous) in _NAME_BEFORE or previous.text == ".") and not after_distinct
        ) or (following is not None and following.text == ".")
        single = _SINGLE_WORD.match(match.group(1)) is not None
        if not name_position and (array_literals or not single):
            continue  # `[x]` is an array literal in Snowflake and BigQuery
        yield Span(token.start, tokens[close].end + 1), match.group(1)


def _closing_bracket(tokens: list[Token], index: int) -> int | None:
    """The index of the `]` closing ``tokens[index]`` when only words lie between, else None."""
    for offset in range(index + 1, min(index + 12, len(tokens))):
        text = tokens[offset].text
        if text == "]":
            return offset
        if word(tokens[offset]) is None:
            return None
    return None


def backtick_quoted(ctx: SqlContext, tokens: list[Token]) -> Iterator[tuple[Span, str]]:
    """Each `` `name` `` (in a warehouse of :data:`BACKTICK_FOREIGN`), with the name."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        start = token.start
        if token.text == "`" and token.token_type == TokenType.UNKNOWN:
            close = next(
                (j for j in range(index + 1, len(tokens)) if tokens[j].text == "`" and tokens[j].line == token.line),
                None,
            )
            if close is None:
                index += 1
                continue
            end = tokens[close].end + 1
            index = close + 1
        elif source_char(ctx, token) == "`":
            end = token.end + 1  # the fallback scanner keeps `name` as one token
            index += 1
        else:
            index += 1
            continue
        yield Span(start, end), ctx.text[start + 1 : end - 1]

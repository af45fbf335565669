"""Token and text helpers shared by the rules that work without a parse tree (PS03, PS04, ST01-ST07).

These rules must work on files that do not parse (Jinja models, T-SQL, typographic quotes), so
they read ``ctx.lexicon`` and the raw text. This module answers the questions they share:

* where a character is: code, a string literal, a quoted identifier or a comment
  (:func:`text_map`);
* whether a token is a name, or ends an operand (:func:`ends_operand`), so ``arr[0]`` is a
  subscript and ``[name]`` is not;
* where Jinja blocks are (:func:`template_spans`), so code-level rules skip them.

Everything is computed once per file and cached on the context.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlglot.tokens import Token, TokenType

from wsync_lint.sql.lexicon import STRING_TOKEN_TYPES
from wsync_lint.sql.positions import Span

if TYPE_CHECKING:
    from wsync_lint.contract.sql_context import SqlContext

T = TypeVar("T")

CODE = "code"
STRING = "string"
IDENTIFIER = "identifier"
COMMENT = "comment"


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")
# Token types of quoted text, string literals and quoted names: never a word.
_QUOTED_TYPES = STRING_TOKEN_TYPES | {TokenType.IDENTIFIER}

# Keywords after which an operand starts (so a following `[` opens an array literal or a
# bracket-quoted name, never a subscript). Every other word is taken as a name, which ends an
# operand: `ARRAY[...]`, `col[0]` and `date[0]` are subscripts or array constructors.
CLAUSE_KEYWORDS = frozenset(
    {
        "SELECT", "FROM", "JOIN", "ON", "WHERE", "AND", "OR", "NOT", "AS", "BY", "WHEN", "THEN",
        "ELSE", "CASE", "IN", "HAVING", "QUALIFY", "DISTINCT", "UNION", "ALL", "INTERSECT",
        "EXCEPT", "MINUS", "SET", "INTO", "VALUES", "LIKE", "ILIKE", "IS", "BETWEEN", "USING",
        "TOP", "LIMIT", "OFFSET", "PARTITION", "ORDER", "GROUP", "WITH", "RETURN", "RETURNS",
        "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "LATERAL", "NATURAL", "UPDATE",
        "TABLE", "VIEW", "DELETE", "INSERT", "MERGE", "ANY", "SOME", "EXISTS", "UNNEST",
        "RLIKE", "REGEXP", "ESCAPE", "WINDOW", "ROWS", "RANGE", "PRECEDING", "FOLLOWING", "AT",
    }
)  # fmt: skip

_OPERAND_END_TYPES = frozenset(
    {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE, TokenType.NUMBER, TokenType.IDENTIFIER}
    | STRING_TOKEN_TYPES
)


def cached(ctx: SqlContext, key: str, factory: Callable[[], T]) -> T:
    """``factory()`` computed once per file and kept on the context."""
    return ctx.memo(f"token_tools.{key}", factory)


# --------------------------------------------------------------------------- where am I?


@dataclass(frozen=True)
class TextMap:
    """The literal and comment spans of a file, sorted, to say what a character is part of."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    kinds: tuple[str, ...]

    def kind_at(self, offset: int) -> str:
        """``CODE``, ``STRING``, ``IDENTIFIER`` (a quoted name) or ``COMMENT``."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return self.kinds[index]
        return CODE

    def span_at(self, offset: int) -> Span | None:
        """The literal or comment that holds ``offset``, if any."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return Span(self.starts[index], self.ends[index])
        return None


def text_map(ctx: SqlContext) -> TextMap:
    """Where the string literals, quoted identifiers and comments of ``ctx``'s file are."""

    def build() -> TextMap:
        spans: list[tuple[int, int, str]] = [
            (token.start, token.end + 1, STRING if token.token_type in STRING_TOKEN_TYPES else IDENTIFIER)
            for token in ctx.lexicon.tokens
            if token.token_type in _QUOTED_TYPES
        ]
        for comment in ctx.lexicon.comments:
            spans.append((comment.span.start, comment.span.end, COMMENT))
        spans.sort()
        return TextMap(tuple(s[0] for s in spans), tuple(s[1] for s in spans), tuple(s[2] for s in spans))

    return cached(ctx, "text_map", build)


# --------------------------------------------------------------------------- templates

_TEMPLATE_OPENERS = re.compile(r"\{\{|\{%|\{#")
_TEMPLATE_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def template_spans(ctx: SqlContext) -> list[Span]:
    """Spans of Jinja blocks (``{{ }}``, ``{% %}``, ``{# #}``) that start in code.

    An unclosed block runs to the end of its line. Rules that read code skip tokens in here.
    """

    def build() -> list[Span]:
        text = ctx.text
        if "{" not in text:
            return []
        where = text_map(ctx)
        spans: list[Span] = []
        position = 0
        while True:
            match = _TEMPLATE_OPENERS.search(text, position)
            if match is None:
                return spans
            start = match.start()
            if where.kind_at(start) != CODE:
                position = start + 1
                continue
            close = text.find(_TEMPLATE_CLOSERS[match.group()], match.end())
            if close == -1:
                line_end = text.find("\n", start)
                end = len(text) if line_end == -1 else line_end
            else:
                end = close + 2
            spans.append(Span(start, end))
            position = end

    return cached(ctx, "template_spans", build)


def in_spans(offset: int, spans: Sequence[Span]) -> bool:
    """Whether ``offset`` lies in one of the sorted, non-overlapping ``spans``."""
    if not spans:
        return False
    index = bisect.bisect_right([s.start for s in spans], offset) - 1
    return index >= 0 and offset < spans[index].end


def code_tokens(ctx: SqlContext) -> list[Token]:
    """The file's tokens outside Jinja blocks."""

    def build() -> list[Token]:
        spans = template_spans(ctx)
        if not spans:
            return list(ctx.lexicon.tokens)
        starts = [s.start for s in spans]
        kept = []
        for token in ctx.lexicon.tokens:
            index = bisect.bisect_right(starts, token.start) - 1
            if index >= 0 and token.start < spans[index].end:
                continue
            kept.append(token)
        return kept

    return cached(ctx, "code_tokens", build)


def open_parens(ctx: SqlContext) -> list[int]:
    """The indices of the ``(`` tokens in :func:`code_tokens`, in order.

    Rules that look for calls (``NAME(``) start from these instead of looking at every token.
    """

    def build() -> list[int]:
        return [index for index, token in enumerate(code_tokens(ctx)) if token.token_type == TokenType.L_PAREN]

    return cached(ctx, "open_parens", build)


# --------------------------------------------------------------------------- statements


# --------------------------------------------------------------------------- token shapes


def word(token: Token) -> str | None:
    """The upper-cased text of a token that is an unquoted word (name or keyword), else None."""
    if token.token_type in _QUOTED_TYPES:
        return None
    text = token.text
    if _WORD.match(text):
        return text.upper()
    return None


def ends_operand(token: Token | None) -> bool:
    """Whether ``token`` can end an operand (a name, literal, ``)`` or ``]``).

    A ``[`` after such a token is a subscript (``arr[0]``, ``ARRAY[1]``), and a ``<`` is a
    comparison or a type parameter (``ARRAY<STRING>``).
    """
    if token is None:
        return False
    if token.token_type in _OPERAND_END_TYPES:
        return True
    upper = word(token)
    return upper is not None and upper not in CLAUSE_KEYWORDS


def source_char(ctx: SqlContext, token: Token) -> str:
    """The first source character of ``token`` (sqlglot strips quotes from token text)."""
    return ctx.text[token.start : token.start + 1]


def matching_close(tokens: Sequence[Token], open_index: int) -> int | None:
    """The index of the bracket closing ``tokens[open_index]`` (``(`` or ``[``), or None."""
    opener = tokens[open_index].token_type
    closer = {TokenType.L_PAREN: TokenType.R_PAREN, TokenType.L_BRACKET: TokenType.R_BRACKET}.get(opener)
    if closer is None:
        return None
    depth = 0
    for index in range(open_index, len(tokens)):
        kind = tokens[index].token_type
        if kind == opener:
            depth += 1
        elif kind == closer:
            depth -= 1
            if depth == 0:
                return index
    return None


def token_span(token: Token) -> Span:
    """The characters of ``token`` (sqlglot's ``end`` is inclusive)."""
    return Span(token.start, token.end + 1)

"""The lexical layer of a file: its tokens and its comments.

Built from sqlglot's tokenizer for the file's dialect. sqlglot does not keep comment positions,
so comments are recovered from the gaps between tokens (a gap holds only white space and
comments). When the tokenizer gives up (an unterminated string, say), a small fallback scanner
produces the same structure, so token-level rules still work on files that do not tokenize.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from wsync_lint.sql.positions import Span

# Token types of string literals: their text is data, not code.
STRING_TOKEN_TYPES = frozenset(
    {
        TokenType.STRING,
        TokenType.RAW_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.BYTE_STRING,
        TokenType.HEREDOC_STRING,
        TokenType.HEX_STRING,
        TokenType.BIT_STRING,
        TokenType.UNICODE_STRING,
    }
)


def split_statements(tokens: Sequence[Token]) -> list[list[Token]]:
    """``tokens`` split on ``;`` tokens, without the empty statements.

    This is how sqlglot's parser splits statements, so for a file that parses the lists line
    up with its statements.
    """
    chunks: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        if token.token_type is TokenType.SEMICOLON:
            if current:
                chunks.append(current)
            current = []
        else:
            current.append(token)
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True)
class Comment:
    """A comment in the text; ``span`` covers its delimiters."""

    span: Span
    text: str
    """The comment's text without its delimiters."""
    is_line: bool
    """True for ``--``-style comments that run to the end of the line."""


@dataclass(frozen=True)
class Lexicon:
    """The tokens and comments of one file."""

    tokens: tuple[Token, ...]
    comments: tuple[Comment, ...]
    tokenized: bool
    """False when sqlglot's tokenizer failed and the fallback scanner produced ``tokens``."""


@cache
def _comment_markers(dialect: str) -> tuple[tuple[str, str | None], ...]:
    markers = []
    for marker in Dialect.get_or_raise(dialect).tokenizer_class.COMMENTS:
        if isinstance(marker, tuple):
            markers.append((marker[0], marker[1]))
        else:
            markers.append((marker, None))
    return tuple(markers)


def _comments_in(text: str, start: int, end: int, dialect: str, out: list[Comment]) -> None:
    """Collect the comments in ``text[start:end]``, a stretch that holds no code."""
    markers = _comment_markers(dialect)
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        for opener, closer in markers:
            if text.startswith(opener, i):
                body = i + len(opener)
                if closer is None:
                    stop = text.find("\n", body, end)
                    stop = end if stop == -1 else stop
                    out.append(Comment(Span(i, stop), text[body:stop], True))
                    i = stop
                else:
                    close = text.find(closer, body, end)
                    stop = end if close == -1 else close + len(closer)
                    out.append(Comment(Span(i, stop), text[body : close if close != -1 else end], False))
                    i = stop
                break
        else:
            i += 1  # a character sqlglot skipped; not a comment


_NON_SPACE = re.compile(r"\S")


def scan(text: str, dialect: str) -> Lexicon:
    """Tokenize ``text`` in ``dialect``; fall back to a simple scanner if sqlglot cannot."""
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text)
    except (SqlglotError, RecursionError, ValueError, IndexError):
        return _fallback_scan(text, dialect)
    comments: list[Comment] = []
    previous_end = 0
    has_code = _NON_SPACE.search  # most gaps are white space only: skip them at C speed
    for token in tokens:
        if token.start > previous_end and has_code(text, previous_end, token.start):
            _comments_in(text, previous_end, token.start, dialect, comments)
        previous_end = max(previous_end, token.end + 1)
    if previous_end < len(text):
        _comments_in(text, previous_end, len(text), dialect, comments)
    return Lexicon(tuple(tokens), tuple(comments), tokenized=True)


_FALLBACK_PATTERN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<dollar>\$\$.*?(?:\$\$|\Z))
    | (?P<single>'(?:[^'\\]|\\.|'')*(?:'|\Z))
    | (?P<double>"(?:[^"]|"")*(?:"|\Z))
    | (?P<back>`[^`]*(?:`|\Z))
    | (?P<word>[^\W\d][\w$]*)
    | (?P<number>\d[\d.]*)
    | (?P<semicolon>;)
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_FALLBACK_TYPES = {
    "dollar": TokenType.RAW_STRING,
    "single": TokenType.STRING,
    "back": TokenType.IDENTIFIER,
    "word": TokenType.VAR,
    "number": TokenType.NUMBER,
    "semicolon": TokenType.SEMICOLON,
    "lparen": TokenType.L_PAREN,
    "rparen": TokenType.R_PAREN,
    "other": TokenType.UNKNOWN,
}


def _fallback_scan(text: str, dialect: str) -> Lexicon:
    """A forgiving scanner for text sqlglot cannot tokenize (unterminated quotes and the like)."""
    markers = _comment_markers(dialect)
    double_is_string = dialect in ("bigquery", "databricks")
    tokens: list[Token] = []
    comments: list[Comment] = []
    line, line_start, i, n = 1, 0, 0, len(text)
    while i < n:
        comment_end = None
        for opener, closer in markers:
            if text.startswith(opener, i):
                body = i + len(opener)
                if closer is None:
                    stop = text.find("\n", body)
                    comment_end = n if stop == -1 else stop
                    comments.append(Comment(Span(i, comment_end), text[body:comment_end], True))
                else:
                    close = text.find(closer, body)
                    comment_end = n if close == -1 else close + len(closer)
                    comments.append(Comment(Span(i, comment_end), text[body : close if close != -1 else n], False))
                break
        if comment_end is not None:
            end = comment_end
        else:
            match = _FALLBACK_PATTERN.match(text, i)
            kind = match.lastgroup
            end = match.end()
            if kind != "space":
                if kind == "double":
                    token_type = TokenType.STRING if double_is_string else TokenType.IDENTIFIER
                else:
                    token_type = _FALLBACK_TYPES[kind]
                tokens.append(Token(token_type, text[i:end], line, end - line_start, i, end - 1))
        newlines = text.count("\n", i, end)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", i, end) + 1
        i = end
    return Lexicon(tuple(tokens), tuple(comments), tokenized=False)

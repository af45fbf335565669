"""Parse a model's text into sqlglot statements, or say precisely why it does not parse.

The tokens from :mod:`wsync_lint.sql.lexicon` are reused, so a file is tokenized once. A parse
failure is data (:class:`ParseFailure`), not an exception: PS01 reports it, and the rules that
only need tokens keep working.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.tokens import Token, TokenType

from wsync_lint.sql.lexicon import Lexicon, scan
from wsync_lint.sql.positions import LineIndex

# sqlglot logs a warning for every statement it keeps as an opaque Command; that is not our output.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ParseFailure:
    """Why a file does not parse in its dialect."""

    description: str
    """sqlglot's description of the problem."""
    offset: int
    """Where the first bad token starts."""
    token_text: str
    """The text of that token ('' when unknown)."""
    too_deep: bool = False
    """True when the text nests deeper than the parser can follow."""
    unterminated: bool = False
    """True when the text does not even split into tokens (an unclosed quote or comment)."""


def parse_tokens(text: str, lexicon: Lexicon, dialect: str) -> tuple[list[exp.Expression], ParseFailure | None]:
    """Parse ``text`` (already scanned into ``lexicon``) as ``dialect``.

    Returns the non-empty statements, or an empty list and the failure.
    """
    if not lexicon.tokenized:
        offset, bad_text = _unterminated(lexicon, text) or (0, "")
        return [], ParseFailure(
            "the text cannot be split into tokens (an unterminated string, quoted name or comment?)",
            offset,
            bad_text,
            unterminated=True,
        )
    try:
        statements = Dialect.get_or_raise(dialect).parser().parse(list(lexicon.tokens), text)
    except ParseError as error:
        return [], _failure_from(error, lexicon, text)
    except RecursionError:
        return [], ParseFailure("the query nests deeper than the parser can follow", 0, "", too_deep=True)
    except (SqlglotError, ValueError, IndexError, KeyError, TypeError, AttributeError) as error:
        # sqlglot raises a few non-ParseError exceptions on malformed input; each is a parse failure.
        return [], ParseFailure(f"the parser stopped: {type(error).__name__}", 0, "")
    empty = _empty_select(lexicon.tokens)
    if empty is not None:
        word = text[empty.start : empty.end + 1]
        return [], ParseFailure(f"`{word}` without a column list", empty.start, word)
    # A comment after the last `;` comes back as an empty `Semicolon` statement: not a statement.
    return [s for s in statements if s is not None and not isinstance(s, exp.Semicolon)], None


# What can follow a SELECT keyword only when no column is selected.
_NOTHING_SELECTED = frozenset(
    {
        TokenType.SEMICOLON, TokenType.R_PAREN, TokenType.FROM, TokenType.WHERE, TokenType.GROUP_BY,
        TokenType.ORDER_BY, TokenType.HAVING, TokenType.UNION, TokenType.EXCEPT, TokenType.INTERSECT,
        TokenType.LIMIT,
    }
)  # fmt: skip


def _empty_select(tokens: tuple[Token, ...]) -> Token | None:
    """The first SELECT keyword with no column list after it (sqlglot accepts it; warehouses do not)."""
    for index, token in enumerate(tokens):
        if token.token_type is TokenType.SELECT:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or following.token_type in _NOTHING_SELECTED:
                return token
    return None


def parse_text(text: str, dialect: str) -> tuple[list[exp.Expression], ParseFailure | None]:
    """:func:`parse_tokens` for a text not scanned yet (an edited copy of a model)."""
    return parse_tokens(text, scan(text, dialect), dialect)


def parses_in(text: str, dialect: str) -> bool:
    """Whether ``text`` parses in ``dialect`` as queries (for PS01's hint about other warehouses).

    Only queries count: another dialect that knows a statement this one lacks (Snowflake's
    `DESCRIBE VOLUME` for a Databricks model) says nothing about the connection's warehouse.
    """
    statements, failure = parse_text(text, dialect)
    return failure is None and bool(statements) and all(isinstance(s, exp.Query) for s in statements)


# How sqlglot spells a token in its messages ("Expected table name but got <Token ...>").
_TOKEN_REPR = re.compile(
    r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+, col: \d+, start: \d+, end: \d+, "
    r"comments: \[.*?\]>",
    re.DOTALL,
)


def _without_token_reprs(description: str) -> str:
    """sqlglot's description with each token it names as the user wrote it.

    >>> _without_token_reprs("Expected table name but got <Token token_type: TokenType.L_BRACE, "
    ...     "text: {, line: 2, col: 6, start: 26, end: 26, comments: []>")
    'Expected table name but got `{`'
    >>> _without_token_reprs("Expected table name but got <Token token_type: TokenType.SENTINEL, "
    ...     "text: SENTINEL, line: 1, col: 1, start: 0, end: 0, comments: []>")
    'Expected table name but got the end of the query'
    """

    def spelled(match: re.Match[str]) -> str:
        if match.group(1) == "SENTINEL" or not match.group(2).strip():
            return "the end of the query"
        return f"`{match.group(2)}`"

    return _TOKEN_REPR.sub(spelled, description)


def _failure_from(error: ParseError, lexicon: Lexicon, text: str) -> ParseFailure:
    detail = error.errors[0] if error.errors else {}
    description = _without_token_reprs(str(detail.get("description") or error)).splitlines()[0]
    line, col = detail.get("line"), detail.get("col")
    token = _token_at(lexicon.tokens, line, col)
    if token is not None:
        # A character the tokenizer did not recognise before the blamed token is the real culprit.
        token = next((t for t in lexicon.tokens if t.token_type is TokenType.UNKNOWN and t.start <= token.start), token)
        return ParseFailure(description, token.start, text[token.start : token.end + 1])
    if line is not None and col is not None:
        return ParseFailure(description, LineIndex(text).offset(line, col), str(detail.get("highlight") or ""))
    return ParseFailure(description, 0, "")


def _token_at(tokens: tuple[Token, ...], line: int | None, col: int | None) -> Token | None:
    """The token sqlglot blamed: its error carries the token's line and *end* column."""
    if line is None or col is None:
        return None
    for token in tokens:
        if token.line == line and token.col == col:
            return token
    return None


def _unterminated(lexicon: Lexicon, text: str) -> tuple[int, str] | None:
    """Where the first quote or block comment the fallback scanner had to close at the end starts."""
    found: list[tuple[int, str]] = []
    for token in lexicon.tokens:
        opener = "$$" if token.text.startswith("$$") else token.text[:1]
        if opener in ("'", '"', "`", "$$"):
            body = token.text[len(opener) :]
            if not body.endswith(opener) or (opener != "$$" and len(token.text) == 1):
                found.append((token.start, token.text))
                break
    for comment in lexicon.comments:
        if not comment.is_line and comment.span.end == len(text) and not text.endswith("*/"):
            found.append((comment.span.start, text[comment.span.start : comment.span.end]))
            break
    return min(found) if found else None

"""The likely fix of a query that does not parse: a misspelt keyword or a missing comma.

Each candidate fix is tried on the statement that fails and kept only when the fixed text
parses, or gets further than the original before it fails (a second mistake), so a suggestion
is proven, not guessed. Only the few tokens before the one sqlglot blamed are tried: that is
where the parser loses its way after such a mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.token_text import CLAUSE_KEYWORDS, ends_operand, word
from wsync_lint.sql.lexicon import STRING_TOKEN_TYPES
from wsync_lint.sql.parse import parse_text
from wsync_lint.sql.positions import Span

# Keywords a typo is matched against. Short ones (`AS`, `ON`, `AND`) are left out: one letter
# off, they are ordinary names. Two-word keywords also match written as one word (`GROUPBY`).
# A typo has at least three letters (`FRM`).
_KEYWORDS = (
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "QUALIFY", "LIMIT", "OFFSET",
    "UNION", "UNION ALL", "EXCEPT", "INTERSECT", "MINUS", "JOIN", "INNER", "LEFT", "RIGHT",
    "OUTER", "CROSS", "FULL", "NATURAL", "LATERAL", "DISTINCT", "CASE", "WHEN", "THEN", "ELSE",
    "BETWEEN", "PARTITION BY", "OVER", "WITH", "NULL", "LIKE", "ILIKE", "EXISTS", "WINDOW",
    "USING", "VALUES", "GROUP", "ORDER", "PARTITION", "LEFT JOIN", "INNER JOIN",
)  # fmt: skip
LOOK_BACK = 3
"""How many tokens before the one sqlglot blamed can hold the mistake."""
_SEARCH_LIMIT = 100_000
"""Statements longer than this (characters) are not parsed again: each try is a full parse."""
_SHOWN = 40

# Where a select list ends, walking back from a token at the list's own depth.
_LIST_ENDS = frozenset(
    {"FROM", "WHERE", "GROUP", "ORDER", "HAVING", "QUALIFY", "LIMIT", "JOIN", "ON", "UNION",
     "EXCEPT", "INTERSECT", "MINUS", "WINDOW", "VALUES", "SET", "INTO", "USING", "BY"}
)  # fmt: skip
_ITEM_STARTS = frozenset({"CASE", "NOT", "EXISTS"})
_ITEM_START_TYPES = frozenset({TokenType.VAR, TokenType.IDENTIFIER, TokenType.NUMBER, TokenType.L_PAREN})


@dataclass(frozen=True)
class Suggestion:
    """A mistake found next to a parse failure, with the fix that makes the text parse."""

    at: Span
    problem: str
    fix: str


def nearest_keyword(written: str) -> str | None:
    """The keyword ``written`` is most likely a typo of, in the case it was written in.

    >>> [nearest_keyword(w) for w in ("SELCT", "form", "FRM", "GROUPBY", "Whre", "customer", "FORMAT", "ON")]
    ['SELECT', 'from', 'FROM', 'GROUP BY', 'Where', None, None, None]
    """
    upper = written.upper()
    if len(upper) < 3 or not upper.isalpha():
        return None
    best: list[str] = []
    best_distance = 3
    for keyword in _KEYWORDS:
        compact = keyword.replace(" ", "")
        if upper == compact:
            if " " not in keyword:
                return None  # the keyword itself, read as a name where it cannot stand
            distance = 0
        else:
            allowed = 1 if len(compact) <= 6 else 2
            if abs(len(upper) - len(compact)) > allowed:
                continue  # every edit changes the length by one at most: too far, without counting
            distance = _distance(upper, compact)
            if distance > allowed:
                continue
        if distance < best_distance:
            best, best_distance = [keyword], distance
        elif distance == best_distance and keyword not in best:
            best.append(keyword)
    if len(best) != 1:
        return None  # none, or two equally near (`LEFR`: LEFT or LEFR?): not a suggestion
    keyword = best[0]
    if written.islower():
        return keyword.lower()
    if written[:1].isupper() and written[1:].islower():
        return keyword.title()
    return keyword


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``.

    >>> _distance("FORM", "FROM"), _distance("SELCT", "SELECT"), _distance("WHERE", "WHERE")
    (1, 1, 0)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def keyword_typo(
    text: str, tokens: Sequence[Token], index: int, first: int, last: int, failed_at: int, dialect: str
) -> Suggestion | None:
    """A misspelt keyword at, just before or right after ``tokens[index]`` (where the parse
    failed at offset ``failed_at``), or the misspelt first word of its statement
    (``tokens[first:last + 1]``)."""
    for candidate in sorted({first, *range(max(first, index - LOOK_BACK), min(index + 1, last) + 1)}):
        token = tokens[candidate]
        if token.token_type is not TokenType.VAR or _dotted(tokens, candidate, first, last):
            continue
        keyword = nearest_keyword(token.text)
        if keyword is None:
            continue
        span = Span(token.start, token.end + 1)
        if _fixes(text, tokens, first, last, span, keyword, failed_at, dialect):
            return Suggestion(span, f"`{token.text}` is not a keyword: did you mean `{keyword}`?", f"write `{keyword}`")
    return None


def _dotted(tokens: Sequence[Token], index: int, first: int, last: int) -> bool:
    """Whether ``tokens[index]`` is part of a dotted name (`t.form`), never a keyword."""
    return (index > first and tokens[index - 1].token_type is TokenType.DOT) or (
        index < last and tokens[index + 1].token_type is TokenType.DOT
    )


def missing_comma(
    text: str, tokens: Sequence[Token], index: int, first: int, last: int, failed_at: int, dialect: str, source: str
) -> Suggestion | None:
    """Two select items with no comma between them, at or just before ``tokens[index]``;
    ``source`` is the text as the user wrote it (``text`` may have its templates renamed).

    Only a single place where a comma makes the statement parse is a suggestion: in `a b c`,
    `b` may be `a`'s alias or the next item, and that is the user's to say.
    """
    found: list[int] = []
    for after in range(index - 1, max(first, index - 1 - LOOK_BACK), -1):
        before, following = tokens[after], tokens[after + 1]
        if before.end + 1 == following.start or not (_ends_item(before) and _starts_item(following)):
            continue  # glued together, they are one thing the parser does not know (`rb"x"`)
        if following.token_type is TokenType.VAR and nearest_keyword(following.text):
            continue  # `a FRM t`: a misspelt keyword the fix did not prove, not the next item
        if _select_item_start(tokens, after, first) is None:
            continue
        if _fixes(text, tokens, first, last, Span(before.end + 1, before.end + 1), ",", failed_at, dialect):
            found.append(after)
    if len(found) != 1:
        return None
    after = found[0]
    before = tokens[after]
    item = _shown(source[tokens[_select_item_start(tokens, after, first) or after].start : before.end + 1], tail=True)
    following_item = _shown(_name_at(source, tokens, after + 1, last))
    return Suggestion(
        Span(before.start, before.end + 1),
        f"no comma between {item} and {following_item}",
        f"add `,` after {item}",
    )


def _ends_item(token: Token) -> bool:
    return ends_operand(token) or token.token_type is TokenType.STAR


def _starts_item(token: Token) -> bool:
    upper = word(token)
    if upper is not None:
        return upper not in CLAUSE_KEYWORDS or upper in _ITEM_STARTS
    return token.token_type in _ITEM_START_TYPES or token.token_type in STRING_TOKEN_TYPES


def _select_item_start(tokens: Sequence[Token], index: int, first: int) -> int | None:
    """The first token of the select item that ends at ``tokens[index]``; None when that token
    is not in a select list (but in a FROM clause, a function's arguments ...)."""
    depth = 0
    start = None
    for position in range(index, first - 1, -1):
        token = tokens[position]
        kind = token.token_type
        if kind in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth += 1
        elif kind in (TokenType.L_PAREN, TokenType.L_BRACKET):
            if depth == 0:
                return None
            depth -= 1
        elif depth > 0:
            continue
        elif kind is TokenType.COMMA:
            start = position + 1 if start is None else start
        elif kind is TokenType.SELECT:
            if start is None:
                start = position + 1
                while start < index and word(tokens[start]) in ("DISTINCT", "ALL"):
                    start += 1
            return start
        elif word(token) in _LIST_ENDS:
            return None
    return None


def _name_at(text: str, tokens: Sequence[Token], index: int, last: int) -> str:
    """The dotted name that starts at ``tokens[index]`` (`u.email`), or that token."""
    end = index
    while end + 2 <= last and tokens[end + 1].token_type is TokenType.DOT:
        end += 2
    return text[tokens[index].start : tokens[end].end + 1]


def _fixes(
    text: str,
    tokens: Sequence[Token],
    first: int,
    last: int,
    span: Span,
    replacement: str,
    failed_at: int,
    dialect: str,
) -> bool:
    """Whether putting ``replacement`` in place of ``span`` makes the statement parse, or fail
    after ``failed_at``."""
    low, high = tokens[first].start, tokens[last].end + 1
    if high - low > _SEARCH_LIMIT:
        return False
    edited = text[low : span.start] + replacement + text[span.end : high]
    statements, failure = parse_text(edited, dialect)
    if failure is None:
        return bool(statements)
    if failure.too_deep or failure.unterminated:
        return False
    at = low + failure.offset
    if at >= span.start + len(replacement):
        at -= len(replacement) - (span.end - span.start)
    return at > failed_at


def _shown(text: str, tail: bool = False) -> str:
    text = " ".join(text.split())
    if len(text) > _SHOWN:
        text = "..." + text[-(_SHOWN - 3) :] if tail else text[: _SHOWN - 3] + "..."
    return f"`` {text} ``" if "`" in text else f"`{text}`"

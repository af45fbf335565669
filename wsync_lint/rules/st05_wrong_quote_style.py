"""A name is quoted the way another database quotes names.

## What it does
Reports, at the opening quote, each name quoted in a way the warehouse does not read as a
name:

- `[name]` (SQL Server style), in every warehouse. In Snowflake and BigQuery `[x]` is also an
  array literal, so there only brackets where an array cannot stand are reported: after `AS`,
  `FROM` or `JOIN`, or next to a `.` (`[t].[col]`). Subscripts (`arr[0]`, `col[key]`,
  `ARRAY[...]`, `arr[OFFSET(1)]`) are never reported.
- `"name"` in BigQuery and Databricks, where double quotes make a string: reported in queries
  as an alias (after `AS`, or right after an expression in a select list), as a table after
  `JOIN`, and as part of a dotted name (`"t".col`, `t."col"`). String options of other
  statements, `PIVOT`/`UNPIVOT` labels and method calls (`"text".REPLACE(...)`) are strings and
  are not reported.
- `` `name` `` in Snowflake and Redshift, which do not quote names with backticks.

## Why is this bad?
mParticle's SQL reference suggests wrapping column names "in `""` or `[]`" to keep their case,
but only some of that works, and it depends on the warehouse. `[name]` is rejected everywhere
(or silently builds an array); in BigQuery `AS "name"` is a syntax error because `"name"` is a
string; backticks are a syntax error in Snowflake and Redshift.

## Example
```sql
-- dialect: bigquery
SELECT u.email AS email, COUNT(t.id) AS "count_of_open_tickets"
FROM `mp.demo_service.tickets` t
JOIN `mp.demo_service.users` u ON u.id = t.requester_user_id
GROUP BY u.email
```

## Use instead
```sql
-- dialect: bigquery
SELECT u.email AS email, COUNT(t.id) AS `count_of_open_tickets`
FROM `mp.demo_service.tickets` t
JOIN `mp.demo_service.users` u ON u.id = t.requester_user_id
GROUP BY u.email
```
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.quoted_names import BACKTICK_FOREIGN, backtick_quoted, bracket_quoted
from wsync_lint.analysis.token_text import (
    code_tokens,
    in_spans,
    matching_close,
    open_parens,
    source_char,
    word,
)
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.lexicon import STRING_TOKEN_TYPES
from wsync_lint.sql.positions import Span

# Words after which a double-quoted string is a literal, not an alias (`DATE "2024-01-01"`).
_LITERAL_PREFIXES = frozenset(
    {"DATE", "DATETIME", "TIME", "TIMESTAMP", "JSON", "NUMERIC", "BIGNUMERIC", "DECIMAL",
     "BIGDECIMAL", "RANGE", "INTERVAL", "COLLATE", "FORMAT", "ZONE", "ESCAPE", "OF", "R", "B",
     "RB", "BR"}
)  # fmt: skip
_ALIAS_FOLLOWERS = frozenset({TokenType.COMMA, TokenType.SEMICOLON})
_QUERY_STARTS = frozenset({"SELECT", "WITH", "FROM"})
_ALIAS_FOLLOWER_WORDS = frozenset({"FROM"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    text = ctx.text
    dialect = ctx.warehouse.name
    has_brackets = "[" in text
    has_backticks = "`" in text and dialect in BACKTICK_FOREIGN
    has_doubles = '"' in text and dialect in ("bigquery", "databricks")
    if not (has_brackets or has_backticks or has_doubles):
        return
    tokens = code_tokens(ctx)
    findings: list[Finding] = []
    if has_brackets:
        findings.extend(_brackets(ctx, tokens))
    if has_backticks:
        findings.extend(_backticks(ctx, tokens))
    if has_doubles:
        findings.extend(_double_quotes(ctx, tokens))
    findings.sort(key=lambda f: f.at.start)  # type: ignore[union-attr]
    yield from findings


def _brackets(ctx: SqlContext, tokens: list[Token]) -> Iterator[Finding]:
    quote = ctx.warehouse.identifier_quote
    for span, name in bracket_quoted(ctx, tokens):
        yield Finding(
            span,
            f"`[{name}]` quotes a name with brackets (SQL Server style); {ctx.warehouse.display} does not",
            hint=f"write {code(quote + name + quote)}, or leave the name unquoted",
        )


def _backticks(ctx: SqlContext, tokens: list[Token]) -> Iterator[Finding]:
    quote = ctx.warehouse.identifier_quote
    for span, name in backtick_quoted(ctx, tokens):
        yield Finding(
            span,
            f"backtick-quoted name {code('`' + name + '`')}: "
            f"{ctx.warehouse.display} does not quote names with backticks",
            hint=f"write {code(quote + name + quote)}, or leave the name unquoted",
        )


def _double_quotes(ctx: SqlContext, tokens: list[Token]) -> Iterator[Finding]:
    text = ctx.text
    # The double-quoted strings first: most tokens are none, so the rest of a file needs no look.
    strings = [
        index
        for index, token in enumerate(tokens)
        if token.token_type in STRING_TOKEN_TYPES and source_char(ctx, token) == '"'
    ]
    if not strings:
        return
    skipped = _pivot_spans(ctx, tokens)
    chunks = _query_chunks(tokens)
    chunk_starts = [chunk.start for chunk in chunks]
    for index in strings:
        at = bisect.bisect_right(chunk_starts, index) - 1
        if at < 0 or index not in chunks[at]:
            continue  # not in a query
        token = tokens[index]
        if text.startswith('"""', token.start) or in_spans(token.start, skipped):
            continue  # a triple-quoted string, or a PIVOT/UNPIVOT label (`IN (q1 AS "2011")`)
        role = _double_quoted_role(tokens, chunks[at], index)
        if role is None:
            continue
        name = text[token.start + 1 : token.end]
        yield Finding(
            Span(token.start, token.end + 1),
            f'double-quoted {role} `"{name}"` is a string in {ctx.warehouse.display}, not a name',
            hint=f"write {code('`' + name + '`')}: {ctx.warehouse.display} quotes names with backticks",
        )


def _query_chunks(tokens: list[Token]) -> list[range]:
    """The token indices of the `;`-separated statements that are queries (DDL string options
    are not aliases), one range per statement, in order."""
    semicolons = [index for index, token in enumerate(tokens) if token.token_type == TokenType.SEMICOLON]
    chunks = []
    start = 0
    for end in [*semicolons, len(tokens)]:
        if end > start and (tokens[start].token_type == TokenType.L_PAREN or word(tokens[start]) in _QUERY_STARTS):
            chunks.append(range(start, end))
        start = end + 1
    return chunks


def _pivot_spans(ctx: SqlContext, tokens: list[Token]) -> list[Span]:
    spans = []
    for index in open_parens(ctx):
        if index > 0 and word(tokens[index - 1]) in ("PIVOT", "UNPIVOT"):
            close = matching_close(tokens, index)
            if close is not None:
                spans.append(Span(tokens[index].start, tokens[close].end + 1))
    return spans


def _double_quoted_role(tokens: list[Token], chunk: range, index: int) -> str | None:
    """What the double-quoted string ``tokens[index]`` stands for by its neighbours in its
    statement ``chunk``: 'alias', 'name' or None."""
    token = tokens[index]
    previous = tokens[index - 1] if index > chunk.start else None
    following = tokens[index + 1] if index + 1 < chunk.stop else None
    before = word(previous) if previous is not None else None
    if previous is None or previous.token_type in STRING_TOKEN_TYPES:
        return None  # adjacent strings are concatenated (Databricks)
    if before is not None and previous.end + 1 == token.start:
        return None  # a prefix glued to the string: rb"...", B"..."
    if before == "AS":
        return "alias"
    if before == "JOIN":
        return "table name"
    if previous.text == ".":
        return "name"
    if following is not None and following.text == "." and index + 2 < chunk.stop:
        member = tokens[index + 2]
        after = tokens[index + 3] if index + 3 < chunk.stop else None
        if word(member) is not None and not (after is not None and after.token_type == TokenType.L_PAREN):
            return "name"  # `"t".col`, not a method call `"text".REPLACE(...)`
    implicit = previous.token_type in (
        TokenType.VAR, TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.NUMBER, TokenType.IDENTIFIER
    ) or before == "END"  # fmt: skip
    if not implicit or before in _LITERAL_PREFIXES:
        return None
    if following is None or following.token_type in _ALIAS_FOLLOWERS or word(following) in _ALIAS_FOLLOWER_WORDS:
        return "alias"
    return None


RULE = Rule(
    code="ST05",
    name="wrong-quote-style",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
)

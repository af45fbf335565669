"""Templating left in text: Jinja blocks, Snowflake CLI templates, SnowSQL variables, shell/dbt
`${var}` variables, bind parameters and placeholders such as ``<password>`` or ``replace_me``.

PS03 reports them in SQL (:func:`sql_placeholders`) and in payload values
(:func:`string_placeholders`); PS01 uses :func:`sql_placeholders` not to repeat a parse error where
PS03 already explains it; CN01 and CN02 use :func:`is_placeholder_only` to tell a placeholder from
a credential.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.token_text import (
    CODE,
    COMMENT,
    IDENTIFIER,
    STRING,
    TextMap,
    code_tokens,
    ends_operand,
    matching_close,
    text_map,
    word,
)
from wsync_lint.mparticle import facts
from wsync_lint.sql.lexicon import STRING_TOKEN_TYPES

if TYPE_CHECKING:
    from wsync_lint.contract.sql_context import SqlContext

CANDIDATES = re.compile(
    r"""
      (?P<jinja>\{\{|\{%|\{\#)
    | (?P<cli><%)
    | (?P<amp>&(?:\{[A-Za-z_][\w.]*\}?|[A-Za-z_]\w*))
    | (?P<angle><[A-Za-z_][\w-]*>)
    | (?P<replace>replace_me)
    | (?P<dollar>\$\{[^{}\n]*\})
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Where a candidate can start: every match of CANDIDATES starts with one of these. Searching
# for them first is about three times faster than searching with the alternation itself, which
# the regex engine tries at every character.
CANDIDATE_STARTS = re.compile(r"[{<&]|\$\{|replace_me", re.IGNORECASE)
CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}", "<%": "%>"}
JINJA_KIND = {"{{": "Jinja expression", "{%": "Jinja statement", "{#": "Jinja comment"}


CLI_KIND = "Snowflake CLI template"
SNOWSQL_KIND = "SnowSQL variable"
VARIABLE_KIND = "template variable"
BIND_KIND = "bind parameter"
DOC_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][\w-]*\s*\}\}")
PLACEHOLDER = "placeholder"


@dataclass(frozen=True)
class Placeholder:
    """Templating or a placeholder: in a plain string (a payload value) or in a model's text."""

    start: int
    end: int
    label: str
    """`Jinja expression`, `Jinja statement`, `Jinja comment`, `Snowflake CLI template`,
    `SnowSQL variable`, `template variable`, `bind parameter` or `placeholder` (the last four
    and `SnowSQL variable` in SQL only)."""


def string_placeholders(text: str) -> Iterator[Placeholder]:
    """Templating and placeholders in a string value: Jinja blocks and `<% %>` that close inside
    it, `<word>` and `replace_me` (SnowSQL `&var` is SQL only: in a value it is a URL's `&`;
    `${VAR}` too: deploy tools substitute the environment into payload files)."""
    if not any(c in text for c in "{<") and "replace_me" not in text.lower():
        return
    position = 0
    while True:
        match = CANDIDATES.search(text, position)
        if match is None:
            return
        start = match.start()
        position = start + 1
        group = match.lastgroup
        if group in ("jinja", "cli"):
            opener = match.group()
            close = text.find(CLOSERS[opener], start + 2)
            if close == -1:
                continue  # `{{` or `<%` that is just text
            end, label = close + 2, JINJA_KIND.get(opener, CLI_KIND)
            if opener == "{{" and DOC_PLACEHOLDER.fullmatch(text, start, end):
                label = PLACEHOLDER  # the docs' `{{storage_integration_name}}`
        elif group in ("angle", "replace"):
            end, label = match.end(), PLACEHOLDER
        else:
            continue
        yield Placeholder(start, end, label)
        position = max(position, end)


def is_placeholder_only(text: str) -> bool:
    """Whether ``text`` is nothing but one template or placeholder (`{{ x }}`, `<password>`)."""
    stripped = text.strip()
    found = next(string_placeholders(stripped), None)
    return found is not None and found.start == 0 and found.end == len(stripped)


# --------------------------------------------------------------------------- in SQL


def sql_placeholders(ctx: SqlContext) -> tuple[Placeholder, ...]:
    """Templating, bind parameters and placeholders in a model's text, in order, one per place.

    Comments are skipped; in a string literal only a Jinja block or `<% %>` that closes inside it
    and `replace_me` count, as elsewhere the text is data. Each is a ``Placeholder`` whose
    ``start``/``end`` are offsets in ``ctx.text``; ``label`` says what it is.
    """
    return ctx.memo("templates.sql_placeholders", lambda: tuple(_sql_placeholders(ctx)))


def _sql_placeholders(ctx: SqlContext) -> list[Placeholder]:
    found = list(_text_placeholders(ctx)) + list(_bind_parameters(ctx))
    found.sort(key=lambda p: (p.start, -p.end))
    kept: list[Placeholder] = []
    for placeholder in found:
        if kept and placeholder.start < kept[-1].end:
            continue  # `${{ x }}`, or a `:name` inside a `<% %>`: one finding for one place
        kept.append(placeholder)
    return kept


def _text_placeholders(ctx: SqlContext) -> Iterator[Placeholder]:
    text = ctx.text
    if not any(c in text for c in "{<&") and "replace_me" not in text.lower():
        return
    where: TextMap | None = None  # built at the first candidate: most files have none
    tokens = ctx.lexicon.tokens
    starts: list[int] = []
    snowflake = ctx.warehouse.name == "snowflake"
    position = 0
    while True:
        match = _next_candidate(text, position)
        if match is None:
            return
        start = match.start()
        position = start + 1
        if where is None:
            where = text_map(ctx)
        kind = where.kind_at(start)
        if kind == COMMENT:
            continue
        found = None
        group = match.lastgroup
        if group in ("jinja", "cli"):
            found = _template(text, match.group(), start, kind, where)
        elif group == "amp":
            if snowflake and kind == CODE:  # elsewhere `&` is bitwise AND
                found = Placeholder(start, match.end(), SNOWSQL_KIND)
        elif group == "dollar":
            literal = where.span_at(start)
            if kind == CODE or (kind == IDENTIFIER and literal is not None and match.end() <= literal.end):
                found = Placeholder(start, match.end(), VARIABLE_KIND)
        elif group == "angle":
            if kind == CODE and not starts:
                starts = [t.start for t in tokens]
            if kind == IDENTIFIER or (kind == CODE and _placeholder_position(tokens, starts, start)):
                found = Placeholder(start, match.end(), PLACEHOLDER)
        else:
            found = Placeholder(start, match.end(), PLACEHOLDER)
        if found is not None:
            yield found
            position = max(position, found.end)


def _next_candidate(text: str, position: int) -> re.Match[str] | None:
    """``CANDIDATES.search(text, position)``, found faster: the first place from ``position``
    where a candidate can start and one does."""
    while True:
        hint = CANDIDATE_STARTS.search(text, position)
        if hint is None:
            return None
        match = CANDIDATES.match(text, hint.start())
        if match is not None:
            return match
        position = hint.start() + 1


def _template(text: str, opener: str, start: int, kind: str, where: TextMap) -> Placeholder | None:
    close = text.find(CLOSERS[opener], start + 2)
    if kind in (STRING, IDENTIFIER):
        literal = where.span_at(start)
        if close == -1 or literal is None or close + 2 > literal.end:
            return None  # `{{` or `<%` that is just text in a string
        end = close + 2
    else:
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        if opener == "<%":
            if close == -1 or close > line_end:
                return None  # `<` followed by `%` without a closing `%>` is not a template
            end = close + 2
        else:
            end = close + 2 if close != -1 else line_end
    return Placeholder(start, end, JINJA_KIND.get(opener, CLI_KIND))


def _placeholder_position(tokens: Sequence[Token], starts: list[int], offset: int) -> bool:
    """Whether a `<word>` at ``offset`` in code is a placeholder, not `ARRAY<STRING>` or `a<b>c`."""
    index = bisect.bisect_left(starts, offset)
    previous = tokens[index - 1] if index > 0 else None
    return not ends_operand(previous)


_NAME = re.compile(r"[A-Za-z_]\w*\Z")
_NUMBER = re.compile(r"\d+\Z")
_QUOTED = STRING_TOKEN_TYPES | {TokenType.IDENTIFIER}
# A text without any of these words holds no Snowflake Scripting block (checked before the tokens).
_SCRIPTING_WORD = re.compile(r"DECLARE|LET|BEGIN", re.IGNORECASE)
# `BEGIN` that starts a transaction, not a Snowflake Scripting block.
_TRANSACTION = frozenset({"TRANSACTION", "WORK", "NAME", ";"})


def _bind_parameters(ctx: SqlContext) -> Iterator[Placeholder]:
    """`?`, `:name` and (where the warehouse has them) `@name` in code.

    A token that the dialect reads as something else is left alone: `x::int` (one `::` token),
    Snowflake's `v:field` and Databricks' `col:field` (the `:` follows an operand, or touches a
    word: `value:from:lat`), Redshift's `j ? 'key'` JSON operator (the `?` follows an operand), the
    `?` quantifiers of a `MATCH_RECOGNIZE` `PATTERN (...)`, BigQuery's `@@system_variable`,
    Snowflake's `@stage` or Redshift's `@` absolute value (not BigQuery), and `:name` or `?` in a
    file holding a Snowflake Scripting block, where they are the block's variables.
    """
    text = ctx.text
    if not any(c in text for c in "?:@"):
        return
    name = ctx.warehouse.name
    prefixes = facts.BIND_PARAMETER_PREFIXES.get(name, ())
    tokens = code_tokens(ctx)
    if name in facts.SCRIPTING_VARIABLE_DIALECTS and _SCRIPTING_WORD.search(text) and _has_scripting_block(tokens):
        prefixes = tuple(p for p in prefixes if p != ":")
        question_marks = False
    else:
        question_marks = True
    index, count = 0, len(tokens)
    while index < count:
        token = tokens[index]
        index += 1
        marker = token.text
        if marker not in ("?", ":", "@"):  # most tokens: only a `PATTERN (` needs a second look
            pattern = len(marker) == 7 and marker.upper() == "PATTERN"
            if pattern and index < count and tokens[index].token_type == TokenType.L_PAREN:
                close = matching_close(tokens, index)
                index = close + 1 if close is not None else count
            continue
        previous = tokens[index - 2] if index > 1 else None
        following = tokens[index] if index < count else None
        if token.token_type in _QUOTED:
            continue
        if marker == "?":
            if question_marks and not ends_operand(previous) and not _touches(token, following, "|&"):
                yield Placeholder(token.start, token.end + 1, BIND_KIND)
            continue
        if marker not in prefixes or following is None or following.start != token.end + 1:
            continue
        label = following.text
        if following.token_type in _QUOTED or not (_NAME.match(label) or (marker == ":" and _NUMBER.match(label))):
            continue
        if marker == ":" and (
            ends_operand(previous)
            or _is(previous, TokenType.L_BRACKET)
            or _is_colon(previous)
            or (previous is not None and word(previous) is not None and previous.end + 1 == token.start)
        ):
            continue  # a path (`v:field`, `v:from:x`), a struct field type (`a: INT`), a slice (`[:2]`)
        if marker == "@" and previous is not None and previous.text == "@" and previous.end + 1 == token.start:
            continue  # the name of `@@system_variable`
        yield Placeholder(token.start, following.end + 1, BIND_KIND)


def _has_scripting_block(tokens: Sequence[Token]) -> bool:
    """Whether ``tokens`` hold a Snowflake Scripting block: `DECLARE`, `LET`, or a `BEGIN` that
    does not start a transaction."""
    for index, token in enumerate(tokens):
        upper = word(token)
        if upper in ("DECLARE", "LET"):
            return True
        if upper == "BEGIN":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and following.text.upper() not in _TRANSACTION:
                return True
    return False


def _is(token: Token | None, token_type: TokenType) -> bool:
    return token is not None and token.token_type == token_type


def _is_colon(token: Token | None) -> bool:
    """A `:` token: sqlglot reads `::` as one token, the fallback scanner as two."""
    return token is not None and token.text.endswith(":")


def _touches(token: Token, following: Token | None, characters: str) -> bool:
    """Whether ``following`` starts right after ``token`` with one of ``characters`` (`?|`, `?&`)."""
    return following is not None and following.start == token.end + 1 and following.text[:1] in characters

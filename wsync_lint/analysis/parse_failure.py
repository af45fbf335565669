"""Why a model does not parse, said the way its author can act on it (PS01).

sqlglot stops at the first token it cannot read, and that token is often not the mistake: a
misspelt keyword (`SELCT u.id`) reads as a name with an alias, so the parser stops a token or a
line later; a missing comma between two select items reads as an alias too. :func:`diagnose`
looks around the failure for such a mistake and proves the fix by parsing the fixed text
again (:mod:`wsync_lint.analysis.parse_fixes`), so a suggestion is never a guess.

A failure can also be explained by a finding that says more at the same place: templating
(PS03, as :func:`~wsync_lint.analysis.templates.sql_placeholders` finds it: `{{ }}`, `<% %>`,
`&var`, `${var}`, `<name>`, bind parameters) or a name quoted the way another database quotes
names (ST05: backticks in Snowflake or Redshift, `[name]`). :func:`diagnose` replaces those with
plain names of the same length (Jinja statements with blanks) and parses again: when the failure
goes away, or stays at or just after a template, the finding there says it all and there is
nothing to diagnose (one mistake, one error). A mistake elsewhere is still diagnosed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.parse_fixes import LOOK_BACK, Suggestion, keyword_typo, missing_comma
from wsync_lint.analysis.quoted_names import BACKTICK_FOREIGN, backtick_quoted, bracket_quoted
from wsync_lint.analysis.templates import JINJA_KIND, sql_placeholders
from wsync_lint.analysis.token_text import code_tokens
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.lexicon import scan
from wsync_lint.sql.parse import ParseFailure, parse_tokens
from wsync_lint.sql.positions import Span

_MISSING_PART = re.compile(r"Required keyword: '(\w+)' missing for <class '[\w.]*?(\w+)'>")
_EXPECTED_AT_END = re.compile(r"Expected (.+) but got the end of the query\Z")
_EXPECTING = re.compile(r"Expect(?:ing|ed) ([()\[\]<>{}])\Z")
_UNEXPECTED = "Invalid expression / Unexpected token"
# sqlglot's names of the clauses a user knows by the same name (others are its own: EQ, MOD).
_CLAUSES = frozenset(
    {"WHERE", "HAVING", "QUALIFY", "GROUP", "ORDER", "LIMIT", "OFFSET", "JOIN", "FROM", "WINDOW", "WITH",
     "UNION", "EXCEPT", "INTERSECT", "SELECT"}
)  # fmt: skip
_QUERY_STARTS = frozenset({TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN, TokenType.FROM})
_SHOWN = 40


@dataclass(frozen=True)
class Diagnosis:
    """What PS01 says about a file that does not parse."""

    at: Span
    problem: str
    """The mistake in the user's words ("`SELCT` is not a keyword: did you mean `SELECT`?")."""
    fix: str | None
    """The likely fix, when one is known (then the text is not valid SQL the parser lacks)."""


def describe(description: str) -> str:
    """sqlglot's error description in the user's words.

    >>> describe("Required keyword: 'this' missing for <class 'sqlglot.expressions.query.Where'>")
    'incomplete WHERE clause'
    >>> describe("Required keyword: 'this' missing for <class 'sqlglot.expressions.core.EQ'>")
    'incomplete expression'
    >>> describe("Expecting )")
    'expected `)`'
    >>> describe("`SELECT` without a column list")
    '`SELECT` without a column list'
    >>> describe("SELECT without a column list")
    'SELECT without a column list'
    """
    missing = _MISSING_PART.search(description)
    if missing:
        part = missing.group(2).upper()
        return f"incomplete {part} clause" if part in _CLAUSES else "incomplete expression"
    if description.startswith(_UNEXPECTED):
        return "unexpected token"
    bracket = _EXPECTING.match(description)
    if bracket:
        return f"expected `{bracket.group(1)}`"
    if len(description) > 1 and description[1].isupper():
        return description  # a keyword or an acronym: `SELECT ...`, `CTE ...`
    return description[:1].lower() + description[1:]


def diagnose(ctx: SqlContext) -> Diagnosis | None:
    """What is wrong with ``ctx``'s text, which does not parse; None when a more specific
    finding (templating, a wrong quote style) explains the failure where it happens. Only a rule
    that runs explains anything: with PS03 or ST05 not selected, their places are PS01's."""
    failure = ctx.parse_failure
    if failure is None:
        return None
    text, tokens = ctx.text, ctx.lexicon.tokens
    edits = (_template_edits(ctx) if _runs(ctx, "PS03") else []) + (_quote_edits(ctx) if _runs(ctx, "ST05") else [])
    if edits:
        edits = _without_overlaps(edits)
        text = _apply(ctx.text, edits)
        lexicon = scan(text, ctx.warehouse.name)
        _, failure = parse_tokens(text, lexicon, ctx.warehouse.name)
        if failure is None or _explained(failure, edits, lexicon.tokens):
            return None
        tokens = lexicon.tokens
    return _diagnosis(text, tokens, failure, ctx)


def _runs(ctx: SqlContext, code: str) -> bool:
    return ctx.running is None or code in ctx.running


# --------------------------------------------------------------------------- what it says


def _diagnosis(text: str, tokens: Sequence[Token], failure: ParseFailure, ctx: SqlContext) -> Diagnosis:
    at = Span(failure.offset, failure.offset + max(len(_first_line(failure.token_text)), 1))
    if failure.unterminated:
        problem = _never_closed(failure.token_text, ctx)
        known = failure.token_text.strip() != ""
        return Diagnosis(at, problem, "close it where it should end" if known else "close the quote or comment")
    if not tokens:
        return Diagnosis(at, describe(failure.description), None)
    index = min(bisect.bisect_left([t.start for t in tokens], failure.offset), len(tokens) - 1)
    suggestion = _suggestion(text, tokens, index, failure, ctx)
    if suggestion is not None:
        return Diagnosis(suggestion.at, suggestion.problem, suggestion.fix)
    token = tokens[index]
    source = ctx.text  # offsets are the same in ``text``, whose templates may be renamed
    shown = _code(_first_line(source[token.start : token.end + 1]))
    if failure.description.endswith("without a column list"):
        return Diagnosis(at, failure.description, "list the columns to select")
    if _is_last(tokens, index) and failure.description != _UNEXPECTED and _is_query(tokens, index):
        expected = _EXPECTED_AT_END.match(failure.description)
        bracket = _EXPECTING.match(failure.description)
        problem = f"the query ends after {shown}"
        if expected:
            problem += f": expected {expected.group(1)}"
        elif bracket:
            problem += f": expected `{bracket.group(1)}`"
        return Diagnosis(at, problem, f"complete the query after {shown}")
    if failure.description == _UNEXPECTED:
        problem = f"unexpected {shown}"
        previous = tokens[index - 1] if index > 0 else None
        line = ctx.lines.position(previous.start)[0] if previous is not None else 0
        if (
            previous is not None
            and line < ctx.lines.position(token.start)[0]
            and previous.token_type is not TokenType.SEMICOLON
        ):
            # sqlglot blames the first word of a line; the mistake may be at the end of the last one.
            problem += f" after {_code(_first_line(source[previous.start : previous.end + 1]))} (line {line})"
        return Diagnosis(at, problem, None)
    described = describe(failure.description)
    if token.text.upper() not in described.upper():
        described += f" at {shown}"
    return Diagnosis(at, described, None)


def _suggestion(
    text: str, tokens: Sequence[Token], index: int, failure: ParseFailure, ctx: SqlContext
) -> Suggestion | None:
    first, last = _statement_bounds(tokens, index)
    dialect = ctx.warehouse.name
    return keyword_typo(text, tokens, index, first, last, failure.offset, dialect) or missing_comma(
        text, tokens, index, first, last, failure.offset, dialect, ctx.text
    )


def _statement_bounds(tokens: Sequence[Token], index: int) -> tuple[int, int]:
    """The first and last token of the `;`-separated statement that holds ``tokens[index]``."""
    first = index
    if tokens[first].token_type is TokenType.SEMICOLON and first > 0:
        first -= 1  # the parser stopped at the `;` that ends the statement
    last = first
    while first > 0 and tokens[first - 1].token_type is not TokenType.SEMICOLON:
        first -= 1
    while last + 1 < len(tokens) and tokens[last + 1].token_type is not TokenType.SEMICOLON:
        last += 1
    return first, last


def _is_query(tokens: Sequence[Token], index: int) -> bool:
    """Whether the statement holding ``tokens[index]`` is a query (what a data model is), for
    which an early end is a mistake, not a statement the parser does not know."""
    first, _ = _statement_bounds(tokens, index)
    return tokens[first].token_type in _QUERY_STARTS


def _is_last(tokens: Sequence[Token], index: int) -> bool:
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following is None or following.token_type is TokenType.SEMICOLON


def _never_closed(opening: str, ctx: SqlContext) -> str:
    shown = _code(_first_line(opening)[:_SHOWN])
    if opening.startswith("/*"):
        return f"the comment {shown} is never closed"
    if opening.startswith("$$"):
        return f"the `$$` string {shown} is never closed"
    if opening[:1] == '"' and ctx.warehouse.identifier_quote == '"':
        return f"the quoted name {shown} is never closed"
    if opening[:1] == "`":
        return f"the quoted name {shown} is never closed"
    if opening[:1] in ("'", '"'):
        return f"the string {shown} is never closed"
    return "a quote or comment is never closed"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _code(text: str) -> str:
    shown = text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
    return f"`` {shown} ``" if "`" in shown else f"`{shown}`"


# --------------------------------------------------------------------------- explained elsewhere


@dataclass(frozen=True)
class _Edit:
    """A span replaced by a plain name (or blanks) of the same length before parsing again."""

    start: int
    end: int
    replacement: str
    kind: str
    """`_TEMPLATE`, `_CONTROL` (a Jinja statement or comment: what SQL it leaves is unknown) or
    `_QUOTE`."""


_TEMPLATE, _CONTROL, _QUOTE = "template", "control", "quote"
_CONTROL_LABELS = frozenset({JINJA_KIND["{%"], JINJA_KIND["{#"]})


def _template_edits(ctx: SqlContext) -> list[_Edit]:
    """What PS03 reports, each as a plain name (Jinja statements and comments as blanks)."""
    edits = []
    for found in sql_placeholders(ctx):
        start, end = found.start, found.end
        if found.label in _CONTROL_LABELS:
            blank = "".join(c if c in "\r\n" else " " for c in ctx.text[start:end])
            edits.append(_Edit(start, end, blank, _CONTROL))
        else:
            edits.append(_Edit(start, end, "_" * (end - start), _TEMPLATE))
    return edits


def _quote_edits(ctx: SqlContext) -> list[_Edit]:
    """Names ST05 reports as quoted another database's way, quoted the warehouse's way."""
    text = ctx.text
    backticks = "`" in text and ctx.warehouse.name in BACKTICK_FOREIGN
    if not backticks and "[" not in text:
        return []
    tokens = code_tokens(ctx)
    quote = ctx.warehouse.identifier_quote
    quoted = [*(backtick_quoted(ctx, tokens) if backticks else ()), *bracket_quoted(ctx, tokens)]
    return [
        _Edit(s.start, s.end, quote + text[s.start + 1 : s.end - 1] + quote, _QUOTE)
        for s, _ in quoted
        if quote not in text[s.start + 1 : s.end - 1]
    ]


def _without_overlaps(edits: list[_Edit]) -> list[_Edit]:
    kept: list[_Edit] = []
    for edit in sorted(edits, key=lambda e: e.start):
        if not kept or edit.start >= kept[-1].end:
            kept.append(edit)
    return kept


def _apply(text: str, edits: list[_Edit]) -> str:
    parts, position = [], 0
    for edit in edits:
        parts += [text[position : edit.start], edit.replacement]
        position = edit.end
    return "".join([*parts, text[position:]])


def _explained(failure: ParseFailure, edits: list[_Edit], tokens: Sequence[Token]) -> bool:
    """Whether the failure left after the edits is still theirs: in a replaced template or a
    few tokens after one, or after or right before a Jinja statement (whose output is unknown).
    A renamed quote is exact, so a failure after it is another mistake."""
    if failure.too_deep or not tokens:
        return False
    offset = failure.offset
    index = min(bisect.bisect_left([t.start for t in tokens], offset), len(tokens) - 1)
    # The look-back of the fixes: a template there may be the mistake (a macro that expands to
    # columns and their comma).
    near = [t.start for t in tokens[max(0, index - LOOK_BACK) : index]]
    following_start = tokens[index + 1].start if index + 1 < len(tokens) else None
    for edit in edits:
        if edit.kind == _QUOTE:
            continue
        if edit.start <= offset < edit.end:
            return True
        if any(edit.start <= start < edit.end for start in near):
            return True
        if edit.kind == _CONTROL and (
            edit.start < offset or (edit.start > tokens[index].end and edit.end <= (following_start or edit.end))
        ):
            return True
    return False

"""Where a statement's strings, comments and ``;`` are, under each lexing rule a warehouse may use.

sqlglot decides what wsync-lint sees, the warehouse what it runs; where their lexers differ, text
can hide a second statement or a call inside what one of them reads as a string or a comment.
The differences are few and documented:

- a backslash before a quote: Redshift, Snowflake, BigQuery and Databricks read it as an escape,
  PostgreSQL (``standard_conforming_strings = on``, Redshift's stand-in) as a backslash;
  Databricks' raw strings (``r'...'``) take it literally too;
- ``/* /* */ */``: PostgreSQL and Databricks nest block comments, Snowflake and BigQuery do not
  (and for Redshift the documentation does not say);
- ``$tag$ ... $tag$`` strings (PostgreSQL, Redshift; Snowflake's ``$$ ... $$``);
- line comments: ``//`` in Snowflake, ``#`` in BigQuery, ``--`` everywhere.

:func:`check_lexing` reads the text under sqlglot's rules and under each rule the warehouse may
use, and accepts it only when every reading sees exactly one statement and the same strings and
comments in the same places. A look-alike semicolon (``；``, ``;``) outside strings and comments is
refused too: no warehouse needs one, and a normalising layer would turn it into a ``;``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from sqlglot.dialects.dialect import Dialect

_LOOK_ALIKE_SEMICOLONS = "".join(
    chr(c) for c in range(0x80, 0x10000) if chr(c) != ";" and unicodedata.normalize("NFKC", chr(c)) == ";"
)
_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_IDENTIFIER_CHAR = re.compile(r"[A-Za-z0-9_$\x80-\uffff]")


@dataclass(frozen=True)
class Convention:
    """One way of reading SQL text: which quotes, comments and escapes exist."""

    name: str
    line_comments: tuple[str, ...]
    nested_comments: bool
    backslash_escapes: bool
    strings: tuple[str, ...]
    """Delimiters of strings, each closing itself (longest first); backslashes may escape in them."""
    identifiers: tuple[str, ...]
    """Delimiters of quoted names (a doubled delimiter stands for itself)."""
    dollar_quotes: bool = False
    """``$$ ... $$``; with :attr:`dollar_tags` also ``$tag$ ... $tag$``."""
    dollar_tags: bool = False


@dataclass(frozen=True)
class Reading:
    """What one convention sees in a text."""

    convention: Convention
    hidden: tuple[tuple[int, int], ...]
    """Merged spans of strings, quoted names and comments (``[start, end)``)."""
    separators: tuple[int, ...]
    """Offsets of the ``;`` outside them."""
    statements: int
    """Non-empty pieces of text between separators."""
    unterminated: bool
    look_alike: int | None
    """The offset of a look-alike semicolon outside strings and comments, if any."""


class Disagreement(ValueError):
    """The text is not exactly one statement under every reading, or the readings differ."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def read(text: str, convention: Convention) -> Reading:
    """The strings, comments and statement separators of ``text`` under ``convention``."""
    opener = _opener(convention)
    hidden: list[tuple[int, int]] = []
    separators: list[int] = []
    look_alike = None
    unterminated = False
    position = 0
    while True:
        found = opener.search(text, position)
        if found is None:
            break
        start, token = found.start(), found.group()
        if token == ";":
            separators.append(start)
            position = start + 1
            continue
        if token in _LOOK_ALIKE_SEMICOLONS:
            look_alike = start if look_alike is None else look_alike
            position = start + 1
            continue
        end = _end_of(text, start, token, convention)
        if end is None:
            position = start + 1  # `$` that opens nothing (a `$1` parameter, `a$b`)
            continue
        if end > len(text):
            unterminated, end = True, len(text)
        if hidden and hidden[-1][1] == start:
            hidden[-1] = (hidden[-1][0], end)
        else:
            hidden.append((start, end))
        position = end
    pieces = _pieces(text, hidden, separators)
    return Reading(convention, tuple(hidden), tuple(separators), pieces, unterminated, look_alike)


def check_lexing(text: str, dialect: str) -> None:
    """Raise :class:`Disagreement` when the readings of ``text`` for ``dialect`` (sqlglot's and the
    warehouse's) part: they see different strings, comments or ``;``, or a look-alike semicolon
    outside them. Text every reading sees alike (one statement or several) is left to the parser."""
    readings = [read(text, convention) for convention in conventions(dialect)]
    for reading in readings:
        if reading.look_alike is not None:
            character = text[reading.look_alike]
            raise Disagreement(
                f"a look-alike semicolon U+{ord(character):04X} outside strings and comments", reading.look_alike
            )
    first = readings[0]
    for other in readings[1:]:
        if (other.hidden, other.separators, other.unterminated) == (first.hidden, first.separators, first.unterminated):
            continue
        at = _first_difference(first, other)
        for reading in (other, first):
            if reading.statements > 1:
                name = reading.convention.name
                raise Disagreement(f"{reading.statements} statements when read as {name}: only one is ever sent", at)
        for reading in (other, first):
            if reading.unterminated:
                name = reading.convention.name
                raise Disagreement(f"an unterminated string or comment when read as {name}", at)
        raise Disagreement(
            f"read differently as {first.convention.name} and as {other.convention.name} "
            "(a backslash before a quote, a nested comment or a dollar quote)",
            at,
        )


@cache
def conventions(dialect: str) -> tuple[Convention, ...]:
    """sqlglot's reading of ``dialect`` first, then each documented reading of the warehouse."""
    tokenizer = Dialect.get_or_raise(dialect).tokenizer_class
    comments = tuple(marker for marker in tokenizer.COMMENTS if isinstance(marker, str))
    strings = tuple(sorted((q for q in tokenizer.QUOTES if isinstance(q, str)), key=len, reverse=True))
    identifiers = tuple(q for q in tokenizer.IDENTIFIERS if isinstance(q, str))
    dollar = bool(getattr(tokenizer, "HEREDOC_STRINGS", ())) or "$$" in str(getattr(tokenizer, "RAW_STRINGS", ()))
    ours = Convention(
        f"sqlglot's {dialect}",
        comments,
        bool(getattr(tokenizer, "NESTED_COMMENTS", True)),
        "\\" in tokenizer.STRING_ESCAPES,
        strings,
        identifiers,
        dollar_quotes=dollar,
        dollar_tags=bool(getattr(tokenizer, "HEREDOC_STRINGS", ())),
    )
    return (ours, *_WAREHOUSE_READINGS.get(dialect, ()))


_WAREHOUSE_READINGS: dict[str, tuple[Convention, ...]] = {
    # Redshift escapes with a backslash; PostgreSQL (its stand-in) does not. Nesting: undocumented.
    "redshift": tuple(
        Convention(
            f"{who}{', nested comments' if nested else ''}",
            ("--",),
            nested,
            escapes,
            ("'",),
            ('"',),
            dollar_quotes=True,
            dollar_tags=True,
        )
        for who, escapes in (("Redshift", True), ("PostgreSQL with standard_conforming_strings", False))
        for nested in (False, True)
    ),
    "snowflake": (Convention("Snowflake", ("--", "//"), False, True, ("'",), ('"',), dollar_quotes=True),),
    "bigquery": (Convention("BigQuery", ("--", "#"), False, True, ('"""', "'''", '"', "'", "`"), ()),),
    "databricks": (
        Convention("Databricks", ("--",), True, True, ('"', "'"), ("`",)),
        Convention("Databricks raw strings", ("--",), True, False, ('"', "'"), ("`",)),
    ),
}


@cache
def _opener(convention: Convention) -> re.Pattern[str]:
    starts = [*convention.line_comments, "/*", *convention.strings, *convention.identifiers, ";"]
    if convention.dollar_quotes:
        starts.append("$")
    alternatives = "|".join(re.escape(s) for s in sorted(starts, key=len, reverse=True))
    return re.compile(f"{alternatives}|[{_LOOK_ALIKE_SEMICOLONS}]")


def _end_of(text: str, start: int, token: str, convention: Convention) -> int | None:
    """Where the string or comment opened by ``token`` at ``start`` ends (past the text: unterminated)."""
    if token in convention.line_comments:
        newline = text.find("\n", start)
        return len(text) if newline < 0 else newline
    if token == "/*":
        return _comment_end(text, start, convention.nested_comments)
    if token == "$":
        tag = _TAG.match(text, start)
        if tag is None or (tag.group(1) and not convention.dollar_tags):
            return None
        if start and _IDENTIFIER_CHAR.match(text[start - 1]):
            return None  # part of a name (`a$b$`)
        close = text.find(tag.group(), tag.end())
        return len(text) + 1 if close < 0 else close + len(tag.group())
    if token in convention.identifiers:
        return _quote_end(text, start, token, escapes=False)
    escapes = convention.backslash_escapes or _escape_string(text, start)
    return _quote_end(text, start, token, escapes)


def _comment_end(text: str, start: int, nested: bool) -> int:
    depth, position = 1, start + 2
    marks = re.compile(r"/\*|\*/" if nested else r"\*/")
    while depth:
        found = marks.search(text, position)
        if found is None:
            return len(text) + 1
        depth += 1 if found.group() == "/*" else -1
        position = found.end()
    return position


def _escape_string(text: str, start: int) -> bool:
    """PostgreSQL's ``E'...'``: backslash escapes whatever the setting."""
    return (
        text[start] == "'"
        and start > 0
        and text[start - 1] in "eE"
        and (start < 2 or not _IDENTIFIER_CHAR.match(text[start - 2]))
    )


def _quote_end(text: str, start: int, quote: str, escapes: bool) -> int:
    position = start + len(quote)
    while True:
        close = text.find(quote, position)
        if close < 0:
            return len(text) + 1
        if escapes:
            backslashes = len(text[position:close]) - len(text[position:close].rstrip("\\"))
            if backslashes % 2:
                position = close + 1
                continue
        if len(quote) == 1 and text.startswith(quote, close + 1):
            position = close + 2  # a doubled quote stands for itself
            continue
        return close + len(quote)


def _pieces(text: str, hidden: list[tuple[int, int]], separators: list[int]) -> int:
    """How many pieces between separators hold something outside strings and comments."""
    bounds = [-1, *separators, len(text)]
    count = 0
    spans = iter(hidden)
    span = next(spans, None)
    for begin, end in pairwise(bounds):
        position = begin + 1
        found = False
        while position < end:
            while span is not None and span[1] <= position:
                span = next(spans, None)
            if span is not None and span[0] <= position:
                position = span[1]
                continue
            stop = min(end, span[0]) if span is not None else end
            if text[position:stop].strip():
                found = True
            position = stop
        count += found
    return count


def _first_difference(one: Reading, other: Reading) -> int:
    """The first offset where two readings part (a string, comment or ``;`` one has and the other not)."""
    marks = [
        {*one.hidden, *((at, at + 1) for at in one.separators)},
        {*other.hidden, *((at, at + 1) for at in other.separators)},
    ]
    differing = marks[0] ^ marks[1]
    return min(start for start, _ in differing) if differing else 0

"""A typographic quote or an invisible space is in the SQL code.

## What it does
Reports, outside string literals, quoted names and comments:

- typographic quotes: `“ ” „ ‘ ’ ‚ ´ ′ ″ « »` and full-width `＂ ＇`;
- non-breaking spaces (U+00A0, U+202F, U+2007) and other Unicode spaces (U+2000 to U+200A,
  U+3000);
- zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF).

A pair of typographic quotes around one name on one line (`“customer_id”`) is one finding;
otherwise each run of such characters is one. The hint gives the ASCII character the
warehouse expects: `"` or a backtick around a name, `'` around a string.

## Why is this bad?
Word processors, chat tools and documentation sites turn `"` into `“ ”` and spaces into
non-breaking ones. No warehouse accepts them in SQL code, and mParticle answers with a bare
`400` ("the SQL query contains invalid characters"). The invisible ones cannot be seen in most
editors. The SQL parser used here accepts `“customer_id”` as a plain name, so the check reads
the text itself.

## Example
```sql
SELECT scanned_timestamp_ms, cid AS “customer_id”, propensity_to_buy
FROM demo.mp_dw_demo.attr
```

## Use instead
```sql
SELECT scanned_timestamp_ms, cid AS "customer_id", propensity_to_buy
FROM demo.mp_dw_demo.attr
```

## Fix
`--fix` deletes zero-width characters, turns other unusual spaces into ordinary spaces, and
replaces a pair of typographic quotes with ASCII ones where the context decides which: the
warehouse's name quote after `AS`, `FROM`, `JOIN` or next to a `.`; `'...'` after `=`, `IN`,
`LIKE`, `THEN` and the like, and for single quotes. A lone quote, or a pair whose role is
unclear, is left for you.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator

from wsync_lint.analysis.token_text import CODE, text_map, word
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Edit, Finding, Fix, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.positions import Span

_DOUBLE_QUOTES = "\u201c\u201d\u201e\u2033\u00ab\u00bb\uff02"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u00b4\u2032\uff07"
_QUOTES = _DOUBLE_QUOTES + _SINGLE_QUOTES
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_SPACES = "\u00a0\u202f\u2007\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u3000"
_INVISIBLE = _ZERO_WIDTH + _SPACES

_SCAN = re.compile(f"(?P<quote>[{_QUOTES}])|(?P<space>[{_INVISIBLE}]+)")
# One name or short phrase between typographic quotes on one line, no ASCII quote inside.
_PAIRED = {
    "double": re.compile(f"[{_DOUBLE_QUOTES}]([^{_QUOTES}{_INVISIBLE}'\"`\\n]{{1,200}}?)[{_DOUBLE_QUOTES}]"),
    "single": re.compile(f"[{_SINGLE_QUOTES}]([^{_QUOTES}{_INVISIBLE}'\"`\\n]{{1,200}}?)[{_SINGLE_QUOTES}]"),
}
_STRING_CONTEXT = frozenset(
    {"=", "<>", "!=", "<", ">", "<=", ">=", "LIKE", "ILIKE", "THEN", "ELSE", "WHEN", "IN", "||"}
)
_NAME_CONTEXT = frozenset({"AS", "FROM", "JOIN", "."})


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char in _QUOTES:
        return f"typographic quote `{char}` ({code})"
    if char == "\ufeff":
        return f"zero-width no-break space (byte order mark, {code})"
    name = unicodedata.name(char, "unknown character").lower()
    return f"{name} ({code})"


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    text = ctx.text
    if text.isascii():
        return
    where = text_map(ctx)
    position = 0
    while True:
        match = _SCAN.search(text, position)
        if match is None:
            return
        start = match.start()
        position = match.end()
        if where.kind_at(start) != CODE:
            continue
        if match.lastgroup == "space":
            chars = match.group()
            distinct = list(dict.fromkeys(chars))
            described = ", ".join(_describe(c) for c in distinct)
            count = f"{len(chars)} invisible characters: " if len(chars) > 1 else ""
            zero_width = all(c in _ZERO_WIDTH for c in chars)
            span = Span(start, match.end())
            yield Finding(
                span,
                f"{count}{described} in the SQL code",
                hint="delete it" if zero_width else "replace it with an ordinary space",
                fix=_replace(span, "" if zero_width else " "),
            )
            continue
        char = match.group()
        family = "double" if char in _DOUBLE_QUOTES else "single"
        paired = _PAIRED[family].match(text, start)
        if paired is not None and where.kind_at(paired.end() - 1) == CODE:
            position = paired.end()
            inner = paired.group(1)
            close = text[paired.end() - 1]
            codes = f"U+{ord(char):04X}" if close == char else f"U+{ord(char):04X}, U+{ord(close):04X}"
            span = Span(start, paired.end())
            hint, replacement = _pair_hint(ctx, family, inner, start, paired.end())
            yield Finding(
                span,
                f"typographic quotes {code(char + inner + close)} ({codes}) in the SQL code",
                hint=hint,
                fix=_replace(span, replacement) if replacement is not None else None,
            )
            continue
        yield Finding(
            Span(start, match.end()),
            f"{_describe(char)} in the SQL code",
            hint=_single_hint(ctx, family),
        )


def _neighbours(ctx: SqlContext, start: int, end: int) -> tuple[str | None, str | None]:
    """The text of the code tokens just before ``start`` and just after ``end``."""
    tokens = ctx.lexicon.tokens
    starts = [t.start for t in tokens]
    before = bisect.bisect_left(starts, start) - 1
    # a token can hold the quote itself (`“customer_id”` is one name token to sqlglot)
    while before >= 0 and tokens[before].end >= start:
        before -= 1
    after = bisect.bisect_left(starts, end)
    previous = tokens[before] if before >= 0 else None
    following = tokens[after] if after < len(tokens) else None
    prev_text = (word(previous) or previous.text) if previous is not None else None
    next_text = following.text if following is not None else None
    return prev_text, next_text


def _replace(span: Span, replacement: str) -> Fix:
    return Fix((Edit(span, replacement),), f"replace with {code(replacement)}" if replacement else "delete")


def _pair_hint(ctx: SqlContext, family: str, inner: str, start: int, end: int) -> tuple[str, str | None]:
    """The hint for a quoted pair, and its ASCII replacement where the context makes it certain."""
    quote = ctx.warehouse.identifier_quote
    as_name = f"{quote}{inner}{quote}"
    as_string = "'" + inner.replace("'", "''") + "'"
    if family == "single":
        return f"write {code(as_string)} with ASCII single quotes", as_string
    previous, following = _neighbours(ctx, start, end)
    if previous in _NAME_CONTEXT or following == ".":
        return f"write {code(as_name)}: {ctx.warehouse.display} quotes names with {code(quote)}", as_name
    if previous in _STRING_CONTEXT:
        return f"write {code(as_string)}: strings take ASCII single quotes", as_string
    return f"write {code(as_name)} for a name or {code(as_string)} for a string", None


def _single_hint(ctx: SqlContext, family: str) -> str:
    quote = ctx.warehouse.identifier_quote
    if family == "single":
        return "replace it with an ASCII single quote `'`"
    return f"replace it with {code(quote)} around a name or `'` around a string"


RULE = Rule(
    code="PS04",
    name="invalid-character",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.ERROR,
    fixable=True,
)

"""Templating left in text: Jinja blocks, Snowflake CLI templates, SnowSQL variables and
placeholders such as ``<password>`` or ``replace_me``.

PS03 reports them in SQL and in payload values; CN01 and CN02 use :func:`is_placeholder_only` to
tell a placeholder from a credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

CANDIDATES = re.compile(
    r"""
      (?P<jinja>\{\{|\{%|\{\#)
    | (?P<cli><%)
    | (?P<amp>&(?:\{[A-Za-z_][\w.]*\}?|[A-Za-z_]\w*))
    | (?P<angle><[A-Za-z_][\w-]*>)
    | (?P<replace>replace_me)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Where a candidate can start: every match of CANDIDATES starts with one of these. Searching
# for them first is about three times faster than searching with the alternation itself, which
# the regex engine tries at every character.
CANDIDATE_STARTS = re.compile(r"[{<&]|replace_me", re.IGNORECASE)
CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}", "<%": "%>"}
JINJA_KIND = {"{{": "Jinja expression", "{%": "Jinja statement", "{#": "Jinja comment"}


CLI_KIND = "Snowflake CLI template"
DOC_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][\w-]*\s*\}\}")
PLACEHOLDER = "placeholder"


@dataclass(frozen=True)
class Placeholder:
    """Templating or a placeholder inside a plain string (a payload value)."""

    start: int
    end: int
    label: str
    """`Jinja expression`, `Jinja statement`, `Jinja comment`, `Snowflake CLI template` or `placeholder`."""


def string_placeholders(text: str) -> Iterator[Placeholder]:
    """Templating and placeholders in a string value: Jinja blocks and `<% %>` that close inside
    it, `<word>` and `replace_me` (SnowSQL `&var` is SQL only: in a value it is a URL's `&`)."""
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

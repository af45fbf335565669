"""Directive comments: per-file settings and suppressions.

Accepted spellings (``--``, ``//``, ``#`` or ``/* */`` comments alike; ``wsync-lint`` in any case)::

    -- wsync-lint: dialect=snowflake pipeline_type=user_attributes iterator_field=UPDATED_AT
    SELECT ...                   -- wsync-lint: ignore CO04          (this line)
    -- wsync-lint: ignore RF01, case-folded-name                     (the next line with code)
    -- wsync-lint: ignore-file                                        (the whole file, every rule)
    -- wsync-lint: ignore-file ST04                                   (the whole file, these rules)

Settings must come before the query. Suppressions name codes or rule names; a name that is no
rule is reported (WL02) and one that suppressed nothing is reported too (WL01). ``noqa`` is
deliberately not read: sqlfluff owns ``-- noqa`` in the same files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wsync_lint.contract.suppressions import Suppression, SuppressionEntry
from wsync_lint.engine.config import DIRECTIVE_SETTINGS, validate_setting
from wsync_lint.engine.registry import find_rule
from wsync_lint.errors import UsageError
from wsync_lint.sql.lexicon import Lexicon
from wsync_lint.sql.positions import LineIndex, Span

_DIRECTIVE = re.compile(r"\s*wsync-lint\s*:\s*", re.IGNORECASE)
_ENTRY = re.compile(r"[^\s,]+")
_SETTING = re.compile(r"([^\s=]+)=(\S*)")


@dataclass
class Directives:
    """Everything a file's directive comments say."""

    settings: dict[str, str] = field(default_factory=dict)
    suppressions: list[Suppression] = field(default_factory=list)


def read_directives(text: str, lexicon: Lexicon, lines: LineIndex, path: str) -> Directives:
    """Collect the settings and suppressions written in ``text``'s comments."""
    found = Directives()
    first_code = lexicon.tokens[0].start if lexicon.tokens else len(text)
    for comment in lexicon.comments:
        match = _DIRECTIVE.match(comment.text)
        if not match:
            continue
        body_start = comment.span.end - len(comment.text) if comment.is_line else comment.span.start + 2
        body_start += match.end()
        body = comment.text[match.end() :]
        words = body.split(None, 1)
        keyword = words[0].lower() if words else ""
        rest_offset = body_start + (len(body) - len(words[1]) if len(words) > 1 else len(body))
        rest = words[1] if len(words) > 1 else ""
        if keyword in ("ignore", "ignore-file"):
            entries = [
                _entry(m.group(), Span(rest_offset + m.start(), rest_offset + m.end())) for m in _ENTRY.finditer(rest)
            ]
            line = None if keyword == "ignore-file" else _covered_line(text, lexicon, lines, comment.span)
            found.suppressions.append(Suppression(comment.span, line, entries))
        else:
            line, col = lines.position(comment.span.start)
            where = f"{path}:{line}:{col}"
            if comment.span.start > first_code:
                raise UsageError(f"{where}: a wsync-lint settings comment must come before the query")
            _read_settings(body, where, found.settings)
    return found


def _entry(text: str, span: Span) -> SuppressionEntry:
    rule = find_rule(text)
    return SuppressionEntry(text, span, rule.code if rule else None)


def _read_settings(body: str, where: str, settings: dict[str, str]) -> None:
    for word in body.split():
        match = _SETTING.fullmatch(word)
        if not match:
            raise UsageError(f"{where}: expected key=value in the wsync-lint comment, got {word!r}")
        key, value = match.group(1).replace("-", "_"), match.group(2)
        if key not in DIRECTIVE_SETTINGS:
            raise UsageError(
                f"{where}: unknown key {match.group(1)!r} in the wsync-lint comment "
                f"(known: {', '.join(DIRECTIVE_SETTINGS)}, ignore, ignore-file)"
            )
        settings[key] = validate_setting(key, value, where)


def _covered_line(text: str, lexicon: Lexicon, lines: LineIndex, span: Span) -> int:
    """The line a line suppression covers: its own if code precedes it, else the next with code."""
    line, _ = lines.position(span.start)
    line_start = lines.line_start(line)
    if text[line_start : span.start].strip():
        return line
    for token in lexicon.tokens:
        if token.start >= span.end:
            return lines.position(token.start)[0]
    return line + 1

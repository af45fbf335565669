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

A part of a comment that cannot be read (an unknown key or value, a settings comment after the
query) is a :class:`DirectiveProblem`, which the engine reports as WL02 in that file, at the
``key=value`` it is about; the file is checked as if that one setting were absent. A committed
comment in one model must not stop the run for every other file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wsync_lint.contract.suppressions import Suppression, SuppressionEntry
from wsync_lint.engine.config_values import CHOICE_SETTINGS, DIRECTIVE_SETTINGS, close_match, setting_problem
from wsync_lint.engine.registry import find_rule
from wsync_lint.sql.lexicon import Lexicon
from wsync_lint.sql.positions import LineIndex, Span

_DIRECTIVE = re.compile(r"\s*wsync-lint\s*:\s*", re.IGNORECASE)
_ENTRY = re.compile(r"[^\s,]+")
_WORD = re.compile(r"\S+")
_SETTING = re.compile(r"([^\s=]+)=(\S*)")
SUPPRESSION_KEYWORDS = ("ignore", "ignore-file")
NOT_APPLIED = "so the file is checked without it"


@dataclass(frozen=True)
class DirectiveProblem:
    """A part of a wsync-lint comment that cannot be read: what it set is not applied."""

    span: Span
    """The ``key=value`` (or word) it is about."""
    message: str
    hint: str


@dataclass
class Directives:
    """Everything a file's directive comments say."""

    settings: dict[str, str] = field(default_factory=dict)
    setting_spans: dict[str, Span] = field(default_factory=dict)
    """Where each of ``settings`` was written (its ``key=value``)."""
    suppressions: list[Suppression] = field(default_factory=list)
    problems: list[DirectiveProblem] = field(default_factory=list)

    def drop_setting(self, key: str, message: str, hint: str) -> None:
        """Leave out the setting ``key``, which cannot be applied, and say why at its ``key=value``."""
        self.problems.append(DirectiveProblem(self.setting_spans.pop(key), message, hint))
        del self.settings[key]


def read_directives(text: str, lexicon: Lexicon, lines: LineIndex) -> Directives:
    """Collect the settings and suppressions written in ``text``'s comments, and what in them cannot be read."""
    found = Directives()
    first_code = lexicon.tokens[0].start if lexicon.tokens else len(text)
    for comment in lexicon.comments:
        match = _DIRECTIVE.match(comment.text)
        if not match:
            continue
        body_start = comment.span.end - len(comment.text) if comment.is_line else comment.span.start + 2
        body_start += match.end()
        body = comment.text[match.end() :]
        words = [(m.group(), Span(body_start + m.start(), body_start + m.end())) for m in _WORD.finditer(body)]
        keyword = words[0][0].lower() if words else ""
        if keyword in SUPPRESSION_KEYWORDS:
            rest_offset = words[0][1].end
            rest = body[rest_offset - body_start :]
            entries = [
                _entry(m.group(), Span(rest_offset + m.start(), rest_offset + m.end())) for m in _ENTRY.finditer(rest)
            ]
            line = None if keyword == "ignore-file" else _covered_line(text, lexicon, lines, comment.span)
            found.suppressions.append(Suppression(comment.span, line, entries))
        elif not words:
            found.problems.append(DirectiveProblem(comment.span, "this wsync-lint comment says nothing", _SAYS_WHAT))
        elif "=" not in keyword and (meant := close_match(keyword, SUPPRESSION_KEYWORDS)):
            word, span = words[0]
            found.problems.append(
                DirectiveProblem(span, f"unknown wsync-lint directive {word!r}", f"did you mean `{meant}`?")
            )
        elif comment.span.start > first_code:
            found.problems.append(
                DirectiveProblem(
                    Span(words[0][1].start, words[-1][1].end),
                    "a wsync-lint settings comment must come before the query, so its settings are not applied",
                    "move the comment above the first line of SQL",
                )
            )
        else:
            _read_settings(words, found)
    return found


_SAYS_WHAT = "write settings (`dialect=bigquery`) or a suppression (`ignore ST03`), or remove the comment"


def _entry(text: str, span: Span) -> SuppressionEntry:
    rule = find_rule(text)
    return SuppressionEntry(text, span, rule.code if rule else None)


def _read_settings(words: list[tuple[str, Span]], found: Directives) -> None:
    """Each ``key=value`` of a settings comment: applied when it can be, else a problem at it."""
    for word, span in words:
        match = _SETTING.fullmatch(word)
        if not match:
            known = word.replace("-", "_") in DIRECTIVE_SETTINGS
            hint = f"write `{word}=<value>`" if known else _SAYS_WHAT
            found.problems.append(
                DirectiveProblem(span, f"expected key=value in the wsync-lint comment, got {word!r}", hint)
            )
            continue
        written, value = match.groups()
        key = written.replace("-", "_")
        if key not in DIRECTIVE_SETTINGS:
            meant = close_match(written, DIRECTIVE_SETTINGS)
            message = (
                f"unknown key {written!r} in the wsync-lint comment "
                f"(known: {', '.join(DIRECTIVE_SETTINGS)}, {', '.join(SUPPRESSION_KEYWORDS)}), so it is not applied"
            )
            hint = f"did you mean `{meant}={value}`?" if meant else "remove it"
            found.problems.append(DirectiveProblem(span, message, hint))
            continue
        problem = setting_problem(key, value, written)
        if problem is not None:
            message, meant = problem
            listed = "write one of the values listed" if key in CHOICE_SETTINGS else "correct the value"
            hint = f"did you mean `{written}={meant}`?" if meant else f"{listed}, or remove the setting"
            found.problems.append(DirectiveProblem(span, f"{message}, {NOT_APPLIED}", hint))
            continue
        found.settings[key] = value
        found.setting_spans[key] = span


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

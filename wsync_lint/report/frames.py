"""Code frames: the source line of a finding with a caret under its span, as the text format shows it.

::

       4 |     u.email,
         |     ^^^^^^^

The line is quoted from the text the run read (:attr:`RunResult.sources`), never read again here.
It is printed as the rest of the report is, escaped (:func:`~wsync_lint.printable.one_line`), and
the carets are placed under the escaped text: a tab is expanded to the next multiple of
:data:`TAB_WIDTH` columns, a wide (East Asian W/F) character counts as two columns and a combining
mark as none, an escape (``\\x1b``) as its length. A line wider than :data:`MAX_WIDTH` columns is
trimmed around the span, with ``…`` where text was left out. A span over several lines is
underlined to the end of its first line. No frame is drawn when the text is not known (a file
that could not be read) or the finding has no real position (a whole-file finding at 1:1 with no
span, or a line the text does not have).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from wsync_lint.contract.rule import Violation
from wsync_lint.printable import one_line

TAB_WIDTH = 4
MAX_WIDTH = 100
"""Columns of source shown at most; a longer line is trimmed around the span."""
_CONTEXT = 24
"""Columns kept before the span when a long line is trimmed."""
_ELLIPSIS = "…"

Style = Callable[..., str]


def _cells(line: str) -> list[tuple[str, int]]:
    """Each character of ``line`` as printed (escaped, a tab expanded) and its width in columns."""
    cells = []
    column = 0
    for character in line:
        if character == "\t":
            shown = " " * (TAB_WIDTH - column % TAB_WIDTH)
            width = len(shown)
        else:
            shown = one_line(character)
            width = sum(_width(c) for c in shown)
        cells.append((shown, width))
        column += width
    return cells


def _width(character: str) -> int:
    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def source_line(text: str, line: int) -> str | None:
    """Line ``line`` (1-based) of ``text`` without its line ending, or None when there is none."""
    if line < 1:
        return None
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    found = text[start:] if end == -1 else text[start:end]
    return found.removesuffix("\r")


def has_position(v: Violation) -> bool:
    """Whether the finding points somewhere: not a whole-file finding at 1:1 with no span."""
    return (v.line, v.column, v.end_line, v.end_column) != (1, 1, 1, 1)


def frame_lines(v: Violation, text: str | None, style: Style) -> list[str]:
    """The frame of finding ``v`` in ``text`` (the file's text as read): two lines, or none."""
    if text is None or not has_position(v):
        return []
    line = source_line(text, v.line)
    if line is None:
        return []
    cells = _cells(line)
    start = max(0, min(v.column - 1, len(cells)))
    end = v.end_column - 1 if v.end_line == v.line else len(cells)
    end = max(start, min(end, len(cells)))
    before = sum(width for _, width in cells[:start])
    underlined = sum(width for _, width in cells[start:end])
    shown, before, room = _trimmed(cells, before)
    carets = max(1, min(underlined, room - before))
    number = f"{v.line:>4}"
    gutter = style(f"{number} |", fg="blue", bold=True)
    empty = style(f"{'':>{len(number)}} |", fg="blue", bold=True)
    severity = {"error": "red", "warning": "yellow"}.get(v.severity.value)
    return [
        f"{gutter} {shown}" if shown else gutter,
        f"{empty} {' ' * before}{style('^' * carets, fg=severity, bold=True)}",
    ]


def _trimmed(cells: list[tuple[str, int]], before: int) -> tuple[str, int, int]:
    """The printed line, at most :data:`MAX_WIDTH` columns around the span, the column where the
    span starts in it, and its width."""
    total = sum(width for _, width in cells)
    if total <= MAX_WIDTH:
        return "".join(shown for shown, _ in cells), before, total
    # Start a little before the span, but never so late that the window runs short of the end.
    left = max(0, min(before - _CONTEXT, total - MAX_WIDTH + 1))
    lead = 1 if left else 0
    right = total if total - left + lead <= MAX_WIDTH else left + MAX_WIDTH - lead - 1
    parts: list[str] = [_ELLIPSIS] if left else []
    column, width, first_kept = 0, lead, None
    for shown, cell in cells:
        if column >= left and column + cell <= right:
            first_kept = column if first_kept is None else first_kept
            parts.append(shown)
            width += cell
        column += cell
    if right < total:
        parts.append(_ELLIPSIS)
    start = (first_kept if first_kept is not None else left) - lead
    return "".join(parts), before - start, width

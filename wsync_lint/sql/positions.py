"""Character offsets are the truth; 1-based line and column are presentation.

sqlglot attaches ``meta`` (with ``start``/``end`` offsets, ``end`` inclusive) to identifiers,
literals and functions only, and its ``col`` is the *end* column. So a node's span is the widest
span of its positioned descendants, and everything is converted through one :class:`LineIndex`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class Span:
    """A half-open range of character offsets ``[start, end)`` in a file's text."""

    start: int
    end: int


@dataclass(frozen=True)
class FileSpan:
    """A span in a named file: where a finding of a payload or a cross-file rule points."""

    path: str
    """The file, as displayed."""
    span: Span


class LineIndex:
    """Converts character offsets to 1-based (line, column) pairs.

    >>> LineIndex("ab\\ncd").position(3)
    (2, 1)
    """

    def __init__(self, text: str) -> None:
        self._starts = [0]
        find = text.find
        at = find("\n")
        while at != -1:
            self._starts.append(at + 1)
            at = find("\n", at + 1)
        self._length = len(text)

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, self._length))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column (clamped to the text)."""
        line = max(1, min(line, len(self._starts)))
        return min(self._starts[line - 1] + max(column, 1) - 1, self._length)

    def line_start(self, line: int) -> int:
        """The offset where 1-based ``line`` starts."""
        return self._starts[max(1, min(line, len(self._starts))) - 1]


def node_span(node: exp.Expression) -> Span | None:
    """The span of source text a sqlglot node covers, or None when nothing in it is positioned.

    The span runs from the first to the last positioned descendant (keywords before the first
    positioned child, such as ``CASE``, are not part of it).
    """
    start = end = None
    for sub in node.walk():
        meta = sub._meta  # reading the slot directly avoids creating an empty dict per node
        if meta and "start" in meta:
            s, e = meta["start"], meta["end"] + 1
            if start is None or s < start:
                start = s
            if end is None or e > end:
                end = e
    if start is None:
        return None
    return Span(start, end)

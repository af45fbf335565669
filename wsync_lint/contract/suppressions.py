"""Suppression comments (``-- wsync-lint: ignore ...``) as the engine read them, and what each
suppressed: what WL01 and WL02 see."""

from __future__ import annotations

from dataclasses import dataclass, field

from wsync_lint.sql.positions import Span


@dataclass(frozen=True)
class SuppressionEntry:
    """One code or name in a suppression comment."""

    text: str
    span: Span
    code: str | None
    """The rule's code; None when the text names no rule."""


@dataclass
class Suppression:
    """One ``ignore`` or ``ignore-file`` comment and what it did."""

    span: Span
    line: int | None
    """The line it covers; None for ``ignore-file``."""
    entries: list[SuppressionEntry]
    used: set[str] = field(default_factory=set)
    """Codes of the findings it suppressed (filled in by the engine)."""

    def covers(self, code: str, line: int) -> bool:
        if self.line is not None and self.line != line:
            return False
        if self.line is None and not self.entries:
            return True  # a bare ignore-file covers every rule
        return any(entry.code == code for entry in self.entries)

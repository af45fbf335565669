"""Table names as written: their parts, and where they are in the text.

BigQuery lets one back-quoted identifier hold the whole path (```project.dataset.table```);
everywhere else each part is its own identifier. Rules and the grants report see the parts the
same way through :func:`name_parts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.sql.positions import Span


@dataclass(frozen=True)
class NamePart:
    """One part of a table name: its text and whether it was quoted."""

    name: str
    quoted: bool


def name_parts(name: tuple[exp.Identifier, ...], dialect: str) -> tuple[NamePart, ...]:
    """The parts of a table name, outermost first.

    >>> from sqlglot import parse_one
    >>> table = parse_one("SELECT 1 FROM `p.d.t`", read="bigquery").find(exp.Table)
    >>> [part.name for part in name_parts(tuple(table.parts), "bigquery")]
    ['p', 'd', 't']
    """
    parts: list[NamePart] = []
    for identifier in name:
        if dialect == "bigquery" and identifier.quoted and "." in identifier.name:
            parts.extend(NamePart(piece, True) for piece in identifier.name.split("."))
        else:
            parts.append(NamePart(identifier.name, bool(identifier.quoted)))
    return tuple(parts)


def name_span(name: tuple[exp.Identifier, ...]) -> Span | None:
    """The text of a table name, from its first part to its last (None when unpositioned)."""
    starts = [p._meta["start"] for p in name if p._meta and "start" in p._meta]
    ends = [p._meta["end"] + 1 for p in name if p._meta and "end" in p._meta]
    if not starts:
        return None
    return Span(min(starts), max(ends))

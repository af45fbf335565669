"""The columns a model returns, each with its name and type (TY01, TY02, the ``columns`` command).

A select-list item is typed by the inference (:mod:`wsync_lint.analysis.type_inference`); a ``*`` or
``t.*`` is expanded from the schema snapshot (:mod:`wsync_lint.analysis.schema_columns`), each of its
columns typed as the snapshot spells it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.analysis.attributes import identity_candidate, item_spans, item_text, shorten
from wsync_lint.analysis.column_types import ColumnType, parse_type
from wsync_lint.analysis.output_names import OutputName
from wsync_lint.analysis.schema_columns import expand_stars
from wsync_lint.analysis.type_inference import output_column_types
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.sql.outputs import OutputColumn
from wsync_lint.sql.positions import Span


@dataclass(frozen=True)
class TypedOutput:
    """One column the model returns, with its type: a select-list item, or one column of a ``*``."""

    name: str | None
    """The name the warehouse returns (None when it invents one this cannot predict)."""
    type: ColumnType | None
    column: OutputColumn
    """The select-list item it comes from (the ``*`` for a column a star returns)."""
    expanded: bool = False
    """A column of a ``*``, expanded with the schema snapshot."""
    span: Span | None = None
    """The select-list item's text (None when it is not known)."""

    @property
    def item(self) -> exp.Expression | Span:
        """Where to point for it: the select-list item (its text from its first character)."""
        return self.span if self.span is not None else self.column.item

    def shown(self, ctx: SqlContext) -> str:
        """How messages name it: its name, else (a column the warehouse names itself) its text."""
        if self.name is not None:
            return self.name
        return shorten(item_text(ctx, self.span, self.column.expression, ctx.warehouse.name), 40)


def star_expansions(ctx: SqlContext, query: exp.Query) -> dict[int, list[OutputName]] | None:
    """The columns each ``*`` or ``t.*`` of ``query``'s select list returns, by the item's index,
    as the schema snapshot expands them (modifiers applied); None without a snapshot or when a
    star cannot be expanded (a table the snapshot lacks, a ``*`` of a struct), so that a rule
    reading it says nothing about columns it cannot know. Empty when there is no star."""

    def build() -> dict[int, list[OutputName]] | None:
        columns = ctx.outputs(query)
        stars = [column for column in columns if column.is_star]
        if not stars:
            return {}
        if ctx.schema is None:
            return None
        try:
            expanded = expand_stars(ctx, query)
        except Exception:  # noqa: BLE001
            expanded = None
        if expanded is None:
            return None
        by_item: dict[int, list[OutputName]] = {}
        for entry in expanded:
            by_item.setdefault(id(entry.item), []).append(entry)
        return {column.index: by_item.get(id(column.item), []) for column in stars}

    return ctx.memo(f"typed_outputs.stars.{id(query)}", build)


def typed_outputs(ctx: SqlContext, query: exp.Query) -> list[TypedOutput]:
    """Every column ``query`` returns, with its name and type: ``*`` and ``t.*`` are expanded
    from the schema snapshot when they can be (each column of a star typed as the snapshot
    spells it); a star that cannot be expanded is one entry without name or type."""

    def build() -> list[TypedOutput]:
        columns = ctx.outputs(query)
        types = output_column_types(ctx, query)
        stars: dict[int, list] = {}
        if any(column.is_star for column in columns) and ctx.schema is not None:
            try:
                expanded = expand_stars(ctx, query) or []
            except Exception:  # noqa: BLE001
                expanded = []
            for entry in expanded:
                stars.setdefault(id(entry.item), []).append(entry)
        dialect = ctx.schema.dialect if ctx.schema is not None else ctx.warehouse.name
        spans = item_spans(ctx, query)
        found: list[TypedOutput] = []
        for column, kind in zip(columns, types, strict=False):
            span = spans[column.index] if column.index < len(spans) else None
            if not column.is_star:
                name = identity_candidate(column, ctx.warehouse, ctx.text)
                found.append(TypedOutput(name, kind, column, span=span))
                continue
            entries = stars.get(id(column.item))
            if not entries:
                found.append(TypedOutput(None, None, column, span=span))
                continue
            for entry in entries:
                typed = parse_type(entry.type, dialect, ctx.warehouse) if entry.type else None
                found.append(TypedOutput(entry.name, typed, column, expanded=True, span=span))
        return found

    try:
        return ctx.memo(f"typed_outputs.{id(query)}", build)
    except Exception:  # noqa: BLE001
        return []

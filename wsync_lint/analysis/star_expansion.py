"""What a ``*`` or ``t.*`` returns, given the columns each FROM item supplies.

Which FROM items it covers (a bare ``*``: all of them, a ``USING`` or ``NATURAL`` join's shared
columns once and first, none from the right side of a semi or anti join; ``t.*``: the one its
qualifier names), then its modifiers: ``ILIKE``, ``EXCLUDE`` / ``EXCEPT``, ``REPLACE``, ``RENAME``.
The columns of a FROM item are the caller's to give: :func:`wsync_lint.analysis.schema_columns.source_columns`
knows them from the snapshot, and finds a WITH query's or derived table's through this module in turn
(hence a parameter, not an import).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from sqlglot import exp

from wsync_lint.analysis.from_items import Source, SourceKind
from wsync_lint.analysis.output_names import OutputName, key_of
from wsync_lint.analysis.scope_tree import Scope
from wsync_lint.analysis.scopes import analyse
from wsync_lint.contract.sql_context import SqlContext

SourceColumns = Callable[[Source], "list[OutputName] | None"]
"""The columns a FROM item supplies, in order; None when they are not known."""


def star_columns(
    ctx: SqlContext, scope: Scope, star: exp.Expression, source_columns: SourceColumns
) -> list[OutputName] | None:
    """The columns a ``*`` or ``t.*`` of the SELECT ``scope`` returns, its modifiers applied."""
    base = covered_columns(ctx, scope, star, source_columns)
    if base is None:
        return None
    modifiers = star if isinstance(star, exp.Star) else star.this
    if not isinstance(modifiers, exp.Star):
        return None
    return _apply_modifiers(ctx, base, modifiers)


def covered_columns(
    ctx: SqlContext, scope: Scope, star: exp.Expression, source_columns: SourceColumns
) -> list[OutputName] | None:
    """The columns a ``*`` or ``t.*`` covers before its modifiers; None when not known."""
    analysis = analyse(ctx)
    if isinstance(star, exp.Star):
        return _from_columns(ctx, scope, source_columns)
    if isinstance(star, exp.Column) and isinstance(star.this, exp.Star):
        qualifier = [part for part in star.parts[:-1] if isinstance(part, exp.Identifier)]
        resolution = analysis.resolve(scope, qualifier)
        if resolution is None or resolution.depth or resolution.consumed != len(analysis.name_keys(qualifier)):
            return None
        source = resolution.source
        if source.kind is SourceKind.UNNEST and (
            source.alias is None
            or analysis.key(source.alias) in {analysis.key(column) for column in source.column_aliases}
        ):
            return None  # `x.*` of an UNNEST element: the fields of a struct
        return source_columns(source)
    return None  # `s.field.*`, `(expr).*`: the fields of a struct


def _from_columns(ctx: SqlContext, scope: Scope, source_columns: SourceColumns) -> list[OutputName] | None:
    """What a bare ``*`` returns: every FROM item's columns in order, a ``USING`` or ``NATURAL``
    join's shared columns once and first, no columns of the right side of a semi or anti join."""
    if not scope.sources:
        return None
    analysis = analyse(ctx)
    result: list[OutputName] = []
    for source in scope.sources:
        columns = source_columns(source)
        if columns is None:
            return None
        join = source.join
        if join is None or not result:
            result.extend(columns)
            continue
        if str(join.args.get("kind") or "").upper() in ("SEMI", "ANTI"):
            continue
        shared: list[str] = []
        for used in join.args.get("using") or []:
            identifier = used.this if isinstance(used, exp.Column) else used
            if isinstance(identifier, exp.Identifier):
                shared.append(analysis.key(identifier))
        if str(join.args.get("method") or "").upper() == "NATURAL":
            right = {key_of(ctx, column) for column in columns}
            shared = [k for k in (key_of(ctx, column) for column in result) if k is not None and k in right]
        if not shared:
            result.extend(columns)
            continue
        merged = []
        for key in dict.fromkeys(shared):
            left = next((column for column in result if key_of(ctx, column) == key), None)
            if left is None:
                return None  # a USING column the left side does not have: the query fails
            merged.append(left)
        keys = set(shared)
        result = (
            merged
            + [column for column in result if key_of(ctx, column) not in keys]
            + [column for column in columns if key_of(ctx, column) not in keys]
        )
    return result


def _apply_modifiers(ctx: SqlContext, columns: list[OutputName], star: exp.Star) -> list[OutputName] | None:
    """``* ILIKE 'p'``, ``EXCLUDE``/``EXCEPT (a)``, ``REPLACE (expr AS a)``, ``RENAME (a AS b)``."""
    warehouse = ctx.warehouse
    pattern = star.args.get("ilike")
    if pattern is not None:
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            return None
        matcher = _like_pattern(pattern.this)
        columns = [column for column in columns if column.name is not None and matcher.fullmatch(column.name)]
    excluded = set()
    for node in star.args.get("except_") or []:
        identifier = node.this if isinstance(node, exp.Column) else node
        if not isinstance(identifier, exp.Identifier):
            return None
        excluded.add(warehouse.reference_key(identifier.name, bool(identifier.quoted)))
    if excluded:
        columns = [column for column in columns if key_of(ctx, column) not in excluded]
    for node in star.args.get("replace") or []:
        alias = node.args.get("alias") if isinstance(node, exp.Alias) else None
        if not isinstance(alias, exp.Identifier):
            return None
        wanted = warehouse.reference_key(alias.name, bool(alias.quoted))
        columns = [replace(column, type=None) if key_of(ctx, column) == wanted else column for column in columns]
    for node in star.args.get("rename") or []:
        old = node.this if isinstance(node, exp.Alias) else None
        new = node.args.get("alias") if isinstance(node, exp.Alias) else None
        old = old.this if isinstance(old, exp.Column) else old
        if not isinstance(old, exp.Identifier) or not isinstance(new, exp.Identifier):
            return None
        wanted = warehouse.reference_key(old.name, bool(old.quoted))
        name = warehouse.returned_name(new.name, bool(new.quoted))
        columns = [replace(column, name=name) if key_of(ctx, column) == wanted else column for column in columns]
    return columns


def _like_pattern(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regular expression for a SQL ``LIKE`` pattern (``%``, ``_``, ``\\``)."""
    parts = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)

"""The warehouse tables a data model's SQL reads, for the grants report and the live checks.

They are the sqlglot table references that are not WITH names (table functions, ``UNNEST`` and
path navigation are no tables), less those that need no grant: DUAL, system tables, template
placeholders and file paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.commands.grants_names import Part
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.positions import Span
from wsync_lint.sql.table_names import name_parts, name_span

_REDSHIFT_SYSTEM = re.compile(r"(stl|stv|svl|svv|svcs|stcs|sys|pg)_", re.IGNORECASE)
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog"})


@dataclass(frozen=True)
class TableReference:
    """A warehouse table a model reads: its parts as written and where the name is in the text."""

    parts: tuple[Part, ...]
    span: Span
    written: str
    """The name as the model writes it (``crm."Customers"``)."""


def tables_read(text: str, dialect: str, path: str) -> list[tuple[Part, ...]] | str:
    """The warehouse tables ``text`` reads, each as the parts written (BigQuery's ```p.d.t```
    split in three), in the order they appear in the text; or why they cannot be listed."""
    found = table_references(text, dialect, path)
    return found if isinstance(found, str) else [reference.parts for reference in found]


def table_references(text: str, dialect: str, path: str) -> list[TableReference] | str:
    """:func:`tables_read` with where each reference is written (one entry per reference)."""
    from wsync_lint.analysis.from_items import SourceKind
    from wsync_lint.analysis.scopes import analyse
    from wsync_lint.engine.model_check import FilePlan, analyse_source
    from wsync_lint.sql.file_settings import FileSettings

    display = WAREHOUSES[dialect].display
    _, ctx = analyse_source(text, path, FilePlan(frozenset(), bound=FileSettings(dialect=dialect)))
    if ctx.read_problem is not None:
        return f"{path}: {ctx.read_problem.message}; its tables are not listed"
    if ctx.parse_failure is not None:
        return f"{path} does not parse as {display} SQL; its tables are not listed (`wsync-lint check` says why)"
    found: list[TableReference] = []
    for scope in analyse(ctx).scopes:
        for source in scope.sources:
            if source.kind is SourceKind.TABLE and source.name:
                parts = _parts(source.name, dialect)
                if not _exempt(parts, dialect):
                    span = name_span(source.name) or Span(len(text), len(text))
                    found.append(TableReference(parts, span, text[span.start : span.end]))
    return sorted(found, key=lambda reference: reference.span.start)


def _parts(name: tuple[exp.Identifier, ...], dialect: str) -> tuple[Part, ...]:
    return tuple(Part(part.name, part.quoted) for part in name_parts(name, dialect))


def _exempt(parts: tuple[Part, ...], dialect: str) -> bool:
    """Names that need no grant (or are no table): DUAL, system tables, placeholders, file paths."""
    names = [part.name for part in parts]
    if len(names) == 1 and names[0].lower() == "dual":
        return True
    if any("{" in name or "}" in name for name in names):
        return True  # a template placeholder: PS03 reports it
    if len(names) >= 2 and names[-2].lower() in _SYSTEM_SCHEMAS:
        return True
    if dialect == "databricks" and ("/" in names[-1] or ":" in names[-1]):
        return True  # a file path: delta.`/mnt/data`
    return dialect == "redshift" and len(names) == 1 and _REDSHIFT_SYSTEM.match(names[0]) is not None

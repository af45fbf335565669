"""What mParticle makes of each output column of a model: ``wsync-lint columns``.

For one data model as one pipeline runs it: each output column's final name (after the
warehouse's case folding), its type where it is known (:mod:`wsync_lint.analysis.type_inference`) and its
role: a user or device identity (the reserved names, WS-SQL-18/19), the iterator, or a custom
attribute; for an events pipeline, the field transformation's mapping of the column instead
(WS-FT-10). Everything here is pure: the command line reads the files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsync_lint.analysis.attributes import invented_name, item_text, shorten
from wsync_lint.analysis.column_types import ColumnType
from wsync_lint.analysis.iterators import resolves
from wsync_lint.analysis.typed_outputs import TypedOutput, typed_outputs
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES, Warehouse
from wsync_lint.printable import one_line
from wsync_lint.sql.outputs import OutputColumn

# Role kinds, as the JSON output names them.
USER_IDENTITY = "user_identity"
DEVICE_IDENTITY = "device_identity"
ITERATOR = "iterator"
CUSTOM_ATTRIBUTE = "custom_attribute"
MAPPED = "mapped"
IGNORED = "ignored"
NOT_MAPPED = "not_mapped"
MAPPING_UNKNOWN = "mapping_unknown"
"""An events pipeline whose field transformation is not in the project."""
UNKNOWN = "unknown"
"""The columns of a ``*`` that could not be expanded."""

_USER = frozenset(facts.USER_IDENTITIES)


@dataclass(frozen=True)
class ColumnRow:
    """One column the model returns, as mParticle will use it."""

    name: str | None
    """The name the warehouse returns (None when it invents one this cannot predict)."""
    type: ColumnType | None
    role: str
    identity: str | None = None
    """For an identity column: the reserved identity it maps to."""
    destinations: tuple[str, ...] = ()
    """For an events pipeline: the mParticle fields the field transformation maps it to."""
    note: str | None = None
    """Why the name or role is what it is, when that is not plain (an unaliased expression, a ``*``)."""

    def role_text(self) -> str:
        if self.role == ITERATOR:
            return "iterator" + (f"; mapped to {', '.join(self.destinations)}" if self.destinations else "")
        if self.role in (USER_IDENTITY, DEVICE_IDENTITY):
            return f"{'user' if self.role == USER_IDENTITY else 'device'} identity {self.identity}"
        if self.role == MAPPED:
            return f"mapped to {', '.join(self.destinations)}"
        return {
            CUSTOM_ATTRIBUTE: "custom attribute",
            IGNORED: "ignored (mapping_type ignore)",
            NOT_MAPPED: "not mapped",
            MAPPING_UNKNOWN: "mapping unknown",
        }.get(self.role, "unknown")

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type.written if self.type is not None else None,
            "canonical_type": self.type.name if self.type is not None else None,
            "role": self.role,
            "identity": self.identity,
            "destinations": list(self.destinations),
            "note": self.note,
        }


@dataclass
class ColumnsReport:
    """The columns of one data model as one pipeline (or no pipeline) uses them."""

    data_model: str | None
    dialect: str
    pipeline: str | None = None
    connection: str | None = None
    pipeline_type: str | None = None
    iterator_field: str | None = None
    iterator_data_type: str | None = None
    schema: str | None = None
    """The schema snapshot, as displayed (None without one)."""
    rows: list[ColumnRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sql_file: str | None = None
    """For a .sql file no data model links: the file, as displayed."""

    def header(self) -> list[str]:
        display = WAREHOUSES[self.dialect].display
        model = f"data model {self.data_model}" if self.data_model else "data model (no id)"
        if self.sql_file is not None and self.data_model is None:
            first = f"{self.sql_file} (no data model links it): {display}"
        elif self.pipeline is None:
            first = f"{model} (no pipeline uses it): {display}"
        else:
            connection = f"{display} connection {self.connection}" if self.connection else f"{display} (no connection)"
            first = f"pipeline {self.pipeline}: {model}, {connection}"
        details = [f"pipeline type {self.pipeline_type or '(unknown)'}"]
        if self.iterator_field:
            details.append(
                f"iterator {self.iterator_field}" + (f" ({self.iterator_data_type})" if self.iterator_data_type else "")
            )
        details.append(f"types from {self.schema}" if self.schema else "no schema snapshot")
        return [first, "; ".join(details)]

    def as_text(self) -> str:
        """The report as text: a header, the notes and the table, one line each.

        Names, ids, paths and notes come from the project's files: each line and each cell is
        made one printable line (:func:`~wsync_lint.printable.one_line`), so that a newline in an
        alias cannot forge a row and an escape sequence cannot drive the terminal; cells are
        escaped before the columns are aligned, so the table stays aligned.
        """
        lines = [one_line(line) for line in self.header()]
        lines.extend(one_line(f"note: {note}") for note in self.notes)
        if self.rows:
            table = [("column", "type", "role")]
            for row in self.rows:
                role = row.role_text() + (f" ({row.note})" if row.note else "")
                cells = (row.name or "?", row.type.written if row.type is not None else "(unknown)", role)
                table.append(tuple(one_line(cell) for cell in cells))
            widths = [max(len(cells[i]) for cells in table) for i in range(2)]
            lines.append("")
            lines.extend(
                f"{cells[0].ljust(widths[0])}  {cells[1].ljust(widths[1])}  {cells[2]}".rstrip() for cells in table
            )
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "data_model": self.data_model,
            "connection": self.connection,
            "dialect": self.dialect,
            "sql_file": self.sql_file,
            "pipeline_type": self.pipeline_type,
            "iterator_field": self.iterator_field,
            "iterator_data_type": self.iterator_data_type,
            "schema": self.schema,
            "notes": list(self.notes),
            "columns": [row.as_json() for row in self.rows],
        }


def column_rows(ctx: SqlContext, mappings: Sequence[object] | None) -> tuple[list[ColumnRow], list[str]]:
    """Each output column of the model ``ctx`` holds, with its role; and notes on what could not
    be told. ``mappings`` is the events pipeline's field transformation's ``mappings`` (None when
    the pipeline is no events pipeline, or its field transformation is unknown)."""
    display = ctx.warehouse.display
    if ctx.read_problem is not None:
        return [], [f"the model cannot be read: {ctx.read_problem.message}"]
    if ctx.parse_failure is not None:
        return [], [f"the model does not parse as {display} SQL: `wsync-lint check` says where"]
    if len(ctx.statements) != 1 or len(ctx.queries) != 1:
        return [], ["the model is not one query, so its output columns are unknown"]
    query = ctx.queries[0]
    outputs = typed_outputs(ctx, query)
    events = ctx.settings.pipeline_type == facts.PIPELINE_TYPE_EVENTS
    iterator = (ctx.settings.iterator_field or "").strip()
    notes: list[str] = []
    names = _names(ctx, outputs)
    rows = []
    for output, (name, note) in zip(outputs, names, strict=True):
        if output.column.is_star and not output.expanded:
            rows.append(ColumnRow(None, None, UNKNOWN, note=note))
            continue
        destinations, ignored = _mapped(name, output.column, mappings or (), ctx.warehouse) if name else ((), False)
        if iterator and name is not None and resolves(ctx.warehouse, iterator, name):
            rows.append(ColumnRow(name, output.type, ITERATOR, destinations=destinations, note=note))
        elif events:
            role = (
                MAPPED
                if destinations
                else IGNORED
                if ignored
                else NOT_MAPPED
                if mappings is not None
                else MAPPING_UNKNOWN
            )
            rows.append(ColumnRow(name, output.type, role, destinations=destinations, note=note))
        else:
            identity = facts.identity_of(name) if name is not None else None
            if identity is not None:
                role = USER_IDENTITY if identity in _USER else DEVICE_IDENTITY
                rows.append(ColumnRow(name, output.type, role, identity=identity, note=note))
            else:
                rows.append(ColumnRow(name, output.type, CUSTOM_ATTRIBUTE, note=note))
    if any(row.role == UNKNOWN for row in rows):
        notes.append(
            "a `*` could not be expanded: its columns are unknown without the tables in the schema snapshot"
            if ctx.schema is not None
            else "a `*` could not be expanded: its columns are unknown without a schema snapshot"
        )
    return rows, notes


def _names(ctx: SqlContext, outputs: list[TypedOutput]) -> list[tuple[str | None, str | None]]:
    """The name the warehouse returns for each output, and a note when that is not plain."""
    warehouse = ctx.warehouse
    unnamed = 0
    found: list[tuple[str | None, str | None]] = []
    for output in outputs:
        column = output.column
        if column.is_star:
            found.append((output.name, "from `*`") if output.expanded else (None, "`*` not expanded"))
            continue
        if column.returned_name is not None:
            found.append((column.returned_name, None))
            continue
        if output.name is not None:  # a struct field's last part, a Redshift cast's operand
            found.append((output.name, f"no alias: {warehouse.display} names it"))
            unnamed += 1
            continue
        text = item_text(ctx, output.span, column.expression, warehouse.name)
        invented = invented_name(warehouse, column.expression, text, unnamed, ctx.text)
        unnamed += 1
        if invented is not None:
            found.append((invented, f"no alias: {warehouse.display} names it"))
        else:
            found.append((None, f"no alias: {warehouse.display} invents a name for `{shorten(text, 40)}`"))
    return found


def _mapped(
    name: str, column: OutputColumn, mappings: Sequence[object], warehouse: Warehouse
) -> tuple[tuple[str, ...], bool]:
    """The destinations the field transformation maps the column to, and whether an `ignore`
    mapping names it (sources compared as CN05 compares them)."""
    destinations: list[str] = []
    ignored = False
    for mapping in mappings:
        if not isinstance(mapping, Mapping):
            continue
        source = mapping.get("source")
        if not isinstance(source, str) or not _names_column(source, name, column, warehouse):
            continue
        kind = mapping.get("mapping_type")
        destination = mapping.get("destination")
        if kind == "column" and isinstance(destination, str) and destination:
            destinations.append(destination)
        elif kind == "ignore":
            ignored = True
    return tuple(dict.fromkeys(destinations)), ignored


def _names_column(source: str, name: str, column: OutputColumn, warehouse: Warehouse) -> bool:
    if source == name:
        return True
    # A bare column comes back as the table spells it, which a case-preserving warehouse may
    # spell otherwise than the SQL: names the warehouse resolves alike are the same column there.
    return not column.aliased and warehouse.column_key(source) == warehouse.column_key(name)

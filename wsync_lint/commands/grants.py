"""The `wsync-lint grants` report: one block of grants per connection that pipelines use.

For every such connection the tables its data models read are listed, qualified with the
connection's defaults where the model leaves parts out, and turned into the statements of
mParticle's setup scripts (:mod:`wsync_lint.commands.grants_statements`). The caller reads the
models' SQL and prints the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsync_lint.commands.grants_names import Part
from wsync_lint.commands.grants_statements import ConnectionGrants, Statement, add_statements
from wsync_lint.commands.model_tables import tables_read
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.printable import one_line
from wsync_lint.project.project import Binding
from wsync_lint.project.resources import Resource
from wsync_lint.sql.reading import ReadProblem


@dataclass(frozen=True)
class ModelUse:
    """A data model whose tables a block grants, and the pipelines that run it."""

    data_model: str
    sql: str | None
    """Where its SQL is: the file, or the payload for an inline query (None: it names none)."""
    pipelines: tuple[str, ...]

    def as_text(self) -> str:
        noun = "pipeline" if len(self.pipelines) == 1 else "pipelines"
        where = f": {self.sql}" if self.sql else ""
        return f"data model {self.data_model}{where} ({noun} {', '.join(self.pipelines)})"


@dataclass
class GrantBlock:
    """The grants of one connection."""

    connection: str
    path: str
    service_provider: str
    dialect: str
    grantee_kind: str
    """``role``, ``user``, ``service account`` or ``share``."""
    grantee: str
    models: list[ModelUse] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)
    """What mParticle's setup creates once and no statement here can (a password, its ids)."""

    def as_text(self) -> str:
        lines = [f"-- connection {self.connection} ({self.service_provider}), {self.grantee_kind} {self.grantee}"]
        lines.extend(f"-- {model.as_text()}" for model in self.models)
        lines.extend(f"-- note: {note}" for note in self.notes)
        lines.extend(f"-- setup: {step}" for step in self.setup)
        for statement in self.statements:
            lines.append(statement.text + (";" if statement.language == "sql" else ""))
        # Names come from the files: one of them holding a newline must not split a statement
        # that people paste into a console.
        return "\n".join(one_line(line) for line in lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "path": self.path,
            "service_provider": self.service_provider,
            "dialect": self.dialect,
            "grantee": {"kind": self.grantee_kind, "name": self.grantee},
            "data_models": [
                {"data_model": m.data_model, "sql": m.sql, "pipelines": list(m.pipelines)} for m in self.models
            ],
            "tables": list(self.tables),
            "statements": [{"language": s.language, "text": s.text} for s in self.statements],
            "notes": list(self.notes),
            "setup": list(self.setup),
        }


@dataclass
class GrantsReport:
    """What `wsync-lint grants` prints: the blocks, and the pipelines none of them covers."""

    blocks: list[GrantBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """About pipelines no block covers (connection missing or of no known warehouse)."""

    def as_text(self) -> str:
        parts = [f"-- note: {one_line(note)}\n" for note in self.notes]
        if parts and self.blocks:
            parts.append("\n")
        parts.append("\n".join(block.as_text() for block in self.blocks))
        return "".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {"connections": [block.as_json() for block in self.blocks], "notes": list(self.notes)}


ReadSql = Callable[[Resource], "tuple[str, str | ReadProblem] | None"]
"""A data model -> where its SQL is (for messages) and its text; None when it names no SQL."""


def grant_report(bindings: Sequence[Binding], read_sql: ReadSql, databricks_share: str | None = None) -> GrantsReport:
    """One block per connection that pipelines use, in connection-id order."""
    report = GrantsReport()
    by_connection: dict[int, list[Binding]] = {}
    connections: dict[int, Resource] = {}
    for binding in bindings:
        if binding.connection is None:
            report.notes.append(
                f"pipeline {binding.pipeline.id or '(no id)'}: its connection "
                f"{_shown_id(binding.pipeline.get('connection_id'))} is not in the project, so its grants are unknown"
            )
            continue
        if binding.dialect is None:
            provider = binding.connection.get("service_provider")
            report.notes.append(
                f"connection {binding.connection.id or '(no id)'}: service_provider {_shown_id(provider)} "
                f"names no known warehouse ({', '.join(facts.SERVICE_PROVIDERS)}), so its grants are unknown"
            )
            continue
        by_connection.setdefault(id(binding.connection), []).append(binding)
        connections[id(binding.connection)] = binding.connection
    for key in sorted(connections, key=lambda k: (connections[k].id or "", connections[k].path)):
        report.blocks.append(_block(connections[key], by_connection[key], read_sql, databricks_share))
    report.notes = list(dict.fromkeys(report.notes))
    return report


def _shown_id(value: object) -> str:
    return f"`{value}`" if isinstance(value, str) else "(none)"


def _block(connection: Resource, bindings: list[Binding], read_sql: ReadSql, share: str | None) -> GrantBlock:
    dialect = bindings[0].dialect or "snowflake"
    builder = ConnectionGrants(connection, dialect)
    models: list[ModelUse] = []
    read: list[tuple[Part, ...]] = []
    seen_models: dict[int, list[str]] = {}
    for binding in bindings:
        seen_models.setdefault(id(binding.model), []).append(binding.pipeline.id or "(no id)")
    done: set[int] = set()
    for binding in bindings:
        model = binding.model
        if id(model) in done:
            continue
        done.add(id(model))
        pipelines = tuple(sorted(dict.fromkeys(seen_models[id(model)])))
        found = read_sql(model)
        if found is None:
            models.append(ModelUse(model.id or "(no id)", None, pipelines))
            builder.note(f"data model {model.id or '(no id)'} has no config.sql_query or config.sql_file")
            continue
        shown, text = found
        models.append(ModelUse(model.id or "(no id)", shown, pipelines))
        if isinstance(text, ReadProblem):
            builder.note(f"data model {model.id or '(no id)'}: {shown}: {text.message}; its tables are not listed")
            continue
        tables = tables_read(text, dialect, shown)
        if isinstance(tables, str):
            builder.note(f"data model {model.id or '(no id)'}: {tables}")
            continue
        read.extend(tables)
    grantee_kind, grantee = add_statements(builder, read, share)
    return GrantBlock(
        connection=connection.id or "(no id)",
        path=connection.path,
        service_provider=WAREHOUSES[dialect].display,
        dialect=dialect,
        grantee_kind=grantee_kind,
        grantee=grantee,
        models=sorted(models, key=lambda m: (m.data_model, m.sql or "")),
        tables=builder.ordered_tables(),
        statements=builder.ordered(),
        notes=builder.notes,
        setup=builder.setup,
    )

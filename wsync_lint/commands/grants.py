"""The warehouse-side grants each connection's mParticle user or role needs (catalogue 2.11).

For every connection that pipelines use, the tables its data models read are listed (sqlglot
table references that are not WITH names; table functions, ``UNNEST`` and path navigation are
no tables), qualified with the connection's defaults where the model leaves parts out, and
turned into the statements of mParticle's setup scripts:

- Snowflake (EX-SQL-10): ``GRANT USAGE`` on the warehouse, each database and schema, then
  ``GRANT SELECT ON TABLE`` per table and ``GRANT ROLE ... TO USER``;
- Redshift (EX-SQL-12): ``GRANT USAGE ON SCHEMA`` and ``GRANT SELECT ON TABLE`` to the user;
- BigQuery (WS-GRANT-BQ-01..03): ``roles/bigquery.jobUser`` on the project (a gcloud command),
  ``roles/bigquery.dataViewer`` and ``roles/bigquery.user`` on every dataset (BigQuery DCL);
- Databricks (WS-GRANT-DBX-04/05, GAP-9): ``ALTER SHARE ... ADD TABLE`` per table, then the
  share granted to mParticle's recipient.

Identifiers are quoted only where the warehouse needs it. Everything here is pure: the caller
reads the models' SQL and prints the blocks.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.project.project import Binding
from wsync_lint.project.resources import Resource
from wsync_lint.sql.positions import Span
from wsync_lint.sql.reading import ReadProblem
from wsync_lint.sql.table_names import name_parts, name_span

# WS-GRANT-DBX-02: "mParticle_{YOUR-DATA-POD}, where {YOUR-DATA-POD} is either us1, us2, eu1, or au1".
DATABRICKS_RECIPIENT = "mParticle_<pod>"

_REDSHIFT_SYSTEM = re.compile(r"(stl|stv|svl|svv|svcs|stcs|sys|pg)_", re.IGNORECASE)
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog"})
_PLAIN_CHARACTERS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Part:
    """One part of a dotted name: as written, and whether it was quoted."""

    name: str
    quoted: bool = False

    @staticmethod
    def setting(value: str) -> Part:
        """A name from a connection's config: unquoted, unless its characters need quotes."""
        return Part(value, quoted=_PLAIN_CHARACTERS.fullmatch(value) is None)


@dataclass(frozen=True)
class Statement:
    """One statement of a block: SQL for the warehouse, or a shell command."""

    text: str
    language: str = "sql"
    rank: int = 0
    """Position in the block: usage grants come before select grants."""
    key: tuple[str, ...] = ()
    """Equal keys grant the same thing (names compared as the warehouse compares them)."""


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

    def as_text(self) -> str:
        lines = [f"-- connection {self.connection} ({self.service_provider}), {self.grantee_kind} {self.grantee}"]
        lines.extend(f"-- {model.as_text()}" for model in self.models)
        lines.extend(f"-- note: {note}" for note in self.notes)
        for statement in self.statements:
            lines.append(statement.text + (";" if statement.language == "sql" else ""))
        return "\n".join(lines) + "\n"

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
        }


@dataclass
class GrantsReport:
    blocks: list[GrantBlock] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """About pipelines no block covers (connection missing or of no known warehouse)."""

    def as_text(self) -> str:
        parts = [f"-- note: {note}\n" for note in self.notes]
        if parts and self.blocks:
            parts.append("\n")
        parts.append("\n".join(block.as_text() for block in self.blocks))
        return "".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {"connections": [block.as_json() for block in self.blocks], "notes": list(self.notes)}


# -- the tables a model reads ---------------------------------------------------------------------


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
    from wsync_lint.analysis.scopes import SourceKind, analyse
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


# -- identifiers ----------------------------------------------------------------------------------


@cache
def _plain(name: str, dialect: str) -> bool:
    """Whether ``name`` can be written without quotes: letters, digits and ``_``, and no keyword."""
    if not _PLAIN_CHARACTERS.fullmatch(name):
        return False
    tokens = Dialect.get_or_raise(dialect).tokenize(name)
    if len(tokens) != 1 or tokens[0].token_type is not TokenType.VAR:
        return False
    reserved = getattr(Dialect.get_or_raise(dialect).generator_class, "RESERVED_KEYWORDS", set())
    return name.lower() not in reserved


def identifier(part: Part, dialect: str) -> exp.Identifier:
    """The identifier for ``part``, quoted only where the warehouse needs it.

    A quoted name stays quoted where quoting changes what it names (Snowflake ``"users"``, Redshift
    ``"Sales"`` with case-sensitive identifiers); a name that cannot be written plainly is quoted
    as the warehouse would resolve it.

    >>> identifier(Part("USERS", quoted=True), "snowflake").sql("snowflake")
    'USERS'
    >>> identifier(Part("users", quoted=True), "snowflake").sql("snowflake")
    '"users"'
    >>> identifier(Part("date"), "snowflake").sql("snowflake")
    '"DATE"'
    """
    warehouse = WAREHOUSES[dialect]
    if part.quoted and (
        warehouse.returned_name(part.name, False) != warehouse.returned_name(part.name, True)
        # Redshift folds quoted names too, unless enable_case_sensitive_identifier is on: then
        # the quotes matter, and they never hurt.
        or (warehouse.folds_quoted and part.name != warehouse.fold(part.name))
    ):
        return exp.to_identifier(part.name, quoted=True)
    if _plain(part.name, dialect):
        return exp.to_identifier(part.name, quoted=False)
    name = part.name if part.quoted else warehouse.returned_name(part.name, False)
    return exp.to_identifier(name, quoted=True)


def _key(parts: Sequence[Part], dialect: str) -> tuple[str, ...]:
    """How the warehouse tells names apart (BigQuery dataset and table names are case-sensitive)."""
    if dialect == "bigquery":
        return tuple(part.name for part in parts)
    warehouse = WAREHOUSES[dialect]
    return tuple(warehouse.reference_key(part.name, part.quoted) for part in parts)


def _name(parts: Sequence[Part], dialect: str) -> exp.Table:
    """A dotted name as a sqlglot table (outermost part first)."""
    identifiers = [identifier(part, dialect) for part in parts]
    table = exp.Table(this=identifiers[-1])
    if len(identifiers) >= 2:
        table.set("db", identifiers[-2])
    if len(identifiers) >= 3:
        table.set("catalog", identifiers[-3])
    return table


def _sql_name(parts: Sequence[Part], dialect: str) -> str:
    return _name(parts, dialect).sql(dialect=dialect)


def _grant(privilege: str, kind: str, on: exp.Expression, grantee: Part, grantee_kind: str | None, dialect: str) -> str:
    node = exp.Grant(
        privileges=[exp.GrantPrivilege(this=exp.Var(this=privilege))],
        kind=kind,
        securable=on,
        principals=[exp.GrantPrincipal(this=identifier(grantee, dialect), kind=grantee_kind)],
    )
    return node.sql(dialect=dialect)


# -- blocks -----------------------------------------------------------------------------------------

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


class _Builder:
    """Collects one connection's statements, deduplicated."""

    def __init__(self, connection: Resource, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.statements: dict[tuple[str, ...], Statement] = {}
        self.notes: list[str] = []
        self.tables: dict[tuple[str, ...], str] = {}

    def config(self, key: str) -> str | None:
        value = self.connection.get("config", key)
        return value if isinstance(value, str) and value.strip() else None

    def add(self, statement: Statement) -> None:
        """Add a statement unless an equal one is in (the first spelling of a name is kept)."""
        self.statements.setdefault(statement.key, statement)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def table(self, parts: Sequence[Part]) -> None:
        self.tables.setdefault(_key(parts, self.dialect), _sql_name(parts, self.dialect))

    def ordered(self) -> list[Statement]:
        return sorted(self.statements.values(), key=lambda s: (s.rank, _sort_text(s.text), s.text))


def _sort_text(text: str) -> str:
    """Alphabetical order ignores case and identifier quotes."""
    return text.casefold().replace('"', "").replace("`", "")


def _block(connection: Resource, bindings: list[Binding], read_sql: ReadSql, share: str | None) -> GrantBlock:
    dialect = bindings[0].dialect or "snowflake"
    builder = _Builder(connection, dialect)
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
    grantee_kind, grantee = _STATEMENTS[dialect](builder, read, share)
    return GrantBlock(
        connection=connection.id or "(no id)",
        path=connection.path,
        service_provider=WAREHOUSES[dialect].display,
        dialect=dialect,
        grantee_kind=grantee_kind,
        grantee=grantee,
        models=sorted(models, key=lambda m: (m.data_model, m.sql or "")),
        tables=sorted(builder.tables.values(), key=lambda t: (_sort_text(t), t)),
        statements=builder.ordered(),
        notes=builder.notes,
    )


def _setting_or_placeholder(builder: _Builder, key: str, placeholder: str, what: str) -> Part:
    value = builder.config(key)
    if value is not None:
        return Part.setting(value)
    builder.note(f"the connection has no config.{key}: replace {placeholder} with {what}")
    return Part(placeholder, quoted=True)


def _snowflake(builder: _Builder, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "snowflake"
    role = _setting_or_placeholder(builder, "role", "<role>", "the role mParticle uses")
    warehouse = _setting_or_placeholder(builder, "warehouse", "<warehouse>", "the warehouse mParticle runs on")
    database_setting = builder.config("database")
    database = Part.setting(database_setting) if database_setting else None

    def usage(kind: str, rank: int, parts: Sequence[Part]) -> None:
        on = _name(parts, dialect)
        builder.add(
            Statement(_grant("USAGE", kind, on, role, "ROLE", dialect), rank=rank, key=(kind, *_key(parts, dialect)))
        )

    usage("WAREHOUSE", 0, [warehouse])
    if database is not None:
        usage("DATABASE", 1, [database])
    for parts in read:
        if len(parts) == 2 and database is not None:
            parts = (database, *parts)
        if len(parts) >= 3:
            parts = parts[-3:]
            usage("DATABASE", 1, parts[:1])
            usage("SCHEMA", 2, parts[:2])
        elif len(parts) == 2:
            builder.note(
                f"{_sql_name(parts, dialect)} names no database and the connection has no config.database: "
                "qualify it in the model (RF01)"
            )
        else:
            builder.note(
                f"{_sql_name(parts, dialect)} names no schema: Snowflake resolves it in the session's current schema, "
                "so its USAGE grants are unknown; qualify it in the model (RF01)"
            )
        builder.table(parts)
        on = _name(parts, dialect)
        builder.add(
            Statement(
                _grant("SELECT", "TABLE", on, role, "ROLE", dialect), rank=3, key=("SELECT", *_key(parts, dialect))
            )
        )
    user = builder.config("user")
    if user is not None:
        role_sql = identifier(role, dialect).sql(dialect=dialect)
        user_sql = identifier(Part.setting(user), dialect).sql(dialect=dialect)
        builder.add(Statement(f"GRANT ROLE {role_sql} TO USER {user_sql}", rank=4, key=("ROLE",)))
    if read:
        builder.note("for a view, Snowflake expects GRANT SELECT ON VIEW instead of ON TABLE")
    return "role", identifier(role, dialect).sql(dialect=dialect)


def _redshift(builder: _Builder, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "redshift"
    user = _setting_or_placeholder(builder, "user", "<user>", "the user mParticle connects as")
    database = builder.config("database")
    for parts in read:
        if len(parts) == 1:
            builder.note(
                f"{_sql_name(parts, dialect)} names no schema: Redshift looks it up in the user's search_path "
                "('$user', public by default); public assumed"
            )
            parts = (Part("public"), *parts)
        elif len(parts) >= 3:
            other = parts[-3]
            if database is None or _key([other], dialect) != _key([Part.setting(database)], dialect):
                builder.note(
                    f"{_sql_name(parts[-3:], dialect)} is in database {identifier(other, dialect).sql(dialect=dialect)}"
                    f"{'' if database is None else f', not the connection database {database}'}: "
                    "run its grants connected to that database"
                )
            parts = parts[-2:]
        schema = parts[:1]
        builder.add(
            Statement(
                _grant("USAGE", "SCHEMA", _name(schema, dialect), user, None, dialect),
                rank=0,
                key=("SCHEMA", *_key(schema, dialect)),
            )
        )
        builder.table(parts)
        builder.add(
            Statement(
                _grant("SELECT", "TABLE", _name(parts, dialect), user, None, dialect),
                rank=1,
                key=("SELECT", *_key(parts, dialect)),
            )
        )
    return "user", identifier(user, dialect).sql(dialect=dialect)


def _bigquery(builder: _Builder, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "bigquery"
    account = builder.config("service_account_id")
    if account is None:
        builder.note("the connection has no config.service_account_id: replace <service-account> with its e-mail")
        account = "<service-account>"
    project = _setting_or_placeholder(builder, "project_id", "<project>", "the GCP project mParticle runs jobs in")
    dataset_setting = builder.config("dataset_id")
    member = f"serviceAccount:{account}"
    for role in facts.BIGQUERY_PROJECT_ROLES:
        command = (
            f"gcloud projects add-iam-policy-binding {shlex.quote(project.name)} "
            f"--member={shlex.quote(member)} --role={shlex.quote(role)}"
        )
        builder.add(Statement(command, language="shell", rank=0, key=("PROJECT", project.name, role)))
    roles = ", ".join(
        identifier(Part(role, True), dialect).sql(dialect=dialect) for role in facts.BIGQUERY_DATASET_ROLES
    )
    principal = f'"{member}"' if re.fullmatch(r'[^"\\\n]*', member) else exp.Literal.string(member).sql(dialect)

    def dataset(parts: Sequence[Part]) -> None:
        grant = f"GRANT {roles} ON SCHEMA {_sql_name(parts, dialect)} TO {principal}"
        builder.add(Statement(grant, rank=1, key=("SCHEMA", *_key(parts, dialect))))

    if dataset_setting is not None:
        dataset([project, Part.setting(dataset_setting)])
    for parts in read:
        if len(parts) == 1:
            if dataset_setting is None:
                builder.note(
                    f"{_sql_name(parts, dialect)} names no dataset and the connection has no config.dataset_id: "
                    "qualify it in the model (RF01)"
                )
                builder.table(parts)
                continue
            builder.note(
                f"{_sql_name(parts, dialect)} names no dataset: assumed the connection's dataset "
                f"{dataset_setting} (config.dataset_id); qualify it in the model (RF01)"
            )
            parts = (Part.setting(dataset_setting), *parts)
        if len(parts) == 2:
            parts = (project, *parts)
        parts = parts[-3:]
        builder.table(parts)
        dataset(parts[:2])
    builder.note("the project role is granted with gcloud (run it in a shell); the dataset roles with BigQuery DCL")
    return "service account", account


def _databricks(builder: _Builder, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "databricks"
    if share is None:
        builder.note(
            f"replace the share name {facts.DATABRICKS_SHARE_NAME} with mparticle_<your mParticle org id>_<account id>, "
            "or pass --databricks-share"
        )
    share_sql = identifier(Part.setting(share or facts.DATABRICKS_SHARE_NAME), dialect).sql(dialect=dialect)
    schema = builder.config("schema")
    for parts in read:
        if len(parts) == 1 and schema is not None:
            parts = (Part.setting(schema), *parts)
        if len(parts) < 3:
            builder.note(
                f"{_sql_name(parts, dialect)} names no catalog: ALTER SHARE resolves it in the current catalog "
                "where you run it; qualify it as catalog.schema.table"
            )
        parts = parts[-3:]
        builder.table(parts)
        builder.add(
            Statement(
                f"ALTER SHARE {share_sql} ADD TABLE {_sql_name(parts, dialect)}",
                rank=0,
                key=("TABLE", *_key(parts, dialect)),
            )
        )
    recipient = identifier(Part.setting(DATABRICKS_RECIPIENT), dialect).sql(dialect=dialect)
    builder.add(Statement(f"GRANT SELECT ON SHARE {share_sql} TO RECIPIENT {recipient}", rank=1, key=("RECIPIENT",)))
    builder.note(f"replace <pod> in the recipient {DATABRICKS_RECIPIENT} with us1, us2, eu1 or au1")
    return "share", share_sql


_STATEMENTS: dict[str, Callable[[_Builder, list[tuple[Part, ...]], str | None], tuple[str, str]]] = {
    "snowflake": _snowflake,
    "redshift": _redshift,
    "bigquery": _bigquery,
    "databricks": _databricks,
}

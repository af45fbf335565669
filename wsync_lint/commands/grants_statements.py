"""The per-warehouse catalogue of grant statements, after mParticle's setup scripts (catalogue 2.11).

- Snowflake (EX-SQL-10): ``GRANT USAGE`` on the warehouse, each database and schema, then
  ``GRANT SELECT ON TABLE`` per table and ``GRANT ROLE ... TO USER``;
- Redshift (EX-SQL-12): ``GRANT USAGE ON SCHEMA`` and ``GRANT SELECT ON TABLE`` to the user;
- BigQuery (WS-GRANT-BQ-01..03): ``roles/bigquery.jobUser`` on the project (a gcloud command),
  ``roles/bigquery.dataViewer`` and ``roles/bigquery.user`` on every dataset (BigQuery DCL);
- Databricks (WS-GRANT-DBX-04/05, GAP-9): ``ALTER SHARE ... ADD TABLE`` per table, then the
  share granted to mParticle's recipient.

Tables a model leaves partly unqualified are completed with the connection's defaults where the
warehouse would; where it cannot be known, a note says what to do.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.commands.grants_names import Part, grant_sql, identifier, name_key, sql_name, table_expression
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Resource

# WS-GRANT-DBX-02: "mParticle_{YOUR-DATA-POD}, where {YOUR-DATA-POD} is either us1, us2, eu1, or au1".
DATABRICKS_RECIPIENT = "mParticle_<pod>"


@dataclass(frozen=True)
class Statement:
    """One statement of a block: SQL for the warehouse, or a shell command."""

    text: str
    language: str = "sql"
    rank: int = 0
    """Position in the block: usage grants come before select grants."""
    key: tuple[str, ...] = ()
    """Equal keys grant the same thing (names compared as the warehouse compares them)."""


class ConnectionGrants:
    """Collects one connection's statements, notes and tables, deduplicated."""

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
        self.tables.setdefault(name_key(parts, self.dialect), sql_name(parts, self.dialect))

    def ordered(self) -> list[Statement]:
        return sorted(self.statements.values(), key=lambda s: (s.rank, _sort_text(s.text), s.text))

    def ordered_tables(self) -> list[str]:
        return sorted(self.tables.values(), key=lambda t: (_sort_text(t), t))


def _sort_text(text: str) -> str:
    """Alphabetical order ignores case and identifier quotes."""
    return text.casefold().replace('"', "").replace("`", "")


def _setting_or_placeholder(builder: ConnectionGrants, key: str, placeholder: str, what: str) -> Part:
    value = builder.config(key)
    if value is not None:
        return Part.setting(value)
    builder.note(f"the connection has no config.{key}: replace {placeholder} with {what}")
    return Part(placeholder, quoted=True)


def _snowflake(builder: ConnectionGrants, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "snowflake"
    role = _setting_or_placeholder(builder, "role", "<role>", "the role mParticle uses")
    warehouse = _setting_or_placeholder(builder, "warehouse", "<warehouse>", "the warehouse mParticle runs on")
    database_setting = builder.config("database")
    database = Part.setting(database_setting) if database_setting else None

    def usage(kind: str, rank: int, parts: Sequence[Part]) -> None:
        on = table_expression(parts, dialect)
        builder.add(
            Statement(
                grant_sql("USAGE", kind, on, role, "ROLE", dialect), rank=rank, key=(kind, *name_key(parts, dialect))
            )
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
                f"{sql_name(parts, dialect)} names no database and the connection has no config.database: "
                "qualify it in the model (RF01)"
            )
        else:
            builder.note(
                f"{sql_name(parts, dialect)} names no schema: Snowflake resolves it in the session's current schema, "
                "so its USAGE grants are unknown; qualify it in the model (RF01)"
            )
        builder.table(parts)
        on = table_expression(parts, dialect)
        builder.add(
            Statement(
                grant_sql("SELECT", "TABLE", on, role, "ROLE", dialect),
                rank=3,
                key=("SELECT", *name_key(parts, dialect)),
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


def _redshift(builder: ConnectionGrants, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "redshift"
    user = _setting_or_placeholder(builder, "user", "<user>", "the user mParticle connects as")
    database = builder.config("database")
    for parts in read:
        if len(parts) == 1:
            builder.note(
                f"{sql_name(parts, dialect)} names no schema: Redshift looks it up in the user's search_path "
                "('$user', public by default); public assumed"
            )
            parts = (Part("public"), *parts)
        elif len(parts) >= 3:
            other = parts[-3]
            if database is None or name_key([other], dialect) != name_key([Part.setting(database)], dialect):
                builder.note(
                    f"{sql_name(parts[-3:], dialect)} is in database {identifier(other, dialect).sql(dialect=dialect)}"
                    f"{'' if database is None else f', not the connection database {database}'}: "
                    "run its grants connected to that database"
                )
            parts = parts[-2:]
        schema = parts[:1]
        builder.add(
            Statement(
                grant_sql("USAGE", "SCHEMA", table_expression(schema, dialect), user, None, dialect),
                rank=0,
                key=("SCHEMA", *name_key(schema, dialect)),
            )
        )
        builder.table(parts)
        builder.add(
            Statement(
                grant_sql("SELECT", "TABLE", table_expression(parts, dialect), user, None, dialect),
                rank=1,
                key=("SELECT", *name_key(parts, dialect)),
            )
        )
    return "user", identifier(user, dialect).sql(dialect=dialect)


def _bigquery(builder: ConnectionGrants, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
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
        grant = f"GRANT {roles} ON SCHEMA {sql_name(parts, dialect)} TO {principal}"
        builder.add(Statement(grant, rank=1, key=("SCHEMA", *name_key(parts, dialect))))

    if dataset_setting is not None:
        dataset([project, Part.setting(dataset_setting)])
    for parts in read:
        if len(parts) == 1:
            if dataset_setting is None:
                builder.note(
                    f"{sql_name(parts, dialect)} names no dataset and the connection has no config.dataset_id: "
                    "qualify it in the model (RF01)"
                )
                builder.table(parts)
                continue
            builder.note(
                f"{sql_name(parts, dialect)} names no dataset: assumed the connection's dataset "
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


def _databricks(builder: ConnectionGrants, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "databricks"
    if share is None:
        builder.note(
            f"replace the share name {facts.DATABRICKS_SHARE_NAME} with "
            "mparticle_<your mParticle org id>_<account id>, or pass --databricks-share"
        )
    share_sql = identifier(Part.setting(share or facts.DATABRICKS_SHARE_NAME), dialect).sql(dialect=dialect)
    schema = builder.config("schema")
    for parts in read:
        if len(parts) == 1 and schema is not None:
            parts = (Part.setting(schema), *parts)
        if len(parts) < 3:
            builder.note(
                f"{sql_name(parts, dialect)} names no catalog: ALTER SHARE resolves it in the current catalog "
                "where you run it; qualify it as catalog.schema.table"
            )
        parts = parts[-3:]
        builder.table(parts)
        builder.add(
            Statement(
                f"ALTER SHARE {share_sql} ADD TABLE {sql_name(parts, dialect)}",
                rank=0,
                key=("TABLE", *name_key(parts, dialect)),
            )
        )
    recipient = identifier(Part.setting(DATABRICKS_RECIPIENT), dialect).sql(dialect=dialect)
    builder.add(Statement(f"GRANT SELECT ON SHARE {share_sql} TO RECIPIENT {recipient}", rank=1, key=("RECIPIENT",)))
    builder.note(f"replace <pod> in the recipient {DATABRICKS_RECIPIENT} with us1, us2, eu1 or au1")
    return "share", share_sql


_STATEMENTS: dict[str, Callable[[ConnectionGrants, list[tuple[Part, ...]], str | None], tuple[str, str]]] = {
    "snowflake": _snowflake,
    "redshift": _redshift,
    "bigquery": _bigquery,
    "databricks": _databricks,
}


def add_statements(builder: ConnectionGrants, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    """Add the statements the connection's warehouse needs for the tables ``read``; the grantee's kind and name."""
    return _STATEMENTS[builder.dialect](builder, read, share)

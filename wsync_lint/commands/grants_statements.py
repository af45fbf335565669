"""The per-warehouse catalogue of grant statements, after mParticle's setup scripts (catalogue 2.11).

- Snowflake (EX-SQL-10): ``CREATE ROLE IF NOT EXISTS``, ``GRANT USAGE`` on the warehouse, each
  database and schema, ``GRANT SELECT ON TABLE`` per table, ``GRANT ROLE ... TO USER`` and
  ``GRANT USAGE ON INTEGRATION`` (WS-GRANT-SF-07);
- Redshift (EX-SQL-12): ``GRANT USAGE ON SCHEMA`` and ``GRANT SELECT ON TABLE`` to the user;
- BigQuery (WS-GRANT-BQ-01..03): ``roles/bigquery.jobUser`` on the project (a gcloud command),
  ``roles/bigquery.dataViewer`` and ``roles/bigquery.user`` on every dataset (BigQuery DCL);
- Databricks (WS-GRANT-DBX-04/05, GAP-9): ``CREATE SHARE IF NOT EXISTS``, ``ALTER SHARE ... ADD
  TABLE`` per table, then the share granted to mParticle's recipient.

What the scripts create once and wsync-lint cannot write for you is a ``setup`` line (a comment):
a user needs a password that never goes in the repository, a Snowflake storage integration or a
Redshift IAM role needs mParticle's pod, org and account ids, which no payload holds, and a
Databricks recipient needs the pod's sharing identifier. Statements are only what is safe to run
again: grants, and ``IF NOT EXISTS`` creations the grants need.

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
# WS-GRANT-DBX-03: the sharing identifier of mParticle's recipient, by pod (the order of the
# documented list is inferred; us1 and us2 are documented with the same identifier).
DATABRICKS_SHARING_IDENTIFIERS: dict[str, str] = {
    "us1": "aws:us-east-1:e92fd7c1-5d24-4113-b83d-07e0edbb787b",
    "us2": "aws:us-east-1:e92fd7c1-5d24-4113-b83d-07e0edbb787b",
    "eu1": "aws:eu-central-1:2b8d9413-05fe-43ce-a570-3f6bc5fc3acf",
    "au1": "aws:ap-southeast-2:ac9a9fc4-22a2-40cc-a706-fef8a4cd554e",
}
# EX-SQL-10, EX-SQL-12: the page whose setup scripts hold what needs mParticle's pod, org and account ids.
SETUP_PAGE = facts.TUTORIAL
# WS-GRANT-BQ-01: a service account's e-mail, ``<name>@<project>.iam.gserviceaccount.com``.
_SERVICE_ACCOUNT_EMAIL = re.compile(
    r"([a-z][a-z0-9-]{4,28}[a-z0-9])@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com"
)


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
        self.setup: list[str] = []
        """What mParticle's setup creates once and the statements cannot (printed as comments)."""
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

    def setup_step(self, text: str) -> None:
        """Add what mParticle's setup makes once and no statement here can (printed as a comment)."""
        if text not in self.setup:
            self.setup.append(text)

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
    role_sql = identifier(role, dialect).sql(dialect=dialect)

    def usage(kind: str, rank: int, parts: Sequence[Part]) -> None:
        on = table_expression(parts, dialect)
        builder.add(
            Statement(
                grant_sql("USAGE", kind, on, role, "ROLE", dialect), rank=rank, key=(kind, *name_key(parts, dialect))
            )
        )

    # WS-GRANT-SF-01: the script creates the role first; IF NOT EXISTS makes that safe to run again.
    builder.add(Statement(f"CREATE ROLE IF NOT EXISTS {role_sql}", rank=0, key=("CREATE ROLE",)))
    usage("WAREHOUSE", 1, [warehouse])
    if database is not None:
        usage("DATABASE", 2, [database])
    for parts in read:
        if len(parts) == 2 and database is not None:
            parts = (database, *parts)
        if len(parts) >= 3:
            parts = parts[-3:]
            usage("DATABASE", 2, parts[:1])
            usage("SCHEMA", 3, parts[:2])
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
                rank=4,
                key=("SELECT", *name_key(parts, dialect)),
            )
        )
    if read:
        builder.note("for a view, Snowflake expects GRANT SELECT ON VIEW instead of ON TABLE")
    builder.setup_step(
        "mParticle's script runs as ACCOUNTADMIN (USE ROLE ACCOUNTADMIN), which may create the role, the user "
        "and the storage integration (WS-GRANT-SF-09)"
    )
    user = builder.config("user")
    if user is not None:
        user_sql = identifier(Part.setting(user), dialect).sql(dialect=dialect)
        builder.setup_step(
            f"the user {user_sql}, mParticle's alone, is a legacy service user, which multi-factor authentication "
            f"does not block (WS-GRANT-SF-06): CREATE USER IF NOT EXISTS {user_sql} PASSWORD = '<password>' "
            f"TYPE = LEGACY_SERVICE, or for an existing user ALTER USER {user_sql} SET TYPE = LEGACY_SERVICE"
        )
        builder.add(Statement(f"GRANT ROLE {role_sql} TO USER {user_sql}", rank=5, key=("ROLE",)))
    else:
        builder.note(
            f"the connection has no config.user: grant the role to mParticle's user (GRANT ROLE {role_sql} TO USER ...)"
        )
    integration = builder.config("storage_integration")
    if integration is not None:
        name = table_expression([Part.setting(integration)], dialect)
        builder.setup_step(
            f"the storage integration {name.sql(dialect=dialect)} (config.storage_integration) is created with your "
            f"mParticle pod's AWS account id and your org and account ids (WS-GRANT-SF-07/08), as in mParticle's "
            f"setup script: {SETUP_PAGE}"
        )
        builder.add(
            Statement(grant_sql("USAGE", "INTEGRATION", name, role, "ROLE", dialect), rank=6, key=("INTEGRATION",))
        )
    else:
        builder.note(
            "the connection has no config.storage_integration: mParticle's setup creates one with your pod's AWS "
            f"account id and your org and account ids, and grants its USAGE to the role (WS-GRANT-SF-07/08): "
            f"{SETUP_PAGE}"
        )
    return "role", role_sql


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
    user_sql = identifier(user, dialect).sql(dialect=dialect)
    builder.setup_step(
        f"the user {user_sql} is mParticle's alone (WS-GRANT-RS-01): CREATE USER {user_sql} WITH PASSWORD '<password>'"
    )
    role_arn = builder.config("aws_iam_role_arn")
    if role_arn is not None:
        builder.setup_step(
            f"the IAM role {role_arn} (config.aws_iam_role_arn) may assume your mParticle pod's role and is "
            f"associated with the cluster or Serverless namespace (WS-GRANT-RS-04), as in mParticle's setup: "
            f"{SETUP_PAGE}"
        )
    else:
        builder.note(
            "the connection has no config.aws_iam_role_arn: mParticle's setup creates an IAM role that may assume "
            f"your pod's role and associates it with the cluster or Serverless namespace (WS-GRANT-RS-04): {SETUP_PAGE}"
        )
    return "user", user_sql


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
    email = _SERVICE_ACCOUNT_EMAIL.fullmatch(account)
    if email is not None:
        builder.setup_step(
            "the service account is mParticle's alone (WS-GRANT-BQ-01): "
            f"gcloud iam service-accounts create {email[1]} --project={email[2]}"
        )
    builder.setup_step(
        "the service account's key is the connection's service_account_key, never in the repository (WS-GRANT-BQ-04): "
        f"gcloud iam service-accounts keys create mparticle-key.json --iam-account={shlex.quote(account)}"
    )
    return "service account", account


def _databricks(builder: ConnectionGrants, read: list[tuple[Part, ...]], share: str | None) -> tuple[str, str]:
    dialect = "databricks"
    if share is None:
        builder.note(
            f"replace the share name {facts.DATABRICKS_SHARE_NAME} with "
            "mparticle_<your mParticle org id>_<account id>, or pass --databricks-share"
        )
    share_sql = identifier(Part.setting(share or facts.DATABRICKS_SHARE_NAME), dialect).sql(dialect=dialect)
    builder.add(Statement(f"CREATE SHARE IF NOT EXISTS {share_sql}", rank=0, key=("SHARE",)))
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
                rank=1,
                key=("TABLE", *name_key(parts, dialect)),
            )
        )
    recipient = identifier(Part.setting(DATABRICKS_RECIPIENT), dialect).sql(dialect=dialect)
    builder.add(Statement(f"GRANT SELECT ON SHARE {share_sql} TO RECIPIENT {recipient}", rank=2, key=("RECIPIENT",)))
    builder.note(f"replace <pod> in the recipient {DATABRICKS_RECIPIENT} with us1, us2, eu1 or au1")
    builder.setup_step(
        f"the recipient is created once with your pod's sharing identifier (WS-GRANT-DBX-02/03): "
        f"CREATE RECIPIENT IF NOT EXISTS {recipient} USING ID '<sharing identifier>'"
    )
    builder.setup_step(
        "the sharing identifiers (WS-GRANT-DBX-03): "
        + ", ".join(f"{pod} {sharing_id}" for pod, sharing_id in DATABRICKS_SHARING_IDENTIFIERS.items())
    )
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

"""What differs between warehouses in the project `wsync-lint init` writes: the connection's
settings, the models' SQL and their iterators (:mod:`wsync_lint.commands.project_template`).

Values are plausible examples (EX-V2-03/05/07/09 give their shapes), never ``<placeholders>``.
Each model reads a fully qualified table (RF01), aliases its key to the reserved identity
``customer_id`` (ID01) and returns names as its warehouse will: Snowflake's unquoted names come
back upper-case, so its events columns and iterator are written upper-case (CO04, SY02).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One key of a connection's ``config``: its example value, and what to replace it with."""

    key: str
    value: str
    comment: str


@dataclass(frozen=True)
class Warehouse:
    """What differs between warehouses: the connection, the SQL, the iterators."""

    provider: str
    secret_key: str | None
    settings: tuple[Setting, ...]
    customers_from: str
    customers_select: tuple[str, ...]
    customers_iterator: tuple[str, str]
    events_from: str
    events_select: tuple[str, ...]
    naming: str
    """What the warehouse does to the case of unquoted names (a comment of the models)."""
    upper_case: bool = False
    """Unquoted names come back upper-case: the events columns, the mappings' sources and the
    events iterator are upper-case (mParticle's ``WHERE`` names the iterator unquoted: SY02)."""


EVENT_FIELDS = ("event_id", "session_id", "event_type", "timestamp_unixtime_ms")
"""DMAP's example mapping (WS-FT-09): column names equal to the mParticle fields they fill."""

WAREHOUSE_TEMPLATES: dict[str, Warehouse] = {
    "snowflake": Warehouse(
        provider="Snowflake",
        secret_key="password",
        settings=(
            Setting("account_identifier", "xy12345", "your account locator"),
            Setting("region", "us-east-2.aws", "the account's region: region id, then .aws, .gcp or .azure"),
            Setting("warehouse", "MPARTICLE_WH", "the warehouse mParticle's queries run on"),
            Setting("database", "ANALYTICS", "the database of a table the model names without one"),
            Setting("user", "MPARTICLE_SYNC", "mParticle's own user, TYPE = LEGACY_SERVICE (no MFA)"),
            Setting("role", "MPARTICLE_ROLE", "the role `wsync-lint grants` grants the model's tables to"),
            Setting(
                "storage_integration",
                "mp_us1_1234_5678_s3",
                "made by mParticle's setup script with your pod, org and account ids",
            ),
        ),
        customers_from="ANALYTICS.CRM.CUSTOMERS c",
        customers_select=(
            "c.id AS customer_id",
            "c.email AS email",
            'c.loyalty_tier AS "loyalty_tier"',
            "c.updated_at AS UPDATED_AT",
        ),
        customers_iterator=("UPDATED_AT", "timestamp_ntz"),
        events_from="ANALYTICS.WEB.EVENTS e",
        events_select=(
            "e.event_id AS EVENT_ID",
            "e.session_id AS SESSION_ID",
            "e.event_type AS EVENT_TYPE",
            "DATE_PART(EPOCH_MILLISECOND, e.event_time) AS TIMESTAMP_UNIXTIME_MS",
        ),
        naming="Snowflake upper-cases unquoted names: an attribute quoted in lower case keeps its case",
        upper_case=True,
    ),
    "bigquery": Warehouse(
        provider="BigQuery",
        secret_key="service_account_key",
        settings=(
            Setting("region", "us-east1", "the region of the datasets"),
            Setting("project_id", "acme-analytics", "the GCP project mParticle runs its jobs in"),
            Setting("dataset_id", "crm", "the dataset of a table the model names without one"),
            Setting(
                "service_account_id",
                "mparticle-sync@acme-analytics.iam.gserviceaccount.com",
                "mParticle's own service account",
            ),
        ),
        customers_from="`acme-analytics.crm.customers` AS c",
        customers_select=("c.id AS customer_id", "c.email", "c.loyalty_tier", "c.updated_at"),
        customers_iterator=("updated_at", "timestamp"),
        events_from="`acme-analytics.web.events` AS e",
        events_select=(
            "e.event_id",
            "e.session_id",
            "e.event_type",
            "UNIX_MILLIS(e.event_time) AS timestamp_unixtime_ms",
        ),
        naming="BigQuery returns names as written",
    ),
    "redshift": Warehouse(
        provider="Redshift",
        secret_key="password",
        settings=(
            Setting("database", "analytics", "the database mParticle connects to"),
            Setting("host", "analytics.abc123xyz789.us-east-1.redshift.amazonaws.com", "the cluster's endpoint"),
            Setting("port", "5439", "the cluster's port"),
            Setting("user", "mparticle_sync", "mParticle's own user"),
            Setting(
                "aws_iam_role_arn",
                "arn:aws:iam::123456789012:role/mparticle_redshift_role",
                "the IAM role of mParticle's setup, associated with the cluster",
            ),
        ),
        customers_from="analytics.crm.customers c",
        customers_select=("c.id AS customer_id", "c.email", "c.loyalty_tier", "c.updated_at"),
        customers_iterator=("updated_at", "timestamp"),
        events_from="analytics.web.events e",
        events_select=(
            "e.event_id",
            "e.session_id",
            "e.event_type",
            "CAST(EXTRACT(EPOCH FROM e.event_time) * 1000 AS BIGINT) AS timestamp_unixtime_ms",
        ),
        naming="Redshift lower-cases names, quoted or not",
    ),
    "databricks": Warehouse(
        provider="Databricks",
        secret_key=None,
        settings=(
            Setting("provider", "acme-analytics", "your Databricks organisation's name"),
            Setting("schema", "crm", "the schema shared with mParticle"),
        ),
        customers_from="main.crm.customers c",
        customers_select=("c.id AS customer_id", "c.email", "c.loyalty_tier", "c.updated_at"),
        customers_iterator=("updated_at", "timestamp"),
        events_from="main.crm.events e",
        events_select=(
            "e.event_id",
            "e.session_id",
            "e.event_type",
            "UNIX_MILLIS(e.event_time) AS timestamp_unixtime_ms",
        ),
        naming="Databricks returns names as written",
    ),
}
"""The template of each warehouse, by the name ``--warehouse`` and ``dialect`` give it."""

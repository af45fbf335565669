"""Documented mParticle Warehouse Sync facts, each once, with its source.

Rules and messages read these values from here; nothing else spells them out. The catalogue
behind them is ``shared/spec/mparticle-facts.md`` (constraint ids in the comments).
"""

from __future__ import annotations

SQL_REFERENCE = "https://docs.mparticle.com/developers/apis/warehouse-sync-api/sql/"
OVERVIEW = "https://docs.mparticle.com/developers/apis/warehouse-sync-api/overview/"
API_REFERENCE = "https://docs.mparticle.com/developers/apis/warehouse-sync-api/reference/"

# WS-SQL-18: "will be mapped to mParticle user identities automatically" (case-insensitive).
USER_IDENTITIES: tuple[str, ...] = (
    "mpid", "customerid", "customer_id", "facebook", "twitter", "google", "microsoft", "yahoo",
    "email", "facebook_custom_audience_id", "other", "other_id_2", "other_id_3", "other_id_4",
    "other_id_5", "other_id_6", "other_id_7", "other_id_8", "other_id_9", "other_id_10",
    "mobile_number", "phone_number_2", "phone_number_3",
)  # fmt: skip

# WS-SQL-19: "will be mapped to mParticle device identities automatically" (case-insensitive).
DEVICE_IDENTITIES: tuple[str, ...] = (
    "android_uuid", "ios_advertising_id", "push_token", "ios_idfv", "android_advertising_id",
    "amp_id", "roku_advertising_id", "roku_publisher_id", "microsoft_advertising_id",
    "microsoft_publisher_id", "fire_advertising_id", "mp_deviceid",
)  # fmt: skip

IDENTITY_SOURCE = SQL_REFERENCE

# The reserved names messages cite as examples (a subset of the two lists above).
IDENTITY_EXAMPLES: tuple[str, ...] = ("customer_id", "email", "mpid", "mp_deviceid")

# WS-SQL-21: column names that land on the same identity. Only the customer id has two
# documented spellings; every other reserved name is its own identity.
IDENTITY_ALIASES: dict[str, str] = {"customerid": "customer_id"}

# WS-SQL-20: names that look like an identity but become a custom attribute, with the reserved
# name the author most likely meant. Names that differ from a reserved one only by `_`, `-` or
# spaces are found by normalising, so they are not listed here. `device_id` is not one:
# `mp_deviceid` is mParticle's own device id, and an app's device id fed into it would corrupt
# identity resolution.
IDENTITY_NEAR_MISSES: dict[str, str] = {
    "cust_id": "customer_id",
    "user_id": "customer_id",
    "userid": "customer_id",
    "e_mail": "email",
    "email_address": "email",
    "emailaddress": "email",
    "mail": "email",
    "phone": "mobile_number",
    "mobile": "mobile_number",
    "phone_number": "mobile_number",
    "phone_number_1": "mobile_number",
    "mobile_phone": "mobile_number",
    "idfa": "ios_advertising_id",
    "idfv": "ios_idfv",
    "gaid": "android_advertising_id",
    "aaid": "android_advertising_id",
    "other_id": "other",
    "other_id_1": "other",
    "other1": "other",
    "mparticle_id": "mpid",
}

# WS-SQL-16 / WS-LIM-03: "Column limit — 100".
COLUMN_LIMIT = 100
COLUMN_LIMIT_SOURCE = OVERVIEW

# PS03 (WS-SQL-30, inferred: a data model is `sql_query` text only, the API has no field for
# query parameters, so mParticle binds none). `?` is a positional bind marker in all four
# warehouses' drivers; the named markers each warehouse reads as one. `@name` is BigQuery's only:
# elsewhere `@` starts a Snowflake stage (`@my_stage`) or is Redshift's absolute value (`@ x`).
BIND_PARAMETER_PREFIXES: dict[str, tuple[str, ...]] = {
    "snowflake": (":",), "bigquery": ("@", ":"), "redshift": (":",), "databricks": (":",),
}  # fmt: skip
BIND_PARAMETER_SOURCES: tuple[str, ...] = (
    "https://cloud.google.com/bigquery/docs/parameterized-queries",
    "https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests#using-bind-variables-in-a-statement",
    "https://docs.databricks.com/en/sql/language-manual/sql-ref-parameter-marker.html",
)
# Snowflake Scripting reads `:name` in a block's SQL statements as the block's own variable, and
# a cursor's `?` as the `OPEN ... USING` value: there they are not left-over bind parameters
# (https://docs.snowflake.com/en/developer-guide/snowflake-scripting/variables#using-a-variable-in-a-sql-statement-binding).
SCRIPTING_VARIABLE_DIALECTS: tuple[str, ...] = ("snowflake",)


def identity_of(name: str) -> str | None:
    """The reserved identity an output column named ``name`` maps to, if any.

    Matching is case-insensitive, as documented; spellings of one identity map to one key.

    >>> identity_of("CustomerId")
    'customer_id'
    >>> identity_of("user_id") is None
    True
    """
    lowered = name.lower()
    if lowered in _RESERVED:
        return IDENTITY_ALIASES.get(lowered, lowered)
    return None


def _squash(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "").replace(" ", "")


_RESERVED = frozenset(USER_IDENTITIES + DEVICE_IDENTITIES)
_SQUASHED = {_squash(name): name for name in USER_IDENTITIES + DEVICE_IDENTITIES}


def intended_identity(name: str) -> str | None:
    """The reserved identity a non-reserved ``name`` was most likely meant to be.

    >>> intended_identity("customer-id")
    'customer_id'
    >>> intended_identity("e_mail")
    'email'
    >>> intended_identity("email") is None
    True
    """
    lowered = name.lower()
    if lowered in _RESERVED:
        return None
    if lowered in IDENTITY_NEAR_MISSES:
        return IDENTITY_NEAR_MISSES[lowered]
    return _SQUASHED.get(_squash(name))


# WS-PIPE-03: `pipeline_type` ∈ {user_attributes, events}.
PIPELINE_TYPES: tuple[str, ...] = ("user_attributes", "events")

# WS-SM-04: `iterator_data_type` values per connection `service_provider` (T2; QS1).
ITERATOR_DATA_TYPES: dict[str, tuple[str, ...]] = {
    "snowflake": ("timestamp_ltz", "timestamp_ntz", "timestamp_tz", "datetime", "date",
                  "timestamp_unixtime_ms", "timestamp_unixtime_s"),
    "bigquery": ("datetime", "date", "timestamp", "timestamp_unixtime_ms", "timestamp_unixtime_s"),
    "redshift": ("date", "timestamp", "timestamptz", "timestamp_unixtime_ms", "timestamp_unixtime_s"),
    "databricks": ("date", "timestamp", "timestamp_unixtime_ms", "timestamp_unixtime_s"),
}  # fmt: skip
ITERATOR_DATA_TYPES_SOURCE = "https://docs.mparticle.com/developers/apis/warehouse-sync-api/quickstart/"


# --- Payloads (API v2). Catalogue sections 2.2-2.10; the API reference is the source unless noted.

TUTORIAL = ITERATOR_DATA_TYPES_SOURCE
MIGRATION = "https://docs.mparticle.com/developers/warehouse-sync-api/migration/"
FIELD_TRANSFORMATIONS = "https://docs.mparticle.com/developers/platform/field-transformations/"
REFERENCE_V1 = "mParticle/docs:src/pages/developers/warehouse-sync-api/reference/index.md@310bedb3"

# WS-DM-01, WS-CONN-01, WS-PIPE-01, WS-FT-01: "numbers, letters, _, and -".
ID_PATTERN = r"^[A-Za-z0-9_-]+$"

# WS-CONN-04: `service_provider` values, case-sensitive; the warehouse (dialect) each one means.
SERVICE_PROVIDERS: dict[str, str] = {
    "Snowflake": "snowflake",
    "BigQuery": "bigquery",
    "Redshift": "redshift",
    "Databricks": "databricks",
}

# WS-CONN-03, WS-DM-03, WS-PIPE-10 (C-06): `state` values differ by resource.
STATES: dict[str, tuple[str, ...]] = {
    "connection": ("new", "active", "inactive"),
    "data_model": ("new", "active", "inactive"),
    "pipeline": ("new", "active", "paused"),
}

# WS-PIPE-11.
ENVIRONMENTS: tuple[str, ...] = ("development", "production")

# WS-DM-04: data model `type`: "Required. Valid value: sql".
DATA_MODEL_TYPES: tuple[str, ...] = ("sql",)

# WS-CONN-06/10/14/18: `config` keys per provider. Secret keys are required by the API but never
# committed (CN02): deploy takes them from the environment, so the payload rules do not ask for them.
CONNECTION_CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "Snowflake": ("account_identifier", "region", "warehouse", "database", "user", "role", "password",
                  "storage_integration"),
    "BigQuery": ("region", "project_id", "dataset_id", "service_account_id", "service_account_key"),
    "Redshift": ("database", "host", "user", "password", "aws_iam_role_arn"),
    "Databricks": ("provider", "schema"),
}  # fmt: skip
CONNECTION_OPTIONAL_KEYS: dict[str, tuple[str, ...]] = {
    "Snowflake": ("aws_iam_user_arn", "aws_external_id"),
    "BigQuery": (),
    "Redshift": ("port",),  # WS-CONN-14: omitted from the request example, "5439" in the response
    "Databricks": (),
}

# CN02: keys whose value is a credential. They come from the environment at deploy time.
SECRET_KEYS: tuple[str, ...] = (
    "password", "service_account_key", "private_key", "private_key_id", "private_key_passphrase",
    "client_secret", "secret", "access_token", "token", "api_secret", "aws_secret_access_key",
    "api_key", "pwd", "passphrase",
)  # fmt: skip
# WS-CONN-20 / C-11: the masked value responses echo back; not a secret, but not a value either.
MASKED_SECRET = "************"

# WS-CONN-17: `aws_iam_role_arn`.
ROLE_ARN_PATTERN = r"^arn:aws:iam::\d{12}:role/.+$"

# WS-DM-07, WS-CONN-20, WS-PIPE-18: response-only keys a request should not send.
READ_ONLY_KEYS: tuple[str, ...] = (
    "status", "errors", "created_on", "created_by", "last_modified_on", "last_modified_by",
)  # fmt: skip

# WS-PIPE-17, WS-DM-06, WS-CONN-19 (MIG, REF1): v1 names and the v2 field to use instead.
V1_FIELDS: dict[str, dict[str, str]] = {
    "connection": {
        "type": "service_provider",
        "source_account_id": "config.account_identifier",
        "snowflake_aws_iam_user_arn": "config.aws_iam_user_arn",
        "snowflake_aws_external_id": "config.aws_external_id",
        "workspace_id": "nothing (removed in v2: the workspace is in the URL)",
        "is_faulted": "status (read-only)",
    },
    "data_model": {
        "workspace_id": "nothing (removed in v2: the workspace is in the URL)",
        "load_timestamp_field_name": "the pipeline's sync_mode.iterator_field",
        "load_timestamp_field_type": "the pipeline's sync_mode.iterator_data_type",
        "load_timestamp_field_tz": "nothing (convert the iterator to UTC in the query)",
        "load_timestamp_field_time_zone": "nothing (convert the iterator to UTC in the query)",
        "load_timestamp_field_offset_seconds": "nothing (apply the offset in the query)",
        "load_timestamp_field_time_offset": "nothing (apply the offset in the query)",
        "is_active": "state",
        "sql_query": "config.sql_query",
    },
    "pipeline": {
        "workspace_id": "nothing (removed in v2: the workspace is in the URL)",
        "is_active": "state",
        "is_draft": "state",
        "faulted_reason": "status (read-only)",
        "is_faulted": "status (read-only)",
        "schedule_interval": "schedule.type and schedule.frequency",
        "scheduled_interval": "schedule.type and schedule.frequency",
        "schedule_start_time": "schedule.start",
        "schedule_end_time": "schedule.end",
    },
}
# Flat v1 connection keys that v2 moved into `config` (WS-CONN-19: "flat warehouse keys -> config").
V1_FLAT_CONNECTION_KEYS: tuple[str, ...] = (
    "account_identifier", "region", "warehouse", "database", "user", "role", "password",
    "storage_integration", "project_id", "dataset_id", "service_account_id", "service_account_key",
    "host", "port", "aws_iam_role_arn",
)  # fmt: skip

# WS-SM-01.
SYNC_MODE_TYPES: tuple[str, ...] = ("incremental", "full")
# WS-SM-05 (C-03): used by every schedule example of the reference, valid for no warehouse.
NEVER_VALID_ITERATOR_TYPES: dict[str, str] = {"datetime_tz": "timestamp_tz"}

# WS-SCH-01 (C-01): `on-demand` is the parameter table's spelling; the API's prose and examples
# use `on_demand`.
SCHEDULE_TYPES: tuple[str, ...] = ("interval", "once", "on_demand")
SCHEDULE_TYPE_MISSPELLINGS: dict[str, str] = {"on-demand": "on_demand"}
# WS-SCH-03.
FREQUENCIES: tuple[str, ...] = ("hourly", "daily", "weekly", "monthly")
# WS-SCH-07: "Format: 1d. A number, followed immediately by one of the following units: s for
# seconds, m for minutes, h for hours, d for days, w for weeks, and y for years".
DELAY_UNITS: dict[str, str] = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "y": "years"}
DELAY_PATTERN = rf"^\d+[{''.join(DELAY_UNITS)}]$"
# WS-SM-08, WS-SCH-05: "Format: 2022-10-30T11:00:16Z".
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
TIMESTAMP_EXAMPLE = "2022-10-30T11:00:16Z"

# WS-PIPE-12/13 (C-07): the data plan pair and the tutorial's wrong key names.
DATA_PLAN_KEYS: tuple[str, str] = ("data_plan_id", "data_plan_version")
DATA_PLAN_MISNAMED: dict[str, str] = {"plan_id": "data_plan_id", "plan_version": "data_plan_version"}

# WS-FT-03, WS-FT-05.
DESTINATION_TYPES: tuple[str, ...] = ("event_batch",)
MAPPING_TYPES: tuple[str, ...] = ("column", "static", "ignore")
# WS-FT-06/07: which mapping types need (or forbid) `source` and `destination`.
MAPPING_NEEDS_SOURCE: tuple[str, ...] = ("column", "ignore")
MAPPING_NEEDS_DESTINATION: tuple[str, ...] = ("column", "static")

# WS-FEED-01 (T2): "Valid values for module_name are: Redshift, BigQuery, Snowflake, Databricks.
# These values are case sensitive." The same four names as `service_provider`.
FEED_MODULE_NAMES: tuple[str, ...] = tuple(SERVICE_PROVIDERS)

# WS-PIPE-15 / WS-LIM-01: "Max number of Active Pipelines — 5".
ACTIVE_PIPELINE_LIMIT = 5
# WS-LIM-02: "Historical Record Limit — 24 million".
HISTORICAL_RECORD_LIMIT = 24_000_000
# WS-LIM-04..09 (O2): "Record count limit per hourly interval — 1 million", daily 24 million,
# weekly and monthly 40 million, "per once request — 40 million", "per on-demand request — 24 million".
RECORD_LIMITS_PER_INTERVAL: dict[str, int] = {
    "hourly": 1_000_000,
    "daily": 24_000_000,
    "weekly": 40_000_000,
    "monthly": 40_000_000,
}
RECORD_LIMIT_ONCE = 40_000_000
RECORD_LIMIT_ON_DEMAND = 24_000_000

# WS-GRANT-BQ-01/02: the roles the service account needs (GCP role ids).
BIGQUERY_PROJECT_ROLES: tuple[str, ...] = ("roles/bigquery.jobUser",)
BIGQUERY_DATASET_ROLES: tuple[str, ...] = ("roles/bigquery.dataViewer", "roles/bigquery.user")
# WS-GRANT-DBX-04: "mparticle_{YOUR-MPARTICLE-ORG-ID}_{YOUR-MPARTICLE-ACCOUNT-ID}".
DATABRICKS_SHARE_NAME = "mparticle_<org-id>_<account-id>"

# --- Connection settings formats and secrets (CN01, CN02).

# WS-CONN-07 (R2): Snowflake `region`: "Snowflake <cloud_region_id> or <cloud_region_id>.<cloud>
# region identifier", e.g. `us-central1.gcp`. The cloud suffixes are Snowflake's own (account
# locator URLs: https://docs.snowflake.com/en/user-guide/admin-account-identifier#region-ids).
SNOWFLAKE_CLOUDS: tuple[str, ...] = ("aws", "gcp", "azure")
SNOWFLAKE_REGION_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.(?:aws|gcp|azure))?$"
SNOWFLAKE_REGION_EXAMPLE = "us-central1.gcp"
# WS-CONN-08 (R2, inferred): `account_identifier` is the "Snowflake account locator" (`gd12345`),
# not the account URL.
SNOWFLAKE_ACCOUNT_EXAMPLE = "gd12345"
SNOWFLAKE_HOST_SUFFIX = ".snowflakecomputing.com"
# WS-CONN-11 (T2): "The value for `service_account_key` will be the contents of the generated
# JSON file": a Google service-account key file, `"type": "service_account"`.
SERVICE_ACCOUNT_KEY_TYPE = "service_account"
# WS-CONN-12 (T2, inferred): the key's field naming the service account (`service_account_id`).
SERVICE_ACCOUNT_KEY_EMAIL = "client_email"
# CN02 (no mParticle source: a heuristic): key names ending like these hold credentials too
# (`snowflake_password`, `db_client_secret`).
SECRET_KEY_SUFFIXES: tuple[str, ...] = ("_password", "_secret", "_passphrase", "_private_key", "_token")

# WS-SM-04/05, C-03, C-04 (inferred, for SY03's hints): for an `iterator_data_type` a warehouse's
# list lacks, the value of that list that names the same kind of timestamp there. Snowflake's
# plain TIMESTAMP is TIMESTAMP_NTZ unless TIMESTAMP_TYPE_MAPPING says otherwise
# (https://docs.snowflake.com/en/sql-reference/parameters#timestamp-type-mapping).
ITERATOR_TYPE_EQUIVALENTS: dict[str, dict[str, str]] = {
    "snowflake": {"datetime_tz": "timestamp_tz", "timestamptz": "timestamp_tz", "timestamp": "timestamp_ntz"},
    "bigquery": {"datetime_tz": "timestamp", "timestamptz": "timestamp", "timestamp_tz": "timestamp",
                 "timestamp_ltz": "timestamp", "timestamp_ntz": "datetime"},
    "redshift": {"datetime_tz": "timestamptz", "timestamp_tz": "timestamptz", "timestamp_ltz": "timestamptz",
                 "timestamp_ntz": "timestamp", "datetime": "timestamp"},
    "databricks": {"datetime_tz": "timestamp", "timestamptz": "timestamp", "timestamp_tz": "timestamp",
                   "timestamp_ltz": "timestamp", "timestamp_ntz": "timestamp", "datetime": "timestamp"},
}  # fmt: skip

# Named members of the enums above, for the pipeline rules that treat one value specially
# (PL02: WS-PIPE-06/07; PL03, SY07, SY08: WS-SM-02/03/10/11/12; PL04: WS-SCH-02/04/08/09;
# SY07: WS-SM-12 "new interval based pipelines"). Unpacked, so a change to an enum fails here.
PIPELINE_TYPE_USER_ATTRIBUTES, PIPELINE_TYPE_EVENTS = PIPELINE_TYPES
SYNC_MODE_INCREMENTAL, SYNC_MODE_FULL = SYNC_MODE_TYPES
SCHEDULE_INTERVAL, SCHEDULE_ONCE, SCHEDULE_ON_DEMAND = SCHEDULE_TYPES
PIPELINE_STATE_NEW, PIPELINE_STATE_ACTIVE, PIPELINE_STATE_PAUSED = STATES["pipeline"]


# RF07 (a Snowflake fact, not mParticle's): before the 2026_04 behaviour change bundle, an
# unqualified column that both sides of a `JOIN ... USING` have (and that is not a USING column)
# silently resolves to the left table; after it, the query fails with "ambiguous column name".
SNOWFLAKE_USING_AMBIGUITY_SOURCE = "https://docs.snowflake.com/en/release-notes/bcr-bundles/2026_04/bcr-2256"

# SY10 (WS-SM-01; a naming heuristic, no mParticle list): output or source column names that
# say a row's creation time, which never changes after the row is created (compared case-folded).
CREATION_TIME_NAMES: frozenset[str] = frozenset({
    "created", "created_at", "created_on", "created_date", "created_time", "created_timestamp", "created_ts",
    "create_date", "create_time", "create_timestamp", "creation_date", "creation_time", "creation_timestamp",
    "date_created", "time_created", "createdat", "createddate", "creationdate", "creationtime",
    "signup_date", "signup_at", "signup_time", "signup_ts", "signed_up_at", "sign_up_date", "signupdate",
    "registered_at", "registered_on", "registration_date", "registration_time", "registration_ts",
    "first_seen", "first_seen_at", "first_seen_date", "first_seen_time", "first_seen_ts",
})  # fmt: skip

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
# spaces are found by normalising, so they are not listed here.
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
    "device_id": "mp_deviceid",
    "mparticle_id": "mpid",
}

# WS-SQL-16 / WS-LIM-03: "Column limit — 100".
COLUMN_LIMIT = 100
COLUMN_LIMIT_SOURCE = OVERVIEW


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

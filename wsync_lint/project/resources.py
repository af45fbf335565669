"""Warehouse Sync resources in payload files: what kind each object is, and where its keys are.

The kind of an object is recognised by its keys, as the API's own shapes differ (a pipeline names
its ``pipeline_type`` and ``sync_mode``, a connection its ``service_provider``, ...). v1
("experimental") shapes are recognised too, so that PL08 can say what to write instead.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wsync_lint.project.payload_files import PayloadFile, Pointer
from wsync_lint.sql.positions import FileSpan, Span


class Kind(enum.StrEnum):
    """The resources a project holds."""

    CONNECTION = "connection"
    DATA_MODEL = "data_model"
    PIPELINE = "pipeline"
    FIELD_TRANSFORMATION = "field_transformation"
    FEED = "feed"
    TRIGGER = "trigger"
    """A Trigger API request body (``{"pipeline_id": ...}``)."""

    @property
    def display(self) -> str:
        return _DISPLAY[self]


_DISPLAY = {
    Kind.CONNECTION: "connection",
    Kind.DATA_MODEL: "data model",
    Kind.PIPELINE: "pipeline",
    Kind.FIELD_TRANSFORMATION: "field transformation",
    Kind.FEED: "feed",
    Kind.TRIGGER: "trigger request",
}

# Keys only one kind of resource has, checked in this order (a pipeline names a data model and a
# connection, so it is recognised before them).
_KIND_KEYS: tuple[tuple[Kind, frozenset[str]], ...] = (
    (
        Kind.PIPELINE,
        frozenset(
            {
                "pipeline_type",
                "sync_mode",
                "schedule",
                "data_model_id",
                "schedule_interval",
                "is_draft",
                "field_transformation_id",
                "partner_feed_id",
                "partner_feed_key",
            }
        ),
    ),
    (Kind.DATA_MODEL, frozenset({"sql_query", "load_timestamp_field_name", "load_timestamp_field_type"})),
    (Kind.CONNECTION, frozenset({"service_provider", "source_account_id", "snowflake_aws_iam_user_arn"})),
    (Kind.FIELD_TRANSFORMATION, frozenset({"mappings", "destination_type"})),
    (Kind.FEED, frozenset({"module_name"})),
)
_V1_CONNECTION_TYPES = frozenset({"snowflake", "bigquery", "redshift", "databricks"})


# No connection, pipeline or field transformation key names SQL or a query; a data model's
# `config.sql_query` and `config.sql_file` do, and so do the keys a query gets written under by
# mistake (`config.query`, `config.sql`, `sqlQuery`).
_QUERY_KEY = re.compile(r"sql|query", re.IGNORECASE)


def is_query_key(key: object) -> bool:
    """Whether ``key`` reads like the name of a data model's query or query file."""
    return isinstance(key, str) and _QUERY_KEY.search(key) is not None


def kind_of(value: Any) -> Kind | None:
    """The kind of resource ``value`` is, from its keys (None: not a Warehouse Sync resource).

    >>> kind_of({"id": "p", "pipeline_type": "events"})
    <Kind.PIPELINE: 'pipeline'>
    >>> kind_of({"type": "sql", "config": {"sql_file": "m.sql"}})
    <Kind.DATA_MODEL: 'data_model'>
    >>> kind_of({"name": "x"}) is None
    True
    """
    if not isinstance(value, Mapping):
        return None
    keys = value.keys()
    for kind, markers in _KIND_KEYS:
        if not markers.isdisjoint(keys):
            return kind
    config = value.get("config")
    if isinstance(config, Mapping) and any(is_query_key(key) for key in config):
        return Kind.DATA_MODEL
    if value.get("type") == "sql":
        return Kind.DATA_MODEL
    if isinstance(value.get("type"), str) and value["type"].lower() in _V1_CONNECTION_TYPES:
        return Kind.CONNECTION
    if any(is_query_key(key) and isinstance(item, str) for key, item in value.items()):
        return Kind.DATA_MODEL  # a query under a key of its own: CN03 says where it goes
    if isinstance(config, Mapping):
        return Kind.CONNECTION
    if set(keys) == {"pipeline_id"}:
        return Kind.TRIGGER
    return None


def value_at(data: Any, keys: tuple[str, ...]) -> Any:
    """The value at ``keys`` inside ``data`` (None when any step is missing or not an object).

    >>> value_at({"sync_mode": {"from": "2024-01-01"}}, ("sync_mode", "from")), value_at({"a": 1}, ("a", "b"))
    ('2024-01-01', None)
    """
    value = data
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class Resource:
    """One resource object in a payload file."""

    kind: Kind
    data: Mapping[str, Any]
    file: PayloadFile
    document: int
    """Which YAML document of the file holds it (0 for JSON)."""
    pointer: Pointer
    """Where in the document: ``()`` for a file holding one object, ``(2,)`` for a list's third."""

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def label(self) -> str:
        """How messages name it: ``pipeline `users-hourly```."""
        return f"{self.kind.display} `{self.id}`" if self.id else f"this {self.kind.display}"

    def get(self, *keys: str) -> Any:
        """The value at ``keys`` (None when any step is missing or not an object)."""
        return value_at(self.data, keys)

    def has(self, *keys: str) -> bool:
        value: Any = self.data
        for key in keys:
            if not isinstance(value, Mapping) or key not in value:
                return False
            value = value[key]
        return True

    def key_at(self, *keys: str | int) -> FileSpan:
        """Where the key at ``keys`` was written (its nearest written ancestor when it is absent)."""
        place = self.file.place(self.document, (*self.pointer, *keys))
        return FileSpan(self.path, place.key or place.value)

    def value_at(self, *keys: str | int) -> FileSpan:
        """Where the value at ``keys`` was written (its nearest written ancestor when absent)."""
        place = self.file.place(self.document, (*self.pointer, *keys))
        return FileSpan(self.path, place.value)

    @property
    def start(self) -> FileSpan:
        """The resource's opening: where a finding about the whole object points."""
        place = self.file.place(self.document, self.pointer)
        value = place.value
        return FileSpan(self.path, place.key or Span(value.start, value.start + 1))


def resources_in(payload: PayloadFile) -> Iterator[Resource | tuple[int, Pointer]]:
    """Each resource in ``payload``; objects of no known kind come as (document, pointer)."""
    for index, document in enumerate(payload.documents):
        items = list(enumerate(document)) if isinstance(document, list) else [(None, document)]
        for position, item in items:
            pointer: Pointer = () if position is None else (position,)
            kind = kind_of(item)
            if kind is None:
                yield (index, pointer)
            else:
                yield Resource(kind, item, payload, index, pointer)


def holds_data_model(payload: PayloadFile) -> bool:
    """Whether ``payload`` holds an object that is surely meant as a data model (``type: sql``, or
    a ``config`` with a query key), for a file that names no Warehouse Sync key."""
    for document in payload.documents:
        for item in document if isinstance(document, list) else [document]:
            if kind_of(item) is not Kind.DATA_MODEL:
                continue
            config, kind = item.get("config"), item.get("type")
            if (isinstance(kind, str) and kind.lower() == "sql") or (
                isinstance(config, Mapping) and any(is_query_key(key) for key in config)
            ):
                return True
    return False

"""What `wsync-lint init` writes: a small Warehouse Sync project, one set of payloads per warehouse.

Pure: the files are returned as text, and :mod:`wsync_lint.cli.init` writes them. Per warehouse:

- ``connections/<w>-main.yaml``: the connection (v2 shapes of EX-V2-03/05/07/09), without its
  secret: a comment names the variable ``deploy`` and ``preflight`` read it from;
- ``data-models/<w>-customers.yaml`` and ``models/<w>/customers.sql``: a user attributes model
  whose key column is aliased to a reserved identity name (``customer_id``);
- ``pipelines/<w>-customers-daily.yaml``: its pipeline, incremental on the iterator type the
  warehouse takes (WS-SM-04);
- with events: ``data-models/<w>-events.yaml``, ``models/<w>/events.sql``,
  ``field-transformations/<w>-events.yaml`` (the data mapping page's four fields, DMAP) and
  ``pipelines/<w>-events-hourly.yaml``, for each warehouse asked for;
- one ``wsync-lint.toml`` saying ``root = true``: a project made inside a larger repository is a
  project of its own, so its ids and links never mix with the repository's other payloads.

Values are plausible examples (an account locator, a host name), never a ``<placeholder>`` or
``replace_me``, which PS03 reports: the result passes ``wsync-lint check`` as it is, and the comments
say what to replace. No schema snapshot is written: one made up would let RF05/RF06 judge the
models against tables that do not exist; ``wsync-lint schema pull`` writes the real one. Pipelines
start ``paused``, so that a deploy before the values are real syncs nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wsync_lint.commands.project_warehouses import EVENT_FIELDS, WAREHOUSE_TEMPLATES, Warehouse
from wsync_lint.mparticle import facts

SecretSource = Callable[[str, str], "str | None"]
"""A connection id and its ``service_provider`` -> where ``deploy`` and ``preflight`` read its secret,
in words (``$WSYNC_LINT_X_PASSWORD, else $SNOWFLAKE_PASSWORD``); None when it has none."""

FIRST_SYNC = "2025-01-01T00:00:00Z"
"""The example ``sync_mode.from`` and ``schedule.start``: a first run must start somewhere (SY07)."""


@dataclass(frozen=True)
class ProjectFile:
    """One file to write: its path relative to the project folder (``/``-separated) and its text."""

    path: str
    text: str


@dataclass(frozen=True)
class ProjectTemplate:
    """The files of a new project, in path order, and the ids of its pipelines."""

    files: tuple[ProjectFile, ...]
    pipelines: tuple[str, ...]


def project_template(warehouses: Sequence[str], events: bool, secret_source: SecretSource) -> ProjectTemplate:
    """The files of a project for ``warehouses`` (each once, in the order given: the first is the
    configuration's ``dialect``), with an events pipeline for each when ``events``."""
    files = [ProjectFile("wsync-lint.toml", _configuration(warehouses[0]))]
    pipelines: list[str] = []
    for name in warehouses:
        warehouse = WAREHOUSE_TEMPLATES[name]
        connection = f"{name}-main"
        files.append(ProjectFile(f"connections/{connection}.yaml", _connection(connection, warehouse, secret_source)))
        pipelines.append(f"{name}-customers-daily")
        files.extend(_customers(name, connection, warehouse))
        if events:
            pipelines.append(f"{name}-events-hourly")
            files.extend(_events(name, connection, warehouse))
    return ProjectTemplate(tuple(sorted(files, key=lambda f: f.path)), tuple(pipelines))


def _configuration(first: str) -> str:
    return (
        "# wsync-lint settings of this Warehouse Sync project (written by `wsync-lint init`).\n"
        "\n"
        "# This folder is a project of its own, also inside a larger git repository: its pipelines\n"
        "# see only its own connections and data models, and its ids need only be unique here.\n"
        "root = true\n"
        "\n"
        "# The warehouse of a .sql file no pipeline uses (a pipeline's model takes its connection's).\n"
        f'dialect = "{first}"\n'
        "\n"
        "# The Warehouse Sync workspace of `plan`, `deploy`, `status` and `import`: uncomment these two\n"
        "# lines and write your workspace's id.\n"
        "# [api]\n"
        "# workspace = 1234\n"
    )


def _yaml_value(value: str) -> str:
    """A plain YAML scalar where it reads back as the same string, else a quoted one."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9_.@/ ,()-]*(?<! )", value)
    if plain and value.lower() not in ("yes", "no", "on", "off", "true", "false", "null"):
        return value
    return json.dumps(value)


_COMMENT_COLUMN = 40
"""Trailing comments are aligned up to here; a longer line gets its comment two spaces after it."""


def _lines(pairs: Sequence[tuple[str, str, str]], indent: str = "") -> list[str]:
    """``key: value  # comment`` lines, the comments aligned."""
    widths = [len(f"{indent}{key}: {_yaml_value(value)}") for key, value, _ in pairs]
    width = max([w for w in widths if w <= _COMMENT_COLUMN] or [0])
    out = []
    for key, value, comment in pairs:
        line = f"{indent}{key}: {_yaml_value(value)}"
        out.append(f"{line.ljust(width)}  # {comment}" if comment else line)
    return out


def _connection(connection: str, warehouse: Warehouse, secret_source: SecretSource) -> str:
    head = [
        f"# The {warehouse.provider} connection mParticle reads the data models' tables through (Warehouse",
        "# Sync API v2). Replace the example values with your own.",
    ]
    if warehouse.secret_key is None:
        head.append("# Delta Sharing needs no password: mParticle reads the tables the share holds.")
    else:
        source = secret_source(connection, warehouse.provider) or "the environment"
        head += [
            f"# config.{warehouse.secret_key} is not in this file, and never should be (CN02): `deploy` and",
            f"# `preflight` read it from {source}.",
        ]
    head.append("# `wsync-lint grants` prints the statements mParticle's setup needs for these settings.")
    body = _lines(
        [
            ("id", connection, ""),
            ("name", warehouse.provider, ""),
            ("state", "active", ""),
            ("service_provider", warehouse.provider, ""),
        ]
    )
    settings = _lines([(s.key, s.value, s.comment) for s in warehouse.settings], indent="  ")
    return "\n".join([*head, *body, "config:", *settings]) + "\n"


def _data_model(model: str, title: str, sql_file: str) -> str:
    return (
        "\n".join(
            [
                "# A data model: the query mParticle runs for each pipeline that uses it. Its SQL is in the file",
                "# config.sql_file names (relative to this file); `deploy` sends that text as config.sql_query.",
                f"id: {model}",
                f"name: {title}",
                "type: sql",
                "state: active",
                "config:",
                f"  sql_file: {sql_file}",
            ]
        )
        + "\n"
    )


def _sql(comments: Sequence[str], select: Sequence[str], source: str) -> str:
    columns = ",\n".join(f"    {column}" for column in select)
    return "".join(f"-- {line}\n" if line else "--\n" for line in comments) + f"SELECT\n{columns}\nFROM {source}\n"


_PERIOD = {"hourly": "hour", "daily": "day"}
_KIND_TITLE = {facts.PIPELINE_TYPE_USER_ATTRIBUTES: "A user attributes", facts.PIPELINE_TYPE_EVENTS: "An events"}


@dataclass(frozen=True)
class _PipelineSpec:
    """What one pipeline payload says."""

    pipeline: str
    title: str
    kind: str
    dialect: str
    connection: str
    model: str
    iterator: tuple[str, str]
    frequency: str
    transformation: str | None = None


def _pipeline(spec: _PipelineSpec) -> str:
    field, data_type = spec.iterator
    lines = [
        f"# {_KIND_TITLE[spec.kind]} pipeline: every {_PERIOD[spec.frequency]} it syncs the rows of data model "
        f"{spec.model}",
        f"# whose iterator ({field}) moved on since the last run.",
        f"id: {spec.pipeline}",
        f"name: {spec.title}",
        f"pipeline_type: {spec.kind}",
        f"connection_id: {spec.connection}",
        f"data_model_id: {spec.model}",
    ]
    if spec.transformation is not None:
        lines.append(f"field_transformation_id: {spec.transformation}")
    lines += _lines(
        [
            ("state", "paused", f"`active` starts the syncs (at most {facts.ACTIVE_PIPELINE_LIMIT} per workspace)"),
            ("environment", "development", "or production: where in mParticle the data goes"),
        ]
    )
    types = ", ".join(facts.ITERATOR_DATA_TYPES[spec.dialect])
    lines.append("sync_mode:")
    lines += _lines(
        [
            ("type", "incremental", "only the rows whose iterator moved on"),
            ("iterator_field", field, "an output column of the model, as the warehouse returns its name"),
            ("iterator_data_type", data_type, f"its type: one of {types}"),
            ("from", FIRST_SYNC, "where the first run starts (it cannot change later)"),
        ],
        indent="  ",
    )
    lines.append("schedule:")
    lines += _lines(
        [
            ("type", "interval", ""),
            ("frequency", spec.frequency, "hourly, daily, weekly or monthly"),
            ("start", FIRST_SYNC, ""),
            ("delay", "15m", "how long after each interval its run starts"),
        ],
        indent="  ",
    )
    return "\n".join(lines) + "\n"


def _customers(name: str, connection: str, warehouse: Warehouse) -> list[ProjectFile]:
    model, pipeline = f"{name}-customers", f"{name}-customers-daily"
    iterator = warehouse.customers_iterator[0]
    sql = _sql(
        [
            f"Your customers as mParticle user attributes (pipeline {pipeline}), one row per customer.",
            f"Replace the table and columns with yours; `wsync-lint columns {pipeline}`, run in the",
            "project's folder, shows what mParticle receives.",
            "- The key column comes back under a reserved identity name (customer_id, email, mpid, ...),",
            "  which mParticle finds the profile by.",
            f"- {warehouse.naming}.",
            f"- {iterator} is the pipeline's iterator: each run syncs the rows whose {iterator} moved on.",
        ],
        warehouse.customers_select,
        warehouse.customers_from,
    )
    return [
        ProjectFile(f"models/{name}/customers.sql", sql),
        ProjectFile(
            f"data-models/{model}.yaml",
            _data_model(model, f"Customers ({warehouse.provider})", f"../models/{name}/customers.sql"),
        ),
        ProjectFile(
            f"pipelines/{pipeline}.yaml",
            _pipeline(
                _PipelineSpec(
                    pipeline=pipeline,
                    title=f"Customers, daily ({warehouse.provider})",
                    kind=facts.PIPELINE_TYPE_USER_ATTRIBUTES,
                    dialect=name,
                    connection=connection,
                    model=model,
                    iterator=warehouse.customers_iterator,
                    frequency="daily",
                )
            ),
        ),
    ]


def _events(name: str, connection: str, warehouse: Warehouse) -> list[ProjectFile]:
    model, pipeline, transformation = f"{name}-events", f"{name}-events-hourly", f"{name}-events-ft"

    def returned(column: str) -> str:
        return column.upper() if warehouse.upper_case else column

    iterator = returned("timestamp_unixtime_ms")
    sql = _sql(
        [
            f"Your events as mParticle events (pipeline {pipeline}), one row per event. The field",
            f"transformation {transformation} maps each output column to a field of an mParticle event.",
            f"- {iterator}, the event's time in milliseconds since 1970, is the pipeline's iterator",
            "  too: each run syncs the events after the last run's.",
            f"- The mappings' sources name the columns as the warehouse returns them ({returned('event_id')}, ...).",
        ],
        warehouse.events_select,
        warehouse.events_from,
    )
    mappings = "\n".join(
        f"  - {{mapping_type: column, source: {returned(field)}, destination: {field}}}" for field in EVENT_FIELDS
    )
    transformation_text = (
        "# A field transformation: how each output column of the events model becomes a field of an\n"
        "# mParticle event. `source` is the column as the warehouse returns its name; `destination`\n"
        "# the field of mParticle's JSON schema (mParticle's data mapping page lists them). A column\n"
        "# to leave out: {mapping_type: ignore, source: the_column}.\n"
        f"id: {transformation}\n"
        f"name: Events ({warehouse.provider})\n"
        "destination_type: event_batch\n"
        f"mappings:\n{mappings}\n"
    )
    return [
        ProjectFile(f"models/{name}/events.sql", sql),
        ProjectFile(
            f"data-models/{model}.yaml",
            _data_model(model, f"Events ({warehouse.provider})", f"../models/{name}/events.sql"),
        ),
        ProjectFile(f"field-transformations/{model}.yaml", transformation_text),
        ProjectFile(
            f"pipelines/{pipeline}.yaml",
            _pipeline(
                _PipelineSpec(
                    pipeline=pipeline,
                    title=f"Events, hourly ({warehouse.provider})",
                    kind=facts.PIPELINE_TYPE_EVENTS,
                    dialect=name,
                    connection=connection,
                    model=model,
                    iterator=(iterator, "timestamp_unixtime_ms"),
                    frequency="hourly",
                    transformation=transformation,
                )
            ),
        ),
    ]

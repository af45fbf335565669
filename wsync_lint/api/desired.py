"""The body deploy sends for a committed resource, exactly, bar its secrets.

A committed payload is not what the API takes: it may name its query in a file
(``config.sql_file``, which the API does not know) and may carry keys that only the API sets
(``status``, ``created_on``, ...; design §2.6). :func:`desired_body` is the one place that turns a
payload into the body, so the plan compares, ``--dry-run`` prints and deploy sends the same
thing (design §4.1: "they cannot disagree about what would be applied").

The SQL file is inlined byte for byte: read as UTF-8, a byte order mark dropped, and the final
newline **kept**, since mParticle wraps the query in its own and a last-line ``--`` comment
without a newline would swallow the wrapper's closing parenthesis (WS-SQL-05, ST07; design R-7).
Secret keys are left out; :mod:`wsync_lint.api.secrets` says what goes in their place.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Mapping
from typing import Any

from wsync_lint.analysis.payload_values import is_secret_key
from wsync_lint.api.secrets import SecretSlot, secret_slots
from wsync_lint.errors import UsageError
from wsync_lint.files import DEFAULT_MAX_FILE_SIZE, Unreadable, read_bounded
from wsync_lint.mparticle import facts
from wsync_lint.project.model_files import SqlFileProblem
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind, Resource

__all__ = ["SecretSlot", "desired_body", "secret_slots", "sql_file_shown"]

_PROBLEMS = {
    SqlFileProblem.OUTSIDE: "lies outside the project, so it is not read",
    SqlFileProblem.MISSING: "does not exist",
    SqlFileProblem.NOT_A_FILE: "is not a regular file, so it is not read",
}


def desired_body(project: Project, resource: Resource, max_size: int = DEFAULT_MAX_FILE_SIZE) -> dict[str, Any]:
    """The body of ``resource`` as deploy sends it: read-only keys and secrets left out, and a data
    model's ``config.sql_file`` replaced, in its place, by ``config.sql_query`` holding the file's
    text. A SQL file that cannot be read is a :class:`UsageError` naming it."""
    body = _without_secrets({key: value for key, value in resource.data.items() if key not in facts.READ_ONLY_KEYS})
    config = body.get("config")
    if not isinstance(config, dict):
        return body
    sql_file = config.get("sql_file")
    if resource.kind is Kind.DATA_MODEL and isinstance(sql_file, str) and sql_file:
        query = _read_sql(project, resource, max_size)
        body["config"] = {
            ("sql_query" if key == "sql_file" else key): (query if key == "sql_file" else value)
            for key, value in config.items()
            if key != "sql_query"
        }
    return body


def _without_secrets(value: Any) -> Any:
    # Every key CN02 calls a credential, at any depth: the plan prints the body, and a secret is
    # only ever sent from the environment (secrets.py), never from a committed file.
    if isinstance(value, Mapping):
        return {key: _without_secrets(item) for key, item in value.items() if not is_secret_key(key)}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return copy.deepcopy(value)


def sql_file_shown(resource: Resource) -> str | None:
    """The data model's ``config.sql_file`` as a path beside the payload file's displayed path
    (``models/users.sql``), for the plan's ``from`` line; None for an inline query."""
    sql_file = resource.get("config", "sql_file")
    if resource.kind is not Kind.DATA_MODEL or not isinstance(sql_file, str) or not sql_file:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(resource.path), sql_file.replace("\\", "/")))


def _read_sql(project: Project, model: Resource, max_size: int) -> str:
    located = project.model_sql(model)
    shown = sql_file_shown(model)
    if located is None or located.file is None:  # model_sql names the file whenever sql_file is a string
        raise UsageError(f"data model `{model.id}`: `config.sql_file` {shown} cannot be read")
    if located.problem is not None:
        raise UsageError(f"data model `{model.id}`: `config.sql_file` {shown} {_PROBLEMS[located.problem]}")
    data = read_bounded(located.file, max_size, inside=project.root)
    if isinstance(data, Unreadable):
        raise UsageError(f"data model `{model.id}`: `config.sql_file` {shown}: {data.sentence}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"data model `{model.id}`: `config.sql_file` {shown} is not UTF-8 "
            f"(byte 0x{data[error.start]:02x} at byte offset {error.start}); the API takes UTF-8 text"
        ) from None
    return text.removeprefix("\ufeff")

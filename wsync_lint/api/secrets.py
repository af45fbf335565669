"""The write-only values a connection body needs, and where deploy takes each one from.

mParticle answers a connection's secret masked (``************``) or not at all (design N-3),
and a PUT must carry the whole object, so every connection create or update sends its secret
again, from the environment (design §2.7). A connection's secret is a *slot*: the key of the
body it goes into and the variable it comes from. The plan lists the slots ("sent from
``$WSYNC_LINT_X_PASSWORD``") and never a value; ``deploy --dry-run`` shows :func:`placeholder`
in place of the value; only :func:`resolve_secret`, at send time, reads the value itself.

| connection | key | variable |
|---|---|---|
| Snowflake | ``config.password`` | ``WSYNC_LINT_<ID>_PASSWORD``, else ``SNOWFLAKE_PASSWORD`` |
| Redshift | ``config.password`` | ``WSYNC_LINT_<ID>_PASSWORD``, else ``REDSHIFT_PASSWORD`` |
| BigQuery | ``config.service_account_key`` | the content of the file ``WSYNC_LINT_<ID>_CREDENTIALS_FILE`` names |
| Databricks | none (Delta Sharing) | |

These are the variables preflight already reads (:mod:`wsync_lint.live`), so one environment
serves both. A missing value is a :class:`~wsync_lint.errors.UsageError` naming the variable
(exit 2: a value the request body needs, design §4.4); no message ever quotes a value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsync_lint.errors import UsageError
from wsync_lint.files import DEFAULT_MAX_FILE_SIZE, Unreadable, read_bounded
from wsync_lint.live.backend import env_name
from wsync_lint.project.resources import Kind, Resource


@dataclass(frozen=True)
class SecretSlot:
    """A write-only key of a connection body and the variable its value comes from."""

    pointer: tuple[str, ...]
    """Where in the body: ``("config", "password")``."""
    variable: str
    """``WSYNC_LINT_<ID>_PASSWORD`` (or ``..._CREDENTIALS_FILE``)."""
    fallback: str | None
    """The standard variable read when ``variable`` is unset (``SNOWFLAKE_PASSWORD``)."""
    from_file: bool
    """True: the variable names a file whose content is the value (a BigQuery key file)."""

    @property
    def key(self) -> str:
        """The key as users write it: ``config.password``."""
        return ".".join(self.pointer)

    @property
    def source(self) -> str:
        """Where the value comes from, in words: ``$WSYNC_LINT_X_PASSWORD, else $SNOWFLAKE_PASSWORD``."""
        named = f"${self.variable}" + (f", else ${self.fallback}" if self.fallback else "")
        return f"the file named by {named}" if self.from_file else named


_PASSWORD_FALLBACKS = {"Snowflake": "SNOWFLAKE_PASSWORD", "Redshift": "REDSHIFT_PASSWORD"}


def secret_slots(resource: Resource) -> list[SecretSlot]:
    """The write-only keys ``resource``'s body needs (none but for a Snowflake, Redshift or
    BigQuery connection with an id)."""
    connection_id = resource.id
    if resource.kind is not Kind.CONNECTION or connection_id is None:
        return []
    provider = resource.get("service_provider")
    if provider in _PASSWORD_FALLBACKS:
        return [
            SecretSlot(
                ("config", "password"), env_name(connection_id, "PASSWORD"), _PASSWORD_FALLBACKS[provider], False
            )
        ]
    if provider == "BigQuery":
        return [SecretSlot(("config", "service_account_key"), env_name(connection_id, "CREDENTIALS_FILE"), None, True)]
    return []


def placeholder(slot: SecretSlot) -> str:
    """What ``deploy --dry-run`` shows in place of the value.

    >>> placeholder(SecretSlot(("config", "password"), "WSYNC_LINT_SF_PASSWORD", "SNOWFLAKE_PASSWORD", False))
    '<from WSYNC_LINT_SF_PASSWORD>'
    """
    return f"<from {slot.variable}>"


def resolve_secret(
    slot: SecretSlot, environment: Mapping[str, str], config: Mapping[str, Any], max_size: int = DEFAULT_MAX_FILE_SIZE
) -> str:
    """The value to send for ``slot``, from ``environment`` (``config``: the connection's
    ``config``, against which a BigQuery key is checked). A missing or unusable value is a
    :class:`UsageError` naming the variable and never quoting a value."""
    for variable in (slot.variable, slot.fallback):
        value = environment.get(variable) if variable else None
        if value:
            return _key_file(slot, variable, value, config, max_size) if slot.from_file else value
    what = "the service account key file" if slot.from_file else "the password"
    also = f" (or `{slot.fallback}`)" if slot.fallback else ""
    named = "the path of the key file" if slot.from_file else "it"
    raise UsageError(
        f"`{slot.key}` must be sent with the connection, but `{slot.variable}`{also} is not set: set {named} there ({what} is never read from the payload)"
    )


def _key_file(slot: SecretSlot, variable: str, location: str, config: Mapping[str, Any], max_size: int) -> str:
    # WS-CONN-11/12: the body carries the key file's content as a string, and the key's
    # `client_email` must be the connection's `service_account_id`. Messages never quote the file.
    data = read_bounded(Path(location), max_size)
    if isinstance(data, Unreadable):
        raise UsageError(f"`{variable}` names {location}: {data.sentence}")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
        key = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise UsageError(f"`{variable}` names {location}, which is not a JSON service account key file") from None
    if not isinstance(key, dict) or key.get("type") != "service_account":
        raise UsageError(
            f'`{variable}` names {location}, which is not a service account key (`"type": "service_account"`)'
        )
    account = config.get("service_account_id")
    if key.get("client_email") != account:
        raise UsageError(
            f"`{variable}` names {location}, whose `client_email` is not the connection's "
            f"`config.service_account_id` (WS-CONN-12): use the key of that service account"
        )
    return text

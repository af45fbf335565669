"""The contract every warehouse connector meets, and what it reports back.

A connector module (``wsync_lint.live.snowflake`` and its three siblings) has one entry point,
``connect(settings: LiveSettings) -> Session``, which imports the official driver, logs in and
returns a :class:`Session`. Sessions only ever send :class:`~wsync_lint.live.statements.ReadOnlyQuery`
objects (or, for BigQuery, dry-run jobs and metadata calls of the client library; for Redshift, the
read-only transaction around each one), so nothing but single reading statements is sent. That is
not all it takes for nothing to change: a reading statement may call a function with a side effect.
The model gate keeps such models back, Redshift's read-only transaction makes the server refuse what
writes, and a role that can only read covers the rest (README, "Live preflight").

Failures are two exceptions, both with messages that hold no secret (connectors pass driver
messages through :meth:`LiveSettings.redact`):

- :class:`WarehouseUnreachable`: no session (host down, login refused, timeout): exit 3. Its
  subclass :class:`WarehouseNotTried` says no login was even attempted (the driver is not installed,
  a credential or setting is not set): the connection is reported as *not checked*, not as
  unreachable (still exit 3: nothing was verified there).
- :class:`WarehouseRejected`: the warehouse refused one statement (LV01), with its own message and,
  when it gives one, the 1-based line and column inside the statement sent.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
from urllib.parse import quote, quote_plus, urlsplit

from wsync_lint.contract.live_context import GrantCheck, LiveTable, ResultColumn
from wsync_lint.live.statements import ReadOnlyQuery

ENV_PREFIX = "WSYNC_LINT_"
REDACTED = "***"


class WarehouseUnreachable(Exception):
    """No session could be opened: host unreachable, login refused, or the timeout ran out."""


class WarehouseNotTried(WarehouseUnreachable):
    """No login was attempted: the driver is not installed, or a credential or setting the login
    needs is not set. Reported as "not checked", never as "unreachable": nothing was tried."""


def driver_missing(warehouse: str, extra: str) -> WarehouseNotTried:
    """The failure of a connector whose driver cannot be imported, saying how to install it: the
    driver's requirement as wsync-lint's ``extra`` pins it (what a pre-commit hook's
    ``additional_dependencies`` or any environment takes), and the extra itself for a clone."""
    requirement = _extra_requirement(extra)
    install = f"install `{requirement}`, or " if requirement else ""
    return WarehouseNotTried(
        f"the {warehouse} driver is not installed: {install}pip install -e '.[{extra}]' in a clone of wsync-lint"
    )


def _extra_requirement(extra: str) -> str | None:
    """The driver ``extra`` brings, as wsync-lint's installed metadata pins it (None when unknown)."""
    from importlib import metadata

    try:
        requirements = metadata.requires("wsync-lint") or []
    except metadata.PackageNotFoundError:
        return None
    marker = f'extra == "{extra}"'
    drivers = [
        r.split(";")[0].strip() for r in requirements if marker in r and not r.startswith(("rich", "wsync-lint"))
    ]
    return drivers[0] if drivers else None


class WarehouseRejected(Exception):
    """The warehouse refused a statement: its own message, and where in the statement when it says."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Endpoint:
    """Where to connect instead of the warehouse's public address (tests, private endpoints)."""

    scheme: str
    host: str
    port: int | None

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        """``http://127.0.0.1:8080``, ``https://host``, or ``host:port`` (scheme https).

        >>> Endpoint.parse("http://127.0.0.1:8080")
        Endpoint(scheme='http', host='127.0.0.1', port=8080)
        >>> Endpoint.parse("db.internal:5439")
        Endpoint(scheme='https', host='db.internal', port=5439)
        """
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if not parts.hostname:
            raise ValueError(f"not an endpoint: {text!r} (expected scheme://host:port)")
        return cls(parts.scheme or "https", parts.hostname, parts.port)

    @property
    def url(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{self.host}{port}"


def env_name(connection_id: str, setting: str) -> str:
    """The environment variable that holds ``setting`` for a connection.

    >>> env_name("snowflake-prod", "PASSWORD")
    'WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD'
    """
    return f"{ENV_PREFIX}{re.sub(r'[^A-Za-z0-9]', '_', connection_id).upper()}_{setting}"


@dataclass(frozen=True)
class LiveSettings:
    """Everything a connector needs to open a session for one connection."""

    connection_id: str
    dialect: str
    config: Mapping[str, Any]
    """The connection payload's ``config`` object (never its secrets: CN02 keeps them out)."""
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The process environment (``os.environ`` by default in :func:`settings_for`)."""
    timeout: float = 30.0
    """Seconds for the login and for each statement."""

    def setting(self, name: str, *fallbacks: str) -> str | None:
        """``WSYNC_LINT_<ID>_<NAME>``, else the first standard variable of ``fallbacks`` that is set."""
        for variable in (env_name(self.connection_id, name), *fallbacks):
            value = self.environment.get(variable)
            if value:
                return value
        return None

    def text(self, key: str) -> str | None:
        """A string setting of the connection payload's ``config``."""
        value = self.config.get(key)
        return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and str(value) else None

    @property
    def endpoint(self) -> Endpoint | None:
        """``WSYNC_LINT_<ID>_ENDPOINT``: connect here instead of the warehouse's address."""
        value = self.setting("ENDPOINT")
        return Endpoint.parse(value) if value else None

    def secrets(self) -> tuple[str, ...]:
        """The values no message may hold: every variable of this connection whose name says secret."""
        prefix = env_name(self.connection_id, "")
        found = [
            value
            for name, value in self.environment.items()
            if value and (name.startswith(prefix) or name in STANDARD_SECRETS) and SECRET_NAME.search(name)
        ]
        return tuple(sorted(set(found), key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` with every secret of this connection replaced by ``***``, in each of the
        spellings of :func:`secret_spellings` (a server or driver may echo one escaped)."""
        return self._secret_pattern.sub(REDACTED, text) if self._secret_pattern else text

    @cached_property
    def _secret_pattern(self) -> re.Pattern[str] | None:
        user = self.text("user")
        return spelling_pattern(
            form
            for secret in self.secrets()
            if len(secret) >= SHORTEST_SECRET
            for form in secret_spellings(secret, user)
        )

    def require(self, name: str, *fallbacks: str) -> str:
        """A setting the connector cannot do without, else :class:`WarehouseNotTried` naming the
        variables that may hold it (``WSYNC_LINT_X_PASSWORD is not set (or SNOWFLAKE_PASSWORD)``)."""
        value = self.setting(name, *fallbacks)
        if value is None:
            standard = f" (or {', '.join(fallbacks)})" if fallbacks else ""
            raise WarehouseNotTried(f"{env_name(self.connection_id, name)} is not set{standard}")
        return value


def secret_spellings(secret: str, user: str | None = None) -> set[str]:
    """How a message may spell ``secret``: as is; JSON- (also twice), HTML-, Python- and SQL-escaped; URL-encoded
    (``quote`` and ``quote_plus``; :meth:`LiveSettings.redact` takes their hex digits in either
    case); base64 and URL-safe base64 of the secret and of ``user:secret`` (HTTP Basic), with and
    without padding; and hex, either case. Base64 inside a longer base64 text is aligned differently
    and is not found.

    >>> sorted(secret_spellings("p@ss w", "u"))
    ['704073732077', 'cEBzcyB3', 'dTpwQHNzIHc', 'dTpwQHNzIHc=', 'p%40ss%20w', 'p%40ss+w', 'p@ss w']
    """
    spellings = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(json.dumps(secret)[1:-1])[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
        repr(secret)[1:-1],
        secret.replace("'", "''"),
        secret.replace('"', '""'),
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        secret.encode().hex(),
        secret.encode().hex().upper(),
    }
    for plain in (secret, f"{user}:{secret}" if user else None):
        if plain is not None:
            for coded in (base64.b64encode(plain.encode()), base64.urlsafe_b64encode(plain.encode())):
                spellings.update({coded.decode(), coded.decode().rstrip("=")})
    return spellings


def spelling_pattern(spellings: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for every spelling of the secrets (None when there is none), the longest tried
    first so that a spelling holding another is removed whole, matched in any case: a server may
    echo a secret upper-cased, and hex and URL escapes come in either case.

    >>> spelling_pattern(["ab%2F", "ab"]).sub("***", "AB%2f, ab")
    '***, ***'
    """
    ordered = sorted(set(spellings), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE) if ordered else None


SECRET_NAME = re.compile(r"PASSWORD|PASSPHRASE|TOKEN|SECRET|KEY(?!_FILE)", re.IGNORECASE)
"""The name of a variable that holds a secret (``..._PASSWORD``, ``..._TOKEN``), not a key file's path."""
STANDARD_SECRETS = frozenset({"SNOWFLAKE_PASSWORD", "REDSHIFT_PASSWORD", "DATABRICKS_TOKEN"})
"""The drivers' standard secret variables, read when a connection's own is not set."""
SHORTEST_SECRET = 4
"""Shorter values are left alone: replacing every ``ab`` in a message would hide more than it protects."""


def settings_for(
    connection_id: str,
    dialect: str,
    config: Mapping[str, Any],
    timeout: float,
    environment: Mapping[str, str] | None = None,
) -> LiveSettings:
    return LiveSettings(
        connection_id, dialect, config, dict(os.environ if environment is None else environment), timeout
    )


def one_row(rows: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """The one row a query of aggregates returns (:meth:`Session.aggregate`), else WarehouseRejected.

    >>> one_row([(3, None)])
    (3, None)
    """
    if len(rows) != 1:
        raise WarehouseRejected(f"the aggregate query returned {len(rows)} rows, not one")
    return tuple(rows[0])


@dataclass(frozen=True)
class ScanEstimate:
    """What a warehouse says a query would scan, without running it."""

    scanned: int | None
    """Bytes; None when the warehouse's answer holds no byte figure."""
    source: str
    """Where the figure comes from, as a report names it (``BigQuery dry run``, ``Snowflake EXPLAIN``)."""
    unavailable: str | None = None
    """Why there is no figure (``scanned`` is then None), in the user's terms."""
    pruning_keys: tuple[str, ...] = ()
    """How the tables are partitioned or clustered, one line per table that is
    (``analytics.events: partitioned by event_date, clustered by customer_id``)."""


class Session(Protocol):
    """An open session on one warehouse, sending only checked reading statements."""

    def describe(self, query: ReadOnlyQuery) -> list[ResultColumn]:
        """Compile ``query`` without reading rows; its result columns. Raises WarehouseRejected."""

    def count(self, query: ReadOnlyQuery) -> int:
        """Run a ``SELECT COUNT(*) ...`` and return the count. Raises WarehouseRejected."""

    def aggregate(self, query: ReadOnlyQuery) -> tuple[Any, ...]:
        """Run a query of aggregates that returns one row (``--sample``); its values in select-list
        order, as the driver gives them (int, str, datetime, date, Decimal or None). Raises
        WarehouseRejected, also when the answer is not exactly one row."""

    def scan(self, query: ReadOnlyQuery, tables: Sequence[LiveTable]) -> ScanEstimate:
        """The bytes ``query`` would scan, as the warehouse tells without running it (``--cost``),
        and how ``tables`` (those the model reads) are partitioned or clustered. A warehouse whose
        plan gives no byte figure answers ``ScanEstimate(None, source, unavailable=why)``; a refusal
        of the estimate itself raises WarehouseRejected."""

    def table(self, reference: str, parts: Sequence[str]) -> LiveTable | None:
        """The table a model's reference names (``reference`` in the dialect's SQL, ``parts`` its
        unquoted name parts as written), resolved as the session resolves names; None when the
        warehouse has no such table visible to this user."""

    def check_grants(self, tables: Sequence[tuple[str, LiveTable]]) -> GrantCheck:
        """What the connection's user or role lacks to read these tables (``(reference, table)``
        pairs) and run mParticle's queries."""

    def close(self) -> None:
        """Close the session; never raises."""

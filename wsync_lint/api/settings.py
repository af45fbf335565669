"""Where the Warehouse Sync API is, which workspace a project maps to, and what must never be printed.

The workspace id comes from ``--workspace``, else ``[tool.wsync-lint.api] workspace``; the API
endpoint and token URL from ``WSYNC_LINT_API_ENDPOINT`` / ``WSYNC_LINT_API_TOKEN_URL`` only, else
mParticle's (one base URL for every pod: mParticle routes by token). Never from a file: a committed
file that named another host would send it the client secret and every password deploy sends. The
OAuth client credentials are read from the environment only, when the first call needs them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wsync_lint.api.errors import ApiNotTried
from wsync_lint.engine.config import ApiConfig
from wsync_lint.errors import UsageError
from wsync_lint.files import Unreadable, read_bounded
from wsync_lint.live.backend import (
    ENV_PREFIX,
    REDACTED,
    SECRET_NAME,
    SHORTEST_SECRET,
    STANDARD_SECRETS,
    secret_spellings,
    spelling_pattern,
)

DEFAULT_ENDPOINT = "https://api.mparticle.com"
DEFAULT_TOKEN_URL = "https://sso.auth.mparticle.com/oauth/token"
CLIENT_ID_VARIABLE = "WSYNC_LINT_API_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "WSYNC_LINT_API_CLIENT_SECRET"
ENDPOINT_VARIABLE = "WSYNC_LINT_API_ENDPOINT"
TOKEN_URL_VARIABLE = "WSYNC_LINT_API_TOKEN_URL"
KEY_FILE_LIMIT = 1024 * 1024
"""Bytes read of a credentials or private key file to redact its content: keys are a few KiB."""

# The live layer's reading of "secret-named" (SECRET_NAME), so a variable secret there is secret
# here; but a URL is where a secret goes, not a secret (WSYNC_LINT_API_TOKEN_URL says TOKEN).
_URL_NAME = re.compile(r"_(URL|ENDPOINT)$", re.IGNORECASE)
_KEY_FILE_NAME = re.compile(r"WSYNC_LINT_\w+_(CREDENTIALS|PRIVATE_KEY)_FILE", re.IGNORECASE)
# Keys of a credentials file whose values are secret (a service account key's `private_key` and
# `private_key_id`, an OAuth client's `client_secret`, a `refresh_token`), not its `token_uri`.
_SECRET_KEY_NAME = re.compile(r"private_key|secret|password|passphrase|token(?!_ur[il])", re.IGNORECASE)
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_PEM_LINE_MIN = 17
"""A PEM line this long or longer is redacted on its own: a server may echo one line of a key."""


@dataclass(frozen=True)
class ApiSettings:
    """One workspace of the Warehouse Sync API and the credentials to call it."""

    workspace: str
    endpoint: str = DEFAULT_ENDPOINT
    token_url: str = DEFAULT_TOKEN_URL
    timeout: float = 30.0
    """Seconds for each call (connect at most 10 of them); a call with its retries stays within
    :attr:`deadline`."""
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    _received: set[str] = field(default_factory=set, repr=False, compare=False)
    """Secrets learnt while running (access tokens, a key file's content), redacted like the rest."""
    _patterns: dict[frozenset[str], tuple[re.Pattern[str] | None, int]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def base_url(self) -> str:
        """``<endpoint>/platform/v2/workspaces/<workspace>``, as the API reference (R2) spells it."""
        return f"{self.endpoint}/platform/v2/workspaces/{self.workspace}"

    @property
    def deadline(self) -> float:
        """Seconds one call may take with its retries and reading its answer."""
        return 4 * self.timeout

    def credentials(self) -> tuple[str, str]:
        """The OAuth client id and secret, else :class:`ApiNotTried` (exit 3: the credentials to
        reach a system are missing, as preflight's warehouse logins)."""
        client_id = self.environment.get(CLIENT_ID_VARIABLE)
        client_secret = self.environment.get(CLIENT_SECRET_VARIABLE)
        if not client_id or not client_secret:
            raise ApiNotTried(
                f"mParticle API credentials are not set: export {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}"
            )
        return client_id, client_secret

    def register_secret(self, value: str) -> None:
        """Redact ``value`` from now on (an access token received, a service account key read)."""
        if value:
            self._received.add(value)

    def secrets(self) -> list[str]:
        """Every value :meth:`redact` hides: the client secret, the tokens received, each secret-named
        ``WSYNC_LINT_*`` variable (URLs aside), the standard warehouse secret variables, and what the
        files named by ``WSYNC_LINT_*_CREDENTIALS_FILE`` / ``*_PRIVATE_KEY_FILE`` hold."""
        return [value for value in {*self._configured_secrets, *self._received} if len(value) >= SHORTEST_SECRET]

    @cached_property
    def _configured_secrets(self) -> frozenset[str]:
        """The secrets the environment names, read once (key files are read from disk)."""
        found: set[str] = set()
        for name, value in self.environment.items():
            if not value:
                continue
            if _KEY_FILE_NAME.fullmatch(name):
                found |= _key_file_secrets(value)
            elif name in STANDARD_SECRETS or (
                name.startswith(ENV_PREFIX)
                and SECRET_NAME.search(name.removeprefix(ENV_PREFIX))
                and not _URL_NAME.search(name)
            ):
                found.add(value)
        return frozenset(found)

    def redact(self, text: str, limit: int | None = None) -> str:
        """``text`` with every secret of :meth:`secrets` replaced by ``***``, in every spelling of
        :func:`~wsync_lint.live.backend.secret_spellings` (escaped, URL-encoded, base64, hex).
        ``limit``: keep only the first ``limit`` characters of ``text`` (then ``…``), cut so that
        no part of a secret is left where the cut falls.

        >>> settings = ApiSettings("1234", environment={"WSYNC_LINT_API_CLIENT_SECRET": "s3cr/t"})
        >>> settings.redact("secret s3cr/t, URL-encoded s3cr%2Ft")
        'secret ***, URL-encoded ***'
        >>> settings.redact("x" * 6 + "s3cr/t" + "y" * 9, limit=8)
        'xxxxxx***…'
        """
        pattern, longest = self._pattern()
        if limit is None or len(text) <= limit:
            return pattern.sub(REDACTED, text) if pattern is not None else text
        # A secret that starts before the cut ends within its longest spelling after it: that much
        # is searched, and a secret found across the cut goes whole.
        window, kept, at = text[: limit + longest], [], 0
        for match in pattern.finditer(window) if pattern is not None else ():
            if match.start() >= limit:
                break
            kept += [window[at : match.start()], REDACTED]
            at = match.end()
        return "".join(kept) + window[at:limit] + "…"

    def _pattern(self) -> tuple[re.Pattern[str] | None, int]:
        """The secrets' spellings as one pattern and the longest one's length, made once per set of
        secrets received: the commands redact every line they print."""
        received = frozenset(self._received)
        if received not in self._patterns:
            client_id = self.environment.get(CLIENT_ID_VARIABLE)
            spellings = {form for secret in self.secrets() for form in secret_spellings(secret, client_id)}
            self._patterns[received] = (spelling_pattern(spellings), max(map(len, spellings), default=0))
        return self._patterns[received]


def _key_file_secrets(path: str) -> set[str]:
    """What a credentials or private key file holds that no message may show: its whole text, each
    long line of a PEM key in it, and the values of its secret-named JSON keys (with their PEM
    lines). Nothing for a file that cannot be read (not a regular file, too large, not UTF-8)."""
    data = read_bounded(Path(path), KEY_FILE_LIMIT)
    if isinstance(data, Unreadable):
        return set()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return set()
    found = {text, text.strip(), *_pem_lines(text)}
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return found
    for key, value in _string_items(document):
        if _SECRET_KEY_NAME.search(key):
            found |= {value, value.strip(), *_pem_lines(value)}
    return found


def _string_items(document: Any) -> Iterator[tuple[str, str]]:
    """Each (key, string value) of every object in ``document``, however deep (without recursion)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str):
                    yield str(key), item
                else:
                    pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)


def _pem_lines(text: str) -> list[str]:
    """The base64 lines of the PEM blocks in ``text`` long enough to say something of the key (the
    ``-----BEGIN ...-----`` lines, and whatever else is around, are no secret)."""
    if "-----BEGIN" not in text:
        return []
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if len(line) >= _PEM_LINE_MIN and _BASE64_LINE.fullmatch(line)]


def api_settings(
    config: ApiConfig, workspace: str | None, timeout: float, environment: Mapping[str, str] | None = None
) -> ApiSettings:
    """The settings for one run: ``workspace`` (the ``--workspace`` option) over the configuration's,
    the endpoint and token URL from the environment only. No workspace anywhere, or a malformed
    endpoint or token URL, is a usage error (exit 2)."""
    variables = dict(os.environ if environment is None else environment)
    chosen = workspace if workspace is not None else config.workspace
    if not chosen:
        raise UsageError(
            "no Warehouse Sync workspace: pass --workspace ID, or set `workspace` under `[api]` in wsync-lint.toml "
            "(`[tool.wsync-lint.api]` in pyproject.toml)"
        )
    if not re.fullmatch(r"[0-9]{1,20}", str(chosen)):
        raise UsageError(f"workspace `{chosen}` is not a Warehouse Sync workspace id (a number such as 1234)")
    endpoint = _url_setting(variables, ENDPOINT_VARIABLE, DEFAULT_ENDPOINT)
    token_url = _url_setting(variables, TOKEN_URL_VARIABLE, DEFAULT_TOKEN_URL)
    return ApiSettings(str(chosen), endpoint.rstrip("/"), token_url, timeout, variables)


def _url_setting(variables: Mapping[str, str], name: str, default: str) -> str:
    """The URL the variable ``name`` holds (else ``default``), once it has the form
    ``http(s)://host[:port][/path]``. The value is not quoted back: it may hold a password."""
    value = variables.get(name) or default
    form = "http(s)://host[:port][/path], without user, query or fragment"
    try:
        parts = urlsplit(value)
    except ValueError:
        raise UsageError(f"{name} is not a URL of the form {form}") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    segments = parts.path.split("/")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
        or not re.fullmatch(r"[A-Za-z0-9._~:/%+-]*", parts.path)
        or any(segment in (".", "..") for segment in segments)
        or re.search(r"\s", value)
    ):
        raise UsageError(f"{name} is not a URL of the form {form}")
    if port == 0 or (parts.netloc.endswith(":") and port is None):
        raise UsageError(f"{name} has no valid port (1 to 65535)")
    return value

"""Where the Warehouse Sync API is, which workspace a project maps to, and what must never be printed.

The workspace id comes from ``--workspace``, else ``[tool.wsync-lint.api] workspace``; the API
endpoint and token URL from ``WSYNC_LINT_API_ENDPOINT`` / ``WSYNC_LINT_API_TOKEN_URL``, else the
configuration, else mParticle's (one base URL for every pod: mParticle routes by token). The OAuth
client credentials are read from the environment only, when the first call needs them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from wsync_lint.api.errors import ApiUnreachable
from wsync_lint.engine.config import ApiConfig
from wsync_lint.errors import UsageError
from wsync_lint.live.backend import ENV_PREFIX, REDACTED, secret_spellings

DEFAULT_ENDPOINT = "https://api.mparticle.com"
DEFAULT_TOKEN_URL = "https://sso.auth.mparticle.com/oauth/token"
CLIENT_ID_VARIABLE = "WSYNC_LINT_API_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "WSYNC_LINT_API_CLIENT_SECRET"
ENDPOINT_VARIABLE = "WSYNC_LINT_API_ENDPOINT"
TOKEN_URL_VARIABLE = "WSYNC_LINT_API_TOKEN_URL"

# The same reading of "secret-named" as the live layer's, so a variable secret there is secret here.
_SECRET_NAME = re.compile(r"PASSWORD|PASSPHRASE|TOKEN|SECRET|KEY(?!_FILE)", re.IGNORECASE)
_STANDARD_SECRETS = ("SNOWFLAKE_PASSWORD", "REDSHIFT_PASSWORD", "DATABRICKS_TOKEN")
_SHORTEST_SECRET = 4
"""Shorter values are left alone: replacing every ``ab`` in a message would hide more than it protects."""


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

    @property
    def base_url(self) -> str:
        """``<endpoint>/platform/v2/workspaces/<workspace>``, as the API reference (R2) spells it."""
        return f"{self.endpoint}/platform/v2/workspaces/{self.workspace}"

    @property
    def deadline(self) -> float:
        """Seconds one call may take with its retries: no retry starts once they have passed."""
        return 4 * self.timeout

    def credentials(self) -> tuple[str, str]:
        """The OAuth client id and secret, else :class:`ApiUnreachable` (exit 3: the credentials to
        reach a system are missing, as preflight's warehouse logins)."""
        client_id = self.environment.get(CLIENT_ID_VARIABLE)
        client_secret = self.environment.get(CLIENT_SECRET_VARIABLE)
        if not client_id or not client_secret:
            raise ApiUnreachable(
                f"mParticle API credentials are not set: export {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}"
            )
        return client_id, client_secret

    def register_secret(self, value: str) -> None:
        """Redact ``value`` from now on (an access token received, a service account key read)."""
        if value:
            self._received.add(value)

    def secrets(self) -> list[str]:
        """Every value :meth:`redact` hides: the client secret, the tokens received, each secret-named
        ``WSYNC_LINT_*`` variable and the standard warehouse secret variables."""
        named = [
            value
            for name, value in self.environment.items()
            if (name.startswith(ENV_PREFIX) and _SECRET_NAME.search(name.removeprefix(ENV_PREFIX)))
            or name in _STANDARD_SECRETS
        ]
        return [value for value in {*named, *self._received} if len(value) >= _SHORTEST_SECRET]

    def redact(self, text: str) -> str:
        """``text`` with every secret of :meth:`secrets` replaced by ``***``, in every spelling of
        :func:`~wsync_lint.live.backend.secret_spellings` (escaped, URL-encoded, base64, hex).

        >>> settings = ApiSettings("1234", environment={"WSYNC_LINT_API_CLIENT_SECRET": "s3cr/t"})
        >>> settings.redact("secret s3cr/t, URL-encoded s3cr%2Ft")
        'secret ***, URL-encoded ***'
        """
        client_id = self.environment.get(CLIENT_ID_VARIABLE)
        spellings = {form for secret in self.secrets() for form in secret_spellings(secret, client_id)}
        if not spellings:
            return text
        # Longest first, so a spelling that contains another goes whole; URL escapes in either case.
        ordered = sorted(spellings, key=len, reverse=True)
        pattern = "|".join(re.sub(r"%([0-9A-F]{2})", r"%(?i:\1)", re.escape(form)) for form in ordered)
        return re.sub(pattern, REDACTED, text)


def api_settings(
    config: ApiConfig, workspace: str | None, timeout: float, environment: Mapping[str, str] | None = None
) -> ApiSettings:
    """The settings for one run: ``workspace`` (the ``--workspace`` option) over the configuration's,
    the environment's endpoint and token URL over the configuration's. No workspace anywhere is a
    usage error (exit 2)."""
    variables = dict(os.environ if environment is None else environment)
    chosen = workspace if workspace is not None else config.workspace
    if not chosen:
        raise UsageError(
            "no Warehouse Sync workspace: pass --workspace ID or set `workspace` under [tool.wsync-lint.api]"
        )
    if not re.fullmatch(r"[0-9]{1,20}", str(chosen)):
        raise UsageError(f"workspace `{chosen}` is not a Warehouse Sync workspace id (a number such as 1234)")
    endpoint = variables.get(ENDPOINT_VARIABLE) or config.endpoint or DEFAULT_ENDPOINT
    token_url = variables.get(TOKEN_URL_VARIABLE) or config.token_url or DEFAULT_TOKEN_URL
    return ApiSettings(str(chosen), endpoint.rstrip("/"), token_url, timeout, variables)

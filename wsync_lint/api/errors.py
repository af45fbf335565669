"""How a call to the Warehouse Sync API fails, in two kinds the commands answer differently."""

from __future__ import annotations


class ApiUnreachable(Exception):
    """The API or its token endpoint could not be reached, or would not let us in: connection
    refused or reset, a timeout, 5xx or 429 after the retries, the client credentials refused
    (401 after one refresh), the workspace forbidden (403), or the credential variables unset.
    Exit code 3. The message holds no secret."""


class ApiNotTried(ApiUnreachable):
    """Nothing was sent: the client credentials are not set. Still exit code 3, but said as "not
    checked", never "unreachable"."""


class ApiRefused(Exception):
    """mParticle refused one request (a 4xx other than 401/403/429, or 505: it could not reach the
    warehouse), with its own words. A refused write is a finding, not an outage."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "") -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.method = method
        self.path = path

"""The Warehouse Sync API v2 client: OAuth client credentials, bounded retries, and plain answers.

The only module that imports ``requests`` and ``urllib3``, only inside functions, so the rest of
:mod:`wsync_lint.api` loads without them. Retry policy (api-layer.md §3.6), urllib3's ``Retry``:

- GET and PUT (a whole-object PUT is idempotent): connect errors (3), read errors (2), and 429 and
  500/502/503/504 (3), honouring ``Retry-After`` up to 60 s, else exponential backoff with jitter.
- POST create: connect errors only, which urllib3 retries for every method because nothing was
  sent. Once the request was sent, a lost answer is resolved by reading the resource back.
- The token POST: connect errors and 5xx (asking again for a token changes nothing).
- Every attempt has ``timeout=(min(10, timeout), timeout)``. The whole call is bounded by a
  deadline of ``4 x timeout`` (:attr:`ApiSettings.deadline`), enforced by :class:`_DeadlineRetry`:
  no retry starts whose wait would end past it; the call then ends with the last failure.
- A 401 drops the token and the call is made once more with a new one; a second 401 ends the run.
  The client is not thread-safe: each call sets its own deadline on the session's adapter.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from wsync_lint import __version__
from wsync_lint.api.errors import ApiRefused, ApiUnreachable
from wsync_lint.api.settings import CLIENT_ID_VARIABLE, CLIENT_SECRET_VARIABLE, ApiSettings
from wsync_lint.contract.api_state import error_messages
from wsync_lint.mparticle.facts import READ_ONLY_KEYS, SECRET_KEYS
from wsync_lint.project.resources import Kind

if TYPE_CHECKING:
    import requests

PATHS = {Kind.CONNECTION: "connections", Kind.DATA_MODEL: "data-models", Kind.PIPELINE: "inputs/data-pipelines"}
"""Each kind's collection under the workspace, as R2 spells it."""

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
TOKEN_RETRIED_STATUSES = frozenset({500, 502, 503, 504})
RETRY_AFTER_MAX = 60
AUDIENCE = "https://api.mparticle.com"
CONNECT_TIMEOUT_MAX = 10.0


class ApiForbidden(ApiRefused):
    """403 from the Data Planning API: the credential lacks Data Planning access (a note, not exit 3)."""


class UnexpectedAnswer(ApiRefused):
    """mParticle answered a write about another resource than the one sent (R-8): stop, trust nothing."""


class _AnswerLost(Exception):
    """The request was sent, but no answer came back (read timeout, dropped connection)."""


class WarehouseSyncClient:
    """Calls to one workspace; a context manager that closes its connections."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self._session: requests.Session | None = None
        self._adapter: Any = None
        self._token: str | None = None
        self._refresh_at = 0.0

    def __enter__(self) -> WarehouseSyncClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (the token is forgotten with the client)."""
        if self._session is not None:
            self._session.close()
            self._session = None
        self._token = None

    # --- resources --------------------------------------------------------------------------------
    def list(self, kind: Kind) -> list[dict[str, Any]]:
        """Every resource of ``kind`` in the workspace (a bare JSON array, N-5)."""
        return self._read(_collection(kind), list)

    def get(self, kind: Kind, resource_id: str) -> dict[str, Any] | None:
        """One resource, or None when the workspace has none with that id (404)."""
        return self._read(_item(kind, resource_id), dict, none_on_404=True)

    def create(self, kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``body`` (sent once: only a connection that never opened is retried). When the answer
        is lost after sending, the resource is read back: present and equal in the keys sent counts
        as created; otherwise the outcome is unknown (:class:`ApiUnreachable`)."""
        resource_id = str(body.get("id"))
        path = _collection(kind)
        try:
            response = self._send("POST", path, body, answer_may_be_lost=True)
        except _AnswerLost as lost:
            return self._resolve_create(kind, body, str(lost))
        if response.status_code in TOKEN_RETRIED_STATUSES:
            # The server had the request; a gateway error does not say whether it was applied.
            return self._resolve_create(kind, body, f"answered {response.status_code}")
        answer = self._checked(response, "POST", path)
        return self._same_id(kind, resource_id, answer, response.status_code, "creating")

    def update(self, kind: Kind, resource_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """PUT the whole ``body`` (retried like a GET: a full replacement is idempotent)."""
        path = _item(kind, resource_id)
        response = self._send("PUT", path, body)
        return self._same_id(kind, resource_id, self._checked(response, "PUT", path), response.status_code, "updating")

    def report(self, pipeline_id: str) -> dict[str, Any] | None:
        """A pipeline's status report (P7), or None: mParticle answers Not Found for about a minute
        after creation (T2), and for a pipeline that does not exist."""
        return self._read(_item(Kind.PIPELINE, pipeline_id) + "/report", dict, none_on_404=True)

    def runs(self, pipeline_id: str, page_size: int = 5, page: int = 1) -> list[dict[str, Any]]:
        """One page of a pipeline's runs (P8) in the API's order (not documented; EX-V2-35: oldest first)."""
        return self._runs_page(pipeline_id, page, page_size)["items"]

    def latest_runs(self, pipeline_id: str, count: int = 5) -> list[dict[str, Any]]:
        """The ``count`` newest runs, newest first, taking EX-V2-35's oldest-first order: page 1 tells
        how many pages there are, then the last page is read, and the one before when it is not full."""
        pages = {1: self._runs_page(pipeline_id, 1, count)}
        last = pages[1].get("total_pages")
        for number in (last, last - 1) if isinstance(last, int) and last > 1 else ():
            if number not in pages and (number == last or len(pages[last]["items"]) < count):
                pages[number] = self._runs_page(pipeline_id, number, count)
        return [item for number in sorted(pages) for item in pages[number]["items"]][::-1][:count]

    def _runs_page(self, pipeline_id: str, page: int, size: int) -> dict[str, Any]:
        path = _item(Kind.PIPELINE, pipeline_id) + f"/runs?currentPage={int(page)}&pageSize={int(size)}"
        answer = self._read(path, dict)
        if not isinstance(answer.get("items"), list) or not all(isinstance(item, dict) for item in answer["items"]):
            raise self._unexpected("GET", path, "a page of runs (`items`)")
        return answer

    def data_plan_version(self, plan_id: str, version: object) -> dict[str, Any] | None:
        """A data plan version (Data Planning API, D1), or None when the plan or version does not
        exist (404); :class:`ApiForbidden` when the credential has no Data Planning access (403)."""
        path = f"/plans/{quote(plan_id, safe='')}/versions/{quote(str(version), safe='')}"
        response = self._send("GET", path)
        if response.status_code == 403:
            raise ApiForbidden(403, self._messages(response), "GET", self.settings.base_url + path)
        return self._checked(response, "GET", path, none_on_404=True)

    # --- answers --------------------------------------------------------------------------------
    def _read(self, path: str, shape: type, *, none_on_404: bool = False) -> Any:
        """A GET's answer, of ``shape`` (a list: of objects), or None on 404 when asked."""
        answer = self._checked(self._send("GET", path), "GET", path, none_on_404=none_on_404)
        if answer is None and none_on_404:
            return None
        if not isinstance(answer, shape) or (shape is list and not all(isinstance(item, dict) for item in answer)):
            raise self._unexpected("GET", path, "a list of objects" if shape is list else "an object")
        return answer

    def _checked(self, response: requests.Response, method: str, path: str, *, none_on_404: bool = False) -> Any:
        """The answer's JSON, or the failure it stands for (exit 3 or a refusal)."""
        status = response.status_code
        where = f"{method} {self.settings.base_url + path}"
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return {}
            try:
                return response.json()
            except ValueError:
                raise self._unexpected(method, path, "JSON") from None
        if status == 404 and none_on_404:
            return None
        if status == 403:
            raise ApiUnreachable(
                f"the mParticle API credential has no access to workspace {self.settings.workspace} "
                f"(403 on {where}): the credential needs Platform API Admin for this workspace"
            )
        if status in RETRIED_STATUSES:
            attempts = 1 + len(getattr(getattr(response.raw, "retries", None), "history", ()) or ())
            raise ApiUnreachable(
                f"mParticle API answered {status} {response.reason or ''} to {where} "
                f"after {attempts} attempt{'s' if attempts > 1 else ''}".replace("  ", " ")
            )
        raise ApiRefused(status, self._messages(response), method, self.settings.base_url + path)

    def _messages(self, response: requests.Response) -> str:
        """mParticle's own words: ``errors[].message`` joined (EX-V2-33's shape), else the reason."""
        body = _json_or_none(response)
        words = error_messages(body.get("errors")) if isinstance(body, dict) else ()
        text = "; ".join(words) or response.reason or response.text[:200] or f"status {response.status_code}"
        return self.settings.redact(text)

    def _unexpected(self, method: str, path: str, expected: str) -> ApiUnreachable:
        return ApiUnreachable(f"mParticle API answered {method} {self.settings.base_url + path} without {expected}")

    def _same_id(self, kind: Kind, sent: str, answer: Any, status: int, doing: str) -> dict[str, Any]:
        """The write's answer, once its ``id`` is the one sent (R-8: R2's own example answers another)."""
        method = "PUT" if doing == "updating" else "POST"
        if not isinstance(answer, dict):
            raise self._unexpected(method, _item(kind, sent), "an object")
        if answer.get("id") != sent:
            message = f"mParticle answered {doing} {kind.display} `{sent}` with id `{answer.get('id')}`: "
            message += "stopped, as the answer is about another resource (run `wsync-lint plan`)"
            raise UnexpectedAnswer(status, message, method, self.settings.base_url + _item(kind, sent))
        return answer

    def _resolve_create(self, kind: Kind, body: Mapping[str, Any], reason: str) -> dict[str, Any]:
        resource_id = str(body.get("id"))
        unknown = (
            f"the outcome of creating {kind.display} `{resource_id}` is unknown ({reason}): "
            "run `wsync-lint plan` to see whether it exists"
        )
        try:
            live = self.get(kind, resource_id)
        except (ApiUnreachable, ApiRefused):
            raise ApiUnreachable(unknown) from None
        if live is None or not _holds(live, body):
            raise ApiUnreachable(unknown)
        return live

    # --- HTTP -----------------------------------------------------------------------------------
    def _send(self, method: str, path: str, body: Any = None, *, answer_may_be_lost: bool = False) -> requests.Response:
        """One API call with its retries, and one new token if the first is refused (401)."""
        for _ in range(2):
            response = self._http(method, self.settings.base_url + path, body, self._access_token(), answer_may_be_lost)
            if response.status_code != 401:
                return response
            self._token = None
        raise ApiUnreachable(
            f"mParticle refused the API credentials (401) for workspace {self.settings.workspace}, "
            f"with a new token too: check {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}"
        )

    def _access_token(self) -> str:
        """The token in memory, fetched again once it is near expiry (``expires_in`` less a margin
        of min(60 s, a tenth of it): a fixed 60 s would refetch on every call for short lifetimes)."""
        if self._token is not None and time.monotonic() < self._refresh_at:
            return self._token
        client_id, client_secret = self.settings.credentials()
        body = {"client_id": client_id, "client_secret": client_secret}
        body |= {"audience": AUDIENCE, "grant_type": "client_credentials"}
        asked_at = time.monotonic()
        response = self._http("POST", self.settings.token_url, body, None)
        if response.status_code in (400, 401, 403):
            raise ApiUnreachable(
                f"mParticle refused the API credentials ({response.status_code}) at {self.settings.token_url}: "
                f"check {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}"
            )
        answer = _json_or_none(response) if response.status_code == 200 else None
        token, lifetime = (answer.get("access_token"), answer.get("expires_in")) if isinstance(answer, dict) else (0, 0)
        if not token or not isinstance(token, str) or type(lifetime) not in (int, float):
            what = f"answered {response.status_code}" if response.status_code != 200 else "answered without a token"
            raise ApiUnreachable(f"mParticle's token endpoint {self.settings.token_url} {what}")
        self.settings.register_secret(token)
        self._token = token
        self._refresh_at = asked_at + lifetime - min(60.0, lifetime / 10)
        return token

    def _http(self, method: str, url: str, body: Any, bearer: str | None, lost_ok: bool = False) -> requests.Response:
        """One request through urllib3's retries (the token's when ``bearer`` is None); a failure
        without an answer becomes :class:`ApiUnreachable` (or :class:`_AnswerLost`), redacted, unchained."""
        import requests

        token, session = bearer is None, self._open()
        self._adapter.max_retries = _policy(token, time.monotonic() + self.settings.deadline)
        headers, timeout = ({} if token else {"Authorization": f"Bearer {bearer}"}), self.settings.timeout
        try:
            return session.request(
                method, url, json=body, headers=headers, timeout=(min(CONNECT_TIMEOUT_MAX, timeout), timeout)
            )
        except requests.RequestException as failure:
            reason = self.settings.redact(_reason(failure, timeout))
            if lost_ok and _was_sent(failure):
                raise _AnswerLost(reason) from None
            where = self.settings.token_url if token else self.settings.endpoint
            raise ApiUnreachable(f"mParticle API unreachable at {where}: {reason}") from None

    def _open(self) -> requests.Session:
        if self._session is None:
            import requests
            from requests.adapters import HTTPAdapter

            self._session = requests.Session()
            self._session.headers["User-Agent"] = f"wsync-lint/{__version__}"
            self._adapter = HTTPAdapter()
            for scheme in ("http://", "https://"):
                self._session.mount(scheme, self._adapter)
        return self._session


def _policy(token: bool, deadline: float) -> Any:
    """The retry policy of one call (module docstring), ending at ``deadline`` (monotonic seconds)."""
    if token:
        counts = {"read": 0, "status": 2, "status_forcelist": TOKEN_RETRIED_STATUSES, "allowed_methods": {"POST"}}
    else:
        counts = {"read": 2, "status": 3, "status_forcelist": RETRIED_STATUSES, "allowed_methods": {"GET", "PUT"}}
    policy = _deadline_retry_class()(
        total=4, connect=3, redirect=2, backoff_factor=0.5, backoff_max=10, backoff_jitter=0.3,
        respect_retry_after_header=True, retry_after_max=RETRY_AFTER_MAX, raise_on_status=False, **counts,
    )  # fmt: skip
    policy.deadline = deadline
    return policy


@functools.cache
def _deadline_retry_class() -> Any:
    """urllib3's Retry that starts no retry whose wait would end past the call's deadline."""
    from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
    from urllib3.util.retry import Retry

    class _DeadlineRetry(Retry):
        deadline = float("inf")

        def new(self, **changes: Any) -> Any:
            renewed = super().new(**changes)
            renewed.deadline = self.deadline
            return renewed

        def get_retry_after(self, response: Any) -> float | None:
            try:
                return super().get_retry_after(response)
            except InvalidHeader:  # an unreadable Retry-After: back off as without one
                return None

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            renewed = super().increment(method, url, response, error, _pool, _stacktrace)
            wait = renewed.get_retry_after(response) if response is not None else None
            wait = renewed.get_backoff_time() if wait is None else wait
            if time.monotonic() + wait >= self.deadline:
                cause = error or ResponseError(f"too many {getattr(response, 'status', '')} error responses")
                raise MaxRetryError(_pool, url, cause)
            return renewed

    return _DeadlineRetry


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _reason(failure: Exception, timeout: float) -> str:
    """A failure in the user's terms, from the innermost cause requests and urllib3 wrap."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError, ReadTimeoutError

    cause = _cause(failure)
    if isinstance(cause, NewConnectionError):
        return "could not connect (" + str(cause).rpartition(": ")[2] + ")"
    if isinstance(failure, requests.ConnectTimeout) or isinstance(cause, ConnectTimeoutError):
        return f"could not connect within {min(CONNECT_TIMEOUT_MAX, timeout):g} s"
    if isinstance(failure, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(cause, ProtocolError):
        return "the connection was closed without an answer"
    return f"{type(cause).__name__}: {cause}"


def _cause(failure: Exception) -> BaseException:
    from urllib3.exceptions import MaxRetryError

    cause: BaseException = failure
    for _ in range(3):  # requests' error > urllib3's MaxRetryError > the reason
        inner = cause.reason if isinstance(cause, MaxRetryError) else (cause.args[0] if cause.args else None)
        if not isinstance(inner, BaseException):
            break
        cause = inner
    return cause


def _was_sent(failure: Exception) -> bool:
    """Whether the request may have reached the server: anything but a connection never opened."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError

    return not isinstance(failure, requests.ConnectTimeout) and not isinstance(_cause(failure), ConnectTimeoutError)


def _holds(live: Mapping[str, Any], sent: Mapping[str, Any], top: bool = True) -> bool:
    """Whether ``live`` has every key of ``sent`` with the same value (secrets and server keys aside)."""
    return all(
        _holds(live[key], value, top=False) if isinstance(value, Mapping) and isinstance(live.get(key), Mapping)
        else live.get(key) == value
        for key, value in sent.items()
        if key not in SECRET_KEYS and not (top and key in READ_ONLY_KEYS)
    )  # fmt: skip


def _collection(kind: Kind) -> str:
    """``/connections``, ``/data-models`` or ``/inputs/data-pipelines``."""
    if kind is Kind.FIELD_TRANSFORMATION:
        raise NotImplementedError("the Field Transformations API endpoints are not documented in the captured sources")
    if kind not in PATHS:
        raise ValueError(f"the Warehouse Sync API holds no {kind.display}")
    return "/" + PATHS[kind]


def _item(kind: Kind, resource_id: str) -> str:
    return f"{_collection(kind)}/{quote(str(resource_id), safe='')}"

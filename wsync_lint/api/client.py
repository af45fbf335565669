"""The Warehouse Sync API v2 client: OAuth client credentials, bounded retries, and plain answers.

With :mod:`wsync_lint.api.transport` (the retry policy, reading and decoding an answer), the only
module that imports ``requests`` and ``urllib3``, only inside functions, so the rest of
:mod:`wsync_lint.api` loads without them. Retry policy (api-layer.md §3.6), urllib3's ``Retry``:

- GET and PUT (a whole-object PUT is idempotent): connect errors (3), read errors (2), and 429 and
  500/502/503/504 (3), honouring ``Retry-After`` up to 60 s, else exponential backoff with jitter.
- POST create: connect errors only, which urllib3 retries for every method because nothing was
  sent. Once the request was sent, a lost answer is resolved by reading the resource back.
- The token POST: connect errors and 5xx (asking again for a token changes nothing).
- Every attempt has ``timeout=(min(10, timeout), timeout)``. The whole call is bounded by a
  deadline of ``4 x timeout`` (:attr:`ApiSettings.deadline`), enforced by the transport's ``Retry``:
  no retry starts whose wait would end past it; the call then ends with the last failure.
- Every answer is read as it arrives (``stream=True``), within that same deadline and at most
  :data:`~wsync_lint.api.transport.MAX_ANSWER_BYTES`: a socket's timeout starts again with each byte, so a trickling answer
  would hold a call for ever, and a huge one would be read whole into memory.
- Redirects are never followed (``allow_redirects=False``, ``redirect=0``): a 3xx answer ends the
  call, as following it would send the client secret or a connection's password where it points.
- A 401 drops the token and the call is made once more with a new one; a second 401 ends the run.
  The client is not thread-safe: each call sets its own deadline on the session's adapter.

Every exception the client raises is made by :meth:`WarehouseSyncClient._error`, which redacts it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from wsync_lint import __version__
from wsync_lint.api.errors import ApiRefused, ApiUnreachable
from wsync_lint.api.settings import CLIENT_ID_VARIABLE, CLIENT_SECRET_VARIABLE, ApiSettings
from wsync_lint.api.transport import (
    CONNECT_TIMEOUT_MAX,
    MAX_JSON_DEPTH,
    RETRIED_STATUSES,
    TOKEN_RETRIED_STATUSES,
    Answer,
    AnswerLost,
    NestedTooDeep,
    decoded_json,
    failure_reason,
    json_or_none,
    retry_policy,
    was_sent,
    whole_answer,
)
from wsync_lint.contract.api_state import COLLECTIONS, error_messages
from wsync_lint.mparticle.facts import READ_ONLY_KEYS, SECRET_KEYS
from wsync_lint.project.resources import Kind

if TYPE_CHECKING:
    import requests

AUDIENCE = "https://api.mparticle.com"
MESSAGE_LIMIT = 1000
"""Characters of an error message kept: mParticle's own words are a sentence or two."""
_BEARER = re.compile(r"[\x21-\x7e]+")
"""What an HTTP header can carry as a bearer token: visible ASCII, no space or line break."""

_E = TypeVar("_E", bound=Exception)


class ApiForbidden(ApiRefused):
    """403 from the Data Planning API: the credential lacks Data Planning access (a note, not exit 3)."""


class UnexpectedAnswer(ApiUnreachable):
    """mParticle answered a write about another resource than the one sent (R-8): whether the
    write took effect is unknown (exit 3), so nothing more is written."""


UNKNOWN_TOKEN_LIFETIME = 300.0
"""Seconds a token is kept when its answer says no usable ``expires_in`` (O2 documents 28800)."""


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
        """Every resource of ``kind`` in the workspace (a bare JSON array, N-5), each id once."""
        answer = self._read(_collection(kind), list)
        seen: set[str] = set()
        for resource_id in (body.get("id") for body in answer):
            if isinstance(resource_id, str) and resource_id in seen:
                raise self._error(
                    ApiUnreachable,
                    f"mParticle's answer lists {kind.display} `{resource_id}` twice; wsync-lint cannot tell which is real",
                )
            seen.add(str(resource_id))
        return answer

    def get(self, kind: Kind, resource_id: str) -> dict[str, Any] | None:
        """One resource, or None when the workspace has none with that id (404)."""
        return self._read(_item(kind, resource_id), dict, none_on_404=True)

    def create(self, kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``body`` (sent once: only a connection that never opened is retried). When the answer
        is lost after sending, the resource is read back: present and equal in the keys sent counts
        as created; otherwise the outcome is unknown (:class:`ApiUnreachable`)."""
        path = _collection(kind)
        try:
            answer = self._send("POST", path, body, answer_may_be_lost=True)
        except AnswerLost as lost:
            return self._read_back(kind, str(body.get("id")), "create", str(lost), body)
        if answer.status in TOKEN_RETRIED_STATUSES:
            # The server had the request; a gateway error does not say whether it was applied.
            return self._read_back(kind, str(body.get("id")), "create", f"answered {answer.status}", body)
        return self._written(kind, str(body.get("id")), "create", answer, path, body)

    def update(self, kind: Kind, resource_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """PUT the whole ``body`` (retried like a GET: a full replacement is idempotent)."""
        path = _item(kind, resource_id)
        return self._written(kind, resource_id, "update", self._send("PUT", path, body), path, body)

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
        answer = self._send("GET", path)
        if answer.status == 403:
            raise self._error(ApiForbidden, self._messages(answer), 403, "GET", self.settings.base_url + path)
        return self._checked(answer, "GET", path, none_on_404=True)

    # --- answers --------------------------------------------------------------------------------
    def _read(self, path: str, shape: type, *, none_on_404: bool = False) -> Any:
        """A GET's answer, of ``shape`` (a list: of objects), or None on 404 when asked."""
        answer = self._checked(self._send("GET", path), "GET", path, none_on_404=none_on_404)
        if answer is None and none_on_404:
            return None
        if not isinstance(answer, shape) or (shape is list and not all(isinstance(item, dict) for item in answer)):
            raise self._unexpected("GET", path, "a list of objects" if shape is list else "an object")
        return answer

    def _checked(self, answer: Answer, method: str, path: str, *, none_on_404: bool = False) -> Any:
        """The answer's JSON, or the failure it stands for (exit 3 or a refusal)."""
        status, url = answer.status, self.settings.base_url + path
        if 200 <= status < 300:
            return self._decoded(answer, method, path) if answer.content.strip() else {}
        if status == 404 and none_on_404:
            return None
        if status == 403:
            raise self._error(
                ApiUnreachable,
                f"the mParticle API credential has no access to workspace {self.settings.workspace} "
                f"(403 on {method} {url}): the credential needs Platform API Admin for this workspace",
            )
        if status in RETRIED_STATUSES:
            attempts = f"{answer.attempts} attempt{'s' if answer.attempts > 1 else ''}"
            said = f"{status} {answer.reason}".strip()
            raise self._error(ApiUnreachable, f"mParticle API answered {said} to {method} {url} after {attempts}")
        raise self._error(ApiRefused, self._messages(answer), status, method, url)

    def _decoded(self, answer: Answer, method: str, path: str) -> Any:
        """The answer's JSON (standard JSON: no NaN or Infinity), nested at most MAX_JSON_DEPTH deep."""
        try:
            return decoded_json(answer.content)
        except NestedTooDeep:
            url = self.settings.base_url + path
            message = f"mParticle API answered {method} {url} with JSON nested more than {MAX_JSON_DEPTH} levels deep"
            raise self._error(ApiUnreachable, message) from None
        except ValueError:
            raise self._unexpected(method, path, "JSON") from None

    def _messages(self, answer: Answer) -> str:
        """mParticle's own words: ``errors[].message`` joined (EX-V2-33's shape), else the reason."""
        body = json_or_none(answer.content)
        words = error_messages(body.get("errors")) if isinstance(body, dict) else ()
        text = answer.content.decode("utf-8", errors="replace").strip()
        return "; ".join(words) or answer.reason or text or f"status {answer.status}"

    def _unexpected(self, method: str, path: str, expected: str) -> ApiUnreachable:
        url = self.settings.base_url + path
        return self._error(ApiUnreachable, f"mParticle API answered {method} {url} without {expected}")

    def _error(self, kind: type[_E], message: str, status: int = 0, method: str = "", url: str = "") -> _E:
        """The one place every exception the client raises is made: its message redacted (and cut
        to MESSAGE_LIMIT characters, after redaction so that no part of a secret is left)."""
        text = self.settings.redact(message, limit=MESSAGE_LIMIT)
        if issubclass(kind, ApiRefused):
            return kind(status, text, method, self.settings.redact(url))
        return kind(text)

    def _written(
        self, kind: Kind, sent: str, verb: str, answer: Answer, path: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A write's answer, once its ``id`` is the one sent (R-8: R2's own example answers another).
        R2 lists 204 "Empty response" as a successful operation: the resource is then read back, and
        must hold what was sent (else the write's outcome is unknown, not a success)."""
        method = "PUT" if verb == "update" else "POST"
        if 200 <= answer.status < 300 and not answer.content.strip():
            return self._read_back(kind, sent, verb, f"answered {answer.status} without a body", body)
        written = self._checked(answer, method, path)
        if not isinstance(written, dict):
            raise self._unexpected(method, path, "an object")
        other = written.get("id")
        if other != sent:
            said = f"with id `{other}`" if isinstance(other, str) else "without an id"
            raise self._error(
                UnexpectedAnswer,
                f"the outcome of {verb} {kind.display} `{sent}` is unknown: mParticle answered {said}; "
                "run `wsync-lint plan`",
            )
        return written

    def _read_back(
        self, kind: Kind, resource_id: str, verb: str, reason: str, sent: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The resource as read after a write whose answer did not show it; when ``sent`` is given,
        it must hold the keys sent. Otherwise the outcome is unknown (:class:`ApiUnreachable`)."""
        see = "whether it exists" if verb == "create" else "what mParticle holds"
        unknown = (
            f"the outcome of {verb[:-1]}ing {kind.display} `{resource_id}` is unknown ({reason}): "
            f"run `wsync-lint plan` to see {see}"
        )
        try:
            live = self.get(kind, resource_id)
        except (ApiUnreachable, ApiRefused):
            raise self._error(ApiUnreachable, unknown) from None
        if live is None or (sent is not None and not _holds(live, sent)):
            raise self._error(ApiUnreachable, unknown)
        return live

    # --- HTTP -----------------------------------------------------------------------------------
    def _send(self, method: str, path: str, body: Any = None, *, answer_may_be_lost: bool = False) -> Answer:
        """One API call with its retries, and one new token if the first is refused (401)."""
        for _ in range(2):
            answer = self._http(method, self.settings.base_url + path, body, self._access_token(), answer_may_be_lost)
            if answer.status != 401:
                return answer
            self._token = None
        raise self._error(
            ApiUnreachable,
            f"mParticle refused the API credentials (401) for workspace {self.settings.workspace}, "
            f"with a new token too: check {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}",
        )

    def _access_token(self) -> str:
        """The token in memory, fetched again once it is near expiry (``expires_in`` less a margin
        of min(60 s, a tenth of it): a fixed 60 s would refetch on every call for short lifetimes)."""
        if self._token is not None and time.monotonic() < self._refresh_at:
            return self._token
        client_id, client_secret = self.settings.credentials()
        body = {"client_id": client_id, "client_secret": client_secret}
        body |= {"audience": AUDIENCE, "grant_type": "client_credentials"}
        asked_at, where = time.monotonic(), self.settings.token_url
        answer = self._http("POST", where, body, None)
        if answer.status in (400, 401, 403):
            raise self._error(
                ApiUnreachable,
                f"mParticle refused the API credentials ({answer.status}) at {where}: "
                f"check {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE}",
            )
        decoded = json_or_none(answer.content) if answer.status == 200 else None
        token, lifetime = (
            (decoded.get("access_token"), decoded.get("expires_in")) if isinstance(decoded, dict) else (0, 0)
        )
        if type(lifetime) not in (int, float) or not 0 < lifetime < 10**9:
            # RFC 6749 only recommends `expires_in`: without a usable one, the token is kept for a short
            # while (a 401 gets a new one anyway).
            lifetime = UNKNOWN_TOKEN_LIFETIME
        if not token or not isinstance(token, str):
            what = f"answered {answer.status}" if answer.status != 200 else "answered without a token"
            raise self._error(ApiUnreachable, f"mParticle's token endpoint {where} {what}")
        self.settings.register_secret(token)
        if not _BEARER.fullmatch(token):
            raise self._error(
                ApiUnreachable,
                f"mParticle's token endpoint {where} answered with a token that cannot be sent in a header "
                "(not visible ASCII characters)",
            )
        self._token = token
        self._refresh_at = asked_at + lifetime - min(60.0, lifetime / 10)
        return token

    def _http(self, method: str, url: str, body: Any, bearer: str | None, lost_ok: bool = False) -> Answer:
        """One request through urllib3's retries (the token's when ``bearer`` is None), its answer
        read whole; a failure without a whole answer becomes :class:`ApiUnreachable` (or
        :class:`AnswerLost` when ``lost_ok``)."""
        import requests
        from urllib3.exceptions import HTTPError

        token, session = bearer is None, self._open()
        deadline = time.monotonic() + self.settings.deadline
        self._adapter.max_retries = retry_policy(token, deadline)
        headers, timeout = ({} if token else {"Authorization": f"Bearer {bearer}"}), self.settings.timeout
        timeouts = (min(CONNECT_TIMEOUT_MAX, timeout), timeout)
        try:
            response = session.request(
                method, url, json=body, headers=headers, timeout=timeouts, allow_redirects=False, stream=True
            )
            with response:
                if 300 <= response.status_code < 400:
                    who = "mParticle's token endpoint" if token else "mParticle API"
                    raise self._error(
                        ApiUnreachable,
                        f"{who} answered {response.status_code} to {method} {url}, a redirect: "
                        "wsync-lint does not follow redirects",
                    )
                content = whole_answer(response.raw, deadline, self.settings.deadline)
        except (requests.RequestException, HTTPError, AnswerLost) as failure:
            reason = str(failure) if isinstance(failure, AnswerLost) else failure_reason(failure, timeout)
            if lost_ok and was_sent(failure):
                raise AnswerLost(reason) from None
            where = self.settings.token_url if token else self.settings.endpoint
            raise self._error(ApiUnreachable, f"mParticle API unreachable at {where}: {reason}") from None
        history = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
        return Answer(response.status_code, response.reason or "", content, 1 + len(history))

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
        raise NotImplementedError("mParticle documents no API endpoints for field transformations")
    if kind not in COLLECTIONS:
        raise ValueError(f"the Warehouse Sync API holds no {kind.display}")
    return "/" + COLLECTIONS[kind]


def _item(kind: Kind, resource_id: str) -> str:
    return f"{_collection(kind)}/{quote(str(resource_id), safe='')}"

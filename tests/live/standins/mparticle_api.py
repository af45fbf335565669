"""A faithful local fake of mParticle's Warehouse Sync API v2 and its token endpoint, on loopback.

One stateful werkzeug handler on a real socket (127.0.0.1, a free port, a thread per request),
started and stopped per test by the ``fake_api`` fixture. It serves the token endpoint
(``/oauth/token``) and the API under ``/platform/v2/workspaces/<ws>/`` exactly as R2 spells the
routes, plus the Data Planning API's version route (D1). It enforces what api-layer.md §3.2 lists
and nothing else: it never validates with wsync-lint's own schemas or code, so the client's tests
prove agreement with the documented API, not with ourselves. Every behaviour the docs leave open is
a named constant in :mod:`tests.live.standins.mparticle_api_routes`, marked UNKNOWN or INF with a pointer to api-layer.md §3.4, so one edit
recalibrates the fake once a contract test has settled it.

Test hooks: ``environment()``, ``workspace``, ``requests`` (the log of every request: method, path
with query, JSON body or None), ``writes()``, ``seed()``, ``fault()``, ``set_status()``,
``add_run()``, ``plans``, ``issued_tokens``, ``inject()``, ``drop()``, ``slow()``, ``expire_tokens()``,
``refuse_warehouse``, ``report_delay``, ``token_lifetime``, ``data_planning_access``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import secrets as random_secrets
import shlex
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.live.standins.mparticle_api_routes import (  # noqa: F401 (constants tests read from here too)
    ACTOR,
    API_PREFIX,
    AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    COLLECTIONS,
    DEFAULT_TOKEN_LIFETIME,
    FAULT_STATUS,
    FIRST_RUN_ID,
    MASK,
    OK_STATUS,
    OTHER_WORKSPACE_STATUS,
    PUT_KEEPS_OMITTED_SECRET,
    REDSHIFT_DEFAULT_PORT,
    SECRET_KEYS,
    SNOWFLAKE_DERIVED,
    TOKEN_PATH,
    TOKEN_REFUSED_BODY,
    TOKEN_REFUSED_STATUS,
    UNAUTHORIZED_STATUS,
    UNKNOWN_ROUTE_STATUS,
    UPDATE_CLEARS_ONLY_FAULTS,
    WAREHOUSE_REFUSED_MESSAGE,
    answer,
    collection_of,
    error,
    reason,
    route,
)


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's request handler without its one line per request on stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing: tests read the fake's own request log instead."""


class FakeWarehouseSyncApi:
    """The workspace state, the request log and the switches tests turn; callable as a WSGI app."""

    def __init__(self, workspace: str = "1234") -> None:
        self.workspace = workspace
        self.url = ""
        self.requests: list[tuple[str, str, Any]] = []
        self.plans: dict[tuple[str, Any], dict[str, Any]] = {}
        self.token_lifetime = DEFAULT_TOKEN_LIFETIME
        self.refuse_warehouse = False
        self.report_delay = 0.0
        self.data_planning_access = True
        self.tokens_issued = 0
        self.issued_tokens: list[str] = []
        self._store: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in COLLECTIONS}
        self._secrets: dict[tuple[str, str], dict[str, str]] = {}
        self._created: dict[str, float] = {}
        self._runs: dict[str, list[dict[str, Any]]] = {}
        self._tokens: dict[str, float] = {}
        self._injected: list[dict[str, Any]] = []
        self._drops: list[dict[str, Any]] = []
        self._slows: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._last_stamp = datetime(2000, 1, 1, tzinfo=UTC)
        self._next_run = FIRST_RUN_ID

    # --- test hooks ---------------------------------------------------------------------------
    def environment(self, **overrides: str) -> dict[str, str]:
        """The variables that point wsync-lint at this fake, with ``overrides`` over them."""
        return {
            "WSYNC_LINT_API_ENDPOINT": self.url,
            "WSYNC_LINT_API_TOKEN_URL": self.url + TOKEN_PATH,
            "WSYNC_LINT_API_CLIENT_ID": CLIENT_ID,
            "WSYNC_LINT_API_CLIENT_SECRET": CLIENT_SECRET,
            **overrides,
        }

    def writes(self) -> list[tuple[str, str, Any]]:
        """The POST, PUT and DELETE requests that reached the fake, the token's left out."""
        return [entry for entry in self.requests if entry[0] in ("POST", "PUT", "DELETE") and entry[1] != TOKEN_PATH]

    def seed(self, kind: object, body: Mapping[str, Any], secret: str | Mapping[str, str] | None = None) -> dict:
        """Put a resource into the workspace as if created (no validation); answers its GET body."""
        collection = collection_of(kind)
        with self._lock:
            stored = self._store_body(collection, dict(copy.deepcopy(body)), None)
            if isinstance(secret, str):
                key = "service_account_key" if body.get("service_provider") == "BigQuery" else "password"
                self._secrets.setdefault((collection, stored["id"]), {})[key] = secret
            elif secret:
                self._secrets.setdefault((collection, stored["id"]), {}).update(secret)
            return copy.deepcopy(stored)

    def fault(self, kind: object, resource_id: str, message: str) -> None:
        """Fault a resource as mParticle would (WS-ERR-08): connection ``faulted``, model ``invalid``,
        pipeline ``faulted``, with ``errors[{message}]``. A PUT clears it."""
        collection = collection_of(kind)
        with self._lock:
            stored = self._store[collection][resource_id]
            stored["status"], stored["errors"] = FAULT_STATUS[collection], [{"message": message}]

    def set_status(self, kind: object, resource_id: str, status: str) -> None:
        """Set a resource's server-side ``status`` (e.g. a pipeline ``running``)."""
        with self._lock:
            self._store[collection_of(kind)][resource_id]["status"] = status

    def add_run(self, pipeline_id: str, **fields: Any) -> dict[str, Any]:
        """Record a pipeline run (EX-V2-35's item shape; a successful scheduled run by default)."""
        with self._lock:
            run = {"id": self._next_run, "pipeline_id": pipeline_id, "type": "scheduled", "status": "success"}
            run |= {"errors": [], "logical_date": self._stamp(), "started_on": self._stamp(), "ended_on": None}
            run |= {"range_start": None, "range_end": None, "successful_records": 0, "failed_records": 0, **fields}
            self._next_run += 1
            self._runs.setdefault(pipeline_id, []).append(run)
            return run

    def inject(
        self,
        status: int,
        headers=None,
        body: Any = None,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Queue an answer served before any routing (a fault of the network or the service, not a
        documented behaviour), ``times`` times, to API requests (or those whose path ends with ``path``;
        ``path="/oauth/token"`` reaches the token endpoint), of ``method`` only when given.
        ``body=None``: the error shape with the status's reason phrase; a callable: called for each
        answer, the bytes it yields are sent as they come (chunked). ``reason``: the status line's
        reason phrase instead of the standard one."""
        switch = {"status": status, "headers": headers or {}, "body": body, "times": times, "path": path}
        self._injected.append(switch | {"method": method, "reason": reason})

    def drop(
        self, times: int = 1, path: str | None = None, after_handling: bool = True, method: str | None = None
    ) -> None:
        """Close the connection without answering, ``times`` times. ``after_handling``: the request
        still takes effect first (the answer, not the request, is lost: the ambiguous create)."""
        self._drops.append({"times": times, "path": path, "after": after_handling, "method": method})

    def slow(self, seconds: float, times: int = 1, path: str | None = None, method: str | None = None) -> None:
        """Handle the request, then wait ``seconds`` before answering, ``times`` times."""
        self._slows.append({"times": times, "path": path, "seconds": seconds, "method": method})

    def expire_tokens(self) -> None:
        """Forget every token issued: the next API call answers 401."""
        with self._lock:
            self._tokens.clear()

    # --- serving --------------------------------------------------------------------------------
    @contextmanager
    def running(self, port: int = 0) -> Iterator[FakeWarehouseSyncApi]:
        """Serve on 127.0.0.1 (``port``, else a free one) in a thread until the block ends."""
        server = make_server("127.0.0.1", port, self, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-mparticle-api", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stopping.set()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        query = request.query_string.decode()
        raw = request.get_data()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        path = request.path
        self.requests.append((request.method, path + (f"?{query}" if query else ""), body))
        if self._take(self._drops, request, lambda each: not each["after"]):
            return self._hang_up(environ, start_response)
        response = self._take(self._injected, request) or self._serve(request, path, body)
        if response is None:
            return self._hang_up(environ, start_response)  # pragma: no cover - _serve always answers
        pause = self._take(self._slows, request)
        if pause:
            self._stopping.wait(pause)
        if self._take(self._drops, request, lambda each: each["after"]):
            return self._hang_up(environ, start_response)
        return response(environ, start_response)

    def _take(self, queue: list[dict[str, Any]], request: Request, accept=lambda each: True) -> Any:
        """Use up one matching queued switch; its answer (a Response, seconds, or True)."""
        path = request.path
        with self._lock:
            for each in queue:
                matches = path.endswith(each["path"]) if each["path"] else path.startswith(API_PREFIX)
                matches = matches and each["method"] in (None, request.method)
                if each["times"] > 0 and matches and accept(each):
                    each["times"] -= 1
                    if "seconds" in each:
                        return each["seconds"]
                    if "status" in each:
                        return self._injected_answer(each)
                    return True
        return None

    @staticmethod
    def _injected_answer(each: dict[str, Any]) -> Response:
        status, body = each["status"], each["body"]
        if body is None:
            response = answer(status, {"statusCode": status, "errors": [{"message": reason(status)}]}, each["headers"])
        elif callable(body):
            response = Response(body(), status=status, headers=each["headers"], content_type="application/json")
        elif isinstance(body, str):
            response = Response(body, status=status, headers=each["headers"])
        else:
            response = answer(status, body, each["headers"])
        if each.get("reason") is not None:
            response.status = f"{status} {each['reason']}"
        return response

    @staticmethod
    def _hang_up(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """Close the socket without a status line; werkzeug's write then fails and is dropped."""
        connection = environ["werkzeug.socket"]
        with contextlib.suppress(OSError):  # the client may have gone first
            connection.shutdown(socket.SHUT_RDWR)
        start_response("500 Dropped", [])
        return [b""]

    def _serve(self, request: Request, path: str, body: Any) -> Response:
        with self._lock:
            if path == TOKEN_PATH:
                return self._token(request.method, body)
            if not path.startswith(API_PREFIX):
                return error(UNKNOWN_ROUTE_STATUS, "Not Found")
            bearer = request.headers.get("Authorization", "")
            expiry = self._tokens.get(bearer.removeprefix("Bearer ")) if bearer.startswith("Bearer ") else None
            if expiry is None or expiry <= time.monotonic():
                return error(UNAUTHORIZED_STATUS, "Unauthorized")
            workspace, _, rest = path.removeprefix(API_PREFIX).partition("/")
            if workspace != self.workspace:
                return error(OTHER_WORKSPACE_STATUS, f"Access to workspace {workspace} is forbidden.")
            return route(self, request.method, rest, request.args, body)

    def _token(self, method: str, body: Any) -> Response:
        expected = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "audience": AUDIENCE}
        expected["grant_type"] = "client_credentials"
        if method != "POST" or not isinstance(body, dict) or any(body.get(k) != v for k, v in expected.items()):
            return answer(TOKEN_REFUSED_STATUS, TOKEN_REFUSED_BODY)
        token = "fake-token-" + random_secrets.token_urlsafe(18)
        self._tokens[token] = time.monotonic() + self.token_lifetime
        self.tokens_issued += 1
        self.issued_tokens.append(token)
        return answer(200, {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"})

    # --- state, shared with the routes ------------------------------------------------------------
    def _stamp(self) -> str:
        """Now, strictly later than the last stamp given (so every PUT changes ``last_modified_on``)."""
        now = max(datetime.now(UTC), self._last_stamp + timedelta(milliseconds=1))
        self._last_stamp = now
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _store_body(self, collection: str, body: dict[str, Any], previous: dict[str, Any] | None) -> dict:
        """Keep ``body`` with its secrets set apart and the server's keys added; the stored body."""
        resource_id = body["id"]
        config = body.get("config")
        if isinstance(config, dict):
            given = {key: config.pop(key) for key in SECRET_KEYS if key in config}
            kept = self._secrets.get((collection, resource_id), {}) if PUT_KEEPS_OMITTED_SECRET and previous else {}
            self._secrets[(collection, resource_id)] = {**kept, **given}
            if body.get("service_provider") == "Snowflake":
                config |= {key: value for key, value in SNOWFLAKE_DERIVED.items() if key not in config}
            if body.get("service_provider") == "Redshift":
                config.setdefault("port", REDSHIFT_DEFAULT_PORT)
        status = OK_STATUS[collection]
        if previous is not None and not (
            UPDATE_CLEARS_ONLY_FAULTS and previous.get("status") == FAULT_STATUS[collection]
        ):
            status = previous.get("status", status)
        body |= {"status": status, "errors": []}
        if previous is None:
            body |= {
                "created_on": self._stamp(),
                "created_by": ACTOR,
                "last_modified_on": None,
                "last_modified_by": None,
            }
            self._created[resource_id] = time.monotonic()
        else:
            body |= {"created_on": previous.get("created_on"), "created_by": previous.get("created_by")}
            body |= {"last_modified_on": self._stamp(), "last_modified_by": ACTOR}
        self._store[collection][resource_id] = body
        return body

    def _masked(self, collection: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A create/update answer: the stored body with each secret received answered as the mask."""
        shown = copy.deepcopy(dict(body))
        for key in self._secrets.get((collection, body["id"]), {}):
            shown.setdefault("config", {})[key] = MASK
        return shown


@pytest.fixture
def fake_api() -> Iterator[FakeWarehouseSyncApi]:
    """A fresh fake workspace ``1234`` served on loopback for one test."""
    fake = FakeWarehouseSyncApi()
    with fake.running():
        yield fake


def main(arguments: list[str]) -> None:
    """``python -m tests.live.standins.mparticle_api PORT``: serve an empty workspace ``1234`` on
    127.0.0.1:PORT until interrupted (to try ``plan`` and ``deploy`` by hand, as the README does).
    ``PORT --env`` prints the ``export`` lines that point wsync-lint at it, and serves nothing."""
    port = int(arguments[0]) if arguments else 8765
    fake = FakeWarehouseSyncApi()
    fake.url = f"http://127.0.0.1:{port}"
    if arguments[1:] == ["--env"]:
        for name, value in fake.environment().items():
            print(f"export {name}={shlex.quote(value)}")
        return
    with fake.running(port), contextlib.suppress(KeyboardInterrupt):
        print(f"fake Warehouse Sync API (workspace {fake.workspace}) on {fake.url}; Ctrl-C stops it", file=sys.stderr)
        threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1:])

"""A loopback HTTP proxy in front of bqemulator that gives dry runs the byte figures BigQuery would.

bqemulator compiles a dry run like BigQuery (schema, errors) but answers ``totalBytesProcessed: 0``
for every query, and its ``CREATE TABLE ... CLUSTER BY`` keeps no clustering. The proxy forwards
every request to the emulator unchanged and alters only two answers, with figures a test sets:

- a ``jobs.insert`` whose ``configuration.dryRun`` is true: ``statistics.totalBytesProcessed`` and
  ``statistics.query.totalBytesProcessed`` become the figure set for the query's exact text (in
  BigQuery's representation, a decimal string), or stay the emulator's when none is set;
- a ``tables.get`` of a table in :attr:`DryRunProxy.tables`: the keys given are laid over the
  emulator's table resource (``clustering``, ``timePartitioning``, ``rangePartitioning``).

It records every request (:attr:`DryRunProxy.sent`), so a test can read what the client sent.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.live.standins import serving_on_loopback

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"})


@dataclass(frozen=True)
class Sent:
    """One request the client sent through the proxy."""

    method: str
    path: str
    """Without the query string."""
    query: str | None = None
    """The SQL of a ``jobs.insert`` or ``jobs.query`` request."""
    dry_run: bool = False


@dataclass
class DryRunProxy:
    """The proxy's settings and record; :func:`serving` runs it."""

    upstream: str
    """The emulator's URL."""
    scanned: dict[str, int] = field(default_factory=dict)
    """Query text (exactly as sent) -> the bytes its dry run reports."""
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``project.dataset.table`` -> keys laid over the emulator's ``tables.get`` answer."""
    sent: list[Sent] = field(default_factory=list)
    url: str = ""

    def answer(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        """Forward one request to the emulator and return its answer, altered as the module says."""
        request = json.loads(body) if body else {}
        route = urlsplit(path).path
        sql, dry_run = _query_of(request)
        self.sent.append(Sent(method, route, sql, dry_run))
        status, headers, payload = self._forward(method, path, body)
        if status != 200:
            return status, headers, payload
        if method == "POST" and route.endswith("/jobs") and dry_run and sql in self.scanned:
            payload = _with_bytes(payload, self.scanned[sql])
        elif method == "GET" and (overlay := self.tables.get(_table_of(route) or "")):
            payload = json.dumps({**json.loads(payload), **overlay}).encode()
        return status, headers, payload

    def _forward(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
        upstream = urllib.request.Request(self.upstream + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(upstream, timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as refusal:
            return refusal.code, dict(refusal.headers), refusal.read()


def _query_of(request: dict[str, Any]) -> tuple[str | None, bool]:
    """The SQL of a jobs.insert (``configuration.query.query``) or jobs.query (``query``) body."""
    configuration = request.get("configuration") or {}
    if "query" in configuration:
        return configuration["query"].get("query"), bool(configuration.get("dryRun"))
    if isinstance(request.get("query"), str):
        return request["query"], bool(request.get("dryRun"))
    return None, False


def _with_bytes(payload: bytes, scanned: int) -> bytes:
    job = json.loads(payload)
    statistics = job.setdefault("statistics", {})
    statistics["totalBytesProcessed"] = str(scanned)
    statistics.setdefault("query", {})["totalBytesProcessed"] = str(scanned)
    return json.dumps(job).encode()


def _table_of(route: str) -> str | None:
    """``project.dataset.table`` of a ``.../projects/P/datasets/D/tables/T`` path."""
    parts = route.strip("/").split("/")
    if len(parts) >= 8 and parts[-6] == "projects" and parts[-4] == "datasets" and parts[-2] == "tables":
        return f"{parts[-5]}.{parts[-3]}.{parts[-1]}"
    return None


def _handler(proxy: DryRunProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Every method the client uses, forwarded through :meth:`DryRunProxy.answer`."""

        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            status, headers, payload = proxy.answer(self.command, self.path, body)
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _relay

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the record is proxy.sent; stderr stays quiet

    return Handler


def serving(upstream: str) -> Iterator[DryRunProxy]:
    """A generator for a fixture: the proxy on 127.0.0.1 (a free port) in front of ``upstream``,
    shut down when the generator is closed."""
    proxy = DryRunProxy(upstream)
    with serving_on_loopback(_handler(proxy), "bigquery-dry-run-proxy") as url:
        proxy.url = url
        yield proxy

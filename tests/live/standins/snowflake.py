"""The Snowflake stand-in: fakesnow's HTTP server, from its own venv at ``.standins/fakesnow``.

fakesnow (``tests/live/standins/install_snowflake.sh``) pins sqlglot and duckdb versions the project
cannot share, so it runs as a separate process (``fakesnow -s -p PORT --host 127.0.0.1``) and the
connector under test, in the project's venv, reaches it over HTTP like any Snowflake endpoint.

What fakesnow's server does not do, and the tests take into account:

- it accepts any user, password and account at login (it checks no credential);
- it cannot run ``SHOW GRANTS``, ``GRANT`` or roles (``current_role()`` is ``'duckdb'``);
- without a schema at login the session's schema is DuckDB's ``main``, where Snowflake's is
  PUBLIC: the environment sets ``WSYNC_LINT_<ID>_SCHEMA=PUBLIC``.
- it cannot run ``EXPLAIN`` (``EXPLAIN USING JSON`` is a parser error, a plain ``EXPLAIN`` an HTTP
  500), and ``SHOW TABLES`` gives every table an empty ``cluster_by``. :func:`answering` puts a
  loopback proxy in front of it that serves canned answers, in Snowflake's JSON result format, to
  the statements a test names, forwards everything else, and records every statement sent.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.live.standins import STANDINS, free_port, missing_standin, serving_on_loopback
from wsync_lint.live.backend import env_name

CONNECTION_ID = "snowflake-standin"
PASSWORD = "standin-Pa55word"
ADMIN = {"user": "fake", "password": "snow", "account": "fakesnow"}  # what fakesnow.server() hands its clients
READY_SECONDS = 60


@dataclass
class SnowflakeStandin:
    """A running fakesnow server and what the connector needs to reach it."""

    port: int
    connection_id: str = CONNECTION_ID
    config: dict[str, Any] = field(
        default_factory=lambda: {
            "account_identifier": "gd12345",
            "region": "us-central1.gcp",
            "warehouse": "compute_wh",
            "database": "mp_db",
            "user": "mparticle_user",
            "role": "mparticle_role",
            "storage_integration": "mp_us1_123_123_s3",
        }
    )
    _admin: Any = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The variables that point the connector at this server."""
        return {
            env_name(self.connection_id, "ENDPOINT"): self.endpoint,
            env_name(self.connection_id, "PASSWORD"): PASSWORD,
            env_name(self.connection_id, "SCHEMA"): "PUBLIC",
        }

    def setup(self, *sql: str) -> None:
        """Run set-up statements as an admin, on a connection of its own (not the connector's)."""
        import snowflake.connector

        if self._admin is None:
            self._admin = snowflake.connector.connect(
                **ADMIN,
                host="127.0.0.1",
                port=self.port,
                protocol="http",
                database="MP_DB",
                schema="PUBLIC",
                login_timeout=10,
                network_timeout=30,
                session_parameters={"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
            )
        with self._admin.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _tail(log: Path) -> str:
    return " | ".join(log.read_text(errors="replace").strip().splitlines()[-5:])


@pytest.fixture(scope="session")
def snowflake_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnowflakeStandin]:
    """fakesnow's server on 127.0.0.1 for the whole session, stopped by PID at the end."""
    executable = STANDINS / "fakesnow" / "bin" / "fakesnow"
    if not executable.exists():
        missing_standin(f"{executable} is not installed")
    workspace = tmp_path_factory.mktemp("fakesnow")
    log = workspace / "server.log"
    port = free_port()
    # fakesnow writes its stage buckets into the temporary folder: keep them in the session's own.
    environment = {**os.environ, "TMPDIR": str(workspace)}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(executable), "-s", "-p", str(port), "--host", "127.0.0.1"],
            cwd=workspace,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    standin = SnowflakeStandin(port)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _accepts(port):
            if process.poll() is not None:
                missing_standin(f"fakesnow exited with {process.returncode}: {_tail(log)}")
            if time.monotonic() > deadline:
                missing_standin(f"fakesnow did not listen on 127.0.0.1:{port} within {READY_SECONDS} s")
            time.sleep(0.1)
        yield standin
    finally:
        standin.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


QUERY_PATH = "/queries/v1/query-request"
_NOT_FORWARDED = frozenset({"host", "content-length", "accept-encoding", "connection", "transfer-encoding"})


@dataclass
class AnsweringProxy:
    """Canned answers for some statements, fakesnow's for the rest, and the record of what was sent."""

    upstream: str
    answers: dict[str, tuple[list[str], list[list[str | None]]]] = field(default_factory=dict)
    """Statement text (exactly as sent) -> (column names, rows), every value text as Snowflake's JSON
    result format carries it."""
    sent: list[str] = field(default_factory=list)
    """The text of every statement the connector sent (``query-request``), in order."""
    url: str = ""

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        """Forward one request to fakesnow, or answer a named statement; (status, content type, body)."""
        if method == "POST" and path.split("?")[0] == QUERY_PATH:
            plain = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            sql = json.loads(plain)["sqlText"]
            self.sent.append(sql)
            if sql in self.answers:
                return 200, "application/json", json.dumps(_result(*self.answers[sql])).encode()
        forwarded = {name: value for name, value in headers.items() if name not in _NOT_FORWARDED}
        request = urllib.request.Request(self.upstream + path, data=body or None, method=method, headers=forwarded)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.headers.get("Content-Type", ""), answer.read()
        except urllib.error.HTTPError as refusal:
            return refusal.code, refusal.headers.get("Content-Type", ""), refusal.read()


def _result(columns: list[str], rows: list[list[str | None]]) -> dict[str, Any]:
    """A successful query answer in Snowflake's JSON result format, every column of type text."""
    rowtype = [
        {"name": name, "database": "", "schema": "", "table": "", "nullable": True, "type": "text",
         "byteLength": None, "length": None, "scale": None, "precision": None, "collation": None}
        for name in columns
    ]  # fmt: skip
    data = {
        "parameters": [{"name": "TIMEZONE", "value": "Etc/UTC"}],
        "rowtype": rowtype,
        "rowset": rows,
        "total": len(rows),
        "returned": len(rows),
        "queryId": "01b2c3d4-0000-0000-0000-000000000001",
        "queryResultFormat": "json",
    }
    return {"data": data, "code": None, "message": None, "success": True}


def answering(standin: SnowflakeStandin) -> Iterator[AnsweringProxy]:
    """A generator for a fixture: the proxy on 127.0.0.1 (a free port) in front of the stand-in,
    shut down when the generator is closed."""
    proxy = AnsweringProxy(standin.endpoint)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, content_type, payload = proxy.answer(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("Content-Type", content_type or "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _relay

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the record is proxy.sent; stderr stays quiet

    with serving_on_loopback(Handler, "snowflake-answering-proxy") as url:
        proxy.url = url
        yield proxy

"""Local stand-ins for the warehouses, started and stopped by the live tests on loopback only.

Each module here owns one stand-in (``snowflake``: fakesnow's server; ``bigquery``: bqemulator;
``redshift``: Debian's PostgreSQL behind pgbouncer; ``databricks``: our Thrift fake) and offers a
session-scoped pytest fixture. Stand-ins that need their own virtual environment are installed by
``tests/live/standins/install.sh`` under ``.standins/`` at the repository root.

On a machine without a stand-in its tests are skipped with the reason; with
``WSYNC_LINT_REQUIRE_STANDINS=1`` (set by ``.ci/run``) a missing stand-in fails the run instead.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]
STANDINS = REPOSITORY / ".standins"
REQUIRED_VARIABLE = "WSYNC_LINT_REQUIRE_STANDINS"


def missing_standin(reason: str) -> None:
    """Skip the test (a user's plain ``pytest``), or fail it in CI, because a stand-in is missing."""
    if os.environ.get(REQUIRED_VARIABLE):
        pytest.fail(f"stand-in missing in CI ({REQUIRED_VARIABLE} is set): {reason}", pytrace=False)
    pytest.skip(f"stand-in missing: {reason} (run tests/live/standins/install.sh)")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def standin_python(name: str) -> Path | None:
    """The interpreter of the stand-in venv ``.standins/<name>``, when installed."""
    python = STANDINS / name / "bin" / "python"
    return python if python.exists() else None


@contextmanager
def serving_on_loopback(handler: type[BaseHTTPRequestHandler], name: str) -> Iterator[str]:
    """An HTTP server of ``handler`` on 127.0.0.1 (a free port), its URL while the block runs; then
    shut down and its thread joined."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

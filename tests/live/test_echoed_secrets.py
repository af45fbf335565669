"""A server that echoes the password back, escaped (red-team F13): every spelling of the secret is
removed from what ``preflight`` prints. The server is a loopback socket that speaks just enough of
PostgreSQL's protocol to ask the real redshift-connector for the password in clear text."""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import types
from urllib.parse import quote, quote_plus

import pytest

from tests.live.test_preflight_cli import REDSHIFT_PIPELINE, _connection, _project

ECHOED_PASSWORD = 'S3cr3t"XYZ\\12/+=&3'


def _echoing_server(listener: socket.socket, echoes: str) -> None:
    """Speak just enough of PostgreSQL's protocol to ask for the password in clear text, then refuse
    the login with a message that quotes it in ``echoes``."""
    connection, _ = listener.accept()
    with connection:
        (length,) = struct.unpack("!i", connection.recv(4))
        connection.recv(length - 4)  # the startup packet
        connection.sendall(b"R" + struct.pack("!ii", 8, 3))  # AuthenticationCleartextPassword
        connection.recv(4096)  # the password message
        fields = b"SFATAL\0VFATAL\0C28P01\0M" + echoes.encode() + b"\0\0"
        connection.sendall(b"E" + struct.pack("!i", len(fields) + 4) + fields)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_password_echoed_escaped_by_the_server_is_redacted(tmp_path, run_cli, monkeypatch, output_format):
    spellings = [
        ECHOED_PASSWORD,
        ECHOED_PASSWORD.replace("'", "''"),
        json.dumps(ECHOED_PASSWORD)[1:-1],
        quote(ECHOED_PASSWORD, safe=""),
        quote_plus(ECHOED_PASSWORD),
        base64.b64encode(ECHOED_PASSWORD.encode()).decode(),
        base64.b64encode(f"wsync:{ECHOED_PASSWORD}".encode()).decode(),
        ECHOED_PASSWORD.encode().hex(),
    ]
    echoes = "password authentication failed for user: " + " | ".join(spellings)
    config = {"host": "wh.example.com", "port": "5439", "database": "db", "user": "wsync"}
    standin = types.SimpleNamespace(connection_id="wh-prod", config=config)
    _project(tmp_path, _connection(standin, "Redshift"), {"m": "SELECT 1 AS customer_id, now() AS updated_at\n"},
             REDSHIFT_PIPELINE)  # fmt: skip
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = threading.Thread(target=_echoing_server, args=(listener, echoes), daemon=True)
        server.start()
        monkeypatch.setenv("WSYNC_LINT_WH_PROD_ENDPOINT", f"127.0.0.1:{port}")
        monkeypatch.setenv("WSYNC_LINT_WH_PROD_PASSWORD", ECHOED_PASSWORD)
        monkeypatch.setenv("WSYNC_LINT_WH_PROD_SSL", "0")
        result = run_cli("preflight", "--format", output_format, "--timeout", "10", cwd=tmp_path)
        server.join(10)
    assert result.code == 3
    why = (
        f"Redshift at 127.0.0.1:{port}: "
        "password authentication failed for user: *** | *** | *** | *** | *** | *** | *** | ***"
    )
    if output_format == "text":  # the report on the terminal says it; standard error does not repeat it
        assert f"unreachable: connection `wh-prod`: {why}\n" in result.out
    else:
        assert result.err.splitlines()[-1] == f"wsync-lint: unreachable: connection `wh-prod`: {why}"
        assert json.loads(result.out)["summary"]["not_checked"] == [
            {"kind": "connection", "id": "wh-prod", "reason": why, "unreachable": True}
        ]
    for spelled in spellings:
        assert spelled not in result.out + result.err
    assert "S3cr3t" not in result.out + result.err

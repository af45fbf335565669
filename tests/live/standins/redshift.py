"""Redshift stand-in: Debian's PostgreSQL behind Debian's pgbouncer, on 127.0.0.1 only.

The real redshift-connector cannot talk to PostgreSQL directly (shared/design/live-backends.md §3):
it sends Redshift-only startup parameters PostgreSQL refuses, and its SCRAM negotiation fails. So
pgbouncer sits in front: it drops those parameters (``ignore_startup_parameters``) and speaks md5
to the driver, as Redshift does. Both refuse to run as root: under root they run as the ``postgres``
system user (via ``runuser``), otherwise as the current user, in a temporary folder that user owns.
Both processes are stopped (by PID and ``pg_ctl``) at the end of the session.

Roles: ``postgres`` (superuser, SCRAM; creates the others), ``wsync_admin`` (owns the database;
``.setup()`` runs as it) and ``wsync``, mParticle's user, whose password is stored as md5 like
Redshift's. Every statement the server runs is logged (``log_statement=all``, JSON lines), so a
test can prove what reached it: ``mark = standin.mark()`` then ``standin.statements_since(mark)``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.standins import free_port, missing_standin

CONNECTION_ID = "redshift-standin"
DATABASE = "wsync_test"
ADMIN = "wsync_admin"
USER = "wsync"
SUPERUSER = "postgres"
"""The database superuser's name, and under root the system user the servers run as."""
# Real-looking payload values: the connector is pointed at the stand-in by WSYNC_LINT_<ID>_ENDPOINT.
PAYLOAD_HOST = "wsync-test.abc123xyz789.us-east-1.redshift.amazonaws.com"
PAYLOAD_PORT = "5439"
READY_SECONDS = 30.0
# What the server logs for one statement: simple protocol, or the execute step of the extended one.
_STATEMENT = re.compile(r"(?:statement|execute [^:]*): (.*)", re.DOTALL)
# pgbouncer always tracks application_name (ignore_startup_parameters cannot drop it): it replays the
# startup packet's value with this simple-protocol statement before a session's first query. The
# driver itself only speaks the extended protocol, logged as "execute <name>: ...".
_POOLER_RELAY = re.compile(r"statement: SET application_name='[^']*';")


# PostgreSQL and pgbouncer refuse to run as root.
_RUN_AS = ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []


def _own(path: Path) -> None:
    """Hand ``path`` to the user the servers run as (only needed under root)."""
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SUPERUSER)
        os.chown(path, owner.pw_uid, owner.pw_gid)


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs: a zombie has exited (the daemon's parent, init, reaps it late)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def postgres_bin() -> Path | None:
    """Debian's newest PostgreSQL ``bin`` folder (``/usr/lib/postgresql/<major>/bin``)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def pgbouncer_program() -> str | None:
    """pgbouncer's path (Debian installs it in /usr/sbin, which a user's PATH may lack)."""
    return shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer",) if Path(p).exists()), None)


def why_missing() -> str | None:
    """Why this machine cannot run the stand-in, or None when it can."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install -y postgresql)"
    if pgbouncer_program() is None:
        return "pgbouncer is not installed (apt-get install -y pgbouncer)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "runuser is missing: as root, PostgreSQL and pgbouncer are started as postgres with it"
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            return "there is no postgres system user (Debian's postgresql package creates it)"
    try:
        import redshift_connector  # noqa: F401
    except ImportError:
        return "redshift-connector is not installed in the test venv"
    return None


def _lenient_parse(parse: Any) -> Any:
    def parse_leading_release(text: str) -> Any:
        leading = re.match(r"[0-9]+(?:\.[0-9]+)*", text)
        return parse(leading.group(0) if leading else text)

    return parse_leading_release


@pytest.fixture(scope="session")
def redshift_server_version_shim() -> Iterator[None]:
    """Let redshift-connector read Debian's ``server_version``.

    Debian reports ``15.18 (Debian 15.18-0+deb12u1)``, which is not PEP 440, and
    ``redshift_connector.core`` parses it with ``packaging.version.parse`` at login (packaging 22+
    raises InvalidVersion). Real Redshift reports a plain version, so this is test-only, and it
    replaces the ``version`` name inside ``redshift_connector.core`` alone, not packaging itself.
    """
    try:
        import packaging.version
        import redshift_connector.core
    except ImportError:
        missing_standin("redshift-connector is not installed in the test venv")

    lenient = types.SimpleNamespace(**{**vars(packaging.version), "parse": _lenient_parse(packaging.version.parse)})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(redshift_connector.core, "version", lenient)
        yield


class RedshiftStandin:
    """A running stand-in: the connection payload, the environment, admin set-up and the statement log."""

    connection_id = CONNECTION_ID

    def __init__(self, folder: Path, pg_bin: Path, pg_port: int, bouncer_port: int) -> None:
        self.folder = folder
        self.pg_bin = pg_bin
        self.pg_port = pg_port
        self.port = bouncer_port
        """pgbouncer's port: where the driver connects."""
        self.password = secrets.token_urlsafe(12)
        self.admin_password = secrets.token_urlsafe(12)
        self.superuser_password = secrets.token_urlsafe(12)
        self.log_path = folder / "log" / "server.json"
        """PostgreSQL's log, one JSON object per line (``message``, ``user``, ...)."""
        self.config: dict[str, Any] = {
            "host": PAYLOAD_HOST,
            "port": PAYLOAD_PORT,
            "database": DATABASE,
            "user": USER,
            "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mparticle_redshift_role",
        }
        self._admin: Any = None
        self._marks = 0

    def environment(self) -> dict[str, str]:
        """The variables that point the connector at the stand-in (TLS off: loopback without certificates)."""
        prefix = "WSYNC_LINT_REDSHIFT_STANDIN_"
        return {f"{prefix}ENDPOINT": f"127.0.0.1:{self.port}", f"{prefix}PASSWORD": self.password, f"{prefix}SSL": "0"}

    def connect(self, user: str, password: str, database: str = DATABASE) -> Any:
        """A driver connection through pgbouncer, in autocommit (set-up runs DDL outside transactions)."""
        import redshift_connector

        connection = redshift_connector.connect(
            host="127.0.0.1", port=self.port, database=database, user=user, password=password, ssl=False, timeout=10
        )
        connection.autocommit = True
        return connection

    def setup(self, *statements: str) -> None:
        """Run set-up statements (CREATE, INSERT, GRANT) as ``wsync_admin``, the database's owner."""
        if self._admin is None:
            self._admin = self.connect(ADMIN, self.admin_password)
        cursor = self._admin.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()

    def rows(self, statement: str) -> list[list[Any]]:
        """The rows of a query run as ``wsync_admin`` (the witness of the server's state)."""
        self.setup()
        cursor = self._admin.cursor()
        try:
            cursor.execute(statement)
            return [list(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def mark(self) -> int:
        """A point in the statement log: what :meth:`statements_since` counts from."""
        return self._synchronised_size()

    def statements_since(self, mark: int, user: str = USER) -> list[str]:
        """The statements ``user``'s clients sent since ``mark``, in the order the server logged them
        (without pgbouncer's own ``SET application_name``: see ``_POOLER_RELAY``)."""
        end = self._synchronised_size()
        with self.log_path.open("rb") as log:
            log.seek(mark)
            lines = log.read(end - mark).decode("utf-8").splitlines()
        found = []
        for line in lines:
            entry = json.loads(line)
            message = entry.get("message", "")
            if entry.get("user") != user or _POOLER_RELAY.fullmatch(message):
                continue
            if statement := _STATEMENT.fullmatch(message):
                found.append(statement.group(1))
            elif entry.get("ps") in {"PARSE", "BIND"} and "statement" in entry:
                found.append(entry["statement"])  # refused before it ran: logged only with its error
        return found

    @staticmethod
    def queries_of(sent: list[str]) -> list[str]:
        """The queries among ``sent`` (what :meth:`statements_since` gives), once it is checked that each
        ran alone in a read-only transaction that was rolled back, as the connector sends them."""
        assert len(sent) % 4 == 0, sent
        for begin, timeout, _, end in zip(sent[0::4], sent[1::4], sent[2::4], sent[3::4], strict=True):
            assert (begin, end) == ("BEGIN READ ONLY", "ROLLBACK"), sent
            assert timeout.startswith("SET LOCAL statement_timeout = "), sent
        return sent[2::4]

    def _synchronised_size(self) -> int:
        """The log's size once everything logged so far is in the file.

        The logging collector writes asynchronously; a sentinel statement logged after everything
        before it shows, once it is in the file, that the earlier lines are there too.
        """
        self._marks += 1
        sentinel = f"wsync-lint-standin-mark-{os.getpid()}-{self._marks}"
        self.setup(f"SELECT '{sentinel}'")
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            text = self.log_path.read_bytes() if self.log_path.exists() else b""
            position = text.find(sentinel.encode())
            if position >= 0:
                return text.index(b"\n", position) + 1
            time.sleep(0.02)
        raise AssertionError(f"the sentinel statement never reached {self.log_path}")

    # -- start and stop --------------------------------------------------------------------------

    def start(self) -> None:
        _own(self.folder)
        password_file = self._write("superuser.pw", self.superuser_password + "\n", private=True)
        data = self.folder / "data"
        self._as_server_user(
            self.pg_bin / "initdb", "-D", data, "-U", SUPERUSER, "-A", "scram-sha-256", f"--pwfile={password_file}",
            "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        # wsync's password is stored as md5 (as Redshift stores them): md5 on its line; SCRAM elsewhere.
        (data / "pg_hba.conf").write_text(
            f"local all all scram-sha-256\nhost all {USER} 127.0.0.1/32 md5\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        options = {
            "listen_addresses": "127.0.0.1",
            "port": self.pg_port,
            "unix_socket_directories": self.folder,
            "log_statement": "all",
            "logging_collector": "on",
            "log_destination": "jsonlog",
            "log_directory": self.log_path.parent,
            "log_filename": "server.log",  # jsonlog writes server.json
            "log_rotation_age": 0,
            "log_rotation_size": 0,
            "fsync": "off",
        }
        # pg_ctl hands these to a shell: quoted, a temporary folder with spaces stays one value.
        server_options = " ".join(f"-c {name}={shlex.quote(str(value))}" for name, value in options.items())
        self._as_server_user(
            self.pg_bin / "pg_ctl", "-D", data, "-l", self.folder / "startup.log", "-w", "-t", int(READY_SECONDS),
            "-o", server_options, "start",
        )  # fmt: skip
        self._start_pgbouncer()
        with contextlib.closing(self.connect(SUPERUSER, self.superuser_password, database="postgres")) as connection:
            cursor = connection.cursor()
            cursor.execute(f"CREATE ROLE {ADMIN} LOGIN PASSWORD '{self.admin_password}'")
            cursor.execute("SET password_encryption = 'md5'")
            cursor.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{self.password}'")
            cursor.execute(f"CREATE DATABASE {DATABASE} OWNER {ADMIN}")

    def _start_pgbouncer(self) -> None:
        wsync_md5 = (
            "md5" + hashlib.md5((self.password + USER).encode()).hexdigest()
        )  # pgbouncer's md5 entry: md5(password + user)
        self._write(
            "userlist.txt",
            f'"{SUPERUSER}" "{self.superuser_password}"\n"{ADMIN}" "{self.admin_password}"\n"{USER}" "{wsync_md5}"\n',
            private=True,
        )
        # The driver's Redshift-only startup parameters, which PostgreSQL refuses.
        ignored = "client_protocol_version,driver_version,os_version,driver_discovery_version,extra_float_digits"
        # One server connection per client, and no reset or check queries: the statement log then
        # holds exactly what the driver sent.
        self._write(
            "pgbouncer.ini",
            f"[databases]\n* = host=127.0.0.1 port={self.pg_port}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = md5\nauth_file = {self.folder / 'userlist.txt'}\npool_mode = session\n"
            "server_reset_query =\nserver_check_query =\nserver_lifetime = 0\n"
            f"ignore_startup_parameters = {ignored}\n"
            f"logfile = {self.folder / 'pgbouncer.log'}\npidfile = {self.folder / 'pgbouncer.pid'}\n",
        )
        self._as_server_user(pgbouncer_program() or "pgbouncer", "-d", self.folder / "pgbouncer.ini")
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.05)
        raise RuntimeError(f"pgbouncer did not listen on 127.0.0.1:{self.port} within {READY_SECONDS:.0f} s")

    def stop(self) -> None:
        """Stop pgbouncer (by PID) and PostgreSQL (pg_ctl), then remove the folder. Never raises."""
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
        with contextlib.suppress(OSError, ValueError):
            pid = int((self.folder / "pgbouncer.pid").read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _running(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        if (self.folder / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self._as_server_user(self.pg_bin / "pg_ctl", "-D", self.folder / "data", "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _write(self, name: str, text: str, private: bool = False) -> Path:
        path = self.folder / name
        path.write_text(text)
        _own(path)
        if private:
            path.chmod(0o600)
        return path

    def _as_server_user(self, *command: Any) -> None:
        done = subprocess.run(
            [*_RUN_AS, *map(str, command)],
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=READY_SECONDS * 2,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(str(command[0])).name} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


@pytest.fixture(scope="session")
def redshift_standin(redshift_server_version_shim: None) -> Iterator[RedshiftStandin]:
    """PostgreSQL + pgbouncer on loopback for the whole session, stopped at its end even when tests fail."""
    reason = why_missing()
    if reason is not None:
        missing_standin(reason)
    pg_bin = postgres_bin()
    assert pg_bin is not None
    pg_port = free_port()
    bouncer_port = free_port()
    while bouncer_port == pg_port:
        bouncer_port = free_port()
    standin = RedshiftStandin(Path(tempfile.mkdtemp(prefix="wsync-redshift-")), pg_bin, pg_port, bouncer_port)
    try:
        standin.start()
    except Exception as error:  # noqa: BLE001 - any start failure means: no stand-in here
        standin.stop()
        missing_standin(f"PostgreSQL + pgbouncer did not start: {error}")
    try:
        yield standin
    finally:
        standin.stop()

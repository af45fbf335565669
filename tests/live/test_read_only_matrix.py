"""The red-team report's read-only matrix, replayed through ``wsync-lint preflight`` on the Redshift
stand-in (PostgreSQL 15 behind pgbouncer, the real redshift-connector), with and without ``--count``.

Each row is a model that tries to change the warehouse. The witnesses are the server's own: its
statement log (``log_statement=all``: what the mParticle user's session sent) and its state read as
the database's owner (a sequence's value, the rows of two tables, large objects, advisory locks, and
another session of the same user, which must still be alive). The mParticle user is granted more than
it needs (INSERT, UPDATE and DELETE on the table, UPDATE on the sequence) so that the role is not what
stops an attack: the statement check, the model gate and the read-only transaction are.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write
from tests.live.standins.redshift import USER, RedshiftStandin

SETUP = (
    "CREATE SCHEMA replay",
    "CREATE TABLE replay.t (customer_id integer, updated_at timestamptz)",
    "INSERT INTO replay.t VALUES (1, '2024-01-01 00:10+00'), (2, '2024-01-01 00:20+00'), (3, '2024-01-01 00:30+00')",
    "CREATE SEQUENCE replay.seq",
    "CREATE TABLE replay.audit (note text)",
    "CREATE FUNCTION replay.audit_write() RETURNS integer SECURITY DEFINER LANGUAGE sql "
    "AS $$ INSERT INTO replay.audit VALUES ('written') RETURNING 1 $$",
    # Mislabelled: IMMUTABLE lets the planner evaluate it while compiling a LIMIT 0 probe (F6).
    "CREATE FUNCTION replay.immut_bump() RETURNS bigint IMMUTABLE LANGUAGE sql AS $$ SELECT nextval('replay.seq') $$",
    # A user's function named like a built-in of another dialect (sqlglot types ENDS_WITH): on the
    # search path, it ends a session, during the compile probe too (IMMUTABLE).
    "CREATE FUNCTION public.ends_with(p text, q text) RETURNS boolean IMMUTABLE LANGUAGE sql "
    "AS $$ SELECT pg_terminate_backend(p::int) $$",
    "GRANT USAGE ON SCHEMA replay TO wsync",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON replay.t TO wsync",
    "GRANT USAGE, SELECT, UPDATE ON SEQUENCE replay.seq TO wsync",
)
CONNECTION_ID = "redshift-standin"
PIPELINE = {
    "pipeline_type": "user_attributes",
    "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamptz"},
    "schedule": {"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z", "delay": "5m"},
    "state": "active",
    "environment": "production",
}
COLUMNS = "customer_id, updated_at FROM replay.t"
VICTIM_PID = "{victim}"
"""Replaced by the process id of the victim session in the model's text."""


@dataclass(frozen=True)
class Row:
    """One attack: the model, a text that shows whether it reached the server, and the findings
    (code, line, column) the CLI prints about the model file."""

    sql: str
    marker: str
    findings: tuple[tuple[str, int, int], ...]
    reaches_server: bool = False
    """The model is sent: it is harmless (both lexers see one string)."""

    @property
    def gated(self) -> bool:
        """The model gate keeps it back: an LV01 "not sent", or ST08 saying preflight does not send it."""
        return any(code in ("LV01", "ST08") for code, _, _ in self.findings)


# Static refusals (the statement check) come first, then what the model gate keeps back: LV01 at the
# call (or at the text the readings disagree on), or ST08 alone when the function is a known side
# effect (one finding per mistake: ST08 says the model is not sent).
MATRIX = {
    "select-into": Row("SELECT customer_id, updated_at INTO replay.t2 FROM replay.t", "replay.t2", (("ST01", 1, 1),)),
    "dml-in-cte": Row(
        f"WITH d AS (DELETE FROM replay.t RETURNING *)\nSELECT {COLUMNS.replace('replay.t', 'd')}",
        "DELETE FROM",
        (("ST04", 1, 1),),
    ),
    "explain-analyze-delete": Row("EXPLAIN ANALYZE DELETE FROM replay.t", "DELETE FROM", (("ST01", 1, 1),)),
    # F5: one string to sqlglot, three statements to PostgreSQL (standard_conforming_strings on).
    "backslash-split": Row(
        "SELECT '\\' AS a) AS x; DELETE FROM replay.t; SELECT * FROM (SELECT 1 AS customer_id, "
        "now() AS updated_at --'\n, 1 AS z",
        "DELETE FROM",
        (("LV01", 1, 8),),
    ),
    "dollar-quoted-semicolon": Row(
        f"SELECT $q$;DELETE FROM replay.t;$q$ AS note, {COLUMNS}", "$q$;DELETE", (), reaches_server=True
    ),
    "for-update": Row(f"SELECT {COLUMNS} FOR UPDATE", "FOR UPDATE", (("LV01", 1, 46),)),
    "nextval": Row(f"SELECT nextval('replay.seq') AS n, {COLUMNS}", "nextval", (("ST08", 1, 8),)),
    "security-definer-udf": Row(f"SELECT replay.audit_write() AS a, {COLUMNS}", "audit_write", (("LV01", 1, 8),)),
    "terminate-backend": Row(
        f"SELECT pg_terminate_backend({VICTIM_PID}) AS k, {COLUMNS}",
        "pg_terminate_backend",
        (("ST08", 1, 8),),
    ),
    "sleep": Row(f"SELECT pg_sleep(5) AS s, {COLUMNS}", "pg_sleep", (("ST08", 1, 8),)),
    # F6: evaluated while planning the LIMIT 0 probe, so it matters without --count too.
    "immutable-udf-wrapping-nextval": Row(
        f"SELECT replay.immut_bump() AS n, {COLUMNS}", "immut_bump", (("LV01", 1, 8),)
    ),
    "lo-import": Row(f"SELECT lo_import('/etc/hostname') AS o, {COLUMNS}", "lo_import", (("ST08", 1, 8),)),
    "advisory-lock": Row(
        f"SELECT pg_advisory_xact_lock(42) AS l, {COLUMNS}", "pg_advisory_xact_lock", (("ST08", 1, 8),)
    ),
    "udf-named-like-another-dialects-builtin": Row(
        f"SELECT ends_with('{VICTIM_PID}', 'x') AS k, {COLUMNS}", "ends_with", (("LV01", 1, 8),)
    ),
    "notify": Row(f"SELECT pg_notify('wsync', 'x') AS n, {COLUMNS}", "pg_notify", (("LV01", 1, 8),)),
}


@pytest.fixture(scope="module")
def standin(redshift_standin: RedshiftStandin) -> RedshiftStandin:
    redshift_standin.setup(*SETUP)
    return redshift_standin


@pytest.fixture
def victim(standin: RedshiftStandin) -> Iterator[tuple[Any, int]]:
    """Another session of the mParticle user, and its server process id."""
    connection = standin.connect(USER, standin.password)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        yield connection, int(cursor.fetchall()[0][0])
    finally:
        with contextlib.suppress(Exception):
            connection.close()


def _state(standin: RedshiftStandin) -> dict[str, Any]:
    """What an attack could change, read as the database's owner."""
    return {
        "sequence": standin.rows("SELECT last_value, is_called FROM replay.seq"),
        "rows": standin.rows("SELECT customer_id FROM replay.t ORDER BY customer_id"),
        "audit": standin.rows("SELECT count(*) FROM replay.audit"),
        "tables": standin.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'replay' ORDER BY 1"),
        "large objects": standin.rows("SELECT count(*) FROM pg_largeobject_metadata"),
        "advisory locks": standin.rows("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
        "notification queue": standin.rows("SELECT pg_notification_queue_usage()"),
    }


def _alive(victim: Any) -> bool:
    with contextlib.suppress(Exception):
        cursor = victim.cursor()
        cursor.execute("SELECT 1")
        return [list(row) for row in cursor.fetchall()] == [[1]]
    return False


def _project(folder: Path, standin: RedshiftStandin, sql: str) -> None:
    write(folder, "wsync-lint.toml", "")
    connection = {"id": CONNECTION_ID, "name": "Redshift", "state": "active", "service_provider": "Redshift",
                  "config": standin.config}  # fmt: skip
    write(folder, "connections/warehouse.json", json.dumps(connection))
    write(folder, "models/m.sql", sql + "\n")
    model = {"id": "m", "name": "m", "type": "sql", "state": "active", "config": {"sql_file": "../models/m.sql"}}
    write(folder, "data-models/m.json", json.dumps(model))
    pipeline = {"id": "m-sync", "name": "m", "connection_id": CONNECTION_ID, "data_model_id": "m", **PIPELINE}
    write(folder, "pipelines/m.json", json.dumps(pipeline))


@pytest.mark.parametrize("count", [False, True], ids=["compile", "count"])
@pytest.mark.parametrize("name", list(MATRIX))
def test_no_model_of_the_matrix_changes_the_warehouse(
    name, count, standin, victim, tmp_path, run_cli, monkeypatch
) -> None:
    row = MATRIX[name]
    victim_session, victim_pid = victim
    _project(tmp_path, standin, row.sql.replace(VICTIM_PID, str(victim_pid)))
    for variable, value in standin.environment().items():
        monkeypatch.setenv(variable, value)
    before = _state(standin)
    mark = standin.mark()
    result = run_cli(
        "preflight", "--format", "json", "--select", "LV,ST", *(["--count"] if count else []), cwd=tmp_path
    )
    queries = standin.queries_of(standin.statements_since(mark))
    assert _state(standin) == before
    assert _alive(victim_session), "the other session of the mParticle user was ended"
    assert any(row.marker in query for query in queries) is row.reaches_server, queries
    findings = [f for f in json.loads(result.out)["findings"] if f["path"] == "models/m.sql"]
    assert [(f["code"], f["line"], f["column"]) for f in findings] == list(row.findings), result.out + result.err
    if row.gated:
        said = {"LV01": "was not sent to Redshift", "ST08": "`wsync-lint preflight` does not send it"}
        assert all(said[f["code"]] in f["message"] for f in findings), result.out
    assert result.code == (1 if row.findings else 0), result.err

"""The README's sample of ``preflight --sample --cost`` is what the command prints against a real
stand-in: the PostgreSQL stand-in of Redshift (tests/live/standins/redshift.py), over a seeded
table whose identity and iterator columns have known defects, through the real driver.

The README shows the `$ wsync-lint preflight ...` line and its output; this test writes the
project the README describes, runs that command line and compares its output with the README's
block, line for line (a `...` line standing for any lines). The values of the identity columns
never appear in it.
"""

from __future__ import annotations

import json
import shlex

import pytest

from tests.conftest import write
from tests.live.standins.redshift import RedshiftStandin
from tests.readme_extraction import COMMANDS, sample_matches

SECTION = "Sampled data and scan cost: `--sample` and `--cost`"
MODEL = """\
-- Loyalty members: one row per member
SELECT m.member_ref AS customer_id, m.email, m.updated_epoch
FROM loyalty.members m
"""
PIPELINE = {
    "id": "members-hourly",
    "name": "Loyalty members, hourly",
    "pipeline_type": "user_attributes",
    "connection_id": "redshift-standin",
    "data_model_id": "members",
    # The column holds epoch seconds: declared milliseconds, no hourly window selects a row.
    "sync_mode": {
        "type": "incremental",
        "iterator_field": "updated_epoch",
        "iterator_data_type": "timestamp_unixtime_ms",
    },
    "schedule": {"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z", "delay": "5m"},
    "state": "active",
    "environment": "production",
}
EMAILS = [
    "ana@example.com", "ben@example.com", "chloe@example.com", "dev@example.com", "eli@example.com",
    "bob at example.com", "carol@example", None, None, "fay@example.com",
]  # fmt: skip
SEEDED = [
    "CREATE SCHEMA loyalty",
    "CREATE TABLE loyalty.members (member_ref varchar(36), email varchar(256), updated_epoch bigint)",
    "INSERT INTO loyalty.members VALUES "
    + ", ".join(
        f"({'' if n == 3 else 'm' + str(n)!r}, {'NULL' if email is None else repr(email)}, {1704067200 + 60 * n})"
        for n, email in enumerate(EMAILS)
    ),
    "GRANT USAGE ON SCHEMA loyalty TO wsync",
    "GRANT SELECT ON loyalty.members TO wsync",
]


@pytest.fixture(scope="module")
def redshift(redshift_standin: RedshiftStandin) -> RedshiftStandin:
    redshift_standin.setup(*SEEDED)
    return redshift_standin


def _readme_sample() -> tuple[list[str], list[str]]:
    """The README's command (its words after `wsync-lint`) and the output it shows."""
    [command] = [c for c in COMMANDS if c.section == SECTION and c.sample is not None]
    return shlex.split(command.text)[1:], list(command.sample or ())


def test_the_readme_shows_what_preflight_prints_on_the_stand_in(redshift, tmp_path, run_cli, monkeypatch):
    connection = {"id": redshift.connection_id, "name": "Loyalty", "state": "active",
                  "service_provider": "Redshift", "config": redshift.config}  # fmt: skip
    model = {"id": "members", "name": "Members", "type": "sql", "state": "active",
             "config": {"sql_file": "../models/members.sql"}}  # fmt: skip
    write(tmp_path, "wsync-lint.toml", "")
    write(tmp_path, "connections/loyalty.json", json.dumps(connection, indent=2))
    write(tmp_path, "data-models/members.json", json.dumps(model, indent=2))
    write(tmp_path, "models/members.sql", MODEL)
    write(tmp_path, "pipelines/members-hourly.json", json.dumps(PIPELINE, indent=2))
    for name, value in redshift.environment().items():
        monkeypatch.setenv(name, value)
    words, sample = _readme_sample()
    result = run_cli(*words, cwd=tmp_path)
    shown = (result.out + result.err).splitlines()
    assert result.code == 1, result.err
    assert sample_matches(shown, sample), "\n".join(shown)
    for email in filter(None, EMAILS):
        assert email not in result.out + result.err  # only counts leave the warehouse

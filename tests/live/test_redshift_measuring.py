"""The Redshift connector's ``aggregate()`` (``preflight --sample``) and ``scan()`` (``preflight --cost``)
against the PostgreSQL stand-in behind pgbouncer (tests/live/standins/redshift.py), through the real
redshift-connector, on this module's own schema ``quality``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.live.quality_query import EMAIL_FORM, quality_query
from tests.live.standins.redshift import RedshiftStandin
from tests.live.test_redshift import settings_of, sql
from wsync_lint.live.backend import (
    ScanEstimate,
    WarehouseRejected,
)
from wsync_lint.live.redshift import RedshiftSession, connect
from wsync_lint.sql.wrappers import count_query

# -- aggregate and scan (preflight --sample and --cost) -------------------------------------------

PEOPLE = (
    "CREATE SCHEMA quality",
    "CREATE TABLE quality.people (email varchar(64), mpid bigint, updated_at timestamp, epoch bigint)",
    "INSERT INTO quality.people VALUES "
    "('a@example.com', 1, '2024-01-01 10:00', 1704103200), "
    "('not an email', -2, '2024-01-02 10:00', 1704189600000), "  # milliseconds among seconds
    "(NULL, NULL, NULL, NULL), "
    "(' b@example.com ', 9223372036854775807, '2099-01-01 00:00', 1704276000), "  # padded; in the future
    "('c@example', -9223372036854775807, '2023-12-31 23:00', 1704000000)",  # no dot after the @
    "GRANT USAGE ON SCHEMA quality TO wsync",
    "GRANT SELECT ON quality.people TO wsync",
)


@pytest.fixture(scope="module")
def people(redshift_standin: RedshiftStandin) -> RedshiftStandin:
    """``quality.people``: identity and iterator columns with known defects (this module's schema)."""
    redshift_standin.setup(*PEOPLE)
    return redshift_standin


@pytest.fixture
def session(people: RedshiftStandin) -> Iterator[RedshiftSession]:
    opened = connect(settings_of(people))
    yield opened
    opened.close()


QUALITY_FIGURES = (
    5,  # rows
    1,  # NULL emails
    3,  # malformed: 'not an email', ' b@example.com ' (spaces), 'c@example' (no dot after the @)
    2,  # of the form once trimmed
    datetime(2023, 12, 31, 23, 0),
    datetime(2099, 1, 1, 0, 0),
    1704000000,
    1704189600000,
    9223372036854775807,
    1,  # NULL mpids
)


def test_aggregate_returns_the_one_row_of_figures_with_the_drivers_types(people, session) -> None:
    query = quality_query("redshift", "quality.people")
    assert query == (
        "SELECT COUNT(*), SUM(CASE WHEN email IS NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN NOT CAST(email AS VARCHAR) ~ '{EMAIL_FORM}' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN TRIM(CAST(email AS VARCHAR)) ~ '{EMAIL_FORM}' THEN 1 ELSE 0 END), "
        "MIN(updated_at), MAX(updated_at), MIN(epoch), MAX(epoch), MAX(ABS(mpid)), "
        "SUM(CASE WHEN mpid IS NULL THEN 1 ELSE 0 END) FROM quality.people"
    )
    mark = people.mark()
    figures = session.aggregate(sql(query))
    assert figures == QUALITY_FIGURES
    assert [type(value) for value in figures] == [int, int, int, int, datetime, datetime, int, int, int, int]
    # Alone in its read-only transaction, rolled back, like every other statement.
    assert people.queries_of(people.statements_since(mark)) == [query]


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("SELECT email FROM quality.people", 5),
        ("SELECT COUNT(*) FROM quality.people HAVING COUNT(*) > 5", 0),
    ],
)
def test_aggregate_refuses_an_answer_that_is_not_one_row(people, session, query, rows) -> None:
    with pytest.raises(WarehouseRejected) as caught:
        session.aggregate(sql(query))
    assert caught.value.message == f"the aggregate query returned {rows} rows, not one"


def test_aggregate_passes_on_the_warehouses_refusal(people, session) -> None:
    with pytest.raises(WarehouseRejected) as caught:
        session.aggregate(sql("SELECT MAX(nope) FROM quality.people"))
    assert (caught.value.message, caught.value.line, caught.value.column) == ('column "nope" does not exist', 1, 12)


def test_scan_says_redshift_gives_no_byte_figure_and_sends_nothing(people, session) -> None:
    table = session.table("quality.people", ["quality", "people"])
    assert table is not None
    mark = people.mark()
    estimate = session.scan(sql(count_query("SELECT email FROM quality.people", "redshift", None).sql), [table])
    assert estimate == ScanEstimate(
        None,
        "Redshift EXPLAIN",
        unavailable="Redshift's EXPLAIN estimates the rows each step returns and their average width, "
        "not the bytes it reads from disk",
    )
    assert people.statements_since(mark) == []
    with pytest.raises(TypeError):
        session.scan("SELECT 1", [table])  # type: ignore[arg-type]

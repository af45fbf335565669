"""A session of recorded warehouse answers, for the LIVE rules' case tables.

Not a stand-in for any driver: it implements our own ``Session`` protocol from a case's
``warehouse:`` block, so the whole preflight path (what is sent, how answers are placed in the
project's files) runs with exact, reviewable answers and no warehouse. The connectors themselves
are tested against real stand-ins in ``tests/live/test_<warehouse>.py``.

A ``warehouse:`` block::

    rejects:    # the first entry whose `when` is in the SQL sent rejects it
      - {when: "LIMIT 0", message: "...", line: 4, column: 8}
    tables:     # reference as the model writes it -> the table (absent: no such table)
      crm.customers: {name: [ANALYTICS, CRM, CUSTOMERS], columns: {CUSTOMER_ID: VARCHAR}}
    gaps:       # what check_grants reports
      - {privilege: SELECT, object_kind: table, object_name: ANALYTICS.CRM.CUSTOMERS, table: crm.customers}
    unchecked: ["..."]
    count: 25000000   # what every COUNT(*) returns
    columns: {customer_id: varchar, updated_at: timestamptz}   # what every describe returns
    aggregates:       # what each aggregate query (--sample) returns, in the order they are sent
      - [1000, 3, 12, 2]
    scans:            # what each scan estimate (--cost) returns, in order: the window's, then every row's
      - {scanned: 1099511627776, source: BigQuery dry run, pruning_keys: ["p.d.events: partitioned by day"]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import LiveSettings, ScanEstimate, WarehouseRejected
from wsync_lint.live.statements import ReadOnlyQuery


class RecordedSession:
    """Answers from a case's ``warehouse:`` block; records every statement it is sent."""

    def __init__(self, answers: Mapping[str, Any], settings: LiveSettings) -> None:
        self.answers = answers
        self.settings = settings
        self.sent: list[str] = []

    def _rejection(self, sql: str) -> None:
        for reject in self.answers.get("rejects", []):
            if reject["when"] in sql:
                raise WarehouseRejected(reject["message"], reject.get("line"), reject.get("column"))

    def describe(self, query: ReadOnlyQuery) -> list[ResultColumn]:
        assert isinstance(query, ReadOnlyQuery)
        self.sent.append(query.sql)
        self._rejection(query.sql)
        return [ResultColumn(name, kind) for name, kind in self.answers.get("columns", {}).items()]

    def count(self, query: ReadOnlyQuery) -> int:
        assert isinstance(query, ReadOnlyQuery)
        self.sent.append(query.sql)
        self._rejection(query.sql)
        return int(self.answers.get("count", 0))

    def aggregate(self, query: ReadOnlyQuery) -> tuple[Any, ...]:
        assert isinstance(query, ReadOnlyQuery)
        self.sent.append(query.sql)
        self._rejection(query.sql)
        answered = sum(1 for sql in self.sent if sql.startswith("SELECT COUNT(*),\n")) - 1
        return tuple(self.answers["aggregates"][answered])

    def scan(self, query: ReadOnlyQuery, tables: Sequence[LiveTable]) -> ScanEstimate:
        assert isinstance(query, ReadOnlyQuery)
        self.sent.append(f"EXPLAIN {query.sql}")
        self._rejection(query.sql)
        answered = sum(1 for sql in self.sent if sql.startswith("EXPLAIN ")) - 1
        found = self.answers["scans"][answered]
        return ScanEstimate(
            found.get("scanned"),
            found.get("source", "the warehouse's plan"),
            found.get("unavailable"),
            tuple(found.get("pruning_keys", ())),
        )

    def table(self, reference: str, parts: Sequence[str]) -> LiveTable | None:
        found = self.answers.get("tables", {}).get(reference)
        if found is None:
            return None
        columns = tuple(ResultColumn(name, kind) for name, kind in found["columns"].items())
        return LiveTable(tuple(found["name"]), columns)

    def check_grants(self, tables: Sequence[tuple[str, LiveTable]]) -> GrantCheck:
        grantee = self.answers.get("grantee", "MPARTICLE")
        gaps = tuple(GrantGap(grantee=grantee, **gap) for gap in self.answers.get("gaps", []))
        return GrantCheck(gaps, tuple(self.answers.get("unchecked", [])))

    def close(self) -> None:
        pass


def recorded_opener(answers: Mapping[str, Any], sessions: list[RecordedSession] | None = None):  # type: ignore[no-untyped-def]
    """An ``opener`` for :func:`wsync_lint.live.preflight.preflight` that answers from ``answers``."""

    def open_recorded(dialect: str, settings: LiveSettings) -> RecordedSession:
        session = RecordedSession(answers, settings)
        if sessions is not None:
            sessions.append(session)
        return session

    return open_recorded

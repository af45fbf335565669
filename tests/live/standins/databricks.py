"""The Databricks stand-in: our Thrift-over-HTTP fake (:mod:`.databricks_thrift`) in a thread of the test run.

No separate venv: it needs only what the project's ``databricks`` extra installs (databricks-sql-connector,
which brings thrift) and duckdb. It listens on 127.0.0.1 at a free port from first use to the end of the
session. Set-up statements run as the warehouse's admin, straight on its DuckDB database (DuckDB's SQL),
except ``CREATE SHARE``, ``ALTER SHARE ... ADD TABLE|SCHEMA`` and ``GRANT ... ON SHARE|TABLE ... TO``,
which are Databricks' own and are recorded for ``SHOW ALL IN SHARE`` and ``SHOW GRANTS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.live.standins import missing_standin
from wsync_lint.live.backend import env_name

CONNECTION_ID = "databricks-test"
TOKEN = "dapi-standin-0123456789abcdef"
USER = "preflight@example.com"
CATALOG = "analytics"
SCHEMAS = ("mp", "crm")
SHARE = "mparticle_1234_5678"
HTTP_PATH = "/sql/1.0/warehouses/standin"


@dataclass
class DatabricksStandin:
    """A running fake warehouse and what a connection to it needs."""

    warehouse: Any  # databricks_thrift.FakeWarehouse
    port: int
    connection_id: str = CONNECTION_ID
    config: dict[str, str] = field(default_factory=lambda: {"provider": "wsync-test-org", "schema": "mp"})

    @property
    def statements(self) -> list[str]:
        """Every statement the warehouse received through Thrift, in order."""
        return self.warehouse.statements

    def environment(self, **overrides: str | None) -> dict[str, str]:
        """The variables that point the connector at the fake (``SHARE=None`` leaves one out)."""
        settings: dict[str, str | None] = {
            "ENDPOINT": f"http://127.0.0.1:{self.port}",
            "HTTP_PATH": HTTP_PATH,
            "TOKEN": TOKEN,
            "CATALOG": CATALOG,
            "SHARE": SHARE,
            **overrides,
        }
        return {env_name(self.connection_id, key): value for key, value in settings.items() if value is not None}

    def setup(self, *sql: str) -> None:
        """Run set-up statements as the admin, not through the connector."""
        for statement in sql:
            self.warehouse.admin(statement)


@pytest.fixture(scope="session")
def databricks_standin() -> Iterator[DatabricksStandin]:
    """The fake Databricks SQL warehouse, started once per test session and stopped at its end."""
    try:
        from tests.live.standins.databricks_thrift import FakeWarehouse
    except ImportError as error:
        missing_standin(f"the Databricks fake needs {error.name}: pip install 'wsync-lint[databricks]' duckdb")
    warehouse = FakeWarehouse(token=TOKEN, user=USER, catalog=CATALOG, schemas=SCHEMAS)
    try:
        yield DatabricksStandin(warehouse, warehouse.start())
    finally:
        warehouse.stop()

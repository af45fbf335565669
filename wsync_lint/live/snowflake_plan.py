"""What Snowflake's ``EXPLAIN USING JSON`` and ``SHOW TABLES`` say about the cost of a query.

``EXPLAIN USING JSON <query>`` compiles the query without running it and answers one row whose one
column (``content``) is a JSON text. Its ``GlobalStats`` object holds ``partitionsTotal`` (the
micro-partitions of the tables read), ``partitionsAssigned`` (those left after compile-time pruning)
and ``bytesAssigned`` (the bytes in the assigned partitions): an upper bound of what a run scans
(https://docs.snowflake.com/en/sql-reference/sql/explain, "Output" and "Usage notes").

``SHOW TABLES`` gives a table's clustering key in its ``cluster_by`` column, ``LINEAR(<expressions>)``
for a linear key, empty for a table without one.

Pure functions only: :class:`~wsync_lint.live.snowflake.SnowflakeSession` sends the statements.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SOURCE = "Snowflake EXPLAIN"
NO_BYTE_FIGURE = "the warehouse's plan gives no byte figure"
_LINEAR = re.compile(r"\ALINEAR\((.*)\)\Z", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class PlanFigures:
    """The ``GlobalStats`` of a plan: what a run would scan after compile-time pruning."""

    bytes_assigned: int
    partitions_assigned: int | None
    partitions_total: int | None

    @property
    def source(self) -> str:
        """Where the figure comes from, with the pruning the plan reports when it gives it.

        >>> PlanFigures(1024, 3, 120).source
        'Snowflake EXPLAIN (3 of 120 micro-partitions)'
        >>> PlanFigures(1024, None, None).source
        'Snowflake EXPLAIN'
        """
        if self.partitions_assigned is None or self.partitions_total is None:
            return SOURCE
        return f"{SOURCE} ({self.partitions_assigned} of {self.partitions_total} micro-partitions)"


def plan_figures(rows: Sequence[Sequence[Any]]) -> PlanFigures | None:
    """The figures of an ``EXPLAIN USING JSON`` answer (its rows, as the driver returns them), or
    None when it holds no byte figure (no row, not JSON, no ``GlobalStats.bytesAssigned``).

    >>> plan_figures([['{"GlobalStats": {"partitionsTotal": 8, "partitionsAssigned": 2, "bytesAssigned": 4096}}']])
    PlanFigures(bytes_assigned=4096, partitions_assigned=2, partitions_total=8)
    >>> plan_figures([['{"Operations": []}']]) is None
    True
    """
    if len(rows) != 1 or not rows[0]:
        return None
    content = rows[0][0]
    try:
        plan = json.loads(content) if isinstance(content, str | bytes) else content
    except ValueError:
        return None
    stats = plan.get("GlobalStats") if isinstance(plan, Mapping) else None
    if not isinstance(stats, Mapping):
        return None
    scanned = _count(stats.get("bytesAssigned"))
    if scanned is None:
        return None
    return PlanFigures(scanned, _count(stats.get("partitionsAssigned")), _count(stats.get("partitionsTotal")))


def _count(value: object) -> int | None:
    """A non-negative whole number of the plan (JSON numbers; a digit string as some drivers give it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def clustering_line(name: str, cluster_by: object) -> str | None:
    """The pruning line of a table whose ``SHOW TABLES`` row has ``cluster_by``; None without a key.

    >>> clustering_line("MP_DB.CRM.EVENTS", "LINEAR(EVENT_TS, TO_DATE(UPDATED_AT))")
    'MP_DB.CRM.EVENTS: clustered by EVENT_TS, TO_DATE(UPDATED_AT)'
    >>> clustering_line("MP_DB.CRM.EVENTS", "") is None
    True
    """
    if not isinstance(cluster_by, str) or not cluster_by.strip():
        return None
    key = cluster_by.strip()
    linear = _LINEAR.match(key)
    return f"{name}: clustered by {linear.group(1).strip() if linear else key}"

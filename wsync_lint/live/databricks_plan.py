"""What Databricks' ``EXPLAIN COST`` and ``DESCRIBE DETAIL`` say about a scan: bytes, and how tables are laid out.

``EXPLAIN COST <query>`` answers one ``plan`` column holding Spark's optimized logical plan with each node's
statistics, then the physical plan (Spark's ``QueryExecution.stringWithStats``; "EXPLAIN",
https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-qry-explain: "COST: If plan node
statistics are available, generates a logical plan and the statistics"). Each node line ends in
``Statistics(sizeInBytes=<figure> <unit>, ...)``, the figure written by Spark's ``Utils.bytesToString``:
one decimal and the largest binary unit of which it is at least 2 (``12.0 B``, ``1536.0 KiB``, ``3.2 GiB``;
older runtimes ``KB``, ``MB`` for the same powers of 1024), or scientific notation in bytes past 2048 EiB. A relation without statistics gets
``spark.sql.defaultSizeInBytes``, ``Long.MaxValue``, printed ``8.0 EiB``: that means "unknown". An EXPLAIN
whose query does not analyse answers ``Error occurred during query planning:`` and the error (Spark's
``ExplainCommand``) instead of failing.

The bytes one run scans are the sum over the leaf relations of the optimized plan (the tables read),
leaving out what holds no stored data (``LocalRelation``, ``OneRowRelation``) and references to a CTE
defined elsewhere in the plan (``CTERelationRef``). For a Delta table that size is of the files the query
will read once partitions are pruned and files skipped by their statistics: Delta prepares its scan in the
optimizer "so that CBO and metering can accurately understand how much data will be read", and the
relation's size is the prepared scan's compressed bytes (``PreparedDeltaFileIndex.sizeInBytes``,
delta-io/delta ``spark/src/main/scala/org/apache/spark/sql/delta/stats/PrepareDeltaScan.scala``; open-source
Delta, not checked against a live Databricks warehouse here).

``DESCRIBE DETAIL <table>`` answers one row whose ``partitionColumns`` and ``clusteringColumns`` (liquid
clustering) are arrays of column names ("Review table details with describe detail",
https://docs.databricks.com/aws/en/tables/operations/table-details).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

PLANNING_ERROR = "Error occurred during query planning"
_OPTIMIZED = "== Optimized Logical Plan =="
_SECTION = re.compile(r"^== .* ==$")
_TREE_PREFIX = re.compile(r"[\s:|+-]*")
_SIZE = re.compile(r"sizeInBytes=(\d+(?:\.\d+)?(?:E[+-]?\d+)?) ?([KMGTPE]i?B|B)\b")
_UNITS = {"B": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
UNKNOWN_SIZE = 8 * 1024**6
"""``8.0 EiB`` (``Long.MaxValue`` rounded): Spark's size of a relation it has no statistics for."""
_NO_STORED_DATA = ("LocalRelation", "OneRowRelation", "CTERelationRef")


@dataclass(frozen=True)
class PlanScan:
    """What a plan says one run scans: bytes, or why it does not say."""

    scanned: int | None
    unavailable: str | None = None


def size_in_bytes(figure: str, unit: str) -> int:
    """A figure of Spark's ``bytesToString`` in bytes (units are powers of 1024, ``KB`` and ``KiB`` alike).

    >>> size_in_bytes("1.5", "MiB"), size_in_bytes("12.0", "B"), size_in_bytes("2.0", "KB")
    (1572864, 12, 2048)
    >>> size_in_bytes("1.23E+22", "B")
    12300000000000000000000
    """
    return round(Decimal(figure) * 1024 ** _UNITS[unit[0]])  # Decimal: exact, also past 2**53


def plan_text(rows: Sequence[Sequence[object]]) -> str:
    """The plan of ``EXPLAIN`` rows: one row holding it all, or (older runtimes, and a planning error) one per line."""
    return "\n".join(str(row[0]) for row in rows if row and row[0] is not None)


def planning_error(text: str) -> str | None:
    """The error an EXPLAIN reports in place of a plan, on one line, or None when it gave a plan.

    >>> planning_error("Error occurred during query planning: \\n[TABLE_OR_VIEW_NOT_FOUND] The table `t` ...")
    '[TABLE_OR_VIEW_NOT_FOUND] The table `t` ...'
    """
    stripped = text.strip()
    if not stripped.startswith(PLANNING_ERROR):
        return None
    rest = [line.strip() for line in stripped[len(PLANNING_ERROR) :].lstrip(" :").splitlines() if line.strip()]
    return rest[0] if rest else PLANNING_ERROR


def scanned_bytes(text: str) -> PlanScan:
    """The bytes the leaf relations of the optimized logical plan hold, summed (see the module docstring)."""
    leaves = _leaves(_optimized_section(text))
    sizes = []
    for line in leaves:
        if line.startswith(_NO_STORED_DATA):
            continue
        found = _SIZE.search(line)
        if found is None:
            return PlanScan(None, "Databricks' plan gives no size statistics for a table the query reads")
        size = size_in_bytes(*found.groups())
        if size >= UNKNOWN_SIZE:
            return PlanScan(
                None, "Databricks has no size statistics for a table the query reads (its plan says 8.0 EiB)"
            )
        sizes.append(size)
    if not sizes:
        return PlanScan(None, "Databricks' plan names no table the query reads")
    return PlanScan(sum(sizes))


def _optimized_section(text: str) -> list[str]:
    """The lines of the ``== Optimized Logical Plan ==`` section (none when the plan has no such section)."""
    lines, inside = [], False
    for line in text.splitlines():
        if _SECTION.match(line.strip()):
            inside = line.strip() == _OPTIMIZED
        elif inside and line.strip():
            lines.append(line.rstrip())
    return lines


def _leaves(lines: list[str]) -> list[str]:
    """The nodes of a Spark tree string with no child: the next node is not indented deeper. A node's text
    starts past its tree prefix (``+- ``, ``:- ``, ``:  ``), whose length is its depth."""
    nodes = [(len(prefix.group(0)), line[prefix.end() :]) for line in lines if (prefix := _TREE_PREFIX.match(line))]
    if not nodes:
        return []
    return [
        text
        for (depth, text), (next_depth, _) in zip(nodes, [*nodes[1:], (-1, "")], strict=True)
        if next_depth <= depth
    ]


def column_names(value: object) -> list[str]:
    """An ``array<string>`` cell as the driver gives it: a list (Arrow), or JSON text (Thrift's column sets)."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value] if value else []
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return [str(value)]
    return [str(item) for item in value if item is not None]


def pruning_line(table: str, detail: Mapping[str, object]) -> str | None:
    """One line saying how ``table`` is laid out, from its ``DESCRIBE DETAIL`` row; None when it is neither
    partitioned nor clustered.

    >>> pruning_line("main.mp.events", {"partitionColumns": ["day"], "clusteringColumns": ["mpid", "email"]})
    'main.mp.events: partitioned by day, clustered by mpid, email'
    >>> pruning_line("main.mp.users", {"partitionColumns": [], "clusteringColumns": None}) is None
    True
    """
    parts = []
    if partitioned := column_names(detail.get("partitionColumns")):
        parts.append("partitioned by " + ", ".join(partitioned))
    if clustered := column_names(detail.get("clusteringColumns")):
        parts.append("clustered by " + ", ".join(clustered))
    return f"{table}: {', '.join(parts)}" if parts else None

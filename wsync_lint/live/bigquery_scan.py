"""What BigQuery says about the cost of a query: its dry run's bytes, and how its tables are laid out.

A dry-run query job reads nothing and costs nothing; its ``statistics.totalBytesProcessed`` is what
the query would process (and bill, on demand) with the pruning the dry run could prove. A table's
``timePartitioning`` (its ``field``, or none when BigQuery partitions it by ingestion time, which
queries filter through ``_PARTITIONTIME``), ``rangePartitioning`` and ``clustering`` say which
filters can prune it.

Pure functions only, on the client library's objects: :class:`~wsync_lint.live.bigquery.BigQuerySession`
makes the calls.
"""

from __future__ import annotations

from typing import Any

SOURCE = "BigQuery dry run"
NO_BYTE_FIGURE = "the dry run gives no byte figure"
INGESTION_TIME = "_PARTITIONTIME"
"""The pseudo-column of a table partitioned by ingestion time (its ``timePartitioning`` names no field)."""


def pruning_line(table: Any) -> str | None:
    """``project.dataset.table: partitioned by X (DAY), clustered by a, b`` for a table of the client
    library (``google.cloud.bigquery.Table``); None when it is neither partitioned nor clustered."""
    said: list[str] = []
    if table.time_partitioning is not None:
        unit = table.time_partitioning.type_ or "DAY"
        said.append(f"partitioned by {table.time_partitioning.field or INGESTION_TIME} ({unit})")
    elif table.range_partitioning is not None and table.range_partitioning.field:
        said.append(f"partitioned by {table.range_partitioning.field} (integer range)")
    if table.clustering_fields:
        said.append("clustered by " + ", ".join(table.clustering_fields))
    if not said:
        return None
    return f"{table.project}.{table.dataset_id}.{table.table_id}: " + ", ".join(said)


def scanned_bytes(job: Any) -> int | None:
    """A dry-run job's ``total_bytes_processed`` as a number of bytes; None when the answer has none."""
    value = job.total_bytes_processed
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

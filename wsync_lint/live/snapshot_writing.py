"""Schema snapshots of the tables found in the warehouse, in the format of :mod:`wsync_lint.sql.snapshots`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from wsync_lint.contract.live_context import LiveTable
from wsync_lint.sql.snapshots import LIVE_SUFFIX


def snapshot_document(dialect: str, tables: Iterable[LiveTable]) -> dict[str, Any]:
    """A schema snapshot (the format of :mod:`wsync_lint.sql.snapshots`) of these tables, sorted."""
    found = {".".join(table.name): {column.name: column.type for column in table.columns} for table in tables}
    return {"dialect": dialect, "tables": dict(sorted(found.items()))}


def write_snapshots(folder: Path, tables: Mapping[str, tuple[str, list[LiveTable]]]) -> dict[str, str]:
    """Write one snapshot per connection into ``folder``; connection id -> the file written."""
    written = {}
    for connection_id, (dialect, found) in tables.items():
        path = folder / f"{connection_id}{LIVE_SUFFIX}"
        path.write_text(json.dumps(snapshot_document(dialect, found), indent=2) + "\n", encoding="utf-8")
        written[connection_id] = str(path)
    return written

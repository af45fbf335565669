"""Schema snapshots of the tables found in the warehouse, in the format of :mod:`wsync_lint.sql.snapshots`.

A connection id becomes a file name only through :func:`~wsync_lint.sql.snapshots.snapshot_file_name`, which refuses
anything but the documented id characters (letters, digits, ``_`` and ``-``), so that an id such
as ``../../x`` can never name a file outside the snapshot folder. Snapshots are written with
:func:`wsync_lint.files.write_atomically`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from wsync_lint.contract.live_context import LiveTable
from wsync_lint.files import write_atomically
from wsync_lint.sql.snapshots import LIVE_SUFFIX, snapshot_file_name


def snapshot_document(dialect: str, tables: Iterable[LiveTable]) -> dict[str, Any]:
    """A schema snapshot (the format of :mod:`wsync_lint.sql.snapshots`) of these tables, sorted."""
    found = {".".join(table.name): {column.name: column.type for column in table.columns} for table in tables}
    return {"dialect": dialect, "tables": dict(sorted(found.items()))}


def snapshot_text(dialect: str, tables: Iterable[LiveTable], *, readable: bool = True) -> str:
    """The snapshot file's text: stable order, two-space indent, a final newline (``readable``:
    non-ASCII names as they are, for review; else escaped)."""
    return json.dumps(snapshot_document(dialect, tables), indent=2, ensure_ascii=not readable) + "\n"


def write_snapshots(folder: Path, tables: Mapping[str, tuple[str, list[LiveTable]]]) -> dict[str, str]:
    """Write one snapshot per connection into ``folder``; connection id -> the file written.
    Every id is checked before the first file is written."""
    names = {connection_id: snapshot_file_name(connection_id, LIVE_SUFFIX) for connection_id in tables}
    written = {}
    for connection_id, (dialect, found) in tables.items():
        path = folder / names[connection_id]
        write_atomically(path, snapshot_text(dialect, found, readable=False), inside=folder)
        written[connection_id] = str(path)
    return written

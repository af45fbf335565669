"""Schema snapshots: the tables and columns of a warehouse, committed next to the models.

A snapshot is ``schemas/<connection-id>.json`` (the folder is the ``schema-dir`` setting)::

    {"dialect": "snowflake",
     "tables": {"ANALYTICS.CRM.CUSTOMERS": {"CUSTOMER_ID": "VARCHAR", "UPDATED_AT": "TIMESTAMP_NTZ"}}}

Table and column names are written as the warehouse stores them (Snowflake upper-cases unquoted
names, Redshift lower-cases them), types in the warehouse's own spelling. The live layer writes
these files; until then they are written by hand. A standalone SQL file names one with the
directive ``-- wsync-lint: schema=path/to/snapshot.json`` (relative to the SQL file).

A snapshot that cannot be used is a configuration error (exit 2, one line naming the file): one
that is not a regular file, is over :data:`MAX_SNAPSHOT_SIZE`, or (checked where the engine
decides which snapshot applies) lies outside the project.

``preflight`` writes the snapshot it just took from the warehouse as ``<connection-id>.live.json``
in a folder of its own and lints with it; messages then name the warehouse, not that file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from wsync_lint.errors import UsageError
from wsync_lint.files import Unreadable, read_bounded
from wsync_lint.mparticle.facts import ID_PATTERN
from wsync_lint.mparticle.warehouses import WAREHOUSES, Warehouse

SNAPSHOT_SUFFIX = ".json"
MAX_SNAPSHOT_SIZE = 8 * 1024 * 1024
"""The largest snapshot read. Fixed, not ``max-file-size``: a snapshot is written by ``schema
pull`` from a warehouse, not by hand, and is read lazily by the rules that need it, where no
configuration is at hand."""
LIVE_SUFFIX = ".live.json"


@dataclass(frozen=True)
class SchemaSnapshot:
    """One warehouse's tables, as a snapshot file gives them."""

    path: str
    dialect: str
    tables: Mapping[str, Mapping[str, str]]
    """``"DB.SCHEMA.TABLE"`` -> column name -> type, names as the warehouse stores them."""

    shown: str = ""
    """The file as messages name it: relative to the working folder when inside it."""

    text: str = ""
    """The file's text (for positions in it)."""

    @property
    def warehouse(self) -> Warehouse:
        return WAREHOUSES[self.dialect]

    @property
    def live(self) -> bool:
        """Taken from the warehouse by ``preflight`` moments ago (not a committed file)."""
        return self.path.endswith(LIVE_SUFFIX)

    @property
    def described(self) -> str:
        """How messages name it: the file, or the warehouse it was just taken from."""
        if self.live:
            connection = Path(self.path).name[: -len(LIVE_SUFFIX)]
            return f"the warehouse of connection `{connection}` (as preflight found it)"
        return f"the schema snapshot `{self.shown}`"

    def matching_tables(self, parts: tuple[tuple[str, bool], ...]) -> list[tuple[str, ...]]:
        """The snapshot tables a reference can name: ``parts`` are its (name, quoted) parts as
        written, compared as the warehouse compares names. A reference with fewer parts than a
        table's name (the session's database and schema fill in the rest) matches every table
        whose name ends with them."""
        key = self._key(parts)
        exact = self._index.get(key)
        if exact is not None:
            return [exact]
        return [name for stored, name in self._index.items() if stored[-len(key) :] == key]

    def columns(self, table: tuple[str, ...]) -> Mapping[str, str]:
        return self.tables[".".join(table)]

    def _key(self, parts: tuple[tuple[str, bool], ...]) -> tuple[str, ...]:
        warehouse = self.warehouse
        return tuple(warehouse.reference_key(name, quoted) for name, quoted in parts)

    @cached_property
    def _index(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        warehouse = self.warehouse
        # Stored names are what an exact (quoted) reference to them would say.
        return {
            tuple(warehouse.reference_key(part, quoted=True) for part in name.split(".")): tuple(name.split("."))
            for name in self.tables
        }


def snapshot_file_name(connection_id: str, suffix: str = SNAPSHOT_SUFFIX) -> str:
    """``<connection-id><suffix>``, the one way a connection id becomes a file name; a
    ``UsageError`` when the id holds anything but the documented id characters (letters, digits,
    ``_`` and ``-``), so that an id such as ``../../x`` never names a file outside its folder."""
    if not isinstance(connection_id, str) or re.fullmatch(ID_PATTERN, connection_id) is None:
        raise UsageError(
            f"connection id {json.dumps(str(connection_id))} is not made of letters, digits, `_` and `-` "
            "only (CN01): no snapshot file is written for it"
        )
    return f"{connection_id}{suffix}"


def read_snapshot(path: Path) -> SchemaSnapshot:
    """Read and validate the snapshot at ``path``, at most :data:`MAX_SNAPSHOT_SIZE` bytes (cached
    by path and modification time)."""
    try:
        stamp = path.stat().st_mtime_ns
        location = str(path.resolve())
    except (OSError, RuntimeError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else "a loop of symbolic links or a bad name"
        raise UsageError(f"{path}: cannot read the schema snapshot: {reason}") from None
    return _read(location, stamp, str(Path.cwd().resolve()))


@lru_cache(maxsize=64)
def _read(location: str, stamp: int, working_folder: str) -> SchemaSnapshot:
    path = Path(location)
    data = read_bounded(path, MAX_SNAPSHOT_SIZE)
    if isinstance(data, Unreadable):
        raise UsageError(f"{path}: cannot read the schema snapshot: {data.sentence}")
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a usable schema snapshot: {error}") from None
    where = f"{path}: schema snapshot"
    if not isinstance(document, dict) or set(document) - {"dialect", "tables"}:
        raise UsageError(f'{where}: expected {{"dialect": ..., "tables": {{...}}}} and nothing else')
    dialect = document.get("dialect")
    if dialect not in WAREHOUSES:
        raise UsageError(f"{where}: unknown dialect {dialect!r} (expected one of: {', '.join(WAREHOUSES)})")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise UsageError(f'{where}: "tables" must map "DB.SCHEMA.TABLE" to its columns')
    for name, columns in tables.items():
        if not name or any(not part for part in name.split(".")):
            raise UsageError(f"{where}: table name {name!r} has an empty part")
        if not isinstance(columns, dict) or not all(
            isinstance(column, str) and isinstance(kind, str) for column, kind in columns.items()
        ):
            raise UsageError(f"{where}: table {name!r} must map each column name to its type (strings)")
    try:
        shown = path.relative_to(working_folder).as_posix()
    except ValueError:
        shown = str(path)
    return SchemaSnapshot(str(path), dialect, tables, shown, text)

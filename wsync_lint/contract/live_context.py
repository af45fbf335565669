"""What LIVE rules see: the warehouse's answers for one pipeline, placed in the project's files.

``preflight`` asks the warehouse (:mod:`wsync_lint.live.preflight`); this module holds the answers
as plain data, each already pointing at a place in a file the user keeps: a rejected query at the
model's text, a missing grant at the table reference, a row count at the pipeline's schedule, a
snapshot difference at the snapshot's key. LIVE rules (LV01-LV04, LV07-LV09) turn them into findings and
never talk to a warehouse themselves, so their case tables need none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wsync_lint.contract.live_figures import Sample, ScanCost
from wsync_lint.mparticle.warehouses import Warehouse
from wsync_lint.project.payload_files import PayloadFile
from wsync_lint.sql.positions import FileSpan, Span
from wsync_lint.sql.snapshots import SchemaSnapshot

Place = Span | FileSpan
"""A span of the model's SQL (placed like any SQL finding, also for an inline query) or of a named file."""

MODEL = "the data model"
"""How a rejection of the model itself, sent alone, names the statement."""


@dataclass(frozen=True)
class ResultColumn:
    """One column of a result: its name as the warehouse returns it and its type in the
    warehouse's own spelling (``TIMESTAMP_NTZ``, ``INT64``, ``bigint``, ``ARRAY<STRING>``)."""

    name: str
    type: str


@dataclass(frozen=True)
class LiveTable:
    """A table or view as the warehouse sees it."""

    name: tuple[str, ...]
    """Its full name, each part as the warehouse stores it (``("ANALYTICS", "CRM", "CUSTOMERS")``)."""
    columns: tuple[ResultColumn, ...]


@dataclass(frozen=True)
class GrantGap:
    """A privilege the connection's user or role lacks."""

    privilege: str
    """``SELECT``, ``USAGE``, or a role id such as ``roles/bigquery.dataViewer``."""
    object_kind: str
    """``table``, ``schema``, ``database``, ``warehouse``, ``dataset``, ``project`` or ``share``."""
    object_name: str
    grantee: str
    """The role, user or service account that needs the privilege, as the connection names it."""
    table: str | None = None
    """For a gap about one table the model reads: that table's reference as the model writes it."""


@dataclass(frozen=True)
class GrantCheck:
    """What a grants check found: the gaps, and what it could not check (and why)."""

    gaps: tuple[GrantGap, ...] = ()
    unchecked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """The warehouse refused one statement: the model alone, or one of mParticle's wrappers."""

    statement: str
    """:data:`MODEL`, or the wrapper's title (``column probe: ...``)."""
    message: str
    """The warehouse's own words (secrets already removed)."""
    at: Place
    positioned: bool = False
    """Whether the warehouse said where (``at`` is then that place, else the model's start)."""

    @property
    def of_model(self) -> bool:
        """The model itself was refused (sent alone), not one of mParticle's wrappers."""
        return self.statement == MODEL


@dataclass(frozen=True)
class Refusal:
    """wsync-lint did not send the model: something in it may change the warehouse, or the
    warehouse may read its text differently from wsync-lint."""

    kind: str
    """``side-effect`` (one of ST08's calls), ``unproven`` (a function not known to be pure, such
    as a user-defined one), ``lock`` (``FOR UPDATE``) or ``lexing``."""
    name: str
    """The call as written (``public.audit_write``), the clause (``FOR UPDATE``), or for
    ``lexing`` nothing."""
    why: str
    """What it is or does ("a user-defined function", "advances a sequence"); for ``lexing``, how
    the readings part."""
    at: Place


@dataclass(frozen=True)
class TableUse:
    """A table the model reads, as the warehouse sees it and as the committed snapshot has it."""

    reference: str
    """As the model writes it (``crm.customers``)."""
    parts: tuple[tuple[str, bool], ...]
    """Its (name, quoted) parts as written."""
    at: Place
    """The reference in the model."""
    live: LiveTable | None
    """None: the warehouse has no such table this user can see."""


@dataclass(frozen=True)
class WindowCount:
    """Rows a sync window holds, against the limit that applies to it."""

    what: str
    """The window (``the first daily sync window 2024-01-01 00:00:00 .. 2024-01-02 00:00:00``)."""
    rows: int
    limit: int
    limit_name: str
    """How mParticle names the limit (``record count limit per daily interval``)."""
    at: FileSpan
    """The pipeline key the limit comes from (``schedule.frequency``, ``schedule.type``, ``schedule.start``)."""


@dataclass(frozen=True)
class SnapshotFile:
    """The committed snapshot, and its file read with the place of every key."""

    snapshot: SchemaSnapshot
    file: PayloadFile

    def key_at(self, *pointer: str) -> FileSpan:
        """The key at ``tables/<pointer>`` (a table, or a table's column)."""
        place = self.file.place(0, ("tables", *pointer))
        return FileSpan(self.file.path, place.key or place.value)

    def value_at(self, *pointer: str) -> FileSpan:
        """The value at ``tables/<pointer>`` (a column's type)."""
        return FileSpan(self.file.path, self.file.place(0, ("tables", *pointer)).value)


@dataclass
class LiveContext:
    """One pipeline's model as its warehouse answered for it."""

    connection_id: str
    warehouse: Warehouse
    pipeline: str
    """The pipeline as messages name it (```users-hourly```)."""
    grantee: str
    """Who needs the privileges, as the connection names it (``role MPARTICLE_ROLE``)."""
    connection_at: FileSpan
    """The connection's ``config`` (for a missing privilege that is about no table)."""
    rejections: list[Rejection] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    """Why the model was not sent (then nothing was compiled or counted)."""
    tables: list[TableUse] = field(default_factory=list)
    grants: GrantCheck = field(default_factory=GrantCheck)
    counts: list[WindowCount] = field(default_factory=list)
    snapshot: SnapshotFile | None = None
    """The committed snapshot of the connection, when there is one."""
    sample: Sample | None = None
    """``--sample``: the identity and iterator figures (LV08, LV09)."""
    cost: ScanCost | None = None
    """``--cost``: what a run scans, and a month of runs (LV07)."""

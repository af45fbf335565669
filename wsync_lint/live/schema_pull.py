"""``wsync-lint schema pull``: write each connection's schema snapshot from its warehouse.

For every connection that a pipeline under the paths uses, the tables its models read are looked
up in the warehouse (metadata only: no rows are read) and written to
``<schema-dir>/<connection-id>.json`` in the snapshot format of :mod:`wsync_lint.sql.snapshots`,
tables and columns in a stable order, so that a pull that changes nothing changes no byte and a
real change shows as a small diff in review.

Every target is checked before the first warehouse is asked: a connection id that is not made of
the documented id characters, or a ``schema-dir`` that leads out of the project, ends the run
with one line (exit 2) and nothing is written. Each snapshot is written atomically, never through
a symbolic link (:mod:`wsync_lint.files`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wsync_lint.commands.model_tables import table_references
from wsync_lint.contract.live_context import LiveTable
from wsync_lint.engine.run_result import NotChecked, RunOptions
from wsync_lint.engine.runner import Planner, display_path, read_model
from wsync_lint.files import check_target, write_atomically
from wsync_lint.live.backend import WarehouseRejected, WarehouseUnreachable
from wsync_lint.live.planning import Work, plan_work
from wsync_lint.live.sessions import close_session, not_checked, open_session, within
from wsync_lint.live.snapshot_writing import snapshot_file_name, snapshot_text


@dataclass
class PullResult:
    """The snapshots written, and what could not be pulled."""

    written: list[tuple[str, int]] = field(default_factory=list)
    """(snapshot file as displayed, number of tables)."""
    notes: list[str] = field(default_factory=list)
    """Tables left out of a snapshot that was written, and why."""
    not_checked: list[NotChecked] = field(default_factory=list)
    """Connections whose snapshot was not pulled: never tried (no driver, no credentials) or unreachable (exit 3)."""


def pull(
    paths: list[Path],
    run_options: RunOptions,
    connection: str | None,
    timeout: float,
    environment: Mapping[str, str] | None = None,
) -> PullResult:
    """Pull the snapshot of every connection the pipelines under ``paths`` use (or only ``connection``)."""
    planner = Planner(run_options)
    planned = plan_work(paths or [Path(".")], planner, connection)
    works = planned.works
    result = PullResult(notes=planned.notes)
    targets = [_target(work, planner) for work in works]  # every refusal before any login
    for work, (target, inside) in zip(works, targets, strict=True):
        opened = open_session(work, timeout, environment)
        if isinstance(opened, NotChecked):
            result.not_checked.append(opened)
            continue
        settings, session = opened
        tables: dict[tuple[str, ...], LiveTable] = {}
        try:
            for written, names in _references(work, planner, result.notes):
                try:
                    found = within(timeout, lambda w=written, n=names, s=session: s.table(w, n))
                except WarehouseRejected as error:
                    result.notes.append(f"connection {work.connection_id}: {written}: {settings.redact(error.message)}")
                    continue
                if found is None:
                    result.notes.append(f"connection {work.connection_id}: {written} is not in the warehouse")
                else:
                    tables[found.name] = found
        except WarehouseUnreachable as error:
            result.not_checked.append(not_checked(work, settings, error))
            continue
        finally:
            close_session(session, timeout)
        write_atomically(target, snapshot_text(work.dialect, tables.values()), inside=inside)
        result.written.append((display_path(target), len(tables)))
    return result


def _target(work: Work, planner: Planner) -> tuple[Path, Path]:
    """The connection's snapshot file, ``<schema-dir>/<connection-id>.json``, and the folder it
    must stay in: the project root, or the folder of a configuration file outside the project
    (one the user named with ``--config``). Refused (``UsageError``) when it may not be written."""
    root = work.project.root
    config = planner.config_for(root / "-")
    base = config.paths_base(root)
    inside = root if base.resolve() == root.resolve() or root.resolve() in base.resolve().parents else base
    target = config.schema_folder(root) / snapshot_file_name(work.connection_id)
    check_target(target, inside=inside)
    return target, inside


def _references(work: Work, planner: Planner, notes: list[str]) -> list[tuple[str, list[str]]]:
    """Every table reference of the connection's models, once each, in the order written."""
    found: dict[str, list[str]] = {}
    for binding in work.bindings:
        sql = work.project.model_sql(binding.model)
        if sql is None:
            continue
        text, shown, _ = read_model(work.project, sql, planner)
        if not isinstance(text, str):
            notes.append(f"{shown}: {text.message}: its tables are not pulled")
            continue
        references = table_references(text, work.dialect, shown)
        if isinstance(references, str):
            notes.append(references)
            continue
        for reference in references:
            found.setdefault(reference.written, [part.name for part in reference.parts])
    return list(found.items())

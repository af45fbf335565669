"""The queries of one pipeline's run (or of a model no pipeline uses), with the notes on them.

``wsync-lint render`` prints a rendering as text or JSON; the live layer runs its queries.
Everything here is pure (no I/O, no printing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.printable import one_line
from wsync_lint.sql.sync_window import Window, resolve_window
from wsync_lint.sql.window_filter import bound_note
from wsync_lint.sql.wrappers import WrapperQuery, count_query, model_notes, probe_query, wrapper_queries


@dataclass
class Rendering:
    """The wrapper queries of one data model as one pipeline runs them."""

    data_model: str | None
    dialect: str
    queries: list[WrapperQuery]
    pipeline: str | None = None
    connection: str | None = None
    window: Window | None = None
    notes: list[str] = field(default_factory=list)
    sql_file: str | None = None
    """A .sql file no data model links, rendered alone (as shown)."""

    def header(self) -> str:
        display = WAREHOUSES[self.dialect].display
        if self.sql_file is not None:
            return f"-- {self.sql_file} (no data model links it): {display}, no sync window"
        model = f"data model {self.data_model}" if self.data_model else "data model (no id)"
        if self.pipeline is None:
            return f"-- {model} (no pipeline uses it): {display}, no sync window"
        connection = f"{display} connection {self.connection}" if self.connection else f"{display} (no connection)"
        window = self.window.describe() if self.window is not None else "no sync window"
        return f"-- pipeline {self.pipeline}: {model}, {connection}, {window}"

    def as_text(self) -> str:
        # The comment lines quote ids and values from the files: each stays one line. The SQL keeps
        # its own lines (the printer escapes its control characters).
        lines = [one_line(self.header())]
        lines.extend(f"-- note: {one_line(note)}" for note in self.notes)
        lines.append("")
        for query in self.queries:
            lines.append(f"-- {one_line(query.title)}")
            if query.note:
                lines.append(f"-- note: {one_line(query.note)}")
            lines.append(f"{query.sql};")
            lines.append("")
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "pipeline": self.pipeline,
            "data_model": self.data_model,
            "sql_file": self.sql_file,
            "connection": self.connection,
            "dialect": self.dialect,
            "window": self.window.as_json() if self.window is not None else None,
            "notes": list(self.notes),
            "queries": [{"title": q.title, "sql": q.sql, "note": q.note} for q in self.queries],
        }


def render_pipeline(
    pipeline: Mapping[str, Any],
    model_id: str | None,
    model_sql: str,
    dialect: str,
    connection: str | None,
    now: datetime,
    start_option: datetime | None = None,
    until_option: datetime | None = None,
) -> Rendering:
    """The queries a pipeline runs (``pipeline`` is its payload) for a model on a warehouse."""
    sync_mode = pipeline.get("sync_mode") if isinstance(pipeline.get("sync_mode"), Mapping) else {}
    iterator_field = _text(sync_mode.get("iterator_field"))
    iterator_data_type = _text(sync_mode.get("iterator_data_type"))
    mode = _text(sync_mode.get("type"))
    notes: list[str] = []
    if iterator_field is None:
        # The window applies through the iterator: without one, every run reads every row.
        bounded = any(
            v is not None for v in (start_option, until_option, sync_mode.get("from"), sync_mode.get("until"))
        )
        if mode != "full":
            notes.append(
                "the pipeline has no sync_mode.iterator_field, which an incremental pipeline needs (PL03): "
                "the queries read every row"
            )
        elif bounded:
            notes.append(
                "from and until apply through sync_mode.iterator_field, which the pipeline does not name: "
                "the queries read every row"
            )
        window = Window(None, None)
    else:
        window = resolve_window(sync_mode, pipeline.get("schedule"), now, start_option, until_option)
        notes.extend(window.notes)
        if window.start is None and window.until is None:
            notes.append("full sync without from or until: every run reads every row")
        else:
            note = bound_note(iterator_data_type, dialect)
            if note:
                notes.append(note)
    notes.extend(model_notes(model_sql, dialect))
    queries = wrapper_queries(model_sql, dialect, iterator_field, iterator_data_type, mode, window.start, window.until)
    pipeline_id = pipeline.get("id") if isinstance(pipeline.get("id"), str) else "(no id)"
    return Rendering(model_id, dialect, queries, pipeline_id, connection, window, notes)


def render_unused_model(model_id: str | None, model_sql: str, dialect: str) -> Rendering:
    """The queries of a model no pipeline uses: no iterator, so no window and no sync run."""
    notes = ["no pipeline uses this data model: without an iterator there is no sync window, so only the "
             "row count of every row and the column probe are shown"]  # fmt: skip
    notes.extend(model_notes(model_sql, dialect))
    queries = [count_query(model_sql, dialect, None), probe_query(model_sql, dialect)]
    return Rendering(model_id, dialect, queries, notes=notes)


def render_standalone_sql(shown: str, model_sql: str, dialect: str) -> Rendering:
    """The queries of a .sql file no data model links: as a model no pipeline uses."""
    notes = ["no data model links this file: without a pipeline's iterator there is no sync window, so only the "
             "row count of every row and the column probe are shown"]  # fmt: skip
    notes.extend(model_notes(model_sql, dialect))
    queries = [count_query(model_sql, dialect, None), probe_query(model_sql, dialect)]
    return Rendering(None, dialect, queries, notes=notes, sql_file=shown)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

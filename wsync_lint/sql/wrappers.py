"""The three queries mParticle runs around a data model, written for one warehouse.

mParticle "materializes your query by wrapping it in an outer SELECT statement"; the SQL
reference's troubleshooting section shows the three wrappers as they appear in the warehouse's
audit log (catalogue WS-ERR-12, EX-SQL-04..06):

- the number of rows in the sync window: ``SELECT COUNT(*) FROM (<model>) WHERE <iterator> BETWEEN <from> AND <until>``
- the number of columns: ``SELECT * FROM (<model>) LIMIT 0``
- the sync run: ``SELECT OBJECT_CONSTRUCT_KEEP_NULL(*) FROM (<model>) WHERE ...`` (Snowflake)

The model's text goes in verbatim, as mParticle does, so a trailing ``;`` breaks the wrapper
here exactly as it does in the warehouse. The window's condition comes from
:mod:`wsync_lint.sql.window_filter`.

Everything here is pure (no I/O, no printing): ``wsync-lint render`` prints these queries, and
the live layer runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlglot.tokens import TokenType

from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.window_filter import window_condition

TITLE_COUNT = "row count over the sync window"
TITLE_COUNT_ALL = "row count (every row: no sync window)"
TITLE_PROBE = "column probe: the model's column names and types, no rows"
TITLE_SYNC = "sync run over the sync window"
TITLE_SYNC_ALL = "sync run (every row: no sync window)"

# PostgreSQL-family engines reject a derived table without an alias; the documented wrappers
# (written for Snowflake) have none. The alias only names the wrapper's own FROM item.
DERIVED_TABLE_ALIAS: dict[str, str] = {"redshift": "m"}


@dataclass(frozen=True)
class WrapperQuery:
    """One query mParticle runs, with a one-line title."""

    title: str
    sql: str
    """The query, without a final ``;``."""
    note: str | None = None
    """Where this query is our rendering rather than mParticle's documented text."""


def _wrap(select_list: str, model_sql: str, dialect: str, tail: str | None) -> str:
    """mParticle's layout (EX-SQL-04..06): the model on its own lines between ``(`` and ``)``."""
    alias = DERIVED_TABLE_ALIAS.get(dialect)
    closing = f") AS {alias}" if alias else ")"
    lines = [f"SELECT {select_list}", "FROM", "(", model_sql.strip(), closing]
    if tail:
        lines.append(tail)
    return "\n".join(lines)


def count_query(model_sql: str, dialect: str, condition: str | None) -> WrapperQuery:
    """The row count mParticle takes before a run (EX-SQL-04)."""
    tail = f"WHERE {condition}" if condition else None
    return WrapperQuery(TITLE_COUNT if condition else TITLE_COUNT_ALL, _wrap("COUNT(*)", model_sql, dialect, tail))


def probe_query(model_sql: str, dialect: str) -> WrapperQuery:
    """The column probe (EX-SQL-05): the model's output names and types without reading rows."""
    return WrapperQuery(TITLE_PROBE, _wrap("*", model_sql, dialect, "LIMIT 0"))


def sync_query(model_sql: str, dialect: str, condition: str | None) -> WrapperQuery:
    """The sync run (EX-SQL-06). mParticle documents its select list for Snowflake only."""
    tail = f"WHERE {condition}" if condition else None
    title = TITLE_SYNC if condition else TITLE_SYNC_ALL
    if dialect == "snowflake":
        return WrapperQuery(title, _wrap("OBJECT_CONSTRUCT_KEEP_NULL(*)", model_sql, dialect, tail))
    note = (
        f"mParticle documents the sync run's select list for Snowflake only (OBJECT_CONSTRUCT_KEEP_NULL(*)); "
        f"for {WAREHOUSES[dialect].display} it is shown as SELECT *"
    )
    return WrapperQuery(title, _wrap("*", model_sql, dialect, tail), note)


def wrapper_queries(
    model_sql: str,
    dialect: str,
    iterator_field: str | None,
    iterator_data_type: str | None,
    sync_mode: str | None,
    start: datetime | None,
    until: datetime | None,
) -> list[WrapperQuery]:
    """The three queries of a pipeline's run: row count, column probe, sync run.

    The window applies through the iterator: without ``iterator_field``, or in a full sync
    without bounds, the count and the sync run read every row. An incremental run always has a
    window: decide it first (:func:`wsync_lint.sql.sync_window.resolve_window`).
    """
    if sync_mode == "incremental" and iterator_field and start is None and until is None:
        raise ValueError("an incremental run covers a window: resolve its bounds first (resolve_window)")
    condition = None
    if iterator_field:
        condition = window_condition(iterator_field, iterator_data_type, dialect, start, until)
    return [
        count_query(model_sql, dialect, condition),
        probe_query(model_sql, dialect),
        sync_query(model_sql, dialect, condition),
    ]


def model_notes(model_sql: str, dialect: str) -> list[str]:
    """What in the model's own text breaks (or nearly breaks) the wrappers: a final ``;``
    (ST03), a final line comment (ST07)."""
    from wsync_lint.sql.lexicon import scan

    lexicon = scan(model_sql, dialect)
    notes = []
    tokens = lexicon.tokens
    if tokens and tokens[-1].token_type is TokenType.SEMICOLON:
        notes.append(
            "the model ends with `;`, which ends the wrapped query early: the warehouse rejects these queries "
            "(ST03 trailing-semicolon; `wsync-lint check --fix` removes it)"
        )
    comments = lexicon.comments
    if tokens and comments and comments[-1].is_line and comments[-1].span.start > tokens[-1].end:
        notes.append(
            "the model ends with a line comment: the wrappers survive it only because `)` starts a new line, "
            "as in mParticle's published wrappers (ST07 trailing-line-comment)"
        )
    return notes

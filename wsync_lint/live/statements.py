"""Read-only by construction: the only statements a connector may send.

A :class:`ReadOnlyQuery` can only be made by :func:`read_only`, which parses the text with sqlglot
in the warehouse's dialect and accepts exactly one statement that reads: a query (``SELECT``,
set operations, ``WITH ... SELECT``), ``DESCRIBE``, ``SHOW`` or ``EXPLAIN``. Connectors take
nothing else, so a model holding ``DELETE``, or two statements, cannot reach a warehouse through
them, whatever the caller does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_READING_COMMANDS = frozenset({"SHOW", "DESCRIBE", "DESC", "EXPLAIN"})
_TOKEN = object()


class NotReadOnly(ValueError):
    """The text is not exactly one statement that only reads."""


@dataclass(frozen=True)
class ReadOnlyQuery:
    """One statement that only reads, checked by :func:`read_only`."""

    sql: str
    dialect: str
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise NotReadOnly("a ReadOnlyQuery is made by read_only(), which checks the statement")


def read_only(sql: str, dialect: str) -> ReadOnlyQuery:
    """``sql`` as a :class:`ReadOnlyQuery`, or :class:`NotReadOnly` saying why it is not one.

    >>> read_only("SELECT 1", "snowflake").sql
    'SELECT 1'
    >>> read_only("SHOW GRANTS TO ROLE r", "snowflake").sql
    'SHOW GRANTS TO ROLE r'
    >>> read_only("DELETE FROM t", "redshift")
    Traceback (most recent call last):
    ...
    wsync_lint.live.statements.NotReadOnly: not a read-only statement: Delete
    >>> read_only("SELECT 1; SELECT 2", "bigquery")
    Traceback (most recent call last):
    ...
    wsync_lint.live.statements.NotReadOnly: 2 statements: only one is ever sent
    """
    import logging

    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is expected for SHOW
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as error:
        raise NotReadOnly(f"does not parse in {dialect}: {str(error).splitlines()[0]}") from None
    finally:
        logger.setLevel(level)
    if len(statements) != 1:
        raise NotReadOnly(f"{len(statements)} statements: only one is ever sent")
    statement = statements[0]
    if isinstance(statement, exp.Command):
        if str(statement.this).upper() not in _READING_COMMANDS:
            raise NotReadOnly(f"not a read-only statement: {str(statement.this).upper()}")
    elif not isinstance(statement, exp.Query | exp.Describe | exp.Show):
        raise NotReadOnly(f"not a read-only statement: {type(statement).__name__}")
    else:
        writes = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)
        # `SELECT ... INTO t` creates a table (Redshift, PostgreSQL); a CTE may hold DML in some dialects.
        if any(isinstance(node, writes) for node in statement.walk()) or statement.find(exp.Into):
            raise NotReadOnly("the query writes (a data-changing clause inside it)")
    return ReadOnlyQuery(sql, dialect, _TOKEN)


def sendable(query: object, dialect: str) -> ReadOnlyQuery:
    """``query``, when it is a :class:`ReadOnlyQuery` checked for ``dialect``: what every connector
    calls before sending. A real check, not an assert, so that it holds under ``python -O``.

    >>> sendable("DROP TABLE t", "redshift")
    Traceback (most recent call last):
    ...
    TypeError: only a ReadOnlyQuery made by read_only(sql, 'redshift') is sent, not str
    """
    if not isinstance(query, ReadOnlyQuery) or query.dialect != dialect:
        raise TypeError(f"only a ReadOnlyQuery made by read_only(sql, {dialect!r}) is sent, not {type(query).__name__}")
    return query

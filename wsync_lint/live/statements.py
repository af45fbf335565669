"""One statement that only reads, by its shape: the only statements a connector may send.

A :class:`ReadOnlyQuery` can only be made by :func:`read_only`, which first reads the text with
sqlglot's lexing rules and with each of the warehouse's (:mod:`wsync_lint.live.lexing`: every
reading must see one statement, and the same one), then parses it with sqlglot in the warehouse's
dialect and accepts exactly one statement that reads: a query (``SELECT``, set operations,
``WITH ... SELECT``) that neither writes nor locks rows (``FOR UPDATE``), ``DESCRIBE``, ``SHOW``,
Databricks' ``DESCRIBE DETAIL`` of a table name, or ``EXPLAIN`` of such a query (never ``EXPLAIN
ANALYZE``, which runs the statement in PostgreSQL). Connectors take nothing else, so a model holding ``DELETE``, or two statements,
cannot reach a warehouse through them, whatever the caller does.

This is the statement's shape only: what the functions a query calls do is the model gate's
question (:mod:`wsync_lint.analysis.function_purity`, asked before a model is sent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wsync_lint.live.lexing import Disagreement, check_lexing

_READING_COMMANDS = frozenset({"SHOW", "DESCRIBE", "DESC", "EXPLAIN"})
# What may stand between EXPLAIN and its query: the options that only describe the plan
# (Redshift VERBOSE, Databricks EXTENDED/CODEGEN/COST/FORMATTED, Snowflake USING TEXT/JSON/TABULAR).
_EXPLAIN_OPTIONS_PATTERN = re.compile(
    r"\s*(?:(?:VERBOSE|EXTENDED|CODEGEN|COST|FORMATTED|USING\s+(?:TEXT|JSON|TABULAR))\s+)*", re.IGNORECASE
)
_TOKEN = object()
# Delta's DESCRIBE DETAIL <table> (Databricks), which sqlglot does not parse: checked as a table name alone.
_DESCRIBE_DETAIL = re.compile(r"\s*DESC(?:RIBE)?\s+DETAIL\s+(.+?)\s*", re.IGNORECASE | re.DOTALL)


class NotReadOnly(ValueError):
    """The text is not exactly one statement that only reads."""


class ReadAmbiguously(NotReadOnly):
    """The warehouse may read the text differently from sqlglot (:mod:`wsync_lint.live.lexing`)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset
        """Where in the text the readings part."""


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
    _checked(sql, dialect)
    return ReadOnlyQuery(sql, dialect, _TOKEN)


def _checked(sql: str, dialect: str) -> object:
    """The one statement ``sql`` holds (sqlglot's tree), when it only reads."""
    import logging

    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        check_lexing(sql, dialect)
    except Disagreement as error:
        raise ReadAmbiguously(str(error), error.offset) from None
    if dialect == "databricks" and (detail := _DESCRIBE_DETAIL.fullmatch(sql)):
        return _detailed_table(detail.group(1), dialect)
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
        command = str(statement.this).upper()
        if command not in _READING_COMMANDS:
            raise NotReadOnly(f"not a read-only statement: {command}")
        if command == "EXPLAIN" and not isinstance(_checked(_explained(statement.expression.name), dialect), exp.Query):
            raise NotReadOnly("EXPLAIN of something that is not a query")
    elif not isinstance(statement, exp.Query | exp.Describe | exp.Show):
        raise NotReadOnly(f"not a read-only statement: {type(statement).__name__}")
    else:
        writes = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)
        # `SELECT ... INTO t` creates a table (Redshift, PostgreSQL); a CTE may hold DML in some dialects.
        if any(isinstance(node, writes) for node in statement.walk()) or statement.find(exp.Into):
            raise NotReadOnly("the query writes (a data-changing clause inside it)")
        if statement.find(exp.Lock):
            raise NotReadOnly("the query locks the rows it reads (FOR UPDATE / FOR SHARE)")
    return statement


def _detailed_table(name: str, dialect: str) -> object:
    """The table ``DESCRIBE DETAIL`` names, when the rest of the statement is exactly one table name.

    >>> read_only("DESCRIBE DETAIL analytics.mp.`people`", "databricks").sql
    'DESCRIBE DETAIL analytics.mp.`people`'
    >>> read_only("DESCRIBE DETAIL a; DROP TABLE b", "databricks")
    Traceback (most recent call last):
    ...
    wsync_lint.live.statements.NotReadOnly: DESCRIBE DETAIL of something that is not a table name
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        table = sqlglot.parse_one(name, into=exp.Table, read=dialect)
    except SqlglotError:
        raise NotReadOnly("DESCRIBE DETAIL of something that is not a table name") from None
    if not all(isinstance(node, exp.Table | exp.Identifier | exp.Dot) for node in table.walk()):
        raise NotReadOnly("DESCRIBE DETAIL of something that is not a table name")
    return table


def _explained(rest: str) -> str:
    """What ``EXPLAIN`` explains, past the options that only describe the plan; refused when an
    option may run it (``ANALYZE``, or PostgreSQL's parenthesised list, which can hold ``ANALYZE``)."""
    options = _EXPLAIN_OPTIONS_PATTERN.match(rest)
    explained = rest[options.end() :] if options else rest
    if re.match(r"(ANALY[SZ]E\b|\()", explained, re.IGNORECASE):
        raise NotReadOnly("EXPLAIN ANALYZE (or EXPLAIN with options) runs the statement: only a plain EXPLAIN is sent")
    return explained


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

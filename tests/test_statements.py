"""read_only(): the statement-shape gate every connector calls, with the warehouse's own lexing
rules for the red-team report's tricks (F5, row 16 and the static matrix). No server."""

from __future__ import annotations

import pytest

from wsync_lint.live.lexing import conventions, read
from wsync_lint.live.statements import NotReadOnly, ReadAmbiguously, read_only

F5_MODEL = (
    "SELECT '\\' AS a) AS x; DELETE FROM public.t; SELECT * FROM (SELECT 1 AS customer_id, now() AS updated_at --'\n"
    ", 1 AS z"
)
F5_PROBE = f"SELECT * FROM (\n{F5_MODEL}\n) AS wsync_lint_probe LIMIT 0"


@pytest.mark.parametrize(
    ("sql", "dialect", "error", "message", "offset"),
    [
        # F5: sqlglot (Redshift) reads one string, PostgreSQL with standard_conforming_strings three statements.
        (F5_MODEL, "redshift", ReadAmbiguously,
         "3 statements when read as PostgreSQL with standard_conforming_strings: only one is ever sent", 7),
        (F5_PROBE, "redshift", ReadAmbiguously,
         "3 statements when read as PostgreSQL with standard_conforming_strings: only one is ever sent", 23),
        # The same trick hiding a call rather than a statement: one statement either way, but different ones.
        ("SELECT '\\', pg_sleep(10) --'", "redshift", ReadAmbiguously,
         "read differently as sqlglot's redshift and as PostgreSQL with standard_conforming_strings "
         "(a backslash before a quote, a nested comment or a dollar quote)", 7),
        # Databricks raw strings take the backslash literally: sqlglot's escaping reading sees two statements.
        ("SELECT r'\\' AS a, '; DELETE FROM t; --' AS b", "databricks", ReadAmbiguously,
         "2 statements when read as sqlglot's databricks: only one is ever sent", 8),
        # Nested block comments: Redshift's nesting is undocumented, so both readings must agree.
        ("SELECT 1 AS a /* /* */ ; DELETE FROM t; /* */ */", "redshift", ReadAmbiguously,
         "3 statements when read as Redshift: only one is ever sent", 14),
        # Look-alike semicolons outside strings: fullwidth, Greek question mark, small semicolon.
        ("SELECT 1 AS a \uff1b DELETE FROM t", "snowflake", ReadAmbiguously,
         "a look-alike semicolon U+FF1B outside strings and comments", 14),
        ("SELECT 1 AS a \u037e DELETE FROM t", "redshift", ReadAmbiguously,
         "a look-alike semicolon U+037E outside strings and comments", 14),
        ("SELECT 1 AS a \ufe54 DELETE FROM t", "bigquery", ReadAmbiguously,
         "a look-alike semicolon U+FE54 outside strings and comments", 14),
        # Statements every reading sees alike are counted by the parser.
        ("SELECT 1 AS a; DELETE FROM t", "redshift", NotReadOnly, "2 statements: only one is ever sent", None),
        ("SELECT 1 AS a // ; DELETE FROM t\n; DELETE FROM t", "snowflake", NotReadOnly,
         "2 statements: only one is ever sent", None),
        # Row 16: EXPLAIN ANALYZE executes the statement in PostgreSQL.
        ("EXPLAIN ANALYZE DELETE FROM public.t", "redshift", NotReadOnly,
         "EXPLAIN ANALYZE (or EXPLAIN with options) runs the statement: only a plain EXPLAIN is sent", None),
        ("explain analyse select 1", "redshift", NotReadOnly,
         "EXPLAIN ANALYZE (or EXPLAIN with options) runs the statement: only a plain EXPLAIN is sent", None),
        ("EXPLAIN (ANALYZE, BUFFERS) SELECT 1", "redshift", NotReadOnly,
         "EXPLAIN ANALYZE (or EXPLAIN with options) runs the statement: only a plain EXPLAIN is sent", None),
        ("EXPLAIN VERBOSE DELETE FROM t", "redshift", NotReadOnly, "not a read-only statement: Delete", None),
        ("EXPLAIN SHOW TABLES", "snowflake", NotReadOnly, "EXPLAIN of something that is not a query", None),
        # Row locks and writes.
        ("SELECT a FROM public.t FOR UPDATE", "redshift", NotReadOnly,
         "the query locks the rows it reads (FOR UPDATE / FOR SHARE)", None),
        ("SELECT a INTO t2 FROM t", "redshift", NotReadOnly, "the query writes (a data-changing clause inside it)", None),
    ],
)  # fmt: skip
def test_refused_with_the_reason(sql, dialect, error, message, offset):
    with pytest.raises(error) as raised:
        read_only(sql, dialect)
    assert type(raised.value) is error
    assert str(raised.value) == message
    if offset is not None:
        assert raised.value.offset == offset


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        # Every reading sees one dollar-quoted string (the report's matrix: accepted, no effect).
        ("SELECT $q$;DELETE FROM public.t;$q$ AS note, 1 AS customer_id", "redshift"),
        ("SELECT $$a;b$$ AS note", "snowflake"),
        # Doubled quotes, E'' strings (backslash escapes whatever the setting), even backslashes.
        ("SELECT 'it''s' AS a, E'\\'' AS b, \"x\"\"y\" AS c, 'a\\\\' AS d FROM t", "redshift"),
        ("SELECT '''a'b''' AS a, \"x\\\"y\" AS b FROM `p.d.t` # ; comment\n", "bigquery"),
        ("SELECT 'a;b' AS x, \"c;d\" FROM t -- ;\n/* ; */", "snowflake"),
        ("SELECT 1 AS a /* /* nested */ still a comment ; */", "databricks"),
        ("EXPLAIN SELECT 1", "redshift"),
        ("EXPLAIN VERBOSE SELECT 1 -- x\n, 2", "redshift"),
        ("EXPLAIN USING TEXT SELECT 1", "snowflake"),
        ("SELECT nextval('s')", "redshift"),  # a function's effects are the model gate's question, not read_only's
        ("SELECT '\uff1b' AS in_a_string", "redshift"),
    ],
)
def test_accepted(sql, dialect):
    assert read_only(sql, dialect).sql == sql


@pytest.mark.parametrize(
    ("dialect", "names"),
    [
        ("redshift", ["sqlglot's redshift", "Redshift", "Redshift, nested comments",
                      "PostgreSQL with standard_conforming_strings",
                      "PostgreSQL with standard_conforming_strings, nested comments"]),
        ("snowflake", ["sqlglot's snowflake", "Snowflake"]),
        ("bigquery", ["sqlglot's bigquery", "BigQuery"]),
        ("databricks", ["sqlglot's databricks", "Databricks", "Databricks raw strings"]),
    ],
)  # fmt: skip
def test_each_warehouse_is_read_by_sqlglot_and_its_own_rules(dialect, names):
    assert [convention.name for convention in conventions(dialect)] == names


def test_a_reading_lists_strings_comments_and_separators():
    text = "SELECT 'a;' AS x -- c\n; SELECT 2"
    reading = read(text, conventions("redshift")[0])
    assert reading.hidden == ((7, 11), (17, 21))
    assert reading.separators == (22,)
    assert reading.statements == 2

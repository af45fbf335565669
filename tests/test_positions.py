"""Offsets to 1-based positions, node spans, and the file reading that positions depend on."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from wsync_lint import lint_string
from wsync_lint.sql.positions import LineIndex, Span, node_span
from wsync_lint.sql.reading import decode_source


def test_line_index_positions():
    index = LineIndex("ab\ncd\n\nef")
    assert [index.position(o) for o in (0, 1, 2, 3, 6, 7, 9, 99)] == [
        (1, 1), (1, 2), (1, 3), (2, 1), (3, 1), (4, 1), (4, 3), (4, 3),
    ]  # fmt: skip
    assert index.offset(2, 2) == 4
    assert index.line_count == 4


def test_crlf_columns_count_characters_before_the_carriage_return():
    index = LineIndex("SELECT a\r\nFROM t\r\n")
    assert index.position(10) == (2, 1)
    assert index.position(15) == (2, 6)


def test_columns_count_characters_not_bytes():
    index = LineIndex("SELECT 'é', x")
    assert index.position(12) == (1, 13)


def test_node_span_covers_positioned_descendants():
    sql = "SELECT COUNT(t.id) AS n FROM db.s.t"
    select = sqlglot.parse_one(sql, read="snowflake")
    count = select.find(exp.Count)
    assert node_span(count) == Span(7, 17)  # punctuation carries no position in sqlglot
    assert sql[7:17] == "COUNT(t.id"
    assert node_span(select.find(exp.Table)) == Span(29, 35)


def test_unpositioned_node_has_no_span():
    assert node_span(exp.Star()) is None


def test_bom_is_ignored_for_positions():
    text = decode_source(b"\xef\xbb\xbfSELECT 1 FROM t WHERE\n")
    assert text == "SELECT 1 FROM t WHERE\n"
    [violation] = lint_string(b"\xef\xbb\xbfSELECT 1 FROM t WHERE\n", select=["PS01"])
    assert (violation.line, violation.column, violation.end_line, violation.end_column) == (1, 17, 1, 22)


def test_crlf_file_positions():
    [violation] = lint_string("SELECT a\r\nFROM t\r\nWHERE\r\n", select=["PS01"])
    assert (violation.line, violation.column) == (3, 1)


def test_non_utf8_points_at_the_bad_byte():
    [violation] = lint_string(b"SELECT a,\n  b\xe9 FROM t\n", select=["PS02"])
    assert (violation.code, violation.line, violation.column) == ("PS02", 2, 4)
    assert violation.message == "the file is not UTF-8: byte 0xe9 at byte offset 13 cannot be decoded"


def test_locator_closes_the_parentheses_a_node_opened():
    from wsync_lint.contract.sql_context import SqlContext
    from wsync_lint.engine.model_check import Locator
    from wsync_lint.mparticle.warehouses import SNOWFLAKE
    from wsync_lint.sql.file_settings import FileSettings
    from wsync_lint.sql.lexicon import scan

    sql = "SELECT COALESCE(MAX(t.id), 0) + 1 AS n FROM db.s.t"
    select = sqlglot.parse_one(sql, read="snowflake")
    context = SqlContext("m.sql", sql, SNOWFLAKE, FileSettings("snowflake"), scan(sql, "snowflake"), [select])
    locator = Locator(context)
    span = locator.span_of(select.find(exp.Coalesce))
    assert sql[span.start : span.end] == "COALESCE(MAX(t.id), 0)"
    span = locator.span_of(select.find(exp.Max))
    assert sql[span.start : span.end] == "MAX(t.id)"


def test_unpositioned_nodes_point_at_their_statement_not_at_another_item():
    from wsync_lint import lint_string

    sql = "SELECT 1 AS x;\nSELECT current_date;\nSELECT a, sysdate FROM t;\n"
    found = [(v.line, v.column) for v in lint_string(sql, dialect="redshift", select=["CO01"])]
    assert found == [(2, 8), (3, 11)]

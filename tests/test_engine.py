"""The engine: rules by what they need, sorting, and files that do not parse."""

from __future__ import annotations

from wsync_lint import lint_string


def test_token_rules_still_run_when_the_file_does_not_parse():
    sql = "SELECT `customer_id`, cid AS \u201cemail\u201d\nFROM mp.crm.customers WHERE\n;\n"
    found = [(v.code, v.line, v.column) for v in lint_string(sql, dialect="snowflake")]
    # The backticks are one reason it does not parse: ST05 says so, and PS01 does not repeat it;
    # PS01 reports the other one, the WHERE with no condition.
    assert found == [
        ("ST05", 1, 8),
        ("PS04", 1, 30),
        ("PS01", 2, 23),
        ("ST03", 3, 1),
    ]


def test_tree_rules_are_silent_when_the_file_does_not_parse():
    sql = "SELECT u.email, COUNT(t.id) FROM mp.s.tickets t WHERE\n"
    assert {v.code for v in lint_string(sql)} == {"PS01"}


def test_findings_are_sorted_by_line_column_and_code():
    sql = "SELECT user_id, propensity FROM customers;\n"
    found = [(v.line, v.column, v.code) for v in lint_string(sql, pipeline_type="user_attributes")]
    assert found == sorted(found)
    assert found == [(1, 8, "CO04"), (1, 8, "ID01"), (1, 8, "ID02"), (1, 17, "CO04"), (1, 33, "RF01"), (1, 42, "ST03")]


def test_statements_of_a_script_each_get_their_positions():
    sql = "SELECT 1 AS a;\nDELETE FROM db.s.t;\nSELECT b FROM db.s.u;\n"
    found = [(v.code, v.line, v.column) for v in lint_string(sql, select=["ST01", "ST02"])]
    assert found == [("ST01", 2, 1), ("ST02", 2, 1), ("ST02", 3, 1)]

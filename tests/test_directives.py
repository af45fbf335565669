"""Directive comments: per-file settings, line and file suppressions, WL01 and WL02."""

from __future__ import annotations

import pytest

from wsync_lint import lint_string
from wsync_lint.errors import UsageError

BROKEN_LINE_3 = "SELECT customer_id\nFROM mp.crm.customers\nWHERE{comment}\n"


def found(sql: str, select=("PS01", "WL"), **kwargs) -> list[tuple[int, int, str]]:
    return [(v.line, v.column, v.code) for v in lint_string(sql, select=list(select), **kwargs)]


def test_suppression_at_the_end_of_the_offending_line():
    sql = BROKEN_LINE_3.format(comment="  -- wsync-lint: ignore PS01")
    assert found(sql) == []


def test_suppression_alone_on_the_line_above():
    sql = "SELECT customer_id\nFROM mp.crm.customers\n-- wsync-lint: ignore parse-error\nWHERE\n"
    assert found(sql) == []


def test_suppression_above_skips_blank_lines():
    sql = "SELECT customer_id\nFROM mp.crm.customers\n-- wsync-lint: ignore PS01\n\nWHERE\n"
    assert found(sql) == []


def test_suppression_on_another_line_does_not_apply_and_is_unused():
    sql = "SELECT customer_id -- wsync-lint: ignore PS01\nFROM mp.crm.customers\nWHERE\n"
    assert found(sql) == [(1, 42, "WL01"), (3, 1, "PS01")]


def test_ignore_file_with_and_without_codes():
    assert found("-- wsync-lint: ignore-file PS01\n" + BROKEN_LINE_3.format(comment="")) == []
    assert found("/* wsync-lint: ignore-file */\n" + BROKEN_LINE_3.format(comment="")) == []
    assert found("-- wsync-lint: ignore-file\nSELECT 1\n") == [(1, 1, "WL01")]


def test_unknown_code_is_wl02_and_known_code_still_suppresses():
    sql = BROKEN_LINE_3.format(comment=" -- wsync-lint: ignore XX12, PS01")
    assert found(sql) == [(3, 29, "WL02")]


def test_ignore_without_codes_is_wl02():
    sql = BROKEN_LINE_3.format(comment=" -- wsync-lint: ignore")
    assert found(sql) == [(3, 1, "PS01"), (3, 7, "WL02")]


def test_wl_rules_can_be_deselected():
    sql = "SELECT 1 -- wsync-lint: ignore PS01, XX12\n"
    assert found(sql, select=("PS01",)) == []
    assert found(sql, select=("PS01", "WL02")) == [(1, 38, "WL02")]


def test_settings_directive_sets_the_dialect():
    sql = "-- wsync-lint: dialect=bigquery pipeline_type=user_attributes\nSELECT `customer_id` FROM `p.d.t`\n"
    from wsync_lint.engine.model_check import FilePlan, check_source
    from wsync_lint.sql.file_settings import FileSettings

    codes = frozenset({"PS01", "ST05"})
    assert check_source(sql, "m.sql", FilePlan(codes)) == []
    # In Snowflake each backtick-quoted name is one mistake, ST05's: PS01 does not repeat it.
    assert [v.code for v in check_source(sql, "m.sql", FilePlan(codes, forced_dialect="snowflake"))] == ["ST05"] * 2
    assert FileSettings("bigquery").pipeline_type is None


def test_settings_directive_reaches_the_rules():
    from wsync_lint.engine.directives import read_directives
    from wsync_lint.sql.lexicon import scan
    from wsync_lint.sql.positions import LineIndex

    sql = "-- wsync-lint: dialect=redshift pipeline_type=events iterator_field=updated_at iterator_data_type=timestamptz\nSELECT 1\n"
    directives = read_directives(sql, scan(sql, "snowflake"), LineIndex(sql), "m.sql")
    assert directives.settings == {
        "dialect": "redshift",
        "pipeline_type": "events",
        "iterator_field": "updated_at",
        "iterator_data_type": "timestamptz",
    }


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("-- wsync-lint: dialect=oracle\nSELECT 1\n", "m.sql:1:1: unknown dialect 'oracle'"),
        ("-- wsync-lint: colour=blue\nSELECT 1\n", "m.sql:1:1: unknown key 'colour' in the wsync-lint comment"),
        (
            "-- wsync-lint: dialect\nSELECT 1\n",
            "m.sql:1:1: expected key=value in the wsync-lint comment, got 'dialect'",
        ),
        (
            "SELECT 1\n-- wsync-lint: dialect=bigquery\n",
            "m.sql:2:1: a wsync-lint settings comment must come before the query",
        ),
        (
            "-- wsync-lint: iterator_data_type=datetime_tz\nSELECT 1\n",
            "m.sql:1:1: unknown iterator_data_type 'datetime_tz'",
        ),
    ],
)
def test_invalid_settings_directive_is_a_usage_error(sql, message):
    with pytest.raises(UsageError) as raised:
        lint_string(sql, path="m.sql")
    assert str(raised.value).startswith(message)


def test_invalid_directive_through_the_cli_is_exit_2(tmp_path, run_cli):
    (tmp_path / "m.sql").write_text("-- wsync-lint: dialect=oracle\nSELECT 1\n")
    result = run_cli("check", "m.sql", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("wsync-lint: error: m.sql:1:1: unknown dialect 'oracle'")

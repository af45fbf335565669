"""Directive comments: per-file settings, line and file suppressions, WL01 and WL02."""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import write
from wsync_lint import lint_string

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
    directives = read_directives(sql, scan(sql, "snowflake"), LineIndex(sql))
    assert directives.settings == {
        "dialect": "redshift",
        "pipeline_type": "events",
        "iterator_field": "updated_at",
        "iterator_data_type": "timestamptz",
    }


def _wl02(sql: str) -> list[tuple[int, int, int, int, str, str | None]]:
    """Each WL02 finding of ``sql``: start, end, message and hint."""
    found = lint_string(sql, path="m.sql", select=["WL02"])
    return [(v.line, v.column, v.end_line, v.end_column, v.message, v.hint) for v in found]


VALUES = "(expected one of: snowflake, bigquery, redshift, databricks)"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "-- wsync-lint: dialect=oracle\nSELECT 1\n",
            [(1, 16, 1, 30, f"unknown dialect 'oracle' {VALUES}, so the file is checked without it",
              "write one of the values listed, or remove the setting")],
        ),
        (
            "-- wsync-lint: dialect=snowflak pipeline_type=events\nSELECT 1\n",
            [(1, 16, 1, 32, f"unknown dialect 'snowflak' {VALUES}, so the file is checked without it",
              "did you mean `dialect=snowflake`?")],
        ),
        (
            "-- wsync-lint: colour=blue\nSELECT 1\n",
            [(1, 16, 1, 27, "unknown key 'colour' in the wsync-lint comment (known: dialect, pipeline_type, "
              "iterator_field, iterator_data_type, schema, ignore, ignore-file), so it is not applied", "remove it")],
        ),
        (
            "-- wsync-lint: dialekt=bigquery\nSELECT 1\n",
            [(1, 16, 1, 32, "unknown key 'dialekt' in the wsync-lint comment (known: dialect, pipeline_type, "
              "iterator_field, iterator_data_type, schema, ignore, ignore-file), so it is not applied",
              "did you mean `dialect=bigquery`?")],
        ),
        (
            "-- wsync-lint: dialect\nSELECT 1\n",
            [(1, 16, 1, 23, "expected key=value in the wsync-lint comment, got 'dialect'", "write `dialect=<value>`")],
        ),
        (
            "SELECT 1\n-- wsync-lint: dialect=bigquery iterator_field=ts\n",
            [(2, 16, 2, 50, "a wsync-lint settings comment must come before the query, so its settings are not applied",
              "move the comment above the first line of SQL")],
        ),
        (
            "/* wsync-lint: iterator_data_type=datetime_tz */\nSELECT 1\n",
            [(1, 16, 1, 46, "unknown iterator_data_type 'datetime_tz' (expected one of: date, datetime, timestamp, "
              "timestamp_ltz, timestamp_ntz, timestamp_tz, timestamp_unixtime_ms, timestamp_unixtime_s, timestamptz), "
              "so the file is checked without it", "did you mean `iterator_data_type=datetime`?")],
        ),
        (
            "-- wsync-lint: schema=snapshot.yaml iterator_field=\nSELECT 1\n",
            [
                (1, 16, 1, 36, "schema must name a schema snapshot file (.json), so the file is checked without it",
                 "correct the value, or remove the setting"),
                (1, 37, 1, 52, "iterator_field must be a column name, so the file is checked without it",
                 "correct the value, or remove the setting"),
            ],
        ),
        (
            "SELECT 1 -- wsync-lint: ignore_file\n",
            [(1, 25, 1, 36, "unknown wsync-lint directive 'ignore_file'", "did you mean `ignore-file`?")],
        ),
        (
            "-- wsync-lint:\nSELECT 1\n",
            [(1, 1, 1, 15, "this wsync-lint comment says nothing",
              "write settings (`dialect=bigquery`) or a suppression (`ignore ST03`), or remove the comment")],
        ),
    ],
)  # fmt: skip
def test_a_setting_that_cannot_be_applied_is_wl02_at_its_key_value(sql, expected):
    assert _wl02(sql) == expected


def test_the_file_is_checked_as_if_the_bad_setting_were_absent():
    from wsync_lint.engine.model_check import FilePlan, check_source
    from wsync_lint.sql.file_settings import FileSettings

    sql = "-- wsync-lint: dialect=bigqery pipeline_type=events\nSELECT `customer_id` FROM `p.d.t`\n"
    directives = read_directives_of(sql)
    assert directives.settings == {"pipeline_type": "events"}
    # Without its dialect the file is the configuration's Redshift SQL, where backticks are ST05's.
    plan = FilePlan(frozenset({"WL02", "ST05"}), settings=FileSettings("redshift"))
    assert [(v.line, v.column, v.code) for v in check_source(sql, "m.sql", plan)] == [
        (1, 16, "WL02"),
        (2, 8, "ST05"),
        (2, 27, "ST05"),
    ]
    # Deselecting WL02 leaves the setting out all the same, without a word.
    assert [v.code for v in check_source(sql, "m.sql", FilePlan(frozenset({"ST05"}), FileSettings("redshift")))] == [
        "ST05"
    ] * 2


def read_directives_of(sql: str):
    from wsync_lint.engine.directives import read_directives
    from wsync_lint.sql.lexicon import scan
    from wsync_lint.sql.positions import LineIndex

    return read_directives(sql, scan(sql, "snowflake"), LineIndex(sql))


def test_a_bad_directive_does_not_stop_the_run(tmp_path, run_cli):
    """One model's bad comment is a finding in that model; every other file is still checked,
    and the exit code is the findings' (1), not a usage error's (2)."""
    write(tmp_path, "a.sql", '-- wsync-lint: dialect=snowflak pipeline_type=events\nSELECT a AS "b" FROM db.s.t\n')
    write(tmp_path, "b.sql", "SELECT x FROM\n")
    expected = [
        ("a.sql", 1, 16, 1, 32, "WL02"),
        ("b.sql", 1, 10, 1, 14, "PS01"),
    ]
    for args in (["check", "--format", "json"], ["check", "--format", "json", "a.sql", "b.sql"]):
        result = run_cli(*args, cwd=tmp_path)
        assert result.code == 1
        found = json.loads(result.out)["findings"]
        assert [
            (f["path"], f["line"], f["column"], f["end_line"], f["end_column"], f["code"]) for f in found
        ] == expected
    one = run_cli("check", "--format", "json", "a.sql", cwd=tmp_path)
    assert [(f["line"], f["column"], f["code"]) for f in json.loads(one.out)["findings"]] == [(1, 16, "WL02")]


def test_a_bad_directive_read_from_standard_input_is_the_same_finding(tmp_path, run_cli, monkeypatch):
    text = '-- wsync-lint: dialect=snowflak pipeline_type=events\nSELECT a AS "b" FROM db.s.t\n'
    for args, path in ((["--stdin-filename", "a.sql"], "a.sql"), ([], "-")):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        result = run_cli("check", "--format", "json", *args, "-", cwd=tmp_path)
        assert result.code == 1
        found = json.loads(result.out)["findings"]
        assert [(f["path"], f["line"], f["column"], f["end_column"], f["code"]) for f in found] == [
            (path, 1, 16, 32, "WL02")
        ]


def test_schema_directive_outside_the_project_is_wl02_and_not_read(tmp_path, run_cli):
    write(tmp_path, "outside.json", '{"dialect": "snowflake", "tables": {}}')
    project = tmp_path / "project"
    write(project, "wsync-lint.toml", 'root = true\nselect = ["WL02", "RF05"]\n')
    write(project, "m.sql", "-- wsync-lint: schema=../outside.json\nSELECT customer_id FROM mp.crm.customers\n")
    result = run_cli("check", "-q", "--format", "json", cwd=project)
    assert result.code == 1
    [finding] = json.loads(result.out)["findings"]
    assert (finding["line"], finding["column"], finding["end_column"], finding["code"]) == (1, 16, 38, "WL02")
    assert finding["message"] == (
        f"schema=../outside.json: the snapshot lies outside the project ({project.resolve()}), so it is not read"
    )

"""Code frames under the findings of the text format: the source line, escaped, with carets under the span."""

from __future__ import annotations

import click

from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.run_result import RunResult
from wsync_lint.report import REPORTERS
from wsync_lint.report.frames import MAX_WIDTH, frame_lines
from wsync_lint.report.text import render_text


def _at(line: int, column: int, end_line: int, end_column: int, severity: Severity = Severity.ERROR) -> Violation:
    return Violation("m.sql", line, column, "RF03", end_line, end_column, "x", severity, "message", None)


def _frame(text: str | None, line: int, column: int, end_line: int, end_column: int) -> list[str]:
    return frame_lines(_at(line, column, end_line, end_column), text, lambda text, **_: text)


def test_the_line_and_a_caret_under_each_character_of_the_span():
    assert _frame("SELECT\n    u.email,\n", 2, 5, 2, 12) == [
        "   2 |     u.email,",
        "     |     ^^^^^^^",
    ]


def test_the_gutter_widens_for_long_files():
    text = "\n" * 12344 + "SELECT a"
    assert _frame(text, 12345, 8, 12345, 9) == ["12345 | SELECT a", "      |        ^"]


def test_control_characters_are_escaped_and_the_carets_follow_the_escaped_text():
    assert _frame("SELECT '\x1b[2J' AS x\n", 1, 17, 1, 18) == [
        "   1 | SELECT '\\x1b[2J' AS x",
        "     |                    ^",
    ]
    assert _frame("a\u202eb AS c", 1, 1, 1, 4) == ["   1 | a\\u202eb AS c", "     | ^^^^^^^^"]


def test_tabs_are_expanded_to_the_next_multiple_of_four():
    assert _frame("\tSELECT\tx", 1, 9, 1, 10) == ["   1 |     SELECT  x", "     |             ^"]


def test_wide_characters_count_two_columns():
    assert _frame("SELECT '日本' AS 名前", 1, 16, 1, 18) == [
        "   1 | SELECT '日本' AS 名前",
        "     |                  ^^^^",  # 17 columns before it: 7 + 1 + 2 * 2 + 1 + 4
    ]


def test_a_long_line_is_trimmed_around_the_span():
    text = "x" * 300 + " bad " + "y" * 300
    lines = _frame(text, 1, 302, 1, 305)
    shown = lines[0].removeprefix("   1 | ")
    assert shown.startswith("…x") and shown.endswith("y…")
    assert len(shown) == MAX_WIDTH
    assert "bad" in shown
    caret = lines[1].removeprefix("     | ")
    assert shown[caret.index("^") : caret.index("^") + 3] == "bad" and caret.count("^") == 3


def test_a_span_near_the_end_of_a_long_line_shows_the_end_of_the_line():
    lines = _frame("x" * 300 + ";", 1, 301, 1, 302)
    assert lines == ["   1 | …" + "x" * 98 + ";", "     | " + " " * 99 + "^"]


def test_a_span_over_several_lines_is_underlined_to_the_end_of_its_first_line():
    assert _frame("SELECT CASE\n  WHEN a THEN 1\nEND", 1, 8, 3, 4) == ["   1 | SELECT CASE", "     |        ^^^^"]


def test_an_empty_span_gets_one_caret_and_windows_line_ends_are_not_shown():
    assert _frame("SELECT a;\r\nFROM t\r\n", 1, 10, 1, 10) == ["   1 | SELECT a;", "     |          ^"]


def test_no_frame_without_the_text_or_without_a_real_position():
    assert _frame(None, 2, 5, 2, 12) == []  # the file could not be read
    assert _frame("SELECT 1", 1, 1, 1, 1) == []  # a whole-file finding
    assert _frame("SELECT 1", 4, 1, 4, 3) == []  # a line the text does not have


def test_the_text_format_draws_the_frame_between_the_finding_and_its_hint_in_colour_too():
    v = Violation("m.sql", 1, 8, "ST03", 1, 9, "trailing-semicolon", Severity.WARNING, "ends with `;`", "remove it")
    result = RunResult(violations=[v], paths=["m.sql"], sources={"m.sql": "SELECT 1;\n"})
    plain = render_text(result, quiet=True)
    assert plain.splitlines() == [
        "m.sql:1:8: ST03 [warning] ends with `;`",
        "   1 | SELECT 1;",
        "     |        ^",
        "    hint: remove it",
    ]
    coloured = render_text(result, quiet=True, color=True)
    assert coloured != plain and click.unstyle(coloured) == plain
    assert "\x1b[33m" in coloured.splitlines()[2]  # the carets in the warning's colour
    assert REPORTERS["concise"](result, True) == "m.sql:1:8: ST03 [warning] ends with `;`\n"


def test_a_frame_never_quotes_a_secret(tmp_path, run_cli):
    """A connection written on one line: the frame of any finding on it masks the credentials,
    also under a misspelt key and a private key under any key."""
    from tests.conftest import write

    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        "connections/c.json",
        '{"id": "c", "service_provider": "snowflake", "config": {"password": "Hunter2-zq8X", '
        '"passwrd": "Hunter3-zq8X", "note": "-----BEGIN PRIVATE KEY-----\\nQWERTYzq8X\\n-----END PRIVATE KEY-----"}}',
    )
    result = run_cli("check", "--select", "CN01,CN02", "-q", ".", cwd=tmp_path)
    assert result.code == 1
    assert "zq8X" not in result.out + result.err
    frames = [line for line in result.out.splitlines() if line.startswith("   1 | ")]
    # Each value (its quotes included) is masked character for character: positions stay true.
    assert len(frames) == 13  # the misspelt `passwrd` is a CN02 finding of its own
    assert any('"config": {"password": **************, "passwrd": **************, "note": ***' in f for f in frames)

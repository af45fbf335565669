"""Rule selection as a decision table: the longest matching selector wins, ties go to ignore."""

from __future__ import annotations

import pytest

from wsync_lint.engine.registry import all_rules, find_rule, selected_codes, validate_selectors
from wsync_lint.errors import UsageError

ALL_DEFAULT = frozenset(rule.code for rule in all_rules() if rule.default_enabled)


@pytest.mark.parametrize(
    ("select", "extend", "ignore", "expected"),
    [
        (None, [], [], ALL_DEFAULT),
        (["ALL"], [], [], ALL_DEFAULT),
        (["PS"], [], [], {"PS01", "PS02", "PS03", "PS04", "PS05", "PS06"}),
        (["PS"], [], ["PS0"], set()),
        (["PS01"], [], ["PS"], {"PS01"}),
        (["PS"], [], ["PS01"], {"PS02", "PS03", "PS04", "PS05", "PS06"}),
        (["PS01"], ["WL"], [], {"PS01", "WL01", "WL02"}),
        (["parse-error"], [], [], {"PS01"}),
        (["PS"], [], ["parse-error"], {"PS02", "PS03", "PS04", "PS05", "PS06"}),
        (["PS01"], [], ["PS01"], set()),
        (None, [], ["ALL"], set()),
        (None, [], ["ST", "RF", "CO", "ID", "WL", "PS0", "PL", "CN", "SY", "TY", "LV"], set()),
        (["LV"], [], ["LV04"], {"LV01", "LV02", "LV03", "LV05", "LV06", "LV07", "LV08", "LV09"}),
    ],
)
def test_decision_table(select, extend, ignore, expected):
    assert selected_codes(select, extend, ignore) == frozenset(expected)


def test_lookup_is_case_insensitive_by_code_and_name():
    assert find_rule("ps01") is find_rule("Parse-Error") is find_rule("PS01")
    assert find_rule("nothing") is None


def test_unknown_selector_raises():
    with pytest.raises(UsageError, match="--ignore: unknown rule code or name 'ZZ'"):
        validate_selectors(["PS", "ZZ"], "--ignore")


@pytest.mark.parametrize(
    "given",
    ["RF01,ST03", " RF01 , ST03 ", "RF01,,ST03,", "ST", "", " , "],
)
def test_a_configured_list_reads_a_string_as_the_command_line_does(given):
    """`ignore = "RF01,ST03"` == `--ignore RF01,ST03`: commas split, spaces and empty items drop."""
    from wsync_lint.cli.options import selectors
    from wsync_lint.engine.config_values import string_list

    assert string_list(given, "ignore") == selectors((given,))
    assert string_list([given, "CO04"], "ignore") == selectors((given, "CO04"))


def test_configured_selectors_are_those_the_command_line_selects():
    from wsync_lint.engine.config_values import string_list

    assert selected_codes(string_list("PS, ST03", "select"), (), string_list(["PS01,", " PS02"], "ignore")) == {
        "PS03",
        "PS04",
        "PS05",
        "PS06",
        "ST03",
    }

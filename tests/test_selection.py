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
        (["LV"], [], ["LV04"], {"LV01", "LV02", "LV03", "LV05", "LV06"}),
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

"""Every rule, looked up by code, name or alias, and rule selection.

Selection follows flake8's decision engine: each selector is a code prefix (``ST``, ``ST0``,
``ST03``), a rule name, or ``ALL``; for each rule the longest matching selector decides, and
on a tie ``ignore`` wins.

Selection works on the rule table (:data:`wsync_lint.rules.RULE_INDEX`); a rule's module is imported
only when the rule is asked for (:func:`find_rule`) or runs (:func:`sql_rules`, :func:`payload_rules`,
:func:`rules_needing`), so that a run imports the rules it selects and no others.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache

from wsync_lint.contract.rule import Needs, Rule
from wsync_lint.errors import UsageError
from wsync_lint.rules import RULE_INDEX, RuleEntry

_SQL_NEEDS = frozenset({Needs.SOURCE, Needs.TEXT, Needs.TREE, Needs.SUPPRESSIONS})
"""What the rules that run on a SQL file need (the others run on payloads, projects, warehouses or the API)."""


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, ordered by code (imports every rule module: for listings and docs)."""
    return tuple(entry.load() for entry in RULE_INDEX)


@cache
def _by_key() -> dict[str, RuleEntry]:
    table: dict[str, RuleEntry] = {}
    for entry in RULE_INDEX:
        for key in (entry.code, entry.name, *entry.aliases):
            table[key.upper()] = entry
    return table


def find_rule(code_or_name: str) -> Rule | None:
    """The rule with this code, name or alias (any case), if there is one."""
    entry = _by_key().get(code_or_name.strip().upper())
    return entry.load() if entry is not None else None


@cache
def sql_rules(codes: frozenset[str]) -> tuple[Rule, ...]:
    """The rules among ``codes`` that a SQL file runs, and any that needs a schema snapshot (a
    model without one lists it as not run), ordered by code."""
    return tuple(
        entry.load()
        for entry in RULE_INDEX
        if entry.code in codes and (entry.needs in _SQL_NEEDS or entry.needs_schema)
    )


@cache
def payload_rules(codes: frozenset[str]) -> tuple[Rule, ...]:
    """The rules among ``codes`` that check a payload file (``Needs.PAYLOAD``, or a SQL rule with a
    ``payload_check``), ordered by code."""
    return tuple(
        entry.load()
        for entry in RULE_INDEX
        if entry.code in codes and (entry.needs is Needs.PAYLOAD or entry.payload_check)
    )


@cache
def rules_needing(needs: Needs) -> tuple[Rule, ...]:
    """Every rule that needs ``needs`` (selected or not), ordered by code."""
    return tuple(entry.load() for entry in RULE_INDEX if entry.needs is needs)


CLOSE_ENOUGH = 0.6
"""How alike (difflib's ratio) a mistyped code or name and a rule's must be to be suggested."""


def closest_rules(code_or_name: str, most: int = 3) -> list[Rule]:
    """The rules a mistyped code or name most likely meant, best first (at most ``most``): codes,
    names and aliases alike in spelling (any case), and names that contain it (``semicolon``)."""
    wanted = code_or_name.strip().upper().replace("_", "-")
    if not wanted:
        return []
    scored = []
    for rule in RULE_INDEX:
        keys = [key.upper() for key in (rule.code, rule.name, *rule.aliases)]
        score = max(difflib.SequenceMatcher(None, wanted, key).ratio() for key in keys)
        if len(wanted) >= 3 and any(wanted in key for key in keys[1:]):
            score = max(score, 1.0)  # a part of a name is as good as the name
        if score >= CLOSE_ENOUGH:
            scored.append((-score, rule.code, rule))
    return [rule.load() for _, _, rule in sorted(scored, key=lambda entry: entry[:2])[:most]]


def _selector_weight(selector: str, rule: RuleEntry) -> int:
    """How specifically ``selector`` names ``rule`` (0: it does not)."""
    key = selector.strip().upper()
    if key == "ALL":
        return 1
    if key in (rule.name.upper(), *(alias.upper() for alias in rule.aliases)):
        return 10
    if rule.code.startswith(key):
        return 1 + len(key)
    return 0


def validate_selectors(selectors: Iterable[str], where: str) -> None:
    """Raise :class:`UsageError` naming the first selector that matches no rule."""
    for selector in selectors:
        if not any(_selector_weight(selector, rule) for rule in RULE_INDEX):
            raise UsageError(f"{where}: unknown rule code or name {selector!r}")


def selected_codes(select: Iterable[str] | None, extend_select: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    """The codes that run, given the selectors. ``select=None`` means the default set.

    A rule that is off by default runs only when a selector names it more specifically
    than ``ALL`` (its code, a prefix of it, or its name).
    """
    return _selected_codes(None if select is None else tuple(select), tuple(extend_select), tuple(ignore))


@cache
def _selected_codes(
    select: tuple[str, ...] | None, extend_select: tuple[str, ...], ignore: tuple[str, ...]
) -> frozenset[str]:
    """:func:`selected_codes`, once per selection (``lint_string`` asks for every text it checks)."""
    on_selectors = [*(select or ()), *extend_select]
    chosen = set()
    for rule in RULE_INDEX:
        weights = [_selector_weight(s, rule) for s in on_selectors]
        if select is None and rule.default_enabled:
            weights.append(1)
        on_weight = max(weights, default=0)
        if not rule.default_enabled and on_weight <= 1:
            continue
        off_weight = max((_selector_weight(s, rule) for s in ignore), default=0)
        if on_weight > off_weight:
            chosen.add(rule.code)
    return frozenset(chosen)

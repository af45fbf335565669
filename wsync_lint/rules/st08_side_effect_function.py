"""(being written) side-effect-function."""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    yield from ()


RULE = Rule(
    code="ST08",
    name="side-effect-function",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

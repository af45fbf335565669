"""(being written) duplicate-id."""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    yield from ()


RULE = Rule(
    code="PS06",
    name="duplicate-id",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
    default_severity=Severity.ERROR,
)

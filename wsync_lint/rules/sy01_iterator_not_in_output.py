"""TODO SY01 iterator-not-in-output.

## What it does
TODO

## Why is this bad?
TODO

## Example
```yaml
TODO
```

## Use instead
```yaml
TODO
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.project_context import ProjectContext
from wsync_lint.rule import Finding, Needs, Rule


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    return
    yield


RULE = Rule(
    code="SY01",
    name="iterator-not-in-output",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

"""TODO PL05 invalid-timestamp.

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

from wsync_lint.project_context import PayloadContext
from wsync_lint.rule import Finding, Needs, Rule


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    return
    yield


RULE = Rule(
    code="PL05",
    name="invalid-timestamp",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

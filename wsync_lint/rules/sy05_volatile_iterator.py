"""TODO SY05 volatile-iterator.

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

from wsync_lint.context import SqlContext
from wsync_lint.rule import Finding, Needs, Rule


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    return
    yield


RULE = Rule(
    code="SY05",
    name="volatile-iterator",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    reads_pipeline=True,
)

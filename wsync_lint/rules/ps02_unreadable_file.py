"""A model file that is empty, binary, not UTF-8, or over the size limit.

## What it does
Reports a `.sql` file that cannot be read as a data model: it is empty or holds only
comments, it is binary, it is not UTF-8 (the position of the first bad byte is given), or it is
larger than `max-file-size` (1 MiB by default).

## Why is this bad?
mParticle sends the query text to the warehouse as UTF-8. An empty or undecodable file cannot
become a data model, and a file the linter cannot read is a file nothing checked.

## Example
```sql
-- the query was never written
```

## Use instead
```sql
SELECT customer_id FROM mp.crm.customers
```

## Options
The size limit is the `max-file-size` key of `[tool.wsync-lint]`, in bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    problem = ctx.read_problem
    if problem is not None:
        yield Finding(problem.span, problem.message, hint=problem.hint)


RULE = Rule(code="PS02", name="unreadable-file", check=check, doc=__doc__, needs=Needs.SOURCE)

"""The warehouse rejects the data model, or one of the queries mParticle wraps it in.

## What it does
In `wsync-lint preflight`, compiles the model alone and then each query mParticle runs around it
(the row count over the sync window, the `LIMIT 0` column probe and the sync run, as
`wsync-lint render` prints them) in the connection's warehouse, without reading rows: a BigQuery
dry run, Snowflake's describe-only compile, a `LIMIT 0` probe on Redshift and Databricks. Each
statement the warehouse refuses is reported with the warehouse's own message, at the place in the
model the warehouse names when it names one, else at the model's first line. When the model alone
is refused, its wrappers are not sent (they would fail the same way).

## Why is this bad?
The warehouse is the final judge: a column dropped last week, a function the warehouse does
not have, a view the user cannot see, or a model that only breaks once wrapped (a final `;`, a
final line comment, an `ORDER BY` without `LIMIT` in a derived table on some warehouses) makes
the pipeline's first run fail and the pipeline fault.

## Example
```sql
-- dialect: redshift
SELECT customer_id, email, lifetime_valu FROM crm.customers
```

## Use instead
```sql
-- dialect: redshift
SELECT customer_id, email, lifetime_value FROM crm.customers
```

## Known limitations
Needs the warehouse (`preflight`); `check` never runs it. Local stand-ins word some errors
differently from the real warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.contract.rule import Finding, Needs, Rule

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    display = ctx.warehouse.display
    for rejection in ctx.rejections:
        what = "the data model" if rejection.of_model else f"mParticle's {rejection.statement}"
        where = "" if rejection.positioned else " (the warehouse gave no position)"
        hint = (
            "fix the model: this is the error the pipeline's first run would fault with"
            if rejection.of_model
            else "the model compiles alone but not wrapped: `wsync-lint render` prints the wrapper"
        )
        yield Finding(
            rejection.at,
            f"{display} rejects {what} for pipeline {ctx.pipeline}{where}: {rejection.message}",
            hint=hint,
        )


RULE = Rule(code="LV01", name="warehouse-rejected", check=check, doc=__doc__ or "", needs=Needs.LIVE)

"""An output name looks like an identity but is not a reserved name.

## What it does
Reports an output column named almost like a reserved user or device identity: `user_id`,
`cust_id`, `customer-id` or `Customer ID` (meant `customer_id`), `e_mail` or `email_address`
(`email`), `other_id_1` (there is no such identity: the list is `other`, then `other_id_2` to
`other_id_10`), `phone` (`mobile_number`), `idfa` (`ios_advertising_id`) ... The message names
the reserved name it most likely meant.

Not reported in `events` pipelines, where a field transformation maps identities, nor when the
select list already returns the identity the name resembles (then the column is deliberately
an attribute).

## Why is this bad?
Only the exact reserved names (compared case-insensitively) are mapped to identities. Any other
name silently becomes a custom attribute, so the rows are not resolved to profiles by it.

## Example
```sql
SELECT u.user_id, u.lifetime_value
FROM mp.crm.users u
```

## Use instead
```sql
SELECT u.user_id AS customer_id, u.lifetime_value
FROM mp.crm.users u
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.attributes import identity_candidate, named, written_name
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.facts import identity_of, intended_identity


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if ctx.settings.pipeline_type == "events":
        return
    warehouse = ctx.warehouse
    for query in ctx.queries:
        columns = list(named(ctx.outputs(query)))
        names = [identity_candidate(column, warehouse, ctx.text) or "" for column in columns]
        near = [(column, intended_identity(name)) for column, name in zip(columns, names, strict=True)]
        if not any(intended for _, intended in near):
            continue
        present = {identity_of(name) for name in names} - {None}
        for column, intended in near:
            if intended is None or identity_of(intended) in present:
                continue
            shown = written_name(column, warehouse)
            fix = (
                f"AS {intended}" if column.aliased else f"{column.expression.sql(dialect=warehouse.name)} AS {intended}"
            )
            yield Finding(
                column.name_node,
                f"`{shown}` looks like the reserved identity `{intended}` but is not one: mParticle stores it "
                "as a custom attribute and does not use it to find the profile",
                hint=f"if it is the identity, use the reserved name: `{fix}`",
            )


RULE = Rule(
    code="ID02",
    name="identity-near-miss",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

"""A user attributes model returns no reserved identity column.

## What it does
For a model used by a `user_attributes` pipeline (`pipeline_type` in the configuration or a
`-- wsync-lint: pipeline_type=user_attributes` comment), reports a select list in which no
output column is named after a reserved user or device identity: `mpid`, `customer_id` (or
`customerid`), `email`, `other`, `other_id_2` ... `other_id_10`, `mobile_number`, `mp_deviceid`,
`ios_advertising_id`, `android_advertising_id` ... Names are matched case-insensitively, as
mParticle does. The finding points at the first item of the select list.

A `*` or `t.*` counts with the columns the schema snapshot gives it (modifiers applied). The rule
stays silent for other pipeline types, when the pipeline type is not known, and when the select
list has a `*` that no snapshot expands (the identity may be behind it).

## Why is this bad?
"For a row to be associated to a profile, the following reserved column names are mapped to
the mParticle User Identities or Device Identities." Without one, mParticle cannot resolve the
rows to users: they fail to sync (counted as failed records) and no attribute reaches a
profile.

## Example
```sql
-- wsync-lint: pipeline_type=user_attributes
SELECT a.scanned_timestamp_ms, c.propensity_to_buy
FROM demodw.demo.mp_dw_demo_attr a
JOIN demodw.demo.mp_dw_demo_calc c ON a.customer_id = c.customer_id
```

## Use instead
```sql
-- wsync-lint: pipeline_type=user_attributes
SELECT a.customer_id, a.scanned_timestamp_ms, c.propensity_to_buy
FROM demodw.demo.mp_dw_demo_attr a
JOIN demodw.demo.mp_dw_demo_calc c ON a.customer_id = c.customer_id
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.attributes import identity_candidate, is_star, item_spans
from wsync_lint.analysis.typed_outputs import star_expansions
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.facts import IDENTITY_EXAMPLES, identity_of, intended_identity


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if ctx.settings.pipeline_type != "user_attributes":
        return
    warehouse = ctx.warehouse
    for query in ctx.queries:
        columns = ctx.outputs(query)
        if not columns or any(is_star(column) and not column.is_star for column in columns):
            continue  # `(expr).*`: the fields of a struct
        names = [identity_candidate(column, warehouse, ctx.text) for column in columns]
        stars = star_expansions(ctx, query)
        if stars is None:
            continue  # a `*` whose columns are unknown: the identity may be behind it
        names += [entry.name for expanded in stars.values() for entry in expanded]
        if any(name is not None and identity_of(name) is not None for name in names):
            continue
        example = f"cid AS {IDENTITY_EXAMPLES[0]}"
        for column in columns:
            name = identity_candidate(column, warehouse, ctx.text)
            if name is not None and column.name is not None:
                intended = intended_identity(name)
                if intended is not None:
                    example = f"{column.name} AS {intended}"
                    break
        span = item_spans(ctx, query)[0]
        reserved = ", ".join(f"`{name}`" for name in IDENTITY_EXAMPLES)
        yield Finding(
            span if span is not None else query.selects[0],
            f"no output column{' (with `*` expanded from the schema snapshot)' if stars else ''} is a reserved "
            "user or device identity, so mParticle cannot attach the rows "
            f"to a profile (reserved names include {reserved} ...)",
            hint=f"select the identity and alias it with its reserved name, e.g. `{example}`",
        )


RULE = Rule(
    code="ID01",
    name="missing-identity",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
    reads_pipeline=True,
)

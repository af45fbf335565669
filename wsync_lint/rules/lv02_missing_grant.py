"""The connection's user or role lacks a privilege mParticle needs to read the model's tables.

## What it does
In `wsync-lint preflight`, asks the warehouse what the connection's user, role or service
account may do, and reports each privilege it lacks: usage on the warehouse, database and schema
and select on every table the model reads (Snowflake), usage on the schema and select on the table
(Redshift, checked with `has_schema_privilege` and `has_table_privilege`), the dataset roles of
the service account (BigQuery), and the tables of the Delta Sharing share (Databricks). A missing
privilege on a table is reported at the table's reference in the model; one on the warehouse,
database or project at the connection's `config`. What a warehouse does not let the tool check
is listed in the run's notes, never guessed.

## Why is this bad?
The preflight connects as the connection's user only when the same credentials are used; a
model that compiles for an administrator still faults for mParticle's user with "object does
not exist or not authorized". `wsync-lint grants` prints the exact statements to run.

## Example
```sql
-- dialect: redshift
SELECT customer_id, email FROM crm.customers  -- the mParticle user has no SELECT on it
```

## Use instead
```sql
-- dialect: redshift
-- after: GRANT SELECT ON TABLE crm.customers TO mparticle_user;
SELECT customer_id, email FROM crm.customers
```

## Known limitations
Needs the warehouse (`preflight`). On Snowflake the privileges of roles granted to the role are
not followed; on BigQuery project-level roles are proven only by the dry run succeeding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    places = {use.reference: use.at for use in ctx.tables}
    for gap in ctx.grants.gaps:
        at = places.get(gap.table) if gap.table is not None else None
        # The connection's own user or role reads best as the connection names it ("role `R`").
        who = ctx.grantee if f"`{gap.grantee.lower()}`" in ctx.grantee.lower() else code(gap.grantee)
        yield Finding(
            at if at is not None else ctx.connection_at,
            f"{who} lacks {gap.privilege} on {gap.object_kind} {code(gap.object_name)} "
            f"(connection `{ctx.connection_id}`): mParticle's queries for pipeline {ctx.pipeline} would fail",
            hint="`wsync-lint grants` prints the statement that grants it",
        )


RULE = Rule(code="LV02", name="missing-grant", check=check, doc=__doc__ or "", needs=Needs.LIVE)

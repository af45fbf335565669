"""The model calls a function that changes state or holds the session, on every sync.

## What it does
Reports each call, anywhere in the model, of a built-in function that does more than compute a
value, pointing at the function's name. The lists are per warehouse:

- Snowflake: a sequence's `seq.NEXTVAL`, `SYSTEM$CANCEL_*` (`SYSTEM$CANCEL_QUERY`,
  `SYSTEM$CANCEL_ALL_QUERIES`), `SYSTEM$ABORT_*` (`SYSTEM$ABORT_SESSION`,
  `SYSTEM$ABORT_TRANSACTION`), `SYSTEM$WAIT` and `SYSTEM$SEND_EMAIL`;
- Redshift (and the PostgreSQL functions its leader node may run): `nextval`, `setval`,
  `pg_terminate_backend`, `pg_cancel_backend`, `set_config`, the advisory locks
  (`pg_advisory_lock`, `pg_try_advisory_xact_lock` ...), `pg_sleep`, `pg_sleep_for`,
  `pg_sleep_until`, `lo_import`, `lo_export` and `dblink_exec`;
- Databricks: `reflect`, `try_reflect` and `java_method`, which call any Java method.

A function qualified with a schema (`util.reflect(...)`) is a user-defined function of the same
name and is not reported, except in PostgreSQL's own `pg_catalog`; nor is a column named
`nextval` (`t.nextval` where `t` is a table of the query). BigQuery has no such built-in.

## Why is this bad?
mParticle runs the data model on every sync of every pipeline that uses it (and
`wsync-lint preflight` would run it too), so the call is made on every sync: a sequence jumps
ahead, another session's queries are cancelled or its connection terminated, the sync holds a
warehouse session idle, an email is sent, a file is read or written on the server. A data model
should only read.

## Example
```sql
-- dialect: redshift
SELECT nextval('crm.customer_seq') AS customer_id, c.email, c.updated_at
FROM crm.customers c
```

## Use instead
```sql
-- dialect: redshift
SELECT c.customer_id, c.email, c.updated_at
FROM crm.customers c
```

## Known limitations
Only built-in functions are known: a user-defined function (a stored procedure behind a UDF, a
Snowflake external function, a BigQuery remote function) that writes is not recognised here.
`wsync-lint preflight` goes further and sends no model calling a function it cannot prove free of
side effects (LV01); a model calling one of the functions above is never sent, and in a
`preflight` run this finding is the one reported for the call.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.side_effects import side_effect_calls
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse.display
    for call in side_effect_calls(ctx):
        yield Finding(
            call.at,
            f"`{call.name}` {call.effect} in {warehouse} on every sync: mParticle runs the model each time it syncs "
            "(and `wsync-lint preflight` does not send it)",
            hint=f"remove the call to `{call.name}`: a data model should only read",
        )


RULE = Rule(
    code="ST08",
    name="side-effect-function",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

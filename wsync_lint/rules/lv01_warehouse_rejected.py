"""The warehouse rejects the data model, or one of the queries mParticle wraps it in, or wsync-lint did not send it.

## What it does
In `wsync-lint preflight`, compiles the model alone and then each query mParticle runs around it
(the row count over the sync window, the `LIMIT 0` column probe and the sync run, as
`wsync-lint render` prints them) in the connection's warehouse, without reading rows: a BigQuery
dry run, Snowflake's describe-only compile, a `LIMIT 0` probe on Redshift and Databricks. Each
statement the warehouse refuses is reported with the warehouse's own message, at the place in the
model the warehouse names when it names one, else at the model's first line. When the model alone
is refused, its wrappers are not sent (they would fail the same way). A refusal at the very place
an error of another rule already explains (RF06 on the columns the warehouse just gave) is that
rule's finding alone.

Before anything is sent, the model is checked for what could change the warehouse, and is not sent
(so nothing is compiled or counted for the pipeline) when it:

- calls a function wsync-lint cannot prove free of side effects on that warehouse: a function
  qualified with a schema (a user-defined function, which may write, call out, or wrap `nextval`
  behind a false `IMMUTABLE`), or an unqualified name that is neither a function sqlglot knows
  nor on the warehouse's list of documented built-ins that only compute a value (a user-defined
  or external function, BigQuery's `EXTERNAL_QUERY`, Databricks' `http_request` or `ai_query`).
  List your own functions that only compute a value under `read-only-functions` in the
  configuration and they are sent;
- calls a function with a known side effect (ST08's list, or `NEXT VALUE FOR`). When ST08 runs on
  the file, its finding is the one reported for the call; these can never be vouched for;
- locks rows (`FOR UPDATE`, `FOR SHARE`);
- may be read differently by the warehouse than by wsync-lint (a backslash before a quote,
  which PostgreSQL and Redshift read differently; a nested comment; a dollar quote), or holds a
  look-alike semicolon (`；`) outside strings and comments.

Each such finding points at the call, clause or place where the readings part.

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


_HINTS = {
    "unproven": "if `{name}` only computes a value, list it under `read-only-functions` in the configuration; "
    "otherwise remove the call: a data model should only read",
    "side-effect": "remove the call to `{name}`: a data model should only read",
    "lock": "remove `{name}`: mParticle only reads the rows",
    "lexing": "write the text so every reading agrees: no backslash before a quote, no comment inside a comment",
}


def _reason(kind: str, name: str, why: str, display: str) -> str:
    if kind == "unproven":
        return f"it calls `{name}`, a function wsync-lint cannot prove free of side effects ({why})"
    if kind == "side-effect":
        return f"it calls `{name}`, which {why}"
    if kind == "lock":
        return f"it {why} (`{name}`)"
    return f"{display} may read its text differently from wsync-lint: {why}"


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    display = ctx.warehouse.display
    for refusal in ctx.refusals:
        reason = _reason(refusal.kind, refusal.name, refusal.why, display)
        yield Finding(
            refusal.at,
            f"the data model was not sent to {display} for pipeline {ctx.pipeline}: {reason}; "
            "nothing was compiled for this pipeline",
            hint=_HINTS[refusal.kind].format(name=refusal.name),
        )
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

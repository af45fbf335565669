"""In a sample of the sync window, identity values are missing or do not have the identity's form.

## What it does
With `wsync-lint preflight --sample N`, the warehouse counts, over at most N rows of the
pipeline's first sync window, per identity column of the model (`email`, `customer_id`, `mpid`,
`mobile_number`, `ios_advertising_id`, ... matched ignoring case), the values that are NULL and
the values that do not have the identity's form; and the rows where every identity column is
NULL. Reports, at the model's output column:

- a column with more malformed values than `max-malformed-rate` (default 0.01): an `email`
  without `@` or a dot after it, or with a space; an `mpid` that is not an integer of up to 19 digits;
  a phone number that is not E.164 digits (`+` optional, 7 to 15 digits); an advertising id
  (IDFA, IDFV, Google, Amazon, Roku, Microsoft) that is not a UUID; any other identity blank;
- rows with no identity at all above `max-unidentified-rate` (default 0.01), at the first
  identity column;
- a column NULL in more rows than `max-null-rate` (default 0.95) when the model has other
  identity columns (with one alone, the rows without identity already say it).

When the first window holds no rows, the model's rows are sampled instead (the message says
which). The values never leave the warehouse: only the counts do.

## Why is this bad?
mParticle resolves each row to a profile through its identity columns (WS-SQL-17..19). A row
with no identity attaches to no profile; a malformed one creates a profile nobody else matches,
or, for an `mpid` read as a float, attaches the row to another user. None of this fails a run:
the rows simply land wrong.

## Example
```sql
-- `email` holds the user's name for accounts created before the 2023 migration
SELECT email, updated_at FROM crm.users
```

## Use instead
```sql
SELECT CASE WHEN email LIKE '%@%.%' THEN email END AS email, customer_id, updated_at FROM crm.users
```

## Known limitations
Needs the warehouse and `--sample` (the sample reads data: it costs warehouse time, and on
BigQuery the bytes of the columns it reads whatever N is). The first N rows the warehouse returns
are not a random sample. The forms are inferred from what each identity is (mParticle documents
few): loose on purpose, they say only that a value cannot be the identity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.contract.rule import SHARE, Finding, Needs, Option, Rule, Severity
from wsync_lint.printable import share_text

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext

OPTIONS = {
    "max_null_rate": Option(
        float, 0.95, "share of NULL values of one identity column above which it is reported", SHARE
    ),
    "max_malformed_rate": Option(
        float, 0.01, "share of values without the identity's form above which it is reported", SHARE
    ),
    "max_unidentified_rate": Option(
        float, 0.01, "share of rows with no identity at all above which it is reported", SHARE
    ),
}


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    sample = ctx.sample
    if sample is None or not sample.identities or sample.rows == 0:
        return
    rows, of = sample.rows, f"sampled rows of {sample.what}"
    hint_form = "fix the values in the model (or map them to NULL) so that each row resolves to the right profile"
    unidentified = sample.unidentified / rows > options["max_unidentified_rate"]
    if unidentified:
        names = ", ".join(f"`{identity.column}`" for identity in sample.identities)
        yield Finding(
            sample.identities[0].at,
            f"{share_text(sample.unidentified, rows)} {of} of pipeline {ctx.pipeline} have no identity "
            f"({names} all NULL): mParticle attaches them to no profile",
            hint="filter those rows out of the model, or select another identity column they do have",
        )
    for identity in sample.identities:
        present = rows - identity.nulls
        if present and identity.malformed / present > options["max_malformed_rate"]:
            yield Finding(
                identity.at,
                f"{share_text(identity.malformed, present)} values of `{identity.column}` in the {of} of pipeline "
                f"{ctx.pipeline} do not have the form of the identity `{identity.identity}`, {identity.form}: "
                "mParticle cannot resolve them to the right profile",
                hint=hint_form,
            )
        # With one identity column, its NULLs are the rows with no identity, reported above.
        if len(sample.identities) > 1 and identity.nulls / rows > options["max_null_rate"]:
            yield Finding(
                identity.at,
                f"`{identity.column}` is NULL in {share_text(identity.nulls, rows)} {of} of pipeline {ctx.pipeline}: "
                f"the identity is almost never set",
                hint="check the join or the column that feeds it, or drop the column from the model",
            )


RULE = Rule(
    code="LV08",
    name="identity-quality",
    check=check,
    doc=__doc__ or "",
    needs=Needs.LIVE,
    default_severity=Severity.WARNING,
    options=OPTIONS,
)

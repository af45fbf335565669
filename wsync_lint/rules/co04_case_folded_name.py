"""The warehouse changes the case of an attribute's name.

## What it does
Reports an output column whose name the warehouse returns in another case than written, and
shows the attribute name mParticle will see:

- Snowflake upper-cases unquoted names: `propensity_to_buy` becomes `PROPENSITY_TO_BUY`;
  a quoted `"propensity_to_buy"` keeps its case.
- Redshift lower-cases every name, quoted ones too (unless `enable_case_sensitive_identifier`
  is on for mParticle's user): `"FirstName"` becomes `firstname`.
- BigQuery and Databricks keep names as written: nothing to report.

Not reported: names already in the folded form (Snowflake `EMAIL_OPT_IN`), reserved identity
columns (`customer_id`, `email` ... are matched case-insensitively, so their case does not
matter), and the pipeline's iterator column (`iterator_field`, compared case-insensitively;
SY02 checks its spelling).

## Why is this bad?
"Column name casing follows the default identifier naming conventions for your specific
warehouse": the attribute lands on profiles as `PROPENSITY_TO_BUY`, not as the
`propensity_to_buy` the query shows, and audiences, forwarding and field transformations that
use the written name do not find it.

## Example
```sql
SELECT customer_id, propensity_to_buy
FROM mp.demo.calc
```

## Use instead
```sql
SELECT customer_id, propensity_to_buy AS "propensity_to_buy"
FROM mp.demo.calc
```

## Known limitations
On Redshift the rule assumes the default `enable_case_sensitive_identifier = false`.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.alias_references import referred_to_unquoted
from wsync_lint.analysis.attributes import named, typographic_inner, written_name
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.facts import identity_of
from wsync_lint.sql.bare_names import writable_unquoted


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    warehouse = ctx.warehouse
    if warehouse.folding == "preserve":
        return
    iterator = (ctx.settings.iterator_field or "").casefold()
    events = ctx.settings.pipeline_type == "events"
    for query in ctx.queries:
        for column in named(ctx.outputs(query)):
            name, returned = column.name, column.returned_name
            if returned == name or identity_of(name) is not None or typographic_inner(name) is not None:
                continue  # typographic quotes: PS04 reports them
            if iterator and name.casefold() == iterator:
                continue
            how = "upper-cases" if warehouse.folding == "upper" else "lower-cases"
            if column.quoted:
                why = f"{warehouse.display} {how} names, quoted ones too"
            else:
                why = f"{warehouse.display} {how} unquoted names"
            shown = written_name(column, warehouse)
            if events:
                message = (
                    f"column `{shown}` comes back as `{returned}` ({why}); field transformations must use `{returned}`"
                )
            else:
                message = f"attribute `{shown}` lands in mParticle as `{returned}` ({why})"
            quote = warehouse.identifier_quote
            # The spelling that lands as is: bare when the warehouse reads it so, else quoted.
            spelled = returned if writable_unquoted(returned, warehouse.name) else f"{quote}{returned}{quote}"
            if warehouse.folds_quoted:
                hint = (
                    f"write the name as `{spelled}`: quoting does not keep the case on {warehouse.display} "
                    "unless `enable_case_sensitive_identifier` is on for mParticle's user"
                )
            elif referred_to_unquoted(ctx, column):
                # Quoting the alias alone would break the query's own unquoted uses of the name.
                hint = f"write it as `{spelled}` (the query refers to `{name}` unquoted, so quoting only the alias breaks it)"
            else:
                hint = f"quote it to keep the case (`AS {quote}{name}{quote}`), or write it as `{spelled}`"
            yield Finding(column.name_node, message, hint=hint)


RULE = Rule(
    code="CO04",
    name="case-folded-name",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
    reads_pipeline=True,
)

"""An output name looks like an identity but is not a reserved name.

## What it does
Reports an output column named almost like a reserved user or device identity: `user_id`,
`cust_id`, `customer-id` or `Customer ID` (meant `customer_id`), `e_mail` or `email_address`
(`email`), `other_id_1` (there is no such identity: the list is `other`, then `other_id_2` to
`other_id_10`), `phone` (`mobile_number`), `idfa` (`ios_advertising_id`) ... The message names
the reserved name it most likely meant.

Not reported in `events` pipelines, where a field transformation maps identities, nor when the
select list already returns the identity the name resembles (then the column is deliberately
an attribute), nor for an expression whose value cannot be an identity: a count, sum, average
or other statistic (`SUM(s.is_mobile) AS mobile`), a comparison or other true/false value, a
number written in the query, or arithmetic on those.

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

from sqlglot import exp

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
            if intended is None or identity_of(intended) in present or not _can_hold_identity(column.expression):
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


# Aggregates whose result is a count or a statistic, never one of the rows' values (MIN, MAX,
# ANY_VALUE and the like return a value of the column, which can be an identity).
_STATISTICS = (
    exp.Count, exp.CountIf, exp.Sum, exp.Avg, exp.ApproxDistinct, exp.Stddev, exp.StddevPop,
    exp.StddevSamp, exp.Variance, exp.VariancePop, exp.Corr, exp.CovarPop, exp.CovarSamp,
    exp.Median, exp.Quantile, exp.ApproxQuantile, exp.PercentileCont, exp.PercentileDisc,
    exp.Skewness, exp.Kurtosis,
)  # fmt: skip
_TRUTH_VALUES = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)


def _can_hold_identity(expression: exp.Expression) -> bool:
    """False when the value is a statistic, a truth value, a number written in the query or
    arithmetic on those: no row's identity can come out of it. True otherwise (a column, a
    string, any function that may pass a value on)."""
    node = expression.unalias() if isinstance(expression, exp.Alias) else expression
    while isinstance(node, (exp.Paren, exp.Window)):
        node = node.this
    if isinstance(node, (exp.Cast, exp.TryCast)):
        if node.to.is_type(exp.DataType.Type.BOOLEAN):
            return False
        return _can_hold_identity(node.this)
    if isinstance(node, _STATISTICS + _TRUTH_VALUES):
        return False
    if isinstance(node, exp.Literal):
        return node.is_string
    if isinstance(node, _ARITHMETIC):
        return _can_hold_identity(node.this) or _can_hold_identity(node.expression)
    if isinstance(node, exp.Coalesce):
        return any(_can_hold_identity(arg) for arg in (node.this, *node.expressions))
    if isinstance(node, exp.Nullif):
        return _can_hold_identity(node.this)
    if isinstance(node, exp.Case):
        results = [branch.args.get("true") for branch in node.args.get("ifs") or []] + [node.args.get("default")]
        return any(result is not None and _can_hold_identity(result) for result in results)
    return True


RULE = Rule(
    code="ID02",
    name="identity-near-miss",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.WARNING,
)

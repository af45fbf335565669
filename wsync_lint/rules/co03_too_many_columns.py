"""The model returns more output columns than mParticle accepts (100).

## What it does
Counts the items of the model's select list and reports the first item past mParticle's
Warehouse Sync column limit of 100, with the count. With a schema snapshot, each `*` and `t.*`
counts as the columns it returns (the snapshot's columns of the tables it covers, the select
lists of WITH queries and derived tables, after `EXCLUDE`/`EXCEPT`/`RENAME`/`REPLACE`), and the
finding points at the item that holds column 101.

## Why is this bad?
mParticle documents a limit of 100 columns per data model. Each output column becomes an
identity or attribute; a model over the limit cannot be synced as written.

## Example
```sql
SELECT customer_id, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17,
    a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35,
    a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53,
    a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71,
    a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89,
    a90, a91, a92, a93, a94, a95, a96, a97, a98, a99, a100
FROM mp.crm.wide_profile
```

## Use instead
```sql
SELECT customer_id, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17,
    a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35,
    a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53,
    a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69, a70, a71,
    a72, a73, a74, a75, a76, a77, a78, a79, a80, a81, a82, a83, a84, a85, a86, a87, a88, a89,
    a90, a91, a92, a93, a94, a95, a96, a97, a98, a99
FROM mp.crm.wide_profile
```

## Known limitations
Without a schema snapshot (or when a `*` covers a table the snapshot lacks) a `*` counts as one
column, so a model with a star is only reported when its written items alone pass the limit
(the message then says "at least").
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.attributes import is_star, item_spans
from wsync_lint.analysis.output_names import OutputName
from wsync_lint.analysis.query_shape import star_of
from wsync_lint.analysis.schema_columns import expand_stars
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.facts import COLUMN_LIMIT, COLUMN_LIMIT_SOURCE
from wsync_lint.sql.positions import Span


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    for query in ctx.queries:
        selects = query.selects
        stars = sum(1 for column in ctx.outputs(query) if is_star(column))
        if stars and ctx.schema is not None:
            expanded = expand_stars(ctx, query)
            if expanded is not None:
                if len(expanded) > COLUMN_LIMIT:
                    yield _expanded_finding(ctx, query, expanded)
                continue
        if len(selects) <= COLUMN_LIMIT:
            continue
        count = len(selects)
        if stars:
            counted = f"at least {count} output columns (each `*` counted as one)"
        else:
            counted = f"{count} output columns"
        span = item_spans(ctx, query)[COLUMN_LIMIT]
        yield Finding(
            span if span is not None else selects[COLUMN_LIMIT],
            f"the model returns {counted}; mParticle's column limit is {COLUMN_LIMIT} "
            f"({COLUMN_LIMIT_SOURCE}), and this is column {COLUMN_LIMIT + 1}",
            hint=_HINT,
        )


def _expanded_finding(ctx: SqlContext, query: exp.Query, expanded: list[OutputName]) -> Finding:
    """The finding for a model whose ``*`` the snapshot expands past the limit: at the item that
    holds column 101 (a ``*`` or a written item)."""
    item = expanded[COLUMN_LIMIT].item
    selects = query.selects
    index = next((i for i, select in enumerate(selects) if select is item), None)
    at: exp.Expression | Span | None = None
    if index is not None:
        at = item_spans(ctx, query)[index]
    if at is None:
        at = item if item is not None else selects[0]
    star_item = item is not None and star_of(item) is not None
    where = f"column {COLUMN_LIMIT + 1} comes from this `*`" if star_item else f"this is column {COLUMN_LIMIT + 1}"
    return Finding(
        at,
        f"the model returns {len(expanded)} columns after expanding `*` from the schema snapshot; mParticle's "
        f"column limit is {COLUMN_LIMIT} ({COLUMN_LIMIT_SOURCE}), and {where}",
        hint=_HINT,
    )


_HINT = f"keep at most {COLUMN_LIMIT} columns: drop the ones you do not need, or split the model in two"


RULE = Rule(
    code="CO03",
    name="too-many-columns",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

"""A pipeline's projected warehouse scan per month is above the budget.

## What it does
With `wsync-lint preflight --cost`, asks the warehouse what the sync query of the pipeline's
first window scans, without running it (a BigQuery dry run, Snowflake's `EXPLAIN USING JSON`,
Databricks' `EXPLAIN COST`; Redshift's plan gives no byte figure, which the report says), and
multiplies it by the runs the schedule makes in a 30-day month (hourly 720, daily 30, weekly
30/7, monthly 1; once 1; on demand: not projected). Reports, at the schedule key, a month above
`max-monthly-scan-tib` (default 1 TiB), or above `max-monthly-cost` when one is set and a price
is known (`scan-price-per-tib` in the configuration; BigQuery's on-demand list price by default).
The message says why when it can: when the window's scan is as large as a scan of every row, the
iterator filter prunes nothing, and the tables' partitioning or clustering the warehouse reports
is named.

## Why is this bad?
Each incremental run filters the model by its window, but a warehouse only reads less when the
filter reaches a partition or cluster key of the tables it scans. An hourly pipeline over a model
whose iterator is computed (a `GREATEST` of two columns, a join's timestamp) scans the whole
table 720 times a month: on BigQuery on-demand, a 2 TiB table costs about $9,000 a month.

## Example
```yaml
# the model: SELECT ..., GREATEST(u.updated_at, p.updated_at) AS updated_at FROM users u JOIN prefs p ...
schedule: {type: interval, frequency: hourly}
```

## Use instead
```yaml
# the model filters on the partitioning column too, or the pipeline runs daily
schedule: {type: interval, frequency: daily}
```

## Known limitations
Needs the warehouse and `--cost`. The figure is the warehouse's estimate for the first window;
later windows may scan more. Snowflake, Redshift and Databricks bill compute time, not bytes:
their projected cost is shown only with a price you configure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from wsync_lint.contract.live_figures import TIB
from wsync_lint.contract.rule import Finding, Needs, Option, Rule, Severity
from wsync_lint.printable import dollars, figure_text, size_text

if TYPE_CHECKING:  # the live layer is not loaded by `check`, which never runs these rules
    from wsync_lint.contract.live_context import LiveContext

OPTIONS = {
    "max_monthly_scan_tib": Option(float, 1.0, "TiB a pipeline may scan in a 30-day month", (0.0, 1e9)),
    "max_monthly_cost": Option(
        float, 0.0, "US dollars a pipeline's scans may cost in a month (0: not checked)", (0.0, 1e15)
    ),
}


def check(ctx: LiveContext, options: dict) -> Iterator[Finding]:
    cost = ctx.cost
    monthly = cost.monthly if cost is not None else None
    if cost is None or monthly is None or cost.scanned is None or cost.runs_per_month is None:
        return
    over_scan = monthly > options["max_monthly_scan_tib"] * TIB
    budget = options["max_monthly_cost"]
    monthly_cost = cost.monthly_cost
    over_cost = budget > 0 and monthly_cost is not None and monthly_cost > budget
    if not (over_scan or over_cost):
        return
    priced = f" (about {dollars(monthly_cost)} at ${cost.price_per_tib:g} per TiB)" if monthly_cost is not None else ""
    limit = size_text(options["max_monthly_scan_tib"] * TIB) if over_scan else dollars(budget)
    why = ""
    if cost.prunes_nothing:
        keys = f" ({'; '.join(cost.pruning_keys)})" if cost.pruning_keys else ""
        why = f": the iterator filter prunes nothing, each window scans as much as every row{keys}"
    if cost.schedule == "once":
        scans = f"scans {size_text(cost.scanned)} in its one run ({cost.source} of {cost.window}){priced}"
    else:
        scans = (
            f"scans {size_text(cost.scanned)} per {cost.schedule} run ({cost.source} of {cost.window}), "
            f"{size_text(monthly)} a month at {figure_text(cost.runs_per_month)} runs{priced}"
        )
    yield Finding(
        cost.at,
        f"pipeline {ctx.pipeline} {scans}, above the budget of {limit}{why}",
        hint="filter the model on the tables' partitioning or clustering column so each window reads less, "
        "run the pipeline less often, or raise max-monthly-scan-tib",
    )


RULE = Rule(
    code="LV07",
    name="scan-cost",
    check=check,
    doc=__doc__ or "",
    needs=Needs.LIVE,
    default_severity=Severity.WARNING,
    options=OPTIONS,
)

"""Aggregate calls: which function calls aggregate rows, per warehouse, and what sits inside one.

sqlglot knows most aggregates (``exp.AggFunc``); the ones it parses as anonymous functions are
listed per warehouse. A call with an ``OVER`` window is not an aggregate here: it does not
collapse rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

# Aggregate functions sqlglot 30 parses as anonymous functions (so not exp.AggFunc), from each
# warehouse's function reference. Upper-case names. A name missing here is taken for a scalar
# function; one listed for the wrong warehouse would take a user's function for an aggregate.
_COMMON_AGGREGATES = frozenset(
    {"CORR", "COVAR_POP", "COVAR_SAMP", "REGR_AVGX", "REGR_AVGY", "REGR_COUNT", "REGR_INTERCEPT",
     "REGR_R2", "REGR_SLOPE", "REGR_SXX", "REGR_SXY", "REGR_SYY"}
)  # fmt: skip
EXTRA_AGGREGATES: dict[str, frozenset[str]] = {
    "snowflake": _COMMON_AGGREGATES | {
        "APPROX_PERCENTILE", "APPROX_PERCENTILE_ACCUMULATE", "APPROX_PERCENTILE_COMBINE",
        "APPROX_TOP_K_ACCUMULATE", "APPROX_TOP_K_COMBINE", "APPROXIMATE_JACCARD_INDEX",
        "APPROXIMATE_SIMILARITY", "BITAND_AGG", "BITOR_AGG", "BITXOR_AGG", "HLL_ACCUMULATE",
        "HLL_COMBINE", "KURTOSIS", "MINHASH", "MINHASH_COMBINE", "SKEW", "ST_COLLECT",
    },
    "bigquery": _COMMON_AGGREGATES | {"ST_UNION_AGG", "ST_CENTROID_AGG", "ST_EXTENT"},
    "redshift": frozenset({"BIT_AND", "BIT_OR", "LISTAGG"}),
    "databricks": _COMMON_AGGREGATES | {
        "APPROX_PERCENTILE", "BITAND_AGG", "BITOR_AGG", "BITXOR_AGG", "BIT_AND", "BIT_OR", "BIT_XOR",
        "COLLECT_LIST", "COLLECT_SET", "EVERY", "HISTOGRAM_NUMERIC", "KURTOSIS", "PERCENTILE",
        "PERCENTILE_APPROX", "SOME", "SKEWNESS", "TRY_AVG", "TRY_SUM",
    },
}  # fmt: skip

# BigQuery's sketch aggregates, spelled `FAMILY.NAME(...)`: sqlglot parses them as a Dot around
# an anonymous call. From BigQuery's HyperLogLog++ and KLL quantile function references
# (`HLL_COUNT.EXTRACT` and `KLL_QUANTILES.EXTRACT_*` are scalar).
DOTTED_AGGREGATES: dict[str, frozenset[str]] = {
    "bigquery": frozenset({
        "HLL_COUNT.INIT", "HLL_COUNT.MERGE", "HLL_COUNT.MERGE_PARTIAL",
        "KLL_QUANTILES.INIT_INT64", "KLL_QUANTILES.INIT_FLOAT64", "KLL_QUANTILES.MERGE_INT64",
        "KLL_QUANTILES.MERGE_FLOAT64", "KLL_QUANTILES.MERGE_PARTIAL", "KLL_QUANTILES.MERGE_POINT_INT64",
        "KLL_QUANTILES.MERGE_POINT_FLOAT64",
    }),
}  # fmt: skip

# Wrappers that may sit between an aggregate call and its OVER clause or its arguments.
_AGG_WRAPPERS = (exp.IgnoreNulls, exp.RespectNulls, exp.WithinGroup, exp.Filter)


def is_aggregate_call(node: exp.Expression, dialect: str) -> bool:
    """An aggregate function call that is not a window function (no OVER).

    A dotted call (`HLL_COUNT.INIT(x)`) is the ``Dot`` node; the anonymous call inside it is
    not a call of its own.
    """
    if isinstance(node, exp.AggFunc) or (
        isinstance(node, exp.Anonymous)
        and _dotted_owner(node) is None
        and node.name.upper() in EXTRA_AGGREGATES.get(dialect, frozenset())
    ):
        return not _windowed(node)
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
        return _dotted_name(node) in DOTTED_AGGREGATES.get(dialect, frozenset()) and not _windowed(node)
    return False


def _dotted_owner(node: exp.Expression) -> exp.Dot | None:
    """The ``Dot`` whose called part ``node`` is (`INIT(...)` in `HLL_COUNT.INIT(...)`)."""
    parent = node.parent
    return parent if isinstance(parent, exp.Dot) and node.arg_key == "expression" else None


def _dotted_name(dot: exp.Dot) -> str | None:
    prefix = dot.this
    if isinstance(prefix, exp.Column) and not prefix.table:
        prefix = prefix.this
    if not isinstance(prefix, (exp.Identifier, exp.Var)):
        return None
    return f"{prefix.name}.{dot.expression.name}".upper()


def _windowed(node: exp.Expression) -> bool:
    child, parent = node, node.parent
    while isinstance(parent, _AGG_WRAPPERS) and child.arg_key == "this":
        child, parent = parent, parent.parent
    return isinstance(parent, exp.Window) and child.arg_key == "this"


def aggregate_calls(expression: exp.Expression, dialect: str, holders: set[int] | None = None) -> list[exp.Expression]:
    """The aggregate calls in an expression, outside nested queries and outside OVER windows.

    With ``holders`` (:func:`aggregate_holders` of the file) the walk skips every subtree that
    holds no aggregate call; the calls found, and their order, are the same.
    """

    def prune(node: exp.Expression) -> bool:
        if isinstance(node, (exp.Query, exp.Subquery)) and node is not expression:
            return True
        return holders is not None and id(node) not in holders

    found = []
    for node in expression.walk(prune=prune):
        if isinstance(node, (exp.Query, exp.Subquery)) and node is not expression:
            continue
        if is_aggregate_call(node, dialect):
            found.append(node)
    return found


def aggregate_holders(candidates: Iterable[exp.Expression], dialect: str) -> set[int]:
    """The ids of the aggregate calls among ``candidates`` and of every node above them.

    Pass every ``AggFunc`` and ``Anonymous`` node of a file (a dotted call is found through the
    ``Anonymous`` inside it): then a node whose id is not in the set holds no aggregate call, so :func:`aggregate_calls` of it is empty and need not walk it.
    Climbing stops at a node already in the set, so the work is at most one visit per node.
    """
    holders: set[int] = set()
    for candidate in candidates:
        owner = _dotted_owner(candidate) if isinstance(candidate, exp.Anonymous) else None
        if owner is not None:
            candidate = owner  # a dotted aggregate is found through its anonymous call
        if not is_aggregate_call(candidate, dialect):
            continue
        node: exp.Expression | None = candidate
        while node is not None and id(node) not in holders:
            holders.add(id(node))
            node = node.parent
    return holders


def is_aggregated(node: exp.Expression, root: exp.Expression, dialect: str) -> bool:
    """Whether ``node`` sits inside an aggregate call (its arguments, FILTER or WITHIN GROUP) below ``root``."""
    child, current = node, node.parent
    while current is not None:
        if is_aggregate_call(current, dialect):
            return True
        if isinstance(current, (exp.WithinGroup, exp.Filter)) and child.arg_key != "this":
            inner = current.this
            while isinstance(inner, _AGG_WRAPPERS):
                inner = inner.this
            if inner is not None and is_aggregate_call(inner, dialect):
                return True
        if current is root:
            return False
        child, current = current, current.parent
    return False

"""The queries ``preflight --sample`` sends: aggregates over at most N rows of a model, nothing else.

Each query reads the model as mParticle does, verbatim inside a derived table, takes at most N
rows of the columns it needs (``LIMIT``: the first rows the warehouse returns, not a random
sample), and returns a single row of counts, a minimum and a maximum. So no value of an identity
column leaves the warehouse: only how many are NULL and how many do not have the identity's form.

- :func:`identity_sample_query`: per identity column, its NULLs and its malformed values
  (:mod:`wsync_lint.mparticle.identity_forms`), and the rows with no identity at all;
- :func:`iterator_sample_query`: the iterator's NULLs, minimum, maximum, values after now, and for
  an epoch type how many values have the size of seconds, milliseconds or microseconds.

Everything here is pure (no I/O): the live layer sends these queries and reads their one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlglot import exp

from wsync_lint.mparticle.identity_forms import IdentityForm
from wsync_lint.sql.window_filter import bound_sql

EPOCH_TYPES = ("timestamp_unixtime_ms", "timestamp_unixtime_s")
SECONDS_BELOW = 10**11
"""Epoch values under this have the size of seconds (10^11 s is the year 5138; 10^11 ms is 1973)."""
MILLISECONDS_BELOW = 10**14
"""Epoch values from :data:`SECONDS_BELOW` to this have the size of milliseconds; above, of microseconds."""


@dataclass(frozen=True)
class SampledIdentity:
    """An identity column to sample: its name as the warehouse returns it, and its form."""

    column: str
    form: IdentityForm


@dataclass(frozen=True)
class SampleQuery:
    """A query of one row, and the names of its values in order."""

    sql: str
    values: tuple[str, ...]


def _column(name: str) -> exp.Column:
    """The model's output column, quoted as the warehouse returned its name: the exact column,
    whatever the warehouse's case folding."""
    return exp.column(exp.to_identifier(name, quoted=True))


def _count_when(condition: exp.Expression) -> exp.Expression:
    """``SUM(CASE WHEN condition THEN 1 ELSE 0 END)``: a count every warehouse spells alike."""
    case = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    return exp.Sum(this=case)


def _has_form(column: exp.Expression, form: IdentityForm) -> exp.Expression:
    as_text = exp.cast(column.copy(), exp.DataType.build("VARCHAR"))
    if form.pattern is None:
        return exp.NEQ(this=exp.Trim(this=as_text), expression=exp.Literal.string(""))
    return exp.RegexpLike(this=as_text, expression=exp.Literal.string(form.pattern))


def _sampled(
    model_sql: str, dialect: str, columns: Sequence[str], condition: str | None, limit: int, values: list
) -> str:
    """``SELECT values FROM (SELECT columns FROM (model) AS m [WHERE condition] LIMIT limit) AS s``,
    the model on its own lines as mParticle's wrappers have it. A value is an expression, or SQL
    text already written for the warehouse."""
    select_list = ",\n       ".join(v if isinstance(v, str) else v.sql(dialect=dialect) for v in values)
    picked = ", ".join(_column(name).sql(dialect=dialect) for name in columns)
    lines = [f"SELECT {select_list}", "FROM", "(", f"SELECT {picked}", "FROM", "(", model_sql.strip(), ") AS m"]
    if condition:
        lines.append(f"WHERE {condition}")
    lines += [f"LIMIT {int(limit)}", ") AS s"]
    return "\n".join(lines)


def identity_sample_query(
    model_sql: str, dialect: str, identities: Sequence[SampledIdentity], condition: str | None, limit: int
) -> SampleQuery:
    """Rows sampled, then per identity column its NULLs and malformed values, then the rows where
    every identity column is NULL."""
    values: list[exp.Expression] = [exp.Count(this=exp.Star())]
    names = ["rows"]
    for identity in identities:
        column = _column(identity.column)
        values.append(_count_when(exp.Is(this=column.copy(), expression=exp.Null())))
        present = exp.Not(this=exp.Is(this=column.copy(), expression=exp.Null()))
        values.append(_count_when(exp.and_(present, exp.Not(this=exp.Paren(this=_has_form(column, identity.form))))))
        names += [f"{identity.column}.nulls", f"{identity.column}.malformed"]
    values.append(_count_when(exp.and_(*(exp.Is(this=_column(i.column), expression=exp.Null()) for i in identities))))
    names.append("unidentified")
    sql = _sampled(model_sql, dialect, [i.column for i in identities], condition, limit, values)
    return SampleQuery(sql, tuple(names))


def iterator_sample_query(
    model_sql: str, dialect: str, iterator: str, data_type: str | None, now: datetime, limit: int, bounds: bool = True
) -> SampleQuery:
    """Rows sampled, the iterator's NULLs, its minimum and maximum (with ``bounds``: the only values
    that leave the warehouse), its values after ``now`` (when its type is known), and for an epoch
    type the values of each size."""
    column = _column(iterator)
    values: list[exp.Expression | str] = [
        exp.Count(this=exp.Star()),
        _count_when(exp.Is(this=column.copy(), expression=exp.Null())),
    ]
    names = ["rows", "nulls"]
    if bounds:
        values += [exp.Min(this=column.copy()), exp.Max(this=column.copy())]
        names += ["minimum", "maximum"]
    if data_type:
        # The bound as the sync window's filter writes it (parsing it again would respell its type).
        bound = bound_sql(now, data_type, dialect)
        values.append(f"SUM(CASE WHEN {column.sql(dialect=dialect)} > {bound} THEN 1 ELSE 0 END)")
        names.append("future")
    if data_type in EPOCH_TYPES:
        size = exp.Abs(this=column.copy())
        seconds, milliseconds = exp.Literal.number(SECONDS_BELOW), exp.Literal.number(MILLISECONDS_BELOW)
        values += [
            _count_when(exp.LT(this=size.copy(), expression=seconds.copy())),
            _count_when(
                exp.and_(
                    exp.GTE(this=size.copy(), expression=seconds), exp.LT(this=size.copy(), expression=milliseconds)
                )
            ),
            _count_when(exp.GTE(this=size, expression=milliseconds.copy())),
        ]
        names += ["seconds", "milliseconds", "microseconds"]
    return SampleQuery(_sampled(model_sql, dialect, [iterator], None, limit, values), tuple(names))

"""The query of aggregates the connectors' ``aggregate()`` tests send: the shapes of
:mod:`wsync_lint.sql.sample_queries` (regex, TRIM, ABS, counts, a minimum and a maximum), built from
the same sqlglot nodes over a table of known defects, for each dialect."""

from __future__ import annotations

EMAIL_FORM = "^[^@ ]+@[^@ ]+[.][^@ ]+$"


def quality_query(dialect: str, table: str) -> str:
    """The aggregates --sample asks for, built as sqlglot renders them for ``dialect`` (regex, TRIM, ABS)."""
    from sqlglot import exp

    def count_when(condition: exp.Expression) -> exp.Expression:
        return exp.Sum(this=exp.Case().when(condition, exp.Literal.number(1)).else_(exp.Literal.number(0)))

    email = exp.cast(exp.column("email"), "varchar")
    form = exp.Literal.string(EMAIL_FORM)
    return (
        exp.select(
            exp.Count(this=exp.Star()),
            count_when(exp.column("email").is_(exp.null())),
            count_when(exp.not_(exp.RegexpLike(this=email, expression=form))),
            count_when(exp.RegexpLike(this=exp.Trim(this=email.copy()), expression=form.copy())),
            exp.Min(this=exp.column("updated_at")),
            exp.Max(this=exp.column("updated_at")),
            exp.Min(this=exp.column("epoch")),
            exp.Max(this=exp.column("epoch")),
            exp.Max(this=exp.Abs(this=exp.column("mpid"))),
            count_when(exp.column("mpid").is_(exp.null())),
        )
        .from_(table)
        .sql(dialect)
    )

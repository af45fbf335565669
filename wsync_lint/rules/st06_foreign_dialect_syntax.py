"""A function or construct from another warehouse's SQL.

## What it does
Reports functions that the connection's warehouse does not have but another of the four
does, with the replacement, and a few constructs:

- `ARRAY_AGG(...) WITHIN GROUP (ORDER BY ...)` outside Snowflake;
- `x::type` casts in BigQuery;
- `SELECT TOP n` in BigQuery and Databricks.

A function is matched by its unqualified name followed by `(`: `udf.iff(...)` and names in
strings or comments are not reported. The table lists only functions the target warehouse is
known to lack (Snowflake has `LISTAGG`, `GETDATE`, `NVL` and `IFF`; Redshift has `LISTAGG`,
`GETDATE`, `NVL` and `TRY_CAST`; Databricks has `IFF`, `NVL`, `GETDATE` and `ZEROIFNULL`).

## Why is this bad?
mParticle passes the query to the warehouse as it is. Its own SQL reference shows a
Snowflake-only query (`ARRAY_AGG ... WITHIN GROUP`, double-quoted aliases) as the example for
every warehouse. Models copied between warehouses fail when the pipeline first runs, and the
SQL parser used here often accepts them without complaint.

## Example
```sql
-- dialect: bigquery
SELECT customer_id, IFF(orders > 0, 'buyer', 'visitor') AS segment
FROM `mp.crm.customers`
```

## Use instead
```sql
-- dialect: bigquery
SELECT customer_id, IF(orders > 0, 'buyer', 'visitor') AS segment
FROM `mp.crm.customers`
```

## Known limitations
The table is a curated list, not a catalogue of every function: a function missing from it is
not reported. A user-defined function with the same unqualified name is reported too; suppress
the finding on that line.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot.tokens import Token, TokenType

from wsync_lint.analysis.token_text import code_tokens, matching_close, open_parens, word
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext

# FOREIGN_FUNCTIONS[target warehouse][FUNCTION] = (warehouses the function comes from, what to
# write instead). Only functions the target warehouse lacks are listed; sources: each vendor's
# SQL function reference (Snowflake docs.snowflake.com/en/sql-reference/functions, BigQuery
# cloud.google.com/bigquery/docs/reference/standard-sql/functions-and-operators, Redshift
# docs.aws.amazon.com/redshift/latest/dg/c_SQL_functions.html, Databricks
# docs.databricks.com/sql/language-manual/sql-ref-functions-builtin-alpha.html).
FOREIGN_FUNCTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "bigquery": {
        "IFF": ("Snowflake", "`IF(condition, a, b)`"),
        "OBJECT_CONSTRUCT": ("Snowflake", "`STRUCT(value AS key, ...)` or `JSON_OBJECT(key, value, ...)`"),
        "OBJECT_CONSTRUCT_KEEP_NULL": ("Snowflake", "`JSON_OBJECT(key, value, ...)`"),
        "ARRAY_CONSTRUCT": ("Snowflake", "an array literal `[a, b]`"),
        "FLATTEN": ("Snowflake", "`UNNEST(array)`"),
        "TO_VARCHAR": ("Snowflake", "`CAST(x AS STRING)` or `FORMAT_TIMESTAMP(format, ts)`"),
        "ZEROIFNULL": ("Snowflake", "`IFNULL(x, 0)`"),
        "DIV0": ("Snowflake", "`SAFE_DIVIDE(a, b)`"),
        "GETDATE": ("Snowflake and Redshift", "`CURRENT_TIMESTAMP()`"),
        "LISTAGG": ("Snowflake and Redshift", "`STRING_AGG(x, ',' ORDER BY y)`"),
        "CONVERT_TIMEZONE": ("Snowflake and Redshift", "`DATETIME(ts, 'time zone')`"),
        "CHARINDEX": ("Snowflake and Redshift", "`STRPOS(string, substring)` (arguments swapped)"),
        "NVL": ("Snowflake, Redshift and Databricks", "`IFNULL(a, b)`"),
        "NVL2": ("Snowflake, Redshift and Databricks", "`IF(a IS NOT NULL, b, c)`"),
        "LEN": ("Snowflake, Redshift and Databricks", "`LENGTH(x)`"),
        "DATEADD": ("Snowflake, Redshift and Databricks", "`DATE_ADD` or `TIMESTAMP_ADD(ts, INTERVAL n part)`"),
        "DATEDIFF": ("Snowflake, Redshift and Databricks", "`DATE_DIFF` or `TIMESTAMP_DIFF(a, b, part)`"),
        "SPLIT_PART": ("Snowflake, Redshift and Databricks", "`SPLIT(s, delimiter)[SAFE_OFFSET(n - 1)]`"),
        "TRY_CAST": ("Snowflake, Redshift and Databricks", "`SAFE_CAST(x AS type)`"),
        "ARRAY_SIZE": ("Snowflake and Databricks", "`ARRAY_LENGTH(array)`"),
        "COLLECT_LIST": ("Databricks", "`ARRAY_AGG(x)`"),
        "COLLECT_SET": ("Databricks", "`ARRAY_AGG(DISTINCT x)`"),
        "EXPLODE": ("Databricks", "`UNNEST(array)`"),
        "NAMED_STRUCT": ("Databricks", "`STRUCT(value AS key, ...)`"),
        "DATE_FORMAT": ("Databricks", "`FORMAT_DATE(format, d)` or `FORMAT_TIMESTAMP(format, ts)`"),
        "FROM_UNIXTIME": ("Databricks", "`TIMESTAMP_SECONDS(x)`"),
        "UNIX_TIMESTAMP": ("Databricks", "`UNIX_SECONDS(ts)`"),
    },
    "snowflake": {
        "SAFE_CAST": ("BigQuery", "`TRY_CAST(x AS type)`"),
        "SAFE_DIVIDE": ("BigQuery", "`a / NULLIF(b, 0)`"),
        "FORMAT_TIMESTAMP": ("BigQuery", "`TO_VARCHAR(ts, 'format')`"),
        "FORMAT_DATE": ("BigQuery", "`TO_VARCHAR(d, 'format')`"),
        "PARSE_TIMESTAMP": ("BigQuery", "`TO_TIMESTAMP(s, 'format')`"),
        "PARSE_DATE": ("BigQuery", "`TO_DATE(s, 'format')`"),
        "TIMESTAMP_SECONDS": ("BigQuery", "`TO_TIMESTAMP(x)`"),
        "TIMESTAMP_MILLIS": ("BigQuery", "`TO_TIMESTAMP(x, 3)`"),
        "UNIX_SECONDS": ("BigQuery", "`DATE_PART(EPOCH_SECOND, ts)`"),
        "UNNEST": ("BigQuery", "`LATERAL FLATTEN(input => array)`"),
        "GENERATE_ARRAY": ("BigQuery", "`ARRAY_GENERATE_RANGE(start, stop)`"),
        "JSON_EXTRACT_SCALAR": ("BigQuery", "`JSON_EXTRACT_PATH_TEXT(json, 'path')` or `col:path::STRING`"),
        "TO_JSON_STRING": ("BigQuery", "`TO_JSON(x)`"),
        "COLLECT_LIST": ("Databricks", "`ARRAY_AGG(x)`"),
        "COLLECT_SET": ("Databricks", "`ARRAY_UNIQUE_AGG(x)`"),
        "EXPLODE": ("Databricks", "`LATERAL FLATTEN(input => array)`"),
        "NAMED_STRUCT": ("Databricks", "`OBJECT_CONSTRUCT(key, value, ...)`"),
        "FROM_UNIXTIME": ("Databricks", "`TO_TIMESTAMP(x)`"),
    },
    "redshift": {
        "IFF": ("Snowflake", "`CASE WHEN condition THEN a ELSE b END`"),
        "FLATTEN": ("Snowflake", "PartiQL unnesting: `FROM t, t.array_col AS item`"),
        "OBJECT_CONSTRUCT": ("Snowflake", "`OBJECT(key, value, ...)` (a SUPER value)"),
        "OBJECT_CONSTRUCT_KEEP_NULL": ("Snowflake", "`OBJECT(key, value, ...)` (a SUPER value)"),
        "ARRAY_CONSTRUCT": ("Snowflake", "`ARRAY(a, b, ...)` (a SUPER value)"),
        "TO_VARCHAR": ("Snowflake", "`TO_CHAR(x, 'format')`"),
        "SAFE_CAST": ("BigQuery", "`TRY_CAST(x AS type)`"),
        "SAFE_DIVIDE": ("BigQuery", "`a / NULLIF(b, 0)`"),
        "FORMAT_TIMESTAMP": ("BigQuery", "`TO_CHAR(ts, 'format')`"),
        "PARSE_TIMESTAMP": ("BigQuery", "`TO_TIMESTAMP(s, 'format')`"),
        "TIMESTAMP_SECONDS": ("BigQuery", "`TIMESTAMP 'epoch' + x * INTERVAL '1 second'`"),
        "UNNEST": ("BigQuery", "PartiQL unnesting: `FROM t, t.array_col AS item`"),
        "STRING_AGG": ("BigQuery", "`LISTAGG(x, ',') WITHIN GROUP (ORDER BY y)`"),
        "TO_JSON_STRING": ("BigQuery", "`JSON_SERIALIZE(x)`"),
        "COLLECT_LIST": ("Databricks", "`LISTAGG(x, ',')`"),
        "COLLECT_SET": ("Databricks", "`LISTAGG(DISTINCT x, ',')`"),
        "EXPLODE": ("Databricks", "PartiQL unnesting: `FROM t, t.array_col AS item`"),
        "NAMED_STRUCT": ("Databricks", "`OBJECT(key, value, ...)` (a SUPER value)"),
        "FROM_UNIXTIME": ("Databricks", "`TIMESTAMP 'epoch' + x * INTERVAL '1 second'`"),
    },
    "databricks": {
        "OBJECT_CONSTRUCT": ("Snowflake", "`NAMED_STRUCT(key, value, ...)`"),
        "OBJECT_CONSTRUCT_KEEP_NULL": ("Snowflake", "`NAMED_STRUCT(key, value, ...)`"),
        "ARRAY_CONSTRUCT": ("Snowflake", "`ARRAY(a, b, ...)`"),
        "SAFE_CAST": ("BigQuery", "`TRY_CAST(x AS type)`"),
        "SAFE_DIVIDE": ("BigQuery", "`TRY_DIVIDE(a, b)`"),
        "FORMAT_TIMESTAMP": ("BigQuery", "`DATE_FORMAT(ts, 'format')`"),
        "FORMAT_DATE": ("BigQuery", "`DATE_FORMAT(d, 'format')`"),
        "PARSE_TIMESTAMP": ("BigQuery", "`TO_TIMESTAMP(s, 'format')`"),
        "PARSE_DATE": ("BigQuery", "`TO_DATE(s, 'format')`"),
        "GENERATE_ARRAY": ("BigQuery", "`SEQUENCE(start, stop)`"),
        "JSON_EXTRACT_SCALAR": ("BigQuery", "`GET_JSON_OBJECT(json, '$.path')` or `col:path`"),
        "TO_JSON_STRING": ("BigQuery", "`TO_JSON(x)`"),
    },
}

# Snowflake's table function FLATTEN(input => ...) is not Databricks' flatten(array_of_arrays):
# in Databricks only the Snowflake forms `LATERAL FLATTEN(`, `TABLE(FLATTEN(` and
# `FLATTEN(INPUT => ...)` are reported.
_SNOWFLAKE_FLATTEN = ("Snowflake", "`LATERAL VIEW EXPLODE(array)` or `explode(array)` in `FROM`")

# Constructs: ARRAY_AGG ... WITHIN GROUP (Snowflake only), `::` casts (not BigQuery), TOP n
# (Snowflake and Redshift only).
_WITHIN_GROUP_HINT = {
    "bigquery": "`ARRAY_AGG(x ORDER BY y)`",
    "redshift": "`LISTAGG(x, ',') WITHIN GROUP (ORDER BY y)` for a string, or build a SUPER array",
    "databricks": "`array_sort(array_agg(x))`, or sort `array_agg(struct(y, x))` and keep `x`",
}
_NO_TOP = frozenset({"bigquery", "databricks"})
_DEFINITIONS = frozenset({"FUNCTION", "PROCEDURE", "MACRO"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    dialect = ctx.warehouse.name
    table = FOREIGN_FUNCTIONS.get(dialect, {})
    warehouse = ctx.warehouse.display
    tokens = code_tokens(ctx)
    for index in _candidates(ctx, tokens, dialect):
        token = tokens[index]
        if dialect == "bigquery" and token.token_type == TokenType.DCOLON:
            yield Finding(
                token,
                f"`::` casts are Snowflake, Redshift and Databricks syntax; {warehouse} has no `::`",
                hint="write `CAST(x AS type)`",
            )
            continue
        name = word(token)
        if name is None:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        previous = tokens[index - 1] if index > 0 else None
        if name == "TOP":
            if (
                dialect in _NO_TOP
                and previous is not None
                and word(previous) in ("SELECT", "DISTINCT")
                and following is not None
                and following.token_type == TokenType.NUMBER
            ):
                yield Finding(
                    token,
                    f"`TOP n` is Snowflake and Redshift syntax; {warehouse} has no `TOP`",
                    hint="write `LIMIT n` at the end of the query",
                )
            continue
        if following is None or following.token_type != TokenType.L_PAREN:
            continue
        if previous is not None and (previous.text == "." or word(previous) in _DEFINITIONS):
            continue  # `schema.fn(...)` or a function definition: a user-defined function
        if name == "ARRAY_AGG" and dialect != "snowflake":
            finding = _within_group(ctx, tokens, index)
            if finding is not None:
                yield finding
            continue
        entry = table.get(name)
        if name == "FLATTEN" and dialect == "databricks" and _snowflake_flatten(tokens, index):
            entry = _SNOWFLAKE_FLATTEN
        if entry is None:
            continue
        home, replacement = entry
        message = f"`{name}` is {home} syntax; {warehouse} has no `{name}`"
        if entry is _SNOWFLAKE_FLATTEN:
            message = (
                f"`{token.text}` used as a table function is Snowflake syntax; "
                f"the {warehouse} `flatten` function only merges nested arrays"
            )
        yield Finding(token, message, hint=f"use {replacement}")


def _candidates(ctx: SqlContext, tokens: list[Token], dialect: str) -> list[int]:
    """The indices of the tokens :func:`check` may report, in order: each name before a ``(``,
    ``TOP`` (BigQuery and Databricks) and ``::`` (BigQuery). Most tokens are none of these, and
    picking these out first spares a close look at every token."""
    found = [index - 1 for index in open_parens(ctx) if index > 0]
    # A token's text is the source's: without `top` or `::` in the file, no token needs a look.
    if dialect in _NO_TOP and "TOP" in ctx.text.upper():
        found += [index for index, token in enumerate(tokens) if len(token.text) == 3 and token.text.upper() == "TOP"]
    if dialect == "bigquery" and "::" in ctx.text:
        found += [index for index, token in enumerate(tokens) if token.token_type == TokenType.DCOLON]
    return sorted(set(found))


def _within_group(ctx: SqlContext, tokens: list[Token], index: int) -> Finding | None:
    close = matching_close(tokens, index + 1)
    if close is None or close + 2 >= len(tokens):
        return None
    if word(tokens[close + 1]) != "WITHIN" or word(tokens[close + 2]) != "GROUP":
        return None
    warehouse = ctx.warehouse.display
    return Finding(
        tokens[index],
        f"`ARRAY_AGG(...) WITHIN GROUP (ORDER BY ...)` is Snowflake syntax; "
        f"{warehouse} has no `WITHIN GROUP` for `ARRAY_AGG`",
        hint=f"use {_WITHIN_GROUP_HINT.get(ctx.warehouse.name, '`ARRAY_AGG` without `WITHIN GROUP`')}",
    )


def _snowflake_flatten(tokens: list[Token], index: int) -> bool:
    """Whether `FLATTEN(` at ``index`` is Snowflake's table function rather than Spark's."""
    previous = tokens[index - 1] if index > 0 else None
    if previous is not None and word(previous) == "LATERAL":
        return True
    if (
        previous is not None
        and previous.token_type == TokenType.L_PAREN
        and index > 1
        and word(tokens[index - 2]) == "TABLE"
    ):
        return True
    after = tokens[index + 2 : index + 4]
    return len(after) == 2 and word(after[0]) == "INPUT" and after[1].text == "=>"


RULE = Rule(
    code="ST06",
    name="foreign-dialect-syntax",
    check=check,
    doc=__doc__,
    needs=Needs.TEXT,
    default_severity=Severity.WARNING,
)

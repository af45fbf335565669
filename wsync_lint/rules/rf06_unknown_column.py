"""A column the model reads is not a column of any table in scope, per the schema snapshot.

## What it does
With a schema snapshot, reports every column reference that no source in scope has, when the
columns of every source it could come from are known: warehouse tables from the snapshot,
WITH queries and derived tables from their select lists (their `*` expanded from the
snapshot), `FLATTEN`'s fixed columns. `c.col` is checked against `c` alone; an unqualified
`col` against every FROM item of its SELECT and, for a correlated subquery, those of the
SELECTs around it. In BigQuery, Databricks and Redshift `x.field` also reads a field of a
STRUCT (SUPER) column `x`: `x` is reported when it names neither a source nor a column. Each
reference is reported, with the closest column name of the tables searched.

Names are compared the way the warehouse compares them: Snowflake upper-cases unquoted names and
compares quoted ones as written, Redshift lower-cases both, BigQuery and Databricks ignore the
case of column names.

Not reported: select-list aliases used in later clauses (`WHERE`, `GROUP BY`, `QUALIFY`,
`ORDER BY`) or later items (lateral column aliases), names of unaliased select items used in
`GROUP BY`, `ORDER BY`, `HAVING` or `QUALIFY`, `USING` columns, queries with a `NATURAL`
join, lambda parameters, `UNNEST` elements and their struct fields, warehouse pseudo-columns
(BigQuery `_PARTITIONTIME`, Databricks `_metadata`, Snowflake `METADATA$...`, Redshift Spectrum
`$path`), names read as functions (`SYSDATE`, `CURRENT_ROLE`), and any column of a source whose
columns are unknown (a table missing from the snapshot, a `PIVOT`, a table function). In
BigQuery and Databricks a `* EXCEPT (col)` or BigQuery `* REPLACE (... AS col)` naming a column
the `*` does not return is reported too.

Without a snapshot the rule does not run, and the summary line says so.

## Why is this bad?
The warehouse rejects the query ("invalid identifier", "Unrecognized name", "column does not
exist", `UNRESOLVED_COLUMN`), so the data model cannot be saved or its pipeline faults on its
next run. A snapshot committed next to the models catches a misspelt or dropped column in CI.

## Example
```sql
-- wsync-lint: schema=schemas/example.json
SELECT c.customer_id, c.emial AS email FROM analytics.crm.customers c
```

## Use instead
```sql
-- wsync-lint: schema=schemas/example.json
SELECT c.customer_id, c.email AS email FROM analytics.crm.customers c
```

## Known limitations
A Snowflake `* EXCLUDE (col)` or `* RENAME (col AS x)` naming a missing column is not checked.
A column a JOIN condition or table function reads from a FROM item that comes after it is not
reported (the warehouse may reject it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis import schema_columns
from wsync_lint.analysis.from_items import Source, SourceKind
from wsync_lint.analysis.output_names import OutputName
from wsync_lint.analysis.scope_tree import ColumnRef, Scope
from wsync_lint.analysis.scopes import PSEUDO_COLUMNS, Analysis, ColumnsOf, analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.contract.sql_context import SqlContext

# Dialects where `x.field` may read a field of a STRUCT / SUPER column `x`.
_STRUCT_DIALECTS = frozenset({"bigquery", "databricks", "redshift"})

# Unquoted names some warehouse reads as a function or keyword without parentheses, which
# sqlglot may parse as a column (`SYSDATE`, `CURRENT_ROLE`, `ORDER BY ALL`), and sequence calls.
_FUNCTION_NAMES = frozenset(
    {"sysdate", "systimestamp", "localtime", "localtimestamp", "user", "session_user", "system_user", "all"}
)
_FUNCTION_PREFIXES = ("current_",)
_SEQUENCE_CALLS = frozenset({"nextval", "currval"})

# Dialects whose `* EXCEPT (col)` rejects a column the `*` does not return.
_CHECKED_EXCEPT = frozenset({"bigquery", "databricks"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if ctx.schema is None or not ctx.nodes(exp.Column, exp.Star):
        return
    analysis = analyse(ctx)
    columns_of = schema_columns.columns_of(ctx)
    for ref in analysis.column_refs:
        if ref.opaque or ref.scope.opaque or not isinstance(ref.column.this, exp.Identifier):
            continue
        if ref.qualifier:
            finding = _qualified(ctx, analysis, columns_of, ref)
        else:
            finding = _unqualified(ctx, analysis, columns_of, ref)
        if finding is not None:
            yield finding
    if ctx.warehouse.name in _CHECKED_EXCEPT:
        yield from _star_modifiers(ctx, analysis)


# -- qualified references -------------------------------------------------------------------------


def _qualified(ctx: SqlContext, analysis: Analysis, columns_of: ColumnsOf, ref: ColumnRef) -> Finding | None:
    qualifier = ref.qualifier
    column = ref.column
    if _is_sequence_call(column):
        return None
    resolution = analysis.resolve(ref.scope, qualifier)
    if resolution is None:
        return _unresolved_qualifier(ctx, analysis, columns_of, ref)
    source = resolution.source
    if source.kind is SourceKind.UNNEST:
        return None  # `x.field` of an UNNEST element reads a struct field
    keys = analysis.name_keys(qualifier)
    if resolution.consumed == len(keys):
        name = column.this
    elif len(keys) == len(qualifier) and resolution.consumed < len(qualifier):
        name = qualifier[resolution.consumed]  # `t.col.field`: `col` is the column
    else:
        return None
    if not isinstance(name, exp.Identifier) or _exempt(ctx, name, ref.scope):
        return None
    known = columns_of(source)
    if known is None or analysis.key(name) in known:
        return None
    written = analysis.written(column)
    message = (
        f"{code(written)}: {schema_columns.describe_source(ctx, source)} has no column {code(analysis.written(name))}"
    )
    return Finding(name, _with_snapshot(ctx, source, message), hint=_hint(ctx, analysis, name, [source]))


def _unresolved_qualifier(ctx: SqlContext, analysis: Analysis, columns_of: ColumnsOf, ref: ColumnRef) -> Finding | None:
    """`x.field` where `x` names no source: in the struct dialects `x` may be a column. RF02
    reports `x` when the query text alone proves it no column; this reports it when only the
    snapshot does."""
    if ctx.warehouse.name not in _STRUCT_DIALECTS or analysis.scripted:
        return None
    first = ref.qualifier[0]
    if _exempt(ctx, first, ref.scope) or analysis.key(first) in analysis.select_aliases(ref.scope.select):
        return None
    if not analysis.could_be_column(ref.scope, first):
        return None  # RF02's finding
    if analysis.could_be_column(ref.scope, first, columns_of):
        return None
    searched = _searched(analysis, ref.scope, columns_of)
    if searched is None or not searched:
        return None
    written = analysis.written(ref.column)
    message = (
        f"{code(analysis.written(first))} in {code(written)} is neither a table in scope nor a column of "
        f"{_describe_all(ctx, searched)}"
    )
    return Finding(first, message, hint=_hint(ctx, analysis, first, searched))


# -- unqualified references -----------------------------------------------------------------------


def _unqualified(ctx: SqlContext, analysis: Analysis, columns_of: ColumnsOf, ref: ColumnRef) -> Finding | None:
    if analysis.scripted:
        return None  # procedural variables are read by bare name
    name = ref.column.this
    if not isinstance(name, exp.Identifier) or _exempt(ctx, name, ref.scope):
        return None
    candidates = analysis.unqualified_candidates(ref, columns_of)
    if candidates is None or candidates or schema_columns.reads_output_name(analysis, ref):
        return None
    key = analysis.key(name)
    # A JOIN condition or table function argument sees only the items before it; a correlated
    # subquery sees the SELECTs around it. Any of them having the name (or being unknown) is
    # enough to stay silent.
    for scope in ref.scope.chain():
        if scope is not ref.scope and key in analysis.select_aliases(scope.select):
            return None
        for source in scope.sources:
            if (key,) in source.paths:
                return None  # a table or range variable read as a value
    searched = _searched(analysis, ref.scope, columns_of)
    if searched is None or any(key in (columns_of(source) or ()) for source in searched):
        return None
    if not searched:
        return None  # no FROM: a name the query does not read from any table
    if len(searched) == 1:
        message = _with_snapshot(
            ctx,
            searched[0],
            f"{code(analysis.written(name))} is not a column of {schema_columns.describe_source(ctx, searched[0])}",
        )
    else:
        message = (
            f"{code(analysis.written(name))} is not a column of any table in scope: {_describe_all(ctx, searched)}"
        )
    return Finding(name, message, hint=_hint(ctx, analysis, name, searched))


def _searched(analysis: Analysis, scope: Scope, columns_of: ColumnsOf) -> list[Source] | None:
    """Every source visible from ``scope`` (its own, then the enclosing SELECTs'); None when
    the columns of one of them are unknown."""
    sources = analysis.visible_sources(scope)
    if any(columns_of(source) is None for source in sources):
        return None
    return sources


# -- star modifiers -------------------------------------------------------------------------------


def _star_modifiers(ctx: SqlContext, analysis: Analysis) -> Iterator[Finding]:
    """BigQuery / Databricks `* EXCEPT (col)` and BigQuery `* REPLACE (expr AS col)` naming a
    column the `*` does not return."""
    for star in ctx.nodes(exp.Star):
        names: list[tuple[exp.Identifier, str]] = []
        for node in star.args.get("except_") or []:
            identifier = node.this if isinstance(node, exp.Column) else node
            if isinstance(identifier, exp.Identifier):
                names.append((identifier, "EXCEPT"))
        if ctx.warehouse.name == "bigquery":
            for node in star.args.get("replace") or []:
                alias = node.args.get("alias") if isinstance(node, exp.Alias) else None
                if isinstance(alias, exp.Identifier):
                    names.append((alias, "REPLACE"))
        if not names:
            continue
        item = star.parent if isinstance(star.parent, exp.Column) else star
        select = item.parent
        if not isinstance(select, exp.Select) or item.arg_key != "expressions":
            continue
        scope = analysis.scope(select)
        if scope.opaque:
            continue
        columns = schema_columns.star_sources_columns(ctx, scope, item)
        keys = schema_columns.column_keys(ctx, columns) if columns is not None else None
        if columns is None or keys is None:
            continue
        written = "*" if item is star else analysis.written_name(_star_qualifier(item)) + ".*"
        for identifier, modifier in names:
            if analysis.key(identifier) in keys:
                continue
            message = (
                f"{code(written)} {modifier} names {code(analysis.written(identifier))}, "
                f"a column the {code(written)} does not return"
            )
            yield Finding(identifier, message, hint=_hint_from(ctx, identifier, columns))


# -- wording --------------------------------------------------------------------------------------


def _describe_all(ctx: SqlContext, sources: list[Source]) -> str:
    described = list(dict.fromkeys(schema_columns.describe_source(ctx, source) for source in sources))
    if len(described) > 4:
        described = [*described[:4], f"{len(described) - 4} more"]
    return ", ".join(described)


def _with_snapshot(ctx: SqlContext, source: Source, message: str) -> str:
    if source.kind is SourceKind.TABLE and ctx.schema is not None:
        return f"{message} in the schema snapshot"
    return message


def _hint(ctx: SqlContext, analysis: Analysis, name: exp.Identifier, sources: list[Source]) -> str:
    columns: list[OutputName] = []
    qualifiers: list[str | None] = []
    for source in sources:
        found = schema_columns.source_columns(ctx, source) or []
        columns.extend(found)
        qualifiers.extend([source.qualifier] * len(found))
    return _hint_from(ctx, name, columns, qualifiers if len(sources) > 1 else None)


def _hint_from(
    ctx: SqlContext,
    name: exp.Identifier,
    columns: list[OutputName],
    qualifiers: list[str | None] | None = None,
) -> str:
    """The closest column name, written so that it resolves; or what else to check."""
    names = [column.name for column in columns]
    wanted = name.name
    for stored in names:
        if stored is not None and stored.casefold() == wanted.casefold():
            quote = ctx.warehouse.identifier_quote
            exact = code(quote + stored.replace(quote, quote * 2) + quote)
            plain = _spelt(ctx, stored, name)
            if plain.startswith(quote):
                return f"the column is {exact}: a quoted name must match its case exactly"
            return f"the column is {exact}: write it unquoted ({code(plain)}) or quoted as stored ({exact})"
    choices = {stored.casefold(): index for index, stored in enumerate(names) if stored is not None}
    close = difflib.get_close_matches(wanted.casefold(), list(choices), n=1, cutoff=0.6)
    if close:
        index = choices[close[0]]
        suggestion = _spelt(ctx, names[index] or "", name)
        qualifier = qualifiers[index] if qualifiers is not None else None
        if qualifier:
            suggestion = f"{qualifier}.{suggestion}"
        return f"did you mean {code(suggestion)}?"
    return "check the name, or refresh the schema snapshot if the column is new"


def _spelt(ctx: SqlContext, stored: str, written: exp.Identifier) -> str:
    """A stored column name as the user would write it: unquoted in their case where the
    warehouse's folding gives the stored name back, else quoted."""
    warehouse = ctx.warehouse
    if warehouse.name in ("bigquery", "databricks"):
        return stored
    plain = stored.isidentifier() and stored.isascii()
    if plain and warehouse.fold(stored.lower()) == stored:
        return stored.lower() if written.name.islower() or written.quoted else stored
    quote = warehouse.identifier_quote
    return quote + stored.replace(quote, quote * 2) + quote


def _exempt(ctx: SqlContext, name: exp.Identifier, scope: Scope) -> bool:
    """Names that are no table column: pseudo-columns, names read as functions, template text."""
    text = name.name
    lowered = text.lower()
    if "{" in text or "}" in text:
        return True  # a template placeholder: PS03 reports it
    if not name.quoted:
        if lowered in _FUNCTION_NAMES or lowered.startswith(_FUNCTION_PREFIXES):
            return True
        if lowered in PSEUDO_COLUMNS.get(ctx.warehouse.name, frozenset()):
            return True
        if ctx.warehouse.name == "snowflake" and lowered == "level" and scope.select.args.get("connect"):
            return True  # CONNECT BY's LEVEL
    if ctx.warehouse.name == "snowflake" and lowered.startswith("metadata$"):
        return True  # stage and stream metadata columns
    return ctx.warehouse.name == "redshift" and text.startswith("$")  # Spectrum `$path`, `$size`


def _star_qualifier(item: exp.Expression) -> list[exp.Identifier]:
    return (
        [part for part in item.parts[:-1] if isinstance(part, exp.Identifier)] if isinstance(item, exp.Column) else []
    )


def _is_sequence_call(column: exp.Column) -> bool:
    return isinstance(column.this, exp.Identifier) and column.name.lower() in _SEQUENCE_CALLS


RULE = Rule(
    code="RF06",
    name="unknown-column",
    check=check,
    doc=__doc__ or "",
    needs=Needs.TREE,
    needs_schema=True,
)

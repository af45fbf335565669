"""A column is qualified with a name that is no table or alias in scope.

## What it does
Reports `x.col` where `x` names no source the SELECT can see: no alias, no unaliased table
(by its bare or fuller name, as in `db.s.t.col`), no WITH name, no `LATERAL`/`FLATTEN`/`UNNEST`
alias, and nothing in an enclosing SELECT (correlated subqueries see the outer tables). Names
are compared as the warehouse resolves them: unquoted names case-insensitively; in Snowflake a
quoted alias `"t"` only matches `"t"`. Snowflake paths (`f.value:name`) and Redshift SUPER
navigation (`c.orders[0].id`) are resolved by their first part.

## Why is this bad?
The warehouse rejects the query ("invalid identifier", "missing FROM-clause entry",
"Unrecognized name"), so the data model cannot be saved or its pipeline faults. mParticle's
own data-model examples carry this bug: `... FROM mp.demo_service.tickets WHERE t.status =
'open'` never defines `t`.

## Example
```sql
SELECT email AS email, COUNT(id) AS count_of_open_tickets
FROM mp.demo_service.tickets
WHERE t.status = 'open'
GROUP BY email
```

## Use instead
```sql
SELECT t.email AS email, COUNT(t.id) AS count_of_open_tickets
FROM mp.demo_service.tickets t
WHERE t.status = 'open'
GROUP BY t.email
```

## Known limitations
In BigQuery, Databricks and Redshift, `x.field` is also how a STRUCT (or SUPER) column `x` is
read, and without a schema the columns of a warehouse table are unknown. In those warehouses
the rule only reports `x` when it provably names no column either: every source in scope has
its columns spelled out in the query (WITH names, derived tables, aliased `UNNEST` or `LATERAL
VIEW`) and none is named `x`. Not even a table's own name after it was given an alias counts
as proof: a table `metrics` often has a STRUCT column `metrics`. So the official example above
is reported in Snowflake but not in those three warehouses, where `t` could be a STRUCT column
of `tickets`.

Not checked: qualifiers inside an `UPDATE`, `DELETE`, `MERGE` or routine body (`CREATE
FUNCTION`), files of procedural SQL (`FOR ... IN`, `DECLARE`, `BEGIN ... END`), lambda
parameters, `MATCH_RECOGNIZE` pattern variables and sequence calls (`seq.NEXTVAL`). A derived
table may use the aliases of the FROM items beside it, as if it were `LATERAL`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from sqlglot import exp

from wsync_lint.analysis.from_items import Source, SourceKind
from wsync_lint.analysis.scope_tree import ColumnRef
from wsync_lint.analysis.scopes import Analysis, analyse
from wsync_lint.contract.messages import code
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.contract.sql_context import SqlContext

# Dialects where `x.field` may read a field of a STRUCT / SUPER column `x`.
_STRUCT_DIALECTS = frozenset({"bigquery", "databricks", "redshift"})
_SEQUENCE_CALLS = frozenset({"nextval", "currval"})


def check(ctx: SqlContext, options: dict) -> Iterator[Finding]:
    if not ctx.nodes(exp.Column):
        return
    analysis = analyse(ctx)
    if analysis.scripted:
        return  # loop records and declared variables qualify columns too
    # One missing alias is one mistake: each undefined qualifier is reported once per SELECT, at
    # its first reference, however many columns it qualifies.
    undefined: dict[tuple[int, str], list[tuple[ColumnRef, exp.Identifier]]] = {}
    for ref in analysis.column_refs:
        qualifier = ref.qualifier
        if not qualifier or ref.opaque:
            continue
        if analysis.resolve(ref.scope, qualifier) is not None:
            continue
        if ref.scope.opaque or _is_sequence_call(ref.column):
            continue
        first = qualifier[0]
        if ctx.warehouse.name in _STRUCT_DIALECTS and not _provably_not_a_column(analysis, ref, first):
            continue
        undefined.setdefault((id(ref.scope), analysis.key(first)), []).append((ref, first))
    for references in undefined.values():
        ref, first = references[0]
        yield _finding(analysis, ref, first, len(references) - 1)


def _is_sequence_call(column: exp.Column) -> bool:
    return isinstance(column.this, exp.Identifier) and column.name.lower() in _SEQUENCE_CALLS


def _provably_not_a_column(analysis: Analysis, ref: ColumnRef, first: exp.Identifier) -> bool:
    key = analysis.key(first)
    if key in analysis.select_aliases(ref.scope.select):
        return False  # Databricks lateral column alias holding a struct
    return not analysis.could_be_column(ref.scope, first)


def _finding(analysis: Analysis, ref: ColumnRef, first: exp.Identifier, more: int) -> Finding:
    written_qualifier = analysis.written(first)
    reference = analysis.written(ref.column)
    visible = analysis.visible_sources(ref.scope)
    names = _unique([s.qualifier for s in visible if s.qualifier])
    if names:
        in_scope = "in scope: " + ", ".join(code(n) for n in names)
    else:
        in_scope = "no table in scope has a name or alias"
    message = f"{code(written_qualifier)} in {code(reference)} is no table or alias in scope ({in_scope})"
    if more:
        message += f"; so are its {more} other use{'s' if more > 1 else ''} in this SELECT"
    return Finding(first, message, hint=_hint(analysis, first, visible, names))


def _hint(analysis: Analysis, first: exp.Identifier, visible: list[Source], names: list[str]) -> str:
    written_qualifier = analysis.written(first)
    # Same letters, different case or quoting: the warehouse resolves them differently.
    for source in visible:
        if source.qualifier and source.qualifier.strip('"`').casefold() == first.name.casefold():
            return f"write it as the source is named, {code(source.qualifier)} (quoted names are case-sensitive)"
    for source in visible:
        if source.alias is not None and source.name and analysis.key(source.name[-1]) == analysis.key(first):
            return f"the table is aliased {code(source.label)} here: qualify with {code(source.label)} instead"
    close = difflib.get_close_matches(first.name, [n.strip('"`') for n in names], n=1, cutoff=0.6)
    if close:
        return f"did you mean {code(close[0])}?"
    unaliased = [s for s in visible if s.kind in (SourceKind.TABLE, SourceKind.CTE) and s.alias is None and s.name]
    if len(unaliased) == 1:
        table = analysis.written_name(unaliased[0].name)
        return f"add {code(written_qualifier)} after the table name: {code(f'{table} {written_qualifier}', limit=200)}"
    if names:
        listed = ", ".join(code(n) for n in names)
        return f"qualify it with one of {listed}, or add {code(written_qualifier)} after the table name"
    if not visible:
        return f"this SELECT has no FROM: add the table {code(written_qualifier)} stands for"
    return f"give the FROM item {code(written_qualifier)} stands for that alias (`... AS {written_qualifier}`)"


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


RULE = Rule(
    code="RF02",
    name="undefined-qualifier",
    check=check,
    doc=__doc__,
    needs=Needs.TREE,
    default_severity=Severity.ERROR,
)

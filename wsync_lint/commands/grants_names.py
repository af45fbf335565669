"""How grant statements write and compare warehouse names: name parts, quoting only where needed, keys.

A name a model quotes stays quoted only where the quotes change what it names; a name that
cannot be written plainly is quoted as the warehouse would resolve it. Keys compare names as the
warehouse compares them, so that two spellings of one table get one grant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.bare_names import PLAIN_CHARACTERS, writable_unquoted


@dataclass(frozen=True)
class Part:
    """One part of a dotted name: as written, and whether it was quoted."""

    name: str
    quoted: bool = False

    @staticmethod
    def setting(value: str) -> Part:
        """A name from a connection's config: unquoted, unless its characters need quotes."""
        return Part(value, quoted=PLAIN_CHARACTERS.fullmatch(value) is None)


def identifier(part: Part, dialect: str) -> exp.Identifier:
    """The identifier for ``part``, quoted only where the warehouse needs it.

    A quoted name stays quoted where quoting changes what it names (Snowflake ``"users"``, Redshift
    ``"Sales"`` with case-sensitive identifiers); a name that cannot be written plainly is quoted
    as the warehouse would resolve it.

    >>> identifier(Part("USERS", quoted=True), "snowflake").sql("snowflake")
    'USERS'
    >>> identifier(Part("users", quoted=True), "snowflake").sql("snowflake")
    '"users"'
    >>> identifier(Part("date"), "snowflake").sql("snowflake")
    '"DATE"'
    """
    warehouse = WAREHOUSES[dialect]
    if part.quoted and (
        warehouse.returned_name(part.name, False) != warehouse.returned_name(part.name, True)
        # Redshift folds quoted names too, unless enable_case_sensitive_identifier is on: then
        # the quotes matter, and they never hurt.
        or (warehouse.folds_quoted and part.name != warehouse.fold(part.name))
    ):
        return exp.to_identifier(part.name, quoted=True)
    if writable_unquoted(part.name, dialect):
        return exp.to_identifier(part.name, quoted=False)
    name = part.name if part.quoted else warehouse.returned_name(part.name, False)
    return exp.to_identifier(name, quoted=True)


def name_key(parts: Sequence[Part], dialect: str) -> tuple[str, ...]:
    """How the warehouse tells names apart (BigQuery dataset and table names are case-sensitive)."""
    if dialect == "bigquery":
        return tuple(part.name for part in parts)
    warehouse = WAREHOUSES[dialect]
    return tuple(warehouse.reference_key(part.name, part.quoted) for part in parts)


def table_expression(parts: Sequence[Part], dialect: str) -> exp.Table:
    """A dotted name as a sqlglot table (outermost part first)."""
    identifiers = [identifier(part, dialect) for part in parts]
    table = exp.Table(this=identifiers[-1])
    if len(identifiers) >= 2:
        table.set("db", identifiers[-2])
    if len(identifiers) >= 3:
        table.set("catalog", identifiers[-3])
    return table


def sql_name(parts: Sequence[Part], dialect: str) -> str:
    """A dotted name as the warehouse's SQL writes it."""
    return table_expression(parts, dialect).sql(dialect=dialect)


def grant_sql(
    privilege: str, kind: str, on: exp.Expression, grantee: Part, grantee_kind: str | None, dialect: str
) -> str:
    """``GRANT privilege ON kind on TO grantee_kind grantee`` in the warehouse's SQL."""
    node = exp.Grant(
        privileges=[exp.GrantPrivilege(this=exp.Var(this=privilege))],
        kind=kind,
        securable=on,
        principals=[exp.GrantPrincipal(this=identifier(grantee, dialect), kind=grantee_kind)],
    )
    return node.sql(dialect=dialect)

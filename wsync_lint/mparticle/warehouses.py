"""What each warehouse does with identifiers: the one place that decides case folding.

Rules never hard-code "Snowflake upper-cases": they ask the :class:`Warehouse` for the name an
output column will carry (:meth:`Warehouse.returned_name`). The facts and their sources are in
``shared/spec/mparticle-facts.md`` (WS-SQL-12, WS-SQL-13, WS-TYPE-06).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Folding = Literal["upper", "lower", "preserve"]


@dataclass(frozen=True)
class Warehouse:
    """Identifier behaviour of one warehouse, as data."""

    name: str
    """Our dialect name, also the sqlglot dialect name."""
    display: str
    """How users and mParticle's docs spell it."""
    folding: Folding
    """What the warehouse does to an unquoted identifier."""
    folds_quoted: bool
    """True where quoted identifiers are folded too (Redshift, by default)."""
    identifier_quote: str
    """The character that quotes an identifier."""
    max_name_length: int | None
    """Longest column name the warehouse returns; None where no limit on a query's output names is documented."""
    length_in_bytes: bool
    """True where ``max_name_length`` counts UTF-8 bytes rather than characters."""
    name_pattern: re.Pattern[str] | None
    """Column names the warehouse can return as written; None where any character works."""
    name_rule: str
    """The naming rule in words, for messages."""
    source: str

    def fold(self, name: str) -> str:
        """Apply the warehouse's folding of unquoted identifiers to ``name``."""
        if self.folding == "upper":
            return name.upper()
        if self.folding == "lower":
            return name.lower()
        return name

    def returned_name(self, name: str, quoted: bool) -> str:
        """The column name the warehouse returns for an identifier written as ``name``.

        >>> SNOWFLAKE.returned_name("propensity", quoted=False)
        'PROPENSITY'
        >>> REDSHIFT.returned_name("Propensity", quoted=True)
        'propensity'
        """
        if quoted and not self.folds_quoted:
            return name
        return self.fold(name)

    def name_length(self, name: str) -> int:
        """The length of ``name`` in the unit the warehouse's limit uses."""
        return len(name.encode("utf-8")) if self.length_in_bytes else len(name)

    def reference_key(self, name: str, quoted: bool) -> str:
        """The key under which a reference to a table, alias or column named ``name`` resolves.

        Two references name the same object exactly when their keys are equal. Snowflake
        compares quoted names as written and unquoted ones upper-cased; Redshift lower-cases
        both (by default); BigQuery and Databricks resolve aliases and column names
        case-insensitively whether quoted or not.

        >>> SNOWFLAKE.reference_key("t", quoted=True) == SNOWFLAKE.reference_key("t", quoted=False)
        False
        >>> BIGQUERY.reference_key("Status", quoted=True) == BIGQUERY.reference_key("STATUS", quoted=False)
        True
        """
        return self.column_key(self.returned_name(name, quoted))

    def column_key(self, returned_name: str) -> str:
        """The key under which two returned column names are the same column.

        Snowflake and Redshift compare returned names exactly (their folding already happened);
        BigQuery and Databricks keep the case but resolve names case-insensitively, so `Email`
        and `email` are one column there.

        >>> BIGQUERY.column_key("Email") == BIGQUERY.column_key("email")
        True
        >>> SNOWFLAKE.column_key("Email") == SNOWFLAKE.column_key("EMAIL")
        False
        """
        return returned_name.casefold() if self.folding == "preserve" else returned_name


SNOWFLAKE = Warehouse(
    name="snowflake",
    display="Snowflake",
    folding="upper",
    folds_quoted=False,
    identifier_quote='"',
    max_name_length=255,
    length_in_bytes=False,
    name_pattern=None,
    name_rule="at most 255 characters",
    source="https://docs.snowflake.com/en/sql-reference/identifiers-syntax",
)
BIGQUERY = Warehouse(
    name="bigquery",
    display="BigQuery",
    folding="preserve",
    folds_quoted=False,
    identifier_quote="`",
    max_name_length=300,
    length_in_bytes=False,
    name_pattern=re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z"),
    name_rule="letters, digits and underscores, starting with a letter or underscore, at most 300 characters",
    source="https://cloud.google.com/bigquery/docs/schemas",
)
REDSHIFT = Warehouse(
    name="redshift",
    display="Redshift",
    folding="lower",
    folds_quoted=True,
    identifier_quote='"',
    max_name_length=127,
    length_in_bytes=True,
    name_pattern=None,
    name_rule="at most 127 bytes",
    source="https://docs.aws.amazon.com/redshift/latest/dg/r_enable_case_sensitive_identifier.html",
)
DATABRICKS = Warehouse(
    name="databricks",
    display="Databricks",
    folding="preserve",
    folds_quoted=False,
    identifier_quote="`",
    # Delta's forbidden characters and 255-character limit are for table columns: a query returns
    # any name as written, and no Warehouse Sync fact constrains it (WS-TYPE-06 names only
    # Snowflake and BigQuery).
    max_name_length=None,
    length_in_bytes=False,
    name_pattern=None,
    name_rule="any name",
    source="https://docs.databricks.com/en/sql/language-manual/sql-ref-identifiers.html",
)

# Redshift functions whose unaliased result is named after another function: "The default column
# name for a DATEADD function is DATE_ADD" (r_DATEADD_function), likewise DATEDIFF's `date_diff`
# (r_DATEDIFF_function) and "The default column name for an NVL expression is COALESCE"
# (r_NVL_function), all under https://docs.aws.amazon.com/redshift/latest/dg/.
REDSHIFT_RENAMED_FUNCTIONS: dict[str, str] = {"dateadd": "date_add", "datediff": "date_diff", "nvl": "coalesce"}

WAREHOUSES: dict[str, Warehouse] = {w.name: w for w in (SNOWFLAKE, BIGQUERY, REDSHIFT, DATABRICKS)}
"""Every supported warehouse by dialect name, in the order they are listed to users."""

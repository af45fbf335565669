"""The rule registry: one module per rule, listed explicitly (nothing registers by import magic).

To add a rule: write ``<code>_<name>.py`` with a docstring and ``RULE``, its case table
``rules/<CODE>.yaml``, and one line below.
"""

from __future__ import annotations

from wsync_lint.rule import Rule
from wsync_lint.rules import (
    co01_unaliased_expression,
    co02_duplicate_output_name,
    co03_too_many_columns,
    co04_case_folded_name,
    co05_invalid_attribute_name,
    id01_missing_identity,
    id02_identity_near_miss,
    id03_duplicate_identity,
    ps01_parse_error,
    ps02_unreadable_file,
    ps03_template_placeholder,
    ps04_invalid_character,
    rf01_unqualified_table,
    rf02_undefined_qualifier,
    rf03_aggregate_without_group_by,
    rf04_select_star,
    rf07_ambiguous_column,
    st01_not_a_query,
    st02_multiple_statements,
    st03_trailing_semicolon,
    st04_cte_unsupported,
    st05_wrong_quote_style,
    st06_foreign_dialect_syntax,
    st07_trailing_line_comment,
    wl01_unused_suppression,
    wl02_invalid_suppression,
)

RULES: tuple[Rule, ...] = (
    co01_unaliased_expression.RULE,
    co02_duplicate_output_name.RULE,
    co03_too_many_columns.RULE,
    co04_case_folded_name.RULE,
    co05_invalid_attribute_name.RULE,
    id01_missing_identity.RULE,
    id02_identity_near_miss.RULE,
    id03_duplicate_identity.RULE,
    ps01_parse_error.RULE,
    ps02_unreadable_file.RULE,
    ps03_template_placeholder.RULE,
    ps04_invalid_character.RULE,
    rf01_unqualified_table.RULE,
    rf02_undefined_qualifier.RULE,
    rf03_aggregate_without_group_by.RULE,
    rf04_select_star.RULE,
    rf07_ambiguous_column.RULE,
    st01_not_a_query.RULE,
    st02_multiple_statements.RULE,
    st03_trailing_semicolon.RULE,
    st04_cte_unsupported.RULE,
    st05_wrong_quote_style.RULE,
    st06_foreign_dialect_syntax.RULE,
    st07_trailing_line_comment.RULE,
    wl01_unused_suppression.RULE,
    wl02_invalid_suppression.RULE,
)

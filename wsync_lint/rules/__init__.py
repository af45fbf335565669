"""The rule registry's table: one line per rule module, listed explicitly (nothing registers by
import magic), so that the registry knows every code, name and selector without importing a rule.

A rule module is imported only when its rule runs (or is asked for by code): a one-file check with
``--select ST03`` imports ``st03_trailing_semicolon`` alone. ``tests/test_lazy_imports.py``
keeps each line equal to its module's ``RULE``.

To add a rule: write ``<code>_<name>.py`` with a docstring and ``RULE``, its case table
``rules/<CODE>.yaml``, and one line below. A rule imports only :mod:`wsync_lint.analysis` and the
layers below it, never another rule (what two rules share belongs in ``analysis``).
"""

from __future__ import annotations

from typing import NamedTuple

from wsync_lint.contract.rule import Needs, Rule
from wsync_lint.lazy import imported


class RuleEntry(NamedTuple):
    """What the registry knows of a rule before its module is imported: what selects it and
    where it runs; :meth:`load` imports the module for the rest."""

    code: str
    name: str
    module: str
    """The module's name in this package (``st03_trailing_semicolon``)."""
    needs: Needs
    default_enabled: bool = True
    aliases: tuple[str, ...] = ()
    payload_check: bool = False
    """Whether the rule also checks payload files (its ``payload_check``)."""
    needs_schema: bool = False

    def load(self) -> Rule:
        """The rule itself, importing its module (once: Python keeps it)."""
        rule: Rule = imported(f"{__name__}.{self.module}", "RULE")
        return rule


RULE_INDEX: tuple[RuleEntry, ...] = (
    RuleEntry("CN01", "invalid-connection", "cn01_invalid_connection", Needs.PAYLOAD),
    RuleEntry("CN02", "plaintext-secret", "cn02_plaintext_secret", Needs.PAYLOAD),
    RuleEntry("CN03", "invalid-data-model", "cn03_invalid_data_model", Needs.PAYLOAD),
    RuleEntry("CN04", "invalid-field-transformation", "cn04_invalid_field_transformation", Needs.PAYLOAD),
    RuleEntry("CN05", "mapping-source-not-in-output", "cn05_mapping_source_not_in_output", Needs.PROJECT),
    RuleEntry("CO01", "unaliased-expression", "co01_unaliased_expression", Needs.TREE),
    RuleEntry("CO02", "duplicate-output-name", "co02_duplicate_output_name", Needs.TREE),
    RuleEntry("CO03", "too-many-columns", "co03_too_many_columns", Needs.TREE),
    RuleEntry("CO04", "case-folded-name", "co04_case_folded_name", Needs.TREE),
    RuleEntry("CO05", "invalid-attribute-name", "co05_invalid_attribute_name", Needs.TREE),
    RuleEntry("ID01", "missing-identity", "id01_missing_identity", Needs.TREE),
    RuleEntry("ID02", "identity-near-miss", "id02_identity_near_miss", Needs.TREE),
    RuleEntry("ID03", "duplicate-identity", "id03_duplicate_identity", Needs.TREE),
    RuleEntry("LV01", "warehouse-rejected", "lv01_warehouse_rejected", Needs.LIVE),
    RuleEntry("LV02", "missing-grant", "lv02_missing_grant", Needs.LIVE),
    RuleEntry("LV03", "record-limit", "lv03_record_limit", Needs.LIVE),
    RuleEntry("LV04", "schema-drift", "lv04_schema_drift", Needs.LIVE),
    RuleEntry("LV05", "api-state", "lv05_api_state", Needs.API),
    RuleEntry("LV06", "immutable-field-changed", "lv06_immutable_field_changed", Needs.API),
    RuleEntry("LV07", "scan-cost", "lv07_scan_cost", Needs.LIVE),
    RuleEntry("LV08", "identity-quality", "lv08_identity_quality", Needs.LIVE),
    RuleEntry("LV09", "iterator-values", "lv09_iterator_values", Needs.LIVE),
    RuleEntry("PL01", "invalid-pipeline", "pl01_invalid_pipeline", Needs.PAYLOAD),
    RuleEntry("PL02", "field-transformation-mismatch", "pl02_field_transformation_mismatch", Needs.PAYLOAD),
    RuleEntry("PL03", "incremental-without-iterator", "pl03_incremental_without_iterator", Needs.PAYLOAD),
    RuleEntry("PL04", "invalid-schedule", "pl04_invalid_schedule", Needs.PAYLOAD),
    RuleEntry("PL05", "invalid-timestamp", "pl05_invalid_timestamp", Needs.PAYLOAD),
    RuleEntry("PL06", "data-plan-incomplete", "pl06_data_plan_incomplete", Needs.PAYLOAD),
    RuleEntry("PL07", "dangling-reference", "pl07_dangling_reference", Needs.PROJECT),
    RuleEntry("PL08", "v1-payload", "pl08_v1_payload", Needs.PAYLOAD),
    RuleEntry("PL09", "feed-provider-mismatch", "pl09_feed_provider_mismatch", Needs.PROJECT),
    RuleEntry("PL10", "too-many-active-pipelines", "pl10_too_many_active_pipelines", Needs.PROJECT),
    RuleEntry("PS01", "parse-error", "ps01_parse_error", Needs.TEXT),
    RuleEntry("PS02", "unreadable-file", "ps02_unreadable_file", Needs.SOURCE),
    RuleEntry("PS03", "template-placeholder", "ps03_template_placeholder", Needs.TEXT, payload_check=True),
    RuleEntry("PS04", "invalid-character", "ps04_invalid_character", Needs.TEXT),
    RuleEntry("PS05", "invalid-payload", "ps05_invalid_payload", Needs.PAYLOAD),
    RuleEntry("PS06", "duplicate-id", "ps06_duplicate_id", Needs.PROJECT),
    RuleEntry("RF01", "unqualified-table", "rf01_unqualified_table", Needs.TREE),
    RuleEntry("RF02", "undefined-qualifier", "rf02_undefined_qualifier", Needs.TREE),
    RuleEntry("RF03", "aggregate-without-group-by", "rf03_aggregate_without_group_by", Needs.TREE),
    RuleEntry("RF04", "select-star", "rf04_select_star", Needs.TREE),
    RuleEntry("RF05", "unknown-table", "rf05_unknown_table", Needs.TREE, needs_schema=True),
    RuleEntry("RF06", "unknown-column", "rf06_unknown_column", Needs.TREE, needs_schema=True),
    RuleEntry("RF07", "ambiguous-column", "rf07_ambiguous_column", Needs.TREE, needs_schema=True),
    RuleEntry("ST01", "not-a-query", "st01_not_a_query", Needs.TEXT),
    RuleEntry("ST02", "multiple-statements", "st02_multiple_statements", Needs.TEXT),
    RuleEntry("ST03", "trailing-semicolon", "st03_trailing_semicolon", Needs.TEXT),
    RuleEntry("ST04", "cte-unsupported", "st04_cte_unsupported", Needs.TREE),
    RuleEntry("ST05", "wrong-quote-style", "st05_wrong_quote_style", Needs.TEXT),
    RuleEntry("ST06", "foreign-dialect-syntax", "st06_foreign_dialect_syntax", Needs.TEXT),
    RuleEntry("ST07", "trailing-line-comment", "st07_trailing_line_comment", Needs.TEXT),
    RuleEntry("ST08", "side-effect-function", "st08_side_effect_function", Needs.TREE),
    RuleEntry("SY01", "iterator-not-in-output", "sy01_iterator_not_in_output", Needs.PROJECT),
    RuleEntry("SY02", "iterator-name-mismatch", "sy02_iterator_name_mismatch", Needs.PROJECT),
    RuleEntry("SY03", "iterator-type-not-allowed", "sy03_iterator_type_not_allowed", Needs.PROJECT),
    RuleEntry("SY04", "iterator-type-mismatch", "sy04_iterator_type_mismatch", Needs.TREE),
    RuleEntry("SY05", "volatile-iterator", "sy05_volatile_iterator", Needs.TREE),
    RuleEntry(
        "SY06",
        "naive-timestamp-iterator",
        "sy06_naive_timestamp_iterator",
        Needs.TREE,
        default_enabled=False,
        needs_schema=True,
    ),
    RuleEntry("SY07", "unbounded-first-sync", "sy07_unbounded_first_sync", Needs.PAYLOAD),
    RuleEntry("SY08", "full-sync-on-interval", "sy08_full_sync_on_interval", Needs.PAYLOAD),
    RuleEntry("SY09", "nullable-iterator", "sy09_nullable_iterator", Needs.PROJECT),
    RuleEntry("SY10", "creation-time-iterator", "sy10_creation_time_iterator", Needs.PROJECT),
    RuleEntry("TY01", "unsupported-column-type", "ty01_unsupported_column_type", Needs.TREE),
    RuleEntry("TY02", "nested-array-in-events", "ty02_nested_array_in_events", Needs.TREE),
    RuleEntry("WL01", "unused-suppression", "wl01_unused_suppression", Needs.SUPPRESSIONS),
    RuleEntry("WL02", "invalid-suppression", "wl02_invalid_suppression", Needs.SUPPRESSIONS),
)
"""Every rule, ordered by code."""

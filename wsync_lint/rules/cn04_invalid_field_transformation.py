"""A field transformation payload misses a required field or has a mapping its `mapping_type` forbids.

## What it does
Checks each field transformation (Field Transformations API) in a payload file:

- the required fields `id` (letters, digits, `-` and `_`), `name`, `destination_type`
  (`event_batch`) and `mappings`, a non-empty list of objects;
- each mapping's `mapping_type`, required: `column`, `static` or `ignore`;
- `source`, a string: required for `column` and `ignore` mappings, unset or `null` for `static`
  ones;
- `destination`, a string: required for `column` and `static` mappings, unset or `null` for
  `ignore` ones;
- `value`: a `static` mapping needs one, as a string.

A mapping with an unknown `mapping_type` (the docs' template value `mapping-type`) is reported
once, at its type: its `source` and `destination` rules depend on the type. Whether a `source`
is an output column of the pipeline's model is CN05's.

## Why is this bad?
The API rejects the field transformation, and an events pipeline cannot be created without one.
A `static` mapping with a `source`, or an `ignore` mapping with a `destination`, does not do
what its author meant.

## Example
```json
{
  "id": "orders-to-events",
  "name": "Orders to events",
  "destination_type": "event_batch",
  "mappings": [
    {"mapping_type": "column", "source": "ORDER_ID", "destination": "event_id"},
    {"mapping_type": "static", "source": "EVENT_TYPE", "destination": "event_type"},
    {"mapping_type": "ignore", "source": "INTERNAL_NOTES", "destination": "notes"}
  ]
}
```

## Use instead
```json
{
  "id": "orders-to-events",
  "name": "Orders to events",
  "destination_type": "event_batch",
  "mappings": [
    {"mapping_type": "column", "source": "ORDER_ID", "destination": "event_id"},
    {"mapping_type": "static", "value": "custom_event", "destination": "event_type"},
    {"mapping_type": "ignore", "source": "INTERNAL_NOTES"}
  ]
}
```

## Known limitations
The grammar of `destination` paths is not documented in full: any non-empty string is accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wsync_lint.analysis.payload_schema import ID_SCHEMA, choices, schema_findings
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind

_TEXT = {"type": "string", "minLength": 1}
_NULL_ONLY = {"not": {"type": "null"}}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _field_rule(field: str, needed_by: tuple[str, ...], mapping_type: str, what: str) -> dict[str, Any]:
    """`source`/`destination` for one `mapping_type`: required (a string) or unset/null."""
    if mapping_type in needed_by:
        return {
            "required": [field],
            "description": f"{what}: {choices(needed_by)} mappings need one",
            "properties": {field: _TEXT},
        }
    return {
        "properties": {
            field: {
                "not": _NULL_ONLY,
                "description": f"{_article(mapping_type)} `{mapping_type}` mapping takes no `{field}` "
                "(leave it unset or null)",
            }
        }
    }


def _mapping_schema() -> dict[str, Any]:
    rules = []
    for mapping_type in facts.MAPPING_TYPES:
        then = [
            _field_rule("source", facts.MAPPING_NEEDS_SOURCE, mapping_type, "the warehouse column"),
            _field_rule("destination", facts.MAPPING_NEEDS_DESTINATION, mapping_type, "the mParticle field"),
        ]
        if mapping_type == "static":
            then.append(
                {
                    "required": ["value"],
                    "description": "the string a `static` mapping sets",
                    "properties": {"value": {"type": "string"}},
                }
            )
        rules.append(
            {
                "if": {"required": ["mapping_type"], "properties": {"mapping_type": {"const": mapping_type}}},
                "then": {"allOf": then},
            }
        )
    return {
        "type": "object",
        "required": ["mapping_type"],
        "description": f"one of {choices(facts.MAPPING_TYPES)}",
        "properties": {"mapping_type": {"enum": list(facts.MAPPING_TYPES)}},
        "allOf": rules,
    }


SCHEMA: dict[str, Any] = {
    "type": "object",
    "allOf": [
        {"required": ["id"], "description": "a slug: letters, digits, `_` and `-`"},
        {"required": ["name"]},
        {"required": ["destination_type"], "description": choices(facts.DESTINATION_TYPES)},
        {"required": ["mappings"], "description": "the list of mappings"},
    ],
    "properties": {
        "id": ID_SCHEMA,
        "name": _TEXT,
        "destination_type": {"enum": list(facts.DESTINATION_TYPES)},
        "mappings": {"type": "array", "minItems": 1, "items": _mapping_schema()},
    },
}


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for transformation in ctx.of_kind(Kind.FIELD_TRANSFORMATION):
        yield from schema_findings(transformation, SCHEMA)


RULE = Rule(
    code="CN04",
    name="invalid-field-transformation",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

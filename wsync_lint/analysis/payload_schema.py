"""Payload shapes as JSON Schema, and schema errors as findings in the user's terms.

Rules describe the shape a resource must have as a JSON Schema (built from :mod:`wsync_lint.mparticle.facts`,
so each documented value lives once) and call :func:`schema_findings`. jsonschema does the
validating; this module turns each error into a :class:`~wsync_lint.contract.rule.Finding` that points at
the offending key and says what is wrong without jsonschema's jargon. A schema may give a
``description`` to a property: it is used to explain a failed ``pattern`` ("letters, digits,
`_` and `-`").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from wsync_lint.contract.rule import Finding, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Resource

SLUG = "a slug (letters, digits, `_` and `-`)"
ID_SCHEMA: dict[str, Any] = {"type": "string", "pattern": facts.ID_PATTERN, "description": SLUG}
"""A resource `id` (WS-DM-01, WS-CONN-01, WS-PIPE-01, WS-FT-01)."""
TEXT_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1}


def required(keys: Iterable[str], descriptions: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """``allOf`` items requiring each key, with the description a missing key's hint quotes."""
    described = descriptions or {}
    return [{"required": [key], **({"description": described[key]} if key in described else {})} for key in keys]


_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def type_name(value: Any) -> str:
    """How a message names the JSON type of ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def shown(value: Any) -> str:
    """A value as a message quotes it (short)."""
    import json

    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return f"`{text}`" if len(text) <= 60 else f"`{text[:57]}...`"


def dotted(path: tuple[str | int, ...]) -> str:
    """``("sync_mode", "from")`` -> ``sync_mode.from``; list items as ``mappings[2]``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def choices(values: tuple[str, ...] | list[str]) -> str:
    """``a``, ``b`` or ``c``, for messages."""
    quoted = [f"`{value}`" for value in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def schema_findings(
    resource: Resource, schema: Mapping[str, Any], *, severity: Severity | None = None
) -> Iterator[Finding]:
    """A finding for each way ``resource`` breaks ``schema`` (a JSON Schema, draft 2020-12)."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(resource.data), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for error in _leaf_errors(errors):
        yield from _findings(resource, error, severity)


def _leaf_errors(errors: list[Any]) -> Iterator[Any]:
    """The errors to report: for ``anyOf``/``oneOf``/``if``, the most specific sub-error."""
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            best = max(error.context, key=lambda e: len(e.absolute_path))
            yield best
        else:
            yield error


def _findings(resource: Resource, error: Any, severity: Severity | None) -> Iterator[Finding]:
    if error.validator == "required":
        yield from _missing(resource, error, severity)
        return
    finding = _finding(resource, error, severity)
    if finding is not None:
        yield finding


def _missing(resource: Resource, error: Any, severity: Severity | None) -> Iterator[Finding]:
    """One finding per missing key, at the object that lacks it."""
    path = tuple(error.absolute_path)
    name = dotted(path) if path else resource.kind.display
    value = error.instance
    description = error.schema.get("description") if isinstance(error.schema, Mapping) else None
    where = f"`{name}`" if path else resource.label
    for key in error.validator_value:
        if isinstance(value, Mapping) and key in value:
            continue
        yield Finding(
            resource.key_at(*path) if path else resource.start,
            f"{where} has no `{key}`, which the API requires",
            hint=f"add `{dotted((*path, key))}`" + (f" ({description})" if description else ""),
            severity=severity,
        )


def _finding(resource: Resource, error: Any, severity: Severity | None) -> Finding | None:
    path = tuple(error.absolute_path)
    name = dotted(path) if path else resource.kind.display
    value = error.instance
    kind = error.validator
    description = error.schema.get("description") if isinstance(error.schema, Mapping) else None
    at = resource.value_at(*path)
    if kind in ("enum", "const"):
        allowed = list(error.validator_value) if kind == "enum" else [error.validator_value]
        whose = f"`{name}` of {resource.label}" if path else f"`{name}`"
        return Finding(
            at,
            f"{whose} is {shown(value)}; {resource.kind.display}s take {choices([str(a) for a in allowed])}",
            hint=_allowed_hint(value, [str(a) for a in allowed]),
            severity=severity,
        )
    if kind == "type":
        expected = error.validator_value
        names = [_TYPE_NAMES.get(t, t) for t in (expected if isinstance(expected, list) else [expected])]
        return Finding(
            at,
            f"`{name}` is {type_name(value)}; the API expects {' or '.join(names)}",
            hint=f"write `{name}` as {names[0]}",
            severity=severity,
        )
    if kind == "pattern":
        if description:
            return Finding(
                at,
                f"`{name}` {shown(value)} is not {description}",
                hint=f"write `{name}` as {description}",
                severity=severity,
            )
        return Finding(
            at,
            f"`{name}` {shown(value)} does not match `{error.validator_value}`",
            hint=f"write `{name}` to match `{error.validator_value}`",
            severity=severity,
        )
    if kind in ("minItems", "minProperties"):
        return Finding(at, f"`{name}` is empty", hint=f"add at least one item to `{name}`", severity=severity)
    if kind == "minLength":
        return Finding(at, f"`{name}` is empty", hint=f"give `{name}` a value", severity=severity)
    if kind == "not":
        return Finding(
            resource.key_at(*path),
            f"`{name}` must not be given here" + (f": {description}" if description else ""),
            hint=f"remove `{name}`",
            severity=severity,
        )
    return Finding(at, f"`{name}`: {error.message}", severity=severity)


def _allowed_hint(value: Any, allowed: list[str]) -> str:
    """Which value to write: the one it is close to (another case, `-` for `_`, a typo), else the list."""
    listed = ("use " if len(allowed) == 1 else "use one of ") + choices(allowed)
    if not isinstance(value, str):
        return listed
    for option in allowed:
        if option.lower() == value.lower() and option != value:
            return f"{listed} (values are case-sensitive: `{option}`)"
    close = difflib.get_close_matches(_spelling(value), [_spelling(option) for option in allowed], n=1, cutoff=0.75)
    if close:
        meant = next(option for option in allowed if _spelling(option) == close[0])
        return f"did you mean `{meant}`?"
    return listed


def _spelling(value: str) -> str:
    """A value as compared for a suggestion: case, `-`, spaces and `_` do not count."""
    return value.lower().replace("-", "_").replace(" ", "_")


def read_only_findings(resource: Resource) -> Iterator[Finding]:
    """A warning for each response-only key a request sends (``status``, ``errors``, ``created_on`` ...)."""
    for key in facts.READ_ONLY_KEYS:
        if key in resource.data:
            yield Finding(
                resource.key_at(key),
                f"`{key}` is a response-only field of a {resource.kind.display}; the API sets it",
                hint=f"remove `{key}` from the payload (a copied API response is not a request)",
                severity=Severity.WARNING,
            )

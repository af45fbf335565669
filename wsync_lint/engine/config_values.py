"""How the values of configuration keys and directive settings are read, the same in both.

A model setting (``dialect``, ``pipeline_type``, ...) takes the same values in a configuration file
and in a model's directive comment, and a problem is told in the spelling of the file that set it
(``pipeline-type`` in ``wsync-lint.toml``, ``pipeline_type`` in the comment), with the value most
likely meant. A list-valued key takes what the command line's ``--ignore`` takes.
"""

from __future__ import annotations

import difflib
from typing import Any

from wsync_lint.errors import UsageError
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.printable import quoted

MODEL_SETTINGS = ("dialect", "pipeline_type", "iterator_field", "iterator_data_type")
DIRECTIVE_SETTINGS = (*MODEL_SETTINGS, "schema")
"""A model's own comment may also name its schema snapshot (relative to the SQL file)."""


def close_match(given: object, known: tuple[str, ...] | list[str]) -> str | None:
    """The one of ``known`` that ``given`` is most likely a misspelling of (None when none is close);
    compared without case and with ``-`` read as ``_``, as the keys are."""
    if not isinstance(given, str) or not given:
        return None
    by_folded = {name.lower().replace("-", "_"): name for name in known}
    found = difflib.get_close_matches(given.lower().replace("-", "_"), list(by_folded), n=1, cutoff=0.7)
    return by_folded[found[0]] if found else None


def did_you_mean(given: object, known: tuple[str, ...] | list[str]) -> str:
    """``"; did you mean 'x'?"`` when ``given`` is close to one of ``known``, else nothing."""
    return suggestion(close_match(given, known))


def suggestion(meant: str | None) -> str:
    """``"; did you mean 'x'?"`` for what was ``meant``, nothing when None: the end of a one-line error."""
    return f"; did you mean {meant!r}?" if meant is not None else ""


def setting_problem(key: str, value: Any, spelling: str | None = None) -> tuple[str, str | None] | None:
    """What is wrong with the model setting ``key`` (``pipeline_type``...) set to ``value``, in the
    words of the file that set it (``spelling``: the key as written there, ``pipeline-type`` in a
    configuration file, ``pipeline_type`` in a directive comment); with the value it most likely
    meant. None when the value is right."""
    name = spelling or key
    if key in _CHOICES:
        known = _CHOICES[key]()
        if isinstance(value, str) and value in known:
            return None
        return f"unknown {name} {quoted(value)} (expected one of: {', '.join(known)})", close_match(value, known)
    if key == "iterator_field" and (not isinstance(value, str) or not value):
        return f"{name} must be a column name", None
    if key == "schema" and (not isinstance(value, str) or not value.endswith(".json")):
        return f"{name} must name a schema snapshot file (.json)", None
    if key not in DIRECTIVE_SETTINGS:
        return f"unknown setting {quoted(name)}", close_match(key, DIRECTIVE_SETTINGS)
    return None


def validate_setting(key: str, value: Any, where: str, spelling: str | None = None) -> Any:
    """Check one model setting (config files, the Python API); ``value``, or a ``UsageError``."""
    problem = setting_problem(key, value, spelling)
    if problem is not None:
        message, meant = problem
        raise UsageError(f"{where}: {message}{suggestion(meant)}")
    return value


_CHOICES = {
    "dialect": lambda: tuple(WAREHOUSES),
    "pipeline_type": lambda: facts.PIPELINE_TYPES,
    "iterator_data_type": lambda: tuple(sorted({t for types in facts.ITERATOR_DATA_TYPES.values() for t in types})),
}
"""The model settings that take one of a list of values, and that list."""
CHOICE_SETTINGS = tuple(_CHOICES)


def string_list(value: Any, where: str, *, globs: bool = False) -> tuple[str, ...]:
    """A list-valued key's items, read as the command line reads ``--ignore RF01,ST03``: a list of
    strings or one string, each split at commas, with whitespace around items and empty items
    dropped. In ``globs`` a comma inside a character class (``[,]``: a literal comma) splits nothing."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise UsageError(f"{where}: expected a list of strings")
    split = _split_glob_list if globs else lambda item: item.split(",")
    return tuple(part.strip() for item in items for part in split(item) if part.strip())


def _split_glob_list(text: str) -> list[str]:
    """``text`` split at the commas that are not inside a ``[...]`` character class."""
    parts, start, index = [], 0, 0
    while index < len(text):
        if text[index] == "[" and (end := _class_end(text, index)) != -1:
            index = end + 1
            continue
        if text[index] == ",":
            parts.append(text[start:index])
            start = index + 1
        index += 1
    return [*parts, text[start:]]


def _class_end(pattern: str, opening: int) -> int:
    """Where the character class ``fnmatch`` opens at ``pattern[opening]`` (a ``[``) ends; -1 when it never does."""
    end = opening + 1
    end += pattern[end : end + 1] == "!"
    end += pattern[end : end + 1] == "]"  # a `]` first in the class is one of its characters
    return pattern.find("]", end)


def checked_globs(patterns: tuple[str, ...], at: str) -> tuple[str, ...]:
    """``patterns``, each checked to be a glob ``fnmatch`` reads as written: a ``[`` that opens
    no character class would silently match a literal ``[`` instead."""
    for pattern in patterns:
        index = 0
        while (index := pattern.find("[", index)) != -1:
            end = _class_end(pattern, index)
            if end == -1:
                raise UsageError(
                    f"{at}: {pattern!r} is not a valid glob: its `[` opens a character class that is never closed "
                    "(write `[[]` for a literal `[`)"
                )
            index = end + 1
    return patterns


def scan_prices(value: Any, at: str) -> dict[str, float]:
    """``scan-price-per-tib = {bigquery = 6.25, snowflake = 3}``: a price per warehouse."""
    if not isinstance(value, dict):
        raise UsageError(f"{at}: expected a table of warehouse = price per TiB scanned (bigquery = 6.25)")
    prices = {}
    for warehouse, price in value.items():
        if warehouse not in WAREHOUSES:
            raise UsageError(
                f"{at}: unknown warehouse {warehouse!r} (known: {', '.join(WAREHOUSES)})"
                + did_you_mean(warehouse, list(WAREHOUSES))
            )
        if not isinstance(price, int | float) or isinstance(price, bool) or not 0 <= price < float("inf"):
            raise UsageError(f"{at}.{warehouse}: expected a price of 0 or more per TiB scanned")
        prices[warehouse] = float(price)
    return prices

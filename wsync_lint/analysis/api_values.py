"""When a committed value and the value mParticle's API answers mean the same thing.

The API may spell a value differently from the file without it being a change: an instant in
another timezone notation (``2024-01-01T00:00:00Z`` and ``2024-01-01T00:00:00.000+00:00``), a data
plan version as a number or as text. Comparing the text would show a change on every plan (the
commonest defect reported against infrastructure-as-code providers), so these compare meanings.
Shared by the plan's diff and rule LV06.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def as_instant(value: Any) -> datetime | None:
    """``value`` as a UTC instant, when it is an ISO 8601 date-time (``T`` or a space between date
    and time).

    A date-time without a timezone is taken as UTC: mParticle's times are UTC, and its answers may
    write them without a zone (EX-V2-04's ``created_on``, ``2023-02-03T23:53:08.413``), so such an
    answer and the same instant written with ``Z`` are the same value. It is so on both sides
    alike: there is no other zone a naive value could be read in.

    >>> as_instant("2024-01-01T01:00:00+01:00")
    datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> as_instant("2022-07-01 16:00:00Z") == as_instant("2022-07-01T16:00:00") == as_instant("2022-07-01T16:00Z")
    True
    >>> as_instant("2024-01-01") is None, as_instant("16:00:00Z") is None
    (True, True)
    """
    if not isinstance(value, str) or _DATE_TIME.match(value.strip()) is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


_DATE_TIME = re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}[Tt ][0-9]{2}")
"""A date, then ``T`` or a space, then an hour: what :func:`as_instant` reads (a date alone is no instant)."""


def same_instant(committed: Any, live: Any) -> bool:
    """Whether two date-times name the same instant (equal text when either is no date-time); a
    date-time without a timezone is UTC (:func:`as_instant`).

    >>> same_instant("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000+00:00")
    True
    >>> same_instant("2022-07-01T16:00:00Z", "2022-07-01 16:00:00"), same_instant("2024-01-01T00:00:00Z", "2024-01-02")
    (True, False)
    """
    first, second = as_instant(committed), as_instant(live)
    if first is not None and second is not None:
        return first == second
    return bool(committed == live)


def as_integer(value: Any) -> int | None:
    """An integer written as a number or as a string of digits (``2``, ``"2"``, ``" 02 "``); None for
    anything else, a boolean included.

    >>> as_integer(2), as_integer(" 02 "), as_integer(True), as_integer("2.0")
    (2, 2, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def same_integer(committed: Any, live: Any) -> bool:
    """Whether two values are the same integer, written as a number or as text (``2`` and ``"2"``).

    >>> same_integer(2, "2"), same_integer("02", 2), same_integer(True, 1)
    (True, True, False)
    """
    first, second = as_integer(committed), as_integer(live)
    return first is not None and first == second if first is not None or second is not None else committed == live

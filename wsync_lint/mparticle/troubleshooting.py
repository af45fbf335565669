"""What to do about a fault mParticle reports, for the messages whose cause its docs name.

A faulted connection or pipeline and an invalid data model carry mParticle's own messages
(``errors[].message``, WS-ERR-08). mParticle's Troubleshooting Guide could not be retrieved
(GAP-2), so this table holds only the causes the captured documentation names, each with its
catalogue id (``../shared/spec/mparticle-facts.md`` section 3): a message is matched by words the
documented message or the warehouses' usual wording of that cause contain, never guessed beyond
them. Rule LV05 and ``wsync-lint status`` attach the advice as the finding's hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownCause:
    """A cause of faults that mParticle documents, how its messages read, and the advice."""

    source: str
    """The catalogue id of the documented behaviour (``WS-ERR-03``)."""
    pattern: re.Pattern[str]
    """Matches the messages this cause produces (case-insensitive)."""
    advice: str
    """What to do, in one line (the finding's hint)."""


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives), re.IGNORECASE)


KNOWN_CAUSES: tuple[KnownCause, ...] = (
    KnownCause(
        "WS-ERR-03",
        # R2/REF1: "The request failed to connect to the warehouse account. Check the username and
        # password, and make sure the source account ID, region, warehouse, and database entries are correct."
        _words(r"failed to connect", r"incorrect username or password", r"password authentication failed"),
        "check the connection's user and password, account, region, warehouse and database (WS-ERR-03); "
        "`wsync-lint preflight` logs in with the same settings",
    ),
    KnownCause(
        "WS-ERR-11",
        # QS1: "Simple mistakes, typos, or incorrect casing may prevent the warehouse sync from
        # working"; the warehouses answer a missing grant or a miscased name like this.
        _words(
            r"does not exist or not authori[sz]ed", r"permission denied", r"access denied", r"insufficient privileges"
        ),
        "the connection's user or role lacks a grant, or a name's case is wrong (WS-ERR-11): "
        "`wsync-lint grants` prints the statements to run and `wsync-lint preflight` checks them (LV02)",
    ),
    KnownCause(
        "WS-ERR-13",
        # T2: "Databricks Delta Sharing does not currently support the TIMESTAMP_NTZ data type."
        _words(r"timestamp_ntz"),
        "Databricks Delta Sharing does not support `TIMESTAMP_NTZ` (WS-ERR-13): cast the column to `TIMESTAMP` "
        "in the model",
    ),
    KnownCause(
        "WS-ERR-01",
        # R2: "This may mean the SQL query contains invalid characters or the query is otherwise invalid."
        _words(r"invalid character", r"syntax error", r"sql compilation error", r"query is otherwise invalid"),
        "the model's SQL is invalid for its warehouse (WS-ERR-01): `wsync-lint check` and `wsync-lint preflight` "
        "(LV01) show where",
    ),
    KnownCause(
        "WS-PIPE-12",
        # R2: a data plan "that is not active" (400) or "does not exist in your workspace" (404).
        _words(r"data plan"),
        "name a data plan version that exists and is active in the workspace (WS-PIPE-12)",
    ),
)


def advice_for(messages: tuple[str, ...] | list[str]) -> str | None:
    """The advice for the first of ``messages`` whose cause mParticle documents (None: no known cause).

    >>> advice_for(["Object 'CRM.PUBLIC.USERS' does not exist or not authorized."]).startswith("the connection's")
    True
    >>> advice_for(["something else"]) is None
    True
    """
    for message in messages:
        for cause in KNOWN_CAUSES:
            if cause.pattern.search(message):
                return cause.advice
    return None

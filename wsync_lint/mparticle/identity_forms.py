"""The form a value of each reserved identity must have, for the sampled data check (LV08).

mParticle lists the reserved identity columns (WS-SQL-18/19) but documents the form of few of
their values; the forms below are inferred from what the identity is, each with why, and are
deliberately loose: a value fails only when it cannot be the identity at all (an ``email`` with no
``@``, an ``mpid`` that is no integer, an advertising id that is no UUID). Identities whose values
have no fixed form (a customer id, a push token, a social id) fail only when blank.

Patterns are written without backslashes, anchored at both ends, in the subset of regular
expressions every warehouse reads alike (POSIX classes in brackets, ``{m,n}``): Snowflake's
``REGEXP_LIKE`` matches the whole value, BigQuery's RE2, Redshift's POSIX ``~`` and Databricks'
Java regex match anywhere, hence the anchors.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsync_lint.mparticle.facts import DEVICE_IDENTITIES, USER_IDENTITIES


@dataclass(frozen=True)
class IdentityForm:
    """What a value of an identity looks like."""

    words: str
    """The form in words, as messages say it."""
    pattern: str | None
    """A regular expression the value (as text) must match; None: any value that is not blank."""


_UUID = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
_NOT_BLANK = IdentityForm("any text that is not blank", None)

# mpid: mParticle's id is a signed 64-bit integer (IDSync); a float or a UUID in the column
# attaches rows to no profile, or to another one once precision is lost.
_MPID = IdentityForm("an integer of up to 19 digits, as a signed 64-bit mParticle id is", "^-?[0-9]{1,19}$")
# Loose on purpose: one `@`, something before it, a dot after it, no space. A stricter pattern
# would report valid addresses (quoted local parts, new top-level domains).
_EMAIL = IdentityForm("an email address (one @, a dot after it, no spaces)", "^[^@ ]+@[^@ ]+[.][^@ ]+$")
# E.164: up to 15 digits; the `+` is optional here, since warehouses often store it without.
_PHONE = IdentityForm(
    "an E.164 phone number (an optional +, then 7 to 15 digits, no spaces or punctuation)",
    "^[+]?[1-9][0-9]{6,14}$",
)
# Apple's IDFA and IDFV and Google's, Amazon's, Roku's and Microsoft's advertising ids are UUIDs.
_ADVERTISING_ID = IdentityForm("a UUID (8-4-4-4-12 hexadecimal digits)", _UUID)

IDENTITY_FORMS: dict[str, IdentityForm] = {
    **dict.fromkeys(USER_IDENTITIES + DEVICE_IDENTITIES, _NOT_BLANK),
    "mpid": _MPID,
    "email": _EMAIL,
    "mobile_number": _PHONE,
    "phone_number_2": _PHONE,
    "phone_number_3": _PHONE,
    "ios_advertising_id": _ADVERTISING_ID,
    "ios_idfv": _ADVERTISING_ID,
    "android_advertising_id": _ADVERTISING_ID,
    "fire_advertising_id": _ADVERTISING_ID,
    "roku_advertising_id": _ADVERTISING_ID,
    "microsoft_advertising_id": _ADVERTISING_ID,
}
"""Every reserved identity (by its key, ``identity_of``'s answer) and the form of its values."""

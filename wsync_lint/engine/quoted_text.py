"""A file's text as the reports may quote it (code frames): with every secret value masked.

A finding on a connection's payload is shown under the line it points at, and that line (or a
payload written on one line) may hold a password, a service-account key or a private key, which
must never appear in any output. So before a payload's text is kept for quoting, the value of
every key that holds a credential (:func:`~wsync_lint.analysis.payload_values.is_secret_key`), or
whose name merely looks like one (`passwrd`, `service_acount_key`: a misspelt key still holds the
secret), and every value holding a private key, is replaced by ``*``, one for each character
(line ends kept), so that the positions of the findings stay where they were. In a connection,
every value is masked but those of the keys the API documents as settings: any other key of a
connection may hold a secret under a name nobody foresaw (`dsn`, `pw`). The comments of a YAML file
holding a connection are masked too (`# old password: ...`).
"""

from __future__ import annotations

import re

from wsync_lint.analysis.payload_values import holds_private_key, is_secret_key
from wsync_lint.mparticle import facts
from wsync_lint.project.payload_files import PayloadFile, Pointer

_LOOKS_SECRET = re.compile(r"pass|pwd|secret|key|token|credential|auth", re.IGNORECASE)


def quotable_payload_text(payload: PayloadFile) -> str:
    """``payload``'s text with the values of secret (or secret-looking) keys and private keys masked,
    and in a connection every value but those of the keys the API documents as settings."""
    text = payload.text
    masked = list(text)
    for (document, pointer), place in payload.places.items():
        key = pointer[-1] if pointer else None
        secret_key = isinstance(key, str) and (is_secret_key(key) or _LOOKS_SECRET.search(key) is not None)
        value = _value_at(payload, document, pointer)
        unknown_in_connection = _in_connection(payload, document, pointer) and key not in _CONNECTION_SETTINGS
        if secret_key or unknown_in_connection or (isinstance(value, str) and holds_private_key(value)):
            for index in range(place.value.start, min(place.value.end, len(masked))):
                if masked[index] not in "\r\n":
                    masked[index] = "*"
    if any(_in_connection(payload, document, pointer[:2]) for document, pointer in payload.places if pointer):
        _mask_comments(payload, masked)
    return "".join(masked)


def _mask_comments(payload: PayloadFile, masked: list[str]) -> None:
    """Mask the text of every YAML comment (`# old password: ...`) of a file holding a connection:
    a `#` at the start of a line or after a blank, outside the scalars written in it."""
    scalars = sorted(
        (place.value.start, place.value.end)
        for (document, pointer), place in payload.places.items()
        if not isinstance(_value_at(payload, document, pointer), (dict, list))
    )
    text = payload.text
    for match in _COMMENT_START.finditer(text):
        start = match.end() - 1  # the `#`
        if any(low <= start < high for low, high in scalars):
            continue
        end = text.find("\n", start)
        for index in range(start + 1, len(text) if end == -1 else end):
            if masked[index] not in "\r\n":
                masked[index] = "*"


_COMMENT_START = re.compile(r"(?:^|[ \t])#", re.MULTILINE)


# What a connection holds that is no secret: its own keys and the settings of each warehouse's
# `config`. Any other key of a connection may be a secret under a name nobody foresaw (`dsn`, `pw`).
_CONNECTION_SETTINGS = frozenset(
    ("id", "name", "state", "service_provider", "config", "status", "errors", *facts.READ_ONLY_KEYS)
) | frozenset(
    key
    for keys in (
        *facts.CONNECTION_CONFIG_KEYS.values(),
        *facts.CONNECTION_OPTIONAL_KEYS.values(),
        facts.V1_FLAT_CONNECTION_KEYS,
    )
    for key in keys
    if not is_secret_key(key)
)


def _in_connection(payload: PayloadFile, document: int, pointer: Pointer) -> bool:
    """Whether ``pointer`` leads into a connection (an object with a `service_provider`)."""
    value: object = payload.documents[document] if document < len(payload.documents) else None
    for step in pointer:
        if isinstance(value, dict) and "service_provider" in value:
            return True
        in_object = isinstance(value, dict) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        if not (in_object or in_list):
            return False
        value = value[step]  # type: ignore[index]
    return False


def _value_at(payload: PayloadFile, document: int, pointer: Pointer) -> object:
    """The value written at ``pointer`` of document ``document`` (None when there is none)."""
    value: object = payload.documents[document] if document < len(payload.documents) else None
    for step in pointer:
        in_object = isinstance(value, dict) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        if not (in_object or in_list):
            return None
        value = value[step]  # type: ignore[index]
    return value

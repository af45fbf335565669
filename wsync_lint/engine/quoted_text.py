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

from wsync_lint.analysis.payload_values import PUBLIC_CONNECTION_KEYS, holds_private_key, is_secret_key
from wsync_lint.mparticle import facts
from wsync_lint.project.payload_files import PayloadFile, Pointer

_LOOKS_SECRET = re.compile(r"pass|pwd|secret|key|token|credential|auth", re.IGNORECASE)


def quotable_payload_text(payload: PayloadFile) -> str:
    """``payload``'s text with the values of secret (or secret-looking) keys and private keys masked,
    and in a connection every value but those of the keys the API documents as settings."""
    masked = list(payload.text)
    scalars: list[tuple[int, int]] = []
    for (document, pointer), place in payload.places.items():
        key = pointer[-1] if pointer else None
        along = _values_along(payload, document, pointer)
        value = along[-1] if len(along) == len(pointer) + 1 else None
        if not isinstance(value, (dict, list)):
            scalars.append((place.value.start, place.value.end))
        secret_key = isinstance(key, str) and (is_secret_key(key) or _LOOKS_SECRET.search(key) is not None)
        in_connection = any(_is_connection(outer) for outer in along[: len(pointer)])
        unknown_in_connection = in_connection and key not in _CONNECTION_SETTINGS
        if secret_key or unknown_in_connection or (isinstance(value, str) and holds_private_key(value)):
            _mask(masked, place.value.start, place.value.end)
    if any(_holds_connection(document) for document in payload.documents):
        _mask_comments(payload.text, masked, scalars)
    return "".join(masked)


def _mask(masked: list[str], start: int, end: int) -> None:
    """``*`` for each character of ``[start, end)``, line ends kept: positions stay true."""
    for index in range(start, min(end, len(masked))):
        if masked[index] not in "\r\n":
            masked[index] = "*"


def _mask_comments(text: str, masked: list[str], scalars: list[tuple[int, int]]) -> None:
    """Mask the text of every YAML comment (`# old password: ...`) of a file holding a connection:
    a `#` at the start of a line or after a blank, outside the scalars written in it."""
    for match in _COMMENT_START.finditer(text):
        start = match.end() - 1  # the `#`
        if any(low <= start < high for low, high in scalars):
            continue
        end = text.find("\n", start)
        _mask(masked, start + 1, len(text) if end == -1 else end)


_COMMENT_START = re.compile(r"(?:^|[ \t])#", re.MULTILINE)


# What a connection holds that is no secret: its own keys and the settings of each warehouse's
# `config`. Any other key of a connection may be a secret under a name nobody foresaw (`dsn`, `pw`).
_CONNECTION_SETTINGS = (
    frozenset(("id", "name", "state", "service_provider", "config", "status", "errors", *facts.READ_ONLY_KEYS))
    | PUBLIC_CONNECTION_KEYS
)


def _is_connection(value: object) -> bool:
    return isinstance(value, dict) and "service_provider" in value


def _holds_connection(document: object) -> bool:
    """Whether a document is a connection, or an object or list one of whose items is."""
    items = document.values() if isinstance(document, dict) else document if isinstance(document, list) else ()
    return any(_is_connection(value) for value in (document, *items))


def _values_along(payload: PayloadFile, document: int, pointer: Pointer) -> list[object]:
    """The values from document ``document`` down ``pointer``: the document, then one per step as
    far as the steps lead (all ``len(pointer) + 1`` of them when the pointer leads to a value)."""
    value: object = payload.documents[document] if document < len(payload.documents) else None
    along = [value]
    for step in pointer:
        in_object = isinstance(value, dict) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
        if not (in_object or in_list):
            break
        value = value[step]  # type: ignore[index]
        along.append(value)
    return along

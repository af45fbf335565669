"""Every value of a payload file, and what the rules that read them all agree on (CN01, CN02, PS03).

- :func:`walk` visits each value of each document (objects, lists and scalars, any depth,
  without recursion), with the pointer of its place in the file.
- Secrets: which keys hold credentials (:func:`is_secret_key`), which values are no secret
  although written under such a key (the response mask ``************``, an empty value, an
  environment reference such as ``${SNOWFLAKE_PASSWORD}``), and PEM private keys inside any
  string. CN02 reports secrets, CN01 the response mask, and PS03 never quotes the text of a
  secret key's value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wsync_lint.analysis.payload_schema import dotted
from wsync_lint.mparticle import facts
from wsync_lint.project.payload_files import PayloadFile, Pointer
from wsync_lint.project.resources import Resource
from wsync_lint.sql.positions import FileSpan


@dataclass(frozen=True)
class Value:
    """One value of a payload file and where it is."""

    document: int
    pointer: Pointer
    value: Any

    @property
    def key(self) -> str | int | None:
        """The key (or list index) it is written under; None for a document itself."""
        return self.pointer[-1] if self.pointer else None


def walk(payload: PayloadFile, prune: Callable[[Value], bool] | None = None) -> Iterator[Value]:
    """Each value of ``payload``, parents before children, in file order; the children of a value
    for which ``prune`` returns True are skipped."""
    if payload.problem is not None:
        return
    for index, document in enumerate(payload.documents):
        stack: list[Value] = [Value(index, (), document)]
        while stack:
            item = stack.pop()
            yield item
            if prune is not None and prune(item):
                continue
            value = item.value
            if isinstance(value, Mapping):
                children = [Value(index, (*item.pointer, key), child) for key, child in value.items()]
            elif isinstance(value, list):
                children = [Value(index, (*item.pointer, n), child) for n, child in enumerate(value)]
            else:
                continue
            stack.extend(reversed(children))


def key_span(payload: PayloadFile, item: Value) -> FileSpan:
    """Where the key of ``item`` was written (its value, for a list item)."""
    place = payload.place(item.document, item.pointer)
    return FileSpan(payload.path, place.key or place.value)


def owner(resources: list[Resource], item: Value) -> Resource | None:
    """The resource ``item`` belongs to (None: an object of no known kind)."""
    for resource in resources:
        size = len(resource.pointer)
        if resource.document == item.document and item.pointer[:size] == resource.pointer:
            return resource
    return None


def field_name(resource: Resource | None, item: Value) -> str:
    """How messages name the field of ``item``: ``config.password``, ``mappings[2].source``."""
    pointer = item.pointer[len(resource.pointer) :] if resource is not None else item.pointer
    return dotted(pointer) if pointer else "the value"


# -- secrets

_SECRET_KEYS = frozenset(key.lower() for key in facts.SECRET_KEYS)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_REFERENCE = re.compile(
    r"""
      \$\{[A-Za-z_][A-Za-z0-9_]*\}        # ${SNOWFLAKE_PASSWORD}
    | \$[A-Z_][A-Z0-9_]*                  # $SNOWFLAKE_PASSWORD (upper case only: `$ecret` is a password)
    | env:[A-Za-z_][A-Za-z0-9_]*          # env:SNOWFLAKE_PASSWORD
    """,
    re.VERBOSE,
)


def is_secret_key(key: object) -> bool:
    """Whether a value under ``key`` is a credential (`password`, `service_account_key`, ...), also
    under a misspelt name (`pasword`, `passwd`, `service_acount_key`): a typo does not make the value
    any less secret, and mParticle would receive it under the wrong name."""
    if not isinstance(key, str):
        return False
    lowered = _CAMEL_HUMP.sub("_", key).lower()  # `clientSecret` is `client_secret`
    if lowered in _SECRET_KEYS or lowered.endswith(facts.SECRET_KEY_SUFFIXES):
        return True
    if lowered in PUBLIC_CONNECTION_KEYS:  # `service_account_id` is one letter pair from `service_account_key`
        return False
    return _PASSWORD_LIKE.fullmatch(lowered) is not None or bool(
        difflib.get_close_matches(lowered, _LONG_SECRET_KEYS, n=1, cutoff=0.85)
    )


# The settings of a connection (its `config` keys, and v1's flat ones) that hold no secret, however close
# their names are to a secret's.
PUBLIC_CONNECTION_KEYS = frozenset(
    key
    for keys in (*facts.CONNECTION_CONFIG_KEYS.values(), *facts.CONNECTION_OPTIONAL_KEYS.values())
    for key in keys
    if key not in facts.SECRET_KEYS
) | frozenset(key for key in facts.V1_FLAT_CONNECTION_KEYS if key not in facts.SECRET_KEYS)
_LONG_SECRET_KEYS = [key for key in _SECRET_KEYS if len(key) >= 8]
# A key that is a password's name, misspelt or in another language (`pasword`, `db_passwd`), not one
# that merely starts with it (`password_policy`).
_PASSWORD_LIKE = re.compile(r"(?:[a-z0-9]+_)?(?:pas+w[a-z]{0,5}|pswd|contrase[nñ]a)")


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def secret_noun(key: str) -> str:
    """What kind of credential a secret key holds, for messages: `a password`."""
    lowered = _CAMEL_HUMP.sub("_", key).lower()
    lowered = next(iter(difflib.get_close_matches(lowered, _LONG_SECRET_KEYS, n=1, cutoff=0.85)), lowered)
    if "password" in lowered or "passphrase" in lowered or lowered.endswith("pwd") or _PASSWORD_LIKE.fullmatch(lowered):
        return "a password"
    if lowered.endswith("api_key"):
        return "an API key"
    if "service_account_key" in lowered:
        return "a service-account key"
    if "private_key" in lowered:
        return "a private key"
    if "token" in lowered:
        return "an access token"
    return "a secret"


def is_masked(value: object) -> bool:
    """The mask API responses show instead of a secret (``************``)."""
    return isinstance(value, str) and (value == facts.MASKED_SECRET or (len(value) >= 3 and set(value) == {"*"}))


def is_environment_reference(value: object) -> bool:
    """``${NAME}``, ``$NAME`` (upper case) or ``env:NAME``: a pointer to a secret, not a secret."""
    return isinstance(value, str) and _REFERENCE.fullmatch(value.strip()) is not None


def holds_private_key(text: str) -> bool:
    """Whether ``text`` contains a PEM private key block."""
    return "PRIVATE KEY" in text and _PRIVATE_KEY.search(text) is not None


def is_empty(value: object) -> bool:
    """No value at all: null, an empty or blank string, an empty object or list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping | list):
        return not value
    return False

"""Whether a name can be written without quotes in a warehouse's SQL and still be read as itself.

Grants quote a name only where the warehouse needs it; CO04's hints spell a name quoted when the
bare spelling would not parse or would be a keyword. Both ask here.
"""

from __future__ import annotations

import re
from functools import cache

from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

PLAIN_CHARACTERS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""The characters of a name every warehouse reads unquoted."""


@cache
def writable_unquoted(name: str, dialect: str) -> bool:
    """Whether ``name`` can be written without quotes: letters, digits and ``_``, and no keyword.

    >>> writable_unquoted("QUEUE_CNT", "snowflake"), writable_unquoted("#sks", "redshift")
    (True, False)
    >>> writable_unquoted("select", "redshift")
    False
    """
    if not PLAIN_CHARACTERS.fullmatch(name):
        return False
    tokens = Dialect.get_or_raise(dialect).tokenize(name)
    if len(tokens) != 1 or tokens[0].token_type is not TokenType.VAR:
        return False
    reserved = getattr(Dialect.get_or_raise(dialect).generator_class, "RESERVED_KEYWORDS", set())
    return name.lower() not in reserved

"""Wording helpers shared by rule messages."""

from __future__ import annotations


def code(text: str, limit: int = 60) -> str:
    """``text`` as inline code for a message.

    White space is folded, text past ``limit`` characters is shortened, and text that holds a
    backtick itself (BigQuery and Databricks names) is fenced with double backticks.

    >>> code("a.b")
    '`a.b`'
    >>> code("`p.d.t`")
    '`` `p.d.t` ``'
    """
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    if "`" in text:
        return f"`` {text} ``"
    return f"`{text}`"

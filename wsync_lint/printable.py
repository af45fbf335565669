"""Text from files made safe to print: no forged lines, no terminal control, never unencodable.

Messages, hints and paths quote what a file holds, and a file may be hostile (a pull request from a
fork). Printed raw, a newline in a payload value forges a report line (``All checks passed``),
an escape sequence drives the terminal, a bidirectional override reorders what the reader sees,
and a lone surrogate (which Python's ``json`` accepts in ``"\\ud800"``) cannot be encoded as UTF-8
at all. The output formats and the error lines pass such text through this module, once, where
it is printed: rules quote values as they are.

- :func:`one_line` writes every control character, line or paragraph separator, bidirectional
  control, lone surrogate and non-character as a Python-style escape (``\\n``, ``\\x1b``,
  ``\\u2028``, ``\\ud800``); a tab stays a tab. The result is one line that any UTF-8 stream and
  XML 1.0 can hold.
- :func:`many_lines` escapes the same characters but the newline, for output that is many lines
  by design (the queries ``render`` prints): its lines stay lines, yet nothing in them drives the
  terminal. A carriage return is escaped too, since it lets the rest of a line overwrite what the
  line showed before it.
- :func:`counted` spells a count with its noun (``1 pipeline``, ``3 data models``), the same in
  every summary.
- :func:`json_text` does the same as :func:`one_line` inside JSON text that a JSON encoder wrote
  with ``ensure_ascii=False``, with JSON's own ``\\uXXXX`` escape: the document still parses to
  exactly the same strings.
"""

from __future__ import annotations

import re

# C0 controls but the tab, DEL and C1 controls (NEL, CSI among them), the Arabic letter mark,
# left-to-right and right-to-left marks, line and paragraph separators, the embedding, override
# and isolate controls, lone surrogates, and the non-characters XML refuses.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_BEYOND_C0}]")
# The same without the newline (\x0a).
_UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")
# A JSON encoder escapes C0 controls in strings itself, and JSON text has newlines between lines.
_UNSAFE_IN_JSON = re.compile(f"[{_BEYOND_C0}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    named = _NAMED.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    r"""``text`` as one printable line: unsafe characters escaped, the rest as it is.

    >>> one_line("connection `x\nAll checks passed.\u001b[2J`")
    'connection `x\\nAll checks passed.\\x1b[2J`'
    >>> one_line("café\tok \ud800")
    'café\tok \\ud800'
    """
    return _UNSAFE.sub(_escape, text)


def many_lines(text: str) -> str:
    r"""``text`` with what :func:`one_line` escapes escaped, but its newlines kept: lines stay lines.

    >>> many_lines('SELECT 1 AS "a\ud800"\nFROM "t\u001b]0;x\u0007\r"\tWHERE 1')
    'SELECT 1 AS "a\\ud800"\nFROM "t\\x1b]0;x\\x07\\r"\tWHERE 1'
    """
    return _UNSAFE_IN_LINES.sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(document: str) -> str:
    r"""JSON text with the characters :func:`one_line` escapes written as ``\uXXXX``.

    Outside strings JSON text is ASCII, so only string contents change, and each to an escape
    that decodes to the same character (a JSON encoder already escapes C0 controls).

    >>> json_text('{"id": "x\u2028\ud800"}')
    '{"id": "x\\u2028\\ud800"}'
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, document)


def counted(number: int, noun: str) -> str:
    """``number`` and ``noun``, plural unless there is exactly one (the summaries' counts).

    >>> counted(1, "pipeline"), counted(3, "data model"), counted(0, "file")
    ('1 pipeline', '3 data models', '0 files')
    """
    return f"{number} {noun}{'' if number == 1 else 's'}"


QUOTED_LIMIT = 80
"""Characters of a value from a file or the command line that a message quotes at most."""


def quoted(value: object, limit: int = QUOTED_LIMIT) -> str:
    """``repr(value)``, cut short in the middle when longer than ``limit``: a message names a value,
    it does not reprint a 200 KB one.

    >>> quoted("snowflak")
    "'snowflak'"
    >>> quoted("x" * 100, limit=20)
    "'xxxxxxxx…xxxxx' (100 characters)"
    """
    shown = repr(value)
    if len(shown) <= limit:
        return shown
    length = len(value) if isinstance(value, str) else len(shown)
    return f"{shown[: limit // 2 - 1]}…{shown[-(limit // 2 - 4) :]} ({length:,} characters)"


_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def size_text(size: float) -> str:
    """A number of bytes in binary units, one decimal past bytes.

    >>> size_text(0), size_text(512), size_text(1536), size_text(3 * 1024**4)
    ('0 B', '512 B', '1.5 KiB', '3.0 TiB')
    """
    if size < 1024:
        return f"{int(size)} B"
    for unit in _BINARY_UNITS[1:]:
        size /= 1024
        if size < 1024 or unit == _BINARY_UNITS[-1]:
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def share_text(part: int, whole: int) -> str:
    """``part`` of ``whole``, with its share as a percent with one decimal (``whole`` is not 0).

    >>> share_text(3, 990)
    '3 of 990 (0.3%)'
    """
    return f"{part:,} of {whole:,} ({part / whole:.1%})"


def dollars(amount: float) -> str:
    """An amount in US dollars, to the cent.

    >>> dollars(9000), dollars(5.271)
    ('$9,000.00', '$5.27')
    """
    return f"${amount:,.2f}"


def figure_text(number: float) -> str:
    """A figure such as runs a month: a whole number as one (``720``), another to one decimal (``4.3``).

    >>> figure_text(720.0), figure_text(30 / 7)
    ('720', '4.3')
    """
    return f"{round(number):,}" if float(number).is_integer() else f"{number:,.1f}"

"""Reading a model file: size limit (:mod:`wsync_lint.files.reading`), binary detection, UTF-8 with or without a BOM.

A file that cannot be read as text is not an exception: it comes back as a
:class:`ReadProblem` with the position of the problem, for PS02.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from wsync_lint.files import Unreadable, read_bounded
from wsync_lint.sql.positions import Span

_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be read as SQL text (PS02)."""

    message: str
    span: Span
    hint: str
    text: str = ""
    """The file's text as far as it could be decoded, for turning ``span`` into line and column."""


def decode_source(data: bytes) -> str | ReadProblem:
    """Decode a model's bytes, or say why they are not SQL text."""
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return ReadProblem(
            "the file is binary (it holds NUL bytes), not SQL text",
            Span(0, 0),
            "a data model must be a UTF-8 text file",
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8", errors="replace")
        return ReadProblem(
            f"the file is not UTF-8: byte 0x{data[error.start]:02x} at byte offset {error.start} cannot be decoded",
            Span(len(before), len(before) + 1),
            "save the file as UTF-8; mParticle sends the query text as UTF-8",
            text=before,
        )
    if not text.strip():
        return ReadProblem("the file is empty", Span(0, 0), "write the data model's SELECT, or delete the file")
    return text


def read_source(path: Path, max_size: int, inside: Path | None = None) -> str | ReadProblem:
    """Read (through :func:`~wsync_lint.files.read_bounded`: at most ``max_size`` bytes, a
    regular file only, inside the project ``inside`` when given) and decode ``path``."""
    data = read_bounded(path, max_size, inside=inside)
    if isinstance(data, Unreadable):
        return ReadProblem(data.sentence, Span(0, 0), data.hint)
    return decode_source(data)


def no_statement_problem(text: str) -> ReadProblem:
    """The problem of a file that holds comments, white space or `;` but no SQL statement."""
    line_count = text.count("\n") + (0 if text.endswith("\n") else 1)  # a final newline ends a line
    noun = "line" if line_count == 1 else "lines"
    return ReadProblem(
        f"the file holds no SQL statement ({line_count} {noun} of comments, white space or `;` only)",
        Span(0, 0),
        "write the data model's SELECT, or delete the file",
    )

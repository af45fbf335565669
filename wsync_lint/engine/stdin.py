"""``check -``: one file's text from standard input, standing in for a file of the project.

With ``--stdin-filename PATH`` the text is checked as the file at ``PATH`` would be: ``PATH``
decides the project (root, configuration, pipelines, schema snapshot, ``per-file-ignores``), and
wherever the run would read that file it takes the text instead (the file need not exist). A
payload name (``.json``, ``.yaml``, ``.yml``) is read as a payload, a ``.sql`` name or a data model's
``sql_file`` as SQL, any other name not at all (as ``check FILE`` passes it over). Without a
name the text is a standalone SQL model shown as ``-``, with the current folder's configuration.

Standard input is read like any file: at most the configuration's ``max-file-size`` bytes; more
is the same "over the limit" problem (PS02 for a model, PS05 for a payload) as for a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from wsync_lint.files import Unreadable, Why, resolved_or_none
from wsync_lint.project.payload_files import PAYLOAD_SUFFIXES
from wsync_lint.sql.positions import Span
from wsync_lint.sql.reading import ReadProblem, decode_source

STDIN_NAME = "-"
"""How a standalone model from standard input is named in the reports."""

_CHUNK = 1 << 16


@dataclass(frozen=True)
class StdinFile:
    """What standard input held, and the file it stands in for (None: a standalone model ``-``)."""

    path: Path | None
    data: bytes
    """At most ``limit`` bytes (when ``over_limit``, the first of them)."""
    limit: int
    over_limit: bool = False
    overflow: bytes = b""
    """What was read past ``limit`` to tell that it is over (``check - --fix`` passes it through)."""

    @property
    def location(self) -> Path:
        """The file whose configuration applies: the named file, else ``-`` in the current folder."""
        return self.path if self.path is not None else Path.cwd() / STDIN_NAME

    @property
    def is_payload(self) -> bool:
        return self.path is not None and self.path.suffix.lower() in PAYLOAD_SUFFIXES

    def stands_for(self, path: Path) -> bool:
        """Whether ``path`` is the file this text stands in for (both resolved: `./a.sql` is `a.sql`)."""
        return self.path is not None and _key(path) == _key(self.path)

    def raw(self) -> bytes | Unreadable:
        """The bytes as a bounded file read gives them: the bytes, or why they were not read."""
        if self.over_limit:
            return Unreadable(
                Why.TOO_LARGE,
                f"(standard input) is over the {self.limit:,}-byte limit (`max-file-size`), so it is not read",
                self.data[:_CHUNK],
            )
        return self.data

    def sql_source(self) -> str | ReadProblem:
        """The text as a model's source, or why it is not SQL text (PS02)."""
        raw = self.raw()
        if isinstance(raw, Unreadable):
            return ReadProblem(raw.sentence, Span(0, 0), raw.hint)
        return decode_source(raw)


def read_stdin(stream: BinaryIO, path: Path | None, limit: int) -> StdinFile:
    """Read ``stream`` (standard input), at most ``limit`` bytes and one more to tell that it is
    over (the rest is not read)."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        return StdinFile(path, data[:limit], limit, over_limit=True, overflow=data[limit:])
    return StdinFile(path, data, limit)


def _key(path: Path) -> Path:
    return resolved_or_none(path) or Path(os.path.abspath(path))

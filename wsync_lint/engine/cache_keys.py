"""What a cached finding depends on, as short digests: the software, a file's plan, a file's bytes.

Every digest is blake2b over a stable text: sets are sorted and dataclasses spelt field by field, so
that two processes (each with its own hash seed) compute the same key for the same inputs.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from wsync_lint.files import Unreadable, read_bounded

CACHE_FORMAT = 1
"""Raised whenever what an entry holds, or how a key is made, changes: older entries then miss."""


def digest(*parts: str | bytes) -> str:
    """A short hex digest of ``parts`` (each length-prefixed, so that no two splits collide)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", errors="surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def stable(value: Any) -> Any:
    """``value`` as JSON-able data that does not depend on the process (sets sorted, dataclasses
    spelt out with their class name), for :func:`fingerprint`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: stable(getattr(value, f.name)) for f in dataclasses.fields(value)}]
    if isinstance(value, enum.Enum):
        return stable(value.value)
    if isinstance(value, dict):
        return [[stable(key), stable(item)] for key, item in sorted(value.items(), key=lambda pair: repr(pair[0]))]
    if isinstance(value, set | frozenset):
        return sorted((stable(item) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [stable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)  # a Path, a type: its repr is stable


def fingerprint(value: Any) -> str:
    """A digest of a plan or a configuration (:func:`stable`)."""
    return digest(json.dumps(stable(value), sort_keys=True, default=repr))


def environment_key() -> str:
    """What every entry depends on besides its inputs: the cache format, wsync-lint (its version and
    its source files, so that a development checkout never reads findings of code it has changed
    since), Python, sqlglot's version and whether sqlglotc is active."""
    import sqlglot
    import sqlglot.tokens

    # The package is loaded (this module is part of it); importing it by name would make a cycle.
    version = getattr(sys.modules.get("wsync_lint"), "__version__", "")
    return digest(
        str(CACHE_FORMAT),
        version,
        _package_stamp(str(Path(__file__).resolve().parent.parent)),
        f"{sys.version_info[0]}.{sys.version_info[1]}",
        sqlglot.__version__,
        str(bool(getattr(sqlglot.tokens, "SQLGLOTC_INSTALLED", False))),
    )


@lru_cache(maxsize=2)
def _package_stamp(package: str) -> str:
    """The name, size and modification time of every module of wsync-lint (a few hundred stats)."""
    seen: list[str] = []
    folders = [package]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    status = entry.stat(follow_symlinks=False)
                    seen.append(f"{entry.path}:{status.st_size}:{status.st_mtime_ns}")
    return digest(*sorted(seen))


def file_digest(path: Path, limit: int, inside: Path | None) -> str:
    """What a project run would read of ``path``, as a digest: its bytes (read as the run reads
    them: bounded, inside the project), or why it cannot be read (a file that appears, grows past
    the limit or turns into a link changes it)."""
    return read_digest(read_bounded(path, limit, inside=inside))


def read_digest(data: bytes | Unreadable) -> str:
    """:func:`file_digest` of what a read gave (for a caller that looks at the bytes too)."""
    if isinstance(data, Unreadable):
        return digest("unreadable", data.why.value, data.reason, data.head)
    return digest("bytes", data)


def text_digest(source: object) -> str:
    """What a standalone model's check read: its text, or why it could not be read
    (a :class:`~wsync_lint.sql.reading.ReadProblem`, spelt out)."""
    if isinstance(source, str):
        return digest("text", source)
    return digest("problem", json.dumps(stable(source), sort_keys=True, default=repr))


def cache_folder(cli_folder: Path | None, config_path: Path | None, config_cache_dir: str | None) -> Path:
    """Where the cache is: ``--cache-dir``; else ``cache-dir`` of the configuration that applies to
    the working folder (relative to its file, validated to stay inside that folder); else
    ``.wsync-lint-cache`` beside that configuration file; else in the working folder."""
    if cli_folder is not None:
        return Path(os.path.abspath(cli_folder))
    base = config_path.parent if config_path is not None else Path.cwd()
    return Path(os.path.abspath(base / (config_cache_dir or ".wsync-lint-cache")))

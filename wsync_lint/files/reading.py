"""Reading files safely: the one reader of every file wsync-lint reads.

A repository (and so a pull request from a fork) can hold a symbolic link to ``/dev/zero``, to a
FIFO or to a file outside the checkout, and a local folder can hold a FIFO itself. Every read
therefore goes through :func:`read_bounded`, which:

- opens without blocking (``O_NONBLOCK``: opening a FIFO that no one writes to returns at once)
  and decides on the **open descriptor** (``fstat``) whether it is a regular file: a FIFO, a
  device, a socket or a folder, named directly or through a link, is never read;
- reads at most ``limit + 1`` bytes, so a file over the limit costs ``limit`` bytes of memory at
  most (a file whose size says it is over the limit is not read at all);
- with ``inside`` (a project root), resolves the path first, links included, and refuses a file
  that lies outside that folder: a link committed in a project never leads a read out of it.

It never raises for a problem of the file: it returns :class:`Unreadable`, which says why in a
clause that callers turn into a finding (PS02 for a model, PS05 for a payload, CN03 for a
model's ``sql_file``) or, for a configuration file, into one line and exit code 2.
"""

from __future__ import annotations

import enum
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from wsync_lint.errors import UsageError

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
"""The largest file read (``max-file-size``); configuration files always have this limit."""

_HEAD_BYTES = 64 * 1024
_CHUNK_BYTES = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


class Why(enum.StrEnum):
    """Why a file was not read."""

    TOO_LARGE = "too_large"
    NOT_REGULAR = "not_regular"
    """A FIFO, a device, a socket or a folder."""
    OUTSIDE = "outside"
    """Outside the project once links are resolved."""
    MISSING = "missing"
    LOOP = "loop"
    NAME_TOO_LONG = "name_too_long"
    BAD_NAME = "bad_name"
    """A NUL byte in the name."""
    NO_ACCESS = "no_access"


_HINTS = {
    Why.TOO_LARGE: "raise `max-file-size` in the configuration if the file really is this large",
    Why.NOT_REGULAR: "wsync-lint reads regular files only: remove it, or replace it by a file",
    Why.OUTSIDE: "a link in the project must lead to a file inside it: copy the file into the project",
    Why.MISSING: "fix the name, or the link that leads nowhere",
    Why.LOOP: "a symbolic link leads back to itself: fix or remove the links",
    Why.NAME_TOO_LONG: "shorten the file and folder names",
    Why.BAD_NAME: "remove the NUL character from the name",
    Why.NO_ACCESS: "check the permissions of the file and its folders",
}


@dataclass(frozen=True)
class Unreadable:
    """Why a file was not read, as a clause about it (``"is a FIFO (named pipe), not a regular
    file"``), with a hint."""

    why: Why
    reason: str
    head: bytes = b""
    """For a file over the limit: its first bytes (at most 64 KiB), to tell what it is."""
    noun: str = "file"
    """What was not read: a ``file``, or a ``folder`` that could not be listed."""

    @property
    def sentence(self) -> str:
        """Why, as a sentence about the file (``"the file is a FIFO (named pipe), ..."``)."""
        return f"the {self.noun} {self.reason}"

    @property
    def hint(self) -> str:
        return _HINTS[self.why]


def is_within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or below it (both resolved)."""
    return path == folder or folder in path.parents


def names_in(folder: Path) -> frozenset[str] | None:
    """The names of the entries of ``folder``, or None when it cannot be listed (a folder without
    read permission may still let names be looked up): checking a few names in a folder with one
    listing instead of one look-up each, when most folders hold none of them."""
    try:
        return frozenset(os.listdir(folder))
    except (OSError, ValueError):
        return None


def may_hold(names: frozenset[str] | None, name: str) -> bool:
    """Whether a folder listed as ``names`` (:func:`names_in`) may hold ``name``."""
    return names is None or name in names


def resolved_or_none(path: Path) -> Path | None:
    """``path`` with ``..`` and links resolved, or None when that is impossible (a loop of links,
    a name too long, a NUL byte)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def read_bounded(path: Path, limit: int, *, inside: Path | None = None) -> bytes | Unreadable:
    """The bytes of the regular file ``path`` (at most ``limit``), or why it was not read.

    ``inside``: the folder the file must be in once links are resolved (the project root), or
    None for a file the user names (``--config``) or one outside any project (configuration
    above it)."""
    target = str(path)
    flags = _OPEN_FLAGS
    try:
        if inside is not None:
            real = Path(os.path.realpath(path, strict=True))
            root = resolved_or_none(inside)
            if root is None or not is_within(real, root):
                return Unreadable(Why.OUTSIDE, f"leads outside the project (to {real}), so it is not read")
            target, flags = str(real), flags | os.O_NOFOLLOW
        descriptor = os.open(target, flags)
    except ValueError:
        return Unreadable(Why.BAD_NAME, "has a NUL byte in its name")
    except OSError as error:
        return _from_error(error, target)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return Unreadable(Why.NOT_REGULAR, f"is {_kind(status.st_mode)}, not a regular file, so it is not read")
        if status.st_size > limit:
            return _too_large(status.st_size, limit, os.read(descriptor, min(limit, _HEAD_BYTES)))
        data = _read_at_most(descriptor, limit + 1)
    except OSError as error:
        return _from_error(error, target)
    finally:
        os.close(descriptor)
    if len(data) > limit:  # it grew after fstat
        return _too_large(None, limit, data[:_HEAD_BYTES])
    return data


def read_config_bytes(path: Path, *, inside: Path | None = None) -> bytes:
    """A configuration file's bytes; a :class:`UsageError` (one line, exit 2) when it cannot be read
    (or, with ``inside``, leads out of that folder)."""
    data = read_bounded(path, DEFAULT_MAX_FILE_SIZE, inside=inside)
    if isinstance(data, Unreadable):
        raise UsageError(f"{path}: cannot read the configuration: {data.sentence}")
    return data


def _read_at_most(descriptor: int, count: int) -> bytes:
    chunks = []
    remaining = count
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, _CHUNK_BYTES))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _too_large(size: int | None, limit: int, head: bytes) -> Unreadable:
    said = f"is {size:,} bytes" if size is not None else "grew while it was read"
    return Unreadable(
        Why.TOO_LARGE, f"{said}, over the {limit:,}-byte limit (`max-file-size`), so it is not read", head
    )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _from_error(error: OSError, target: str) -> Unreadable:
    code = error.errno
    if code == errno.ELOOP:
        return Unreadable(Why.LOOP, "is a loop of symbolic links, so it is not read")
    if code == errno.ENAMETOOLONG:
        return Unreadable(Why.NAME_TOO_LONG, "has a name (or path) longer than the system allows")
    if code in (errno.ENOENT, errno.ENOTDIR):
        return Unreadable(Why.MISSING, "does not exist (or is a link that leads nowhere)")
    if code == errno.ENXIO:  # a socket, or a device without its driver
        try:
            return Unreadable(
                Why.NOT_REGULAR, f"is {_kind(os.stat(target).st_mode)}, not a regular file, so it is not read"
            )
        except (OSError, ValueError):
            pass
    said = error.strerror or str(error)
    if os.path.isdir(target):  # a folder the walk could not list: none of its files is checked
        return Unreadable(Why.NO_ACCESS, f"cannot be listed: {said}, so none of its files is checked", noun="folder")
    return Unreadable(Why.NO_ACCESS, f"cannot be read: {said}")

"""Writing files safely: atomic, inside the project, never through a symbolic link.

Every file wsync-lint writes goes through :func:`write_atomically` (or, for a report file the
user names with ``--output-file``, :func:`write_output_file`):

- **Atomic.** The data goes to a temporary file in the target's own folder, which is flushed to
  disk (``fsync``) and then renamed over the target (``os.replace``). A reader, or a run that is
  killed at any moment, finds the old file or the new one, never a torn or empty one. The
  temporary file is removed on any failure. The target keeps its permission bits; a new file
  gets what ``open()`` would give it (``0o666`` less the umask). Being replaced, the target gets
  a new inode: a hard link to it keeps the old content.
- **Never through a symbolic link.** A target that is a symbolic link is refused, whatever it
  points to (a link committed in a fork's pull request must not redirect a write).
- **Inside the project.** With ``inside`` (the project root), a target whose folder, resolved,
  is not ``inside`` or below it is refused. An output file the user names on the command line
  is the user's choice: it may be anywhere (``inside=None``), but is still never written through
  a symbolic link.
- **Exclusive when asked.** ``exclusive=True`` (``init``) never replaces a file: the temporary
  file is hard-linked to the name, which fails if a file took the name in the meantime.
- **Read-only stays read-only.** An existing target that the user may not write is refused
  rather than replaced.

A refusal or a failed write is a :class:`~wsync_lint.errors.UsageError`: one line naming the
file, exit code 2. The checks and the rename are not one atomic step against a concurrent
process that swaps folders for links between them; they guard against what a repository can
hold, not against another process of the same user.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from wsync_lint.errors import UsageError
from wsync_lint.files.reading import is_within

_NEW_FILE_MODE = 0o666


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_target(path: Path, *, inside: Path | None) -> os.stat_result | None:
    """Refuse (``UsageError``) a target that may not be written; its ``lstat`` when it exists."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise UsageError(f"{path}: cannot write: {error.strerror}") from None
    if status is not None:
        if stat.S_ISLNK(status.st_mode):
            raise UsageError(f"{path}: is a symbolic link; wsync-lint never writes through one")
        if not stat.S_ISREG(status.st_mode):
            raise UsageError(f"{path}: is not a regular file; not written")
        if not os.access(path, os.W_OK):
            raise UsageError(f"{path}: is read-only; not written")
    if inside is not None:
        try:
            folder = path.parent.resolve(strict=False)
            root = inside.resolve(strict=False)
        except (OSError, RuntimeError) as error:
            raise UsageError(f"{path}: cannot write: {error}") from None
        if not is_within(folder, root):
            raise UsageError(f"{path}: is outside the project ({root}); not written")
    return status


def write_atomically(
    path: Path, data: bytes | bytearray | str, *, inside: Path | None, exclusive: bool = False
) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; see the module documentation.

    ``inside``: the folder the target must be in (the project root), or ``None`` for a file the
    user named on the command line. Missing folders between ``inside`` and the target are made.
    ``exclusive``: never replace a file; one that exists, or appears while the data is written,
    is refused (the temporary file is hard-linked to the name, which fails if the name is taken,
    instead of renamed over it).
    """
    path = Path(path)
    status = check_target(path, inside=inside)
    if exclusive and status is not None:
        raise UsageError(f"{path}: exists; not overwritten")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    mode = stat.S_IMODE(status.st_mode) if status is not None else _NEW_FILE_MODE & ~_umask()
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise UsageError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        check_target(path, inside=inside)  # again, just before the rename
        if exclusive:
            os.link(temporary, path)
            os.unlink(temporary)
        else:
            os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, FileExistsError):
            raise UsageError(f"{path}: exists; not overwritten") from None
        if isinstance(error, OSError):
            raise UsageError(f"{path}: cannot write: {error.strerror}") from None
        raise
    _sync_folder(folder)


def check_output_file(path: Path) -> None:
    """Refuse (``UsageError``) an ``--output-file`` that :func:`write_output_file` would refuse or
    fail on, before the run does its work: a symbolic link, a folder, a read-only file, or a place
    whose folder cannot be written (the nearest folder that exists; the missing ones are made)."""
    try:
        status = os.lstat(path)
    except OSError:
        status = None
    if status is not None:
        if stat.S_ISLNK(status.st_mode):
            raise UsageError(f"{path}: is a symbolic link; wsync-lint never writes through one")
        if stat.S_ISDIR(status.st_mode):
            raise UsageError(f"{path}: is a folder; cannot write the report there")
        if not stat.S_ISREG(status.st_mode):
            return  # a device or a pipe the user names is written to as it is
        if not os.access(path, os.W_OK):
            raise UsageError(f"{path}: is read-only; not written")
    folder = Path(os.path.abspath(path)).parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise UsageError(f"{path}: {folder} is not a folder; cannot write the report there")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot write in {folder}")


def write_output_file(path: Path, data: str | bytes | bytearray) -> None:
    """Write a report to a file the user named (``--output-file``): anywhere, atomically, never
    through a symbolic link. A device or pipe the user names (``/dev/null``, a FIFO) cannot be
    replaced, so it is written to directly."""
    path = Path(path)
    try:
        status = os.lstat(path)
    except OSError:
        status = None
    check_output_file(path)
    if status is not None and not stat.S_ISLNK(status.st_mode) and not stat.S_ISREG(status.st_mode):
        try:
            with open(path, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        except OSError as error:
            raise UsageError(f"{path}: cannot write the report: {error.strerror}") from None
        return
    write_atomically(path, data, inside=None)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk (best effort: not every system can open a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

"""Whether a data model's ``config.sql_file`` may be read.

A project's payloads are reviewed as code, but the file a model names is read, parsed and quoted
back in findings and in ``render``. A path that leaves the project (``../../etc/passwd``, a
symlink to a home folder) or names a FIFO or a device must never be opened: CN03 reports it, and
nothing reads it.
"""

from __future__ import annotations

import enum
from pathlib import Path

from wsync_lint.files import is_within, resolved_or_none

SQL_SUFFIXES = (".sql",)
"""Files found as models by their name alone. A file of any other name is a model when a data
model's ``config.sql_file`` names it."""


class SqlFileProblem(enum.StrEnum):
    """Why a model's SQL file is not read."""

    OUTSIDE = "outside"
    """It lies outside the project once ``..`` and symlinks are resolved."""
    MISSING = "missing"
    NOT_A_FILE = "not_a_file"
    """A folder, a FIFO, a socket or a device."""


def locate_sql_file(folder: Path, name: str, root: Path) -> tuple[Path, SqlFileProblem | None]:
    """The file ``name`` (relative to ``folder``) resolved, and why it may not be read, if so."""
    unresolved = folder / name
    resolved = resolved_or_none(unresolved)
    if resolved is None:  # a loop of symlinks, a NUL byte in the name
        return unresolved, SqlFileProblem.MISSING
    return resolved, sql_file_problem(resolved, root)


def sql_file_problem(resolved: Path, root: Path) -> SqlFileProblem | None:
    """Why the model file at ``resolved`` (``..`` and symlinks resolved) of the project at
    ``root`` may not be read, or None when it is a regular file inside the project."""
    # Outside first: whether a file exists outside the project is none of the project's business.
    if not is_within(resolved, root.resolve()):
        return SqlFileProblem.OUTSIDE
    try:
        if not resolved.exists():
            return SqlFileProblem.MISSING
        if not resolved.is_file():
            return SqlFileProblem.NOT_A_FILE
    except (OSError, ValueError):  # a path too long, a folder that may not be listed, a NUL byte
        return SqlFileProblem.MISSING
    return None

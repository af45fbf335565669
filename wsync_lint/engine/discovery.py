"""Which files a run checks: the files named, and the model and payload files under the folders named."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from wsync_lint.engine.config import ConfigFinder
from wsync_lint.errors import UsageError
from wsync_lint.files import resolved_or_none
from wsync_lint.project.model_files import SQL_SUFFIXES
from wsync_lint.project.roots import SKIPPED_FOLDERS


def discover(
    paths: Iterable[Path],
    finder: ConfigFinder,
    suffixes: tuple[str, ...] = SQL_SUFFIXES,
    linked: frozenset[Path] = frozenset(),
) -> Iterator[Path]:
    """Files with ``suffixes`` (or, resolved, in ``linked``) under ``paths``: files named
    directly are always taken if they are such files; folders are walked, skipping hidden
    folders, virtual environments and configured excludes. A folder that cannot be listed is
    yielded itself (with ``suffixes``), so that reading it says why instead of skipping it silently."""
    seen: set[Path] = set()
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
        if not path.is_dir():
            taken = path.suffix.lower() in suffixes or (bool(linked) and resolved(path) in linked)
            candidates: Iterable[Path] = [path] if taken else []
        else:
            candidates = _walk(path, finder, suffixes, linked)
        for candidate in candidates:
            key = resolved(candidate)
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(folder: Path, finder: ConfigFinder, suffixes: tuple[str, ...], linked: frozenset[Path]) -> Iterator[Path]:
    unlisted: list[OSError] = []
    for root, folders, files in os.walk(folder, onerror=unlisted.append):
        yield from (Path(error.filename) for error in unlisted if suffixes)
        unlisted.clear()
        root_path = Path(root)
        config = finder.for_folder(root_path)
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".") and name not in SKIPPED_FOLDERS and not config.excludes(root_path / name)
        )
        for name in sorted(files):
            candidate = root_path / name
            taken = candidate.suffix.lower() in suffixes or (bool(linked) and resolved(candidate) in linked)
            if taken and not config.excludes(candidate):
                yield candidate
    yield from (Path(error.filename) for error in unlisted if suffixes)


def resolved(path: Path) -> Path:
    """``path`` resolved, or as it is when it cannot be (a loop of symlinks: reading it says why).

    A file that is not a link resolves to its resolved folder and its name: a folder is resolved
    once in a run (:func:`resolved_folder`), not once for each of its files."""
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):  # missing, a NUL byte: resolving it says the same
        is_link = True
    if is_link or path.name in ("", ".."):
        return resolved_or_none(path) or path
    return resolved_folder(path.parent) / path.name


def resolved_folder(folder: Path) -> Path:
    """The folder ``folder`` resolved (as it is when it cannot be), remembered by its absolute
    spelling until :func:`forget_resolved_folders`: every run starts by forgetting, so that a folder
    replaced by a link between two runs of one process is seen as it is now. The spelling is not
    normalised: ``link/..`` is the link's target's parent, as resolving it says."""
    return _resolved_absolute(os.path.join(os.getcwd(), folder))


@cache
def _resolved_absolute(folder: str) -> Path:
    path = Path(folder)
    return resolved_or_none(path) or path


def forget_resolved_folders() -> None:
    """Forget the folders resolved so far (at the start of a run)."""
    _resolved_absolute.cache_clear()

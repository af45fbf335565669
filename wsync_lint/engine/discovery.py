"""Which files a run checks: the files named, and the model and payload files under the folders named."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
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
    """``path`` resolved, or as it is when it cannot be (a loop of symlinks: reading it says why)."""
    return resolved_or_none(path) or path

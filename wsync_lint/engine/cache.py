"""The content cache: what ``check`` found in each file, read back when nothing it depends on changed.

In the spirit of ruff's cache. The cache folder (``.wsync-lint-cache`` beside the configuration
file that applies to the working folder, else in the working folder; ``cache-dir``, ``--cache-dir``)
holds a ``.gitignore`` of ``*`` and one JSON file per working folder and command line options
(a namespace): the entries of the files a run checked, each under a key that covers everything
that can change its findings (:mod:`.cache_keys`).

A cache can come from someone else (committed to a repository, copied from another checkout), so:

- it is JSON, never pickle, read bounded (a regular file, no link, at most :data:`MAX_CACHE_BYTES`),
  and anything malformed or foreign is a miss, never an error;
- every file of it is bound to this checkout's own cache folder: it records the device, inode and
  change time of the ``.gitignore`` wsync-lint created there and never touches again. A checkout,
  a copy or an archive gives that file a new inode and change time, and every entry misses.

Writes are atomic, inside the cache folder, once per run by the parent process (workers return
results); a cache that cannot be written is passed over in silence. Concurrent runs: the last
writer wins, and no reader ever sees a torn file.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from wsync_lint.contract.rule import Edit, Fix, Severity, Violation
from wsync_lint.engine.cache_keys import CACHE_FORMAT, digest, environment_key
from wsync_lint.errors import UsageError
from wsync_lint.files import Unreadable, read_bounded, write_atomically
from wsync_lint.sql.positions import Span

MAX_CACHE_BYTES = 128 * 1024 * 1024
"""The largest cache file read; a larger one is a miss (and is replaced at the end of the run)."""
GITIGNORE = ".gitignore"
NO_CACHE_VARIABLE = "WSYNC_LINT_NO_CACHE"


def cache_disabled_by_environment() -> bool:
    """``WSYNC_LINT_NO_CACHE=1`` (or ``true``/``yes``), as ruff's ``RUFF_NO_CACHE``."""
    return os.environ.get(NO_CACHE_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


class RunCache:
    """The entries one run reads and writes: standalone files by path as displayed, projects by root."""

    def __init__(self, folder: Path, namespace: str) -> None:
        """``namespace``: the working folder and the options of the run (paths are displayed
        relative to the working folder, and findings embed them)."""
        self.folder = folder
        self.file = folder / f"{digest(namespace)}.json"
        self.environment = environment_key()
        self._old_files: dict[str, Any] = {}
        self._old_projects: dict[str, Any] = {}
        self.files: dict[str, list[Any]] = {}
        """Entries of this run: path as displayed -> [key, entry]."""
        self.projects: dict[str, list[Any]] = {}
        """Entries of this run: project root -> [key, dependencies, entry]."""
        self.fingerprints: dict[int, tuple[object, str]] = {}
        """Digests of plans and configurations by object (kept alive here, so no id is reused)."""
        self._changed = False
        self._load()

    # -- reading

    def _stamp(self) -> str | None:
        """The identity of this cache folder's own ``.gitignore`` (None: there is none yet, or the
        folder is no real folder of this checkout: a link, a file)."""
        try:
            folder = os.lstat(self.folder)
            marker = os.lstat(self.folder / GITIGNORE)
        except (OSError, ValueError):
            return None
        if not stat.S_ISDIR(folder.st_mode) or not stat.S_ISREG(marker.st_mode):
            return None
        return f"{marker.st_dev}:{marker.st_ino}:{marker.st_ctime_ns}"

    def _load(self) -> None:
        stamp = self._stamp()
        if stamp is None:
            return
        try:  # bounded, a regular file, no link: read_bounded refuses the rest unread
            data = read_bounded(self.file, MAX_CACHE_BYTES, inside=self.folder)
            # A file this folder's runs did not write is a miss before it is parsed (its header is
            # written first, in this order).
            if isinstance(data, Unreadable) or not data.startswith(self._header(stamp)[:-1] + b","):
                return
            document = json.loads(data)
        except (OSError, ValueError, RecursionError):
            return
        if (
            not isinstance(document, dict)
            or document.get("format") != CACHE_FORMAT
            or document.get("stamp") != stamp
            or document.get("environment") != self.environment
        ):
            return
        files, projects = document.get("files"), document.get("projects")
        self._old_files = files if isinstance(files, dict) else {}
        self._old_projects = projects if isinstance(projects, dict) else {}

    def _header(self, stamp: str) -> bytes:
        return json.dumps(
            {"format": CACHE_FORMAT, "stamp": stamp, "environment": self.environment}, separators=(",", ":")
        ).encode("utf-8")

    def file_entry(self, shown: str, key: str) -> dict[str, Any] | None:
        """The entry of a standalone file checked under ``key`` before, or None (it is kept either way
        only if :meth:`keep_file` is called)."""
        found = self._old_files.get(shown)
        if isinstance(found, list) and len(found) == 2 and found[0] == key and isinstance(found[1], dict):
            self.files[shown] = found
            return found[1]
        return None

    def keep_file(self, shown: str, key: str, entry: dict[str, Any]) -> None:
        self.files[shown] = [key, entry]
        self._changed = True

    def project_entry(self, root: str, key: str) -> tuple[list[Any], dict[str, Any]] | None:
        """A project's entry under ``key``, with the dependencies the caller verifies (each
        ``[path, kind, digest]``), or None."""
        found = self._old_projects.get(root)
        if (
            isinstance(found, list)
            and len(found) == 3
            and found[0] == key
            and isinstance(found[1], list)
            and isinstance(found[2], dict)
        ):
            return found[1], found[2]
        return None

    def keep_project(self, root: str, key: str, dependencies: list[Any], entry: dict[str, Any], new: bool) -> None:
        self.projects[root] = [key, dependencies, entry]
        self._changed = self._changed or new

    # -- writing

    def save(self) -> None:
        """Write this run's entries, and the earlier ones of files that still exist, once; never
        fails and prints nothing (a read-only checkout simply keeps no cache)."""
        for shown, found in self._old_files.items():
            if shown not in self.files:
                if os.path.lexists(shown):
                    self.files[shown] = found
                self._changed = True  # dropped, or carried over from a run of other paths
        for root, found in self._old_projects.items():
            if root not in self.projects and os.path.isdir(root):
                self.projects[root] = found
        if not self._changed and self._stamp() is not None:
            return
        with contextlib.suppress(UsageError, OSError, ValueError):
            stamp = self._stamp() or self._create()
            if stamp is None:
                return
            document = {
                "format": CACHE_FORMAT,
                "stamp": stamp,
                "environment": self.environment,
                "files": self.files,
                "projects": self.projects,
            }
            write_atomically(self.file, json.dumps(document, separators=(",", ":")), inside=self.folder)

    def _create(self) -> str | None:
        """Make the cache folder and its ``.gitignore`` (once: never replaced); its stamp."""
        if os.path.islink(self.folder) or (os.path.lexists(self.folder) and not os.path.isdir(self.folder)):
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        marker = self.folder / GITIGNORE
        if not os.path.lexists(marker):
            write_atomically(
                marker,
                "# Written by wsync-lint: its cache is never committed.\n*\n",
                inside=self.folder,
                exclusive=True,
            )
        return self._stamp()


# -- entries: findings as JSON, and back


def encode_violations(violations: list[Violation]) -> list[list[Any]]:
    return [
        [
            v.path, v.line, v.column, v.code, v.end_line, v.end_column, v.name, v.severity.value, v.message, v.hint,
            None if v.fix is None else [v.fix.description, [[e.span.start, e.span.end, e.replacement] for e in v.fix.edits]],
            list(v.related),
        ]
        for v in violations
    ]  # fmt: skip


def decode_violations(data: Any) -> list[Violation]:
    """The findings of an entry; a ``ValueError`` when the entry is not what :func:`encode_violations` wrote."""
    try:
        found = []
        for path, line, column, code, end_line, end_column, name, severity, message, hint, fix, related in data:
            if fix is not None:
                description, edits = fix
                fix = Fix(tuple(Edit(Span(_int(s), _int(e)), _str(r)) for s, e, r in edits), _str(description))
            found.append(
                Violation(
                    _str(path), _int(line), _int(column), _str(code), _int(end_line), _int(end_column), _str(name),
                    Severity(severity), _str(message), None if hint is None else _str(hint), fix,
                    tuple(_str(p) for p in related),
                )
            )  # fmt: skip
        return found
    except (TypeError, ValueError) as malformed:
        raise ValueError("malformed cache entry") from malformed


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError(value)
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(value)
    return value


def strings(value: Any) -> list[str]:
    """A list of strings from an entry (a ``ValueError`` otherwise)."""
    if not isinstance(value, list):
        raise ValueError(value)
    return [_str(item) for item in value]

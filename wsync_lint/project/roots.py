"""Where a project starts: the folder its payload files are loaded from.

A project is every payload file under one root folder. Walking up from a file's folder, the
root is the nearest folder that holds ``.git`` or a configuration file saying ``root = true``;
without either, the top-most folder holding a configuration file; without any, the file's own
folder. A configuration file that does not say ``root = true`` only sets options for its folder:
it does not cut the project in two. A folder below a root that is a root itself (a workspace of
a dev/prod monorepo, a nested repository) is a project of its own, left out of the outer one.

This is EditorConfig's and ESLint's ``root = true``: the marker stops the walk up. ruff and
sqlfluff take the nearest configuration file for settings, which wsync-lint does too (see
``engine/config.py``); the project, which decides which pipelines see which models, needs the
explicit marker, because a monorepo's ``dev/`` and a repository's ``models/bigquery/`` look the same.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsync_lint.errors import UsageError
from wsync_lint.files import may_hold, names_in, read_config_bytes

CONFIG_FILE_NAMES = ("wsync-lint.toml", ".wsync-lint.toml", "pyproject.toml")
"""Where configuration is read from, in this order, in one folder (the first that has a table wins)."""
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


@dataclass(frozen=True)
class Marker:
    """What a folder holds that decides project roots."""

    git: bool = False
    config: Path | None = None
    """The folder's configuration file (the first of :data:`CONFIG_FILE_NAMES` with a table)."""
    declares_root: bool = False
    """The configuration file says ``root = true``."""

    @property
    def is_root(self) -> bool:
        return self.git or self.declares_root


@dataclass(frozen=True)
class Root:
    """A project root and why it is one (for ``--show-settings``)."""

    folder: Path
    why: str
    """``root-config`` (its configuration file says ``root = true``), ``git``, ``top-config``
    (the top-most folder with a configuration file) or ``folder`` (nothing above: the folder itself)."""
    config: Path | None = None
    """The configuration file that says ``root = true``."""


class RootFinder:
    """Decides project roots; remembers what it learnt about each folder."""

    def __init__(self) -> None:
        self._markers: dict[Path, Marker] = {}
        self._roots: dict[Path, Root] = {}
        """The root of each resolved folder seen."""
        self._resolved: dict[Path, Path] = {}

    def marker(self, folder: Path) -> Marker:
        found = self._markers.get(folder)
        if found is None:
            found = self._markers[folder] = _marker(folder)
        return found

    def root_of(self, path: Path) -> Root:
        """The root of the project ``path`` (a file or folder) belongs to."""
        # The file itself is not resolved: a link to a file outside the project still belongs to
        # the project it sits in (and is refused there), not to the folder it points into.
        start = Path(os.path.abspath(path))
        unresolved = start if start.is_dir() else start.parent
        resolved = self._resolved.get(unresolved)
        if resolved is None:
            resolved = self._resolved[unresolved] = unresolved.resolve()
        return self._root_of_folder(resolved)

    def _root_of_folder(self, folder: Path) -> Root:
        """The root for the resolved ``folder``: its own marker decides, else its parent's root
        (a root or repository above wins; a configuration file above is the top-most one)."""
        found = self._roots.get(folder)
        if found is not None:
            return found
        marker = self.marker(folder)
        if marker.declares_root:
            found = Root(folder, "root-config", marker.config)
        elif marker.git:
            found = Root(folder, "git")
        else:
            above = self._root_of_folder(folder.parent) if folder.parent != folder else None
            if above is not None and above.why != "folder":
                found = above
            else:
                found = Root(folder, "top-config" if marker.config is not None else "folder")
        self._roots[folder] = found
        return found

    def roots_within(self, folder: Path) -> Iterator[Path]:
        """The project roots strictly below ``folder`` (each with its own payload files)."""
        for parent, folders, _ in os.walk(folder):
            kept = []
            for name in sorted(folders):
                if name.startswith(".") or name in SKIPPED_FOLDERS:
                    continue
                child = Path(parent) / name
                if self.marker(child.resolve()).is_root:
                    yield child.resolve()
                kept.append(name)  # a root inside a root is a project of its own too
            folders[:] = kept

    def is_nested_root(self, folder: Path) -> bool:
        return self.marker(folder.resolve()).is_root


def _marker(folder: Path) -> Marker:
    names = names_in(folder)
    git = may_hold(names, ".git") and _is(folder / ".git", Path.exists)
    for name in CONFIG_FILE_NAMES:
        candidate = folder / name
        if not may_hold(names, name) or not _is(candidate, Path.is_file):
            continue
        table = _config_table(candidate)
        if table is None:
            continue
        return Marker(git, candidate, table.get("root") is True)
    return Marker(git)


def _is(path: Path, test: Callable[[Path], bool]) -> bool:
    """``test(path)``, False when the folder cannot be searched (walking it reports that)."""
    try:
        return test(path)
    except OSError:
        return False


def _config_table(path: Path) -> dict[str, object] | None:
    """The wsync-lint table of a configuration file; a file that cannot be used counts as a
    configuration without ``root`` (reading the configuration reports the problem)."""
    try:
        return read_config_table(path)
    except UsageError:
        return {} if path.name != "pyproject.toml" else None


def read_config_table(path: Path, *, found: bool = True) -> dict[str, Any] | None:
    """The wsync-lint table of the configuration file ``path`` (None: a ``pyproject.toml``
    without one); a ``UsageError`` (one line) when the file cannot be read, is not TOML, or
    holds ``tool`` or ``tool.wsync-lint`` as something other than a table.

    A configuration ``found`` in a folder (not named with ``--config``) is read only when it lies,
    links resolved, in the repository that holds it (the nearest folder above with ``.git``, else
    its own folder): a committed link to ``~/.aws/credentials`` is refused, never read and quoted."""
    try:
        data = read_config_bytes(path, inside=_repository_of(path.parent) if found else None)
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{path}: not UTF-8: byte 0x{error.object[error.start]:02x} at byte offset {error.start}"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: invalid TOML: {error}") from None
    if path.name != "pyproject.toml":
        return document
    table: Any = document
    for key in ("tool", "wsync-lint"):
        table = table.get(key)
        if table is None:
            return None
        if not isinstance(table, dict):
            name = "tool" if key == "tool" else "tool.wsync-lint"
            raise UsageError(f"{path}: `{name}` must be a table ([{name}]), not {_toml_type(table)}")
    return table


def _repository_of(folder: Path) -> Path:
    """The nearest folder at or above ``folder`` that holds ``.git``, else ``folder`` itself."""
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if _is(candidate / ".git", Path.exists):
            return candidate
    return start


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array"}
    return names.get(type(value), "a date or time")


def project_roots(paths: Iterable[Path], finder: RootFinder | None = None) -> list[Path]:
    """The distinct project roots of ``paths``, sorted: the root each path belongs to, and for a
    folder, every root below it."""
    finder = finder or RootFinder()
    roots: set[Path] = set()
    for path in paths:
        roots.add(finder.root_of(path).folder)
        if path.is_dir():
            roots.update(finder.roots_within(path))
    return sorted(roots)


def payload_folders(root: Path, finder: RootFinder | None = None) -> Iterator[tuple[Path, list[str]]]:
    """Each folder of the project at ``root`` with its file names: hidden folders, virtual
    environments and the projects below it (their own roots) left out."""
    finder = finder or RootFinder()
    for parent, folders, files in os.walk(root):
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".")
            and name not in SKIPPED_FOLDERS
            and not finder.is_nested_root(Path(parent) / name)
        )
        yield Path(parent), sorted(files)

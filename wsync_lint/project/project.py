"""A project: every payload file under one root, its resources, and how they link up.

A pipeline names a connection (which decides the warehouse, so the SQL dialect) and a data model
(whose SQL is inline, ``config.sql_query``, or in a file, ``config.sql_file`` relative to the
payload file). Each such (pipeline, model, connection) triple is a :class:`Binding`: the model's
SQL is checked once per binding, with that pipeline's type and iterator.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wsync_lint.mparticle import facts
from wsync_lint.project.payload_files import (
    PAYLOAD_SUFFIXES,
    PayloadFile,
    PayloadProblem,
    Pointer,
    load_payload_file,
    looks_like_payload,
)
from wsync_lint.project.resources import Kind, Resource, resources_in
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.positions import Span

ROOT_MARKERS = ("wsync-lint.toml", ".wsync-lint.toml", ".git")
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


@dataclass(frozen=True)
class ModelSql:
    """Where a data model's SQL lives: a file, or a string inside the payload."""

    model: Resource
    file: Path | None = None
    """The ``.sql`` file (``config.sql_file``), resolved; None for an inline query."""
    inline: str | None = None
    """The ``config.sql_query`` text."""
    pointer: tuple[str, ...] = ("config", "sql_query")
    """Where the inline query is in the model (a v1 model has it at the top level)."""

    @property
    def key(self) -> str:
        """Identifies the SQL: the file's resolved path, or the model's place in its payload."""
        if self.file is not None:
            return str(self.file)
        return f"{self.model.path}#{self.model.document}/{'/'.join(map(str, self.model.pointer))}"


@dataclass(frozen=True)
class Binding:
    """A pipeline, the data model it runs and the connection it runs it on."""

    pipeline: Resource
    model: Resource
    connection: Resource | None
    """None when the pipeline's connection is not in the project (PL07)."""

    @property
    def dialect(self) -> str | None:
        """The warehouse the connection names, when it names a known one."""
        provider = self.connection.get("service_provider") if self.connection is not None else None
        return facts.SERVICE_PROVIDERS.get(provider) if isinstance(provider, str) else None

    def settings(self, fallback_dialect: str, schema: str | None = None) -> FileSettings:
        """How the pipeline uses the model, for checking its SQL (``schema``: the snapshot of
        the connection's warehouse, when there is one)."""

        def text(*keys: str) -> str | None:
            value = self.pipeline.get(*keys)
            return value if isinstance(value, str) and value else None

        pipeline_type = text("pipeline_type")
        return FileSettings(
            dialect=self.dialect or fallback_dialect,
            pipeline_type=pipeline_type if pipeline_type in facts.PIPELINE_TYPES else None,
            iterator_field=text("sync_mode", "iterator_field"),
            iterator_data_type=text("sync_mode", "iterator_data_type"),
            schema=schema,
        )

    @property
    def paths(self) -> tuple[str, ...]:
        """The payload files involved."""
        found = [self.pipeline.path, self.model.path]
        if self.connection is not None:
            found.append(self.connection.path)
        return tuple(dict.fromkeys(found))


@dataclass
class Project:
    """Every payload file under one root folder."""

    root: Path
    files: list[PayloadFile] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    unrecognised: list[tuple[PayloadFile, int, Pointer]] = field(default_factory=list)
    """Objects in payload files that are no Warehouse Sync resource (PS05)."""
    locations: dict[str, Path] = field(default_factory=dict)
    """Display path of each payload file -> the file."""
    _by_id: dict[tuple[Kind, str], list[Resource]] = field(default_factory=lambda: defaultdict(list))

    def add(self, payload: PayloadFile, location: Path) -> None:
        self.files.append(payload)
        self.locations[payload.path] = location
        for found in resources_in(payload):
            if isinstance(found, Resource):
                self.resources.append(found)
                if found.id is not None:
                    self._by_id[(found.kind, found.id)].append(found)
            else:
                self.unrecognised.append((payload, *found))

    def of_kind(self, kind: Kind) -> list[Resource]:
        return [resource for resource in self.resources if resource.kind is kind]

    def find(self, kind: Kind, resource_id: object) -> Resource | None:
        """The resource of ``kind`` with this id (the first one, when several share it)."""
        if not isinstance(resource_id, str):
            return None
        found = self._by_id.get((kind, resource_id))
        return found[0] if found else None

    def same_id(self, resource: Resource) -> list[Resource]:
        """Every resource of the same kind and id (duplicates included)."""
        if resource.id is None:
            return [resource]
        return self._by_id[(resource.kind, resource.id)]

    def bindings(self) -> list[Binding]:
        """Each pipeline whose data model is in the project, with its connection."""
        found = []
        for pipeline in self.of_kind(Kind.PIPELINE):
            model = self.find(Kind.DATA_MODEL, pipeline.get("data_model_id"))
            if model is not None:
                found.append(Binding(pipeline, model, self.find(Kind.CONNECTION, pipeline.get("connection_id"))))
        return found

    def model_sql(self, model: Resource) -> ModelSql | None:
        """Where ``model``'s SQL is (None when it names neither a string query nor a file name)."""
        sql_file = model.get("config", "sql_file")
        if isinstance(sql_file, str) and sql_file:
            return ModelSql(model, file=(self.locations[model.path].parent / sql_file).resolve())
        query = model.get("config", "sql_query")
        if isinstance(query, str):
            return ModelSql(model, inline=query)
        query = model.get("sql_query")  # v1: PL08 says where it goes; its SQL is still checked
        if isinstance(query, str):
            return ModelSql(model, inline=query, pointer=("sql_query",))
        return None


def project_root(path: Path) -> Path:
    """The folder a project is loaded from: the nearest folder at or above ``path`` holding a
    wsync-lint configuration file or ``.git`` (else ``path`` itself, or its folder)."""
    return project_roots([path])[0]


def project_roots(paths: Iterable[Path]) -> list[Path]:
    """The distinct :func:`project_root` of ``paths``, sorted. The walks up share what they learn:
    thousands of files in hundreds of folders ask about the same few ancestors."""
    known: dict[Path, bool] = {}

    def is_root(folder: Path) -> bool:
        found = known.get(folder)
        if found is None:
            found = known[folder] = _holds_root_marker(folder)
        return found

    roots = set()
    for path in paths:
        start = path.resolve()
        folder = start if start.is_dir() else start.parent
        roots.add(next((candidate for candidate in (folder, *folder.parents) if is_root(candidate)), folder))
    return sorted(roots)


def _holds_root_marker(folder: Path) -> bool:
    if any((folder / marker).exists() for marker in ROOT_MARKERS):
        return True
    pyproject = folder / "pyproject.toml"
    return pyproject.is_file() and "[tool.wsync-lint" in _read(pyproject)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def payload_candidates(folder: Path) -> Iterator[Path]:
    """Every JSON or YAML file under ``folder`` (hidden folders and virtual environments skipped)."""
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name not in SKIPPED_FOLDERS)
        for name in sorted(files):
            if name.lower().endswith(PAYLOAD_SUFFIXES):
                yield Path(root) / name


def read_payload(location: Path, shown: str) -> PayloadFile | None:
    """The payload file at ``location``, or None when it is no payload (no Warehouse Sync key)."""
    try:
        raw = location.read_bytes()
    except OSError:
        return None
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not looks_like_payload(text):
        return None
    if "\ufffd" in text:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            offset = len(raw[: error.start].decode("utf-8", errors="replace"))
            problem = PayloadProblem(
                f"not UTF-8: byte 0x{raw[error.start]:02x} at byte offset {error.start} cannot be decoded",
                Span(offset, offset + 1),
                "save the file as UTF-8 (JSON is UTF-8 by definition)",
            )
            return PayloadFile(shown, text, problem=problem)
    return load_payload_file(shown, text)

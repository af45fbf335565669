"""A project: every payload file under one root, its resources, and how they link up.

A pipeline names a connection (which decides the warehouse, so the SQL dialect) and a data model
(whose SQL is inline, ``config.sql_query``, or in a file, ``config.sql_file`` relative to the
payload file). Each such (pipeline, model, connection) triple is a :class:`Binding`: the model's
SQL is checked once per binding, with that pipeline's type and iterator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wsync_lint.files import Unreadable, Why, read_bounded
from wsync_lint.mparticle import facts
from wsync_lint.project.model_files import SqlFileProblem, locate_sql_file
from wsync_lint.project.payload_files import (
    PAYLOAD_SUFFIXES,
    PayloadFile,
    PayloadProblem,
    Pointer,
    load_payload_file,
    looks_like_payload,
    may_hold_data_model,
)
from wsync_lint.project.resources import Kind, Resource, holds_data_model, resources_in
from wsync_lint.project.roots import RootFinder, payload_folders
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.positions import Span


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
    problem: SqlFileProblem | None = None
    """Why ``file`` must not be read (CN03 says so): outside the project, missing, no regular file."""

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

    def settings(self, fallback_dialect: str | None, schema: str | None = None) -> FileSettings:
        """How the pipeline uses the model, for checking its SQL (``schema``: the snapshot of
        the connection's warehouse, when there is one). The dialect is the connection's
        warehouse, else ``fallback_dialect`` (None: the checker decides from the model's own
        directive comment and configuration)."""

        def text(*keys: str) -> str | None:
            value = self.pipeline.get(*keys)
            return value if isinstance(value, str) and value else None

        pipeline_type = text("pipeline_type")
        return FileSettings(
            dialect=self.dialect or fallback_dialect,  # type: ignore[arg-type]  # None: decided per file
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
            resolved, problem = locate_sql_file(self.locations[model.path].parent, sql_file, self.root)
            return ModelSql(model, file=resolved, problem=problem)
        query = model.get("config", "sql_query")
        if isinstance(query, str):
            return ModelSql(model, inline=query)
        query = model.get("sql_query")  # v1: PL08 says where it goes; its SQL is still checked
        if isinstance(query, str):
            return ModelSql(model, inline=query, pointer=("sql_query",))
        return None


def project_root(path: Path) -> Path:
    """The folder the project ``path`` belongs to is loaded from (see :mod:`.roots`)."""
    return RootFinder().root_of(path).folder


def payload_candidates(folder: Path, finder: RootFinder | None = None) -> Iterator[Path]:
    """Every JSON or YAML file of the project at ``folder`` (hidden folders, virtual environments
    and the projects below it left out)."""
    for parent, files in payload_folders(folder, finder):
        for name in files:
            if name.lower().endswith(PAYLOAD_SUFFIXES):
                yield parent / name


def read_payload(
    location: Path, shown: str, max_size: int, inside: Path, raw: bytes | Unreadable | None = None
) -> PayloadFile | None:
    """The payload file at ``location`` (at most ``max_size`` bytes, inside the project folder
    ``inside`` once links are resolved), or None when it is no payload (no Warehouse Sync key).
    A file that cannot be read is a payload with a problem (PS05), unless it is over the size
    limit and its first bytes name no Warehouse Sync key (a large ``package-lock.json``).
    ``raw``: what was read in the file's stead (``check -``'s standard input), read the same way."""
    if raw is None:
        raw = read_bounded(location, max_size, inside=inside)
    if isinstance(raw, Unreadable):
        head = raw.head.decode("utf-8", errors="replace")
        if raw.why is Why.TOO_LARGE and not looks_like_payload(head) and not may_hold_data_model(head):
            return None
        return PayloadFile(shown, "", problem=PayloadProblem(raw.sentence, Span(0, 0), raw.hint))
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    named = looks_like_payload(text)
    if not named and not may_hold_data_model(text):
        return None
    if "\ufffd" in text and named:
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
    loaded = load_payload_file(shown, text)
    # A file that names no Warehouse Sync key is a payload only when it holds a data model.
    return loaded if named or holds_data_model(loaded) else None

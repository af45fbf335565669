"""What payload and project rules see.

A payload rule (``Needs.PAYLOAD``) gets one :class:`PayloadContext`: a file's resources. A
project rule (``Needs.PROJECT``) gets the :class:`ProjectContext`: every resource of the project
and, for each pipeline whose model is in the project, the model's SQL as checked for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.project.model_files import SqlFileProblem
from wsync_lint.project.payload_files import PayloadFile, Pointer
from wsync_lint.project.project import Binding, ModelSql, Project
from wsync_lint.project.resources import Kind, Resource
from wsync_lint.sql.outputs import OutputColumn


@dataclass
class PayloadContext:
    """One payload file as a payload rule sees it."""

    payload: PayloadFile
    resources: list[Resource]
    unrecognised: list[tuple[int, Pointer]] = field(default_factory=list)
    """Objects of no known kind: (document, pointer)."""
    sql_file_problems: Mapping[int, tuple[SqlFileProblem, str]] = field(default_factory=dict)
    """id() of each data model whose ``config.sql_file`` may not be read -> why, and the file as
    displayed (found by the engine, so that rules stay free of I/O)."""

    def sql_file_problem(self, model: Resource) -> tuple[SqlFileProblem, str] | None:
        """Why ``model``'s ``config.sql_file`` is not read, and the file as displayed (None: it is)."""
        return self.sql_file_problems.get(id(model))

    @property
    def path(self) -> str:
        return self.payload.path

    def of_kind(self, kind: Kind) -> list[Resource]:
        return [resource for resource in self.resources if resource.kind is kind]


@dataclass
class ModelView:
    """A data model's SQL as parsed for one pipeline (in its connection's warehouse)."""

    sql: ModelSql
    context: SqlContext
    sql_path: str
    """The SQL's file as displayed (the payload file for an inline query)."""

    @property
    def outputs(self) -> list[OutputColumn] | None:
        """The model's output columns, or None when they are unknown (the SQL does not parse, is
        not one query, or selects ``*``)."""
        context = self.context
        if context.read_problem is not None or context.parse_failure is not None or len(context.statements) != 1:
            return None
        if len(context.queries) != 1:
            return None
        columns = context.outputs(context.queries[0])
        if any(column.is_star for column in columns):
            return None
        return columns


@dataclass
class ProjectContext:
    """The whole project as a project rule sees it."""

    project: Project
    bindings: list[Binding] = field(default_factory=list)
    views: dict[int, ModelView] = field(default_factory=dict)
    """id(binding.pipeline) -> the model's SQL as checked for that pipeline."""

    def of_kind(self, kind: Kind) -> list[Resource]:
        return self.project.of_kind(kind)

    def find(self, kind: Kind, resource_id: object) -> Resource | None:
        return self.project.find(kind, resource_id)

    def view(self, binding: Binding) -> ModelView | None:
        """The model's SQL as checked for ``binding``'s pipeline (None when it could not be read)."""
        return self.views.get(id(binding.pipeline))

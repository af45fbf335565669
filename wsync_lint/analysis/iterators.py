"""The pipeline's iterator against its model's output columns (SY01, SY02; CN05 reads the outputs).

mParticle filters the model's result with ``WHERE <iterator_field> BETWEEN ...``, the iterator
written unquoted (GAP-8). Whether that names an output column depends on the warehouse's
folding, which :mod:`wsync_lint.mparticle.warehouses` decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from wsync_lint.analysis.attributes import identity_candidate
from wsync_lint.analysis.typed_outputs import star_expansions
from wsync_lint.contract.project_context import ModelView, ProjectContext
from wsync_lint.mparticle import facts
from wsync_lint.mparticle.warehouses import Warehouse
from wsync_lint.project.project import Binding
from wsync_lint.project.resources import Resource
from wsync_lint.sql.outputs import OutputColumn


def iterator_field(pipeline: Resource) -> str | None:
    """The pipeline's `sync_mode.iterator_field`, when it is a non-empty string."""
    value = pipeline.get("sync_mode", "iterator_field")
    return value if isinstance(value, str) and value.strip() else None


def iterator_used(pipeline: Resource) -> bool:
    """Whether mParticle filters on the iterator: an incremental sync (or one of unknown type),
    or any sync with a `from` / `until` window (WS-SQL-22)."""
    sync_mode = pipeline.get("sync_mode")
    if not isinstance(sync_mode, Mapping):
        return False
    return (
        sync_mode.get("type") != facts.SYNC_MODE_FULL
        or sync_mode.get("from") is not None
        or sync_mode.get("until") is not None
    )


def resolves(warehouse: Warehouse, iterator: str, returned: str) -> bool:
    """Whether the unquoted `iterator` in mParticle's `WHERE <iterator> BETWEEN ...` names the
    output column the warehouse returns as ``returned`` (GAP-8: the iterator is not quoted)."""
    return warehouse.reference_key(iterator, quoted=False) == warehouse.column_key(returned)


def same_ignoring_case(iterator: str, returned: str) -> bool:
    return returned.casefold() == iterator.casefold()


def output_names(ctx: ProjectContext, binding: Binding) -> tuple[ModelView, list[tuple[OutputColumn, str]]] | None:
    """The model's view for the binding, and each output column with the name the warehouse
    returns for it where the SQL tells it: aliases and columns, the last part of a struct path,
    and on Redshift the name PostgreSQL gives a cast or function call (`updated_at::date` is
    `updated_at`); the columns of a ``*`` as the schema snapshot expands them (each paired with
    its ``*`` item). None when the output columns are unknown."""
    found = output_entries(ctx, binding)
    if found is None:
        return None
    view, entries = found
    return view, [(column, name) for column, name in entries if name is not None]


def output_entries(
    ctx: ProjectContext, binding: Binding
) -> tuple[ModelView, list[tuple[OutputColumn, str | None]]] | None:
    """Like :func:`output_names`, with the columns whose name is not known (None) too."""
    view = ctx.view(binding)
    if view is None:
        return None
    sql = view.context
    outputs = view.outputs
    stars: dict[int, list] = {}
    if outputs is None:  # unknown, or a `*` the connection's schema snapshot may expand
        if sql.read_problem is not None or sql.parse_failure is not None or len(sql.statements) != 1:
            return None
        if len(sql.queries) != 1:
            return None
        outputs = sql.outputs(sql.queries[0])
        expanded = star_expansions(sql, sql.queries[0])
        if expanded is None:
            return None
        stars = expanded
    entries: list[tuple[OutputColumn, str | None]] = []
    for column in outputs:
        if column.index in stars:
            entries.extend((column, entry.name) for entry in stars[column.index])
        else:
            entries.append((column, identity_candidate(column, sql.warehouse, sql.text)))
    return view, entries


def related_paths(binding: Binding, view: ModelView) -> tuple[str, ...]:
    """The files besides the pipeline's that a finding on the pipeline's iterator involves."""
    paths = dict.fromkeys((view.sql_path, *binding.paths))  # the model, its SQL and the connection
    paths.pop(binding.pipeline.path, None)
    return tuple(paths)


@dataclass(frozen=True)
class IteratorUse:
    """A pipeline that filters on its iterator, with its model's named output columns."""

    binding: Binding
    iterator: str
    view: ModelView
    outputs: list[tuple[OutputColumn, str]]
    """Each output column with the name the warehouse returns for it."""

    @property
    def pipeline(self) -> Resource:
        return self.binding.pipeline

    @property
    def warehouse(self) -> Warehouse:
        return self.view.context.warehouse


def iterator_uses(ctx: ProjectContext) -> Iterator[IteratorUse]:
    """Each pipeline whose iterator mParticle filters on and whose model's outputs are known."""
    for binding in ctx.bindings:
        iterator = iterator_field(binding.pipeline)
        if iterator is None or not iterator_used(binding.pipeline):
            continue
        found = output_names(ctx, binding)
        if found is not None:
            yield IteratorUse(binding, iterator, *found)

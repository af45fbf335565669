"""What a SQL rule sees: one file's text, tokens, statements and settings.

The engine builds one :class:`SqlContext` per file. Derived views that several rules use (the
queries, nodes by type, output columns) are computed once, on first use, and cached here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from sqlglot import exp

from wsync_lint.lexicon import Lexicon
from wsync_lint.outputs import OutputColumn, output_columns
from wsync_lint.parse import ParseFailure
from wsync_lint.positions import Span
from wsync_lint.warehouses import Warehouse

if TYPE_CHECKING:
    from wsync_lint.directives import Suppression

NodeT = TypeVar("NodeT", bound=exp.Expression)


@dataclass(frozen=True)
class FileSettings:
    """How a model will be used: its warehouse and, when known, its pipeline."""

    dialect: str
    pipeline_type: str | None = None
    iterator_field: str | None = None
    iterator_data_type: str | None = None


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be read as SQL text (PS02)."""

    message: str
    span: Span
    hint: str
    text: str = ""
    """The file's text as far as it could be decoded, for turning ``span`` into line and column."""


@dataclass
class SqlContext:
    """One model file as the rules see it."""

    path: str
    text: str
    warehouse: Warehouse
    settings: FileSettings
    lexicon: Lexicon
    statements: list[exp.Expression] = field(default_factory=list)
    parse_failure: ParseFailure | None = None
    read_problem: ReadProblem | None = None
    other_dialects_parsing: tuple[str, ...] = ()
    """When the file does not parse, the other warehouses whose dialect parses it (for PS01)."""
    suppressions: list[Suppression] = field(default_factory=list)
    """The file's suppression comments and what they suppressed (for WL01 and WL02)."""

    @cached_property
    def queries(self) -> list[exp.Query]:
        """The statements that are queries (SELECT, UNION, ...), in file order."""
        return [s for s in self.statements if isinstance(s, exp.Query)]

    @cached_property
    def _nodes_by_type(self) -> dict[type, list[exp.Expression]]:
        index: dict[type, list[exp.Expression]] = defaultdict(list)
        for statement in self.statements:
            for node in statement.walk():
                index[type(node)].append(node)
        return index

    def nodes(self, *types: type[NodeT]) -> list[NodeT]:
        """Every node of the given types (subclasses included) in all statements.

        One walk of the trees serves every rule, however many ask.
        """
        found: list[NodeT] = []
        for node_type, nodes in self._nodes_by_type.items():
            if issubclass(node_type, types):
                found.extend(nodes)  # type: ignore[arg-type]
        return found

    def outputs(self, query: exp.Query) -> list[OutputColumn]:
        """The output columns of ``query`` as the warehouse will name them (cached)."""
        cache = self.__dict__.setdefault("_outputs", {})
        key = id(query)
        if key not in cache:
            cache[key] = output_columns(query, self.warehouse)
        return cache[key]

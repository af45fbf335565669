"""What a SQL rule sees: one file's text, tokens, statements and settings.

The engine builds one :class:`SqlContext` per file. Derived views that several rules use (the
queries, nodes by type, output columns) are computed once, on first use, and cached here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from sqlglot import exp
from sqlglot.tokens import Token

from wsync_lint.mparticle.warehouses import Warehouse
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.lexicon import Lexicon, split_statements
from wsync_lint.sql.outputs import OutputColumn, output_columns
from wsync_lint.sql.parse import ParseFailure
from wsync_lint.sql.positions import LineIndex, Span
from wsync_lint.sql.reading import ReadProblem

if TYPE_CHECKING:
    from wsync_lint.contract.suppressions import Suppression
    from wsync_lint.sql.snapshots import SchemaSnapshot

NodeT = TypeVar("NodeT", bound=exp.Expression)
T = TypeVar("T")


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
    not_run: set[str] = field(default_factory=set)
    """Codes of selected rules that need a schema snapshot this file has none of."""
    running: frozenset[str] | None = None
    """Codes of the rules that run on this file (None: all; a context built outside a run). A
    rule that leaves a place to a more specific rule asks whether that rule runs."""
    lines: LineIndex = field(default=None, repr=False)  # type: ignore[assignment]
    """Line and column of offsets in this file."""
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.lines is None:
            self.lines = LineIndex(self.text)

    @cached_property
    def queries(self) -> list[exp.Query]:
        """The statements that are queries (SELECT, UNION, ...), in file order."""
        return [s for s in self.statements if isinstance(s, exp.Query)]

    @cached_property
    def _nodes_by_type(self) -> dict[type, list[exp.Expression]]:
        """Every node by its class, each list in depth-first order (``Expression.dfs``'s order).

        The walk reads ``args`` as ``dfs`` does, without its generators: this is the one pass
        over every node of every tree, and the generators cost a quarter of it.
        """
        index: dict[type, list[exp.Expression]] = defaultdict(list)
        for statement in self.statements:
            stack: list[exp.Expression] = [statement]
            push = stack.append
            while stack:
                node = stack.pop()
                index[type(node)].append(node)
                # Children pushed last to first, so that they are visited first to last.
                for value in reversed(node.args.values()):
                    if isinstance(value, list):
                        for item in reversed(value):
                            if isinstance(item, exp.Expr):
                                push(item)  # type: ignore[arg-type]
                    elif isinstance(value, exp.Expr):
                        push(value)  # type: ignore[arg-type]
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

    @cached_property
    def schema(self) -> SchemaSnapshot | None:
        """The schema snapshot that applies to this model (None without one)."""
        if self.settings.schema is None:
            return None
        from pathlib import Path

        from wsync_lint.sql.snapshots import read_snapshot

        return read_snapshot(Path(self.settings.schema))

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """``build()``, computed once per file: for analyses several rules share.

        Keys are namespaced by the module that owns them (``"scopes.analysis"``).
        """
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def outputs(self, query: exp.Query) -> list[OutputColumn]:
        """The output columns of ``query`` as the warehouse will name them (cached)."""
        return self.memo(f"outputs.{id(query)}", lambda: output_columns(query, self.warehouse))

    @cached_property
    def statement_chunks(self) -> list[list[Token]]:
        """The file's tokens split on ``;``, one list per non-empty statement, in file order."""
        return split_statements(self.lexicon.tokens)

    def statement_span(self, node: exp.Expression) -> Span | None:
        """The text of the statement that holds ``node`` (None when statements and ``;``-separated
        chunks do not line up, as in scripts sqlglot reads differently)."""
        spans = self.memo("context.statement_spans", self._statement_spans)
        return spans.get(id(node.root()))

    def _statement_spans(self) -> dict[int, Span]:
        chunks = self.statement_chunks
        if len(chunks) != len(self.statements):
            return {}
        return {
            id(statement): Span(chunk[0].start, chunk[-1].end + 1)
            for statement, chunk in zip(self.statements, chunks, strict=True)
        }

"""The rule contract: what a rule is, what it yields, and what the engine makes of it.

A rule is a pure function over parsed data. It yields :class:`Finding` objects that say *where*
(a sqlglot node, a token or a :class:`~wsync_lint.sql.positions.Span`) and *what*. It never sets the
code, path or severity, never reads configuration files, never prints and never opens
connections: the engine does all of that and turns findings into :class:`Violation` records.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # annotations only: the registry and the reporters load this without sqlglot
    from sqlglot import exp
    from sqlglot.tokens import Token

    from wsync_lint.sql.positions import FileSpan, Span


class Severity(enum.StrEnum):
    """How bad a finding is. Ordered: an error outranks a warning."""

    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return 1 if self is Severity.ERROR else 0


class Needs(enum.Enum):
    """What a rule needs from a file before the engine runs it."""

    SOURCE = "source"
    """Runs on every file, even one that could not be read (PS02)."""
    TEXT = "text"
    """Runs on every readable file: the text and its tokens (the file need not parse)."""
    TREE = "tree"
    """Runs only when the file parses in its dialect."""
    SUPPRESSIONS = "suppressions"
    """Runs after suppression, over what the file's suppression comments did (WL01, WL02)."""
    PAYLOAD = "payload"
    """Runs on each payload file (JSON or YAML) alone: ``check(PayloadContext, options)``."""
    PROJECT = "project"
    """Runs once over the whole project, payloads and models together: ``check(ProjectContext, options)``."""
    LIVE = "live"
    """Runs in ``preflight`` over what the warehouse answered for one pipeline: ``check(LiveContext, options)``."""
    API = "api"
    """Runs in ``plan``, ``deploy`` and ``preflight --api`` over what the Warehouse Sync API answered
    for the project's workspace: ``check(ApiContext, options)``."""


Location: TypeAlias = "exp.Expression | Token | Span | FileSpan"
"""Where a finding points: a node, token or span of the SQL file being checked, or a span of a
named file (payload and project rules)."""


@dataclass(frozen=True)
class Edit:
    """Replace the text in ``span`` with ``replacement``."""

    span: Span
    replacement: str


@dataclass(frozen=True)
class Fix:
    """A safe, mechanical correction of one finding: edits that never change what the query means."""

    edits: tuple[Edit, ...]
    description: str
    """What the fix does, in the imperative ("remove the trailing `;`")."""


@dataclass(frozen=True)
class Finding:
    """What a rule yields: where the problem is, what it is, and how to fix it."""

    at: Location
    message: str
    """States the problem in the user's terms (quote the identifier, name the warehouse)."""
    hint: str | None = None
    """One line that says the fix."""
    severity: Severity | None = None
    """Overrides the rule's default severity for this finding only (a weaker form of a rule)."""
    fix: Fix | None = None
    """A safe fix, applied by ``--fix``."""
    related: tuple[str, ...] = ()
    """Other files (as displayed) the finding is about: a cross-file finding is reported when
    any of them is checked, not only the file it points into."""


@dataclass(frozen=True)
class Option:
    """A per-rule setting users may give under ``[tool.wsync-lint.rules.<CODE>]``."""

    type: type
    default: Any
    help: str
    bounds: tuple[float, float] | None = None
    """For a number: the smallest and largest value it takes (:data:`SHARE` for a share)."""


SHARE = (0.0, 1.0)
"""The bounds of an option that is a share of rows or values (a rate)."""


@dataclass(frozen=True)
class Rule:
    """One rule: a stable code, a name, its documentation and its check function."""

    code: str
    """Two-letter family and two digits (``ST03``); never renumbered or reused."""
    name: str
    """Kebab-case name of the bad pattern (``trailing-semicolon``)."""
    check: Callable[..., Iterator[Finding]]
    """``check(ctx, options) -> Iterator[Finding]``."""
    doc: str
    """The module docstring: summary line, What it does / Why is this bad? / Example / Use instead."""
    needs: Needs = Needs.TREE
    default_severity: Severity = Severity.ERROR
    default_enabled: bool = True
    options: Mapping[str, Option] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    fixable: bool = False
    """Whether some of its findings carry a safe fix (``--fix``)."""
    payload_check: Callable[..., Iterator[Finding]] | None = None
    """For a SQL rule that also checks payload files (PS03): ``payload_check(PayloadContext, options)``."""
    needs_schema: bool = False
    """Runs only on a model with a schema snapshot; without one it is listed as not run."""
    reads_pipeline: bool = False
    """A SQL rule whose findings depend on the pipeline that uses the model (its type or
    iterator): such findings are about the pipeline's file too."""

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.strip().splitlines()[0].strip()

    def default_options(self) -> dict[str, Any]:
        return {key: option.default for key, option in self.options.items()}


@dataclass(frozen=True, slots=True)  # slots: a run over a big tree keeps tens of thousands
class Violation:
    """A finding placed in a file, with its code and final severity: what reporters print.

    Reports list violations in :meth:`sort_key` order: path, line, column, code.
    """

    path: str
    line: int
    column: int
    code: str
    end_line: int
    end_column: int
    name: str
    severity: Severity
    message: str
    hint: str | None = None
    fix: Fix | None = None
    related: tuple[str, ...] = ()
    """Other files the finding involves (cross-file findings); not part of the report formats."""

    def sort_key(self) -> tuple[str, int, int, str, int, int, str]:
        return (self.path, self.line, self.column, self.code, self.end_line, self.end_column, self.message)

"""What a run is asked (:class:`RunOptions`) and what it produced (:class:`RunResult`), apart
from the run itself (:mod:`.runner`, which re-exports them) so that reporters and callers share them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.model_check import FilePlan

if TYPE_CHECKING:  # only preflight fills them; `check` does not load the live contract
    from wsync_lint.contract.live_figures import PipelineFigures


@dataclass(frozen=True)
class RunOptions:
    """What the command line says, on top of configuration."""

    dialect: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_path: Path | None = None
    schema_override: Mapping[str, str] = field(default_factory=dict)
    """Connection id -> a schema snapshot to use instead of the committed one (``preflight``
    passes the snapshots it just took from the warehouse)."""
    connection: str | None = None
    """Check a model only for the pipelines of this connection id (``preflight --connection``): a
    model two connections share is not judged by the other's warehouse or snapshot."""
    cache: bool = False
    """Read and write the content cache (``check``; :mod:`.cache`). Off for library callers and
    for runs that depend on live state (``preflight``)."""
    cache_dir: Path | None = None
    """``--cache-dir``: where the cache is, instead of ``cache-dir`` or the default."""


@dataclass(frozen=True)
class NotChecked:
    """A live target a run did not check: ``kind`` and ``id`` name it (``connection``,
    ``snowflake-prod``; ``api``, the workspace id), ``why`` says why in the user's terms
    (``WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD is not set``), ``unreachable`` tells a target that was
    tried and did not answer from one that was never tried (no credentials, no driver). Either way
    the run exits 3."""

    kind: str
    id: str
    why: str
    unreachable: bool = False

    @property
    def label(self) -> str:
        """``connection `snowflake-prod``` as the reports name it."""
        return f"{self.kind} `{self.id}`"

    @property
    def line(self) -> str:
        """What every report says of it: ``not checked: connection `x`: why`` when nothing was tried,
        ``unreachable: connection `x`: why`` when it was tried and failed."""
        state = "unreachable" if self.unreachable else "not checked"
        return f"{state}: {self.label}: {self.why}"


@dataclass
class RunResult:
    """Every violation of a run, and what it covered."""

    violations: list[Violation] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    """Every file checked, as displayed."""
    fail_on: Severity = Severity.WARNING
    fixed: int = 0
    """Findings fixed by ``--fix`` in this run."""
    not_run: set[str] = field(default_factory=set)
    """Selected rules that could not run on some model for want of a schema snapshot."""
    analysed: dict[str, list[tuple[FilePlan, str]]] = field(default_factory=dict)
    """Each model checked (as displayed) -> the plans it was checked with, each with where its
    warehouse came from (``model_check.DIALECT_ORIGINS``): ``--fix`` re-checks with the same."""
    unread_payloads: list[str] = field(default_factory=list)
    """Payload files of the projects that could not be decoded (one may hold a model's pipeline)."""
    not_checked: list[NotChecked] = field(default_factory=list)
    """What a live run could not check (a connection without credentials or driver, one that did
    not answer): every report says so, and none of them says "All checks passed"."""
    figures: list[PipelineFigures] = field(default_factory=list)
    """What ``preflight --sample`` / ``--cost`` measured, one entry per pipeline measured, in the
    order the pipelines were checked (empty for ``check``)."""
    sources: dict[str, str] = field(default_factory=dict)
    """The text the run read of each file with a finding (as displayed), standard input
    included: the text format quotes its lines under the findings (code frames)."""

    @property
    def files(self) -> int:
        return len(self.paths)

    @property
    def errors(self) -> int:
        return sum(1 for v in self.violations if v.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for v in self.violations if v.severity is Severity.WARNING)

"""Exit codes, decided in one place.

``0`` nothing at or above the failing severity; ``1`` findings; ``2`` usage, configuration or
internal error; ``3`` a live check could not reach the warehouse or the API.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsync_lint.engine.run_result import RunResult


class ExitCode(enum.IntEnum):
    CLEAN = 0
    FINDINGS = 1
    ERROR = 2
    UNREACHABLE = 3


def exit_code_for(result: RunResult, exit_zero: bool = False) -> ExitCode:
    """The exit code of a check run."""
    if exit_zero:
        return ExitCode.CLEAN
    failing = [v for v in result.violations if v.severity.rank >= result.fail_on.rank]
    return ExitCode.FINDINGS if failing else ExitCode.CLEAN

"""Output formats. Each reporter turns a run's result into the text that is printed.

``REPORTERS`` maps a format name to its reporter; the CLI's ``--format`` choices come from it.
A reporter's module is imported when its format is asked for, so that a run imports the one it
prints with (``--format json`` does not import the SARIF reporter and the rule documentation).
Imports only :mod:`wsync_lint.engine` and the layers below it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from wsync_lint.lazy import imported

if TYPE_CHECKING:
    from wsync_lint.engine.run_result import RunResult

Reporter = Callable[["RunResult", bool], "str | bytes | bytearray"]
"""``reporter(result, quiet) -> text`` (the JSON reporter's as UTF-8 bytes: it can be very long)."""


class _Reporters(Mapping[str, Reporter]):
    """Format name -> reporter, each imported from ``module:function`` on first use."""

    def __init__(self, where: dict[str, str]) -> None:
        self._where = where

    def __getitem__(self, name: str) -> Reporter:
        module, function = self._where[name].split(":")
        reporter: Reporter = imported(f"{__name__}.{module}", function)
        return reporter

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


REPORTERS: Mapping[str, Reporter] = _Reporters(
    {
        "text": "text:render_text",
        "json": "json_format:render_json",
        "github": "github:render_github",
        "sarif": "sarif:render_sarif",
        "junit": "junit:render_junit",
        "concise": "concise:render_concise",
    }
)

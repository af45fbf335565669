"""What the API commands (``plan``, ``deploy``, ``status``, ``import``) share: their options, how
the project's workspace is found, and how an API failure ends the run (one line, exit 3)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wsync_lint.cli.exit_codes import ExitCode
from wsync_lint.cli.options import config_option, stacked, timeout_option
from wsync_lint.printable import one_line

if TYPE_CHECKING:
    from wsync_lint.api.settings import ApiSettings

F = TypeVar("F", bound=Callable[..., Any])


def api_options(timeout_covers: str = "each call to the API, a few of them for its retries") -> Callable[[F], F]:
    """``--workspace``, ``--timeout`` (saying what it bounds) and ``--config``, the same for every
    API command."""
    return stacked(
        click.option(
            "--workspace",
            metavar="ID",
            help="The Warehouse Sync workspace id [default: `workspace` under [tool.wsync-lint.api]].",
        ),
        timeout_option(timeout_covers),
        config_option,
    )


def settings_for_project(
    project_root: Path, workspace: str | None, timeout: float, config_path: Path | None
) -> ApiSettings:
    """The API settings of the project at ``project_root``: its configuration's ``[tool.wsync-lint.api]``
    with the command line and the environment over it (exit 2 when no workspace is named)."""
    from wsync_lint.api.settings import api_settings
    from wsync_lint.engine.config import ConfigFinder

    config = ConfigFinder(config_path).for_folder(project_root)
    return api_settings(config.api, workspace, timeout)


@contextmanager
def api_failures_end_the_run() -> Iterator[None]:
    """Turn a failed read of the workspace into one line and exit code 3: the API unreachable
    (:class:`~wsync_lint.api.errors.ApiUnreachable`), or a read it refused (a GET answered 400:
    the workspace could not be read, which is no finding about the project)."""
    from wsync_lint.api.errors import ApiNotTried, ApiRefused, ApiUnreachable

    try:
        yield
    except ApiUnreachable as error:
        state = "not checked" if isinstance(error, ApiNotTried) else "unreachable"
        click.echo(f"wsync-lint: {state}: {one_line(str(error))}", err=True)
        sys.exit(int(ExitCode.UNREACHABLE))
    except ApiRefused as error:
        where = f" {error.method} {error.path}" if error.method else ""
        click.echo(
            f"wsync-lint: unreachable: mParticle refused a read ({error.status}{where}): {one_line(error.message)}",
            err=True,
        )
        sys.exit(int(ExitCode.UNREACHABLE))

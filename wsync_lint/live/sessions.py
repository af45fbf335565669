"""Sessions on the warehouses: opened per connection through its connector, every call bounded by the timeout."""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from wsync_lint.live.backend import LiveSettings, Session, WarehouseUnreachable, settings_for
from wsync_lint.live.planning import Work
from wsync_lint.mparticle.warehouses import WAREHOUSES

T = TypeVar("T")

# The driver's own timeouts should fire first (their messages say more); this is the backstop
# for a driver that ignores them: the timeout plus as much again, at most 5 s more.
_GRACE_SECONDS = 5.0


def connector(dialect: str) -> Callable[[LiveSettings], Session]:
    """The ``connect`` function of the warehouse's connector module (imported only now)."""
    return importlib.import_module(f"wsync_lint.live.{dialect}").connect  # type: ignore[no-any-return]


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``, or :class:`WarehouseUnreachable` when it has not answered after ``seconds``.

    The call runs in a daemon thread, so a driver stuck in a socket cannot keep the process alive.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, re-raised there
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True, name="wsync-lint-live")
    worker.start()
    worker.join(seconds + min(seconds, _GRACE_SECONDS))
    if worker.is_alive():
        raise WarehouseUnreachable(f"no answer within {seconds:g} s (--timeout)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


Connect = Callable[[str, LiveSettings], Session]
"""Opens a session: ``connect(dialect, settings)``."""


def connect(dialect: str, settings: LiveSettings) -> Session:
    """A session through the warehouse's connector module (imported, with its driver, only now)."""
    return connector(dialect)(settings)


def open_session(
    work: Work, timeout: float, environment: Mapping[str, str] | None, opener: Connect = connect
) -> tuple[LiveSettings, Session] | str:
    """A session on the connection's warehouse, or the one line that says why there is none."""
    settings = settings_for(work.connection_id, work.dialect, work.config, timeout, environment)
    try:
        return settings, within(timeout, lambda: opener(work.dialect, settings))
    except WarehouseUnreachable as error:
        return unreachable_line(work, settings, error)


def unreachable_line(work: Work, settings: LiveSettings, error: WarehouseUnreachable) -> str:
    display = WAREHOUSES[work.dialect].display
    return f"connection {work.connection_id} ({display}): {settings.redact(str(error))}"


def close_session(session: Session, timeout: float) -> None:
    """Close without waiting on a dead connection for more than the timeout."""
    with contextlib.suppress(WarehouseUnreachable):
        within(timeout, session.close)

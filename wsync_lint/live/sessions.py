"""Sessions on the warehouses: opened per connection through its connector, every call bounded by the timeout."""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from wsync_lint.engine.run_result import NotChecked
from wsync_lint.live.backend import LiveSettings, Session, WarehouseNotTried, WarehouseUnreachable, settings_for
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
) -> tuple[LiveSettings, Session] | NotChecked:
    """A session on the connection's warehouse, or what says why there is none."""
    settings = settings_for(work.connection_id, work.dialect, work.config, timeout, environment)
    try:
        return settings, within(timeout, lambda: opener(work.dialect, settings))
    except WarehouseUnreachable as error:
        return not_checked(work, settings, error)


def not_checked(work: Work, settings: LiveSettings, error: WarehouseUnreachable) -> NotChecked:
    """The connection as not checked, with why: never tried (:class:`WarehouseNotTried`: no driver, a
    credential not set), or tried and failed (host down, login refused, no answer within the timeout)."""
    why = settings.redact(str(error))
    if isinstance(error, WarehouseNotTried):
        return NotChecked("connection", work.connection_id, why)
    display = WAREHOUSES[work.dialect].display
    # Most drivers' messages name the warehouse already ("Redshift at host:5439: ..."); a timeout does not.
    return NotChecked(
        "connection", work.connection_id, why if display in why else f"{display}: {why}", unreachable=True
    )


def close_session(session: Session, timeout: float) -> None:
    """Close without waiting on a dead connection for more than the timeout."""
    with contextlib.suppress(WarehouseUnreachable):
        within(timeout, session.close)

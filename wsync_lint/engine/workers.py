"""The process pool of a run: workers that end with the run, however it ends.

A run that is interrupted (Ctrl-C, SIGTERM from CI cancelling a job), fails, or is killed outright
must not leave workers behind. Three things see to it:

- When the map ends by any exception (the command line's ``Interrupted`` included, or a worker
  that died: ``BrokenProcessPool``), every worker is sent SIGTERM and joined, and queued work is
  dropped; the executor's own ``shutdown`` would first finish every queued file.
- A worker ignores SIGINT and takes SIGTERM's default action: Ctrl-C reaches every process of
  the terminal's process group, and only the parent decides what happens then (no traceback from
  each worker). The parent blocks both signals while it starts the workers, so that none arrives
  before a worker has set this up.
- A worker dies with its parent: on Linux through ``prctl(PR_SET_PDEATHSIG, SIGTERM)``, which the
  kernel enforces even when the parent is killed with SIGKILL (then the worker checks that its
  parent did not die before the request); elsewhere a thread watches the parent's pid.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Result = TypeVar("Result")

_STOPPING_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_ON_LINUX = sys.platform.startswith("linux")
_PARENT_POLL_SECONDS = 1.0


def _die_with_parent(parent: int) -> None:
    if _ON_LINUX:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the request: nobody will send it
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="watch-parent").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)


def _start_worker(parent: int, initializer: Callable[..., None], initargs: Sequence[Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _mask(signal.SIG_UNBLOCK, _STOPPING_SIGNALS)
    _die_with_parent(parent)
    initializer(*initargs)


def map_in_processes(
    processes: int,
    initializer: Callable[..., None],
    initargs: Sequence[Any],
    function: Callable[..., Result],
    *iterables: Iterable[Any],
    chunksize: int,
) -> list[Result]:
    """``list(map(function, *iterables))``, in ``processes`` workers that each ran
    ``initializer(*initargs)`` first, ``chunksize`` calls at a time; in order. No worker is left
    when this returns or raises."""
    calls = list(zip(*iterables, strict=True))
    chunks = [calls[start : start + chunksize] for start in range(0, len(calls), chunksize)]
    # Forked workers inherit the parent's modules (nothing to import again) and its signal mask.
    context = multiprocessing.get_context("fork" if _ON_LINUX else None)
    pool = ProcessPoolExecutor(
        processes, mp_context=context, initializer=_start_worker, initargs=(os.getpid(), initializer, tuple(initargs))
    )
    try:
        previous = _mask(signal.SIG_BLOCK, _STOPPING_SIGNALS)
        try:
            # The first submission starts the workers. The futures are never cancelled here: the
            # executor (3.11) fails on a cancelled one when it reports workers that died.
            futures = [pool.submit(_call_each, function, chunk) for chunk in chunks]
        finally:
            _mask(signal.SIG_SETMASK, previous)  # a signal that came meanwhile lands now
        results = [result for future in futures for result in future.result()]
    except BaseException:
        _end_workers(pool)
        raise
    pool.shutdown()
    return results


def _call_each(function: Callable[..., Result], calls: list[tuple[Any, ...]]) -> list[Result]:
    return [function(*arguments) for arguments in calls]


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (``shutdown`` alone would first finish the queued work); the executor
    then fails what was queued and ends its own thread."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True)


def _mask(how: int, signals: Iterable[int]) -> set[int]:
    """``signal.pthread_sigmask`` where the platform has it (not on Windows); the mask before."""
    if not hasattr(signal, "pthread_sigmask"):
        return set()
    return set(signal.pthread_sigmask(how, signals))

"""Ending a parallel run: SIGINT, SIGTERM and SIGKILL leave no worker behind.

Each test starts ``wsync-lint check -j2`` in a process of its own on models slow enough to keep
both workers busy, waits (through /proc) until the two workers exist, sends the signal, and then
waits for every worker to be gone. A worker that has exited but is not reaped yet (a zombie: the
container's first process may never reap orphans) counts as gone; no test asserts how long
anything took.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, write

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")

# Upper bounds for waiting on something that should happen, never assertions on durations.
PATIENCE_SECONDS = 120.0
POLL_SECONDS = 0.05


def _slow_model(columns: int) -> str:
    expressions = ",\n".join(
        f"  CASE WHEN t.c{i} > {i} THEN COALESCE(t.d{i}, 'x{i}') ELSE UPPER(t.e{i}) END AS col_{i}"
        for i in range(columns)
    )
    return f"SELECT\n  t.customer_id,\n{expressions}\nFROM db.s.t AS t\n"


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    """The process's state letter and parent pid, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _children(parent: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            status = _state_and_parent(int(entry.name))
            if status is not None and status[1] == parent:
                found.add(int(entry.name))
    return found


def _wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(POLL_SECONDS)
    pytest.fail(f"gave up waiting for {what}")


def _two_or_more(pids: set[int]) -> set[int] | None:
    return pids if len(pids) >= 2 else None


def _gone(pid: int) -> bool:
    status = _state_and_parent(pid)
    return status is None or status[0] in "ZX"


@pytest.fixture
def slow_project(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    model = _slow_model(800)
    for index in range(40):
        write(tmp_path, f"models/m{index:02}.sql", model)
    return tmp_path


def _start_check(folder: Path) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "wsync_lint", "check", "-j2", "models"],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a job of a shell
    )


@pytest.mark.parametrize(
    ("signum", "to_group", "exit_code", "stderr"),
    [
        # Ctrl-C reaches the whole process group of the terminal, workers included.
        (signal.SIGINT, True, 130, "wsync-lint: aborted\n"),
        (signal.SIGINT, False, 130, "wsync-lint: aborted\n"),
        # CI cancelling a job, or `kill`.
        (signal.SIGTERM, False, 143, "wsync-lint: aborted\n"),
        # Nothing runs in the parent: the workers must notice on their own.
        (signal.SIGKILL, False, -signal.SIGKILL, ""),
    ],
    ids=["sigint-group", "sigint", "sigterm", "sigkill"],
)
def test_a_stopped_parallel_run_leaves_no_worker(slow_project, signum, to_group, exit_code, stderr):
    run = _start_check(slow_project)
    workers: set[int] = set()
    try:
        workers |= _wait_for(lambda: _two_or_more(_children(run.pid)), "two workers")
        if to_group:
            os.killpg(run.pid, signum)
        else:
            os.kill(run.pid, signum)
        out, err = run.communicate(timeout=PATIENCE_SECONDS)
        assert (run.returncode, err) == (exit_code, stderr)
        assert out == ""
        _wait_for(lambda: all(_gone(pid) for pid in workers), f"workers {sorted(workers)} to end")
    finally:
        _clean_up(run, workers)


def _clean_up(run: subprocess.Popen, workers: set[int]) -> None:
    """After a failed test: nothing it started may outlive it."""
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    for pid in workers:
        if not _gone(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_a_worker_killed_ends_the_run_with_one_line_and_no_other_worker(slow_project):
    """The out-of-memory killer, say, takes one worker: the run says so in one line, exit code 2,
    and ends the other worker rather than waiting for it (or hanging)."""
    run = _start_check(slow_project)
    workers: set[int] = set()
    try:
        workers |= _wait_for(lambda: _two_or_more(_children(run.pid)), "two workers")
        os.kill(min(workers), signal.SIGKILL)
        out, err = run.communicate(timeout=PATIENCE_SECONDS)
        assert (run.returncode, out) == (2, "")
        assert err.startswith("wsync-lint: internal error: BrokenProcessPool: ")
        assert err.count("\n") == 1
        _wait_for(lambda: all(_gone(pid) for pid in workers), f"workers {sorted(workers)} to end")
    finally:
        _clean_up(run, workers)

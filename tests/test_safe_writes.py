"""Every file wsync-lint writes: atomic, inside the project, never through a symbolic link
(``wsync_lint/files.py``), and connection ids become file names only when they are ids.

The kill test writes a large file in a loop in a subprocess and kills it with SIGKILL at random
moments: after each kill the target holds the old content or the new one, never a torn or empty
file. No timing is asserted; the random delays only decide where the kills land.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, write
from wsync_lint.errors import UsageError
from wsync_lint.files import write_atomically, write_output_file
from wsync_lint.live.snapshot_writing import snapshot_file_name, write_snapshots
from wsync_lint.sql.snapshots import LIVE_SUFFIX


def _files(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: a file's bytes, a link's target."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[relative] = path.read_bytes()
    return found


# -- write_atomically: what it writes ---------------------------------------------------------------


def test_writes_bytes_and_text_and_makes_missing_folders(tmp_path):
    write_atomically(tmp_path / "a.sql", b"SELECT 1\n", inside=tmp_path)
    write_atomically(tmp_path / "schemas/c.json", '{"é": 1}\n', inside=tmp_path)
    assert _files(tmp_path) == {"a.sql": b"SELECT 1\n", "schemas/c.json": '{"é": 1}\n'.encode()}


def test_an_exclusive_write_never_replaces_a_file(tmp_path):
    target = write(tmp_path, "m.sql", "theirs\n")
    with pytest.raises(UsageError, match=r"m\.sql: exists; not overwritten$"):
        write_atomically(target, "ours\n", inside=tmp_path, exclusive=True)
    write_atomically(tmp_path / "new.sql", "ours\n", inside=tmp_path, exclusive=True)
    assert _files(tmp_path) == {"m.sql": b"theirs\n", "new.sql": b"ours\n"}


class _RacingText(str):
    """Text whose encoding, done after the target was checked, makes another file take its name
    first: what a second process creating the file mid-write looks like to wsync-lint."""

    target: Path

    def encode(self, *args: object, **kwargs: object) -> bytes:
        self.target.write_text("theirs\n")
        return str(self).encode()


def test_an_exclusive_write_refuses_a_file_that_appears_while_it_writes(tmp_path):
    racing = _RacingText("ours\n")
    racing.target = tmp_path / "m.sql"
    with pytest.raises(UsageError, match=r"m\.sql: exists; not overwritten$"):
        write_atomically(racing.target, racing, inside=tmp_path, exclusive=True)
    assert _files(tmp_path) == {"m.sql": b"theirs\n"}  # theirs kept, no temporary file left


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = write(tmp_path, "m.sql", "old\n")
    target.chmod(0o640)
    write_atomically(target, "new\n", inside=tmp_path)
    assert (stat.S_IMODE(target.stat().st_mode), target.read_text()) == (0o640, "new\n")
    target.chmod(0o755)
    write_atomically(target, "newer\n", inside=tmp_path)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_a_new_file_gets_what_open_would_give_it(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.json", "{}\n", inside=tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


# -- write_atomically: what it refuses ----------------------------------------------------------------


def test_a_symlink_target_is_refused_and_neither_link_nor_target_changes(tmp_path):
    project = tmp_path / "project"
    outside = write(tmp_path, "outside/secret.txt", "keep me\n")
    write(project, "wsync-lint.toml", "")
    link = project / "m.sql"
    link.symlink_to(outside)
    with pytest.raises(UsageError) as refused:
        write_atomically(link, "SELECT 1\n", inside=project)
    assert str(refused.value) == f"{link}: is a symbolic link; wsync-lint never writes through one"
    assert (os.readlink(link), outside.read_text()) == (str(outside), "keep me\n")
    assert _files(project) == {"m.sql": f"-> {outside}", "wsync-lint.toml": b""}


def test_a_symlink_to_a_file_inside_the_project_is_refused_too(tmp_path):
    real = write(tmp_path, "real.sql", "SELECT 1;\n")
    (tmp_path / "link.sql").symlink_to("real.sql")
    with pytest.raises(UsageError, match="is a symbolic link"):
        write_atomically(tmp_path / "link.sql", "SELECT 1\n", inside=tmp_path)
    assert real.read_text() == "SELECT 1;\n"


def test_a_target_outside_the_project_is_refused(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(UsageError) as refused:
        write_atomically(project / ".." / "escaped.json", "{}\n", inside=project)
    assert str(refused.value) == f"{project / '..' / 'escaped.json'}: is outside the project ({project}); not written"
    assert _files(tmp_path) == {}


def test_a_folder_link_that_leads_out_of_the_project_is_refused(tmp_path):
    project = tmp_path / "project"
    (tmp_path / "elsewhere").mkdir()
    project.mkdir()
    (project / "schemas").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UsageError, match=r"is outside the project"):
        write_atomically(project / "schemas" / "c.json", "{}\n", inside=project)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_read_only_file_is_refused_not_replaced(tmp_path, monkeypatch):
    if os.geteuid() == 0:  # root may write any file: make the check say what it says for a user
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    target = write(tmp_path, "m.sql", "SELECT 1;\n")
    target.chmod(0o444)
    with pytest.raises(UsageError, match=r"m\.sql: is read-only; not written$"):
        write_atomically(target, "SELECT 1\n", inside=tmp_path)
    assert target.read_text() == "SELECT 1;\n"


def test_a_special_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / "x.sql")
    with pytest.raises(UsageError, match=r"x\.sql: is not a regular file; not written$"):
        write_atomically(tmp_path / "x.sql", "SELECT 1\n", inside=tmp_path)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, failing):
    target = write(tmp_path, "m.sql", "old\n")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(UsageError) as refused:
        write_atomically(target, "new\n" * 1000, inside=tmp_path)
    assert str(refused.value) == f"{target}: cannot write: No space left on device"
    monkeypatch.undo()
    assert _files(tmp_path) == {"m.sql": b"old\n"}


def test_an_interrupt_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = write(tmp_path, "m.sql", "old\n")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, "new\n", inside=tmp_path)
    monkeypatch.undo()
    assert _files(tmp_path) == {"m.sql": b"old\n"}


# -- --output-file: the user's choice of place, still never through a link ---------------------------


def test_an_output_file_may_be_outside_the_project_but_not_a_link(tmp_path):
    write_output_file(tmp_path / "far" / "away.json", "{}\n")
    assert (tmp_path / "far/away.json").read_text() == "{}\n"
    secret = write(tmp_path, "secret", "keep\n")
    (tmp_path / "report.json").symlink_to(secret)
    with pytest.raises(UsageError, match=r"report\.json: is a symbolic link; wsync-lint never writes through one$"):
        write_output_file(tmp_path / "report.json", "{}\n")
    assert secret.read_text() == "keep\n"


def test_an_output_file_may_be_a_device():
    write_output_file(Path(os.devnull), "{}\n")  # written to directly: a device cannot be replaced


def test_check_refuses_an_output_file_that_is_a_link_before_the_run(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", "")
    write(tmp_path, "m.sql", "SELECT 1 AS customer_id\n")
    secret = write(tmp_path, "../secret", "keep\n")
    (tmp_path / "report.json").symlink_to(secret)
    result = run_cli("check", "--format", "json", "-o", "report.json", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == "wsync-lint: error: report.json: is a symbolic link; wsync-lint never writes through one\n"
    assert (secret.read_text(), os.readlink(tmp_path / "report.json")) == ("keep\n", str(secret))


def test_check_writes_its_output_file_atomically_and_keeps_its_mode(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    write(tmp_path, "m.sql", "SELECT 1 AS customer_id\n")
    report = write(tmp_path, "report.json", "old report\n")
    report.chmod(0o600)
    result = run_cli("check", "--select", "ST03", "--format", "json", "-o", "report.json", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (0, "", "")
    assert json.loads(report.read_text())["findings"] == []
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    # No temporary file left behind; the one folder added is check's cache (test_cache.py).
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".wsync-lint-cache",
        "m.sql",
        "report.json",
        "wsync-lint.toml",
    ]
    assert [p.suffix for p in sorted((tmp_path / ".wsync-lint-cache").iterdir())] == ["", ".json"]


# -- check --fix ---------------------------------------------------------------------------------------


def test_fix_never_writes_through_a_symlink_and_still_fixes_the_other_files(tmp_path, run_cli):
    # The link leads to a file of the project (one leading out of it is not even read: test_bounded_reads).
    project = tmp_path / "project"
    outside = write(project, "elsewhere/real.sql", "SELECT 1 AS customer_id FROM db.s.t;\n")
    write(project, "wsync-lint.toml", 'dialect = "snowflake"\n')
    plain = write(project, "a.sql", "SELECT 2 AS customer_id FROM db.s.t;\n")
    (project / "m.sql").symlink_to(outside)
    result = run_cli("check", "--fix", "--select", "ST03", "a.sql", "m.sql", cwd=project)
    assert result.err == "wsync-lint: not fixed: m.sql: is a symbolic link; wsync-lint never writes through one\n"
    assert result.code == 1
    assert result.out.splitlines()[0].startswith("m.sql:1:36: ST03 [")
    assert result.out.splitlines()[-1] == "Found 1 problem (1 error, 0 warnings) in 2 files. 1 problem fixed."
    assert (os.readlink(project / "m.sql"), outside.read_text()) == (
        str(outside),
        "SELECT 1 AS customer_id FROM db.s.t;\n",
    )
    assert plain.read_text() == "SELECT 2 AS customer_id FROM db.s.t\n"
    assert sorted(p.name for p in project.iterdir()) == [
        ".wsync-lint-cache",
        "a.sql",
        "elsewhere",
        "m.sql",
        "wsync-lint.toml",
    ]
    assert [p.suffix for p in sorted((project / ".wsync-lint-cache").iterdir())] == ["", ".json"]


def test_fix_keeps_the_model_mode(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    model = write(tmp_path, "m.sql", "SELECT 2 AS customer_id FROM db.s.t;\n")
    model.chmod(0o664)
    result = run_cli("check", "--fix", "--select", "ST03", "m.sql", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    assert (model.read_text(), stat.S_IMODE(model.stat().st_mode)) == ("SELECT 2 AS customer_id FROM db.s.t\n", 0o664)


# -- connection ids as file names --------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../evil", "../../outside-written", "/tmp/abs-written", "a.b", "", "a/b", "x\ny", "ü"])
def test_only_an_id_becomes_a_snapshot_file_name(bad):
    with pytest.raises(UsageError) as refused:
        snapshot_file_name(bad)
    assert str(refused.value) == (
        f"connection id {json.dumps(bad)} is not made of letters, digits, `_` and `-` only (CN01): "
        "no snapshot file is written for it"
    )
    assert "\n" not in str(refused.value)


def test_a_good_id_is_its_own_file_name():
    assert snapshot_file_name("snowflake-prod_2") == "snowflake-prod_2.json"
    assert snapshot_file_name("rs", LIVE_SUFFIX) == "rs.live.json"


def test_preflight_snapshots_refuse_a_bad_id_before_writing_any(tmp_path):
    folder = tmp_path / "live"
    folder.mkdir()
    with pytest.raises(UsageError, match=r'^connection id "\.\./evil" is not made of'):
        write_snapshots(folder, {"good": ("snowflake", []), "../evil": ("snowflake", [])})
    assert _files(tmp_path) == {}
    written = write_snapshots(folder, {"good": ("snowflake", [])})
    assert written == {"good": str(folder / "good.live.json")}
    assert json.loads((folder / "good.live.json").read_text()) == {"dialect": "snowflake", "tables": {}}


def _pull_project(folder: Path, connection_id: str, config: str = "") -> None:
    write(folder, "wsync-lint.toml", config)
    connection = {"id": connection_id, "name": "W", "state": "active", "service_provider": "Snowflake",
                  "config": {"account_identifier": "gd12345", "region": "us-central1.gcp", "warehouse": "w",
                             "database": "d", "user": "u", "role": "r", "storage_integration": "s"}}  # fmt: skip
    write(folder, "connections/w.json", json.dumps(connection))
    write(folder, "models/m.sql", "SELECT id AS customer_id FROM d.s.t\n")
    model = {"id": "m", "name": "m", "type": "sql", "state": "active", "config": {"sql_file": "../models/m.sql"}}
    write(folder, "data-models/m.json", json.dumps(model))
    pipeline = {"id": "p", "name": "p", "pipeline_type": "user_attributes", "connection_id": connection_id,
                "data_model_id": "m", "state": "active", "environment": "production",
                "sync_mode": {"type": "full"}, "schedule": {"type": "once", "delay": "0s"}}  # fmt: skip
    write(folder, "pipelines/p.json", json.dumps(pipeline))


def test_schema_pull_refuses_a_connection_id_with_dots_and_writes_nothing(tmp_path, run_cli):
    # Refused before any login, so no warehouse (stand-in) is needed: the run never gets that far.
    project = tmp_path / "deep" / "project"
    _pull_project(project, "../evil")
    before = _files(tmp_path)
    result = run_cli("schema", "pull", cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        'wsync-lint: error: connection id "../evil" is not made of letters, digits, `_` and `-` only (CN01): '
        "no snapshot file is written for it\n"
    )
    assert _files(tmp_path) == before


def test_schema_pull_refuses_a_schema_dir_outside_the_project(tmp_path, run_cli):
    project = tmp_path / "project"
    _pull_project(project, "wh", 'schema-dir = "../outside"\n')
    before = _files(tmp_path)
    result = run_cli("schema", "pull", cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"wsync-lint: error: {project / '../outside/wh.json'}: is outside the project ({project.resolve()}); "
        "not written\n"
    )
    assert _files(tmp_path) == before


# -- killed mid-write ----------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from wsync_lint.files import write_atomically

    target, size = Path(sys.argv[1]), int(sys.argv[2])
    contents = [bytes([ord("a") + n]) * size for n in range(2)]
    deadline = time.monotonic() + 60  # the subprocess's own bound
    print("ready", flush=True)
    n = 0
    while time.monotonic() < deadline:
        write_atomically(target, contents[n % 2], inside=target.parent)
        n += 1
    """
)


def test_a_kill_at_any_moment_leaves_the_old_file_or_the_new_one(tmp_path):
    size = 8 * 1024 * 1024
    target = tmp_path / "model.sql"
    target.write_bytes(b"a" * size)
    whole = {b"a" * size, b"b" * size}
    chance = random.Random(13)
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    outcomes = []
    for _ in range(30):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target), str(size)],
            stdout=subprocess.PIPE,
            env=environment,
            cwd=tmp_path,
        )
        try:
            assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
            time.sleep(chance.uniform(0, 0.4))  # where the kill lands; nothing about time is asserted
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=60)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
            writer.stdout.close()  # type: ignore[union-attr]
        assert writer.returncode == -signal.SIGKILL
        content = target.read_bytes()
        assert content in whole, f"torn file: {len(content)} bytes"
        # A kill leaves at most the one temporary file it was writing, hidden, never a model:
        leftovers = [p.name for p in tmp_path.iterdir() if p != target]
        assert all(name.startswith(".model.sql.") and name.endswith(".tmp") for name in leftovers)
        outcomes.append(len(leftovers))
        for name in leftovers:
            (tmp_path / name).unlink()
    assert len(outcomes) == 30


@pytest.mark.parametrize("command", [("check",), ("rules",), ("grants",)])
def test_an_output_file_under_a_file_is_refused_before_the_run(tmp_path, run_cli, command):
    write(tmp_path, "m.sql", "SELECT 1 AS customer_id;\n")
    write(tmp_path, "report", "not a folder\n")
    result = run_cli(*command, "-o", "report/out.txt", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert (
        result.err
        == f"wsync-lint: error: report/out.txt: {tmp_path}/report is not a folder; cannot write the report there\n"
    )

"""`--jobs`: a process pool gives exactly the output of a serial run."""

from __future__ import annotations

import random

import pytest

from tests.conftest import CORPUS, write
from wsync_lint.engine.runner import PARALLEL_THRESHOLD, worker_count

SYNTHETIC = [
    "SELECT customer_id, email FROM mp.crm.customers;\n",
    "SELECT u.email, COUNT(t.id) FROM mp.s.tickets t JOIN mp.s.users u ON u.id = t.uid\n",
    "DELETE FROM mp.crm.customers\n",
    "SELECT a b c FROM t\n",
    "",
    "SELECT “x” FROM y -- wsync-lint: ignore XX01\n",
]


def _models(folder, count: int) -> None:
    corpus = sorted(CORPUS.glob("snowflake/*/*.sql")) if CORPUS.is_dir() else []
    picked = random.Random(7).sample(corpus, min(count, len(corpus)))
    for index in range(count):
        text = picked[index].read_bytes() if index < len(picked) else SYNTHETIC[index % len(SYNTHETIC)].encode()
        write(folder, f"models/m{index:03}.sql", text)


def test_two_jobs_print_exactly_what_one_job_prints(tmp_path, run_cli):
    _models(tmp_path, 80)
    # The models are Snowflake's: said so, the run has no note about an assumed warehouse.
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    for output_format in ("json", "text"):
        serial = run_cli("check", "--format", output_format, "--jobs", "1", "models", cwd=tmp_path)
        parallel = run_cli("check", "--format", output_format, "--jobs", "2", "models", cwd=tmp_path)
        assert serial.code == parallel.code == 1
        assert serial.err == parallel.err == ""
        assert parallel.out == serial.out
        assert "80 files" in serial.out or '"files": 80' in serial.out


@pytest.mark.parametrize(
    ("jobs", "files", "cpus", "expected"),
    [
        (None, PARALLEL_THRESHOLD, 8, 1),
        (None, PARALLEL_THRESHOLD + 1, 8, 8),
        (None, 200, 2, 2),
        (4, 3, 8, 3),
        (1, 500, 8, 1),
        (3, 0, 8, 1),
    ],
)
def test_worker_count(monkeypatch, jobs, files, cpus, expected):
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    assert worker_count(jobs, files) == expected


def test_workers_send_back_the_text_their_code_frames_quote(tmp_path, run_cli):
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    write(tmp_path, "a.sql", "SELECT customer_id FROM mp.crm.customers;\n")
    write(tmp_path, "b.sql", "SELECT\n\tcustomer_id FROM mp.crm.customers;\n")
    result = run_cli("check", "--select", "ST03", "--jobs", "2", "-q", ".", cwd=tmp_path)  # two files: two processes
    assert result.code == 1
    assert result.out.splitlines() == [
        "a.sql:1:41: ST03 [error] the query ends with `;`, which breaks mParticle's wrapper `SELECT ... FROM ( <model> )`",
        "   1 | SELECT customer_id FROM mp.crm.customers;",
        "     |                                         ^",
        "    hint: remove the trailing `;`",
        "b.sql:2:35: ST03 [error] the query ends with `;`, which breaks mParticle's wrapper `SELECT ... FROM ( <model> )`",
        "   2 |     customer_id FROM mp.crm.customers;",
        "     | " + " " * 37 + "^",  # the tab is 4 columns
        "    hint: remove the trailing `;`",
    ]

"""BigQuery stand-in: bqemulator 1.4.0 served on 127.0.0.1 from its own venv (``.standins/bqemulator``,
installed by ``install_bigquery.sh``), spoken to over REST by the real google-cloud-bigquery client.

The server runs with ``HOME=.standins/bqemulator-home``, where the install put DuckDB's spatial
extension: bqemulator loads it at start-up and would otherwise try to download it. It is stopped by
its PID at the end of the session, whatever the tests did.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.live.standins import STANDINS, free_port, missing_standin, standin_python
from wsync_lint.live.backend import env_name

PROJECT = "test-proj"
DATASET = "mp"
READY_WITHIN = 60.0  # seconds; about 3 s on a 2-core machine


@dataclass
class BigQueryStandin:
    """A running bqemulator: what the connector needs to reach it, and an admin path for set-up."""

    url: str
    connection_id: str = "bq-standin"
    config: dict[str, Any] = field(
        default_factory=lambda: {
            "project_id": PROJECT,
            "dataset_id": DATASET,
            "region": "US",
            "service_account_id": f"mparticle@{PROJECT}.iam.gserviceaccount.com",
        }
    )

    def environment(self) -> dict[str, str]:
        """The variables that point the connector at the emulator (it takes no credentials)."""
        return {env_name(self.connection_id, "ENDPOINT"): self.url}

    def setup(self, *statements: str) -> None:
        """Run DDL and DML as an admin, through a client of our own rather than the connector."""
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        client = bigquery.Client(
            project=PROJECT, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=self.url)
        )
        try:
            for statement in statements:
                client.query(statement).result(timeout=30)
        finally:
            client.close()

    def create_tables(self, *tables: Any) -> None:
        """Create ``google.cloud.bigquery.Table`` objects through the API (``tables.insert``): the
        emulator keeps their time partitioning and clustering, which its DDL drops."""
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        client = bigquery.Client(
            project=PROJECT, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=self.url)
        )
        try:
            for table in tables:
                client.create_table(table, exists_ok=True)
        finally:
            client.close()


def _ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            missing_standin(f"bqemulator exited with {process.returncode}: {tail}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    missing_standin(f"bqemulator did not answer {url}/readyz within {READY_WITHIN:g} s (log: {log})")


@pytest.fixture(scope="session")
def bigquery_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryStandin]:
    """bqemulator on 127.0.0.1 for the whole session, with an empty project ``test-proj``."""
    try:
        import google.cloud.bigquery  # noqa: F401 - the driver the connector and set-up use
    except ImportError:
        missing_standin("google-cloud-bigquery is not installed in the project's venv")
    python = standin_python("bqemulator")
    if python is None:
        missing_standin(f"bqemulator is not installed in {STANDINS / 'bqemulator'}")
    rest_port, grpc_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("bqemulator") / "server.log"
    command = [
        str(python.parent / "bqemulator"),
        "start",
        *("--rest-host", "127.0.0.1", "--rest-port", str(rest_port)),
        *("--grpc-host", "127.0.0.1", "--grpc-port", str(grpc_port)),
        *("--project", PROJECT, "--log-level", "warning"),
    ]
    environment = {**os.environ, "HOME": str(STANDINS / "bqemulator-home")}
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{rest_port}"
    try:
        _ready(url, process, log)
        yield BigQueryStandin(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

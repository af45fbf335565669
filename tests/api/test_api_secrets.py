"""No secret in any output of the API commands, in any format, in any spelling.

The secrets: the API client secret, the access tokens the fake issues, a Redshift password from the
environment and a BigQuery service account key read from a file. mParticle is made to echo the
password back (a fault message, a refused write) so the redaction, not luck, keeps it out.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO, write
from tests.live.standins.mparticle_api import CLIENT_SECRET, FakeWarehouseSyncApi
from wsync_lint.project.resources import Kind

PASSWORD = 'Pw"5ecr3t/+x=&'
PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"
KEY = {"type": "service_account", "project_id": "acme-prod", "private_key_id": "0a1b2c3d4e5f",
       "private_key": PRIVATE_KEY, "client_email": "mparticle-sync@acme-prod.iam.gserviceaccount.com"}  # fmt: skip
BIGQUERY = """id: bigquery-prod
name: BigQuery production
state: active
service_provider: BigQuery
config:
  region: us-east4
  project_id: acme-prod
  dataset_id: crm
  service_account_id: mparticle-sync@acme-prod.iam.gserviceaccount.com
"""


def _spellings(secret: str) -> set[str]:
    return {
        secret,
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    }


@pytest.fixture
def project(tmp_path: Path, fake_api: FakeWarehouseSyncApi, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "data" / "api_project", folder)
    write(folder, "connections/bigquery-prod.yaml", BIGQUERY)
    key_file = write(tmp_path, "key.json", json.dumps(KEY))
    environment = fake_api.environment(
        WSYNC_LINT_BILLING_PASSWORD=PASSWORD, WSYNC_LINT_BIGQUERY_PROD_CREDENTIALS_FILE=str(key_file)
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(folder)
    return folder


def _secrets(fake: FakeWarehouseSyncApi) -> list[str]:
    return [
        CLIENT_SECRET,
        PASSWORD,
        json.dumps(KEY),
        PRIVATE_KEY,
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        *fake.issued_tokens,
    ]


def _assert_clean(text: str, fake: FakeWarehouseSyncApi) -> None:
    for secret in _secrets(fake):
        for spelling in _spellings(secret):
            assert spelling not in text, f"a secret ({spelling[:6]}...) is in the output"


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_plan_dry_run_deploy_and_status_never_print_a_secret(project, fake_api, run_cli, output_format):
    # mParticle echoes the password: in a faulted connection's message and in a refused write.
    fake_api.seed(Kind.CONNECTION, {"id": "billing", "name": "Billing", "state": "active",
                                    "service_provider": "Redshift", "config": {"host": "old"}}, secret=PASSWORD)  # fmt: skip
    fake_api.fault(Kind.CONNECTION, "billing", f"login failed for password {PASSWORD} ({json.dumps(PASSWORD)})")
    outputs = [
        run_cli("plan", "--format", output_format),
        run_cli("deploy", "--no-preflight", "--dry-run", "--format", output_format),
    ]
    fake_api.inject(400, body={"statusCode": 400, "errors": [{"message": f"bad password {quote(PASSWORD)}"}]},
                    path="/connections/billing", method="PUT")  # fmt: skip
    deployed = run_cli("deploy", "--no-preflight", "--auto-approve", "--format", output_format)
    assert deployed.code == 1, deployed.err
    outputs += [deployed, run_cli("status", "--format", output_format)]
    sent = [body for _, _, body in fake_api.writes()]
    assert sent and sent[0]["config"]["service_account_key"] == json.dumps(KEY)  # it was sent, from the file
    assert sent[1]["config"]["password"] == PASSWORD
    assert fake_api.issued_tokens
    for result in outputs:
        _assert_clean(result.out + result.err, fake_api)
    assert '"<from WSYNC_LINT_BILLING_PASSWORD>"' in outputs[1].out
    assert "***" in deployed.out  # the refused write's message, redacted


def test_import_writes_no_secret(project, fake_api, run_cli, tmp_path):
    fake_api.seed(Kind.CONNECTION, {"id": "billing", "name": "Billing", "state": "active",
                                    "service_provider": "Redshift", "config": {"host": "h", "password": PASSWORD}})  # fmt: skip
    result = run_cli("import", "--workspace", "1234", "--out", str(tmp_path / "imported"))
    assert result.code == 0, result.err
    _assert_clean(result.out + result.err, fake_api)
    for path in (tmp_path / "imported").rglob("*"):
        if path.is_file():
            _assert_clean(path.read_text(encoding="utf-8"), fake_api)

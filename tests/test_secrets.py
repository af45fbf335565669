"""Credentials written in payload files are reported by key, and never appear in any output.

A project holds a Snowflake connection with a password, a BigQuery connection with a real-looking
service-account key, one with a key that is not valid JSON (CN01 reports it too) and a v1
connection with a flat password. Every output format, and ``--statistics``, must name the keys
(CN02) and print no secret value, nor any distinctive part of one, on stdout or stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write

PASSWORD = "FAKE-Pa55w0rd-zq8XvT3kLm"
V1_PASSWORD = "FAKE-v1-Hunter2-Qp7WnR4s"
PRIVATE_KEY_BODY = "FAKEKEYqwertyQWERTY1234567890abcdefFAKEKEY"
PRIVATE_KEY_ID = "fakekeyid9f8e7d6c5b4a3"
BROKEN_KEY_BODY = "FAKEBROKENzxcvbnm0987654321"

SERVICE_ACCOUNT_KEY = json.dumps(
    {
        "type": "service_account",
        "project_id": "my-gcp-project",
        "private_key_id": PRIVATE_KEY_ID,
        "private_key": f"-----BEGIN PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END PRIVATE KEY-----\n",
        "client_email": "mparticle@my-gcp-project.iam.gserviceaccount.com",
    }
)
# Not valid JSON (a trailing comma): CN01 reports that the key is no key file, without quoting it.
BROKEN_KEY = '{"type": "service_account", "private_key": "' + BROKEN_KEY_BODY + '",}'

SECRETS = (PASSWORD, V1_PASSWORD, SERVICE_ACCOUNT_KEY, BROKEN_KEY)
# Distinctive parts: a report must not show a secret even in part.
FRAGMENTS = (
    "zq8XvT3k",
    "Hunter2-Qp7",
    PRIVATE_KEY_BODY,
    "qwertyQWERTY",
    PRIVATE_KEY_ID,
    "9f8e7d6",
    BROKEN_KEY_BODY,
    "zxcvbnm",
)

SNOWFLAKE = {
    "id": "snowflake-prod",
    "name": "Snowflake production",
    "state": "active",
    "service_provider": "Snowflake",
    "config": {
        "account_identifier": "gd12345",
        "region": "us-central1.gcp",
        "warehouse": "compute_wh",
        "database": "analytics",
        "role": "mparticle_role",
        "user": "mparticle_user",
        "password": PASSWORD,
        "storage_integration": "mp_us1_123_123_s3",
    },
}

BIGQUERY_YAML = f"""\
- id: bigquery-prod
  name: BigQuery production
  state: active
  service_provider: BigQuery
  config:
    region: us-east4
    project_id: my-gcp-project
    dataset_id: my_dataset
    service_account_id: mparticle@my-gcp-project.iam.gserviceaccount.com
    service_account_key: {json.dumps(SERVICE_ACCOUNT_KEY)}
- id: bigquery-broken
  name: BigQuery with a broken key
  state: active
  service_provider: BigQuery
  config:
    region: us-east4
    project_id: my-gcp-project
    dataset_id: my_dataset
    service_account_id: mparticle@my-gcp-project.iam.gserviceaccount.com
    service_account_key: {json.dumps(BROKEN_KEY)}
"""

V1_CONNECTION = {
    "id": "legacy",
    "name": "Legacy",
    "type": "snowflake",
    "source_account_id": "gd1234",
    "user": "mp_user",
    "password": V1_PASSWORD,
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "connections/snowflake.json", json.dumps(SNOWFLAKE, indent=2) + "\n")
    write(tmp_path, "connections/bigquery.yaml", BIGQUERY_YAML)
    write(tmp_path, "connections/legacy.json", json.dumps(V1_CONNECTION, indent=2) + "\n")
    return tmp_path


def _assert_no_secret(*outputs: str) -> None:
    for output in outputs:
        for secret in (*SECRETS, *FRAGMENTS):
            assert secret not in output


def test_the_project_holds_the_secrets(project: Path) -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in sorted(project.rglob("*.*")))
    assert all(fragment in text for fragment in FRAGMENTS)


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif", "junit"])
def test_secrets_are_reported_by_key_and_never_shown(output_format: str, project: Path, run_cli) -> None:
    result = run_cli("check", "--format", output_format, cwd=project)
    assert result.code == 1, result.err
    for key in ("config.password", "config.service_account_key", "`password`"):
        assert key in result.out
    assert "CN02" in result.out
    assert "CN01" in result.out  # the broken key is reported, not quoted
    _assert_no_secret(result.out, result.err)


def test_json_report_names_each_secret_key(project: Path, run_cli) -> None:
    result = run_cli("check", "--format", "json", "--select", "CN02", cwd=project)
    findings = json.loads(result.out)["findings"]
    assert sorted((f["path"], f["code"]) for f in findings) == [
        ("connections/bigquery.yaml", "CN02"),
        ("connections/bigquery.yaml", "CN02"),
        ("connections/legacy.json", "CN02"),
        ("connections/snowflake.json", "CN02"),
    ]
    messages = " ".join(f["message"] + " " + (f["hint"] or "") for f in findings)
    assert "a password in `config.password`" in messages
    assert "a service-account key in `config.service_account_key`" in messages
    _assert_no_secret(result.out, result.err)


@pytest.mark.parametrize("quiet", [False, True])
def test_statistics_show_no_secret(quiet: bool, project: Path, run_cli) -> None:
    result = run_cli("check", "--statistics", *(["--quiet"] if quiet else []), cwd=project)
    assert result.code == 1
    assert "CN02" in result.out and "plaintext-secret" in result.out
    _assert_no_secret(result.out, result.err)


def test_report_file_shows_no_secret(project: Path, run_cli) -> None:
    result = run_cli("check", "--format", "sarif", "--output-file", "report.sarif", cwd=project)
    report = (project / "report.sarif").read_text(encoding="utf-8")
    assert "CN02" in report
    _assert_no_secret(result.out, result.err, report)


# -- live mode: a secret echoed back escaped (red-team F13) ---------------------------------------

F13_PASSWORD = 'S3cr3t"XYZ\\12/+=&3'
F13_USER = "wsync"


def _spellings_of_f13() -> dict[str, str]:
    """The password as a server or driver may echo it, each computed here with the standard library."""
    import base64
    from urllib.parse import quote, quote_plus

    data = F13_PASSWORD.encode()
    return {
        "raw": F13_PASSWORD,
        "json": json.dumps(F13_PASSWORD)[1:-1],
        "python repr": repr(F13_PASSWORD)[1:-1],
        "sql single-quoted": F13_PASSWORD.replace("'", "''"),
        "sql double-quoted": F13_PASSWORD.replace('"', '""'),
        "url quote": quote(F13_PASSWORD, safe=""),
        "url quote, lower-case hex": quote(F13_PASSWORD, safe="").replace("%5C", "%5c").replace("%2F", "%2f"),
        "url quote with /": quote(F13_PASSWORD),
        "url quote_plus": quote_plus(F13_PASSWORD),
        "base64": base64.b64encode(data).decode(),
        "base64 url-safe": base64.urlsafe_b64encode(data).decode(),
        "base64 of user:secret": base64.b64encode(f"{F13_USER}:{F13_PASSWORD}".encode()).decode(),
        "hex": data.hex(),
        "hex upper-case": data.hex().upper(),
        "html-escaped": __import__("html").escape(F13_PASSWORD),
        "json-escaped twice": json.dumps(json.dumps(F13_PASSWORD)[1:-1])[1:-1],
        "upper-case": F13_PASSWORD.upper(),
    }


@pytest.mark.parametrize("form", list(_spellings_of_f13()))
def test_live_redaction_removes_each_spelling_of_a_secret(form: str) -> None:
    from wsync_lint.live.backend import settings_for

    settings = settings_for(
        "wh-prod", "redshift", {"user": F13_USER}, 10.0, {"WSYNC_LINT_WH_PROD_PASSWORD": F13_PASSWORD}
    )
    spelled = _spellings_of_f13()[form]
    assert settings.redact(f"server said: <{spelled}> (and again: {spelled})") == "server said: <***> (and again: ***)"


def test_frames_never_quote_a_connection_value_under_an_unforeseen_key(tmp_path: Path, run_cli) -> None:
    """A connection's keys that the API does not document may hold a secret under any name: masked."""
    write(
        tmp_path,
        "c.json",
        '{"id": "bad id!", "dsn": "S3cr3tVal9", "name": "x", "state": "active", "service_provider": "Snowflake", '
        '"config": {"pw": "AnotherS3cret", "pasword": "MisspeltPw42", "user": "mparticle_user"}}\n',
    )
    result = run_cli("check", cwd=tmp_path)
    assert result.code == 1
    assert '"dsn": ************,' in result.out and '"user": "mparticle_user"' in result.out
    for secret in ("S3cr3tVal9", "AnotherS3cret", "MisspeltPw42"):
        assert secret not in result.out + result.err


def test_a_payload_read_as_a_model_is_quoted_masked(tmp_path: Path, run_cli) -> None:
    """A data model whose `sql_file` names a connection file: that file is quoted as a payload."""
    write(tmp_path, "connections/snowflake.json", json.dumps(SNOWFLAKE, indent=2) + "\n")
    write(
        tmp_path,
        "data-models/m.yaml",
        "id: m\nname: M\ntype: sql\nconfig:\n  sql_file: ../connections/snowflake.json\n",
    )
    result = run_cli("check", cwd=tmp_path)
    assert result.code == 1
    assert "connections/snowflake.json" in result.out
    _assert_no_secret(result.out, result.err)


def test_frames_never_quote_a_comment_of_a_connection(tmp_path: Path, run_cli) -> None:
    """`# old password: ...` beside a connection's key: the comment's text is masked in every frame,
    a `#` inside a quoted value is no comment and stays."""
    write(
        tmp_path,
        "c.yaml",
        "id: c\nname: C\nstate: bogus # password: CommentSecret9\nservice_provider: Snowflake\n"
        'config:\n  user: "mp # sync"\n  account_identifier: ab12345\n',
    )
    result = run_cli("check", "--select", "CN01", cwd=tmp_path)
    assert result.code == 1
    assert "   3 | state: bogus #*************************" in result.out
    assert "CommentSecret9" not in result.out + result.err

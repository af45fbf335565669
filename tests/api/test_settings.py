"""The API settings: where the API is (the environment only), the workspace, and what is redacted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wsync_lint.api.settings import ApiSettings, api_settings
from wsync_lint.engine.config import ApiConfig
from wsync_lint.errors import UsageError

PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
    "k3Jd9q0WmRkq2VYyQfQx1o2m6mS0dlXb8nQ0yJk5n1TqZzE=\n"
    "-----END PRIVATE KEY-----\n"
)
KEY = {
    "type": "service_account",
    "project_id": "acme-prod",
    "private_key_id": "abcdef1234567890abcdef",
    "private_key": PEM,
    "client_email": "mparticle-sync@acme-prod.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}


def test_the_option_wins_over_the_config_and_the_environment_names_the_api() -> None:
    environment = {"WSYNC_LINT_API_ENDPOINT": "http://127.0.0.1:9/", "WSYNC_LINT_API_TOKEN_URL": "http://127.0.0.1:9/t"}
    settings = api_settings(ApiConfig(workspace="1234"), "5678", 12.0, environment)
    assert (settings.workspace, settings.endpoint, settings.token_url, settings.timeout) == (
        "5678",
        "http://127.0.0.1:9",
        "http://127.0.0.1:9/t",
        12.0,
    )
    assert settings.base_url == "http://127.0.0.1:9/platform/v2/workspaces/5678"
    defaults = api_settings(ApiConfig(workspace="1234"), None, 30.0, {})
    assert (defaults.workspace, defaults.endpoint, defaults.token_url) == (
        "1234",
        "https://api.mparticle.com",
        "https://sso.auth.mparticle.com/oauth/token",
    )
    assert "environment" not in repr(defaults)


def test_no_workspace_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as raised:
        api_settings(ApiConfig(), None, 30.0, {})
    assert str(raised.value) == (
        "no Warehouse Sync workspace: pass --workspace ID, or set `workspace` under `[api]` in wsync-lint.toml "
        "(`[tool.wsync-lint.api]` in pyproject.toml)"
    )


FORM = "is not a URL of the form http(s)://host[:port][/path], without user, query or fragment"


@pytest.mark.parametrize("variable", ["WSYNC_LINT_API_ENDPOINT", "WSYNC_LINT_API_TOKEN_URL"])
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ftp://x", FORM),
        ("not a url", FORM),
        ("file:///etc/passwd", FORM),
        ("http://[::1", FORM),
        ("http://user:pw-1234@127.0.0.1:9", FORM),
        ("http://127.0.0.1:9/api?x=1", FORM),
        ("http://127.0.0.1:9/../..", FORM),
        ("http://127.0.0.1:99999", "has no valid port (1 to 65535)"),
        ("http://127.0.0.1:0", "has no valid port (1 to 65535)"),
        ("http://127.0.0.1:9x", "has no valid port (1 to 65535)"),
    ],
)
def test_a_malformed_endpoint_or_token_url_is_a_usage_error_naming_the_variable(variable, value, problem) -> None:
    with pytest.raises(UsageError) as raised:
        api_settings(ApiConfig(workspace="1234"), None, 30.0, {variable: value})
    assert str(raised.value) == f"{variable} {problem}"


def test_url_valued_variables_are_not_secrets() -> None:
    """`WSYNC_LINT_API_TOKEN_URL` says TOKEN, but it is where a secret goes, not one."""
    environment = {
        "WSYNC_LINT_API_TOKEN_URL": "http://127.0.0.1:9/oauth/token",
        "WSYNC_LINT_API_ENDPOINT": "http://127.0.0.1:9",
        "WSYNC_LINT_VAULT_SECRET_URL": "https://vault.example/v1",
        "WSYNC_LINT_API_CLIENT_SECRET": "client-s3cret",
    }
    settings = api_settings(ApiConfig(workspace="1234"), None, 30.0, environment)
    assert settings.secrets() == ["client-s3cret"]
    text = "POST http://127.0.0.1:9/oauth/token failed; see https://vault.example/v1; sent client-s3cret"
    assert settings.redact(text) == (
        "POST http://127.0.0.1:9/oauth/token failed; see https://vault.example/v1; sent ***"
    )


def test_settings_redact_registered_tokens_and_secret_variables() -> None:
    settings = ApiSettings(
        "1234",
        environment={
            "WSYNC_LINT_API_CLIENT_SECRET": "client-s3cret",
            "WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD": "sf-pass",
            "WSYNC_LINT_BIGQUERY_PROD_CREDENTIALS_FILE": "/keys/bq.json",
            "DATABRICKS_TOKEN": "dapi-1234",
        },
    )
    settings.register_secret("tok-abcdef")
    text = "client-s3cret sf-pass c2YtcGFzcw== /keys/bq.json dapi-1234 tok-abcdef 746f6b2d616263646566 SF-PASS"
    assert settings.redact(text) == "*** *** *** /keys/bq.json *** *** *** ***"


def test_a_cut_message_keeps_no_part_of_a_secret() -> None:
    settings = ApiSettings("1234", environment={"WSYNC_LINT_API_CLIENT_SECRET": "client-s3cret"})
    assert settings.redact("x" * 8 + "client-s3cret and more", limit=10) == "xxxxxxxx***…"
    assert settings.redact("x" * 12 + "client-s3cret", limit=10) == "xxxxxxxxxx…"
    assert settings.redact("short client-s3cret", limit=100) == "short ***"


def test_a_key_files_content_is_redacted_down_to_one_line_of_its_key(tmp_path: Path) -> None:
    """A server echoing the key file, a secret value of it, or one line of its PEM key (red-team t11)."""
    (tmp_path / "key.json").write_text(json.dumps(KEY, indent=2))
    (tmp_path / "rsa_key.p8").write_text(PEM)
    environment = {
        "WSYNC_LINT_BIGQUERY_PROD_CREDENTIALS_FILE": str(tmp_path / "key.json"),
        "WSYNC_LINT_SNOWFLAKE_PROD_PRIVATE_KEY_FILE": str(tmp_path / "rsa_key.p8"),
    }
    settings = ApiSettings("1234", environment=environment)
    lines = PEM.splitlines()
    echoes = [
        f"bad key id {KEY['private_key_id']}; private_key {lines[1]}",
        f"cannot use key {json.dumps(KEY)}",
        f"line {lines[2]} of the key",
    ]
    assert [settings.redact(echo) for echo in echoes] == [
        "bad key id ***; private_key ***",
        'cannot use key {"type": "service_account", "project_id": "acme-prod", "private_key_id": "***", '
        '"private_key": "***", "client_email": "mparticle-sync@acme-prod.iam.gserviceaccount.com", '
        '"token_uri": "https://oauth2.googleapis.com/token"}',
        "line *** of the key",
    ]
    assert settings.redact(PEM) == "***"
    assert settings.redact(PEM.replace("\n", "\r\n")) == (  # reframed: each line of the key still goes
        "-----BEGIN PRIVATE KEY-----\r\n***\r\n***\r\n-----END PRIVATE KEY-----\r\n"
    )


def test_key_files_that_cannot_be_read_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "binary.der").write_bytes(b"\x30\x82\xff\xfe" * 10)
    environment = {
        "WSYNC_LINT_A_CREDENTIALS_FILE": str(tmp_path),  # a folder
        "WSYNC_LINT_B_CREDENTIALS_FILE": str(tmp_path / "missing.json"),
        "WSYNC_LINT_C_PRIVATE_KEY_FILE": str(tmp_path / "binary.der"),
        "WSYNC_LINT_C_PRIVATE_KEY_PASSPHRASE": "phrase-1234",
    }
    assert ApiSettings("1234", environment=environment).secrets() == ["phrase-1234"]


def test_key_files_are_read_once(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"private_key_id": "first-key-id-1234"}))
    settings = ApiSettings("1234", environment={"WSYNC_LINT_BQ_CREDENTIALS_FILE": str(key)})
    first = sorted(settings.secrets())
    key.write_text(json.dumps({"private_key_id": "second-key-id-5678"}))
    assert sorted(settings.secrets()) == first
    assert "first-key-id-1234" in first

"""The real client over real HTTP against the fake API, given answers no API should give: a write
answered about another id or without a body, a redirect, an answer that trickles or never ends, one
too large or nested too deeply, a list naming an id twice, a token that cannot be sent, and server
text holding a secret (red-team round 14)."""

from __future__ import annotations

import pytest

from tests.api.test_client import BASE, MODEL, TOKEN, calls, client_for
from tests.live.standins import mparticle_api as fake_module
from wsync_lint.api.client import UnexpectedAnswer
from wsync_lint.api.errors import ApiRefused, ApiUnreachable
from wsync_lint.project.resources import Kind


# --- writes answered strangely ----------------------------------------------------------------
@pytest.mark.parametrize("verb", ["create", "update"])
def test_a_write_answered_about_another_id_has_an_unknown_outcome(fake_api, verb) -> None:
    """R-8: R2's own example answers `example-connection` to `example-snowflake-connection`. No
    refusal: mParticle may have applied it, so the run ends as unreachable (exit 3)."""
    fake_api.inject(
        200, body=MODEL | {"id": "someone-else\x1b[31m"}, path="/data-models" + ("/orders" * (verb == "update"))
    )
    with client_for(fake_api) as client, pytest.raises(UnexpectedAnswer) as raised:
        client.create(Kind.DATA_MODEL, MODEL) if verb == "create" else client.update(Kind.DATA_MODEL, "orders", MODEL)
    assert isinstance(raised.value, ApiUnreachable)
    assert str(raised.value) == (
        f"the outcome of {verb} data model `orders` is unknown: mParticle answered with id `someone-else\x1b[31m`; "
        "run `wsync-lint plan`"
    )


@pytest.mark.parametrize(
    ("verb", "method", "body"), [("create", "POST", ""), ("update", "PUT", ""), ("create", "POST", " ")]
)
def test_a_write_answered_without_a_body_is_read_back(fake_api, verb, method, body) -> None:
    """R2 lists 204 "Empty response" as a successful operation; the fake stores the body as if
    the write had been applied, then answers it empty."""
    stored = fake_api.seed("data-models", MODEL)
    fake_api.inject(204 if not body else 200, body=body, method=method)
    with client_for(fake_api) as client:
        written = (
            client.create(Kind.DATA_MODEL, MODEL)
            if verb == "create"
            else client.update(Kind.DATA_MODEL, "orders", MODEL)
        )
    assert written == stored
    path = f"{BASE}/data-models" + ("/orders" if verb == "update" else "")
    assert calls(fake_api) == [TOKEN, (method, path), ("GET", f"{BASE}/data-models/orders")]


@pytest.mark.parametrize(("verb", "method"), [("create", "POST"), ("update", "PUT")])
def test_a_write_answered_204_that_cannot_be_read_back_has_an_unknown_outcome(fake_api, verb, method) -> None:
    fake_api.inject(204, body="", method=method)
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.create(Kind.DATA_MODEL, MODEL) if verb == "create" else client.update(Kind.DATA_MODEL, "orders", MODEL)
    see = "whether it exists" if verb == "create" else "what mParticle holds"
    assert str(raised.value) == (
        f"the outcome of {verb[:-1]}ing data model `orders` is unknown (answered 204 without a body): "
        f"run `wsync-lint plan` to see {see}"
    )


# --- server text holding a secret ---------------------------------------------------------------
def test_every_error_message_is_redacted_reason_phrase_included(fake_api) -> None:
    """The status line's reason phrase is server text too (red-team t8)."""
    password = "pw-Hunter22"
    secret = fake_module.CLIENT_SECRET
    with client_for(fake_api, WSYNC_LINT_BILLING_PASSWORD=password) as client:
        fake_api.inject(503, reason=f"leaked {secret} {password}", times=5)
        with pytest.raises(ApiUnreachable) as unreachable:
            client.list(Kind.CONNECTION)
        fake_api.inject(400, body="", reason=f"leaked {secret.upper()}")
        with pytest.raises(ApiRefused) as refused:
            client.list(Kind.CONNECTION)
        fake_api.inject(400, body={"errors": [{"message": "x" * 995 + secret + "y" * 100}]})
        with pytest.raises(ApiRefused) as long:
            client.list(Kind.CONNECTION)
    assert str(unreachable.value) == (
        f"mParticle API answered 503 leaked *** *** to GET {fake_api.url}{BASE}/connections after 4 attempts"
    )
    assert (refused.value.status, refused.value.message) == (400, "leaked ***")
    assert long.value.message == "x" * 995 + "***…"  # cut after redaction: no part of the secret left


# --- redirects, bounded answers, strange answers -------------------------------------------------
@pytest.mark.parametrize(
    ("status", "method", "path", "call", "who"),
    [
        (307, "POST", "/oauth/token", "list", "mParticle's token endpoint answered 307 to POST {url}/oauth/token"),
        (308, "POST", "/data-models", "create", "mParticle API answered 308 to POST {url}" + BASE + "/data-models"),
        (302, "GET", "/data-models", "list", "mParticle API answered 302 to GET {url}" + BASE + "/data-models"),
    ],
)
def test_a_redirect_is_never_followed(fake_api, status, method, path, call, who) -> None:
    """Following it would send the client secret or a connection's password to another host (red-team t3)."""
    elsewhere = fake_module.FakeWarehouseSyncApi()
    with elsewhere.running():
        fake_api.inject(status, headers={"Location": elsewhere.url + "/steal?key=1"}, body="", path=path, method=method)
        with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
            client.create(Kind.DATA_MODEL, MODEL) if call == "create" else client.list(Kind.DATA_MODEL)
    assert elsewhere.requests == []
    assert str(raised.value) == who.format(url=fake_api.url) + ", a redirect: wsync-lint does not follow redirects"
    assert calls(fake_api)[-1] == (method, path if path == "/oauth/token" else BASE + path)


def test_a_trickling_answer_ends_at_the_call_deadline(fake_api) -> None:
    """Each byte restarts a socket's timeout; the call's deadline (4 x 0.5 s) still ends it (red-team t16)."""

    def trickle():
        yield b"["
        for _ in range(600):  # 30 s at most, should the client keep reading
            if fake_api._stopping.wait(0.05):
                return
            yield b" "

    fake_api.inject(200, body=trickle)
    with client_for(fake_api, timeout=0.5) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == f"mParticle API unreachable at {fake_api.url}: the answer did not end within 2 s"


@pytest.mark.parametrize("declared", [False, True])
def test_an_answer_over_16_mib_is_not_read_whole(fake_api, declared) -> None:
    megabyte = b" " * (1024 * 1024)
    if declared:  # the length announced: refused before reading
        fake_api.inject(200, body="[" + " " * (16 * 1024 * 1024) + "]")
    else:  # chunked: counted as it comes
        fake_api.inject(200, body=lambda: iter([b"[", *[megabyte] * 17, b"]"]))
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == f"mParticle API unreachable at {fake_api.url}: the answer is larger than 16 MiB"


def test_a_list_naming_an_id_twice_is_exit_3(fake_api) -> None:
    """Which of the two is real cannot be told; collapsing them could hide a hijacked copy (red-team t20)."""
    connection = {"id": "billing", "service_provider": "Redshift", "config": {"host": "db.example.com"}}
    fake_api.inject(200, body=[connection | {"config": {"host": "evil.example.com"}}, connection])
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        "mParticle's answer lists connection `billing` twice; wsync-lint cannot tell which is real"
    )


@pytest.mark.parametrize("token", ["tök€n-value-1", "tok\r\nX-Evil: 1", "two words"])
def test_a_token_that_cannot_be_sent_in_a_header_is_exit_3(fake_api, token) -> None:
    fake_api.inject(200, body={"access_token": token, "expires_in": 100, "token_type": "Bearer"}, path="/oauth/token")
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        f"mParticle's token endpoint {fake_api.url}/oauth/token answered with a token that cannot be sent in a "
        "header (not visible ASCII characters)"
    )
    assert calls(fake_api) == [TOKEN]


@pytest.mark.parametrize("depth", [65, 100_000])
def test_an_answer_nested_too_deeply_is_exit_3(fake_api, depth) -> None:
    fake_api.inject(200, body="[" * depth + "]" * depth)
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.list(Kind.CONNECTION)
    assert str(raised.value) == (
        f"mParticle API answered GET {fake_api.url}{BASE}/connections with JSON nested more than 64 levels deep"
    )


def test_a_put_answered_204_that_changed_nothing_has_an_unknown_outcome(fake_api) -> None:
    """The read-back must hold what was sent: a 204 is no proof that the PUT was applied."""
    fake_api.seed("data-models", MODEL)
    fake_api.inject(204, body="", method="PUT")  # answered before the fake applies anything
    with client_for(fake_api) as client, pytest.raises(ApiUnreachable) as raised:
        client.update(Kind.DATA_MODEL, "orders", {**MODEL, "name": "Orders, renamed"})
    assert str(raised.value) == (
        "the outcome of updating data model `orders` is unknown (answered 204 without a body): "
        "run `wsync-lint plan` to see what mParticle holds"
    )


@pytest.mark.parametrize("expires_in", [None, "100", True, -5])
def test_a_token_answer_without_a_usable_lifetime_is_used(fake_api, expires_in) -> None:
    """RFC 6749 only recommends `expires_in`: a token without one is kept a short while."""
    answer = {"access_token": "fake-token-no-lifetime", "token_type": "Bearer"}
    if expires_in is not None:
        answer["expires_in"] = expires_in
    fake_api.inject(200, body=answer, path="/oauth/token")
    fake_api.inject(200, body=[], path="/connections", method="GET")  # the fake does not know that token
    with client_for(fake_api) as client:
        assert client.list(Kind.CONNECTION) == []
    assert calls(fake_api) == [TOKEN, ("GET", f"{BASE}/connections")]

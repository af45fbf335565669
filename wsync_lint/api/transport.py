"""How one HTTP exchange with mParticle is bounded and read, below :mod:`wsync_lint.api.client`.

The retry policy (urllib3's ``Retry`` that starts no retry past the call's deadline and follows no
redirect), reading an answer whole within that deadline and :data:`MAX_ANSWER_BYTES`, decoding its
JSON (standard JSON, nested at most :data:`MAX_JSON_DEPTH` deep), and naming a failure in the
user's terms. ``urllib3`` and ``requests`` are imported inside functions only, as in the client, so
that importing the API layer does not load them.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from typing import Any

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
TOKEN_RETRIED_STATUSES = frozenset({500, 502, 503, 504})
RETRY_AFTER_MAX = 60
CONNECT_TIMEOUT_MAX = 10.0
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The largest answer read. A whole workspace's list of data models (their SQL included) is a few
MiB at most; a larger answer is no answer of mParticle's, and reading it whole would exhaust memory."""
MAX_JSON_DEPTH = 64
"""The deepest nesting accepted in an answer: mParticle's bodies nest a few levels, and what reads
them (diffs, copies, printing) recurses."""
_CHUNK_BYTES = 64 * 1024


class AnswerLost(Exception):
    """The request was sent, but no whole answer came back (timeout, dropped, too long or too large)."""


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole."""

    status: int
    reason: str
    content: bytes
    attempts: int


def whole_answer(raw: Any, deadline: float, seconds: float) -> bytes:
    """The body of urllib3's ``raw`` answer, read as it arrives (each read returns what one socket
    read brings), or :class:`AnswerLost` past ``deadline`` or beyond MAX_ANSWER_BYTES (decoded)."""
    too_large = f"the answer is larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB"
    declared = raw.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
        raise AnswerLost(too_large)
    chunks: list[bytes] = []
    size = 0
    while chunk := raw.read1(_CHUNK_BYTES, decode_content=True):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise AnswerLost(too_large)
        if time.monotonic() > deadline:
            raise AnswerLost(f"the answer did not end within {seconds:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def retry_policy(token: bool, deadline: float) -> Any:
    """The retry policy of one call (module docstring), ending at ``deadline`` (monotonic seconds)."""
    if token:
        counts = {"read": 0, "status": 2, "status_forcelist": TOKEN_RETRIED_STATUSES, "allowed_methods": {"POST"}}
    else:
        counts = {"read": 2, "status": 3, "status_forcelist": RETRIED_STATUSES, "allowed_methods": {"GET", "PUT"}}
    policy = _deadline_retry_class()(
        total=4, connect=3, redirect=0, backoff_factor=0.5, backoff_max=10, backoff_jitter=0.3,
        respect_retry_after_header=True, retry_after_max=RETRY_AFTER_MAX, raise_on_status=False, **counts,
    )  # fmt: skip
    policy.deadline = deadline
    return policy


@functools.cache
def _deadline_retry_class() -> Any:
    """urllib3's Retry that starts no retry whose wait would end past the call's deadline."""
    from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
    from urllib3.util.retry import Retry

    class _DeadlineRetry(Retry):
        deadline = float("inf")

        def new(self, **changes: Any) -> Any:
            renewed = super().new(**changes)
            renewed.deadline = self.deadline
            return renewed

        def get_retry_after(self, response: Any) -> float | None:
            try:
                return super().get_retry_after(response)
            except InvalidHeader:  # an unreadable Retry-After: back off as without one
                return None

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            renewed = super().increment(method, url, response, error, _pool, _stacktrace)
            wait = renewed.get_retry_after(response) if response is not None else None
            wait = renewed.get_backoff_time() if wait is None else wait
            if time.monotonic() + wait >= self.deadline:
                cause = error or ResponseError(f"too many {getattr(response, 'status', '')} error responses")
                raise MaxRetryError(_pool, url, cause)
            return renewed

    return _DeadlineRetry


def failure_reason(failure: Exception, timeout: float) -> str:
    """A failure in the user's terms, from the innermost cause requests and urllib3 wrap."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError, ReadTimeoutError

    cause = _cause(failure)
    if isinstance(cause, NewConnectionError):
        return "could not connect (" + str(cause).rpartition(": ")[2] + ")"
    if isinstance(failure, requests.ConnectTimeout) or isinstance(cause, ConnectTimeoutError):
        return f"could not connect within {min(CONNECT_TIMEOUT_MAX, timeout):g} s"
    if isinstance(failure, requests.ReadTimeout) or isinstance(cause, ReadTimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(cause, ProtocolError):
        return "the connection was closed without an answer"
    return f"{type(cause).__name__}: {cause}"


def _cause(failure: Exception) -> BaseException:
    from urllib3.exceptions import MaxRetryError

    cause: BaseException = failure
    for _ in range(3):  # requests' error > urllib3's MaxRetryError > the reason
        inner = cause.reason if isinstance(cause, MaxRetryError) else (cause.args[0] if cause.args else None)
        if not isinstance(inner, BaseException):
            break
        cause = inner
    return cause


def was_sent(failure: Exception) -> bool:
    """Whether the request may have reached the server: anything but a connection never opened."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError

    return not isinstance(failure, requests.ConnectTimeout) and not isinstance(_cause(failure), ConnectTimeoutError)


class NestedTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


def decoded_json(content: bytes) -> Any:
    """The JSON ``content`` holds; ValueError when it is not standard JSON (NaN and Infinity are
    not), :class:`NestedTooDeep` when it nests deeper than MAX_JSON_DEPTH."""
    try:
        value = json.loads(content, parse_constant=_no_constant)
    except RecursionError:
        raise NestedTooDeep from None
    if not nests_within(value, MAX_JSON_DEPTH):
        raise NestedTooDeep
    return value


def json_or_none(content: bytes) -> Any:
    """The JSON ``content`` holds, or None when :func:`decoded_json` would refuse it."""
    try:
        return decoded_json(content)
    except ValueError:
        return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def nests_within(value: Any, limit: int) -> bool:
    """Whether no array or object in ``value`` is more than ``limit`` deep (without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True

"""What the fake Warehouse Sync API answers: the documented behaviour it enforces, every assumption
it makes where the documentation is silent (each a named constant, marked UNKNOWN or INF with a
pointer to api-layer.md §3.4, so one edit recalibrates it), and the routes of R2 and of the Data
Planning API. :mod:`tests.live.standins.mparticle_api` serves them on a real socket.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from tests.live.standins.mparticle_api import FakeWarehouseSyncApi

# --- Documented (R2, O2, EX-V2-*) ---------------------------------------------------------------
MASK = "************"  # EX-V2-04/06/08/12: create and update answers mask secrets
SECRET_KEYS = ("password", "service_account_key")  # config keys that are write-only (N-3)
ID_SLUG = re.compile(r"[A-Za-z0-9_-]+")  # R2: "numbers, letters, _, and -"
ACTIVE_PIPELINE_LIMIT = 5  # WS-LIM-01 (O2)
AUDIENCE = "https://api.mparticle.com"  # O2 token body
DEFAULT_TOKEN_LIFETIME = 28800  # O2, WS-LIM-10
SNOWFLAKE_DERIVED = {  # EX-V2-04: added to a Snowflake connection's answer when the body lacks them
    "aws_iam_user_arn": "arn:aws:iam::123456:user/externalstages/abcdefg",
    "aws_external_id": "GD1234=2_abcdefg==",
}
REDSHIFT_DEFAULT_PORT = "5439"  # EX-V2-07 -> EX-V2-08
FIRST_RUN_ID = 13325  # EX-V2-32's pipeline_run_id
WAREHOUSE_REFUSED_STATUS = 505  # R2 "Error codes" (N-1), WS-ERR-03's words
WAREHOUSE_REFUSED_MESSAGE = (
    "The request failed to connect to the warehouse account. Check the username and password, and make "
    "sure the source account ID, region, warehouse, and database entries are correct."
)
ALREADY_RUNNING_MESSAGE = "Pipeline {id} is already in progress."  # EX-V2-33, exact
OK_STATUS = {"connections": "healthy", "data-models": "valid", "inputs/data-pipelines": "idle"}  # WS-ERR-15
FAULT_STATUS = {"connections": "faulted", "data-models": "invalid", "inputs/data-pipelines": "faulted"}  # WS-ERR-08

# --- Assumptions: not settled by any source (api-layer.md §3.4); each is one edit to recalibrate ---
# The error body: the only documented one is the trigger's (EX-V2-33); the fake uses it for every error.
ERROR_BODY_SHAPE = "statusCode+errors"  # UNKNOWN for every answer but the trigger's, see api-layer.md §3.4
TOKEN_REFUSED_STATUS = 401  # DOC/INF (O2 gives no error answer), api-layer.md §3.2
TOKEN_REFUSED_BODY = {"error": "access_denied", "error_description": "Unauthorized"}  # UNKNOWN (Auth0-like), §3.4
UNAUTHORIZED_STATUS = 401  # INF: expired or unknown bearer, api-layer.md §3.2; body UNKNOWN (§3.4)
OTHER_WORKSPACE_STATUS = 403  # UNKNOWN (§3.4): a workspace the credential cannot reach; 403 like Platform v1
BAD_ID_STATUS = 400  # INF (WS-*-01 gives the slug rule, not the code), §3.4
BAD_BODY_STATUS = 400  # INF: R2 "400 ... an error in the request", §3.4
DUPLICATE_ID_STATUS = 400  # UNKNOWN, see api-layer.md §3.4
UNKNOWN_ID_PUT_STATUS = 404  # UNKNOWN (assumed 404, api-layer.md §1.2 C4), §3.4
MISSING_REFERENCE_STATUS = 404  # INF from WS-ERR-02's generic text, §3.4
FT_ON_USER_PIPELINE_STATUS = 400  # UNKNOWN: WS-PIPE-07 says only "results in an error", §3.4
DATA_PLAN_MISSING_STATUS = 404  # DOC (WS-PIPE-12, WS-ERR-02)
DATA_PLAN_INACTIVE_STATUS = 400  # DOC (WS-ERR-01)
FROM_CHANGE_STATUS = 400  # UNKNOWN: WS-PIPE-16 says "can't be modified", not the code, §3.4
ACTIVE_LIMIT_STATUS = 400  # UNKNOWN (code and scope; the fake counts this workspace only), §3.4
PAUSED_COUNTS_TOWARDS_LIMIT = False  # UNKNOWN (§3.4): only `state: active` pipelines count
PUT_KEEPS_OMITTED_SECRET = True  # UNKNOWN (Q-1, §3.4): a PUT without the password keeps the stored one
PUT_BODY_ID_IGNORED = True  # UNKNOWN (§3.4): a PUT is stored under its path id whatever the body says
UPDATE_CLEARS_ONLY_FAULTS = True  # DOC for faults (WS-ERR-08); what a PUT does to `running` is UNKNOWN
UNKNOWN_ROUTE_STATUS = 404  # UNKNOWN (§3.4)
METHOD_NOT_ALLOWED_STATUS = 405  # UNKNOWN (§3.4)
DELETE_STATUS = 204  # INF (R2 lists 204 "Empty response"), §3.4; deleting a resource in use: accepted (UNKNOWN)
NO_DATA_PLANNING_STATUS = 403  # INF (N-13: Data Planning access is a separate tick), §3.4
DEFAULT_RUNS_PAGE_SIZE = 50  # UNKNOWN: EX-V2-35 shows 50; runs listed oldest first as there, §3.4
TRIGGERABLE = ("idle", "faulted")  # DOC: 400 "if not idle" (WS-SCH-12); faulted may be re-tried (WS-ERR-08)
ACTOR = "api-client@wsync-lint.test"  # created_by/last_modified_by: the real API names a user (UNKNOWN form)
# Not checked at all, because nothing documents how (§3.4): SQL validity, field transformation ids
# (no documented endpoint), feed module vs provider (v1 API), unknown or extra keys (GAP-6: accepted).

CLIENT_ID = "wsync-lint-fake-client"
CLIENT_SECRET = 'fake-S3cret/+"=&:x7'  # characters that every escaping spells differently
TOKEN_PATH = "/oauth/token"
API_PREFIX = "/platform/v2/workspaces/"
COLLECTIONS = ("connections", "data-models", "inputs/data-pipelines")
_ALIASES = {"connection": "connections", "data_model": "data-models", "pipeline": "inputs/data-pipelines"}


def error(status: int, message: str) -> Response:
    """An error answer in the one documented shape (EX-V2-33), assumed for every error (§1.3)."""
    return answer(status, {"statusCode": status, "errors": [{"message": message}]})


def answer(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer (no body for 204)."""
    text = "" if status == 204 else json.dumps(body)
    return Response(text, status=status, headers=dict(headers or {}), content_type="application/json")


def route(fake: FakeWarehouseSyncApi, method: str, rest: str, args: Mapping[str, str], body: Any) -> Response:
    """Answer one API request (R2's routes; D1 for data plan versions); the fake's lock is held."""
    if rest == "inputs/data-pipelines/trigger" and method == "POST":
        return _trigger(fake, body)
    plan = re.fullmatch(r"plans/([^/]+)/versions/([^/]+)", rest)
    if plan:
        return _data_plan_version(fake, *plan.groups()) if method == "GET" else error(METHOD_NOT_ALLOWED_STATUS, "")
    found = re.fullmatch(
        r"(connections|data-models|inputs/data-pipelines)(?:/([^/]+))?(?:/(report|runs)(?:/([^/]+))?)?", rest
    )
    if not found:
        return error(UNKNOWN_ROUTE_STATUS, "Not Found")
    collection, resource_id, part, run_id = found.groups()
    store = fake._store[collection]
    if resource_id is None:
        if method == "GET":
            wanted = args.get("serviceProvider") if collection == "connections" else None
            return answer(200, [b for b in store.values() if wanted is None or b.get("service_provider") == wanted])
        return _create(fake, collection, body) if method == "POST" else error(METHOD_NOT_ALLOWED_STATUS, "")
    if part and (collection != "inputs/data-pipelines" or method != "GET"):
        return error(UNKNOWN_ROUTE_STATUS, "Not Found")
    if method == "PUT":
        return _update(fake, collection, resource_id, body)
    if resource_id not in store:
        return error(404, f"The requested resource {resource_id} wasn't found.")
    if part == "report":
        return _report(fake, resource_id)
    if part == "runs":
        return _runs(fake, resource_id, run_id, args)
    if method == "GET":
        return answer(200, store[resource_id])
    if method == "DELETE":
        del store[resource_id]
        fake._secrets.pop((collection, resource_id), None)
        return answer(DELETE_STATUS, None)
    return error(METHOD_NOT_ALLOWED_STATUS, "")


def _refusal(fake: FakeWarehouseSyncApi, collection: str, body: Any, previous: dict | None) -> Response | None:
    """What §3.2 says the API refuses in a create or update body, else None."""
    if not isinstance(body, dict):
        return error(BAD_BODY_STATUS, "The request body must be a JSON object.")
    if not isinstance(body.get("id"), str) or not ID_SLUG.fullmatch(body["id"]):
        return error(BAD_ID_STATUS, "The id must be a slug of numbers, letters, _ and -.")
    if collection == "connections" and fake.refuse_warehouse:
        return error(WAREHOUSE_REFUSED_STATUS, WAREHOUSE_REFUSED_MESSAGE)
    if collection != "inputs/data-pipelines":
        return None
    for key, named in (("connection_id", "connections"), ("data_model_id", "data-models")):
        if body.get(key) not in fake._store[named]:
            return error(MISSING_REFERENCE_STATUS, f"The requested resource {body.get(key)} wasn't found.")
    if body.get("pipeline_type") == "user_attributes" and body.get("field_transformation_id") is not None:
        return error(FT_ON_USER_PIPELINE_STATUS, "Field transformations are not available for user data pipelines.")
    if body.get("data_plan_id") is not None:
        version = body.get("data_plan_version")
        plan = None if version is None else _plan(fake, body["data_plan_id"], version)
        if plan is None:
            return error(DATA_PLAN_MISSING_STATUS, f"Data plan {body['data_plan_id']} version {version} wasn't found.")
        if plan.get("activated_environment", "none") == "none":
            return error(
                DATA_PLAN_INACTIVE_STATUS, f"Data plan {body['data_plan_id']} version {version} is not active."
            )
    if previous is not None and not _same_from(previous.get("sync_mode"), body.get("sync_mode")):
        return error(
            FROM_CHANGE_STATUS, "The from field in the sync mode settings can't be modified for existing pipelines."
        )
    counted = ("active", "paused") if PAUSED_COUNTS_TOWARDS_LIMIT else ("active",)
    others = [b for i, b in fake._store[collection].items() if i != body["id"] and b.get("state") in counted]
    if body.get("state") in counted and len(others) >= ACTIVE_PIPELINE_LIMIT:
        return error(
            ACTIVE_LIMIT_STATUS, f"The maximum number of active pipelines ({ACTIVE_PIPELINE_LIMIT}) is reached."
        )
    return None


def _create(fake: FakeWarehouseSyncApi, collection: str, body: Any) -> Response:
    refused = _refusal(fake, collection, body, None)
    if refused is None and body["id"] in fake._store[collection]:
        refused = error(DUPLICATE_ID_STATUS, f"A resource with id {body['id']} already exists.")
    if refused is not None:
        return refused
    return answer(200, fake._masked(collection, fake._store_body(collection, copy.deepcopy(body), None)))


def _update(fake: FakeWarehouseSyncApi, collection: str, resource_id: str, body: Any) -> Response:
    previous = fake._store[collection].get(resource_id)
    if previous is None:
        return error(UNKNOWN_ID_PUT_STATUS, f"The requested resource {resource_id} wasn't found.")
    if isinstance(body, dict) and PUT_BODY_ID_IGNORED:
        body = {**copy.deepcopy(body), "id": resource_id}
    refused = _refusal(fake, collection, body, previous)
    if refused is not None:
        return refused
    return answer(200, fake._masked(collection, fake._store_body(collection, body, previous)))


def _same_from(before: Any, after: Any) -> bool:
    """Whether ``sync_mode.from`` is the same instant (the fake's own reading of ISO 8601)."""
    first, second = (mode.get("from") if isinstance(mode, dict) else None for mode in (before, after))
    try:
        return datetime.fromisoformat(first) == datetime.fromisoformat(second)
    except (TypeError, ValueError):
        return first == second


def _plan(fake: FakeWarehouseSyncApi, plan_id: str, version: Any) -> dict[str, Any] | None:
    for (named, number), plan in fake.plans.items():
        if named == plan_id and str(number) == str(version):
            return plan
    return None


def _data_plan_version(fake: FakeWarehouseSyncApi, plan_id: str, version: str) -> Response:
    if not fake.data_planning_access:
        return error(NO_DATA_PLANNING_STATUS, "Forbidden")
    plan = _plan(fake, plan_id, version)
    if plan is None:
        return error(404, f"Data plan {plan_id} version {version} wasn't found.")
    number: Any = int(version) if version.isdigit() else version
    return answer(200, {"data_plan_id": plan_id, "version": number, **plan})


def _trigger(fake: FakeWarehouseSyncApi, body: Any) -> Response:
    pipeline_id = body.get("pipeline_id") if isinstance(body, dict) else None
    pipeline = fake._store["inputs/data-pipelines"].get(pipeline_id) if isinstance(pipeline_id, str) else None
    if pipeline is None:
        return error(404, f"The requested resource {pipeline_id} wasn't found.")
    if pipeline.get("status") not in TRIGGERABLE:
        return error(400, ALREADY_RUNNING_MESSAGE.format(id=pipeline_id))
    pipeline["status"], pipeline["errors"] = "running", []
    run = fake.add_run(pipeline_id, type="manual", status="running")
    return answer(200, {"pipeline_run_id": run["id"], "status": "attempt_requested"})


def _report(fake: FakeWarehouseSyncApi, pipeline_id: str) -> Response:
    """P7 (EX-V2-34); Not Found for ``report_delay`` seconds after creation (T2, WS-ERR-05)."""
    if time.monotonic() - fake._created.get(pipeline_id, 0.0) < fake.report_delay:
        return error(404, "Not Found")
    pipeline = fake._store["inputs/data-pipelines"][pipeline_id]
    connection = fake._store["connections"].get(pipeline.get("connection_id"), {})
    model = fake._store["data-models"].get(pipeline.get("data_model_id"), {})
    runs = fake._runs.get(pipeline_id, [])
    succeeded = [run["id"] for run in runs if run["status"] == "success"]
    report = {"pipeline_id": pipeline_id, "status": pipeline.get("status"), "errors": pipeline.get("errors", [])}
    report |= {"connection_status": connection.get("status"), "connection_errors": connection.get("errors", [])}
    report |= {"data_model_status": model.get("status"), "data_model_errors": model.get("errors", [])}
    report |= {"latest_successful_pipeline_run_id": succeeded[-1] if succeeded else None}
    return answer(200, report | {"latest_pipeline_run": runs[-1] if runs else None})


def _runs(fake: FakeWarehouseSyncApi, pipeline_id: str, run_id: str | None, args: Mapping[str, str]) -> Response:
    """P8 (EX-V2-35's page envelope) and P9 (one run)."""
    runs = fake._runs.get(pipeline_id, [])
    if run_id is not None:
        chosen = [run for run in runs if str(run["id"]) == run_id]
        return answer(200, chosen[0]) if chosen else error(404, f"The requested resource {run_id} wasn't found.")
    try:
        page, size = int(args.get("currentPage", 1)), int(args.get("pageSize", DEFAULT_RUNS_PAGE_SIZE))
    except ValueError:
        return error(BAD_BODY_STATUS, "currentPage and pageSize must be numbers.")
    if page < 1 or size < 1:
        return error(BAD_BODY_STATUS, "currentPage and pageSize must be positive.")
    pages = max(1, -(-len(runs) // size))
    envelope = {"items": runs[(page - 1) * size : page * size], "current_page": page, "page_size": size}
    envelope |= {"total_pages": pages, "total_items": len(runs)}
    return answer(200, envelope | {"has_previous_page": page > 1, "has_next_page": page < pages})


def collection_of(kind: object) -> str:
    """``connections``, ``data-models`` or ``inputs/data-pipelines`` for a path, a name or a Kind."""
    name = str(getattr(kind, "value", kind))
    name = _ALIASES.get(name, name)
    if name not in COLLECTIONS:
        raise ValueError(f"not a Warehouse Sync collection: {kind!r}")
    return name


def reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"status {status}"

"""The plan, the requests it turns into, and both renderings, from a project on disk and a
workspace given as data (no network: the client and the fake are tested elsewhere).

The project holds one of everything: a Snowflake connection that matches the workspace, a
BigQuery connection to create, a data model whose SQL file changed, a pipeline paused in
mParticle and changed in the file, a `once` pipeline to create next to a live pipeline it may be
the renamed copy of, a field transformation, and a trigger body that is never sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write
from wsync_lint.analysis.immutable_fields import ImmutableChange
from wsync_lint.analysis.payload_diff import MISSING, FieldChange
from wsync_lint.api.plan import Plan, build_plan
from wsync_lint.api.plan_json import plan_json
from wsync_lint.api.plan_text import plan_text
from wsync_lint.api.secrets import SecretSlot
from wsync_lint.api.writes import PlannedWrite, fill_secrets, filled_bodies, planned_writes
from wsync_lint.contract.api_state import ApiState, LiveResource
from wsync_lint.contract.rule import Severity, Violation
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import Planner, load_project
from wsync_lint.errors import UsageError
from wsync_lint.project.project import Project
from wsync_lint.project.resources import Kind

BASE = "https://api.mparticle.com/platform/v2/workspaces/1234"
SNOWFLAKE = {
    "id": "sf-prod",
    "name": "Snowflake prod",
    "state": "active",
    "service_provider": "Snowflake",
    "config": {"account_identifier": "gd1", "region": "us-east-1", "warehouse": "wh", "user": "mp", "role": "mp_role"},
}
BIGQUERY = {
    "id": "bq-prod",
    "name": "BigQuery prod",
    "state": "active",
    "service_provider": "BigQuery",
    "config": {"region": "us", "project_id": "acme", "dataset_id": "crm", "service_account_id": "mp@acme.iam"},
}
SQL = "SELECT\n    c.customer_id,\n    c.email,\n    c.loyalty_tier,\n    c.updated_at\nFROM db.crm.customers c\n"
LIVE_SQL = "SELECT\n    c.customer_id,\n    c.email,\n    c.updated_at\nFROM db.crm.customers c\n"
HOURLY = {
    "id": "users-hourly",
    "name": "Users hourly",
    "pipeline_type": "user_attributes",
    "connection_id": "sf-prod",
    "data_model_id": "users",
    "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp"},
    "schedule": {"type": "interval", "frequency": "daily", "start": "2024-01-01T00:00:00Z"},
    "state": "active",
    "environment": "production",
}
ONCE = {
    "id": "users-once",
    "name": "Users once",
    "pipeline_type": "user_attributes",
    "connection_id": "sf-prod",
    "data_model_id": "users",
    "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "timestamp"},
    "schedule": {"type": "once"},
    "state": "active",
    "environment": "production",
}
FIELD_TRANSFORMATION = {"id": "events-ft", "name": "Events", "destination_type": "event_batch", "mappings": []}


def _live(kind: Kind, body: dict[str, Any]) -> LiveResource:
    return LiveResource(kind, body["id"], body)


def _state() -> ApiState:
    """The workspace: `sf-prod` as mParticle answers it (masked password, derived values),
    `users` invalid with older SQL, `users-hourly` paused hourly with a feed key, and `users-legacy`."""
    state = ApiState("1234")
    live = [
        _live(
            Kind.CONNECTION,
            {
                **SNOWFLAKE,
                "status": "healthy",
                "config": {**SNOWFLAKE["config"], "password": "************", "aws_external_id": "GD1=="},
                "created_on": "2024-01-02T00:00:00.000",
            },
        ),
        _live(
            Kind.DATA_MODEL,
            {
                "id": "users",
                "name": "Users",
                "type": "sql",
                "state": "active",
                "status": "invalid",
                "errors": [{"message": "column LOYALTY does not exist"}],
                "config": {"sql_query": LIVE_SQL},
            },
        ),
        _live(
            Kind.PIPELINE,
            {
                **HOURLY,
                "schedule": {**HOURLY["schedule"], "frequency": "hourly", "start": "2024-01-01T00:00:00.000+00:00"},
                "state": "paused",
                "status": "idle",
                "partner_feed_key": "us1-1234567",
            },
        ),
        _live(Kind.PIPELINE, {**ONCE, "id": "users-legacy", "schedule": {"type": "on_demand"}, "state": "paused"}),
    ]
    for resource in live:
        state.resources[(resource.kind, resource.id)] = resource
    return state


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    write(tmp_path, "wsync-lint.toml", 'dialect = "snowflake"\n')
    write(tmp_path, "connections/snowflake.json", json.dumps(SNOWFLAKE, indent=2) + "\n")
    write(tmp_path, "connections/bigquery.json", json.dumps(BIGQUERY, indent=2) + "\n")
    write(
        tmp_path,
        "models/users.yaml",
        "id: users\nname: Users\ntype: sql\nstate: active\nconfig:\n  sql_file: users.sql\n",
    )
    write(tmp_path, "models/users.sql", SQL)
    write(tmp_path, "pipelines/users-hourly.json", json.dumps(HOURLY, indent=2) + "\n")
    write(tmp_path, "pipelines/users-once.json", json.dumps(ONCE, indent=2) + "\n")
    write(tmp_path, "transformations/events.json", json.dumps(FIELD_TRANSFORMATION) + "\n")
    write(tmp_path, "triggers/run.json", '{"pipeline_id": "users-hourly"}\n')
    monkeypatch.chdir(tmp_path)
    return load_project(tmp_path, Planner(RunOptions()))


def _actions(plan: Plan) -> list[tuple[str, Kind, str]]:
    return [(change.action, change.kind, change.id) for change in plan.changes]


def test_actions_in_dependency_order(project: Project) -> None:
    plan = build_plan(project, _state())
    assert _actions(plan) == [
        ("create", Kind.CONNECTION, "bq-prod"),
        ("noop", Kind.CONNECTION, "sf-prod"),
        ("update", Kind.DATA_MODEL, "users"),
        ("unchecked", Kind.FIELD_TRANSFORMATION, "events-ft"),
        ("update", Kind.PIPELINE, "users-hourly"),
        ("create", Kind.PIPELINE, "users-once"),
        ("unmanaged", Kind.PIPELINE, "users-legacy"),
    ]
    assert plan.summary == {"create": 2, "update": 2, "blocked": 0, "noop": 1, "unchecked": 1, "unmanaged": 1}
    assert [(c.kind, c.id) for c in plan.pending] == [
        (Kind.CONNECTION, "bq-prod"),
        (Kind.DATA_MODEL, "users"),
        (Kind.PIPELINE, "users-hourly"),
        (Kind.PIPELINE, "users-once"),
    ]
    assert plan.has_changes
    assert plan.read == {Kind.CONNECTION: 1, Kind.DATA_MODEL: 1, Kind.PIPELINE: 2}


def test_fields_secrets_and_notes(project: Project) -> None:
    changes = {change.id: change for change in build_plan(project, _state()).changes}
    assert changes["users-hourly"].fields == [
        FieldChange(("schedule", "frequency"), "hourly", "daily"),
        FieldChange(("state",), "paused", "active"),
        FieldChange(("partner_feed_key",), "us1-1234567", MISSING),
    ]
    assert changes["users-hourly"].notes == [
        "`state` paused -> active: this update resumes syncing (if it was paused on purpose, keep `paused` in the file)"
    ]
    assert changes["users"].fields == [FieldChange(("config", "sql_query"), LIVE_SQL, SQL)]
    assert changes["users"].notes == [
        "invalid (`column LOYALTY does not exist`): this update clears the fault (per R2)"
    ]
    assert changes["bq-prod"].secrets == [
        SecretSlot(("config", "service_account_key"), "WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE", None, True)
    ]
    assert changes["sf-prod"].secrets == []  # nothing is sent for an unchanged connection
    assert changes["users-once"].notes == [
        "`schedule.type` once: the pipeline runs immediately on creation",
        "the first run of an incremental pipeline is a full sync: it reads every row, up to the historical limit "
        "of 24 million records",
        "may be a rename of live pipeline `users-legacy` (same connection, data model and type): a new id creates "
        "a second pipeline, which starts with a full sync, and `users-legacy` keeps running",
    ]
    assert changes["users-legacy"].notes == ["may be the old id of pipeline `users-once`, which this deploy creates"]


def test_a_masked_feed_key_is_no_change_and_an_update_says_the_put_will_not_send_it(project: Project) -> None:
    state = _state()
    hourly = state.resources[(Kind.PIPELINE, "users-hourly")]
    masked = LiveResource(Kind.PIPELINE, "users-hourly", {**hourly.body, "partner_feed_key": "************"})
    state.resources[(Kind.PIPELINE, "users-hourly")] = masked
    change = next(change for change in build_plan(project, state).changes if change.id == "users-hourly")
    assert change.action == "update"
    assert change.fields == [
        FieldChange(("schedule", "frequency"), "hourly", "daily"),
        FieldChange(("state",), "paused", "active"),
    ]
    assert change.notes == [
        "mParticle masks `partner_feed_key`: the PUT will not send it unless the file sets it",
        "`state` paused -> active: this update resumes syncing (if it was paused on purpose, keep `paused` in the file)",
    ]


def test_only_takes_a_pipeline_with_what_it_needs(project: Project) -> None:
    plan = build_plan(project, _state(), only=[(Kind.PIPELINE, "users-hourly")])
    assert _actions(plan) == [
        ("noop", Kind.CONNECTION, "sf-prod"),
        ("update", Kind.DATA_MODEL, "users"),
        ("update", Kind.PIPELINE, "users-hourly"),
    ]
    assert plan.notes == []
    with pytest.raises(UsageError) as raised:
        build_plan(project, _state(), only=[(Kind.PIPELINE, "nope")])
    assert str(raised.value) == "the project defines no pipeline `nope`"


def test_keep_live_state_sends_the_live_state(project: Project) -> None:
    plan = build_plan(project, _state(), only=[(Kind.PIPELINE, "users-hourly")], keep_live_state=True)
    hourly = plan.changes[-1]
    assert hourly.fields == [
        FieldChange(("schedule", "frequency"), "hourly", "daily"),
        FieldChange(("partner_feed_key",), "us1-1234567", MISSING),
    ]
    assert hourly.notes == ["`state` stays paused as in mParticle (the file says active): --keep-live-state"]
    assert planned_writes(plan, BASE)[-1].body == {**HOURLY, "state": "paused"}


def test_rotate_secrets_sends_an_unchanged_connection(project: Project) -> None:
    plan = build_plan(project, _state(), only=[(Kind.CONNECTION, "sf-prod")], rotate=["sf-prod"])
    (change,) = plan.changes
    assert (change.action, change.fields, change.notes) == (
        "update",
        [],
        ["--rotate-secrets: sent again to replace its secret, although nothing else changed"],
    )
    assert [(w.method, w.url, w.body["config"]["password"]) for w in planned_writes(plan, BASE)] == [
        ("PUT", f"{BASE}/connections/sf-prod", "<from WSYNC_LINT_SF_PROD_PASSWORD>")
    ]


def test_blocked_change_is_never_pending(project: Project) -> None:
    state = _state()
    live = state.resources[(Kind.PIPELINE, "users-hourly")]
    moved = {**live.body, "sync_mode": {**HOURLY["sync_mode"], "from": "2023-01-01T00:00:00Z"}}
    hourly = {**HOURLY, "sync_mode": {**HOURLY["sync_mode"], "from": "2024-01-01T00:00:00Z"}}
    write(project.root, "pipelines/users-hourly.json", json.dumps(hourly))
    state.resources[(Kind.PIPELINE, "users-hourly")] = LiveResource(Kind.PIPELINE, "users-hourly", moved)
    project = load_project(project.root, Planner(RunOptions()))
    plan = build_plan(project, state, only=[(Kind.PIPELINE, "users-hourly")])
    change = plan.changes[-1]
    assert (change.action, change.blocked) == (
        "blocked",
        [ImmutableChange(("sync_mode", "from"), "2024-01-01T00:00:00Z", "2023-01-01T00:00:00Z", True)],
    )
    assert [c.id for c in plan.pending] == ["users"]
    assert plan_text(plan).splitlines()[7:11] == [
        "! pipeline users-hourly                           pipelines/users-hourly.json",
        # the reason is immutable_fields' own words (LV06 says the same)
        f'    ! sync_mode.from = "2023-01-01T00:00:00Z" -> "2024-01-01T00:00:00Z": {change.blocked[0].why}   [LV06]',
        '    ~ schedule.frequency = "hourly" -> "daily"',
        '    ~ state = "paused" -> "active"',
    ]


def test_nothing_to_do(project: Project) -> None:
    empty = ApiState("1234")
    plan = build_plan(project, empty, only=[(Kind.CONNECTION, "sf-prod")])
    plan.changes[0].action = "noop"
    assert not plan.has_changes
    assert plan_text(plan) == (
        "workspace 1234: 0 connections, 0 data models, 0 pipelines read\n\n"
        "No changes: the workspace matches the project.\n\n"
        "Plan: 0 to create, 0 to update, 0 blocked, 1 unchanged.\n"
    )


def test_writes_in_order_with_placeholders(project: Project) -> None:
    plan = build_plan(project, _state())
    writes = planned_writes(plan, BASE + "/")
    assert [(w.method, w.url) for w in writes] == [
        ("POST", f"{BASE}/connections"),
        ("PUT", f"{BASE}/data-models/users"),
        ("PUT", f"{BASE}/inputs/data-pipelines/users-hourly"),
        ("POST", f"{BASE}/inputs/data-pipelines"),
    ]
    assert writes[0] == PlannedWrite(
        "POST",
        f"{BASE}/connections",
        {
            **BIGQUERY,
            "config": {**BIGQUERY["config"], "service_account_key": "<from WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE>"},
        },
        Kind.CONNECTION,
        "bq-prod",
    )
    assert writes[1].body == {
        "id": "users",
        "name": "Users",
        "type": "sql",
        "state": "active",
        "config": {"sql_query": SQL},
    }
    assert writes[2].body == HOURLY


def test_fill_secrets_puts_the_value_where_the_placeholder_was(tmp_path: Path) -> None:
    slot = SecretSlot(("config", "password"), "WSYNC_LINT_SF_PROD_PASSWORD", "SNOWFLAKE_PASSWORD", False)
    body = {"id": "sf-prod", "config": {"user": "mp"}}
    filled = fill_secrets(body, [slot], {"SNOWFLAKE_PASSWORD": "Tr0ub4dor&3"}, body["config"])
    assert filled == {"id": "sf-prod", "config": {"user": "mp", "password": "Tr0ub4dor&3"}}
    assert body == {"id": "sf-prod", "config": {"user": "mp"}}  # the plan's body stays secret-free


def test_filling_the_bodies_stops_before_anything_is_sent(project: Project) -> None:
    plan = build_plan(project, _state())
    with pytest.raises(UsageError) as raised:
        filled_bodies(plan, {})
    assert str(raised.value).startswith(
        "`config.service_account_key` must be sent with the connection, but `WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE` is not set"
    )


GOLDEN_TEXT = """\
workspace 1234: 1 connection, 1 data model, 2 pipelines read

+ connection bq-prod                              connections/bigquery.json
    + config.service_account_key = (write-only; sent from the file named by $WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE)
~ data model users                                models/users.yaml
    ~ config.sql_query (from models/users.sql)
        @@ -3,0 +4 @@
        +    c.loyalty_tier,
    note: invalid (`column LOYALTY does not exist`): this update clears the fault (per R2)
? field transformation events-ft                  transformations/events.json
    note: not checked: mParticle documents no API endpoints for field transformations, so the plan cannot read it and deploy does not send it
~ pipeline users-hourly                           pipelines/users-hourly.json
    ~ schedule.frequency = "hourly" -> "daily"
    ~ state = "paused" -> "active"
    - partner_feed_key = "us1-1234567" (set in mParticle, not in the file; the PUT will not send it)
    note: `state` paused -> active: this update resumes syncing (if it was paused on purpose, keep `paused` in the file)
+ pipeline users-once                             pipelines/users-once.json
    note: `schedule.type` once: the pipeline runs immediately on creation
    note: the first run of an incremental pipeline is a full sync: it reads every row, up to the historical limit of 24 million records
    note: may be a rename of live pipeline `users-legacy` (same connection, data model and type): a new id creates a second pipeline, which starts with a full sync, and `users-legacy` keeps running
? pipeline users-legacy (paused): in the workspace, not in the project (left alone)
    note: may be the old id of pipeline `users-once`, which this deploy creates
note: 1 trigger request in the project not sent: they are no resources of the Warehouse Sync API
note: data plans: the credential has no Data Planning API access

pipelines/users-hourly.json:9:17: LV05 [error] data plan `web-plan` version 3 is not active\\nforged
    hint: activate it
Plan: 2 to create, 2 to update, 0 blocked, 1 unchanged, 1 not checked.
Warehouse preflight skipped (--no-preflight): the models were not compiled against their warehouses.
"""

FINDING = Violation(
    "pipelines/users-hourly.json",
    9,
    17,
    "LV05",
    9,
    27,
    "api-state",
    Severity.ERROR,
    "data plan `web-plan` version 3 is not active\nforged",
    "activate it",
)


def _finished(plan: Plan) -> Plan:
    plan.findings = [FINDING]
    plan.notes = [*plan.notes, "data plans: the credential has no Data Planning API access"]
    plan.preflight = "skipped (--no-preflight): the models were not compiled against their warehouses"
    return plan


def test_text_golden(project: Project) -> None:
    assert plan_text(_finished(build_plan(project, _state()))) == GOLDEN_TEXT


def test_text_with_requests(project: Project) -> None:
    plan = build_plan(project, _state(), only=[(Kind.CONNECTION, "bq-prod")])
    assert plan_text(plan, planned_writes(plan, BASE)) == (
        "workspace 1234: 1 connection, 1 data model, 2 pipelines read\n\n"
        "+ connection bq-prod                              connections/bigquery.json\n"
        "    + config.service_account_key = (write-only; sent from the file named by $WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE)\n\n"
        "Requests deploy sends (each secret shown as the variable it is read from; nothing was sent):\n"
        f"POST {BASE}/connections\n"
        "    {\n"
        '      "id": "bq-prod",\n'
        '      "name": "BigQuery prod",\n'
        '      "state": "active",\n'
        '      "service_provider": "BigQuery",\n'
        '      "config": {\n'
        '        "region": "us",\n'
        '        "project_id": "acme",\n'
        '        "dataset_id": "crm",\n'
        '        "service_account_id": "mp@acme.iam",\n'
        '        "service_account_key": "<from WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE>"\n'
        "      }\n"
        "    }\n\n"
        "Plan: 1 to create, 0 to update, 0 blocked, 0 unchanged.\n"
    )


def test_sql_diff_marks_a_missing_final_newline(project: Project) -> None:
    state = _state()
    state.resources[(Kind.DATA_MODEL, "users")] = LiveResource(
        Kind.DATA_MODEL,
        "users",
        {"id": "users", "name": "Users", "type": "sql", "state": "active", "config": {"sql_query": SQL[:-1]}},
    )
    plan = build_plan(project, state, only=[(Kind.DATA_MODEL, "users")])
    assert plan_text(plan).splitlines()[2:8] == [
        "~ data model users                                models/users.yaml",
        "    ~ config.sql_query (from models/users.sql)",
        "        @@ -6 +6 @@",
        "        -FROM db.crm.customers c",
        "        \\ No newline at end of file",
        "        +FROM db.crm.customers c",
    ]


def test_json_contract(project: Project) -> None:
    plan = _finished(build_plan(project, _state(), only=[(Kind.PIPELINE, "users-hourly")]))
    plan.notes = ["data plans: the credential has no Data Planning API access"]
    document = json.loads(plan_json(plan, planned_writes(plan, BASE)))
    assert document == {
        "version": "0.1.0",
        "workspace": "1234",
        "changes": [
            {
                "action": "noop",
                "kind": "connection",
                "id": "sf-prod",
                "path": "connections/snowflake.json",
                "fields": [],
                "blocked": [],
                "notes": [],
                "requests": [],
            },
            {
                "action": "update",
                "kind": "data_model",
                "id": "users",
                "path": "models/users.yaml",
                "fields": [
                    {
                        "pointer": "/config/sql_query",
                        "before": LIVE_SQL,
                        "after": SQL,
                        "write_only": False,
                        "source_env": None,
                    }
                ],
                "blocked": [],
                "notes": ["invalid (`column LOYALTY does not exist`): this update clears the fault (per R2)"],
                "requests": [
                    {
                        "method": "PUT",
                        "url": f"{BASE}/data-models/users",
                        "body": {
                            "id": "users",
                            "name": "Users",
                            "type": "sql",
                            "state": "active",
                            "config": {"sql_query": SQL},
                        },
                    }
                ],
            },
            {
                "action": "update",
                "kind": "pipeline",
                "id": "users-hourly",
                "path": "pipelines/users-hourly.json",
                "fields": [
                    {
                        "pointer": "/schedule/frequency",
                        "before": "hourly",
                        "after": "daily",
                        "write_only": False,
                        "source_env": None,
                    },
                    {
                        "pointer": "/state",
                        "before": "paused",
                        "after": "active",
                        "write_only": False,
                        "source_env": None,
                    },
                    {
                        "pointer": "/partner_feed_key",
                        "before": "us1-1234567",
                        "after": None,
                        "write_only": False,
                        "source_env": None,
                    },
                ],
                "blocked": [],
                "notes": [
                    "`state` paused -> active: this update resumes syncing (if it was paused on purpose, keep `paused` in the file)"
                ],
                "requests": [{"method": "PUT", "url": f"{BASE}/inputs/data-pipelines/users-hourly", "body": HOURLY}],
            },
        ],
        "notes": ["data plans: the credential has no Data Planning API access"],
        "findings": [
            {
                "path": "pipelines/users-hourly.json",
                "line": 9,
                "column": 17,
                "end_line": 9,
                "end_column": 27,
                "code": "LV05",
                "name": "api-state",
                "severity": "error",
                "message": "data plan `web-plan` version 3 is not active\nforged",
                "hint": "activate it",
            }
        ],
        "summary": {"create": 0, "update": 2, "blocked": 0, "noop": 1, "unchecked": 0, "unmanaged": 0},
        "preflight": "skipped (--no-preflight): the models were not compiled against their warehouses",
    }


def test_json_secret_slot_and_no_requests_without_writes(project: Project) -> None:
    plan = build_plan(project, _state(), only=[(Kind.CONNECTION, "bq-prod")])
    assert json.loads(plan_json(plan))["changes"] == [
        {
            "action": "create",
            "kind": "connection",
            "id": "bq-prod",
            "path": "connections/bigquery.json",
            "fields": [
                {
                    "pointer": "/config/service_account_key",
                    "before": None,
                    "after": None,
                    "write_only": True,
                    "source_env": "WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE",
                }
            ],
            "blocked": [],
            "notes": [],
        }
    ]


SECRET = "s3cr3t-Pa55/word"


def test_no_secret_in_any_output(project: Project, tmp_path: Path) -> None:
    """A password set in the environment, a BigQuery key file, a plaintext password committed by
    mistake (CN02's finding) and a live body echoing a secret: none of them reaches either format."""
    key_file = write(
        tmp_path,
        "key.json",
        json.dumps({"type": "service_account", "client_email": "mp@acme.iam", "private_key": SECRET}),
    )
    environment = {"WSYNC_LINT_SF_PROD_PASSWORD": SECRET, "WSYNC_LINT_BQ_PROD_CREDENTIALS_FILE": str(key_file)}
    snowflake = {**SNOWFLAKE, "config": {**SNOWFLAKE["config"], "password": SECRET, "warehouse": "wh2"}}
    write(project.root, "connections/snowflake.json", json.dumps(snowflake))
    project = load_project(project.root, Planner(RunOptions()))
    state = _state()
    live = state.resources[(Kind.CONNECTION, "sf-prod")]
    state.resources[(Kind.CONNECTION, "sf-prod")] = LiveResource(
        Kind.CONNECTION, "sf-prod", {**live.body, "config": {**live.body["config"], "password": SECRET}}
    )
    plan = build_plan(project, state)
    assert [c.action for c in plan.changes[:2]] == ["create", "update"]
    writes = planned_writes(plan, BASE)
    filled_bodies(plan, environment)  # every secret resolves
    outputs = [plan_text(plan), plan_text(plan, writes), plan_json(plan), plan_json(plan, writes)]
    for output in outputs:
        assert SECRET not in output and json.dumps(SECRET)[1:-1] not in output
        assert "$WSYNC_LINT_SF_PROD_PASSWORD" in output or "WSYNC_LINT_SF_PROD_PASSWORD" in output
    assert plan_text(plan).splitlines()[4:8] == [
        "~ connection sf-prod                              connections/snowflake.json",
        '    ~ config.warehouse = "wh" -> "wh2"',
        "    ~ config.password = (write-only; sent from $WSYNC_LINT_SF_PROD_PASSWORD, else $SNOWFLAKE_PASSWORD)",
        "~ data model users                                models/users.yaml",
    ]
    sent = fill_secrets(writes[1].body, plan.changes[1].secrets, environment, snowflake["config"])
    assert (
        sent["config"]["password"] == SECRET
        and writes[1].body["config"]["password"] == "<from WSYNC_LINT_SF_PROD_PASSWORD>"
    )

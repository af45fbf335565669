"""The plan's diff: the official request/response pairs, and each normalisation rule of design §2.3.

A request body held against the answer mParticle documents for it must show exactly the
differences the documentation really has (a changed id, a changed `provider`, a v1 key), and
none of the differences the API makes by itself (server-set keys, masked secrets, a default
port, derived Snowflake values).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wsync_lint.analysis.payload_diff import MISSING, FieldChange, diff_bodies
from wsync_lint.project.resources import Kind

OFFICIAL = Path(__file__).resolve().parent.parent / "data" / "official_payloads"


def _example(name: str) -> dict[str, Any]:
    return json.loads((OFFICIAL / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("kind", "request_example", "response_example", "expected"),
    [
        # C-12: the documented answer carries another id than the one sent; nothing else differs
        # (the masked password and the derived aws_* values are not changes).
        pytest.param(
            Kind.CONNECTION,
            "EX-V2-03",
            "EX-V2-04",
            [FieldChange(("id",), "example-connection", "example-snowflake-connection")],
            id="snowflake-create",
        ),
        # The answer adds `port: "5439"` and masks the password: no change.
        pytest.param(Kind.CONNECTION, "EX-V2-07", "EX-V2-08", [], id="redshift-create"),
        # A documentation defect that makes a real difference.
        pytest.param(
            Kind.CONNECTION,
            "EX-V2-09",
            "EX-V2-10",
            [FieldChange(("config", "provider"), "your-databricks-organization-name", "your-databricks-org-name")],
            id="databricks-create",
        ),
        # The update answer is a v1 body (`source_account_id`) with other values.
        pytest.param(
            Kind.CONNECTION,
            "EX-V2-11",
            "EX-V2-12",
            [
                FieldChange(("id",), "example-connection", "example-snowflake-connection"),
                FieldChange(("config", "account_identifier"), MISSING, "gd12345"),
                FieldChange(("config", "database"), "indicative", "my_database"),
                FieldChange(("config", "role"), "mp_role", "mparticle_role"),
                FieldChange(("config", "user"), "mp_user", "mparticle_user"),
                FieldChange(("config", "source_account_id"), "gd1234", MISSING),
            ],
            id="snowflake-update",
        ),
        # `errors` in the request and `status`/`created_*` in the answer are server-set.
        pytest.param(Kind.PIPELINE, "EX-V2-27", "EX-V2-28", [], id="events-pipeline-create"),
        pytest.param(Kind.PIPELINE, "EX-V2-29", "EX-V2-30", [], id="user-pipeline-update"),
    ],
)
def test_official_pairs(kind: Kind, request_example: str, response_example: str, expected: list[FieldChange]) -> None:
    assert diff_bodies(kind, _example(request_example), _example(response_example)) == expected


PIPELINE = {
    "id": "users-hourly",
    "pipeline_type": "user_attributes",
    "sync_mode": {"type": "incremental", "from": "2024-01-01T00:00:00Z", "until": "2024-06-01T00:00:00Z"},
    "schedule": {"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z"},
    "data_plan_id": "plan",
    "data_plan_version": 2,
}


def _pipeline(**changes: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(PIPELINE))
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = body
        for key in parents:
            target = target[key]
        if value is MISSING:
            del target[last]
        else:
            target[last] = value
    return body


@pytest.mark.parametrize(
    ("live", "expected"),
    [
        pytest.param(_pipeline(), [], id="identical"),
        pytest.param(_pipeline(data_plan_version="2"), [], id="version-as-text"),
        pytest.param(
            _pipeline(data_plan_version="3"), [FieldChange(("data_plan_version",), "3", 2)], id="version-differs"
        ),
        pytest.param(
            _pipeline(sync_mode__from="2024-01-01T01:00:00+01:00", schedule__start="2024-01-01T00:00:00.000Z"),
            [],
            id="instants-in-other-notation",
        ),
        pytest.param(
            _pipeline(sync_mode__until="2024-06-02T00:00:00Z"),
            [FieldChange(("sync_mode", "until"), "2024-06-02T00:00:00Z", "2024-06-01T00:00:00Z")],
            id="instant-differs",
        ),
        pytest.param(
            _pipeline(schedule__frequency="daily"),
            [FieldChange(("schedule", "frequency"), "daily", "hourly")],
            id="nested-leaf",
        ),
        pytest.param(
            _pipeline(partner_feed_key="us1-123"),
            [FieldChange(("partner_feed_key",), "us1-123", MISSING)],
            id="key-only-live-is-a-removal",
        ),
        pytest.param(
            _pipeline(data_plan_id=MISSING, data_plan_version=MISSING),
            [FieldChange(("data_plan_id",), MISSING, "plan"), FieldChange(("data_plan_version",), MISSING, 2)],
            id="keys-only-in-the-file-are-additions",
        ),
        pytest.param(
            _pipeline(field_transformation_id=None, status="idle", errors=[{"message": "x"}], created_on="2024"),
            [],
            id="nulls-and-server-set-keys",
        ),
        pytest.param(
            _pipeline(schedule={"type": "interval", "frequency": "hourly", "start": "2024-01-01T00:00:00Z", "x": [1]}),
            [FieldChange(("schedule", "x"), [1], MISSING)],
            id="nested-removal",
        ),
    ],
)
def test_pipeline_normalisation(live: dict[str, Any], expected: list[FieldChange]) -> None:
    assert diff_bodies(Kind.PIPELINE, PIPELINE, live) == expected


def test_masked_feed_key_is_unknown_not_a_change() -> None:
    committed = _pipeline(partner_feed_key="us1-123")
    assert diff_bodies(Kind.PIPELINE, committed, _pipeline(partner_feed_key="************")) == []
    # N-9: absent from the file (as import writes it) the masked key is unknown too, not a removal.
    assert diff_bodies(Kind.PIPELINE, PIPELINE, _pipeline(partner_feed_key="************")) == []
    assert diff_bodies(Kind.PIPELINE, committed, _pipeline(partner_feed_key="us1-999")) == [
        FieldChange(("partner_feed_key",), "us1-999", "us1-123")
    ]


def test_lists_compare_whole() -> None:
    committed = {"id": "ft", "mappings": [{"source": "a", "target": "b"}, {"source": "c", "target": "d"}]}
    live = {"id": "ft", "mappings": [{"source": "a", "target": "b"}]}
    assert diff_bodies(Kind.FIELD_TRANSFORMATION, committed, live) == [
        FieldChange(("mappings",), live["mappings"], committed["mappings"])
    ]


def test_a_boolean_is_not_a_number() -> None:
    assert diff_bodies(Kind.PIPELINE, {"id": "p", "x": True}, {"id": "p", "x": 1}) == [FieldChange(("x",), 1, True)]


SNOWFLAKE = {
    "id": "sf",
    "service_provider": "Snowflake",
    "config": {"account_identifier": "gd1", "user": "u"},
}


@pytest.mark.parametrize(
    ("committed_config", "live_config", "expected"),
    [
        pytest.param({}, {"aws_iam_user_arn": "arn:x", "aws_external_id": "E"}, [], id="derived-values-not-in-file"),
        pytest.param(
            {"aws_external_id": "E"},
            {"aws_iam_user_arn": "arn:x", "aws_external_id": "F"},
            [FieldChange(("config", "aws_external_id"), "F", "E")],
            id="derived-value-set-in-file",
        ),
        pytest.param({"password": "p1"}, {"password": "************"}, [], id="password-masked"),
        pytest.param({"password": "p1"}, {}, [], id="password-absent-live"),
        pytest.param({}, {"password": "string"}, [], id="password-placeholder-live"),
    ],
)
def test_snowflake_connection(
    committed_config: dict[str, Any], live_config: dict[str, Any], expected: list[FieldChange]
) -> None:
    committed = {**SNOWFLAKE, "config": {**SNOWFLAKE["config"], **committed_config}}
    live = {**SNOWFLAKE, "config": {**SNOWFLAKE["config"], **live_config}}
    assert diff_bodies(Kind.CONNECTION, committed, live) == expected


def test_secret_keys_at_any_depth_are_never_compared() -> None:
    committed = {"id": "x", "api_secret": "a", "config": {"db_password": "p", "tunnel": {"ssh_private_key": "k"}}}
    live = {"id": "x", "config": {"tunnel": {"ssh_private_key": "other", "host": "h"}, "token": "t"}}
    assert diff_bodies(Kind.CONNECTION, committed, live) == [FieldChange(("config", "tunnel", "host"), "h", MISSING)]


def test_derived_values_of_other_warehouses_are_compared() -> None:
    committed = {"id": "rs", "service_provider": "Redshift", "config": {"host": "h"}}
    live = {"id": "rs", "service_provider": "Redshift", "config": {"host": "h", "aws_external_id": "E"}}
    assert diff_bodies(Kind.CONNECTION, committed, live) == [FieldChange(("config", "aws_external_id"), "E", MISSING)]


@pytest.mark.parametrize(
    ("committed_port", "live_port", "expected"),
    [
        pytest.param(MISSING, "5439", [], id="default-answered"),
        pytest.param(MISSING, MISSING, [], id="absent-both"),
        pytest.param(5439, "5439", [], id="number-and-text"),
        pytest.param(MISSING, "5440", [FieldChange(("config", "port"), "5440", "5439")], id="other-port-live"),
        pytest.param("5440", MISSING, [FieldChange(("config", "port"), MISSING, "5440")], id="port-only-in-file"),
    ],
)
def test_redshift_port(committed_port: Any, live_port: Any, expected: list[FieldChange]) -> None:
    def body(port: Any) -> dict[str, Any]:
        config = {"host": "h"} if port is MISSING else {"host": "h", "port": port}
        return {"id": "rs", "service_provider": "Redshift", "config": config}

    assert diff_bodies(Kind.CONNECTION, body(committed_port), body(live_port)) == expected


def test_sql_query_is_compared_exactly() -> None:
    committed = {"id": "m", "type": "sql", "config": {"sql_query": "SELECT 1\n"}}
    live = {"id": "m", "type": "sql", "config": {"sql_query": "SELECT 1"}}
    assert diff_bodies(Kind.DATA_MODEL, committed, live) == [
        FieldChange(("config", "sql_query"), "SELECT 1", "SELECT 1\n")
    ]


def test_change_names() -> None:
    change = FieldChange(("schedule", "frequency"), MISSING, "daily")
    assert (change.key, change.is_addition, change.is_removal, repr(MISSING), bool(MISSING)) == (
        "schedule.frequency",
        True,
        False,
        "MISSING",
        False,
    )


@pytest.mark.parametrize(
    ("live", "differs"),
    [
        pytest.param("2024-01-01T00:00:00", False, id="no-zone-is-utc"),
        pytest.param("2024-01-01 00:00:00Z", False, id="space-separator"),
        pytest.param("2024-01-01 00:00:00.000", False, id="space-and-no-zone"),
        pytest.param("2024-01-01T01:00:00", True, id="no-zone-another-hour"),
        pytest.param("2024-01-01", True, id="a-date-is-no-instant"),
    ],
)
def test_instants_without_a_zone_are_utc(live: str, differs: bool) -> None:
    committed = "2024-01-01T00:00:00Z"
    expected = [
        FieldChange(("sync_mode", "from"), live, committed),
        FieldChange(("schedule", "start"), live, committed),
    ]
    assert diff_bodies(Kind.PIPELINE, PIPELINE, _pipeline(sync_mode__from=live, schedule__start=live)) == (
        expected if differs else []
    )


@pytest.mark.parametrize(
    ("committed_extra", "live_extra"),
    [
        pytest.param({"retry": {"max": None}}, {}, id="nulls-only-in-file"),
        pytest.param({}, {"retry": {"max": None, "inner": {}}}, id="nulls-only-live"),
        pytest.param({"retry": {}}, {}, id="empty-object-in-file"),
        pytest.param({}, {"retry": {}}, id="empty-object-live"),
        pytest.param({"retry": None}, {"retry": {"max": None}}, id="null-and-nulls"),
    ],
)
def test_an_object_of_nothing_but_nulls_is_the_same_as_none(
    committed_extra: dict[str, Any], live_extra: dict[str, Any]
) -> None:
    assert diff_bodies(Kind.PIPELINE, {**PIPELINE, **committed_extra}, {**PIPELINE, **live_extra}) == []


def test_an_empty_object_against_a_live_one_lists_its_leaves() -> None:
    assert diff_bodies(Kind.PIPELINE, {**PIPELINE, "retry": {}}, {**PIPELINE, "retry": {"max": 3, "x": None}}) == [
        FieldChange(("retry", "max"), 3, MISSING)
    ]

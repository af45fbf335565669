"""Every official payload of mParticle's documentation (catalogue sections 5.3-5.5) with exactly the
findings the catalogue's verdict calls for.

The payloads are copied verbatim into tests/data/official_payloads/ (a test checks the copies
against the catalogue). Each is checked alone, as a project of one file, with every rule on, and
must give exactly the (code, line, column) listed. Where the verdict needs reading:

- A committed payload must not hold a secret (PRODUCT.md): the request bodies that "PASS all CONN
  rules" with a `password` get CN02, which names the key and never prints the value.
- API responses that are resources (GET connection, create pipeline response ...) are checked as
  if committed as requests: their response-only fields (`status`, `errors`, `created_on` ...)
  are warnings, which is what a user copying a response into git needs to hear.
- A pipeline whose connection, data model or field transformation is in no file of the project
  gets PL07 (a warning): alone in a project, every example pipeline does.
- Schedule and sync-mode examples (EX-V2-19 to 24) are fragments of a pipeline: only their own
  keys are checked.
- Responses that are no resource (trigger, report, runs, errors) are not payloads: files without
  any Warehouse Sync key are not read; those with one (a report names its `pipeline_id`) are PS05.
- The v1 schedule examples are bullet values, not payloads, so they are not here; their bad
  `schedule_end_time` is a v1 key (PL08) whose value PL05 checks once it is `schedule.end`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED, write
from wsync_lint.engine.run_result import RunOptions
from wsync_lint.engine.runner import lint_paths

PAYLOADS = REPO / "tests" / "data" / "official_payloads"
CATALOGUE = SHARED / "spec" / "mparticle-facts.md"

EXPECTED: dict[str, list[tuple[str, int, int]]] = {
    # GET connections: response-only fields (CN01 warnings), the "string" role ARN (CN01), and the
    # BigQuery `service_account_key` is a committed secret (CN02) that is not a key file either (CN01);
    # the three connections share the placeholder id `string` (PS06 at each).
    "EX-V2-01": [
        ("PS06", 3, 7),
        ("CN01", 6, 1),
        ("CN01", 7, 1),
        ("CN01", 17, 21),
        ("CN01", 19, 1),
        ("CN01", 20, 1),
        ("CN01", 21, 1),
        ("CN01", 22, 1),
        ("PS06", 25, 7),
        ("CN01", 28, 1),
        ("CN01", 29, 1),
        ("CN01", 46, 1),
        ("CN01", 47, 1),
        ("CN01", 48, 1),
        ("CN01", 49, 1),
        ("PS06", 52, 7),
        ("CN01", 55, 1),
        ("CN01", 56, 1),
        ("CN02", 67, 1),
        ("CN01", 67, 24),
        ("CN01", 69, 1),
        ("CN01", 70, 1),
        ("CN01", 71, 1),
        ("CN01", 72, 1),
    ],
    # A response: response-only fields; `aws_iam_role_arn: "string"` is no role ARN.
    "EX-V2-02": [
        ("CN01", 5, 1),
        ("CN01", 6, 1),
        ("CN01", 16, 21),
        ("CN01", 18, 1),
        ("CN01", 19, 1),
        ("CN01", 20, 1),
        ("CN01", 21, 1),
    ],
    # Every required Snowflake key is there (PASS); the password is committed in plain text (CN02).
    "EX-V2-03": [("CN02", 13, 1)],
    # A response: response-only fields, and the masked password it echoes (CN01 warning).
    "EX-V2-04": [("CN01", 5, 1), ("CN01", 14, 13), ("CN01", 19, 1), ("CN01", 20, 1), ("CN01", 21, 1), ("CN01", 22, 1)],
    # Not valid JSON as published: raw line breaks inside `service_account_key` (D-10).
    "EX-V2-05": [("PS05", 11, 56)],
    # A response: response-only fields, the masked key.
    "EX-V2-06": [("CN01", 5, 1), ("CN01", 12, 24), ("CN01", 14, 1), ("CN01", 15, 1), ("CN01", 16, 1), ("CN01", 17, 1)],
    # The password (CN02); the ARN's account id has 9 digits, not 12 (D-18). No `port`: fine.
    "EX-V2-07": [("CN02", 10, 1), ("CN01", 11, 21)],
    # A response: response-only fields, masked password, the 9-digit ARN.
    "EX-V2-08": [
        ("CN01", 5, 1),
        ("CN01", 12, 13),
        ("CN01", 13, 21),
        ("CN01", 15, 1),
        ("CN01", 16, 1),
        ("CN01", 17, 1),
        ("CN01", 18, 1),
    ],
    # Databricks: `provider` and `schema` (PASS).
    "EX-V2-09": [],
    # A response: response-only fields.
    "EX-V2-10": [("CN01", 10, 1), ("CN01", 11, 1), ("CN01", 12, 1), ("CN01", 13, 1)],
    # As EX-V2-03: the password.
    "EX-V2-11": [("CN02", 13, 1)],
    # A response that returns the v1 `source_account_id` inside `config` (C-12: PL08).
    "EX-V2-12": [
        ("CN01", 5, 1),
        ("PL08", 8, 1),
        ("CN01", 14, 13),
        ("CN01", 19, 1),
        ("CN01", 20, 1),
        ("CN01", 21, 1),
        ("CN01", 22, 1),
    ],
    # Data models (responses): response-only fields, and EX-SQL-08 inline: RF03 twice, RF02 (D-01, D-02).
    "EX-V2-13": [
        ("CN03", 6, 1),
        ("CN03", 7, 1),
        ("RF03", 14, 22),
        ("RF03", 14, 78),
        ("RF02", 14, 136),
        ("CN03", 16, 1),
        ("CN03", 17, 1),
        ("CN03", 18, 1),
        ("CN03", 19, 1),
    ],
    "EX-V2-14": [
        ("CN03", 5, 1),
        ("CN03", 6, 1),
        ("RF03", 13, 22),
        ("RF02", 13, 112),
        ("CN03", 15, 1),
        ("CN03", 16, 1),
        ("CN03", 17, 1),
        ("CN03", 18, 1),
    ],
    # Create a data model: `errors` is response-only (D-13); the SQL is EX-SQL-08.
    "EX-V2-15": [("CN03", 5, 1), ("RF03", 12, 22), ("RF03", 12, 78), ("RF02", 12, 136)],
    # Responses with placeholder values: `sql_query: "string"` is no query (ST01).
    "EX-V2-16": [
        ("CN03", 5, 1),
        ("CN03", 6, 1),
        ("ST01", 13, 15),
        ("CN03", 15, 1),
        ("CN03", 16, 1),
        ("CN03", 17, 1),
        ("CN03", 18, 1),
    ],
    "EX-V2-17": [("CN03", 5, 1), ("RF03", 12, 22), ("RF03", 12, 78), ("RF02", 12, 136)],
    "EX-V2-18": [
        ("CN03", 5, 1),
        ("CN03", 6, 1),
        ("ST01", 13, 15),
        ("CN03", 15, 1),
        ("CN03", 16, 1),
        ("CN03", 17, 1),
        ("CN03", 18, 1),
    ],
    # Schedule fragments: `datetime_tz` is valid for no warehouse (SY03, C-03); a missing `delay`
    # is a warning (PL04, C-05); Example 3's `2023-03-01T:12:00:00Z` at `until` and `end` (PL05, D-07).
    "EX-V2-19": [("SY03", 5, 23), ("PL04", 7, 1)],
    "EX-V2-20": [("SY03", 5, 23)],
    "EX-V2-21": [("SY03", 5, 23), ("PL05", 7, 10), ("PL04", 9, 1), ("PL05", 13, 8)],
    "EX-V2-22": [("SY03", 5, 23)],
    "EX-V2-23": [("SY03", 5, 23), ("PL04", 8, 1)],
    "EX-V2-24": [("SY03", 5, 23), ("PL04", 9, 1)],
    # GET pipelines (responses): `user_attributes` with a field transformation (PL02, C-10),
    # `partner_feed_id: 0` and response-only fields (PL01 warnings), ids no file defines (PL07).
    "EX-V2-25": [
        ("PL07", 6, 18),
        ("PL02", 7, 1),
        ("PL07", 7, 28),
        ("PL07", 8, 18),
        ("PL01", 9, 20),
        ("PL01", 12, 1),
        ("PL01", 13, 1),
        ("PL01", 33, 1),
        ("PL01", 34, 1),
        ("PL01", 35, 1),
        ("PL01", 36, 1),
        ("PL07", 42, 18),
        ("PL02", 43, 1),
        ("PL07", 43, 28),
        ("PL07", 44, 18),
        ("PL01", 45, 20),
        ("PL01", 48, 1),
        ("PL01", 49, 1),
        ("PL01", 69, 1),
        ("PL01", 70, 1),
        ("PL01", 71, 1),
        ("PL01", 72, 1),
    ],
    "EX-V2-26": [
        ("PL07", 5, 18),
        ("PL02", 6, 1),
        ("PL07", 6, 28),
        ("PL07", 7, 18),
        ("PL01", 8, 20),
        ("PL01", 11, 1),
        ("PL01", 12, 1),
        ("PL01", 32, 1),
        ("PL01", 33, 1),
        ("PL01", 34, 1),
        ("PL01", 35, 1),
    ],
    # Create a pipeline: `partner_feed_id: 0` next to a key, `errors` (PL01 warnings); ids no file
    # defines (PL07); `timestamp` is valid unless the connection is Snowflake's (not in this project).
    "EX-V2-27": [("PL07", 5, 18), ("PL07", 6, 28), ("PL07", 7, 18), ("PL01", 8, 20), ("PL01", 11, 1)],
    "EX-V2-28": [
        ("PL07", 5, 18),
        ("PL07", 6, 28),
        ("PL07", 7, 18),
        ("PL01", 8, 20),
        ("PL01", 11, 1),
        ("PL01", 12, 1),
        ("PL01", 34, 1),
        ("PL01", 35, 1),
        ("PL01", 36, 1),
        ("PL01", 37, 1),
    ],
    "EX-V2-29": [("PL07", 5, 18), ("PL07", 6, 18), ("PL01", 7, 20), ("PL01", 10, 1)],
    "EX-V2-30": [
        ("PL07", 5, 18),
        ("PL07", 6, 18),
        ("PL01", 7, 20),
        ("PL01", 10, 1),
        ("PL01", 11, 1),
        ("PL01", 33, 1),
        ("PL01", 34, 1),
        ("PL01", 35, 1),
        ("PL01", 36, 1),
    ],
    # Trigger request: PASS. Trigger and error responses have no Warehouse Sync key: not payloads.
    "EX-V2-31": [],
    "EX-V2-32": [],
    "EX-V2-33": [],
    # Report and runs responses name a `pipeline_id` but are no resource (PS05).
    "EX-V2-34": [("PS05", 1, 1)],
    "EX-V2-35": [("PS05", 1, 1)],
    "EX-V2-36": [("PS05", 1, 1)],
    # v1 connections: each v1 key (PL08); no `state`, and v2 settings v1 never had (CN01); the
    # masked password (CN01 warning); a placeholder key is a committed secret (CN02) and no key file (CN01).
    "EX-V1-01": [
        ("CN01", 1, 1),
        ("CN01", 1, 1),
        ("PL08", 4, 5),
        ("PL08", 5, 5),
        ("PL08", 6, 5),
        ("PL08", 7, 5),
        ("PL08", 8, 5),
        ("PL08", 9, 5),
        ("PL08", 10, 5),
        ("PL08", 11, 5),
        ("PL08", 12, 5),
        ("CN01", 12, 17),
        ("PL08", 13, 5),
        ("PL08", 14, 5),
    ],
    "EX-V1-02": [
        ("CN01", 1, 1),
        ("PL08", 4, 5),
        ("PL08", 5, 5),
        ("PL08", 6, 5),
        ("PL08", 7, 5),
        ("PL08", 8, 5),
        ("PL08", 9, 5),
        ("CN02", 10, 5),
        ("PL08", 10, 5),
        ("CN01", 10, 28),
    ],
    "EX-V1-03": [
        ("CN01", 1, 1),
        ("CN01", 1, 1),
        ("PL08", 4, 5),
        ("PL08", 5, 5),
        ("PL08", 6, 5),
        ("PL08", 7, 5),
        ("PL08", 8, 5),
        ("PL08", 9, 5),
        ("PL08", 10, 5),
        ("PL08", 11, 5),
        ("PL08", 12, 5),
        ("PL08", 13, 5),
        ("CN01", 13, 17),
        ("PL08", 14, 5),
        ("PL08", 15, 5),
    ],
    # v1 data models: the `load_timestamp_field_*` keys and the top-level `sql_query` (PL08); its
    # SQL is EX-SQL-07: RF03 at `email`, RF02 at `t` (D-01, D-02).
    "EX-V1-04": [
        ("PL08", 4, 5),
        ("PL08", 6, 5),
        ("RF03", 6, 26),
        ("RF02", 6, 116),
        ("PL08", 7, 5),
        ("PL08", 8, 5),
        ("PL08", 9, 5),
        ("PL08", 10, 5),
    ],
    "EX-V1-05": [
        ("PL08", 4, 5),
        ("PL08", 6, 5),
        ("RF03", 6, 26),
        ("RF02", 6, 116),
        ("PL08", 7, 5),
        ("PL08", 8, 5),
        ("PL08", 9, 5),
        ("PL08", 10, 5),
    ],
    # v1 pipelines: v1 keys (PL08), no `pipeline_type` or `sync_mode` (PL01), ids no file defines (PL07).
    "EX-V1-06": [
        ("PL01", 1, 1),
        ("PL01", 1, 1),
        ("PL08", 4, 5),
        ("PL08", 5, 5),
        ("PL08", 6, 5),
        ("PL08", 7, 5),
        ("PL07", 8, 22),
        ("PL07", 9, 22),
        ("PL08", 11, 5),
    ],
    "EX-V1-07": [
        ("PL01", 1, 1),
        ("PL01", 1, 1),
        ("PL08", 4, 5),
        ("PL08", 5, 5),
        ("PL08", 6, 5),
        ("PL08", 7, 5),
        ("PL07", 8, 22),
        ("PL07", 9, 22),
        ("PL08", 11, 5),
        ("PL08", 12, 5),
    ],
    # v1 trigger responses: no Warehouse Sync key.
    "EX-V1-08": [],
    "EX-V1-09": [],
    # Target-shape fixture of the data mapping page: no Warehouse Sync key, not a payload.
    "EX-DM-01": [],
    # `"mapping_type": "mapping-type"` is a template value (CN04, D-19).
    "EX-FT-01": [("CN04", 7, 23)],
}


def _findings(name: str, text: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    write(folder, name, text)
    monkeypatch.chdir(folder)
    return [(v.code, v.line, v.column) for v in lint_paths([Path(".")], RunOptions()).violations]


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_official_payload(example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (PAYLOADS / f"{example}.json").read_text(encoding="utf-8")
    assert _findings(f"{example}.json", text, tmp_path, monkeypatch) == EXPECTED[example]


def test_the_bigquery_connection_example_with_its_lines_joined(tmp_path, monkeypatch):
    # The verdict of EX-V2-05 "after joining the lines": the key is a committed secret (CN02), and
    # still no key file, as `\\A` in its private key is an invalid JSON escape (CN01).
    text = (PAYLOADS / "EX-V2-05.json").read_text(encoding="utf-8")
    lines = text.split("\n")
    joined = "\n".join([*lines[:10], "".join(lines[10:20]), *lines[20:]])
    assert _findings("EX-V2-05.json", joined, tmp_path, monkeypatch) == [("CN02", 11, 1), ("CN01", 11, 24)]


def test_the_feed_example_body(tmp_path, monkeypatch):
    # EX-FEED-01 is a curl command; its `-d` body, unescaped, is a feed whose `module_name` is no
    # Warehouse Sync module (PL09, C-02).
    if not CATALOGUE.exists():
        pytest.skip("shared/spec/mparticle-facts.md is not beside this checkout")
    text = CATALOGUE.read_text(encoding="utf-8")
    curl = text[text.index("#### EX-FEED-01") :]
    body = re.search(r'-d "(.*?)" \\\n', curl, re.DOTALL).group(1)
    body = body.replace('\\"', '"').replace("\\\n", "\n")
    assert _findings("feed.json", body, tmp_path, monkeypatch) == [("PL09", 2, 20)]


def test_every_catalogue_payload_is_covered_verbatim() -> None:
    if not CATALOGUE.exists():
        pytest.skip("shared/spec/mparticle-facts.md is not beside this checkout")
    text = CATALOGUE.read_text(encoding="utf-8")
    section = text[text.index("### 5.3 Warehouse Sync API v2") :]
    published = dict(re.findall(r"#### (EX-[A-Z0-9]+-\d+) — .*?\n.*?```json\n(.*?)```", section, re.DOTALL))
    assert set(published) == {path.stem for path in PAYLOADS.glob("*.json")} == set(EXPECTED)
    for name, body in published.items():
        assert (PAYLOADS / f"{name}.json").read_text(encoding="utf-8") == body

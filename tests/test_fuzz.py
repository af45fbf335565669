"""Property test: whatever the bytes, ``check`` answers with findings, never a crash.

Inputs are random bytes, real corpus queries truncated or spliced together, deep nesting and
odd Unicode, as SQL and as payload files. For each: the exit code is 0 or 1, the JSON output
parses, and every finding's position lies inside its file.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS
from wsync_lint.cli.app import main

DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
SEEDS = [
    "SELECT a.customer_id, COUNT(t.id) AS n FROM db.s.t t JOIN db.s.a a ON a.id = t.a_id GROUP BY a.customer_id",
    "SELECT email, \"$firstname\" FROM mp.crm.users WHERE status = 'open' -- comment\n",
    "WITH x AS (SELECT 1 AS a) SELECT * FROM x;",
    "SELECT `p.d.t`.col, ARRAY_AGG(v ORDER BY v) AS vs FROM `p.d.t` GROUP BY 1",
    "SELECT f.value:name::string AS name FROM db.s.t, LATERAL FLATTEN(input => t.arr) f",
    "DELETE FROM db.s.t; SELECT 1",
    "SELECT {{ ref('x') }} FROM <% db %>.s.t WHERE a = &var",
]
ODD_CHARACTERS = "\u201c\u201d\u2018\u2019\u00a0\u200b\ufeff\u00b4\u202f\u3000\x00\r\t\U0001f600é\\'\"`[]();-#/*$"


def _corpus_sample() -> list[str]:
    files = sorted(p for p in CORPUS.glob("*/*/*.sql")) if CORPUS.is_dir() else []
    picked = random.Random(20261122).sample(files, min(300, len(files)))
    texts = []
    for path in picked:
        data = path.read_bytes()[:4000]
        texts.append(data.decode("utf-8", errors="replace"))
    return texts


QUERIES = SEEDS + _corpus_sample()

queries = st.sampled_from(QUERIES)
truncated = st.tuples(queries, st.floats(0, 1)).map(lambda qf: qf[0][: int(len(qf[0]) * qf[1])])
spliced = st.tuples(queries, queries, st.floats(0, 1), st.floats(0, 1)).map(
    lambda q: q[0][: int(len(q[0]) * q[2])] + q[1][int(len(q[1]) * q[3]) :]
)
nested = st.tuples(st.integers(0, 3000), st.sampled_from(["(", "(SELECT ", "ARRAY[", "CASE WHEN "])).map(
    lambda d: "SELECT " + d[1] * d[0] + "1" + ")" * d[0]
)
sprinkled = st.tuples(queries, st.lists(st.tuples(st.floats(0, 1), st.sampled_from(ODD_CHARACTERS)), max_size=8)).map(
    lambda q: _sprinkle(q[0], q[1])
)
texts = st.one_of(queries, truncated, spliced, nested, sprinkled, st.text(max_size=300))
contents = st.one_of(texts.map(lambda t: t.encode("utf-8", errors="surrogatepass")), st.binary(max_size=400))


def _sprinkle(text: str, insertions: list[tuple[float, str]]) -> str:
    for where, character in insertions:
        at = int(len(text) * where)
        text = text[:at] + character + text[at:]
    return text


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def _assert_inside(path: Path, finding: dict) -> None:
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = text.split("\n")
    for line, column in ((finding["line"], finding["column"]), (finding["end_line"], finding["end_column"])):
        assert 1 <= line <= len(lines), finding
        assert 1 <= column <= len(lines[line - 1]) + 1, finding
    assert (finding["line"], finding["column"]) <= (finding["end_line"], finding["end_column"]), finding


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(content=contents, dialect=st.sampled_from(DIALECTS), suffix=st.sampled_from([".sql", ".sql", ".json", ".yaml"]))
def test_check_answers_every_input(content: bytes, dialect: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"model{suffix}"
        path.write_bytes(content)
        code, out, err = _run(["check", "--format", "json", "--dialect", dialect, str(path)])
        assert code in (0, 1), (code, err)
        assert err == ""
        document = json.loads(out)
        for finding in document["findings"]:
            _assert_inside(path, finding)


# Payload-shaped documents: the keys the rules read, with values of any JSON type, nested.
PAYLOAD_KEYS = [
    "id", "name", "state", "pipeline_type", "connection_id", "data_model_id", "field_transformation_id",
    "sync_mode", "schedule", "type", "iterator_field", "iterator_data_type", "from", "until", "start", "end",
    "frequency", "delay", "environment", "partner_feed_id", "partner_feed_key", "data_plan_id",
    "data_plan_version", "plan_id", "service_provider", "config", "password", "service_account_key",
    "sql_query", "sql_file", "mappings", "mapping_type", "source", "destination", "value", "destination_type",
    "module_name", "workspace_id", "schedule_interval", "errors", "status", "region", "account_identifier",
]  # fmt: skip
PAYLOAD_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.sampled_from(
        ["events", "user_attributes", "incremental", "full", "interval", "on-demand", "hourly", "Snowflake",
         "BigQuery", "datetime_tz", "timestamp", "2023-03-01T:12:00:00Z", "2022-10-30T11:00:16Z", "5m", "column",
         "static", "sql", "m.sql", "../x.sql", "SELECT 1", "SELECT a FROM t;", "{{ x }}", "************", ""]
    ), st.text(max_size=20),
)  # fmt: skip
payload_values = st.recursive(
    PAYLOAD_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(PAYLOAD_KEYS), children, max_size=6)
    ),
    max_leaves=25,
)
payload_documents = st.one_of(
    st.dictionaries(st.sampled_from(PAYLOAD_KEYS), payload_values, min_size=1, max_size=10),
    st.lists(st.dictionaries(st.sampled_from(PAYLOAD_KEYS), payload_values, max_size=8), max_size=4),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(document=payload_documents, as_yaml=st.booleans(), cut=st.floats(0.5, 1))
def test_check_answers_every_payload(document, as_yaml: bool, cut: float) -> None:
    import yaml

    text = yaml.safe_dump(document) if as_yaml else json.dumps(document, indent=1)
    text = text[: max(1, int(len(text) * cut))] if cut < 0.9 else text
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("payload.yaml" if as_yaml else "payload.json")
        path.write_text(text, encoding="utf-8")
        code, out, err = _run(["check", "--format", "json", "--select", "ALL", str(path)])
        assert code in (0, 1), (code, err)
        # An inline query no pipeline binds is checked as Snowflake by default, and says so.
        assert all(line.startswith("wsync-lint: note: ") for line in err.splitlines()), err
        for finding in json.loads(out)["findings"]:
            _assert_inside(path, finding)

"""Property test: whatever the bytes, ``check`` answers with findings, never a crash.

Inputs are random bytes, real corpus queries truncated or spliced together, deep nesting and
odd Unicode, as SQL and as payload files. For each: the exit code is 0 or 1, the JSON output
parses, and every finding's position lies inside its file.

The last property (marked ``slow``, 10,000 examples, run by CI) checks whole projects: the
official payloads of mParticle's documentation (tests/data/official_payloads/, the catalogue's
section 5.3) mutated, linked to a model of corpus SQL spliced at random points, with hostile
values (newlines, escape sequences, lone surrogates, ``../`` paths) anywhere. Every report must
parse or hold only well-formed lines, and every error must be one line.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import random
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, REPO
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


# --------------------------------------------------------------------------------------------
# Whole projects: official payloads mutated, corpus SQL spliced, hostile values anywhere
# --------------------------------------------------------------------------------------------

PROJECT_EXAMPLES = 10_000
OFFICIAL_PAYLOADS = REPO / "tests" / "data" / "official_payloads"
HOSTILE_VALUES = [
    "x\nAll checks passed (3 files checked).\n\x1b[2J", "a\rb", "line\u2028para\u2029", "\u202egnp.exe", "\ud800",
    "\udfff\ud83d", "nul\x00byte", "\x85\x9b1m\x07", "../../../../etc/passwd", "/dev/zero", "model.sql",
    "../model.sql", "x" * 5000, "", " ", "SELECT 1\n; DELETE FROM t", "{{ ref('x') }}", "\ufeffid", "'\"`\\",
    "c", "m", "p", "snowflake", "BigQuery", "Redshift", "Databricks", "events", "user_attributes", "once",
    "interval", "full", "incremental", "timestamp", "2023-03-01T:12:00:00Z", "1e400", "-0",
]  # fmt: skip
OTHER_VALUES = [None, True, False, 0, -1, 2**63, 1.5, 1e308, [], {}, [1, "a"], {"a": {"b": None}}]
COMMANDS = [["render", "p"], ["render", "model:m"], ["columns", "m"], ["columns", "p", "--format", "json"], ["grants"]]
FINDING_LINE = re.compile(r"^\S.*:\d+:\d+: [A-Z]{2}\d{2} \[(error|warning)\] ")
# A code frame under a finding: the quoted source line behind its number, then the carets.
FRAME_LINE = re.compile(r"^ *\d+ \|( |$)|^ +\|( +\^+)?$")
SUMMARY_LINE = re.compile(
    r"^(All checks passed \(\d+ files? checked\)\.|Found \d+ problems? \(\d+ errors?, \d+ warnings?\) in \d+ files?\.)$"
)
NOT_RUN_LINE = re.compile(
    r"^\d+ rules? needs? a schema snapshot: [A-Z0-9, ]+ \(they did not run on models without one; see `schema-dir`\)\.$"
)


def _official_documents() -> dict[str, list[dict]]:
    """The official payloads by role; what is neither connection, data model nor pipeline is
    "other" (fragments, v1 resources, API responses), added to some projects as a file of its own."""
    roles: dict[str, list[dict]] = {"connection": [], "data_model": [], "pipeline": [], "other": []}
    for path in sorted(OFFICIAL_PAYLOADS.glob("*.json")):
        loaded = json.loads(path.read_text(encoding="utf-8"), strict=False)  # one holds a raw newline
        for item in loaded if isinstance(loaded, list) else [loaded]:
            role = (
                "connection" if "service_provider" in item
                else "pipeline" if "pipeline_type" in item
                else "data_model" if item.get("type") == "sql"
                else "other"
            )  # fmt: skip
            roles[role].append(item)
    return roles


def _corpus_sql() -> list[str]:
    files = sorted(CORPUS.glob("*/*/*.sql")) if CORPUS.is_dir() else []
    picked = random.Random(13).sample(files, min(400, len(files)))
    return [path.read_bytes()[:3000].decode("utf-8", errors="replace") for path in picked] + SEEDS


def _mutated(value, rng: random.Random):
    """``value`` with one thing changed somewhere inside: a key deleted or renamed, a value
    retyped or replaced by a hostile one."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(sorted(value, key=str))
        roll = rng.random()
        if roll < 0.2:
            del value[key]
        elif roll < 0.6:
            value[key] = _mutated(value[key], rng)
        elif roll < 0.7:
            value[rng.choice(HOSTILE_VALUES)] = value.pop(key)
        else:
            value[key] = rng.choice(HOSTILE_VALUES + OTHER_VALUES)
        return value
    if isinstance(value, list) and value and rng.random() < 0.8:
        at = rng.randrange(len(value))
        value[at] = _mutated(value[at], rng)
        return value
    return copy.deepcopy(rng.choice(HOSTILE_VALUES + OTHER_VALUES))


def _spliced_sql(rng: random.Random, texts: list[str]) -> str:
    first, second = rng.choice(texts), rng.choice(texts)
    text = first[: rng.randrange(len(first) + 1)] + second[rng.randrange(len(second) + 1) :]
    for _ in range(rng.randrange(4)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(HOSTILE_VALUES) + text[at:]
    return text


def _serialised(document, rng: random.Random) -> tuple[bytes, str]:
    """JSON (``\\ud800`` escapes or raw text) or YAML, sometimes cut short; lone surrogates written
    as they are, as a hostile file would."""
    suffix = ".json"
    text = json.dumps(document, indent=1, ensure_ascii=rng.random() < 0.7)
    if rng.random() < 0.4:
        with contextlib.suppress(yaml.YAMLError):
            text, suffix = yaml.safe_dump(document, allow_unicode=rng.random() < 0.5), ".yaml"
    if rng.random() < 0.1:
        text = text[: rng.randrange(len(text) + 1)]
    return text.encode("utf-8", errors="surrogatepass"), suffix


def _write_project(folder: Path, rng: random.Random, documents: dict[str, list[dict]], sql: list[str]) -> None:
    """A connection ``c``, a data model ``m`` and a pipeline ``p`` linking them (until a mutation
    unlinks them), perhaps another official document, each mutated up to four times."""
    (folder / ".git").mkdir()
    model_sql = _spliced_sql(rng, sql)
    connection = {**copy.deepcopy(rng.choice(documents["connection"])), "id": "c"}
    model = {**copy.deepcopy(rng.choice(documents["data_model"])), "id": "m"}
    if rng.random() < 0.5:
        model["config"] = {"sql_file": "model.sql"}
        (folder / "model.sql").write_bytes(model_sql.encode("utf-8", errors="surrogatepass"))
    else:
        model["config"] = {"sql_query": model_sql}
    pipeline = {**copy.deepcopy(rng.choice(documents["pipeline"])), "id": "p", "connection_id": "c"}
    pipeline["data_model_id"] = "m"
    files = {"connection": connection, "model": model, "pipeline": pipeline}
    if rng.random() < 0.3:
        files["other"] = copy.deepcopy(rng.choice(documents["other"]))
    for _ in range(rng.randrange(5)):
        name = rng.choice(sorted(files))
        files[name] = _mutated(files[name], rng)
    for name, document in files.items():
        data, suffix = _serialised(document, rng)
        (folder / f"{name}{suffix}").write_bytes(data)


def _assert_one_line_errors(err: str, allowed_prefixes: tuple[str, ...] = ("wsync-lint: ",)) -> None:
    assert "internal error" not in err, err
    for line in err.splitlines():
        assert line.startswith(allowed_prefixes), f"an error line continues on another line: {err!r}"


def _assert_report_is_well_formed(output_format: str, out: str) -> None:
    out.encode("utf-8")  # no lone surrogate left to fail on when printed
    if output_format in ("json", "sarif"):
        json.loads(out)
    elif output_format == "junit":
        ET.fromstring(out.encode("utf-8"))
    elif output_format == "github":
        assert all(line.startswith(("::error ", "::warning ")) for line in out.splitlines()), out
    else:  # text: findings with their hints, then the summary (and the rules that could not run)
        lines = out.splitlines()
        tail = 2 if NOT_RUN_LINE.match(lines[-1]) else 1
        assert SUMMARY_LINE.match(lines[-tail]), out
        for line in lines[:-tail]:
            assert FINDING_LINE.match(line) or FRAME_LINE.match(line) or line.startswith("    hint: "), (
                f"a forged line: {line!r}"
            )


@pytest.mark.slow
@settings(
    max_examples=PROJECT_EXAMPLES,
    derandomize=True,  # the same examples on every run: CI is reproducible
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    rng=st.randoms(use_true_random=True),
    output_format=st.sampled_from(["json", "json", "text", "github", "sarif", "junit"]),
    command=st.sampled_from(COMMANDS),
)
def test_every_project_gets_a_report(rng: random.Random, output_format: str, command: list[str]) -> None:
    if not CORPUS.is_dir() and os.environ.get("WSYNC_LINT_REQUIRE_CORPUS") == "1":
        pytest.fail(f"the shared corpus {CORPUS} is missing and WSYNC_LINT_REQUIRE_CORPUS=1")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _write_project(folder, rng, DOCUMENTS, PROJECT_SQL)
        code, out, err = _run(["check", "--format", output_format, "--select", "ALL", str(folder)])
        _assert_one_line_errors(err)
        if code == 2:  # a documented configuration answer, in one line
            assert err.startswith("wsync-lint: error: ") and err.count("\n") == 1, err
        else:
            assert code in (0, 1), (code, err)
            _assert_report_is_well_formed(output_format, out)
        # render, columns and grants answer about the same project: output or one usage line.
        target = ["--project", str(folder)] if command[0] != "grants" else [str(folder)]
        code, out, err = _run([*command, *target])
        assert code in (0, 2), (code, err)
        _assert_one_line_errors(err)
        out.encode("utf-8", errors="backslashreplace")


DOCUMENTS = _official_documents()
PROJECT_SQL = _corpus_sql()

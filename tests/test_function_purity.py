"""The model gate: what keeps a model from being sent (analysis/function_purity.py), per warehouse,
and that a preflight run reports each such call once. No server: the recorded warehouse of tests/live."""

from __future__ import annotations

import pytest

from wsync_lint.analysis.function_purity import unsafe_calls
from wsync_lint.contract.sql_context import SqlContext
from wsync_lint.mparticle.pure_functions import PURE_BUILTINS
from wsync_lint.mparticle.warehouses import WAREHOUSES
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.lexicon import scan
from wsync_lint.sql.parse import parse_tokens
from wsync_lint.sql.positions import LineIndex

UNPROVEN = "not among the built-ins documented to only compute a value"
RUN_TIME = "calls what its string names, which is known only at run time"


def _calls(text: str, dialect: str, vouched: frozenset[str] = frozenset()) -> list[tuple[int, int, str, str, str]]:
    lexicon = scan(text, dialect)
    statements, failure = parse_tokens(text, lexicon, dialect)
    assert failure is None
    ctx = SqlContext("m.sql", text, WAREHOUSES[dialect], FileSettings(dialect=dialect), lexicon, statements)
    lines = LineIndex(text)
    return [(*lines.position(call.at.start), call.name, call.kind, call.why) for call in unsafe_calls(ctx, vouched)]


@pytest.mark.parametrize(
    ("dialect", "sql", "expected"),
    [
        # The report's matrix (F1, F6): side effects, a writing UDF, an IMMUTABLE UDF, row locks.
        ("redshift",
         "SELECT nextval('s') AS id, public.audit_write(1) AS w,\n"
         "       pg_terminate_backend(1) AS k, pg_sleep(3) AS z FROM t FOR UPDATE",
         [(1, 8, "nextval", "side-effect", "advances a sequence"),
          (1, 28, "public.audit_write", "unproven", "a user-defined function"),
          (2, 8, "pg_terminate_backend", "side-effect", "terminates another session"),
          (2, 38, "pg_sleep", "side-effect", "holds the session idle"),
          (2, 62, "FOR UPDATE", "lock", "locks the rows it reads")]),
        ("redshift", "SELECT public.immut_bump() AS customer_id, updated_at FROM public.t",
         [(1, 8, "public.immut_bump", "unproven", "a user-defined function")]),
        ("redshift", "SELECT lo_import('/etc/hostname') AS f, pg_notify('c', 'x') AS n, pg_advisory_xact_lock(1) AS l",
         [(1, 8, "lo_import", "side-effect", "reads a file of the database server"),
          (1, 41, "pg_notify", "unproven", UNPROVEN),
          (1, 67, "pg_advisory_xact_lock", "side-effect", "takes or releases an advisory lock")]),
        ("redshift", "SELECT a FROM t FOR SHARE", [(1, 17, "FOR SHARE", "lock", "locks the rows it reads")]),
        # Set-returning UDF in FROM, a typed built-in qualified with a user's schema, pg_catalog's administration.
        ("redshift", "SELECT s.x, util.md5(s.x) AS h FROM public.my_srf(1) s, pg_catalog.pg_reload_conf() r",
         [(1, 13, "util.md5", "unproven", "a user-defined function"),
          (1, 37, "public.my_srf", "unproven", "a user-defined function"),
          (1, 57, "pg_catalog.pg_reload_conf", "unproven", UNPROVEN)]),
        # Precision: common functions sqlglot types or the list names are sent.
        ("redshift",
         "SELECT DATEADD(day, 1, x) AS d, REGEXP_SUBSTR(a, 'b') AS r, JSON_SERIALIZE(j) AS s, "
         "pg_catalog.pg_backend_pid() AS p, GETDATE() AS g, NVL(a, b) AS n FROM t", []),
        ("snowflake",
         "SELECT crm.seq.NEXTVAL AS id, SYSTEM$WAIT(1) AS w, ext_fn(1) AS e, db.s.udf(2) AS u,\n"
         "       TO_TIMESTAMP_NTZ(x) AS t, DATEADD(day, 1, x) AS d, REGEXP_SUBSTR(a, 'b') AS r\n"
         "FROM t, TABLE(INFORMATION_SCHEMA.QUERY_HISTORY()) q",
         [(1, 16, "crm.seq.NEXTVAL", "side-effect", "advances a sequence"),
          (1, 31, "SYSTEM$WAIT", "side-effect", "holds the session idle"),
          (1, 52, "ext_fn", "unproven", UNPROVEN),
          (1, 68, "db.s.udf", "unproven", "a user-defined function")]),
        ("bigquery",
         "SELECT `proj.ds.fn`(1) AS a, mozfun.map.get_key(m, 'k') AS b, HLL_COUNT.MERGE(h) AS c,\n"
         "       NET.HOST(u) AS d, NET.PUBLIC_SUFFIX(u) AS e, SAFE.PARSE_DATE('%Y', x) AS f\n"
         "FROM EXTERNAL_QUERY('conn', 'SELECT 1')",
         [(1, 8, "proj.ds.fn", "unproven", "a user-defined function"),
          (1, 30, "mozfun.map.get_key", "unproven", "a user-defined function"),
          (3, 6, "EXTERNAL_QUERY", "unproven", UNPROVEN)]),
        ("databricks",
         "SELECT reflect('java.lang.Thread', 'sleep', 1) AS a, ai_query('m', x) AS b,\n"
         "       http_request(conn => 'c') AS c, uuid() AS d, BROUND(x, 2) AS e FROM t",
         [(1, 8, "reflect", "side-effect", "calls a Java method on the cluster"),
          (1, 54, "ai_query", "unproven", UNPROVEN),
          (2, 8, "http_request", "unproven", UNPROVEN)]),
        # A name sqlglot knows from another dialect calls a user's function of that name where the
        # warehouse has no such built-in (the red team's second pass ended a session this way).
        ("redshift",
         "SELECT to_base64(x) AS a, ends_with(a, 'x') AS b, unhex(y) AS c, upper(z) AS u, pg_catalog.unhex(y) AS d FROM t",
         [(1, 8, "to_base64", "unproven", UNPROVEN), (1, 27, "ends_with", "unproven", UNPROVEN),
          (1, 51, "unhex", "unproven", UNPROVEN), (1, 81, "pg_catalog.unhex", "unproven", UNPROVEN)]),
        ("snowflake",
         "SELECT IDENTIFIER('SYSTEM$WAIT')(10) AS a, IDENTIFIER('seq').NEXTVAL AS b,\n"
         "       ai_classify(x, ['a']) AS c, IDENTIFIER('col') AS d FROM IDENTIFIER('db.s.t')",
         [(1, 8, "IDENTIFIER", "unproven", RUN_TIME), (1, 44, "IDENTIFIER", "unproven", RUN_TIME),
          (2, 8, "ai_classify", "unproven", UNPROVEN)]),
        ("bigquery",  # unqualified names are built-ins there; ML's call out to models
         "SELECT TO_BASE64(b) AS a, ML.GENERATE_TEXT(MODEL m, (SELECT 'p' AS prompt)) AS g, NET.HOST(u) AS h FROM t",
         [(1, 27, "ML.GENERATE_TEXT", "unproven", UNPROVEN)]),
        ("databricks",
         "SELECT secret('s', 'k') AS a, read_csv('x') AS b, ai_classify(x, array('a')) AS c FROM t",
         [(1, 8, "secret", "unproven", UNPROVEN), (1, 31, "read_csv", "unproven", UNPROVEN),
          (1, 51, "ai_classify", "unproven", UNPROVEN)]),
        # A hint names no function the query calls; a corpus built-in of each warehouse is sent.
        ("databricks",
         "SELECT /*+ REPARTITION(4), SHUFFLE_MERGE(t) */ TIMEDIFF(HOUR, a, b) AS h, my_udf(x) AS u FROM t",
         [(1, 75, "my_udf", "unproven", UNPROVEN)]),
        ("snowflake",
         "SELECT ST_X(TO_GEOGRAPHY(g)) AS x, H3_LATLNG_TO_CELL(a, b, 9) AS c, py_buffer(g) AS p FROM t",
         [(1, 69, "py_buffer", "unproven", UNPROVEN)]),
    ],
)  # fmt: skip
def test_what_keeps_a_model_from_being_sent(dialect, sql, expected):
    assert _calls(sql, dialect) == expected


def test_vouched_functions_pass_but_never_a_side_effect_or_a_lock():
    sql = "SELECT util.clean_email(e) AS e, mozfun.map.get_key(m, 'k') AS k, nextval('s') AS n FROM t FOR UPDATE"
    vouched = frozenset({"UTIL.CLEAN_EMAIL", "MOZFUN.*", "NEXTVAL"})
    assert [(name, kind) for _, _, name, kind, _ in _calls(sql, "redshift", vouched)] == [
        ("nextval", "side-effect"),
        ("FOR UPDATE", "lock"),
    ]


@pytest.mark.parametrize("dialect", ["redshift", "snowflake", "bigquery", "databricks"])
def test_every_listed_builtin_is_sent(dialect):
    assert [name for name in sorted(PURE_BUILTINS[dialect]) if _calls(f"SELECT {name}(x) AS c FROM t", dialect)] == []


def test_lists_hold_no_st08_function():
    from wsync_lint.analysis.side_effects import side_effect_of

    for dialect, names in PURE_BUILTINS.items():
        assert [name for name in names if side_effect_of(dialect, name)] == []


_CONNECTION = """{"id": "billing", "name": "Billing", "state": "active", "service_provider": "Redshift",
 "config": {"database": "billing", "host": "b.abc.us-east-1.redshift.amazonaws.com", "port": "5439",
            "user": "mparticle_sync", "aws_iam_role_arn": "arn:aws:iam::123456789012:role/mp"}}"""
_MODEL = """id: subscriptions
name: Subscriptions
type: sql
state: active
config: {sql_file: ../models/subscriptions.sql}
"""
_PIPELINE = """id: subscriptions-hourly
name: Subscriptions, hourly
pipeline_type: user_attributes
connection_id: billing
data_model_id: subscriptions
sync_mode: {type: incremental, iterator_field: updated_at, iterator_data_type: timestamptz}
schedule: {type: interval, frequency: hourly, start: "2024-06-01T00:00:00Z"}
state: active
environment: production
"""


def _preflight(tmp_path, monkeypatch, sql: str, select: tuple[str, ...] | None = None):
    from datetime import UTC, datetime
    from pathlib import Path

    from tests.live.recorded import recorded_opener
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.live.preflight import PreflightOptions, preflight

    files = {
        "wsync-lint.toml": "",
        "connections/billing.json": _CONNECTION,
        "data-models/subscriptions.yaml": _MODEL,
        "models/subscriptions.sql": sql,
        "pipelines/subscriptions.yaml": _PIPELINE,
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    monkeypatch.chdir(tmp_path)
    # The recorded warehouse refuses anything that names the calls: a finding from it would mean the model was sent.
    warehouse = {"rejects": [{"when": "nextval", "message": "sent"}, {"when": "audit_write", "message": "sent"}]}
    options = RunOptions(select=select) if select else RunOptions()
    sessions: list = []
    outcome = preflight(
        [Path(".")],
        options,
        PreflightOptions(count=True),
        environment={},
        now=datetime(2024, 6, 1, 12, 30, tzinfo=UTC),
        opener=recorded_opener(warehouse, sessions),
    )
    assert [sql for session in sessions for sql in session.sent if "subscriptions" in sql] == []
    return outcome


def test_preflight_reports_a_st08_call_once_and_says_the_model_was_not_sent(tmp_path, monkeypatch):
    sql = "SELECT nextval('public.seq') AS customer_id, public.audit_write(1) AS w, updated_at\nFROM public.subscriptions\n"
    outcome = _preflight(tmp_path, monkeypatch, sql, select=("ST08", "LV01"))
    found = [(v.line, v.column, v.code, v.message) for v in outcome.result.violations]
    assert found == [
        (1, 8, "ST08", "`nextval` advances a sequence in Redshift on every sync: mParticle runs the model each time "
         "it syncs (and `wsync-lint preflight` does not send it)"),
        (1, 46, "LV01", "the data model was not sent to Redshift for pipeline `subscriptions-hourly`: it calls "
         "`public.audit_write`, a function wsync-lint cannot prove free of side effects (a user-defined function); "
         "nothing was compiled for this pipeline"),
    ]  # fmt: skip
    assert outcome.notes == []


def test_preflight_notes_a_model_held_back_by_st08_alone(tmp_path, monkeypatch):
    sql = "SELECT nextval('public.seq') AS customer_id, updated_at\nFROM public.subscriptions\n"
    outcome = _preflight(tmp_path, monkeypatch, sql, select=("ST08", "LV01"))
    assert [(v.line, v.column, v.code) for v in outcome.result.violations] == [(1, 8, "ST08")]
    assert outcome.notes == [
        "pipeline `subscriptions-hourly`: the model was not sent to the warehouse: ST08 reports what it calls"
    ]


def test_read_only_functions_config_key():
    from pathlib import Path

    from wsync_lint.engine.config import parse_config
    from wsync_lint.errors import UsageError

    config = parse_config({"read-only-functions": ["util.Clean_Email", "mozfun.*"]}, Path("wsync-lint.toml"))
    assert config.read_only_functions == frozenset({"UTIL.CLEAN_EMAIL", "MOZFUN.*"})
    with pytest.raises(UsageError) as raised:
        parse_config({"read-only-functions": ["util."]}, Path("wsync-lint.toml"))
    assert str(raised.value) == (
        "wsync-lint.toml: read-only-functions: expected function names such as 'util.clean_email'"
    )
    with pytest.raises(UsageError) as raised:
        parse_config({"read-only-functions": [3]}, Path("wsync-lint.toml"))
    assert str(raised.value) == "wsync-lint.toml: read-only-functions: expected a list of strings"


def test_show_settings_names_the_read_only_functions(tmp_path, run_cli):
    (tmp_path / "wsync-lint.toml").write_text('read-only-functions = ["util.clean_email"]\n')
    (tmp_path / "m.sql").write_text("SELECT 1 AS a\n")
    shown = run_cli("check", "--show-settings", "m.sql", cwd=tmp_path).out.splitlines()
    assert "read-only functions: UTIL.CLEAN_EMAIL (preflight sends models calling them)" in shown

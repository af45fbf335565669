"""Every answer is well formed, whatever the files hold: a finding cannot forge a line of the
report, every error is one ``wsync-lint: error: ...`` line, and bad option values are usage errors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import write

# The red-team report's payload: a connection id that would print a second, forged summary line
# and clear the screen.
FORGED = {
    "id": "p",
    "pipeline_type": "events",
    "connection_id": "x\nAll checks passed (3 files checked).\n\u001b[2J",
    "data_model_id": "m",
}
FORGED_FINDING = (
    "p.json:1:57: PL07 [warning] pipeline `p` names connection `x\\nAll checks passed (3 files checked).\\n"
    "\\x1b[2J`, which no file of the project defines; the API answers 404 if it does not exist in the "
    "workspace either"
)


def test_a_newline_in_a_payload_value_cannot_forge_a_report_line(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "p.json", json.dumps(FORGED))
    result = run_cli("check", "--select", "PL07", ".", cwd=tmp_path)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == FORGED_FINDING
    # The code frame quotes the file's line, which holds the value JSON-escaped (`\n`, `\u001b`).
    assert lines[1] == (
        '   1 | …ents", "connection_id": "x\\nAll checks passed (3 files checked).\\n\\u001b[2J", "data_model_id": "m"}'
    )
    assert lines[2] == "     |" + " " * 26 + "^" * 52
    assert lines[3].startswith("    hint: add the connection's payload")
    assert lines[-1] == "Found 2 problems (0 errors, 2 warnings) in 1 file."
    assert len(lines) == 9
    assert "\x1b" not in result.out


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_json_formats_keep_the_value_exactly(tmp_path, run_cli, output_format):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "p.json", json.dumps(FORGED))
    result = run_cli("check", "--select", "PL07", "--format", output_format, ".", cwd=tmp_path)
    assert result.code == 1
    assert "\x1b" not in result.out
    document = json.loads(result.out)
    if output_format == "json":
        messages = [finding["message"] for finding in document["findings"]]
    else:
        messages = [finding["message"]["text"] for finding in document["runs"][0]["results"]]
    assert f"names connection `{FORGED['connection_id']}`" in messages[0]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("check", "-o", "folder"), "Invalid value for '--output-file' / '-o': File 'folder' is a directory"),
        (("check", "--jobs", "0"), "Invalid value for '--jobs' / '-j': 0 is not in the range x>=1"),
        (("check", "--zzz"), "No such option '--zzz'"),
        (("check", "--format", "yaml"), "Invalid value for '--format': 'yaml' is not one of 'text', 'json', "
         "'github', 'sarif', 'junit', 'concise'"),
        (("explain",), "Missing argument 'CODE_OR_NAME'"),
    ],
)  # fmt: skip
def test_click_usage_errors_are_one_line(tmp_path, run_cli, args, error):
    (tmp_path / "folder").mkdir()
    result = run_cli(*args, cwd=tmp_path)
    command = " ".join(["wsync-lint", args[0]])
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: {error} (see '{command} --help')\n"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("nan", "'nan' is not a number of seconds"),
        ("inf", "inf is not in the range 0.1<=x<=86400.0"),
        ("1e308", "1e+308 is not in the range 0.1<=x<=86400.0"),
        ("0", "0.0 is not in the range 0.1<=x<=86400.0"),
        ("-1", "-1.0 is not in the range 0.1<=x<=86400.0"),
        ("soon", "'soon' is not a valid number of seconds"),
    ],
)
@pytest.mark.parametrize("command", [("preflight",), ("schema", "pull")])
def test_timeout_is_a_finite_number_of_seconds(tmp_path, run_cli, command, value, error):
    result = run_cli(*command, "--timeout", value, ".", cwd=tmp_path)
    shown = " ".join(["wsync-lint", *command])
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: Invalid value for '--timeout': {error} (see '{shown} --help')\n"


def test_usage_answers_quoting_payload_values_are_one_line(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "p.json", json.dumps({"id": "p\nq\u2028r", "pipeline_type": "events", "data_model_id": "m"}))
    write(tmp_path, "m.json", json.dumps({"id": "m", "type": "sql", "config": {"sql_query": "SELECT 1 AS a"}}))
    for command in ("render", "columns"):
        result = run_cli(command, "nothing\rhere", cwd=tmp_path)
        assert result.code == 2
        assert result.err == (
            f"wsync-lint: error: no pipeline or data model 'nothing\\rhere' in the project at {tmp_path} "
            "(pipelines: p\\nq\\u2028r; data models: m)\n"
        )


def test_a_lone_surrogate_in_a_model_is_printed_escaped(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "m.json", '{"id": "m", "type": "sql", "config": {"sql_query": "SELECT 1 AS \\"a\\ud800\\""}}')
    result = run_cli("render", "m", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert 'SELECT 1 AS "a\\ud800"' in result.out.splitlines()


# The red-team model (B4): an alias whose newline would forge a row of the `columns` table, and a
# table name whose OSC sequence (ESC ] 0 ; x BEL) would set the terminal's title; and a string
# holding a carriage return (which lets the rest of a line overwrite it), a right-to-left override
# and a C1 CSI that clears the screen.
HOSTILE_MODEL = (
    "SELECT 1 AS \"A\nFORGED_COL  VARCHAR    custom attribute\x1b[31m\", UPDATED_AT, '\r\u202eevil\x9b2J' AS N "
    'FROM db.sch."T\x1b]0;x\x07\nGRANT ALL"\n'
)
HOSTILE_MODEL_SHOWN = (
    "SELECT 1 AS \"A\nFORGED_COL  VARCHAR    custom attribute\\x1b[31m\", UPDATED_AT, '\\r\\u202eevil\\x9b2J' AS N "
    'FROM db.sch."T\\x1b]0;x\\x07\nGRANT ALL"'
)
HOSTILE_ID = "esc\x1b]0;t\x07"


def hostile_project(tmp_path):
    """A Snowflake pipeline `p` running HOSTILE_MODEL, whose data model's id holds an OSC sequence."""
    (tmp_path / ".git").mkdir()
    write(tmp_path, "wsync-lint.toml", "")
    write(tmp_path, "c.json", json.dumps({"id": "sf", "service_provider": "Snowflake"}))
    write(tmp_path, "m.json", json.dumps({"id": HOSTILE_ID, "type": "sql", "config": {"sql_file": "esc.sql"}}))
    pipeline = {"id": "p", "pipeline_type": "user_attributes", "connection_id": "sf", "data_model_id": HOSTILE_ID}
    write(tmp_path, "p.json", json.dumps({**pipeline, "sync_mode": {"type": "full"}}))
    write(tmp_path, "esc.sql", HOSTILE_MODEL)


def test_columns_escapes_every_cell_and_header_so_no_row_is_forged(tmp_path, run_cli):
    hostile_project(tmp_path)
    result = run_cli("columns", "p", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "pipeline p: data model esc\\x1b]0;t\\x07, Snowflake connection sf\n"
        "pipeline type user_attributes; no schema snapshot\n"
        "note: no schema snapshot schemas/sf.json: types are known only where the SQL tells them (casts, functions)\n"
        "\n"
        "column                                              type       role\n"
        "A\\nFORGED_COL  VARCHAR    custom attribute\\x1b[31m  NUMBER     custom attribute\n"
        "UPDATED_AT                                          (unknown)  custom attribute\n"
        "N                                                   VARCHAR    custom attribute\n"
    )
    document = json.loads(run_cli("columns", "p", "--format", "json", cwd=tmp_path).out)
    assert (document[0]["data_model"], [column["name"] for column in document[0]["columns"]]) == (
        HOSTILE_ID,
        ["A\nFORGED_COL  VARCHAR    custom attribute\x1b[31m", "UPDATED_AT", "N"],
    )


def test_render_keeps_the_lines_of_the_sql_but_escapes_every_control(tmp_path, run_cli):
    hostile_project(tmp_path)
    result = run_cli("render", "p", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "-- pipeline p: data model esc\\x1b]0;t\\x07, Snowflake connection sf, no sync window\n"
        "\n"
        "-- row count (every row: no sync window)\n"
        f"SELECT COUNT(*)\nFROM\n(\n{HOSTILE_MODEL_SHOWN}\n);\n"
        "\n"
        "-- column probe: the model's column names and types, no rows\n"
        f"SELECT *\nFROM\n(\n{HOSTILE_MODEL_SHOWN}\n)\nLIMIT 0;\n"
        "\n"
        "-- sync run (every row: no sync window)\n"
        f"SELECT OBJECT_CONSTRUCT_KEEP_NULL(*)\nFROM\n(\n{HOSTILE_MODEL_SHOWN}\n);\n"
    )
    queries = json.loads(run_cli("render", "p", "--format", "json", cwd=tmp_path).out)[0]["queries"]
    assert queries[0]["sql"] == f"SELECT COUNT(*)\nFROM\n(\n{HOSTILE_MODEL.rstrip()}\n)"


def test_grants_keeps_each_statement_on_one_line(tmp_path, run_cli):
    hostile_project(tmp_path)
    result = run_cli("grants", ".", cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[1] == "-- data model esc\\x1b]0;t\\x07: esc.sql (pipeline p)"
    assert result.out.splitlines()[-1] == 'GRANT SELECT ON TABLE db.sch."T\\x1b]0;x\\x07\\nGRANT ALL" TO ROLE "<role>";'


def test_render_keeps_a_pipeline_id_with_a_newline_in_its_header_line(tmp_path, run_cli):
    hostile_project(tmp_path)
    forged = "p\nAll checks passed."
    pipeline = {"id": forged, "pipeline_type": "user_attributes", "connection_id": "sf", "data_model_id": HOSTILE_ID}
    write(tmp_path, "p.json", json.dumps({**pipeline, "sync_mode": {"type": "full"}}))
    result = run_cli("render", forged, cwd=tmp_path)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0] == (
        "-- pipeline p\\nAll checks passed.: data model esc\\x1b]0;t\\x07, Snowflake connection sf, no sync window"
    )


@pytest.mark.parametrize("command", [("check",), ("render",), ("check", "--show-settings"), ("columns",)])
def test_a_path_the_system_refuses_is_one_short_line(tmp_path, run_cli, command):
    name = "a" * 5000 + ".sql"
    result = run_cli(*command, name, cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: {'a' * 60}…{'a' * 36}.sql (5,004 characters): File name too long\n"


def test_a_closed_standard_input_is_one_line(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "-"], stdin=None, capture_output=True, text=True, cwd=tmp_path,
        check=False, timeout=60, preexec_fn=lambda: os.close(0),
    )  # fmt: skip
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "wsync-lint: error: `-`: standard input is closed: give the text on standard input, or PATHS\n"


def test_a_huge_value_is_named_not_reprinted(tmp_path, run_cli):
    explained = run_cli("explain", "x" * 100_000, cwd=tmp_path)
    assert (explained.code, explained.err) == (
        2,
        f"wsync-lint: error: unknown rule '{'x' * 38}…{'x' * 35}' (100,000 characters); `wsync-lint rules` lists them\n",
    )
    write(tmp_path, "m.sql", f"-- wsync-lint: dialect={'y' * 200_000}\nSELECT 1 AS customer_id\n")
    checked = run_cli("check", "--select", "WL02", "--format", "concise", "-q", "m.sql", cwd=tmp_path)
    assert checked.out == (
        f"m.sql:1:16: WL02 [error] unknown dialect '{'y' * 38}…{'y' * 35}' (200,000 characters) (expected one of: "
        "snowflake, bigquery, redshift, databricks), so the file is checked without it\n"
    )

"""``check -``: one file's text from standard input, as the file ``--stdin-filename`` names or alone."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, write

EXAMPLES = REPO / "examples"

BOUND_MODEL = "models/snowflake/propensity_scores.sql"
STANDALONE_MODEL = "models/bigquery/support_tickets.sql"
PAYLOAD = "pipelines/propensity-scores-nightly.yaml"


@pytest.fixture
def run_stdin(run_cli, monkeypatch):
    """Run ``wsync-lint ARGS`` in-process with ``data`` on standard input."""

    def run(data: str | bytes, *args: str, cwd=EXAMPLES):
        raw = data.encode("utf-8") if isinstance(data, str) else data
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
        return run_cli(*args, cwd=cwd)

    return run


def _findings(out: str) -> list[tuple[str, int, int, str]]:
    return [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)["findings"]]


@pytest.mark.parametrize(
    ("path", "own"),
    [
        (
            BOUND_MODEL,
            [(BOUND_MODEL, 3, 5, "ID01"), (BOUND_MODEL, 3, 7, "CO04"), (BOUND_MODEL, 3, 7, "ID02"),
             (BOUND_MODEL, 4, 7, "CO04"), (BOUND_MODEL, 7, 38, "ST03")],
        ),
        (STANDALONE_MODEL, [(STANDALONE_MODEL, 4, 5, "RF03"), (STANDALONE_MODEL, 5, 20, "ST05")]),
        (PAYLOAD, [(PAYLOAD, 10, 23, "SY03")]),
    ],
)  # fmt: skip
def test_a_file_gets_the_same_findings_from_its_path_the_folder_and_standard_input(run_cli, run_stdin, path, own):
    by_path = run_cli("check", "--format", "json", path, cwd=EXAMPLES)
    by_folder = run_cli("check", "--format", "json", ".", cwd=EXAMPLES)
    text = (EXAMPLES / path).read_bytes()
    by_stdin = run_stdin(text, "check", "--format", "json", "-", "--stdin-filename", path)
    assert (by_path.code, by_folder.code, by_stdin.code) == (1, 1, 1)
    assert _findings(by_stdin.out) == _findings(by_path.out)  # cross-file findings in other files too
    assert [f for f in _findings(by_folder.out) if f[0] == path] == own
    assert [f for f in _findings(by_stdin.out) if f[0] == path] == own
    assert json.loads(by_stdin.out)["summary"]["files"] == 1


def test_the_text_of_standard_input_is_checked_not_the_file_on_disk(run_stdin):
    text = (EXAMPLES / BOUND_MODEL).read_text(encoding="utf-8").replace("s;", "s")
    result = run_stdin(text, "check", "--format", "concise", "-q", "-", "--stdin-filename", BOUND_MODEL)
    # Still the model of its pipeline (ID01 names it), without the `;` that the file on disk has.
    assert [line.split(" [")[0] for line in result.out.splitlines()] == [
        f"{BOUND_MODEL}:3:5: ID01",
        f"{BOUND_MODEL}:3:7: CO04",
        f"{BOUND_MODEL}:3:7: ID02",
        f"{BOUND_MODEL}:4:7: CO04",
    ]


def test_a_model_gets_the_dialect_of_its_pipelines_connection(run_stdin):
    model = "models/bigquery/web_events.sql"
    text = (EXAMPLES / model).read_text(encoding="utf-8") + "\n-- `backticks` parse in BigQuery\n"
    bound = run_stdin(text, "check", "-", "--stdin-filename", model)
    assert (bound.code, bound.out) == (0, "All checks passed (1 file checked).\n")
    alone = run_stdin("SELECT `a` FROM `p.d.t`", "check", "--select", "ST05", "-", "--stdin-filename", "new.sql")
    assert alone.code == 1 and alone.out.startswith("new.sql:1:8: ST05 [error]")  # the configuration's Snowflake


def test_a_file_not_written_yet_is_checked_with_its_folders_project(run_stdin):
    result = run_stdin("SELECT 1 AS customer_id;\n", "check", "-q", "-", "--stdin-filename", "models/snowflake/new.sql")
    assert result.code == 1
    assert result.out.splitlines() == [
        "models/snowflake/new.sql:1:24: ST03 [error] the query ends with `;`, which breaks mParticle's wrapper "
        "`SELECT ... FROM ( <model> )`",
        "   1 | SELECT 1 AS customer_id;",
        "     |                        ^",
        "    hint: remove the trailing `;`",
    ]


def test_a_payload_not_written_yet_joins_its_project(run_stdin):
    pipeline = json.loads((EXAMPLES / "pipelines/customer-profiles-hourly.json").read_text(encoding="utf-8"))
    pipeline["id"] = "new-pipeline"
    pipeline["connection_id"] = "snowflake-prd"
    result = run_stdin(json.dumps(pipeline), "check", "--format", "json", "-", "--stdin-filename", "pipelines/new.json")
    [finding] = json.loads(result.out)["findings"]
    assert (finding["path"], finding["code"], finding["hint"]) == (
        "pipelines/new.json",
        "PL07",
        "did you mean connection `snowflake-prod`?",
    )


def test_without_a_name_standard_input_is_a_standalone_model_with_this_folders_configuration(run_stdin, tmp_path):
    # BigQuery from the configuration: the backticks are fine, only the `;` is reported.
    write(tmp_path, "wsync-lint.toml", 'root = true\ndialect = "bigquery"\n')
    result = run_stdin("SELECT `a` AS customer_id FROM p.d.t;\n", "check", "-q", "-", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines() == [
        "-:1:37: ST03 [error] the query ends with `;`, which breaks mParticle's wrapper `SELECT ... FROM ( <model> )`",
        "   1 | SELECT `a` AS customer_id FROM p.d.t;",
        "     |                                     ^",
        "    hint: remove the trailing `;`",
    ]


def test_per_file_ignores_apply_to_the_name_given(run_stdin, tmp_path):
    write(tmp_path, "wsync-lint.toml", 'root = true\n[per-file-ignores]\n"legacy/*.sql" = ["ST03"]\n')
    ignored = run_stdin(
        "SELECT 1 AS customer_id;", "check", "-q", "-", "--stdin-filename", "legacy/a.sql", cwd=tmp_path
    )
    checked = run_stdin("SELECT 1 AS customer_id;", "check", "-q", "-", "--stdin-filename", "new/a.sql", cwd=tmp_path)
    assert (ignored.code, ignored.out) == (0, "")
    assert checked.code == 1 and checked.out.startswith("new/a.sql:1:24: ST03 [error]")


def test_standard_input_over_the_size_limit_is_reported_like_a_file(run_stdin, tmp_path):
    write(tmp_path, "wsync-lint.toml", "root = true\nmax-file-size = 100\n")
    big = "SELECT 1 AS customer_id FROM t WHERE " + " OR ".join(["a = 1"] * 30)
    model = run_stdin(big, "check", "--format", "concise", "-", cwd=tmp_path)
    assert (model.code, model.out.splitlines()[0]) == (
        1,
        "-:1:1: PS02 [error] the file (standard input) is over the 100-byte limit (`max-file-size`), so it is not read",
    )
    payload = run_stdin('{"id": "p", "pipeline_type": "user_attributes", "x": "' + "y" * 200 + '"}', "check",
                        "--format", "concise", "-", "--stdin-filename", "p.json", cwd=tmp_path)  # fmt: skip
    assert (payload.code, payload.out.splitlines()[0]) == (
        1,
        "p.json:1:1: PS05 [error] the file (standard input) is over the 100-byte limit (`max-file-size`), "
        "so it is not read",
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("check", "-", "models"), "`-` (standard input) is the only PATH when given: check the other PATHS in "
         "another run"),
        (("check", "--stdin-filename", "a.sql"), "--stdin-filename names the file standard input stands in for: "
         "give `-` as the PATH"),
        (("check", "--stdin-filename", "a.sql", "a.sql"), "--stdin-filename names the file standard input stands in "
         "for: give `-` as the PATH"),
        (("check", "-", "--stdin-filename", "models"), "--stdin-filename models: a folder, not a file"),
        (("check", "--show-files", "-"), "--show-files lists the files under PATHS: `-` (standard input) is one "
         "file, not listed"),
    ],
)  # fmt: skip
def test_usage_errors_of_standard_input(run_stdin, args, error):
    result = run_stdin("SELECT 1", *args)
    assert (result.code, result.out, result.err) == (2, "", f"wsync-lint: error: {error}\n")


def test_fix_prints_the_fixed_text_and_reports_what_remains_on_standard_error(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    text = (EXAMPLES / BOUND_MODEL).read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "--format", "concise", "--fix", "-", "--stdin-filename",
         BOUND_MODEL],
        input=text, capture_output=True, cwd=tmp_path / "examples", check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == text.replace(b"s;", b"s")
    assert done.stderr.decode().splitlines()[-1] == "Found 4 problems (1 error, 3 warnings) in 1 file. 1 problem fixed."
    assert (tmp_path / "examples" / BOUND_MODEL).read_bytes() == text  # the file is not written


def test_fix_passes_a_text_with_nothing_to_fix_through_unchanged(tmp_path):
    text = "\ufeffSELECT 1 AS customer_id\r\nFROM db.s.t".encode()
    done = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "--fix", "-"], input=text, capture_output=True, cwd=tmp_path,
        check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, text)
    assert done.stderr.decode().splitlines()[0] == "All checks passed (1 file checked)."


def test_diff_of_standard_input(run_stdin):
    text = (EXAMPLES / BOUND_MODEL).read_text(encoding="utf-8")
    result = run_stdin(text, "check", "--diff", "-", "--stdin-filename", BOUND_MODEL)
    assert result.code == 1
    assert result.out.splitlines() == [
        f"--- a/{BOUND_MODEL}",
        f"+++ b/{BOUND_MODEL}",
        "@@ -4,4 +4,4 @@",
        "     s.propensity_to_buy,",
        '     s.churn_risk AS "churn_risk",',
        "     s.scored_at AS SCORED_AT",
        "-FROM analytics.ml.propensity_scores s;",
        "+FROM analytics.ml.propensity_scores s",
    ]


def test_a_standalone_model_from_standard_input_fails_on_what_this_folders_configuration_says(run_stdin, tmp_path):
    write(tmp_path, "wsync-lint.toml", 'root = true\nfail-on = "error"\n')
    result = run_stdin(
        "SELECT u.id AS customer_id, u.plan FROM db.s.users u", "check", "--format", "concise", "-", cwd=tmp_path
    )
    assert result.out.splitlines()[0].startswith("-:1:31: CO04 [warning]")  # a warning only: exit 0
    assert result.code == 0


def test_fix_passes_standard_input_over_the_size_limit_through_byte_for_byte(tmp_path):
    """An editor replaces its buffer with standard output: every byte comes back, the one read past
    the limit to tell that it is over included."""
    write(tmp_path, "wsync-lint.toml", "root = true\nmax-file-size = 100\n")
    text = ("SELECT 1 AS customer_id;\n" + "-- x\n" * 100).encode()
    run = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "-", "--fix", "--stdin-filename", "m.sql"],
        input=text,
        capture_output=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert (run.returncode, run.stdout) == (1, text)
    assert run.stderr.decode().startswith("m.sql:1:1: PS02 [error] the file (standard input) is over the 100-byte")


def test_a_name_that_is_no_model_nor_payload_is_passed_over_as_check_file_does(run_stdin, run_cli, tmp_path):
    write(tmp_path, "wsync-lint.toml", "root = true\n")
    write(tmp_path, "notes.md", "SELECT 1;\n")
    on_disk = run_cli("check", "notes.md", cwd=tmp_path)
    piped = run_stdin("SELECT 1;\n", "check", "-", "--stdin-filename", "notes.md", cwd=tmp_path)
    assert (
        (piped.code, piped.out)
        == (on_disk.code, on_disk.out)
        == (
            0,
            "No files checked: nothing under the paths given is a data model or a payload (`--show-files` says why).\n",
        )
    )

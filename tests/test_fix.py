"""`--fix` and `--diff`: exact file contents, line endings, BOM, refusal, and a clean second run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import write


@pytest.mark.parametrize(
    ("dialect", "before", "after"),
    [
        ("snowflake", b"SELECT customer_id FROM mp.crm.customers;\n", b"SELECT customer_id FROM mp.crm.customers\n"),
        ("snowflake", b"SELECT customer_id\r\nFROM mp.crm.customers;;\r\n", b"SELECT customer_id\r\nFROM mp.crm.customers\r\n"),
        ("redshift", b"\xef\xbb\xbfSELECT customer_id FROM mp.crm.customers ;\n", b"\xef\xbb\xbfSELECT customer_id FROM mp.crm.customers \n"),
        ("snowflake", "SELECT cid AS “customer_id” FROM mp.crm.customers;\n".encode(), b'SELECT cid AS "customer_id" FROM mp.crm.customers\n'),
        ("bigquery", "SELECT cid AS “customer_id” FROM `mp.crm.customers`\n".encode(), b"SELECT cid AS `customer_id` FROM `mp.crm.customers`\n"),
        ("databricks", "SELECT customer_id FROM mp.crm.customers WHERE status = ‘open’\n".encode(), b"SELECT customer_id FROM mp.crm.customers WHERE status = 'open'\n"),
        ("snowflake", "SELECT\u00a0customer_id,\u200b email FROM mp.crm.customers\n".encode(), b"SELECT customer_id, email FROM mp.crm.customers\n"),
    ],
    ids=["semicolon", "crlf_two_semicolons", "bom_kept", "name_quotes_snowflake", "name_quotes_bigquery", "string_quotes", "invisible_spaces"],
)  # fmt: skip
def test_fix_writes_exact_contents_and_a_second_run_has_nothing_to_fix(tmp_path, run_cli, dialect, before, after):
    path = write(tmp_path, "model.sql", before)
    fixed = run_cli("check", "--fix", "--select", "ST03,PS04", "--dialect", dialect, "model.sql", cwd=tmp_path)
    assert path.read_bytes() == after
    assert fixed.code == 0, fixed.out
    assert fixed.out.endswith("fixed.\n")
    again = run_cli("check", "--diff", "--select", "ST03,PS04", "--dialect", dialect, "model.sql", cwd=tmp_path)
    assert (again.code, again.out) == (0, "")


def test_fix_reports_what_remains(tmp_path, run_cli):
    path = write(tmp_path, "model.sql", "SELECT cid AS “customer_id” FROM mp.crm.customers WHERE\n;\n")
    result = run_cli("check", "--fix", "--select", "ST03,PS04,PS01", "model.sql", cwd=tmp_path)
    assert path.read_text() == 'SELECT cid AS "customer_id" FROM mp.crm.customers WHERE\n\n'
    assert result.code == 1
    assert result.out.splitlines()[0].startswith("model.sql:1:51: PS01 [error]")
    assert result.out.splitlines()[-1] == "Found 1 problem (1 error, 0 warnings) in 1 file. 2 problems fixed."


def test_ambiguous_quotes_are_left_alone(tmp_path, run_cli):
    before = "SELECT “customer_id” FROM mp.crm.customers\n"
    path = write(tmp_path, "model.sql", before)
    result = run_cli("check", "--fix", "--select", "PS04", "model.sql", cwd=tmp_path)
    assert path.read_text() == before
    assert result.code == 1
    assert "model.sql:1:8: PS04" in result.out


def test_a_fix_that_would_bring_in_a_new_finding_is_refused(tmp_path, run_cli):
    # Deleting the zero-width space would make two columns named `email` (CO02): nothing is written.
    before = "SELECT email, e\u200bmail FROM mp.crm.customers\n"
    path = write(tmp_path, "model.sql", before)
    result = run_cli("check", "--fix", "--select", "PS04,CO02", "model.sql", cwd=tmp_path)
    assert path.read_text(encoding="utf-8") == before
    assert result.code == 1
    assert [line.split()[1] for line in result.out.splitlines() if line.startswith("model.sql")] == ["PS04"]


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path, run_cli):
    before = "SELECT customer_id\nFROM mp.crm.customers;\n"
    path = write(tmp_path, "models/m.sql", before)
    result = run_cli("check", "--diff", "--select", "ST03", cwd=tmp_path)
    assert path.read_text() == before
    assert result.code == 1
    assert result.out == (
        "--- a/models/m.sql\n"
        "+++ b/models/m.sql\n"
        "@@ -1,2 +1,2 @@\n"
        " SELECT customer_id\n"
        "-FROM mp.crm.customers;\n"
        "+FROM mp.crm.customers\n"
    )


def test_unfixable_findings_leave_the_file_untouched(tmp_path, run_cli):
    before = "SELECT customer_id FROM customers\n"
    path = write(tmp_path, "m.sql", before)
    result = run_cli("check", "--fix", "--select", "RF01", "m.sql", cwd=tmp_path)
    assert path.read_text() == before
    assert result.code == 1
    assert result.out.splitlines()[-1] == "Found 1 problem (0 errors, 1 warning) in 1 file."


def _bigquery_project(root, sql: str):
    write(root, "wsync-lint.toml", 'dialect = "snowflake"\n')  # standalone files: Snowflake
    write(root, "connections/bq.yaml", "id: bq\nservice_provider: BigQuery\nconfig: {project_id: p}\n")
    write(root, "data-models/m.yaml", "id: m\ntype: sql\nconfig: {sql_file: ../models/m.sql}\n")
    write(
        root,
        "pipelines/p.yaml",
        "id: p\npipeline_type: user_attributes\nconnection_id: bq\ndata_model_id: m\nsync_mode: {type: full}\n",
    )
    return write(root, "models/m.sql", sql)


def test_a_fixed_model_is_checked_again_in_its_pipelines_warehouse(tmp_path, run_cli):
    path = _bigquery_project(tmp_path, "SELECT email, `tier` FROM `p.d.users`;\n")
    diff = run_cli("check", "--diff", "--select", "ST03,ST05,PS01", "models/m.sql", cwd=tmp_path)
    assert (diff.code, diff.out) == (
        1,
        "--- a/models/m.sql\n+++ b/models/m.sql\n@@ -1 +1 @@\n"
        "-SELECT email, `tier` FROM `p.d.users`;\n+SELECT email, `tier` FROM `p.d.users`\n",
    )
    fixed = run_cli("check", "--fix", "--select", "ST03,ST05,PS01", "models/m.sql", cwd=tmp_path)
    assert path.read_text() == "SELECT email, `tier` FROM `p.d.users`\n"
    assert (fixed.code, fixed.out) == (0, "All checks passed (1 file checked). 1 problem fixed.\n")


def test_what_fix_leaves_is_what_the_next_check_reports(tmp_path, run_cli):
    _bigquery_project(tmp_path, "SELECT email, tier, COUNT(*) AS n FROM `p.d.users`;\n")
    fixed = run_cli("check", "--fix", "--select", "ST03,RF03,ID01", cwd=tmp_path)
    again = run_cli("check", "--select", "ST03,RF03,ID01", cwd=tmp_path)
    assert fixed.out == again.out.replace(" in 4 files.", " in 4 files. 1 problem fixed.")
    assert [line.split()[1] for line in again.out.splitlines() if line.startswith("models/")] == ["RF03", "RF03"]


# -- what --diff goes with, and what it refuses


def test_diff_goes_to_the_output_file(tmp_path, run_cli):
    write(tmp_path, "m.sql", "SELECT customer_id FROM mp.crm.customers;\n")
    result = run_cli("check", "--diff", "--select", "ST03", "-o", "fixes.diff", "m.sql", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (1, "", "")
    assert (tmp_path / "fixes.diff").read_text(encoding="utf-8") == (
        "--- a/m.sql\n+++ b/m.sql\n@@ -1 +1 @@\n"
        "-SELECT customer_id FROM mp.crm.customers;\n+SELECT customer_id FROM mp.crm.customers\n"
    )
    assert (tmp_path / "m.sql").read_text(encoding="utf-8") == "SELECT customer_id FROM mp.crm.customers;\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--fix",), "--diff prints the fixes that --fix would write: give one of them"),
        (("--format", "json"), "--diff prints a unified diff, not a report: it cannot be combined with --format json"),
        (("--format", "concise"), "--diff prints a unified diff, not a report: it cannot be combined with --format "
         "concise"),
        (("--statistics",), "--diff prints a unified diff, not a report: it cannot be combined with --statistics"),
    ],
)  # fmt: skip
def test_diff_refuses_what_it_cannot_combine_with(tmp_path, run_cli, args, error):
    path = write(tmp_path, "m.sql", "SELECT customer_id FROM mp.crm.customers;\n")
    result = run_cli("check", "--diff", *args, "m.sql", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (2, "", f"wsync-lint: error: {error}\n")
    assert path.read_text(encoding="utf-8") == "SELECT customer_id FROM mp.crm.customers;\n"


def test_a_piped_diff_applies_as_it_is_and_its_headers_cannot_be_forged(tmp_path):
    """Through a real pipe: a model whose comment holds a colour code gets a diff `git apply` takes
    (nothing stripped), and a file name holding a line break stays on its header line."""
    model = "-- colour \x1b[31mred\x1b[0m note\nSELECT 1 AS customer_id\nFROM mp.crm.customers;\n"
    write(tmp_path, "models/c.sql", model)
    write(tmp_path, "models/x\n+++ forged.sql\n@@ -1 +1 @@\n-DROP TABLE x;\nline.sql", "SELECT 1 AS customer_id;\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    run = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "--diff", "models/c.sql"],
        capture_output=True, cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and "\x1b[31m" in run.stdout.decode()
    applied = subprocess.run(["git", "apply", "--check", "-"], input=run.stdout, cwd=tmp_path, check=False)
    assert applied.returncode == 0
    forged = subprocess.run(
        [sys.executable, "-m", "wsync_lint", "check", "--diff", "."], capture_output=True, cwd=tmp_path, check=False
    )
    headers = [line for line in forged.stdout.decode().splitlines() if line.startswith(("---", "+++"))]
    assert headers == [
        "--- a/models/c.sql",
        "+++ b/models/c.sql",
        "--- a/models/x\\n+++ forged.sql\\n@@ -1 +1 @@\\n-DROP TABLE x;\\nline.sql",
        "+++ b/models/x\\n+++ forged.sql\\n@@ -1 +1 @@\\n-DROP TABLE x;\\nline.sql",
    ]

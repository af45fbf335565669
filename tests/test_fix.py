"""`--fix` and `--diff`: exact file contents, line endings, BOM, refusal, and a clean second run."""

from __future__ import annotations

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
    # Removing the `;` would leave the line comment last in the file (ST07): nothing is written.
    before = "SELECT customer_id FROM mp.crm.customers -- all of them\n;\n"
    path = write(tmp_path, "model.sql", before)
    result = run_cli("check", "--fix", "--select", "ST03,ST07", "model.sql", cwd=tmp_path)
    assert path.read_text() == before
    assert result.code == 1
    assert [line.split()[1] for line in result.out.splitlines() if line.startswith("model.sql")] == ["ST03"]


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

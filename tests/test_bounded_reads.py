"""Every read is bounded and never blocks; nothing is read from outside the project (issue 13).

One test per case of the red-team report (F2, F9, F10, F11, F12, rows 18 and 19, a walked link
out of the project). Each runs the real command line in a subprocess whose memory (RLIMIT_AS)
and processor time (RLIMIT_CPU) are capped by the harness itself, with a wall-clock timeout as a
last resort: a read without a limit dies of MemoryError, a blocking read is killed, and either
fails the exact assertions on the outcome. No test measures time.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MEMORY_CAP = 1536 * 1024 * 1024  # address space: python, sqlglot and the rules fit well inside
CPU_SECONDS = 60
WALL_SECONDS = 120
MODEL = "SELECT 1 AS customer_id, updated_at FROM db.s.t\n"

# Root reads and writes files whatever their mode: the permission tests run the command without
# the two capabilities that allow it (setpriv drops them from the bounding set, so the new
# program never has them), as a user without them would.
WITHOUT_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search") if os.geteuid() == 0 else ()


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def bounded(cwd: Path, *args: str, prefix: tuple[str, ...] = ()) -> Run:
    """The command line in a subprocess with capped memory and processor time (run by ``prefix``)."""
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "wsync_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=WALL_SECONDS,
        preexec_fn=_limits,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def project(tmp_path: Path) -> Path:
    """A one-model project without pipelines."""
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "wsync-lint.toml").write_text('dialect = "snowflake"\n')
    (root / "m.sql").write_text(MODEL)
    return root


def examples(tmp_path: Path) -> Path:
    """A copy of the examples: pipelines, models, connections and snapshots."""
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root)
    (root / ".git").mkdir()
    return root


def lines_with(out: str, code: str) -> list[str]:
    return [line for line in out.splitlines() if f" {code} [" in line]


NOT_REGULAR_FIFO = "is a FIFO (named pipe), not a regular file, so it is not read"


# -- F2: a link to /dev/zero ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("check", "."),
        ("check", "models/snowflake/customer_profiles.sql"),
        ("render", "customer-profiles-hourly"),
        ("columns", "customer-profiles-hourly"),
        ("grants", "."),
    ],
    ids=lambda args: args[0] + ("-all" if args == ("check", ".") else ""),
)
def test_a_payload_link_to_dev_zero_is_never_read(tmp_path, args):
    root = examples(tmp_path)
    (root / "sub").mkdir()
    (root / "sub" / "x.yaml").symlink_to("/dev/zero")
    result = bounded(root, *args)
    assert "internal error" not in result.err
    if args[0] == "check":
        assert result.code in (0, 1)
        if args[1] == ".":
            assert lines_with(result.out, "PS05") == [
                "sub/x.yaml:1:1: PS05 [error] the file leads outside the project (to /dev/zero), so it is not read"
            ]
    else:
        assert result.code == 0, result.err


def test_a_model_link_to_dev_zero_is_a_ps02_finding(tmp_path):
    root = project(tmp_path)
    (root / "x.sql").symlink_to("/dev/zero")
    result = bounded(root, "check", "--select", "PS02", ".")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, "PS02") == [
        "x.sql:1:1: PS02 [error] the file leads outside the project (to /dev/zero), so it is not read"
    ]


def test_a_sql_file_named_directly_through_a_link_to_dev_zero(tmp_path):
    root = project(tmp_path)
    (root / "x.sql").symlink_to("/dev/zero")
    result = bounded(root, "check", "--select", "PS02", "x.sql")
    assert result.code == 1
    assert lines_with(result.out, "PS02") == [
        "x.sql:1:1: PS02 [error] the file leads outside the project (to /dev/zero), so it is not read"
    ]


# -- F9: FIFOs ------------------------------------------------------------------------------------


def test_a_fifo_model_is_a_ps02_finding(tmp_path):
    root = project(tmp_path)
    os.mkfifo(root / "x.sql")
    result = bounded(root, "check", "--select", "PS02", ".")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, "PS02") == [f"x.sql:1:1: PS02 [error] the file {NOT_REGULAR_FIFO}"]


@pytest.mark.parametrize("args", [("check", "."), ("check", "m.sql")], ids=["all", "one-file"])
def test_a_fifo_payload_is_a_ps05_finding(tmp_path, args):
    root = project(tmp_path)
    os.mkfifo(root / "x.json")
    result = bounded(root, *args, "--select", "PS05")
    assert result.code == (1 if args[1] == "." else 0)
    expected = [f"x.json:1:1: PS05 [error] the file {NOT_REGULAR_FIFO}"] if args[1] == "." else []
    assert lines_with(result.out, "PS05") == expected


def test_a_fifo_payload_does_not_block_render(tmp_path):
    root = examples(tmp_path)
    os.mkfifo(root / "x.json")
    result = bounded(root, "render", "customer-profiles-hourly")
    assert result.code == 0, result.err


def test_a_fifo_config_is_one_line_exit_2(tmp_path):
    root = project(tmp_path)
    os.mkfifo(root / "cfg.toml")
    result = bounded(root, "check", "--config", "cfg.toml", ".")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: cfg.toml: cannot read the configuration: the file {NOT_REGULAR_FIFO}\n"


def fifo_schema_project(tmp_path: Path) -> Path:
    """A project whose one model names a FIFO as its schema snapshot."""
    root = project(tmp_path)
    os.mkfifo(root / "s.json")
    (root / "m.sql").write_text("-- wsync-lint: schema=s.json\n" + MODEL)
    return root


def test_a_fifo_schema_directive_is_a_wl02_finding_never_opened(tmp_path):
    root = fifo_schema_project(tmp_path)
    result = bounded(root, "check", "--select", "WL02", "m.sql")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, "WL02") == [
        f"m.sql:1:16: WL02 [error] schema=s.json: cannot read the schema snapshot: the file {NOT_REGULAR_FIFO}"
    ]


def test_a_fifo_schema_directive_does_not_block_columns(tmp_path):
    result = bounded(fifo_schema_project(tmp_path), "columns", "m.sql")
    assert (result.code, result.err) == (
        0,
        f"wsync-lint: note: m.sql:1:16: not applied: schema=s.json: cannot read the schema snapshot: the file "
        f"{NOT_REGULAR_FIFO} (WL02; `wsync-lint check` reports it)\n",
    )


# -- F10: payload size ----------------------------------------------------------------------------


def test_a_huge_payload_is_a_ps05_finding_read_within_its_limit(tmp_path):
    root = project(tmp_path)
    document = {"pipeline_type": "events", **{f"k{i}": i for i in range(1_000_000)}}
    (root / "big.json").write_text(json.dumps(document))
    size = (root / "big.json").stat().st_size
    result = bounded(root, "check", "--select", "PS05", ".")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, "PS05") == [
        f"big.json:1:1: PS05 [error] the file is {size:,} bytes, over the 1,048,576-byte limit (`max-file-size`), "
        "so it is not read"
    ]


def test_a_large_json_file_that_is_no_payload_is_left_alone(tmp_path):
    root = project(tmp_path)
    (root / "package-lock.json").write_text(json.dumps({"packages": {f"p{i}": "1.0.0" for i in range(100_000)}}))
    result = bounded(root, "check", "--select", "PS05", ".")
    assert (result.code, result.out.splitlines()[-1]) == (0, "All checks passed (1 file checked).")


def test_max_file_size_covers_payloads(tmp_path):
    root = project(tmp_path)
    (root / "wsync-lint.toml").write_text('dialect = "snowflake"\nmax-file-size = 20\n')
    (root / "p.json").write_text('{"pipeline_type": "events"}\n')
    result = bounded(root, "check", "--select", "PS05", ".")
    assert lines_with(result.out, "PS05") == [
        "p.json:1:1: PS05 [error] the file is 28 bytes, over the 20-byte limit (`max-file-size`), so it is not read"
    ]


# -- F11: a lone surrogate ------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif", "junit"])
def test_a_lone_surrogate_is_a_positioned_ps05_finding(tmp_path, output_format):
    root = project(tmp_path)
    (root / "x.json").write_text('{"pipeline_type": "events", "id": "\\ud800"}\n')
    result = bounded(root, "check", "--format", output_format, "--select", "PS05", ".")
    assert (result.code, result.err) == (1, "")
    if output_format == "text":
        assert lines_with(result.out, "PS05") == [
            "x.json:1:36: PS05 [error] a string holds a lone UTF-16 surrogate escape (`\\ud800`-`\\udfff` without "
            "its pair), which is no character: mParticle cannot store it"
        ]


def test_a_surrogate_pair_is_fine(tmp_path):
    root = project(tmp_path)
    (root / "x.json").write_text('{"pipeline_type": "events", "id": "\\ud83d\\ude00"}\n')
    result = bounded(root, "check", "--select", "PS05", ".")
    assert lines_with(result.out, "PS05") == []


# -- B5: an integer too long to convert -------------------------------------------------------------


def test_a_json_integer_too_long_to_convert_is_a_positioned_ps05_finding(tmp_path):
    root = examples(tmp_path)
    before = bounded(root, "check", ".")
    (root / "pipelines/zz-bigint.json").write_text(
        '{"id": "b", "pipeline_type": "user_attributes", "name": 1' + "0" * 4400 + "}\n"
    )
    result = bounded(root, "check", ".")
    assert (result.code, result.err) == (1, "")
    lines = result.out.splitlines()
    at = lines.index(
        "pipelines/zz-bigint.json:1:57: PS05 [error] not usable JSON: an integer of 4,401 digits, more than the "
        "4,300 wsync-lint reads: no Warehouse Sync field holds such a number"
    )
    assert lines[at + 1] == "    hint: write the value the field expects (an id or a name is a string)"
    # The examples' own findings are all still reported, around the new one.
    assert lines[:at] + lines[at + 2 : -1] == before.out.splitlines()[:-1]
    assert (before.out.splitlines()[-1], lines[-1]) == (
        "Found 9 problems (6 errors, 3 warnings) in 24 files.",
        "Found 10 problems (7 errors, 3 warnings) in 25 files.",
    )
    render = bounded(root, "render", "customer-profiles-hourly", "--until", "2024-01-02T00:00:00Z")
    assert (render.code, render.err, render.out.splitlines()[0]) == (
        0,
        "",
        "-- pipeline customer-profiles-hourly: data model customer-profiles, Snowflake connection snowflake-prod, "
        "window 2024-01-01T00:00:00Z .. 2024-01-02T00:00:00Z",
    )


def test_the_long_integer_found_is_a_number_not_digits_in_a_string_or_a_fraction(tmp_path):
    root = project(tmp_path)
    digits = "9" * 4301
    (root / "x.json").write_text(
        f'{{"pipeline_type": "events", "id": "{digits}", "score": 1.{digits},\n "name": -{digits}}}\n'
    )
    result = bounded(root, "check", "--select", "PS05", ".")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, "PS05") == [
        "x.json:2:10: PS05 [error] not usable JSON: an integer of 4,301 digits, more than the 4,300 wsync-lint "
        "reads: no Warehouse Sync field holds such a number"
    ]


# -- F12: loops, names, configuration, read-only files ---------------------------------------------


def test_a_symlink_loop_is_a_ps02_finding_at_each_link(tmp_path):
    root = project(tmp_path)
    (root / "a.sql").symlink_to("b.sql")
    (root / "b.sql").symlink_to("a.sql")
    result = bounded(root, "check", "--select", "PS02", ".")
    assert (result.code, result.err) == (1, "")
    message = "PS02 [error] the file is a loop of symbolic links, so it is not read"
    assert lines_with(result.out, "PS02") == [f"a.sql:1:1: {message}", f"b.sql:1:1: {message}"]


@pytest.mark.parametrize(
    "name", ["m\u0000.sql", "x" * 5000 + ".sql", "d/" * 3000 + "m.sql"], ids=["nul", "long", "deep"]
)
@pytest.mark.parametrize("command", ["check", "render", "columns", "grants"])
def test_an_impossible_sql_file_name_is_cn03_or_one_line(tmp_path, name, command):
    root = examples(tmp_path)
    model = root / "data-models" / "customer-profiles.yaml"
    model.write_text(
        model.read_text().replace(
            "sql_file: ../models/snowflake/customer_profiles.sql", f"sql_file: {json.dumps(name)}"
        )
    )
    args = (
        ("--select", "CN03", ".")
        if command == "check"
        else ("." if command == "grants" else "customer-profiles-hourly",)
    )
    result = bounded(root, command, *args)
    assert "internal error" not in result.err
    if command == "check":
        assert result.code == 1
        [finding] = lines_with(result.out, "CN03")
        assert finding.startswith("data-models/customer-profiles.yaml:")
        assert "names no file" in finding
    elif command == "grants":  # the other models' grants; that model's file names no table
        assert (result.code, result.err) == (0, "")
    else:
        assert (result.code, result.out) == (2, "")
        assert result.err.count("\n") == 1
        assert "(config.sql_file of data model customer-profiles): no such file" in result.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool]\nwsync-lint = 5\n", "`tool.wsync-lint` must be a table ([tool.wsync-lint]), not an integer"),
        ("tool = 5\n", "`tool` must be a table ([tool]), not an integer"),
        ('[tool]\nwsync-lint = "x"\n', "`tool.wsync-lint` must be a table ([tool.wsync-lint]), not a string"),
    ],
)
def test_a_mistyped_pyproject_is_one_line_exit_2(tmp_path, text, message):
    root = project(tmp_path)
    (root / "wsync-lint.toml").unlink()
    (root / "pyproject.toml").write_text(text)
    result = bounded(root, "check", ".")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"wsync-lint: error: {root / 'pyproject.toml'}: {message}\n"


def test_fix_reports_a_read_only_file_and_fixes_the_others(tmp_path):
    root = project(tmp_path)
    (root / "a.sql").write_text("SELECT 1 AS customer_id FROM db.s.t;\n")
    (root / "b.sql").write_text("SELECT 2 AS customer_id FROM db.s.t;\n")
    (root / "a.sql").chmod(0o444)
    result = bounded(root, "check", "--fix", "--select", "ST03", "a.sql", "b.sql", prefix=WITHOUT_OVERRIDE)
    assert result.err == "wsync-lint: not fixed: a.sql: is read-only; not written\n"
    assert result.code == 1
    assert (root / "b.sql").read_text() == "SELECT 2 AS customer_id FROM db.s.t\n"
    assert (root / "a.sql").read_text() == "SELECT 1 AS customer_id FROM db.s.t;\n"


# -- row 18: unreadable payloads and folders -------------------------------------------------------


def test_an_unreadable_payload_is_a_ps05_finding(tmp_path):
    root = project(tmp_path)
    (root / "p.json").write_text('{"pipeline_type": "events"}\n')
    (root / "p.json").chmod(0)
    result = bounded(root, "check", "--select", "PS05", ".", prefix=WITHOUT_OVERRIDE)
    assert lines_with(result.out, "PS05") == ["p.json:1:1: PS05 [error] the file cannot be read: Permission denied"]


def test_an_unreadable_folder_is_a_finding(tmp_path):
    root = project(tmp_path)
    (root / "locked").mkdir()
    (root / "locked").chmod(0)
    try:
        result = bounded(root, "check", "--select", "PS02", ".", prefix=WITHOUT_OVERRIDE)
    finally:
        (root / "locked").chmod(0o755)
    assert lines_with(result.out, "PS02") == [
        "locked:1:1: PS02 [error] the folder cannot be listed: Permission denied, so none of its files is checked"
    ]


# -- row 19: invalid globs ---------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["[", "[!", "models/[a-"])
def test_an_invalid_exclude_glob_is_one_line_exit_2(tmp_path, pattern):
    root = project(tmp_path)
    (root / "wsync-lint.toml").write_text(f"exclude = [{json.dumps(pattern)}]\n")
    result = bounded(root, "check", ".")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"wsync-lint: error: {root / 'wsync-lint.toml'}: exclude: {pattern!r} is not a valid glob: its `[` opens a "
        "character class that is never closed (write `[[]` for a literal `[`)\n"
    )


def test_a_closed_character_class_is_a_valid_glob(tmp_path):
    root = project(tmp_path)
    (root / "wsync-lint.toml").write_text('exclude = ["[[]x.sql", "[!a]*.sql", "[]]y.sql"]\n')
    (root / "[x.sql").write_text("DELETE FROM t\n")
    assert bounded(root, "check", "-q", "--select", "ST01", ".").code == 0


# -- links out of the project ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".sql", ".json", ".yaml"])
def test_a_walked_link_out_of_the_project_is_not_read(tmp_path, suffix):
    root = project(tmp_path)
    secret = tmp_path / "credentials"
    secret.write_text('aws_secret_access_key = "wJalrEXAMPLEKEY"\npipeline_type: events\n')
    (root / f"x{suffix}").symlink_to(secret)
    code = "PS02" if suffix == ".sql" else "PS05"
    result = bounded(root, "check", "--select", code, ".")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, code) == [
        f"x{suffix}:1:1: {code} [error] the file leads outside the project (to {secret}), so it is not read"
    ]
    assert "wJalrEXAMPLEKEY" not in result.out


def test_a_schema_directive_out_of_the_project_is_refused(tmp_path):
    root = project(tmp_path)
    shutil.copy(EXAMPLES / "schemas" / "snowflake-prod.json", tmp_path / "s.json")
    (root / "m.sql").write_text("-- wsync-lint: schema=../s.json\n" + MODEL)
    result = bounded(root, "check", "--select", "WL02", "m.sql")
    assert (result.code, result.err) == (1, "")
    assert lines_with(result.out, "WL02") == [
        f"m.sql:1:16: WL02 [error] schema=../s.json: the snapshot lies outside the project ({root}), so it is not read"
    ]


def test_a_config_that_links_out_of_its_repository_is_refused_unread(tmp_path):
    """A committed `wsync-lint.toml` linking to a file elsewhere (credentials, /proc/self/environ) is
    never read, so never quoted; a link to a shared file inside the repository is read."""
    secret = tmp_path / "home" / "creds.toml"
    secret.parent.mkdir()
    secret.write_text('root = true\ndialect = "TopSecretTokenValue"\n')
    root = project(tmp_path)
    (root / "wsync-lint.toml").unlink()
    (root / "wsync-lint.toml").symlink_to(secret)
    result = bounded(root, "check", "m.sql")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"wsync-lint: error: {root}/wsync-lint.toml: cannot read the configuration: the file leads outside the project "
        f"(to {secret}), so it is not read\n"
    )
    assert "TopSecretTokenValue" not in result.err
    (root / "shared.toml").write_text('dialect = "bigquery"\n')
    (root / "wsync-lint.toml").unlink()
    (root / "wsync-lint.toml").symlink_to("shared.toml")
    assert bounded(root, "check", "m.sql").code in (0, 1)

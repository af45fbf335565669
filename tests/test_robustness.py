"""Robustness: every input gets an answer, never a traceback (PRODUCT.md, "Bad input").

Two parts:

* the real command line over EVERY file of the shared real-world corpus (all dialects, plain and
  Jinja; ``generic`` is checked as Snowflake), one process per dialect folder, all five started
  at once: exit code 0 or 1, empty stderr, valid JSON, every position inside its file;
* hostile inputs written to ``tmp_path``, each with its exact expected outcome (code, line,
  column), through the real command line and through :func:`wsync_lint.lint_string`, plus a
  run of each with the default rule set that only asks for an answer instead of a crash.

The corpus lives outside the repository (``../shared/corpus``). Without it the corpus tests are
skipped, unless ``WSYNC_LINT_REQUIRE_CORPUS=1`` (CI), where a missing corpus is a failure.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlglot.tokens import SQLGLOTC_INSTALLED

from tests.conftest import CORPUS
from wsync_lint import lint_string

CORPUS_DIALECTS = {  # corpus folder -> the dialect it is checked as
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "redshift": "redshift",
    "databricks": "databricks",
    "generic": "snowflake",
}
CORPUS_TIMEOUT = 900  # seconds per dialect process (snowflake, the largest, takes well under a minute)
HOSTILE_TIMEOUT = 120
ONE_MIB = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "wsync_lint", *args]


def file_lines(data: bytes) -> list[str]:
    """The file's lines as the linter numbers them: BOM dropped, split on LF only, so a CR of a
    CRLF ending counts as the last character of its line (as in the linter's LineIndex)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8", errors="replace").split("\n")


def position_problems(finding: dict, data: bytes) -> list[str]:
    """Why ``finding``'s positions are not inside the file ('' when they are)."""
    lines = file_lines(data)
    problems = []
    for line_key, column_key in (("line", "column"), ("end_line", "end_column")):
        line, column = finding[line_key], finding[column_key]
        if not isinstance(line, int) or not 1 <= line <= len(lines):
            problems.append(f"{line_key}={line!r} outside 1..{len(lines)}")
        elif not isinstance(column, int) or not 1 <= column <= len(lines[line - 1]) + 1:
            problems.append(f"{column_key}={column!r} outside 1..{len(lines[line - 1]) + 1} on line {line}")
    if not problems and (finding["end_line"], finding["end_column"]) < (finding["line"], finding["column"]):
        problems.append("ends before it starts")
    return problems


def require_corpus() -> None:
    if CORPUS.is_dir():
        return
    reason = f"the shared corpus {CORPUS} is missing"
    if os.environ.get("WSYNC_LINT_REQUIRE_CORPUS") == "1":
        pytest.fail(f"{reason} and WSYNC_LINT_REQUIRE_CORPUS=1")
    pytest.skip(f"{reason} (set WSYNC_LINT_REQUIRE_CORPUS=1 to make this a failure)")


# --------------------------------------------------------------------------------------------
# (a) The whole corpus through the real command line
# --------------------------------------------------------------------------------------------


@dataclass
class CorpusRun:
    folder: str
    dialect: str
    files: list[str]
    """Paths relative to the dialect folder (the process's working folder), as reported."""
    process: subprocess.Popen
    stdout: object
    stderr: object
    code: int | None = None
    out: str = ""
    err: str = ""

    def finish(self) -> CorpusRun:
        if self.code is None:
            try:
                self.code = self.process.wait(timeout=CORPUS_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"wsync-lint check of corpus/{self.folder} ran over {CORPUS_TIMEOUT} s")
            for handle, name in ((self.stdout, "out"), (self.stderr, "err")):
                handle.seek(0)
                setattr(self, name, handle.read().decode("utf-8", errors="replace"))
                handle.close()
        return self


def corpus_files(folder: Path) -> list[str]:
    """Every ``.sql`` file under ``folder``, plain and Jinja, hidden folders included (a folder
    walk by the linter skips hidden folders, so every file is named on the command line)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.sql") if p.is_file())


@pytest.fixture(scope="module")
def corpus_runs():
    """Start one ``check`` process per corpus dialect folder, all at once (they are independent)."""
    require_corpus()
    runs: dict[str, CorpusRun] = {}
    for folder, dialect in CORPUS_DIALECTS.items():
        root = CORPUS / folder
        if not root.is_dir():
            continue
        files = corpus_files(root)
        argv = cli_argv("check", "--dialect", dialect, "--format", "json", *files)
        if sum(len(a) + 1 for a in argv) > os.sysconf("SC_ARG_MAX") // 2:  # pragma: no cover
            pytest.fail(f"corpus/{folder}: {len(files)} paths come too near ARG_MAX for one process")
        # The files outlive this loop: the processes run concurrently and are read later.
        stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
        process = subprocess.Popen(argv, cwd=root, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
        runs[folder] = CorpusRun(folder, dialect, files, process, stdout, stderr)
    yield runs
    for run in runs.values():
        if run.code is None and run.process.poll() is None:
            run.process.kill()
            run.process.wait()


@pytest.mark.parametrize("folder", list(CORPUS_DIALECTS))
def test_corpus_gets_an_answer_for_every_file(folder, corpus_runs):
    if folder not in corpus_runs:
        if os.environ.get("WSYNC_LINT_REQUIRE_CORPUS") == "1":
            pytest.fail(f"corpus/{folder} is missing")
        pytest.skip(f"corpus/{folder} is missing")
    run = corpus_runs[folder].finish()
    assert run.err == "", f"corpus/{folder} wrote to stderr (exit {run.code}):\n{run.err[-3000:]}"
    assert run.code in (0, 1), f"corpus/{folder}: exit code {run.code}"
    document = json.loads(run.out)
    assert document["summary"]["files"] == len(run.files)
    root = CORPUS / folder
    known = set(run.files)
    contents: dict[str, bytes] = {}
    bad = []
    for finding in document["findings"]:
        path = finding["path"]
        assert path in known, f"finding for a file that was not checked: {path}"
        if path not in contents:
            contents[path] = (root / path).read_bytes()
        problems = position_problems(finding, contents[path])
        if problems:
            bad.append(f"{path}:{finding['line']}:{finding['column']} {finding['code']}: {'; '.join(problems)}")
    assert not bad, f"{len(bad)} findings point outside their file:\n" + "\n".join(bad[:30])
    # Exit code 1 exactly when there are findings at the failing severity (default: warning).
    assert run.code == (1 if document["findings"] else 0)


# --------------------------------------------------------------------------------------------
# (b) Hostile inputs, each with its exact expected outcome
# --------------------------------------------------------------------------------------------

PS = ("PS01", "PS02")  # the parse/read rules: what these inputs are about


def nested_subqueries(depth: int) -> bytes:
    query = "SELECT 1 AS x"
    for level in range(depth):
        query = f"SELECT x FROM ({query}) AS t{level}"
    return (query + "\n").encode()


def one_mib_query(broken: bool = False) -> bytes:
    """A single-line SELECT of exactly 1 MiB, the default size limit (allowed: not over it).

    A 1 MiB string literal and a 10,000-value IN list: one long line, many tokens, a tree of
    realistic size (150,000 projected columns would also be 1 MiB, but take minutes in the rules).
    ``broken`` ends it with a dangling ``AND``, 3 characters before the end of the line.
    """
    ids = ", ".join(str(100000 + i) for i in range(10000))
    head = "SELECT customer_id, '"
    tail = f"' AS note FROM mp.crm.customers WHERE customer_id IN ({ids})" + (" AND" if broken else "")
    data = (head + "x" * (ONE_MIB - len(head) - len(tail)) + tail).encode()
    assert len(data) == ONE_MIB and b"\n" not in data
    return data


@dataclass(frozen=True)
class Hostile:
    name: str
    data: Callable[[], bytes]
    expect: list[tuple[str, int, int]]
    """Exact (code, line, column) of every finding, with ``--select`` ``select``."""
    code: int
    select: tuple[str, ...] = PS
    config: str | None = None
    """A ``wsync-lint.toml`` written beside the file."""
    message: str | None = None
    """A substring of the first finding's message."""
    api: bool = True
    """Whether lint_string must give the same findings (False when the CLI's size limit decides)."""
    same_as: bytes | None = None
    """Another text that must give the same findings (BOM / CRLF against plain LF)."""


HOSTILE: list[Hostile] = [
    Hostile(
        "5000_nested_parentheses",
        lambda: b"SELECT " + b"(" * 5000 + b"1" + b")" * 5000 + b" AS x FROM t\n",
        [("PS01", 1, 1)],
        1,
        message="nests too deeply",
    ),
    # Pure-Python sqlglot gives up on 200 nested subqueries (about 125 is its limit); the compiled
    # parser (sqlglotc, the default install where it has a wheel) follows them: a clean model then.
    Hostile(
        "200_nested_subqueries",
        lambda: nested_subqueries(200),
        [] if SQLGLOTC_INSTALLED else [("PS01", 1, 1)],
        0 if SQLGLOTC_INSTALLED else 1,
        message=None if SQLGLOTC_INSTALLED else "nests too deeply",
    ),
    Hostile(
        "binary_nul_bytes",
        lambda: b"SELECT \x00\x01\x02\xff\xfe 1 FROM t\n" + bytes(range(256)) * 4,
        [("PS02", 1, 1)],
        1,
        message="binary",
    ),
    Hostile("empty_file", lambda: b"", [("PS02", 1, 1)], 1, message="empty"),
    Hostile("whitespace_only", lambda: b"  \n\t\n   \r\n\n", [("PS02", 1, 1)], 1, message="empty"),
    Hostile(
        "comments_only",
        lambda: b"-- the model\n/* to be\n   written */\n-- later\n",
        [("PS02", 1, 1)],
        1,
        message="no SQL statement",
    ),
    Hostile(
        "latin1_byte_on_line_3",
        lambda: b"SELECT customer_id,\n       email\n     , caf\xe9 AS drink\nFROM mp.crm.customers\n",
        [("PS02", 3, 11)],
        1,
        message="byte 0xe9",
    ),
    Hostile(
        "utf8_bom_ignored",
        lambda: codecs.BOM_UTF8 + b"SELECT a b c\nFROM t\n",
        [("PS01", 1, 12)],
        1,
        same_as=b"SELECT a b c\nFROM t\n",
    ),
    Hostile(
        "crlf_line_endings",
        lambda: b"SELECT customer_id,\r\n       email\r\nFROM mp.crm.customers WHERE\r\n",
        [("PS01", 3, 23)],
        1,
        same_as=b"SELECT customer_id,\n       email\nFROM mp.crm.customers WHERE\n",
    ),
    Hostile(
        "over_configured_max_file_size",
        lambda: b"SELECT customer_id FROM mp.crm.customers\n" + b"-- padding\n" * 200,
        [("PS02", 1, 1)],
        1,
        config="max-file-size = 1000\n",
        message="over the 1,000-byte limit",
        api=False,
    ),
    Hostile(
        "two_mib_over_default_limit",
        lambda: b"SELECT customer_id FROM mp.crm.customers\n" + (b"-- " + b"x" * 1020 + b"\n") * 2048,
        [("PS02", 1, 1)],
        1,
        message="over the 1,048,576-byte limit",
        api=False,
    ),
    Hostile(
        "one_mib_plus_one_byte",
        lambda: one_mib_query() + b"\n",
        [("PS02", 1, 1)],
        1,
        message="1,048,577 bytes",
        api=False,
    ),
    Hostile(
        "jinja_placeholders",
        lambda: (
            b"{{ config(materialized='view') }}\nSELECT id\nFROM {{ ref('users') }}\n{% if x %}WHERE 1 = 1{% endif %}\n"
        ),
        [("PS03", 1, 1), ("PS03", 3, 6), ("PS03", 4, 1), ("PS03", 4, 22)],
        1,
        select=("PS02", "PS03"),  # PS01 also fires (at 2:1, where the SELECT follows a `{...}`): not the point here
        message="Jinja expression `{{ config(materialized='view') }}`",
    ),
    Hostile(
        "unterminated_string",
        lambda: b"SELECT customer_id\nFROM t\nWHERE status = 'open\nAND x = 1\n",
        [("PS01", 3, 16)],
        1,
        message="the string `'open` is never closed",
    ),
    Hostile(
        "unterminated_block_comment",
        lambda: b"SELECT customer_id\n  /* never closed\nFROM t\n",
        [("PS01", 2, 3)],
        1,
        message="the comment `/* never closed` is never closed",
    ),
    Hostile(
        "only_semicolons",
        lambda: b";\n;;\n",
        [("PS02", 1, 1)],
        1,
        message="no SQL statement",
    ),
    Hostile(
        "lone_select",
        lambda: b"SELECT",
        [("PS01", 1, 1)],
        1,
    ),
    Hostile("one_mib_single_line_query", one_mib_query, [], 0),
    Hostile(
        "one_mib_single_line_error_at_the_end",
        lambda: one_mib_query(broken=True),
        [("PS01", 1, ONE_MIB - 2)],
        1,
        message="the query ends after `AND`",
    ),
]


def hostile_params() -> list:
    return [pytest.param(case, id=case.name) for case in HOSTILE]


def write_case(case: Hostile, folder: Path) -> Path:
    path = folder / f"{case.name}.sql"
    path.write_bytes(case.data())
    if case.config is not None:
        (folder / "wsync-lint.toml").write_text(case.config, encoding="utf-8")
    return path


def run_check(folder: Path, *args: str) -> tuple[int, str, str]:
    completed = subprocess.run(
        cli_argv("check", "--dialect", "snowflake", *args),
        cwd=folder,
        capture_output=True,
        timeout=HOSTILE_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    return completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8")


def outcome(findings) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in findings]


@pytest.mark.parametrize("case", hostile_params())
def test_hostile_input_cli_exact(case: Hostile, tmp_path):
    path = write_case(case, tmp_path)
    code, out, err = run_check(tmp_path, "--format", "json", "--select", ",".join(case.select), path.name)
    assert err == ""
    document = json.loads(out)
    assert document["summary"]["files"] == 1
    assert (code, outcome(document["findings"])) == (case.code, case.expect)
    for finding in document["findings"]:
        assert finding["path"] == path.name
        assert position_problems(finding, path.read_bytes()) == []
    if case.message is not None:
        assert case.message in document["findings"][0]["message"]
    if case.same_as is not None:
        plain = tmp_path / "plain.sql"
        plain.write_bytes(case.same_as)
        _, plain_out, _ = run_check(tmp_path, "--format", "json", "--select", ",".join(case.select), plain.name)
        expected = json.loads(plain_out)["findings"]
        for finding in expected:
            finding["path"] = path.name
        assert document["findings"] == expected


@pytest.mark.parametrize("case", [p for p in hostile_params() if p.values[0].api])
def test_hostile_input_api_exact(case: Hostile):
    violations = lint_string(case.data(), dialect="snowflake", select=case.select)
    assert [(v.code, v.line, v.column) for v in violations] == case.expect


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_input_default_rules_never_crash(case: Hostile, tmp_path):
    """Every rule in the default set (whatever it holds today) answers; nothing crashes."""
    path = write_case(case, tmp_path)
    code, out, err = run_check(tmp_path, "--format", "json", path.name)
    assert err == "", err
    assert code in (0, 1)
    document = json.loads(out)
    data = path.read_bytes()
    for finding in document["findings"]:
        assert position_problems(finding, data) == [], finding
    # The same text through the Python API: no exception, positions inside the text.
    for v in lint_string(data, dialect="snowflake"):
        where = {"line": v.line, "column": v.column, "end_line": v.end_line, "end_column": v.end_column}
        assert position_problems(where, data) == [], v


def test_hostile_inputs_in_one_run(tmp_path):
    """All hostile files in one process (as a pre-commit hook would pass them): one answer each."""
    paths = []
    for case in HOSTILE:
        if case.config is None:
            paths.append(write_case(case, tmp_path).name)
    code, out, err = run_check(tmp_path, "--format", "json", "--select", ",".join(PS), *paths)
    assert err == ""
    assert code == 1
    document = json.loads(out)
    assert document["summary"]["files"] == len(paths)
    reported = {f["path"] for f in document["findings"]}
    expected = {f"{c.name}.sql" for c in HOSTILE if c.config is None and c.select == PS and c.expect}
    assert expected <= reported

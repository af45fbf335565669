"""The content cache of ``check`` (wsync_lint/engine/cache.py): a warm run says exactly what a cold
one says, whatever changed in between, and a cache from elsewhere is never trusted."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, write

EXAMPLES = REPO / "examples"
CACHE = ".wsync-lint-cache"
STANDALONE = ("SELECT * FROM t;\n", "SELECT 1 AS one\n", "SELEC broken\n", "select a, a from t\n", "")


def make_project(root: Path) -> Path:
    """A payload project (two connections, a data model, a pipeline binding its model, a schema
    snapshot) and two standalone models."""
    write(root, "wsync-lint.toml", 'root = true\ndialect = "snowflake"\n')
    for name in ("connections/snowflake-prod.json", "connections/bigquery-prod.yaml", "schemas/snowflake-prod.json"):
        write(root, name, (EXAMPLES / name).read_text(encoding="utf-8"))
    write(root, "data-models/customer-profiles.yaml", _model_yaml())
    write(root, "models/customer_profiles.sql", (EXAMPLES / "models/snowflake/customer_profiles.sql").read_text())
    write(root, "pipelines/customer-profiles-hourly.json", _pipeline("snowflake-prod"))
    write(root, "sql/a.sql", STANDALONE[0])
    write(root, "sql/b.sql", STANDALONE[3])
    return root


def _model_yaml() -> str:
    text = (EXAMPLES / "data-models/customer-profiles.yaml").read_text(encoding="utf-8")
    return text.replace("../models/snowflake/customer_profiles.sql", "../models/customer_profiles.sql")


def _pipeline(connection: str) -> str:
    data = json.loads((EXAMPLES / "pipelines/customer-profiles-hourly.json").read_text(encoding="utf-8"))
    data["connection_id"] = connection
    return json.dumps(data, indent=2)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def outputs(run_cli, root: Path, *args: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """The same run with the cache (warm when nothing changed) and without it."""
    warm = run_cli("check", *args, cwd=root)
    cold = run_cli("check", "--no-cache", *args, cwd=root)
    return (warm.code, warm.out, warm.err), (cold.code, cold.out, cold.err)


def test_warm_run_reads_back_what_the_cold_run_found(run_cli, project, monkeypatch):
    first = run_cli("check", cwd=project)
    assert first.code == 1
    assert sorted(os.listdir(project / CACHE))[0] == ".gitignore"
    # A warm run reads, it does not check: break the checking and the answer is still there.
    import wsync_lint.engine.runner as runner

    monkeypatch.setattr(runner, "analyse", _must_not_run)
    monkeypatch.setattr(runner, "check_project", _must_not_run)
    again = run_cli("check", cwd=project)
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    for output_format in ("json", "concise", "github", "sarif", "junit"):
        monkeypatch.undo()
        cold = run_cli("check", "--format", output_format, cwd=project)
        monkeypatch.setattr(runner, "analyse", _must_not_run)
        monkeypatch.setattr(runner, "check_project", _must_not_run)
        warm = run_cli("check", "--format", output_format, cwd=project)
        assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err), output_format


def _must_not_run(*_args, **_kwargs):
    raise AssertionError("checked again on a warm run")


def test_statistics_the_same_warm_and_cold(run_cli, project):
    warm, cold = outputs(run_cli, project, "--statistics")
    warm_again, _ = outputs(run_cli, project, "--statistics")
    assert warm == cold == warm_again
    assert cold[0] == 1


def test_editing_the_pipeline_rechecks_the_model_it_binds(run_cli, project):
    before = run_cli("check", "--format", "concise", cwd=project)
    assert "models/customer_profiles.sql" not in before.out  # clean in Snowflake
    write(project, "pipelines/customer-profiles-hourly.json", _pipeline("bigquery-prod"))
    after, cold = outputs(run_cli, project, "--format", "concise")
    assert after == cold
    assert "models/customer_profiles.sql" in after[1]  # in BigQuery it has findings
    assert after[1] != before.out


def test_editing_the_snapshot_rechecks_the_model(run_cli, project):
    run_cli("check", cwd=project)
    snapshot = project / "schemas/snowflake-prod.json"
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    del data["tables"]["ANALYTICS.CRM.CUSTOMERS"]["EMAIL"]
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    warm, cold = outputs(run_cli, project, "--format", "concise")
    assert warm == cold
    assert any(line.startswith("models/customer_profiles.sql:") for line in warm[1].splitlines())


def test_selection_and_rule_severity_invalidate(run_cli, project):
    run_cli("check", cwd=project)
    write(project, "wsync-lint.toml", 'root = true\ndialect = "snowflake"\nignore = ["ST"]\n')
    warm, cold = outputs(run_cli, project, "--format", "concise")
    assert warm == cold
    assert ": ST" not in warm[1]
    baseline = run_cli("check", "--format", "json", cwd=project)
    codes = {v["code"] for v in json.loads(baseline.out)["findings"]}
    code = sorted(codes)[0]
    write(project, "wsync-lint.toml", f'root = true\ndialect = "snowflake"\n[rules.{code}]\nseverity = "warning"\n')
    warm, cold = outputs(run_cli, project, "--format", "json")
    assert warm == cold
    severities = {v["severity"] for v in json.loads(warm[1])["findings"] if v["code"] == code}
    assert severities == {"warning"}
    warm, cold = outputs(run_cli, project, "--format", "json", "--select", code)
    assert warm == cold
    assert {v["code"] for v in json.loads(warm[1])["findings"]} == {code}


def test_cache_folder_has_a_gitignore_and_no_cache_writes_nothing(run_cli, tmp_path, monkeypatch):
    root = make_project(tmp_path / "p")
    assert run_cli("check", "--no-cache", cwd=root).code == 1
    assert not (root / CACHE).exists()
    monkeypatch.setenv("WSYNC_LINT_NO_CACHE", "1")
    assert run_cli("check", cwd=root).code == 1
    assert not (root / CACHE).exists()
    monkeypatch.delenv("WSYNC_LINT_NO_CACHE")
    assert run_cli("check", cwd=root).code == 1
    assert (root / CACHE / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert len(os.listdir(root / CACHE)) == 2


def test_cache_dir_option_and_configuration(run_cli, tmp_path):
    root = make_project(tmp_path / "p")
    assert run_cli("check", "--cache-dir", str(tmp_path / "elsewhere"), cwd=root).code == 1
    assert (tmp_path / "elsewhere" / ".gitignore").is_file()
    assert not (root / CACHE).exists()
    write(root, "wsync-lint.toml", 'root = true\ndialect = "snowflake"\ncache-dir = "build/lint-cache"\n')
    assert run_cli("check", cwd=root).code == 1
    assert (root / "build/lint-cache/.gitignore").is_file()
    write(root, "wsync-lint.toml", 'root = true\ncache-dir = "../outside"\n')
    refused = run_cli("check", cwd=root)
    assert refused.code == 2
    assert refused.err == (
        f"wsync-lint: error: {root / 'wsync-lint.toml'}: cache-dir: '../outside' is not a folder below the "
        f"configuration file's folder ({root.resolve()})\n"
    )
    assert not (tmp_path / "outside").exists()


def test_a_configured_cache_dir_behind_a_link_out_of_the_project_is_refused(run_cli, tmp_path):
    """`cache-dir = "build/cache"` where `build` is a link a pull request committed, leading out of
    the project: refused like `../outside` (links followed), and nothing written out there."""
    root = make_project(tmp_path / "p")
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", root / "build")
    write(root, "wsync-lint.toml", 'root = true\ndialect = "snowflake"\ncache-dir = "build/cache"\n')
    refused = run_cli("check", cwd=root)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        f"wsync-lint: error: {root / 'wsync-lint.toml'}: cache-dir: 'build/cache' is not a folder below the "
        f"configuration file's folder ({root.resolve()})\n"
    )
    assert list((tmp_path / "outside").iterdir()) == []


def _forge_no_findings(cache_file: Path) -> None:
    document = json.loads(cache_file.read_text(encoding="utf-8"))
    for entry in document["files"].values():
        entry[1]["v"] = []
    for entry in document["projects"].values():
        entry[2]["violations"] = []
    cache_file.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")


def test_a_copied_or_committed_cache_is_not_trusted(run_cli, project):
    cold = run_cli("check", "--no-cache", cwd=project)
    run_cli("check", cwd=project)
    (cache_file,) = (project / CACHE).glob("*.json")
    _forge_no_findings(cache_file)
    # In place (the folder's own .gitignore), the forged entries are read: this test can fail.
    trusted = run_cli("check", cwd=project)
    assert trusted.code == 0
    # As a checkout or a copy brings it (a new .gitignore), none is.
    shutil.copytree(project / CACHE, project / "copy")
    shutil.rmtree(project / CACHE)
    (project / "copy").rename(project / CACHE)
    again = run_cli("check", cwd=project)
    assert (again.code, again.out, again.err) == (cold.code, cold.out, cold.err)


@pytest.mark.parametrize(
    "content",
    [b"\x80not json", b"[]", b'{"format": 1}', b"{" * 100000, None],
    ids=["bytes", "list", "foreign", "deep", "entries"],
)
def test_malformed_cache_is_a_miss(run_cli, project, content):
    cold = run_cli("check", "--no-cache", cwd=project)
    run_cli("check", cwd=project)
    (cache_file,) = (project / CACHE).glob("*.json")
    if content is None:  # the right stamp, entries of the wrong shape
        document = json.loads(cache_file.read_text(encoding="utf-8"))
        for entry in document["files"].values():
            entry[1]["v"] = [[1, 2, 3]]
        for entry in document["projects"].values():
            entry[2]["violations"] = "none"
        cache_file.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    else:
        cache_file.write_bytes(content)
    warm = run_cli("check", cwd=project)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)


def test_a_cache_that_cannot_be_written_changes_nothing(run_cli, project):
    cold = run_cli("check", "--no-cache", cwd=project)
    write(project, CACHE, "a file where the folder would be\n")
    warm = run_cli("check", cwd=project)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert (project / CACHE).read_text(encoding="utf-8") == "a file where the folder would be\n"
    (project / CACHE).unlink()
    os.symlink(project / "sql", project / CACHE)  # a link: never written through
    warm = run_cli("check", cwd=project)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert sorted(os.listdir(project / "sql")) == ["a.sql", "b.sql"]


def test_a_cache_file_that_cannot_be_replaced_changes_nothing(run_cli, project):
    """A write that fails inside the cache folder (here a folder stands where the cache file goes:
    the rename over it fails, also for root, which a read-only folder would not stop)."""
    run_cli("check", cwd=project)
    [cache_file] = [p for p in (project / CACHE).iterdir() if p.suffix == ".json"]
    cache_file.unlink()
    cache_file.mkdir()
    (project / "sql" / "a.sql").write_text("SELECT 2 AS y FROM db.s.t\n", encoding="utf-8")  # something to write
    cold = run_cli("check", "--no-cache", cwd=project)
    warm = run_cli("check", cwd=project)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert cache_file.is_dir() and list(cache_file.iterdir()) == []
    assert sorted(p.name for p in (project / CACHE).iterdir()) == [".gitignore", cache_file.name]


EDITS = st.one_of(
    st.tuples(st.just("sql"), st.sampled_from(("sql/a.sql", "sql/b.sql", "sql/c.sql")), st.sampled_from(STANDALONE)),
    st.tuples(
        st.just("config"), st.sampled_from(("", 'ignore = ["ST"]', 'select = ["RF", "PS"]', 'ignore = ["RF01"]'))
    ),
    st.tuples(st.just("pipeline"), st.sampled_from(("snowflake-prod", "bigquery-prod", "missing-connection"))),
    st.tuples(st.just("snapshot"), st.booleans()),
    st.tuples(st.just("model"), st.sampled_from(("", "SELECT 1 AS x\n", "-- x\n"))),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=4))
def test_warm_equals_cold_under_random_edits(run_cli, tmp_path_factory, edits):
    root = _shared_project(tmp_path_factory)
    model = EXAMPLES / "models/snowflake/customer_profiles.sql"
    for edit in edits:
        kind = edit[0]
        if kind == "sql":
            write(root, edit[1], edit[2])
        elif kind == "config":
            write(root, "wsync-lint.toml", f'root = true\ndialect = "snowflake"\n{edit[1]}\n')
        elif kind == "pipeline":
            write(root, "pipelines/customer-profiles-hourly.json", _pipeline(edit[1]))
        elif kind == "snapshot":
            data = json.loads((EXAMPLES / "schemas/snowflake-prod.json").read_text(encoding="utf-8"))
            if edit[1]:
                del data["tables"]["ANALYTICS.CRM.CUSTOMERS"]["EMAIL"]
            write(root, "schemas/snowflake-prod.json", json.dumps(data))
        else:
            write(root, "models/customer_profiles.sql", model.read_text(encoding="utf-8") + edit[1])
        warm, cold = outputs(run_cli, root, "--format", "concise")
        assert warm == cold, edit
        warm, cold = outputs(run_cli, root)
        assert warm == cold, edit


_SHARED: dict[str, Path] = {}


def _shared_project(factory) -> Path:
    """One project for every example, so that each starts from the cache the previous one left."""
    if "root" not in _SHARED:
        _SHARED["root"] = make_project(factory.mktemp("shared") / "project")
    return _SHARED["root"]


def test_a_linked_model_is_read_as_the_run_reads_it(run_cli, tmp_path):
    root = make_project(tmp_path / "p")
    outside = write(tmp_path, "outside.sql", "SELECT 1 AS x\n")
    os.symlink(outside, root / "sql/link.sql")
    cold = run_cli("check", "--no-cache", "--format", "concise", cwd=root)
    assert "sql/link.sql:1:1: PS02" in cold.out
    run_cli("check", cwd=root)
    warm = run_cli("check", "--format", "concise", cwd=root)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)


def test_show_settings_names_a_configured_cache_dir(run_cli, project):
    write(project, "wsync-lint.toml", 'root = true\ndialect = "snowflake"\ncache-dir = "build/cache"\n')
    shown = run_cli("check", "--show-settings", "sql/a.sql", cwd=project)
    assert shown.code == 0
    assert "cache: build/cache (cache-dir; --cache-dir beats it)\n" in shown.out
    assert not (project / "build").exists()


def test_creating_the_missing_file_a_data_model_names_rechecks_the_project(run_cli, project):
    model = project / "models/customer_profiles.sql"
    text = model.read_text(encoding="utf-8")
    model.unlink()
    missing = run_cli("check", "--format", "concise", cwd=project)
    assert "data-models/customer-profiles.yaml:6:13: CN03" in missing.out
    model.write_text(text, encoding="utf-8")
    warm, cold = outputs(run_cli, project, "--format", "concise")
    assert warm == cold
    assert "CN03" not in warm[1]


def test_fix_after_a_warm_run_fixes_what_a_cold_one_would(run_cli, tmp_path):
    warm_root, cold_root = make_project(tmp_path / "warm"), make_project(tmp_path / "cold")
    assert run_cli("check", cwd=warm_root).code == 1  # fills the cache: a.sql's ST03 comes back with its fix
    warm = run_cli("check", "--fix", "--format", "concise", cwd=warm_root)
    cold = run_cli("check", "--no-cache", "--fix", "--format", "concise", cwd=cold_root)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, cold.err)
    assert "Found 6 problems (1 error, 5 warnings) in 7 files. 1 problem fixed.\n" in warm.out
    assert (warm_root / "sql/a.sql").read_text(encoding="utf-8") == (cold_root / "sql/a.sql").read_text(
        encoding="utf-8"
    )
    assert (warm_root / "sql/a.sql").read_text(encoding="utf-8") == "SELECT * FROM t\n"

"""``plan`` and ``deploy`` with the shared options (README "The command line"): ``--quiet``,
``--exit-zero`` and ``-o``, end to end against the local fake (the project of test_deploy_cli)."""

from __future__ import annotations

import pytest

from tests.api.test_deploy_cli import CREATES, _deploy, _writes, copied_project


@pytest.fixture
def project(tmp_path, fake_api, monkeypatch):
    """test_deploy_cli's project: a copy, the environment pointing at the fake, the password set."""
    return copied_project(tmp_path, fake_api, monkeypatch)


def test_plan_quiet_prints_the_changes_only(project, fake_api, run_cli):
    full = run_cli("plan")
    quiet = run_cli("plan", "--quiet")
    assert (quiet.code, quiet.err) == (0, "")
    # without the header and its blank line, nor the blank line and the summary
    assert full.out.splitlines()[-2:] == ["", "Plan: 3 to create, 0 to update, 0 blocked, 0 unchanged."]
    assert quiet.out == "\n".join(full.out.splitlines()[2:-2]) + "\n"
    assert quiet.out.splitlines()[0] == "+ connection billing                              connections/billing.json"
    assert _deploy(run_cli).code == 0
    assert (run_cli("plan", "-q").code, run_cli("plan", "-q").out) == (0, "")  # no changes: nothing to say


def test_plan_exit_zero_keeps_the_report_of_a_blocked_change(project, fake_api, run_cli):
    pipeline = project / "pipelines" / "subscriptions.yaml"
    text = pipeline.read_text()
    first, second = (f'iterator_data_type: timestamptz, from: "2024-0{m}-01T00:00:00Z"}}' for m in (1, 3))
    pipeline.write_text(text.replace("iterator_data_type: timestamptz}", first))
    assert _deploy(run_cli).code == 0
    pipeline.write_text(text.replace("iterator_data_type: timestamptz}", second))
    blocked = run_cli("plan")
    assert blocked.code == 1
    assert blocked.out.splitlines()[-1] == "Plan: 0 to create, 0 to update, 1 blocked, 2 unchanged."
    cleared = run_cli("plan", "--exit-zero")
    assert (cleared.code, cleared.out) == (0, blocked.out)
    assert run_cli("plan", "--exit-zero", "--fail-on-changes").code == 0


def test_deploy_writes_its_report_to_the_output_file(project, fake_api, run_cli):
    dry = run_cli("deploy", "--no-preflight", "--dry-run")
    into = run_cli("deploy", "--no-preflight", "--dry-run", "-o", "dry-run.txt")
    assert (into.code, into.out, into.err) == (0, "", "dry run: nothing was sent\n")
    assert (project / "dry-run.txt").read_text(encoding="utf-8") == dry.out
    before = run_cli("plan").out
    done = _deploy(run_cli, "-o", "deploy.txt")
    assert (done.code, done.out) == (0, "")
    assert done.err.splitlines()[-1].startswith("deployed: connection `billing`")
    after = run_cli("plan").out
    assert (project / "deploy.txt").read_text(encoding="utf-8") == (
        before + "Warehouse preflight skipped (--no-preflight): the models were not compiled against their "
        "warehouses.\n" + after
    )
    assert _writes(fake_api) == CREATES


def test_deploy_quiet_leaves_out_notes_progress_and_summary(project, fake_api, run_cli):
    quiet_plan = run_cli("plan", "-q").out
    result = _deploy(run_cli, "--quiet")
    assert (result.code, result.out, result.err) == (0, quiet_plan, "")
    assert _writes(fake_api) == CREATES


def test_deploy_refuses_an_output_file_that_is_a_link_before_anything_is_asked(project, fake_api, run_cli):
    (project / "report.txt").symlink_to(project / "wsync-lint.toml")
    result = _deploy(run_cli, "-o", "report.txt")
    assert (result.code, result.out) == (2, "")
    assert result.err == "wsync-lint: error: report.txt: is a symbolic link; wsync-lint never writes through one\n"
    assert fake_api.requests == []


@pytest.mark.parametrize("command", [("plan",), ("status",), ("deploy", "--auto-approve", "--no-preflight")])
def test_without_api_credentials_nothing_is_sent_and_it_says_not_checked(
    project, fake_api, run_cli, monkeypatch, command
):
    """No credentials: nothing was tried, so "not checked" (exit 3), never "unreachable"."""
    monkeypatch.delenv("WSYNC_LINT_API_CLIENT_SECRET")
    result = run_cli(*command)
    assert (result.code, result.err.splitlines()[-1:]) == (
        3,
        [
            "wsync-lint: not checked: mParticle API credentials are not set: export WSYNC_LINT_API_CLIENT_ID and "
            "WSYNC_LINT_API_CLIENT_SECRET"
        ],
    )
    assert fake_api.requests == []

"""The README's walk through `plan`, `deploy`, `status` and `import` on the bundled examples, run
against the local fake as the README runs it: every sample it prints must be what the commands
print (the fake's port aside), so that the README cannot drift from the program."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.live.standins.mparticle_api import FakeWarehouseSyncApi
from tests.readme_extraction import sample_matches

SECTION = re.search(
    r"^## The Warehouse Sync API.*?^## Configuration", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S
)
assert SECTION is not None


def _samples() -> dict[str, list[str]]:
    """Each ``$ wsync-lint ...`` command of the section's text blocks, with the lines it shows."""
    samples: dict[str, list[str]] = {}
    for block in re.findall(r"^```text\n(.*?)^```", SECTION.group(0), re.M | re.S):
        command = None
        for line in block.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                samples[command] = []
            elif command is not None:
                samples[command].append(line)
    return samples


SAMPLES = _samples()


@pytest.fixture
def walk(tmp_path: Path, fake_api: FakeWarehouseSyncApi, monkeypatch: pytest.MonkeyPatch, run_cli):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    for name, value in fake_api.environment(WSYNC_LINT_SNOWFLAKE_PROD_PASSWORD="example-password").items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)

    def run(command: str):  # type: ignore[no-untyped-def]
        result = run_cli(*command.split()[1:])
        shown = (result.out + result.err).replace(fake_api.url, "http://127.0.0.1:8765")
        return result.code, shown.splitlines()

    return run


def test_the_readme_walkthrough_prints_what_the_readme_shows(walk, tmp_path):
    assert walk("wsync-lint plan examples/")[0] == 0
    dry_run = "wsync-lint deploy examples/pipelines/customer-profiles-hourly.json --no-preflight --dry-run"
    code, shown = walk(dry_run)
    # The sample's `...` lines stand for the lines it leaves out, as in every README sample.
    assert code == 0 and sample_matches(shown, list(SAMPLES[dry_run])), "\n".join(shown)
    code, shown = walk(
        "wsync-lint deploy examples/pipelines/customer-profiles-hourly.json --no-preflight --auto-approve"
    )
    assert code == 0, "\n".join(shown)
    status = "wsync-lint status --project examples/ customer-profiles-hourly"
    code, shown = walk(status)
    assert (code, shown) == (0, SAMPLES[status])
    imported = "wsync-lint import --workspace 1234 --out imported"
    code, shown = walk(imported)
    # A terminal interleaves standard output and error; the sample shows them as they came.
    assert (code, sorted(shown)) == (0, sorted(SAMPLES[imported]))
    code, shown = walk("wsync-lint plan imported/")
    assert (code, shown) == (0, SAMPLES["wsync-lint plan imported/"])
    # The README's edit: a new column in the model, another schedule and another start of the sync.
    model = tmp_path / "examples" / "models" / "snowflake" / "customer_profiles.sql"
    model.write_text(
        model.read_text().replace('"loyalty_tier",\n', '"loyalty_tier",\n    c.country_code AS "country_code",\n')
    )
    pipeline = tmp_path / "examples" / "pipelines" / "customer-profiles-hourly.json"
    text = pipeline.read_text().replace('"hourly"', '"daily"').replace('"from": "2024-', '"from": "2023-')
    pipeline.write_text(text)
    edited = "wsync-lint plan examples/pipelines/customer-profiles-hourly.json"
    code, shown = walk(edited)
    assert (code, shown) == (1, SAMPLES[edited])

"""The committed rule index is the generated one, and `rules --format markdown` prints it."""

from __future__ import annotations

from tests.conftest import REPO
from wsync_lint.engine.docs import render_rules_markdown
from wsync_lint.engine.registry import all_rules


def test_docs_rules_md_is_up_to_date():
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_rules_markdown(all_rules()), (
        "docs/rules.md is out of date: run `wsync-lint rules --format markdown > docs/rules.md`"
    )


def test_rules_markdown_command(run_cli):
    result = run_cli("rules", "--format", "markdown")
    assert result.code == 0
    assert result.out == render_rules_markdown(all_rules())
    assert result.out.startswith("# wsync-lint rules\n")
    for rule in all_rules():
        assert f"\n## {rule.code} {rule.name}\n" in result.out


def test_readme_sample_output_is_what_check_prints(run_cli):
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- sample-output:start -->") : readme.index("<!-- sample-output:end -->")]
    shown = section[section.index("```text\n") + len("```text\n") : section.rindex("```")]
    result = run_cli("check", "examples/", cwd=REPO)
    assert result.code == 1
    assert result.out == shown, "README.md's sample output is stale: paste `wsync-lint check examples/` into it"


def test_readme_starts_with_the_two_setup_commands():
    from tests.conftest import REPO

    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[2:6] == [
        "```sh",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && wsync-lint check examples/",
        ". .venv/bin/activate && python -m pytest",
        "```",
    ]

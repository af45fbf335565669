"""The committed rule index is the generated one, and `rules --format markdown` prints it."""

from __future__ import annotations

from tests.conftest import REPO
from wsync_lint.docs import render_rules_markdown
from wsync_lint.registry import all_rules


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

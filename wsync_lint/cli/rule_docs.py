"""The rule documentation commands of the command line: ``rules`` and ``explain`` (wiring only)."""

from __future__ import annotations

from pathlib import Path

import click

from wsync_lint.cli.options import emit_report, format_option, output_file_option, refuse_output_file
from wsync_lint.errors import UsageError
from wsync_lint.printable import quoted


@click.command("rules")
@format_option("text", "json", "markdown")
@output_file_option
def list_rules(output_format: str, output_file: Path | None) -> None:
    """List every rule: code, name, default severity, safe fix and summary.

    `--format markdown` writes the rule index and every rule's documentation (docs/rules.md).
    """
    from wsync_lint.engine.docs import render_rule_table, render_rules_json, render_rules_markdown
    from wsync_lint.engine.registry import all_rules

    refuse_output_file(output_file)
    render = {"text": render_rule_table, "json": render_rules_json, "markdown": render_rules_markdown}[output_format]
    emit_report(render(all_rules()), output_file)


@click.command()
@click.argument("code_or_name")
def explain(code_or_name: str) -> None:
    """Show the documentation of one rule, by code (ST03) or name (trailing-semicolon)."""
    from wsync_lint.engine.docs import render_explain
    from wsync_lint.engine.registry import closest_rules, find_rule

    rule = find_rule(code_or_name)
    if rule is None:
        close = [f"`{near.code}` ({near.name})" for near in closest_rules(code_or_name)]
        guess = f"did you mean {_either(close)}? " if close else ""
        raise UsageError(f"unknown rule {quoted(code_or_name)}; {guess}`wsync-lint rules` lists them")
    click.echo(render_explain(rule), nl=False)


def _either(choices: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])} or {choices[-1]}"

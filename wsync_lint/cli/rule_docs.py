"""The rule documentation commands of the command line: ``rules`` and ``explain`` (wiring only)."""

from __future__ import annotations

import click

from wsync_lint.errors import UsageError


@click.command("rules")
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")), default="text", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from wsync_lint.engine.docs import render_rule_table, render_rules_markdown
    from wsync_lint.engine.registry import all_rules

    render = render_rules_markdown if output_format == "markdown" else render_rule_table
    click.echo(render(all_rules()), nl=False)


@click.command()
@click.argument("code_or_name")
def explain(code_or_name: str) -> None:
    """Show the documentation of one rule, by code (ST03) or name (trailing-semicolon)."""
    from wsync_lint.engine.docs import render_explain
    from wsync_lint.engine.registry import find_rule

    rule = find_rule(code_or_name)
    if rule is None:
        raise UsageError(f"unknown rule {code_or_name!r}; `wsync-lint rules` lists them")
    click.echo(render_explain(rule), nl=False)

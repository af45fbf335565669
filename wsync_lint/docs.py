"""Rule documentation: the rule index and one rule's page, both from the rule docstrings."""

from __future__ import annotations

import re
import textwrap

from wsync_lint.rule import Rule

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


def sections(rule: Rule) -> dict[str, str]:
    """The docstring's ``## Heading`` sections, by heading."""
    found: dict[str, str] = {}
    heading = None
    body: list[str] = []
    for line in textwrap.dedent(rule.doc).splitlines():
        match = re.match(r"##\s+(.*\S)\s*$", line)
        if match:
            if heading is not None:
                found[heading] = "\n".join(body).strip()
            heading, body = match.group(1), []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        found[heading] = "\n".join(body).strip()
    return found


def sql_examples(rule: Rule, section: str) -> list[str]:
    """The fenced ```sql blocks of one section."""
    return re.findall(r"```sql\n(.*?)```", sections(rule).get(section, ""), re.DOTALL)


def render_explain(rule: Rule) -> str:
    """The page ``wsync-lint explain`` prints."""
    status = "on" if rule.default_enabled else "off (enable it with --extend-select)"
    header = [
        f"{rule.code} {rule.name}",
        "",
        f"Default severity: {rule.default_severity.value}. Enabled by default: {status}.",
    ]
    if rule.aliases:
        header.append(f"Also known as: {', '.join(rule.aliases)}.")
    doc = textwrap.dedent(rule.doc).strip()
    return "\n".join(header) + "\n\n" + doc + "\n"


def render_rule_table(rules: tuple[Rule, ...]) -> str:
    """The index ``wsync-lint rules`` prints: code, name, default severity, summary."""
    name_width = max(len(rule.name) for rule in rules)
    lines = []
    for rule in rules:
        severity = rule.default_severity.value + ("" if rule.default_enabled else ", off")
        lines.append(f"{rule.code}  {rule.name:<{name_width}}  {severity:<12}  {rule.summary}")
    return "\n".join(lines) + "\n"

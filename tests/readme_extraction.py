"""README.md read as data: its code blocks, the commands they show (with where and what sample
follows each), and how a sample is compared with what a command prints (a `...` line elides).

Shared by tests/test_readme_commands.py (every command runs or is checked), tests/test_action.py
(the CI snippets) and tests/api/test_readme_api.py (the API walk-through).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import yaml

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
# The first word of an inline code span that makes it a command.
PROGRAMS = "wsync-lint pip python python3 pre-commit bash apt-get export . eval kill cd ruff"
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[a-z]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
HEADING = re.compile(r"^(#{1,6}) (.+)$", re.M)
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
PLACEHOLDER = re.compile(r"^(-|\[.*|.*\]|[A-Z][A-Z_]*(\.\.\.)?|.*\.\.\.|.*<[^>]*>.*)$")
SHELL_OPERATORS = ("|", ">", "&&", "&", ";")


@dataclass(frozen=True)
class Command:
    """One command as the README shows it, where, and the sample of its output it shows (if any)."""

    text: str
    line: int
    origin: str
    section: str
    chapter: str  # the level-2 heading the section belongs to
    cwd: str = "."  # where a `cd` before it on its line or in its block leads
    sample: tuple[str, ...] | None = None

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.origin}, {self.section}): `{self.text}`"


def _blank(block: re.Match[str]) -> str:
    """A code block as blank text of the same length and lines, so that offsets stay where they were."""
    return re.sub(r"[^\n]", " ", block.group(0))


def _sections() -> list[tuple[int, str, str]]:
    """(offset, heading, its level-2 heading) of each heading outside code blocks, in order."""
    blanked = FENCE.sub(_blank, README)
    result, chapter = [], ""
    for match in HEADING.finditer(blanked):
        if len(match.group(1)) <= 2:
            chapter = match.group(2)
        result.append((match.start(), match.group(2), chapter))
    return result


SECTIONS = _sections()


def where(offset: int) -> tuple[int, str, str]:
    """The README line of an offset, its section and that section's level-2 heading."""
    section = max((s for s in SECTIONS if s[0] <= offset), default=(0, "", ""))
    return README.count("\n", 0, offset) + 1, section[1], section[2]


def _parts(line: str) -> list[str]:
    """A shell line without its trailing comment, split at `&&` into the commands it runs."""
    line = re.sub(r"\s+#\s.*$", "", line).strip()
    return [part.strip() for part in line.split(" && ")] if line else []


def _snippet_commands(body: str) -> list[str]:
    """The shell lines of a CI snippet: each `run:` of a GitHub workflow, each `script:` item of GitLab CI."""
    lines: list[str] = []
    for job in yaml.safe_load(body).values():
        if not isinstance(job, dict):
            continue
        for step in job.get("steps", []):
            lines += str(step.get("run", "")).splitlines()
        for key in ("before_script", "script"):
            lines += job.get(key, [])
    return lines


def _commands_of(line: str, cwd: str, made: Callable[..., Command]) -> tuple[list[Command], str]:
    """The commands of one shell line, each with the folder it runs in (a `cd` moves the later ones)."""
    commands = []
    for part in _parts(line):
        commands.append(made(part, cwd=cwd))
        if part.startswith("cd "):
            cwd = os.path.normpath(os.path.join(cwd, part[3:].strip()))
    return commands, cwd


def readme_commands() -> tuple[list[Command], list[tuple[str, int, list[str]]]]:
    """Every command the README shows, and each text block without a `$` line (section, ordinal, lines)."""
    commands: list[Command] = []
    unprompted: list[tuple[str, int, list[str]]] = []
    ordinals: dict[str, int] = {}
    for block in FENCE.finditer(README):
        line, section, chapter = where(block.start())
        lang, body = block.group("lang"), block.group("body")
        if lang == "sh" or (lang == "yaml" and chapter == "In CI"):
            cwd = "."  # a `cd` in a block moves the lines after it
            for text in body.splitlines() if lang == "sh" else _snippet_commands(body):
                made = partial(Command, line=line, origin=f"```{lang} block", section=section, chapter=chapter)
                found, cwd = _commands_of(text, cwd, made)
                commands += found
        elif lang == "text":
            ordinal = ordinals[section] = ordinals.get(section, -1) + 1
            lines = [text.removeprefix(block.group("indent")) for text in body.splitlines()]
            prompts = [i for i, text in enumerate(lines) if text.startswith("$ ")]
            if not prompts:
                unprompted.append((section, ordinal, lines))
            for i, start in enumerate(prompts):
                sample = tuple(lines[start + 1 : prompts[i + 1] if i + 1 < len(prompts) else None])
                made = partial(Command, line=line + 1 + start, origin="`$` line", section=section, chapter=chapter)
                found, _ = _commands_of(lines[start][2:], ".", made)
                commands += [*found[:-1], replace(found[-1], sample=sample)]  # the output is the last command's
    blanked = FENCE.sub(_blank, README)
    for span in CODE_SPAN.finditer(blanked):
        text = " ".join(span.group(2).split())
        if text.split(" ")[0] in PROGRAMS.split() and " " in text:
            line, section, chapter = where(span.start())
            made = partial(Command, line=line, origin="inline", section=section, chapter=chapter)
            commands += _commands_of(text, ".", made)[0]
    return commands, unprompted


COMMANDS, UNPROMPTED = readme_commands()


def sample_matches(shown: list[str], sample: list[str]) -> bool:
    """Whether ``shown`` is ``sample`` line for line, a sample line `...` standing for any lines."""
    parts: list[list[str]] = [[]]
    for line in sample:
        if line.strip() == "...":
            parts.append([])
        else:
            parts[-1].append(line)
    if len(parts) == 1:
        return shown == sample
    head, *middle, tail = parts
    end = len(shown) - len(tail)
    if end < len(head) or shown[: len(head)] != head or shown[end:] != tail:
        return False
    position = len(head)
    for part in middle:
        found = next((i for i in range(position, end - len(part) + 1) if shown[i : i + len(part)] == part), None)
        if found is None:
            return False
        position = found + len(part)
    return True


# --- what is checked of a command that cannot run here: each gets the command's text ----------------

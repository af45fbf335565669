"""Running the API rules (LV05, LV06) over a project and what its workspace answered.

``plan``, ``deploy``, ``status`` and ``preflight --api`` read the workspace first (GET only, in
:mod:`wsync_lint.api`); this module only holds the answers against the already-loaded project, so
it makes no request and reads no file. Every finding points into one of the project's payload
files and is placed with that file's plan: a rule deselected for the file, or ignored for it by
``per-file-ignores``, reports nothing there, and its severity is the file's configured one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from wsync_lint.contract.api_state import ApiContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Violation
from wsync_lint.engine.model_check import place_in_file, rule_options
from wsync_lint.engine.registry import all_rules
from wsync_lint.engine.runner import Planner


def api_violations(context: ApiContext, planner: Planner) -> list[Violation]:
    """Every finding of the enabled ``Needs.API`` rules, placed in the project's payload files
    and sorted; each is related to the files of the resources it is about."""
    project = context.project
    lines_of = {payload.path: payload.lines for payload in project.files}
    violations: dict[Violation, None] = {}
    for rule in _enabled(context, planner):
        # The rules read the project as a whole, so they run once, with the options configured at
        # the project's root; where each finding lands, that file's selection and severity apply.
        root_config = planner.plan_for(project.root / "-").rule_configs.get(rule.code)
        for finding in rule.check(context, rule_options(rule, root_config)):
            violation = place_in_file(rule, finding, project.locations, lines_of, planner.plan_for)
            if violation is not None:
                violations[replace(violation, related=_related(finding, violation.path))] = None
    return sorted(violations, key=Violation.sort_key)


def _enabled(context: ApiContext, planner: Planner) -> Iterator[Rule]:
    """The API rules that some payload file of the project selects."""
    plans = [planner.plan_for(location) for location in _locations(context)]
    for rule in all_rules():
        if rule.needs is Needs.API and any(rule.code in plan.codes for plan in plans):
            yield rule


def _locations(context: ApiContext) -> list[Path]:
    return list(dict.fromkeys(context.project.locations.values()))


def _related(finding: Finding, path: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((path, *finding.related)))

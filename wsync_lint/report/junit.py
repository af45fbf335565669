"""JUnit XML: one test case per checked file, one failure per finding.

CI systems that only understand test reports (Jenkins, GitLab, Azure) show each model as a
test that passed or failed, with every finding in it. XML 1.0 cannot hold most control
characters, even escaped, so paths, messages and hints are made one line each first
(:func:`~wsync_lint.printable.one_line`), as in the text format: the document always parses.
What ``preflight --sample`` / ``--cost`` measured is the text format's tables, in the test
suite's ``<system-out>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from wsync_lint.engine.run_result import RunResult
from wsync_lint.printable import one_line
from wsync_lint.report.text import figures_lines


def render_junit(result: RunResult, quiet: bool = False) -> str:
    """One test case per file (a failure per finding), and a skipped one per live target the run
    did not check."""
    by_path = defaultdict(list)
    for v in result.violations:
        by_path[v.path].append(v)
    paths = list(dict.fromkeys([*result.paths, *by_path]))
    failing = sum(1 for path in paths if by_path[path])
    tests = str(len(paths) + len(result.not_checked))
    suites = ET.Element("testsuites", name="wsync-lint", tests=tests, failures=str(failing))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="wsync-lint",
        tests=tests,
        failures=str(failing),
        errors="0",
        skipped=str(len(result.not_checked)),
    )
    for path in paths:
        shown = one_line(path)
        case = ET.SubElement(suite, "testcase", name=shown, classname="wsync-lint", file=shown)
        for v in by_path[path]:
            message = one_line(v.message)
            failure = ET.SubElement(case, "failure", message=f"{v.code} {message}", type=v.severity.value)
            lines = [f"{shown}:{v.line}:{v.column}: {v.code} [{v.severity.value}] {message}"]
            if v.hint:
                lines.append(f"hint: {one_line(v.hint)}")
            failure.text = "\n".join(lines)
    for target in result.not_checked:
        case = ET.SubElement(suite, "testcase", name=one_line(target.label), classname="wsync-lint")
        ET.SubElement(case, "skipped", message=one_line(target.line))
    if result.figures:
        ET.SubElement(suite, "system-out").text = "\n".join(figures_lines(result)) + "\n"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

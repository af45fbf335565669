"""JUnit XML: one test case per checked file, one failure per finding.

CI systems that only understand test reports (Jenkins, GitLab, Azure) show each model as a
test that passed or failed, with every finding in it. XML 1.0 cannot hold most control
characters, even escaped, so paths, messages and hints are made one line each first
(:func:`~wsync_lint.printable.one_line`), as in the text format: the document always parses.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from wsync_lint.engine.runner import RunResult
from wsync_lint.printable import one_line


def render_junit(result: RunResult, quiet: bool = False) -> str:
    by_path = defaultdict(list)
    for v in result.violations:
        by_path[v.path].append(v)
    paths = list(dict.fromkeys([*result.paths, *by_path]))
    failing = sum(1 for path in paths if by_path[path])
    suites = ET.Element("testsuites", name="wsync-lint", tests=str(len(paths)), failures=str(failing))
    suite = ET.SubElement(
        suites, "testsuite", name="wsync-lint", tests=str(len(paths)), failures=str(failing), errors="0", skipped="0"
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
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

"""JUnit XML: one test case per checked file, one failure per finding.

CI systems that only understand test reports (Jenkins, GitLab, Azure) show each model as a
test that passed or failed, with every finding in it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from wsync_lint.engine.runner import RunResult


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
        case = ET.SubElement(suite, "testcase", name=path, classname="wsync-lint", file=path)
        for v in by_path[path]:
            failure = ET.SubElement(case, "failure", message=f"{v.code} {v.message}", type=v.severity.value)
            lines = [f"{v.path}:{v.line}:{v.column}: {v.code} [{v.severity.value}] {v.message}"]
            if v.hint:
                lines.append(f"hint: {v.hint}")
            failure.text = "\n".join(lines)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

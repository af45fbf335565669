"""``--statistics``: how many findings each rule produced, most frequent first."""

from __future__ import annotations

from collections import Counter

from wsync_lint.engine.run_result import RunResult
from wsync_lint.report.text import summary_line


def render_statistics(result: RunResult, quiet: bool = False) -> str:
    counts = Counter((v.code, v.name) for v in result.violations)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    width = max((len(str(count)) for count in counts.values()), default=1)
    lines = [f"{count:>{width}}  {code}  {name}" for (code, name), count in rows]
    if not quiet:
        lines.append(summary_line(result))
    return "\n".join(lines) + ("\n" if lines else "")

"""Every format names files relative to the working folder, also a file outside it (`../models/x.sql`)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import REPO

PIPELINES = REPO / "examples" / "pipelines"
EXPECTED = [
    ("../models/databricks/app_devices.sql", 8, "TY01"),
    ("../models/snowflake/propensity_scores.sql", 3, "ID01"),
    ("../models/snowflake/propensity_scores.sql", 3, "CO04"),
    ("../models/snowflake/propensity_scores.sql", 4, "CO04"),
    ("propensity-scores-nightly.yaml", 10, "SY03"),
]


def _paths(output_format: str, out: str) -> list[tuple[str, int, str]]:
    if output_format == "json":
        return [(f["path"], f["line"], f["code"]) for f in json.loads(out)["findings"]]
    if output_format == "sarif":
        return [
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["ruleId"],
            )
            for r in json.loads(out)["runs"][0]["results"]
        ]
    if output_format == "junit":
        return [
            (case.get("file"), int(failure.text.split(":")[1]), failure.get("message").split()[0])
            for case in ET.fromstring(out).iter("testcase")
            for failure in case.findall("failure")
        ]
    if output_format == "github":
        found = []
        for line in out.splitlines():
            properties = dict(item.split("=", 1) for item in line.split(" ", 1)[1].split("::")[0].split(","))
            found.append((properties["file"], int(properties["line"]), properties["title"]))
        return found
    return [
        (line.split(":")[0], int(line.split(":")[1]), line.split(" ")[1])
        for line in out.splitlines()
        if line.startswith(("../", "propensity"))
    ]


@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif", "junit", "concise"])
def test_a_cross_file_finding_outside_the_working_folder_is_shown_relative(run_cli, output_format):
    result = run_cli("check", "--format", output_format, "-q", ".", cwd=PIPELINES)
    assert result.code == 1
    assert sorted(_paths(output_format, result.out)) == sorted(EXPECTED)
    assert str(REPO) not in result.out

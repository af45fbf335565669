"""The plan as a JSON document: a contract that scripts and CI parse, like ``check --format json``.

The document (design §4.2)::

    {"version", "workspace",
     "changes": [{"action": "create|update|noop|blocked|unchecked|unmanaged", "kind", "id", "path",
                  "fields": [{"pointer", "before", "after", "write_only", "source_env"}],
                  "blocked": [{"pointer", "live", "committed", "documented"}],
                  "notes": [...],
                  "requests": [{"method", "url", "body"}]}],          # only with --dry-run
     "notes": [...], "findings": [...as check...], "summary": {action: count}, "preflight"}

``kind`` is ``connection``, ``data_model``, ``field_transformation`` or ``pipeline``;
``pointer`` a JSON Pointer (RFC 6901) into the body (``/config/sql_query``); ``before`` is the live
value and ``after`` the committed one, ``null`` for the side without the key (the plan treats an
answered ``null`` as no value, so ``null`` never means anything else). A write-only field has
``write_only: true``, ``before`` and ``after`` null and ``source_env`` the variable its value is
read from. No secret value is ever in the document: the bodies of ``requests`` carry
``"<from VARIABLE>"`` in their place. Characters a terminal should not get raw are written as
``\\uXXXX`` escapes (:func:`~wsync_lint.printable.json_text`), which parse to the same strings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from wsync_lint import __version__
from wsync_lint.analysis.payload_diff import MISSING
from wsync_lint.api.plan import Change, Plan
from wsync_lint.api.writes import PlannedWrite, change_writes
from wsync_lint.printable import json_text
from wsync_lint.report.json_format import finding_object


def plan_json(plan: Plan, writes: Sequence[PlannedWrite] | None = None) -> str:
    """The plan (with each change's ``requests`` when ``writes`` is given) as JSON text."""
    document = {
        "version": __version__,
        "workspace": plan.workspace,
        "changes": [_change(change, writes) for change in plan.changes],
        "notes": list(plan.notes),
        "findings": [finding_object(violation) for violation in plan.findings],
        "summary": plan.summary,
        "preflight": plan.preflight,
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False, default=str)) + "\n"


def json_pointer(keys: Sequence[str | int]) -> str:
    """RFC 6901: ``("config", "sql_query")`` -> ``/config/sql_query``.

    >>> json_pointer(("a/b", "m~n", 0))
    '/a~1b/m~0n/0'
    """
    return "".join("/" + str(key).replace("~", "~0").replace("/", "~1") for key in keys)


def _change(change: Change, writes: Sequence[PlannedWrite] | None) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {
            "pointer": json_pointer(each.pointer),
            "before": None if each.before is MISSING else each.before,
            "after": None if each.after is MISSING else each.after,
            "write_only": False,
            "source_env": None,
        }
        for each in change.fields
    ]
    fields.extend(
        {
            "pointer": json_pointer(slot.pointer),
            "before": None,
            "after": None,
            "write_only": True,
            "source_env": slot.variable,
        }
        for slot in change.secrets
    )
    found: dict[str, Any] = {
        "action": change.action,
        "kind": change.kind.value,
        "id": change.id,
        "path": change.path,
        "fields": fields,
        "blocked": [
            {
                "pointer": json_pointer(each.pointer),
                "live": each.live,
                "committed": each.committed,
                "documented": each.documented,
            }
            for each in change.blocked
        ],
        "notes": list(change.notes),
    }
    if writes is not None:
        found["requests"] = [
            {"method": write.method, "url": write.url, "body": write.body} for write in change_writes(change, writes)
        ]
    return found

"""Two resources of the same kind have the same `id` in one project.

## What it does
Reports every connection, data model, pipeline, field transformation or feed whose `id` another
resource of the same kind in the project also has, whether the two are in one file (two items of
a list, two YAML documents) or in two files, JSON or YAML alike. Each copy gets an error at its
`id` value, and the message names where the others are (`file:line`), so the finding is there
whichever of the files is checked (a pre-commit hook passes only the files that changed). Ids
are compared exactly as written; resources of different kinds may share an id.

## Why is this bad?
The API documents an id as the unique identifier of a resource of its kind in the workspace:
only one of the copies can be there, and a pipeline that names the id runs that one, whichever
was deployed last. wsync-lint itself binds the pipeline to one of the copies, so the model checked
may not be the one that runs. Folders for separate workspaces (development and production, each
with its own ids) belong in separate projects: `root = true` in each folder's `wsync-lint.toml`.

## Example
```yaml
- id: users
  name: Users
  type: sql
  config:
    sql_query: SELECT customer_id, email FROM analytics.crm.users
- id: users
  name: Users (copy)
  type: sql
  config:
    sql_query: SELECT customer_id, email, plan FROM analytics.crm.users
```

## Use instead
```yaml
- id: users
  name: Users
  type: sql
  config:
    sql_query: SELECT customer_id, email FROM analytics.crm.users
- id: users-with-plan
  name: Users with their plan
  type: sql
  config:
    sql_query: SELECT customer_id, email, plan FROM analytics.crm.users
```

## Known limitations
Only the project's files are compared: a resource that exists in the workspace but not in the
project is preflight's to find.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.project.resources import Kind, Resource

# Messages name this many other copies; more are counted.
_NAMED = 3
_SEPARATE_WORKSPACES = (
    "; copies in folders for different workspaces (dev, prod) belong to different projects: "
    "write `root = true` in each folder's wsync-lint.toml"
)


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    copies: dict[tuple[Kind, str], list[Resource]] = {}
    for resource in ctx.project.resources:
        # A trigger request names a pipeline; it has no id of its own.
        if resource.kind is not Kind.TRIGGER and resource.id is not None:
            copies.setdefault((resource.kind, resource.id), []).append(resource)
    for (kind, resource_id), found in copies.items():
        if len(found) < 2:
            continue
        for resource in found:
            others = [_where(other) for other in found if other is not resource]
            named = ", ".join(others[:_NAMED]) + (f" and {len(others) - _NAMED} more" if len(others) > _NAMED else "")
            times = "twice" if len(found) == 2 else f"{len(found)} times"
            yield Finding(
                resource.value_at("id"),
                f"the {kind.display} id `{resource_id}` is defined {times} in this project (also at {named}): "
                f"a workspace holds one {kind.display} per id, so only one of the copies can be deployed",
                hint=f"give each {kind.display} its own id, or delete the copy"
                + (_SEPARATE_WORKSPACES if len({other.path for other in found}) > 1 else ""),
            )


def _where(resource: Resource) -> str:
    """``path:line`` of a resource's id."""
    line, _ = resource.file.lines.position(resource.value_at("id").span.start)
    return f"`{resource.path}:{line}`"


RULE = Rule(
    code="PS06",
    name="duplicate-id",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
    default_severity=Severity.ERROR,
)

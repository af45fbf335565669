"""A feed's `module_name` is not a warehouse, or not the warehouse of the pipeline's connection.

## What it does
Reports:

- a feed whose `module_name` is not exactly `Snowflake`, `BigQuery`, `Redshift` or `Databricks`
  (the values are case-sensitive: `snowflake` is reported with the right spelling), at the
  value;
- a pipeline whose feed (`partner_feed_id` or `partner_feed_key`) is defined in the project with
  a `module_name` other than the `service_provider` of the pipeline's connection, at the
  pipeline's `partner_feed_id` / `partner_feed_key` value.

A pipeline's feed is found in the project this way:

- `partner_feed_id` (the number the Platform API returns for a feed) matches a feed whose `id`
  is that number (`229` or `"229"`, as the Feeds API writes it) or whose `partner_feed_id` is;
- `partner_feed_key` (the key the mParticle UI gives a feed) matches a feed whose
  `partner_feed_key` or `key` is that string, or whose `id` is.

Feeds the project does not define are not checked (the placeholder `partner_feed_id: 0` of
mParticle's examples matches nothing).

## Why is this bad?
"These values are case sensitive. For example, if you use snowflake instead of Snowflake, you
will encounter errors later in your configuration." And "if you choose to provide a
partner_feed_id or partner_feed_key the module type must match the service provider of the
connection": the API rejects a pipeline whose feed is of another warehouse.

## Example
```yaml
- id: bigquery-prod
  service_provider: BigQuery
- id: 4302
  name: Warehouse feed
  module_name: Snowflake
- id: orders-daily
  pipeline_type: user_attributes
  connection_id: bigquery-prod
  partner_feed_id: 4302
```

## Use instead
```yaml
- id: bigquery-prod
  service_provider: BigQuery
- id: 4302
  name: Warehouse feed
  module_name: BigQuery
- id: orders-daily
  pipeline_type: user_attributes
  connection_id: bigquery-prod
  partner_feed_id: 4302
```
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.api_values import as_integer
from wsync_lint.contract.project_context import ProjectContext
from wsync_lint.contract.rule import Finding, Needs, Rule
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind, Resource

_NAMES = ", ".join(f"`{name}`" for name in facts.FEED_MODULE_NAMES)


def _module(feed: Resource) -> str | None:
    """The warehouse a feed's `module_name` names, ignoring case (None when it names none)."""
    value = feed.get("module_name")
    if not isinstance(value, str):
        return None
    return next((name for name in facts.FEED_MODULE_NAMES if name.casefold() == value.strip().casefold()), None)


def _feeds_of(pipeline: Resource, feeds: list[Resource]) -> Iterator[tuple[str, Resource]]:
    """The feeds of the project the pipeline names, each with the pipeline key that names it."""
    feed_id = as_integer(pipeline.get("partner_feed_id"))
    if feed_id is not None and feed_id != 0:
        for feed in feeds:
            if feed_id in (as_integer(feed.get("id")), as_integer(feed.get("partner_feed_id"))):
                yield "partner_feed_id", feed
    key = pipeline.get("partner_feed_key")
    if isinstance(key, str) and key:
        for feed in feeds:
            if key in (feed.get("partner_feed_key"), feed.get("key"), feed.get("id")):
                yield "partner_feed_key", feed


def _feed_label(feed: Resource) -> str:
    for key in ("id", "partner_feed_key", "key", "name"):
        value = feed.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return f"feed `{value}`"
    return "the feed"


def check(ctx: ProjectContext, options: dict) -> Iterator[Finding]:
    feeds = ctx.of_kind(Kind.FEED)
    if not feeds:
        return
    for feed in feeds:
        value = feed.get("module_name")
        if isinstance(value, str) and value in facts.FEED_MODULE_NAMES:
            continue
        module = _module(feed)
        if module is not None:
            message = f"`module_name` `{value}` of {_feed_label(feed)} is spelled in the wrong case"
            hint = f"write `{module}`: the values are case-sensitive"
        else:
            what = f"`module_name` `{value}`" if isinstance(value, str) else "`module_name`"
            message = f"{what} of {_feed_label(feed)} is not a Warehouse Sync module (one of {_NAMES})"
            hint = "write the `service_provider` of the connection the feed's pipelines use"
        yield Finding(feed.value_at("module_name"), message, hint=hint)
    for pipeline in ctx.of_kind(Kind.PIPELINE):
        connection = ctx.find(Kind.CONNECTION, pipeline.get("connection_id"))
        if connection is None:
            continue
        provider = connection.get("service_provider")
        if not isinstance(provider, str) or provider not in facts.SERVICE_PROVIDERS:
            continue  # CN01 reports the provider
        reported: set[str] = set()
        for key, feed in _feeds_of(pipeline, feeds):
            module = _module(feed)
            if module is None or module == provider or key in reported:
                continue
            reported.add(key)
            yield Finding(
                pipeline.value_at(key),
                f"{pipeline.label} uses {_feed_label(feed)}, whose `module_name` is `{feed.get('module_name')}`, "
                f"but {connection.label} is {provider}: the feed's module must match the "
                "connection's `service_provider`",
                hint=f"use a {provider} feed, or a {module} connection",
                related=tuple(dict.fromkeys(p for p in (feed.path, connection.path) if p != pipeline.path)),
            )


RULE = Rule(
    code="PL09",
    name="feed-provider-mismatch",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PROJECT,
)

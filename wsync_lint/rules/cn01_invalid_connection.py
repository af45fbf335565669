"""A connection payload misses a required field, has a wrong value or a malformed warehouse setting.

## What it does
Checks each connection (`POST/PUT /connections`) in a payload file:

- the required fields `id` (a slug: letters, digits, `_` and `-`), `name`, `state` (`new`,
  `active` or `inactive`), `service_provider` (`Snowflake`, `BigQuery`, `Redshift` or
  `Databricks`, exact case: `snowflake` gets a hint) and the `config` object;
- the `config` keys the warehouse needs, as strings: Snowflake `account_identifier`, `region`,
  `warehouse`, `database`, `user`, `role`, `storage_integration`; BigQuery `region`,
  `project_id`, `dataset_id`, `service_account_id`; Redshift `database`, `host`, `user`,
  `aws_iam_role_arn`; Databricks `provider`, `schema`. The secrets the API also needs
  (`password`, `service_account_key`) are not asked for: they come from the environment at
  deploy time, and CN02 reports them when they are written in the file;
- Redshift `aws_iam_role_arn` is an IAM role ARN (`arn:aws:iam::` + 12-digit account id +
  `:role/` + name): the docs' own `arn:aws:iam::123456789:role/mParticle_role` has 9 digits;
- a BigQuery `service_account_key` that is given must be the content of a service-account key
  file: a JSON string with `"type": "service_account"` (the docs' example is not valid JSON).

Warnings (the request may be accepted, but it is not what was meant):

- Snowflake `account_identifier` written as a URL or host name
  (`xy12345.snowflakecomputing.com`) instead of the account locator (`xy12345`);
- Snowflake `region` not of the form `<cloud_region_id>` or `<cloud_region_id>.<cloud>`
  (`us-central1.gcp`);
- Redshift `port` given as a number (the API takes a string, `"5439"`);
- BigQuery `service_account_id` that is not the key's `client_email`, and a `dataset_id` written
  as a full dataset ID (`project.dataset`): `dataset_id` is the part after the `.`;
- a secret written as the mask `************`: that is what API responses show, and sent back it
  is not the password;
- response-only fields: `status`, `errors`, `created_on`, `created_by`, `last_modified_on`,
  `last_modified_by`.

A v1 ("experimental") connection keeps its settings flat, beside `type: snowflake`: PL08 reports
those names (`type` -> `service_provider`, flat keys -> `config`), so this rule does not also ask
for `service_provider` and `config`. It still checks the flat settings for what v2 needs beyond
the renaming: a missing `state`, a Snowflake connection without `storage_integration`, the
formats above. v1 names that PL08 renames (`source_account_id`) stand for their v2 key.

## Why is this bad?
The API rejects a connection with a missing or misspelled field with a 400, and a connection
created with a wrong account, region or role ARN goes `faulted` on its first run. The API
reference's own examples carry placeholders that are not valid values (a 9-digit AWS account id,
a BigQuery key that is not JSON).

## Example
```yaml
id: snowflake-prod
name: Snowflake production
state: active
service_provider: snowflake
config:
  account_identifier: https://gd12345.snowflakecomputing.com
  region: us-central1.gcp
  warehouse: compute_wh
  database: analytics
  role: mparticle_role
  user: mparticle_user
```

## Use instead
```yaml
id: snowflake-prod
name: Snowflake production
state: active
service_provider: Snowflake
config:
  account_identifier: gd12345
  region: us-central1.gcp
  warehouse: compute_wh
  database: analytics
  role: mparticle_role
  user: mparticle_user
  storage_integration: mp_us1_123_123_s3
```

## Known limitations
Keys the API does not know are not reported (how it treats them is not documented).
`host`, and BigQuery `region` (a dataset location) are checked live only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from wsync_lint.analysis.payload_schema import (
    ID_SCHEMA,
    TEXT_SCHEMA,
    choices,
    dotted,
    read_only_findings,
    schema_findings,
    shown,
)
from wsync_lint.analysis.payload_schema import required as schema_required
from wsync_lint.analysis.payload_values import is_empty, is_environment_reference, is_masked, is_secret_key
from wsync_lint.analysis.templates import is_placeholder_only
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule, Severity
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind, Resource

STATES = facts.STATES["connection"]
PROVIDERS = tuple(facts.SERVICE_PROVIDERS)
_BY_LOWER = {name.lower(): name for name in PROVIDERS}

# v1 name -> the v2 `config` key it stands for (`source_account_id` -> `account_identifier`).
V1_CONFIG_NAMES: dict[str, str] = {
    v1: v2.removeprefix("config.") for v1, v2 in facts.V1_FIELDS["connection"].items() if v2.startswith("config.")
}
_FLAT_KEYS = frozenset(facts.V1_FLAT_CONNECTION_KEYS) | frozenset(V1_CONFIG_NAMES)
_DESCRIPTIONS = {
    "id": "a slug: letters, digits, `_` and `-`",
    "state": f"one of {choices(STATES)}",
    "service_provider": f"the warehouse: {choices(PROVIDERS)}",
    "config": "an object with the warehouse's settings",
}
_ROLE_ARN = re.compile(facts.ROLE_ARN_PATTERN)
_ARN_ACCOUNT = re.compile(r"^arn:aws:iam::(\d+):")
_REGION = re.compile(facts.SNOWFLAKE_REGION_PATTERN)
# The `port` type is a warning (WS-CONN-15), checked on its own.
_LOOSE_TYPES = frozenset({"port"})


def provider_of(connection: Resource) -> str | None:
    """The warehouse of ``connection`` as `service_provider` spells it (`Snowflake`), read from
    `service_provider` or else the v1 `type`, in any case (None when neither names one)."""
    for key in ("service_provider", "type"):
        value = connection.data.get(key)
        if isinstance(value, str) and value.lower() in _BY_LOWER:
            return _BY_LOWER[value.lower()]
    return None


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    for connection in ctx.of_kind(Kind.CONNECTION):
        yield from _connection(connection)


def _connection(connection: Resource) -> Iterator[Finding]:
    data = connection.data
    provider = provider_of(connection)
    config = data.get("config")
    flat = "config" not in data and not _FLAT_KEYS.isdisjoint(data)
    v1_type = "service_provider" not in data and isinstance(data.get("type"), str)
    required = ["id", "name", "state"]
    if not v1_type:
        required.append("service_provider")
    if not flat:
        required.append("config")
    yield from schema_findings(connection, _schema(tuple(required), provider, config))
    if flat:
        settings: Mapping[str, Any] = data
        base: tuple[str, ...] = ()
        if provider is not None:
            yield from _flat_required(connection, provider)
    elif isinstance(config, Mapping):
        settings, base = config, ("config",)
    else:
        yield from read_only_findings(connection)
        return
    yield from _masked(connection, settings, base)
    if provider == "Snowflake":
        yield from _snowflake(connection, settings, base)
    elif provider == "Redshift":
        yield from _redshift(connection, settings, base)
    elif provider == "BigQuery":
        yield from _bigquery(connection, settings, base)
    yield from read_only_findings(connection)


# -- shape


def _required_settings(provider: str, settings: Mapping[str, Any]) -> list[str]:
    """The `config` keys ``provider`` needs that are not given (a v1 name counts as given)."""
    given = set(settings) | {V1_CONFIG_NAMES[key] for key in settings if key in V1_CONFIG_NAMES}
    return [
        key
        for key in facts.CONNECTION_CONFIG_KEYS[provider]
        if not is_secret_key(key) and key not in given and key not in _LOOSE_TYPES
    ]


def _schema(required: tuple[str, ...], provider: str | None, config: Any) -> dict[str, Any]:
    config_schema: dict[str, Any] = {"type": "object"}
    if provider is not None and isinstance(config, Mapping):
        missing = _required_settings(provider, config)
        keys = (*facts.CONNECTION_CONFIG_KEYS[provider], *facts.CONNECTION_OPTIONAL_KEYS[provider])
        config_schema["allOf"] = [{"required": [key]} for key in missing]
        config_schema["properties"] = {
            key: {"type": "string"} for key in keys if not is_secret_key(key) and key not in _LOOSE_TYPES
        }
    return {
        "type": "object",
        "allOf": schema_required(required, _DESCRIPTIONS),
        "properties": {
            "id": ID_SCHEMA,
            "name": TEXT_SCHEMA,
            "state": {"enum": list(STATES)},
            "service_provider": {"enum": list(PROVIDERS)},
            "config": config_schema,
        },
    }


def _flat_required(connection: Resource, provider: str) -> Iterator[Finding]:
    """A v1 connection's flat settings: what v2 needs beyond the renaming PL08 reports, in one
    finding (the settings are rewritten into `config` anyway)."""
    missing = _required_settings(provider, connection.data)
    if missing:
        listed = " and ".join(", ".join(f"`{key}`" for key in missing).rsplit(", ", 1))
        yield Finding(
            connection.start,
            f"{connection.label} {'has no' if len(missing) == 1 else 'lacks'} {listed}, "
            f"which a {provider} connection requires",
            hint="add "
            + " and ".join(", ".join(f"`config.{key}`" for key in missing).rsplit(", ", 1))
            + " when moving the warehouse settings into `config`",
        )


def _name(base: tuple[str, ...], key: str) -> str:
    return dotted((*base, key))


def _string(settings: Mapping[str, Any], key: str) -> str | None:
    value = settings.get(key)
    return value if isinstance(value, str) and value.strip() else None


# -- secrets as responses show them


def _masked(connection: Resource, settings: Mapping[str, Any], base: tuple[str, ...]) -> Iterator[Finding]:
    for key, value in settings.items():
        if is_secret_key(key) and is_masked(value):
            name = _name(base, key)
            yield Finding(
                connection.value_at(*base, key),
                f"`{name}` of {connection.label} is `{value}`, the mask an API response shows in place of the "
                "secret, not the secret itself",
                hint=f"remove `{name}` (a copied API response is not a request): deploy takes it from the environment",
                severity=Severity.WARNING,
            )


# -- per warehouse


def _snowflake(connection: Resource, settings: Mapping[str, Any], base: tuple[str, ...]) -> Iterator[Finding]:
    account = _string(settings, "account_identifier")
    if account is not None and ("/" in account or account.lower().rstrip("/").endswith(facts.SNOWFLAKE_HOST_SUFFIX)):
        host = re.sub(r"^[a-z]+://", "", account.strip(), flags=re.IGNORECASE).split("/")[0]
        locator = host.split(".")[0] or facts.SNOWFLAKE_ACCOUNT_EXAMPLE
        name = _name(base, "account_identifier")
        yield Finding(
            connection.value_at(*base, "account_identifier"),
            f"`{name}` {shown(account)} is a URL or host name, not a Snowflake account locator",
            hint=f"write the account locator only (`{locator}`); the region goes in `{_name(base, 'region')}`",
            severity=Severity.WARNING,
        )
    region = _string(settings, "region")
    if region is not None and not _REGION.fullmatch(region):
        name = _name(base, "region")
        yield Finding(
            connection.value_at(*base, "region"),
            f"`{name}` {shown(region)} is not a Snowflake region identifier "
            f"(`<cloud_region_id>` or `<cloud_region_id>.<cloud>`, such as `{facts.SNOWFLAKE_REGION_EXAMPLE}`)",
            hint=f"write the region as in the account's URL: lower case, `{facts.SNOWFLAKE_REGION_EXAMPLE}`-style, "
            f"the cloud being {choices(facts.SNOWFLAKE_CLOUDS)}",
            severity=Severity.WARNING,
        )


def _redshift(connection: Resource, settings: Mapping[str, Any], base: tuple[str, ...]) -> Iterator[Finding]:
    arn = settings.get("aws_iam_role_arn")
    if isinstance(arn, str) and not _ROLE_ARN.fullmatch(arn):
        name = _name(base, "aws_iam_role_arn")
        account = _ARN_ACCOUNT.match(arn)
        detail = (
            f": its account id has {len(account.group(1))} digits, AWS account ids have 12"
            if account and len(account.group(1)) != 12
            else ""
        )
        yield Finding(
            connection.value_at(*base, "aws_iam_role_arn"),
            f"`{name}` {shown(arn)} is not an IAM role ARN (`arn:aws:iam::<12-digit account id>:role/<name>`){detail}",
            hint="copy the ARN of the role mParticle assumes from the IAM console",
        )
    port = settings.get("port")
    if "port" in settings and port is not None and not isinstance(port, str):
        name = _name(base, "port")
        written = json.dumps(port)
        yield Finding(
            connection.value_at(*base, "port"),
            f"`{name}` is {written}, not a string; the API takes the port as a string",
            hint=f'write `"{written}"`',
            severity=Severity.WARNING,
        )


def _bigquery(connection: Resource, settings: Mapping[str, Any], base: tuple[str, ...]) -> Iterator[Finding]:
    key_file = yield from _service_account_key(connection, settings, base)
    account = _string(settings, "service_account_id")
    email = key_file.get(facts.SERVICE_ACCOUNT_KEY_EMAIL) if key_file is not None else None
    if account is not None and isinstance(email, str) and email != account:
        name = _name(base, "service_account_id")
        yield Finding(
            connection.value_at(*base, "service_account_id"),
            f"`{name}` {shown(account)} is not the service account of `{_name(base, 'service_account_key')}` "
            f"(the key's `{facts.SERVICE_ACCOUNT_KEY_EMAIL}` differs)",
            hint=f"use a key of `{account}`, or set `{name}` to the key's `{facts.SERVICE_ACCOUNT_KEY_EMAIL}`",
            severity=Severity.WARNING,
        )
    dataset = _string(settings, "dataset_id")
    if dataset is not None and "." in dataset:
        project_part, _, dataset_part = dataset.partition(".")
        project = _string(settings, "project_id")
        other = (
            f"; its project `{project_part}` is not `{_name(base, 'project_id')}` `{project}`"
            if project is not None and project != project_part
            else ""
        )
        yield Finding(
            connection.value_at(*base, "dataset_id"),
            f"`{_name(base, 'dataset_id')}` {shown(dataset)} is a full dataset ID: `dataset_id` is the part "
            f"after the `.`, `project_id` the part before{other}",
            hint=f"write `dataset_id: {dataset_part}` and `project_id: {project_part}`",
            severity=Severity.WARNING,
        )


def _service_account_key(connection: Resource, settings: Mapping[str, Any], base: tuple[str, ...]) -> Iterator[Finding]:
    """WS-CONN-11: a given key is a key file's JSON; returns the parsed key file (or None).
    Never quotes the key: it is a secret."""
    if "service_account_key" not in settings:
        return None
    value = settings["service_account_key"]
    if is_empty(value) or is_masked(value) or is_environment_reference(value):
        return None
    if isinstance(value, str) and is_placeholder_only(value):
        return None  # PS03
    name = _name(base, "service_account_key")
    at = connection.value_at(*base, "service_account_key")
    hint = (
        f"leave `{name}` out of the file: deploy takes the content of the service account's JSON key file "
        f'(`"type": "{facts.SERVICE_ACCOUNT_KEY_TYPE}"`) from the environment'
    )
    if not isinstance(value, str):
        yield Finding(
            at,
            f"`{name}` of {connection.label} is {_noun(value)}; the API takes the key file's content as one string",
            hint=hint,
        )
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        yield Finding(
            at,
            f"`{name}` of {connection.label} is not the content of a service-account key file: it is not valid "
            f"JSON ({error.msg}, character {error.pos + 1} of the key; its text is not shown)",
            hint=hint,
        )
        return None
    except RecursionError:
        parsed = None
    if not isinstance(parsed, Mapping) or parsed.get("type") != facts.SERVICE_ACCOUNT_KEY_TYPE:
        yield Finding(
            at,
            f"`{name}` of {connection.label} is not the content of a service-account key file "
            f'(no `"type": "{facts.SERVICE_ACCOUNT_KEY_TYPE}"`; its text is not shown)',
            hint=hint,
        )
        return None
    return parsed


def _noun(value: Any) -> str:
    from wsync_lint.analysis.payload_schema import type_name

    return type_name(value)


RULE = Rule(
    code="CN01",
    name="invalid-connection",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

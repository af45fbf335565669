"""A password, service-account key, private key or client secret is written in a payload file.

## What it does
Reports, at its key, each credential written in a payload file, whatever the resource and at
any depth:

- a value under a secret key: `password`, `service_account_key`, `private_key`,
  `private_key_id`, `private_key_passphrase`, `client_secret`, `secret`, `access_token`,
  `token`, `api_secret`, `aws_secret_access_key` (any case), and keys ending in `_password`,
  `_secret`, `_passphrase` or `_private_key`;
- a PEM private key (`-----BEGIN ... PRIVATE KEY-----`) in any string value.

The finding names the key and never shows the value, not even in part.

These are not secrets and are not reported: `null`, an empty value, `true`/`false`, the mask
`************` that API responses show instead of a secret (CN01 warns about it), an
environment reference (`${SNOWFLAKE_PASSWORD}`, `$SNOWFLAKE_PASSWORD` in capitals, or
`env:SNOWFLAKE_PASSWORD`), and a value that is only a template or placeholder
(`{{ password }}`, `<password>`, `replace_me`: PS03 reports those). Any other value is reported,
placeholders such as the docs' `mParticleSecurePassword` included: the key does not belong in
the file at all.

## Why is this bad?
Payload files are committed: a credential in one is readable by everyone with access to the
repository, its forks and its history, long after it is changed in the file. wsync-lint's deploy
takes `password` and `service_account_key` from the environment (one variable per connection),
so a committed connection never needs them.

## Example
```json
{
  "id": "snowflake-prod",
  "name": "Snowflake production",
  "state": "active",
  "service_provider": "Snowflake",
  "config": {
    "account_identifier": "gd12345",
    "region": "us-central1.gcp",
    "warehouse": "compute_wh",
    "database": "analytics",
    "role": "mparticle_role",
    "user": "mparticle_user",
    "password": "correct-horse-battery-staple",
    "storage_integration": "mp_us1_123_123_s3"
  }
}
```

## Use instead
```json
{
  "id": "snowflake-prod",
  "name": "Snowflake production",
  "state": "active",
  "service_provider": "Snowflake",
  "config": {
    "account_identifier": "gd12345",
    "region": "us-central1.gcp",
    "warehouse": "compute_wh",
    "database": "analytics",
    "role": "mparticle_role",
    "user": "mparticle_user",
    "storage_integration": "mp_us1_123_123_s3"
  }
}
```

## Known limitations
Only key names and PEM blocks are recognised: a password under an unusual key (`pwd`) or inside
a longer text (a connection string) is not found.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsync_lint.analysis.payload_values import (
    Value,
    field_name,
    holds_private_key,
    is_empty,
    is_environment_reference,
    is_masked,
    is_secret_key,
    key_span,
    owner,
    secret_noun,
    walk,
)
from wsync_lint.analysis.templates import is_placeholder_only
from wsync_lint.contract.project_context import PayloadContext
from wsync_lint.contract.rule import Finding, Needs, Rule


def is_secret_value(value: object) -> bool:
    """Whether ``value``, written under a secret key, is a credential."""
    if isinstance(value, bool) or is_empty(value) or is_masked(value) or is_environment_reference(value):
        return False
    return not (isinstance(value, str) and is_placeholder_only(value))


def check(ctx: PayloadContext, options: dict) -> Iterator[Finding]:
    reported: set[tuple[int, tuple]] = set()

    def prune(item: Value) -> bool:
        return (item.document, item.pointer) in reported

    for item in walk(ctx.payload, prune):
        key = item.key
        if isinstance(key, str) and is_secret_key(key) and is_secret_value(item.value):
            noun = secret_noun(key)
        elif isinstance(item.value, str) and holds_private_key(item.value):
            noun = "a private key (PEM)"
        else:
            continue
        reported.add((item.document, item.pointer))  # one finding for a secret, not one per part of it
        resource = owner(ctx.resources, item)
        name = field_name(resource, item)
        whose = f"{resource.label} holds" if resource is not None else "this file holds"
        yield Finding(
            key_span(ctx.payload, item),
            f"{whose} {noun} in `{name}`: a secret written in a committed file (its value is not shown)",
            hint=f"remove `{name}` and take it from the environment at deploy time; rotate it if it was ever committed",
        )


RULE = Rule(
    code="CN02",
    name="plaintext-secret",
    check=check,
    doc=__doc__ or "",
    needs=Needs.PAYLOAD,
)

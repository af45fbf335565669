"""What a deploy would change: a committed body held against the body mParticle's API answers.

The API answers more than was sent (server-set keys, derived Snowflake values, Redshift's default
port), masks what was sent (secrets, sometimes a feed key) and may spell a value differently
(an instant in another notation, a version as text). Compared as text, every plan would show
changes that are none: the commonest defect reported against infrastructure-as-code providers
(redash #177, segment #160, dbtcloud #719; design §2.3). :func:`diff_bodies` applies the
design's normalisation table, and nothing else:

- server-set keys (``facts.READ_ONLY_KEYS``) are ignored on both sides;
- secret keys (``config.password``, ``config.service_account_key``, and every key CN02 calls a
  credential, at any depth: :func:`~wsync_lint.analysis.payload_values.is_secret_key`) are
  write-only: never compared, so never shown;
- Snowflake's ``config.aws_iam_user_arn`` / ``config.aws_external_id`` are derived by mParticle,
  so they are compared only when the file sets them;
- Redshift's ``config.port``: absent in the file means ``"5439"``;
- ``data_plan_version`` is compared as an integer (``2`` = ``"2"``);
- a ``partner_feed_key`` answered as ``************`` is unknown, not a change, whether the file
  sets the key or not (N-9: a masked key is unknown; the plan says the PUT will not send it);
- ``sync_mode.from``/``until`` and ``schedule.start``/``end`` are compared as instants (a time
  without a zone is UTC, a space may stand for the ``T``: :func:`~wsync_lint.analysis.api_values.as_instant`);
- a key whose value is ``null`` is the same as an absent key (the API answers nulls for what
  was never set, EX-V2-04's ``last_modified_on``), and so is an object that holds nothing but
  nulls and empty objects (``"schedule": {"end": null}`` or ``{}``);
- a key only live is a removal (the PUT will not send it), a key only in the file an addition;
  objects are compared key by key (one change per leaf), lists whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from wsync_lint.analysis.api_values import same_instant, same_integer
from wsync_lint.analysis.payload_values import is_secret_key
from wsync_lint.mparticle import facts
from wsync_lint.project.resources import Kind


class _Missing:
    """The type of :data:`MISSING`."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()
"""The side of a :class:`FieldChange` that has no value: an addition's ``before``, a removal's ``after``."""

Pointer = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldChange:
    """One leaf that differs between the live body and the committed one."""

    pointer: Pointer
    """The keys from the resource's top level (``("config", "sql_query")``)."""
    before: Any
    """The live value (:data:`MISSING`: the file adds the key)."""
    after: Any
    """The committed value (:data:`MISSING`: set in mParticle, not in the file)."""

    @property
    def key(self) -> str:
        """The field as users write it: ``schedule.frequency``."""
        return ".".join(str(step) for step in self.pointer)

    @property
    def is_addition(self) -> bool:
        return self.before is MISSING

    @property
    def is_removal(self) -> bool:
        return self.after is MISSING


_SNOWFLAKE_DERIVED = frozenset({("config", "aws_iam_user_arn"), ("config", "aws_external_id")})
_REDSHIFT_DEFAULT_PORT = "5439"  # EX-V2-07 -> EX-V2-08: the answer adds it
_FEED_KEY: Pointer = ("partner_feed_key",)
_INSTANTS = frozenset({("sync_mode", "from"), ("sync_mode", "until"), ("schedule", "start"), ("schedule", "end")})


def diff_bodies(kind: Kind, desired: Mapping[str, Any], live: Mapping[str, Any]) -> list[FieldChange]:
    """The changes a PUT of ``desired`` (the committed body) makes to ``live`` (the GET answer),
    normalised as the module says; committed keys first, in the file's order, then removals.

    >>> diff_bodies(Kind.PIPELINE, {"id": "p", "data_plan_version": 2, "status": "x"},
    ...             {"id": "p", "data_plan_version": "2", "partner_feed_key": "k"})
    [FieldChange(pointer=('partner_feed_key',), before='k', after=MISSING)]
    """
    provider = desired.get("service_provider") or live.get("service_provider")
    return _diff(_Rules(kind, provider if isinstance(provider, str) else None), (), desired, live)


@dataclass(frozen=True)
class _Rules:
    kind: Kind
    provider: str | None

    def ignored(self, pointer: Pointer, committed: Any, answered: Any) -> bool:
        """Whether the key at ``pointer`` is not compared at all."""
        if len(pointer) == 1 and pointer[0] in facts.READ_ONLY_KEYS:
            return True
        if is_secret_key(pointer[-1]):
            return True
        if self.kind is Kind.PIPELINE and pointer == _FEED_KEY and answered == facts.MASKED_SECRET:
            return True  # N-9: a masked answer says nothing about the value, nor whether the file lacks it
        if self.kind is Kind.CONNECTION and self.provider == "Snowflake" and pointer in _SNOWFLAKE_DERIVED:
            return committed is MISSING
        return False

    def committed_default(self, pointer: Pointer) -> Any:
        """What an absent committed key means when the API answers one (MISSING: nothing)."""
        if self.kind is Kind.CONNECTION and self.provider == "Redshift" and pointer == ("config", "port"):
            return _REDSHIFT_DEFAULT_PORT
        return MISSING

    def same(self, pointer: Pointer) -> Callable[[Any, Any], bool]:
        """How the two values at ``pointer`` are compared (committed first)."""
        if self.kind is Kind.PIPELINE and pointer == ("data_plan_version",):
            return same_integer
        if self.kind is Kind.CONNECTION and pointer == ("config", "port"):
            return same_integer
        if self.kind is Kind.PIPELINE and pointer in _INSTANTS:
            return same_instant
        return _same_value


def _same_value(committed: Any, live: Any) -> bool:
    # `True == 1` in Python, but not in JSON: a boolean and a number are different values.
    return isinstance(committed, bool) == isinstance(live, bool) and bool(committed == live)


def _absent(value: Any) -> bool:
    """No value: absent, ``null``, or an object of nothing but such values (``{}``, ``{"end": null}``)."""
    if isinstance(value, Mapping):
        return all(_absent(item) for item in value.values())
    return value is MISSING or value is None


def _diff(rules: _Rules, prefix: Pointer, desired: Mapping[str, Any], live: Mapping[str, Any]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    keys = [*desired, *(key for key in live if key not in desired)]
    for key in keys:
        pointer = (*prefix, key)
        committed = desired.get(key, MISSING)
        answered = live.get(key, MISSING)
        if rules.ignored(pointer, committed, answered):
            continue
        if _absent(committed) and not _absent(answered):
            # An empty object stays one, so that what the live object holds is listed leaf by leaf.
            default = rules.committed_default(pointer)
            committed = committed if default is MISSING else default
        if isinstance(committed, Mapping) and isinstance(answered, Mapping):
            changes.extend(_diff(rules, pointer, committed, answered))
        elif _absent(committed) and _absent(answered):
            continue
        elif _absent(committed):
            changes.append(FieldChange(pointer, answered, MISSING))
        elif _absent(answered):
            changes.append(FieldChange(pointer, MISSING, committed))
        elif not rules.same(pointer)(committed, answered):
            changes.append(FieldChange(pointer, answered, committed))
    return changes

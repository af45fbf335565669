"""``import``: a workspace's resources written as payload files, so it can come under version control.

Every connection, data model and pipeline the workspace holds becomes one JSON file in the layout
the rest of wsync-lint reads: ``connections/<id>.json``, ``data-models/<id>.json`` (its SQL in
``models/<id>.sql``, linked by ``config.sql_file``) and ``pipelines/<id>.json``. What a file
must not hold is left out, so that ``check`` passes on the result and ``plan`` shows no change:

- the read-only keys mParticle sets (``facts.READ_ONLY_KEYS``: ``status``, ``errors``, ...);
- every secret: a value under a key CN02 calls a credential (``password``, ``db_password``,
  ``Password``, ...: :func:`~wsync_lint.analysis.payload_values.is_secret_key`, at any depth) or
  one that holds a PEM private key; a committed secret is what CN02 forbids, and deploy takes
  secrets from the environment;
- every masked value (``facts.MASKED_SECRET``): a mask is no value. A note names each one that
  is not under a secret key (a pipeline's ``partner_feed_key``, N-9): deploy will not send it
  unless the file sets it;
- Snowflake's ``config.aws_iam_user_arn`` and ``config.aws_external_id``: mParticle derives them
  from the storage integration (absent from the create request EX-V2-03, present in its answer
  EX-V2-04); the plan compares them only when a file sets them, and a file that pinned them
  would claim a value the user does not own.

A value that holds a secret wsync-lint knows (:meth:`~wsync_lint.api.settings.ApiSettings.secrets`:
the client secret, a ``WSYNC_LINT_*`` password, ..., in any spelling the output redacts) is
written with ``***`` in its place, and a note names the file and the key to correct by hand.

The model's SQL is written byte for byte as the API holds it, so that deploy, which inlines
``config.sql_file`` exactly, sends the same text back. SQL that a ``.sql`` file could not give
back unchanged (a leading byte-order mark, NUL characters, nothing but white space, a lone
surrogate) or that is over the project's ``max-file-size`` stays inline in ``config.sql_query``.
A live ``config.sql_file`` next to ``config.sql_query`` is left out: it names a file of the
machine that sent it, and the SQL mParticle holds is the query.

Writes are atomic and inside the output folder (:mod:`wsync_lint.files.writing`); a file that
exists with other content is left alone unless ``overwrite`` is given, and then nothing at all
is written (the whole import is refused before the first write).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from wsync_lint.analysis.payload_schema import dotted
from wsync_lint.analysis.payload_values import holds_private_key, is_secret_key
from wsync_lint.api.settings import CLIENT_ID_VARIABLE, ApiSettings
from wsync_lint.contract.api_state import LiveResource
from wsync_lint.engine.config import ConfigFinder
from wsync_lint.errors import UsageError
from wsync_lint.files import DEFAULT_MAX_FILE_SIZE, Unreadable, Why, check_target, read_bounded, write_atomically
from wsync_lint.live.backend import REDACTED, secret_spellings, spelling_pattern
from wsync_lint.mparticle import facts
from wsync_lint.printable import json_text
from wsync_lint.project.resources import Kind
from wsync_lint.project.roots import CONFIG_FILE_NAMES, read_config_table

IMPORTED_KINDS: tuple[Kind, ...] = (Kind.CONNECTION, Kind.DATA_MODEL, Kind.PIPELINE)
"""What ``import`` reads and writes. Field transformations are not among them: their endpoints
are not documented (design §2.10), so the client cannot read them."""

FOLDERS: dict[Kind, str] = {
    Kind.CONNECTION: "connections",
    Kind.DATA_MODEL: "data-models",
    Kind.PIPELINE: "pipelines",
}
"""The folder each kind is written to, named like the API's own collections."""
SQL_FOLDER = "models"
CONFIG_FILE = "wsync-lint.toml"

# mParticle derives these from a Snowflake connection's storage integration (EX-V2-03 against
# EX-V2-04); see the module documentation.
_SERVER_DERIVED_CONFIG: dict[str, tuple[str, ...]] = {"Snowflake": ("aws_iam_user_arn", "aws_external_id")}
_ID = re.compile(facts.ID_PATTERN)
_SQL_QUERY = ("config", "sql_query")
Pointer = tuple[str | int, ...]


@dataclass(frozen=True)
class KnownSecret:
    """A secret the run knows: what holds it (for notes) and how a text may spell it."""

    source: str
    """``$WSYNC_LINT_API_CLIENT_SECRET``, or ``an access token received in this run``."""
    pattern: re.Pattern[str] = field(repr=False)
    """Every spelling the output redacts (:func:`~wsync_lint.live.backend.secret_spellings`)."""


def known_secrets(settings: ApiSettings) -> list[KnownSecret]:
    """The secrets of ``settings`` (:meth:`ApiSettings.secrets`), each with the variable that holds
    it, longest first (a secret that contains another goes whole)."""
    client_id = settings.environment.get(CLIENT_ID_VARIABLE)
    found = []
    for value in sorted(settings.secrets(), key=lambda secret: (-len(secret), secret)):
        names = sorted(name for name, held in settings.environment.items() if held == value)
        pattern = spelling_pattern(secret_spellings(value, client_id))  # as ApiSettings.redact spells it
        assert pattern is not None  # a secret has at least its own spelling
        source = f"`${names[0]}`" if names else "a secret of this run (a key file's content or an access token)"
        found.append(KnownSecret(source, pattern))
    return found


def file_size_limit(out_dir: Path, config_path: Path | None, writes_config: bool) -> int:
    """The ``max-file-size`` the imported project will be checked with: the default when the
    import writes the folder's configuration (``root = true``: nothing above applies), else that
    of the configuration found for ``out_dir`` (or ``--config``)."""
    if writes_config and config_path is None:
        return DEFAULT_MAX_FILE_SIZE
    return ConfigFinder(config_path).for_folder(out_dir).max_file_size


@dataclass(frozen=True)
class ImportedFile:
    """One file the import writes: where (relative to the output folder, POSIX) and its bytes."""

    relative: PurePosixPath
    data: bytes
    kind: Kind | None = None
    """The resource the file holds (None for a model's SQL and the configuration file)."""
    resource_id: str | None = None


@dataclass
class ImportPlan:
    """Every file an import would write, and what it had to leave out or could not do."""

    files: list[ImportedFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the user should know but is no failure (a model whose SQL stays inline, ...)."""
    refused: list[str] = field(default_factory=list)
    """Resources that cannot be written as files (an id that is not a slug): the import stops."""


@dataclass
class ImportOutcome:
    """What :func:`write_import` did, file by file, as displayed (relative to the output folder)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    """Files that already held exactly these bytes, left alone."""


def payload_body(kind: Kind, body: Mapping[str, Any], masked: list[Pointer] | None = None) -> dict[str, Any]:
    """``body`` (a GET answer) as a payload file holds it: read-only keys, secrets, masked values
    and server-derived Snowflake keys left out, the rest in the API's order. ``masked`` collects
    where a masked value was left out that is not under a secret key.

    >>> payload_body(Kind.CONNECTION, {"id": "c", "status": "healthy", "service_provider": "Redshift",
    ...     "config": {"user": "u", "password": "************", "port": "5439"}})
    {'id': 'c', 'service_provider': 'Redshift', 'config': {'user': 'u', 'port': '5439'}}
    """
    kept = {key: value for key, value in body.items() if key not in facts.READ_ONLY_KEYS}
    cleaned = _without_secrets(kept, (), [] if masked is None else masked)
    config = cleaned.get("config")
    provider = cleaned.get("service_provider")
    if kind is Kind.CONNECTION and isinstance(config, dict) and isinstance(provider, str):
        for key in _SERVER_DERIVED_CONFIG.get(provider, ()):
            config.pop(key, None)
    return cleaned


def _without_secrets(value: Any, pointer: Pointer, masked: list[Pointer]) -> Any:
    """``value`` with every secret (by its key or a PEM private key in it) and every masked value
    left out, at any depth; ``masked`` gets the place of each mask not under a secret key."""
    if isinstance(value, Mapping):
        kept = {}
        for key, item in value.items():
            if is_secret_key(key) or _is_private_key(item):
                continue
            if item == facts.MASKED_SECRET:
                masked.append((*pointer, key))
                continue
            kept[key] = _without_secrets(item, (*pointer, key), masked)
        return kept
    if isinstance(value, list):
        return [
            _without_secrets(item, (*pointer, index), masked)
            for index, item in enumerate(value)
            if item != facts.MASKED_SECRET and not _is_private_key(item)
        ]
    return value


def _is_private_key(value: Any) -> bool:
    return isinstance(value, str) and holds_private_key(value)


def _without_known_secrets(value: Any, pointer: Pointer, secrets: Sequence[KnownSecret], found: list[Any]) -> Any:
    """``value`` with each known secret in a key or a text replaced by ``***``; ``found`` gets
    ``(pointer, source)`` for each."""
    if isinstance(value, Mapping):
        cleaned = {}
        for key, item in value.items():
            key = _replaced(key, (*pointer, key), secrets, found) if isinstance(key, str) else key
            cleaned[key] = _without_known_secrets(item, (*pointer, key), secrets, found)
        return cleaned
    if isinstance(value, list):
        return [_without_known_secrets(item, (*pointer, i), secrets, found) for i, item in enumerate(value)]
    return _replaced(value, pointer, secrets, found) if isinstance(value, str) else value


def _replaced(text: str, pointer: Pointer, secrets: Sequence[KnownSecret], found: list[Any]) -> str:
    for secret in secrets:
        text, count = secret.pattern.subn(REDACTED, text)
        if count:
            found.append((pointer, secret.source))
    return text


def sql_file_keeps(sql: str) -> bool:
    """Whether a ``.sql`` file written with ``sql`` (UTF-8) reads back as exactly ``sql``: the
    model reader drops a leading byte-order mark and refuses NUL bytes and blank files.

    >>> sql_file_keeps("SELECT 1\\n"), sql_file_keeps("\\ufeffSELECT 1"), sql_file_keeps("  \\n")
    (True, False, False)
    """
    if not sql.strip() or sql.startswith("\ufeff") or "\x00" in sql:
        return False
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_file(body: Mapping[str, Any]) -> bytes:
    """A payload file's bytes: 2-space indent, keys in the given order, a final newline; text that
    a terminal or UTF-8 cannot hold raw written as ``\\uXXXX`` (it parses to the same value)."""
    return json_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def import_plan(
    resources: Iterable[LiveResource],
    secrets: Sequence[KnownSecret] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> ImportPlan:
    """The files for ``resources`` (every connection, data model and pipeline read), sorted by
    kind in creation order, then id. ``secrets`` (:func:`known_secrets`) are written as ``***``;
    a model's SQL over ``max_file_size`` bytes stays inline."""
    plan = ImportPlan()
    ordered = sorted(
        (resource for resource in resources if resource.kind in FOLDERS),
        key=lambda resource: (IMPORTED_KINDS.index(resource.kind), resource.id),
    )
    seen: dict[str, str] = {}
    for resource in ordered:
        label = f"{resource.kind.display} `{resource.id}`"
        if not _ID.fullmatch(resource.id):
            plan.refused.append(f"{label}: its id is not a slug (letters, digits, `_` and `-`), so it has no file name")
            continue
        held = [secret.source for secret in secrets if secret.pattern.search(resource.id)]
        if held:  # its file name would hold the secret
            plan.refused.append(f"a {resource.kind.display}: its id holds a value of {held[0]}, so it has no file name")
            continue
        masked: list[Pointer] = []
        found: list[tuple[Pointer, str]] = []
        body = _without_known_secrets(payload_body(resource.kind, resource.body, masked), (), secrets, found)
        relative = PurePosixPath(FOLDERS[resource.kind], f"{resource.id}.json")
        sql_file = None
        if resource.kind is Kind.DATA_MODEL:
            sql_file = _move_sql_out(resource, body, plan.notes, max_file_size)
        plan.notes.extend(
            f"{label}: mParticle masks `{dotted(pointer)}` (`{facts.MASKED_SECRET}`), so it was left out of "
            f"{relative}: deploy will not send it unless the file sets it"
            for pointer in masked
        )
        for pointer, source in found:
            where = f"{sql_file.relative}: the model's SQL" if sql_file and pointer == _SQL_QUERY else None
            said = where or f"{relative}: `{dotted(pointer)}`"
            plan.notes.append(f"{said} held a value of {source}; written as `{REDACTED}`: correct it by hand")
        files = [ImportedFile(relative, json_file(body), resource.kind, resource.id)]
        if sql_file is not None:
            files.append(sql_file)
        for each in files:
            # Ids that differ only in case would share a file on macOS and Windows.
            folded = str(each.relative).casefold()
            if folded in seen:
                plan.refused.append(f"{label}: `{each.relative}` would be the same file as `{seen[folded]}`")
                break
            seen[folded] = str(each.relative)
        else:
            plan.files.extend(files)
    return plan


def _move_sql_out(
    resource: LiveResource, body: dict[str, Any], notes: list[str], max_file_size: int
) -> ImportedFile | None:
    """Put the model's SQL in ``models/<id>.sql`` and ``config.sql_file`` where ``config.sql_query``
    was (same place in the key order); None when the SQL stays inline. A live ``config.sql_file``
    beside the query is left out either way."""
    config = body.get("config")
    sql = config.get("sql_query") if isinstance(config, dict) else None
    if not isinstance(config, dict) or not isinstance(sql, str):
        return None
    if config.pop("sql_file", None) is not None:
        notes.append(
            f"data model `{resource.id}`: its `config.sql_file` in mParticle was left out: it names a file "
            "of the machine that sent it (the SQL comes from `config.sql_query`); `plan` lists it as a removal"
        )
    label = f"data model `{resource.id}`: its SQL stays inline in `config.sql_query`"
    if not sql_file_keeps(sql):
        notes.append(
            f"{label}: a .sql file could not give it back byte for byte (byte-order mark, NUL, blank or not UTF-8)"
        )
        return None
    size = len(sql.encode("utf-8"))
    if size > max_file_size:
        notes.append(
            f"{label}: it is {size:,} bytes, over the project's `max-file-size` ({max_file_size:,}), so a .sql "
            "file would not be read; raise `max-file-size` for `check` to read its payload file"
        )
        return None
    relative = PurePosixPath(SQL_FOLDER, f"{resource.id}.sql")
    body["config"] = {
        ("sql_file" if key == "sql_query" else key): (f"../{relative}" if key == "sql_query" else value)
        for key, value in config.items()
    }
    return ImportedFile(relative, sql.encode("utf-8"))


def config_file(out_dir: Path, workspace: str) -> tuple[ImportedFile | None, str | None]:
    """The configuration to write in ``out_dir`` (``root = true`` and the workspace), or a note:
    a folder that has a configuration file keeps it, and the note says when it names no workspace
    or another one."""
    for name in CONFIG_FILE_NAMES:
        path = out_dir / name
        if not path.is_file():
            continue
        try:
            table = read_config_table(path)
        except UsageError as error:
            return None, f"{path} is not valid configuration ({error}); it was left alone"
        if table is None:
            continue  # a pyproject.toml without [tool.wsync-lint] is no configuration
        return None, _workspace_note(path, table, workspace)
    if not re.fullmatch(r"[0-9]{1,20}", workspace):
        return None, f"workspace `{workspace}` is not a number, so it was not written to {CONFIG_FILE}"
    text = (
        f"# Written by `wsync-lint import` from Warehouse Sync workspace {workspace}.\n"
        "# This folder is a project of its own, deployed to that workspace.\n"
        "root = true\n\n"
        "[api]\n"
        f"workspace = {workspace}\n"
    )
    return ImportedFile(PurePosixPath(CONFIG_FILE), text.encode("utf-8")), None


def _workspace_note(path: Path, table: Mapping[str, Any], workspace: str) -> str | None:
    api = table.get("api")
    named = api.get("workspace") if isinstance(api, Mapping) else None
    if named is not None and str(named) == workspace:
        return None
    table_name = "[tool.wsync-lint.api]" if path.name == "pyproject.toml" else "[api]"
    if named is None:
        return f"{path} names no workspace: add `workspace = {workspace}` under {table_name} so `plan` reads this one"
    return (
        f"{path} names workspace `{named}`, not `{workspace}` (imported from): "
        "`plan` and `deploy` will use its workspace"
    )


def write_import(plan: ImportPlan, out_dir: Path, overwrite: bool) -> ImportOutcome:
    """Write ``plan``'s files under ``out_dir``, atomically and only inside it.

    Every target is checked before the first write: one that is a link, not a regular file,
    outside ``out_dir`` once resolved, or (without ``overwrite``) a file with other content stops
    the import with a :class:`~wsync_lint.errors.UsageError` naming the first such file, and
    nothing is written. A file that already holds the same bytes is left alone."""
    if plan.refused:
        raise UsageError(f"not imported: {plan.refused[0]}; nothing was written")
    root = out_dir.resolve()
    pending: list[tuple[Path, ImportedFile]] = []
    outcome = ImportOutcome()
    for imported in plan.files:
        target = root.joinpath(*imported.relative.parts)
        existing = check_target(target, inside=root)
        if existing is None:
            pending.append((target, imported))
            continue
        current = read_bounded(target, len(imported.data) + 1, inside=root)
        if current == imported.data:
            outcome.unchanged.append(str(imported.relative))
        elif overwrite:
            pending.append((target, imported))
        else:
            # A file longer than the new content is not read past it: it differs, it is not unreadable.
            unreadable = isinstance(current, Unreadable) and current.why is not Why.TOO_LARGE
            what = "cannot be read" if unreadable else "holds other content"
            raise UsageError(
                f"{target}: {what}; nothing was written (use --overwrite to replace the files that differ)"
            )
    for target, imported in pending:
        write_atomically(target, imported.data, inside=root)
        outcome.written.append(str(imported.relative))
    return outcome

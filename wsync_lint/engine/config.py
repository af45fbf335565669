"""Configuration: ``[tool.wsync-lint]`` in pyproject.toml, or a ``wsync-lint.toml``.

Found by walking up from each file's folder (nearest wins), read with ``tomllib`` and validated
strictly: an unknown key or value raises :class:`~wsync_lint.errors.UsageError`, which the CLI
turns into exit code 2 and one line naming it, in the key's own spelling, with what was most likely
meant. Keys may be spelled with ``-`` or ``_``; list-valued keys take what the command line takes
(:func:`~wsync_lint.engine.config_values.string_list`). A table wsync-lint would not read is an
error too: ``[tool.wsync_lint]`` in pyproject.toml, ``[tool.wsync-lint]`` in wsync-lint.toml. The
nearest file applies whole (files are not merged); ``root = true`` makes its folder a project
root, which :mod:`wsync_lint.project.roots` decides.

Example::

    [tool.wsync-lint]
    dialect = "snowflake"
    pipeline-type = "user_attributes"
    ignore = ["RF01"]

    [tool.wsync-lint.per-file-ignores]
    "legacy/*.sql" = ["ST04"]

    [tool.wsync-lint.rules.ST04]
    severity = "warning"
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wsync_lint.contract.rule import Severity
from wsync_lint.engine.config_values import (
    MODEL_SETTINGS,
    checked_globs,
    close_match,
    did_you_mean,
    scan_prices,
    string_list,
    suggestion,
    validate_setting,
)
from wsync_lint.engine.registry import find_rule, validate_selectors
from wsync_lint.errors import UsageError
from wsync_lint.files import DEFAULT_MAX_FILE_SIZE, is_within, may_hold, names_in, read_config_bytes, resolved_or_none
from wsync_lint.project.roots import CONFIG_FILE_NAMES, read_config_table

DEFAULT_SCHEMA_DIR = "schemas"


@dataclass(frozen=True)
class RuleConfig:
    """Per-rule settings from ``[tool.wsync-lint.rules.<CODE or name>]``."""

    severity: Severity | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiConfig:
    """``[tool.wsync-lint.api]``: the workspace a project maps to (one project per workspace).

    Where the API is can be changed only from the environment (``WSYNC_LINT_API_ENDPOINT``,
    ``WSYNC_LINT_API_TOKEN_URL``), never from a committed file: a pull request that edited one could
    otherwise send the CI job's client secret, and the passwords deploy sends, to a host of its own."""

    workspace: str | None = None


def parse_api_table(value: Any, at: str) -> ApiConfig:
    """Validate ``[tool.wsync-lint.api]``: ``workspace``, an id (a number, written as one or as a string)."""
    if not isinstance(value, dict):
        raise UsageError(f"{at}: expected a table, e.g. [tool.wsync-lint.api] workspace = 1234")
    workspace = None
    for raw_key, item in value.items():
        if _normalise(raw_key) in ("endpoint", "token_url"):
            raise UsageError(
                f"{at}: {raw_key!r} cannot be set in a file (a committed file must not send the credentials "
                "elsewhere): export WSYNC_LINT_API_ENDPOINT or WSYNC_LINT_API_TOKEN_URL instead"
            )
        if _normalise(raw_key) != "workspace":
            raise UsageError(f"{at}: unknown key {raw_key!r} (known: workspace)")
        if isinstance(item, bool) or not isinstance(item, int | str) or not re.fullmatch(r"[0-9]{1,20}", str(item)):
            raise UsageError(f"{at}.{raw_key}: expected a workspace id (a number such as 1234)")
        workspace = str(item)
    return ApiConfig(workspace)


@dataclass(frozen=True)
class Config:
    """One configuration file's settings (or the defaults when there is none)."""

    path: Path | None = None
    dialect: str | None = None
    pipeline_type: str | None = None
    iterator_field: str | None = None
    iterator_data_type: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    exclude: tuple[str, ...] = ()
    schema_dir: str = DEFAULT_SCHEMA_DIR
    """Where the schema snapshots of the connections are, ``<schema-dir>/<connection-id>.json``
    (relative to the configuration file)."""
    read_only_functions: frozenset[str] = frozenset()
    """User-defined functions the user vouches only compute a value (upper-case, qualified as the
    models call them, or ``schema.*``): ``preflight`` sends a model that calls them (``read-only-functions``)."""
    scan_prices: dict[str, float] = field(default_factory=dict)
    """``scan-price-per-tib``: US dollars a TiB scanned costs per warehouse (``bigquery = 6.25``), for
    ``preflight --cost``; BigQuery's on-demand list price applies when it is not set."""
    api: ApiConfig = field(default_factory=lambda: ApiConfig())
    """``[tool.wsync-lint.api]``: which Warehouse Sync workspace the project is deployed to."""
    cache_dir: str | None = None
    """``cache-dir``: where ``check`` keeps its cache, relative to the configuration file (and inside
    its folder: a committed file must not make wsync-lint write elsewhere)."""
    declares_root: bool = False
    """``root = true``: the file's folder is a project root (``project/roots.py`` decides roots;
    it is validated here like every other key)."""

    @property
    def root(self) -> Path:
        """The folder globs in the configuration are relative to."""
        return self.path.parent if self.path else Path.cwd()

    def paths_base(self, project_root: Path) -> Path:
        """The folder the configuration's paths (``schema-dir``) are relative to: its file's folder,
        or the project's root when no file configures it."""
        return self.path.parent if self.path is not None else project_root

    def schema_folder(self, project_root: Path) -> Path:
        """Where the connections' schema snapshots are: ``schema-dir`` under :meth:`paths_base`."""
        return self.paths_base(project_root) / self.schema_dir

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        """The selectors ``per-file-ignores`` applies to ``path``."""
        if not self.per_file_ignores:
            return ()  # resolving the path is most of the cost
        relative = _relative_posix(path, self.root)
        found: list[str] = []
        for pattern, selectors in self.per_file_ignores:
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
                found.extend(selectors)
        return tuple(found)

    def excludes(self, path: Path) -> bool:
        if not self.exclude:
            return False
        relative = _relative_posix(path, self.root)
        return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(path.name, p) for p in self.exclude)


def _relative_posix(path: Path, root: Path) -> str:
    resolved = resolved_or_none(path)
    try:
        return (resolved or path).relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


TOP_LEVEL_KEYS = (
    "root", "dialect", "pipeline-type", "iterator-field", "iterator-data-type", "select", "extend-select", "ignore",
    "per-file-ignores", "rules", "fail-on", "max-file-size", "exclude", "schema-dir", "read-only-functions", "api",
    "cache-dir", "scan-price-per-tib",
)  # fmt: skip
"""Every key of ``[tool.wsync-lint]``, as the README spells them (for "did you mean")."""
_OTHER_TOOLS_SPELLING = {"extend_ignore": "ignore", "extend_exclude": "exclude"}
"""Keys of ruff's or sqlfluff's that a user may bring along, and wsync-lint's key for them."""


SEVERITIES = ("error", "warning")


def _normalise(key: str) -> str:
    return key.replace("-", "_")


def parse_config(data: dict[str, Any], path: Path | None) -> Config:
    """Validate the ``[tool.wsync-lint]`` table ``data`` and build a :class:`Config`."""
    where = str(path) if path else "configuration"
    values: dict[str, Any] = {"path": path}
    for raw_key, value in data.items():
        key = _normalise(raw_key)
        at = f"{where}: {raw_key}"
        if key in MODEL_SETTINGS:
            values[key] = validate_setting(key, value, where, spelling=raw_key)
        elif key in ("select", "extend_select", "ignore"):
            selectors = string_list(value, at)
            validate_selectors(selectors, at)
            values[key] = selectors
        elif key == "per_file_ignores":
            if not isinstance(value, dict):
                raise UsageError(f"{at}: expected a table of glob = [codes]")
            pairs = []
            for pattern, selectors in value.items():
                checked_globs((pattern,), at)
                codes = string_list(selectors, f"{at}.{pattern}")
                validate_selectors(codes, f"{at}.{pattern}")
                pairs.append((pattern, codes))
            values[key] = tuple(pairs)
        elif key == "rules":
            values[key] = parse_rule_tables(value, at)
        elif key == "fail_on":
            if value not in SEVERITIES:
                raise UsageError(
                    f"{at}: expected 'error' or 'warning', got {value!r}" + did_you_mean(value, SEVERITIES)
                )
            values[key] = Severity(value)
        elif key == "max_file_size":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise UsageError(f"{at}: expected a positive number of bytes")
            values[key] = value
        elif key == "exclude":
            values[key] = checked_globs(string_list(value, at, globs=True), at)
        elif key == "root":
            if not isinstance(value, bool):
                raise UsageError(f"{at}: expected true or false")
            values["declares_root"] = value
        elif key == "read_only_functions":
            names = string_list(value, at)
            if not all(not name.startswith(".") and not name.endswith(".") for name in names):
                raise UsageError(f"{at}: expected function names such as 'util.clean_email'")
            values[key] = frozenset(name.upper() for name in names)
        elif key == "api":
            values[key] = parse_api_table(value, at)
        elif key == "scan_price_per_tib":
            values["scan_prices"] = scan_prices(value, at)
        elif key == "cache_dir":
            values[key] = _cache_dir(value, path, at)
        elif key == "schema_dir":
            if not isinstance(value, str) or not value:
                raise UsageError(f"{at}: expected a folder path")
            values[key] = value
        else:
            raise UsageError(_unknown_key(raw_key, value, path, where))
    return Config(**values)


def _cache_dir(value: Any, path: Path | None, at: str) -> str:
    """``cache-dir``: a folder inside the configuration file's folder (a pull request controls the
    file, and the cache is written)."""
    if not isinstance(value, str) or not value or "\0" in value:
        raise UsageError(f"{at}: expected a folder path")
    base = (path.parent if path is not None else Path.cwd()).resolve()
    target = resolved_or_none(base / value)
    if target is None or target == base or not is_within(target, base):
        raise UsageError(f"{at}: {value!r} is not a folder below the configuration file's folder ({base})")
    return value


def _unknown_key(raw_key: str, value: Any, path: Path | None, where: str) -> str:
    """The one line for a key ``[tool.wsync-lint]`` does not have: where it was, and what was meant."""
    if path is not None and path.name != "pyproject.toml":
        if raw_key == "tool" and isinstance(value, dict) and any(_near_our_table(name) for name in value):
            return f"{where}: {_headerless_hint(path.name, value)}"
        table = path.name
    else:
        table = "[tool.wsync-lint]"
    meant = _OTHER_TOOLS_SPELLING.get(_normalise(raw_key).lower()) or close_match(raw_key, TOP_LEVEL_KEYS)
    return f"{where}: unknown key {raw_key!r} in {table}{suggestion(meant)}"


def _headerless_hint(file_name: str, tool: dict[str, Any]) -> str:
    """What a ``[tool.wsync-lint...]`` header in a file of wsync-lint's own meant: the same keys,
    with the header dropped (``[tool.wsync-lint.rules.ST04]`` is ``[rules.ST04]``)."""
    header = next(name for name in tool if _near_our_table(name))
    table = tool[header] if isinstance(tool[header], dict) else {}
    tables, keys = [], []
    for key, item in table.items():
        if not isinstance(item, dict):
            keys.append(f"`{key}`")
        elif _normalise(key) == "rules":
            tables.extend(f"`[{key}.{rule}]`" for rule in item)
        else:
            tables.append(f"`[{key}]`")
    meant = [f"top-level {', '.join(keys)}" if keys else "", ", ".join(tables)]
    return (
        f"{file_name} takes the keys without the `[tool.{header}]` header (that header is pyproject.toml's): "
        f"did you mean {' and '.join(part for part in meant if part) or 'top-level keys'}?"
    )


def _near_our_table(name: str) -> bool:
    """Whether a ``[tool.<name>]`` table is most likely meant to be ``[tool.wsync-lint]`` (or is it)."""
    folded = re.sub(r"[-_.\s]", "", name.lower())
    return folded == "wsynclint" or difflib.SequenceMatcher(None, folded, "wsynclint").ratio() >= 0.8


def parse_rule_tables(value: Any, at: str) -> dict[str, RuleConfig]:
    """Per-rule tables (severity and options) by code or name, checked against each rule's options."""
    if not isinstance(value, dict):
        raise UsageError(f"{at}: expected a table per rule, e.g. [tool.wsync-lint.rules.ST04]")
    result: dict[str, RuleConfig] = {}
    for rule_key, table in value.items():
        rule = find_rule(rule_key)
        if rule is None:
            raise UsageError(f"{at}: unknown rule code or name {rule_key!r}")
        if not isinstance(table, dict):
            raise UsageError(f"{at}.{rule_key}: expected a table")
        severity = None
        options: dict[str, Any] = {}
        for option_key, option_value in table.items():
            name = _normalise(option_key)
            if name == "severity":
                if option_value not in SEVERITIES:
                    raise UsageError(
                        f"{at}.{rule_key}.{option_key}: expected 'error' or 'warning', got {option_value!r}"
                        + did_you_mean(option_value, SEVERITIES)
                    )
                severity = Severity(option_value)
            elif name in rule.options:
                expected = rule.options[name].type
                # A float option takes a whole number too (TOML's `1` for `1.0`); booleans are no numbers.
                accepted = (int, float) if expected is float else expected
                if not isinstance(option_value, accepted) or (
                    expected in (int, float) and isinstance(option_value, bool)
                ):
                    raise UsageError(f"{at}.{rule_key}.{option_key}: expected {expected.__name__}")
                bounds = rule.options[name].bounds
                if bounds is not None and not bounds[0] <= option_value <= bounds[1]:
                    raise UsageError(
                        f"{at}.{rule_key}.{option_key}: expected a number from {bounds[0]:g} to {bounds[1]:g}"
                    )
                options[name] = float(option_value) if expected is float else option_value
            else:
                known = ["severity", *rule.options]
                raise UsageError(
                    f"{at}.{rule_key}: unknown option {option_key!r} for {rule.code} (known: {', '.join(known)})"
                    + did_you_mean(option_key, known)
                )
        result[rule.code] = RuleConfig(severity, options)
    return result


def read_config_file(path: Path, *, found: bool = True) -> Config | None:
    """Read ``path``; None when it is a pyproject.toml without a ``[tool.wsync-lint]`` table.

    A pyproject.toml's table misspelt (``[tool.wsync_lint]``) would otherwise be passed over in
    silence, its settings never applied: it is an error, also beside a ``[tool.wsync-lint]``."""
    table = read_config_table(path, found=found)
    if path.name == "pyproject.toml":
        _refuse_near_misses(path, table is not None)
    return parse_config(table, path) if table is not None else None


def _refuse_near_misses(path: Path, has_ours: bool) -> None:
    """A ``UsageError`` when the pyproject.toml ``path`` has a ``[tool.X]`` table that is most likely
    meant to be ``[tool.wsync-lint]``."""
    try:
        # Read again: project/roots.py hands over only our table. The file parsed a moment ago, so
        # an error here is the file changing under us, which the run already read past.
        tool = tomllib.loads(read_config_bytes(path).decode("utf-8")).get("tool")
    except (UsageError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    for name in tool if isinstance(tool, dict) else ():
        if name != "wsync-lint" and _near_our_table(name):
            beside = ", beside `[tool.wsync-lint]`," if has_ours else ""
            raise UsageError(f"{path}: `[tool.{name}]`{beside} is not read; did you mean `[tool.wsync-lint]`?")


class ConfigFinder:
    """Finds the nearest configuration for a folder, walking up; caches what it reads."""

    def __init__(self, explicit: Path | None = None) -> None:
        self._explicit = read_config_file(explicit, found=False) if explicit else None
        if explicit and self._explicit is None:
            raise UsageError(f"{explicit}: no [tool.wsync-lint] table")
        self._by_folder: dict[Path, Config] = {}

    def for_folder(self, folder: Path) -> Config:
        if self._explicit is not None:
            return self._explicit
        return self._for_resolved(folder.resolve())

    def _for_resolved(self, folder: Path) -> Config:
        if folder in self._by_folder:
            return self._by_folder[folder]
        found: Config | None = None
        names = names_in(folder)
        for name in CONFIG_FILE_NAMES:
            candidate = folder / name
            if may_hold(names, name) and candidate.is_file():
                found = read_config_file(candidate)
                if found is not None:
                    break
        if found is None:
            found = Config() if folder.parent == folder else self._for_resolved(folder.parent)
        self._by_folder[folder] = found
        return found

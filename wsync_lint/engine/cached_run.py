"""Using the content cache in a run: standalone files and whole projects, each checked only on a miss.

A standalone model's key covers its path as displayed, its plan (selected codes, settings, forced
dialect, rule options) and the text read. A project's entry is one for the whole project: its key
covers the root, the configuration of its root and the list of payload candidates, and a list of
dependencies is verified on lookup (the bytes and plan of every payload and model file the project
run read, and the schema snapshot folder), so that editing a pipeline re-checks the model it binds.

A model whose text names a snapshot itself (``-- wsync-lint: schema=...``) is never cached: which
file that reads is decided while checking it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wsync_lint.engine.cache import RunCache, decode_violations, encode_violations, strings
from wsync_lint.engine.cache_keys import (
    cache_folder,
    digest,
    file_digest,
    fingerprint,
    read_digest,
    stable,
    text_digest,
)
from wsync_lint.errors import UsageError
from wsync_lint.files import DEFAULT_MAX_FILE_SIZE, read_bounded
from wsync_lint.project.payload_files import PAYLOAD_SUFFIXES

if TYPE_CHECKING:
    from wsync_lint.engine.model_check import FilePlan
    from wsync_lint.engine.project_check import ProjectOutcome
    from wsync_lint.engine.run_result import RunOptions
    from wsync_lint.sql.reading import ReadProblem

_DIRECTIVE = re.compile(rb"wsync-lint\s*:", re.IGNORECASE)
_SCHEMA_SETTING = re.compile(rb"schema=", re.IGNORECASE)


def _may_name_snapshot(data: bytes) -> bool:
    """Whether a ``schema=`` directive may be in the text: the snapshot it names is found while
    checking, so such a file is not cached."""
    return _DIRECTIVE.search(data) is not None and _SCHEMA_SETTING.search(data) is not None


ProjectResult = tuple["ProjectOutcome", list[str], dict[str, str]]
Planner = Any
"""The run's :class:`~wsync_lint.engine.runner.Planner` (not imported: the runner imports this module)."""


def open_cache(planner: Planner, options: RunOptions) -> RunCache | None:
    """The cache of this run, or None when the run depends on live state (``preflight``'s fresh
    snapshots, ``--connection``)."""
    if options.schema_override or options.connection:
        return None
    try:
        cwd = Path.cwd()
        config = planner.finder.for_folder(cwd)
    except (OSError, UsageError):  # a broken configuration here is reported if the run reads it
        return None
    folder = cache_folder(options.cache_dir, config.path, config.cache_dir)
    namespace = json.dumps([str(cwd.resolve()), stable(dataclasses.replace(options, cache_dir=None))], default=repr)
    return RunCache(folder, namespace)


def _fingerprint(cache: RunCache, value: object) -> str:
    """A plan's or configuration's digest, computed once per object in a run (the planner keeps them)."""
    found = cache.fingerprints.get(id(value))
    if found is None:
        found = cache.fingerprints[id(value)] = (value, fingerprint(value))
    return found[1]


def cached_outcomes(
    files: list[Path],
    shown: list[str],
    planner: Planner,
    cache: RunCache,
    check: Callable[[list[Path], list[str], list[str | ReadProblem]], list[Any]],
    make_outcome: Callable[..., Any],
) -> list[Any]:
    """The outcome of each standalone file: from the cache when its key matches, else from
    ``check(paths, names, texts)`` over the misses (the texts already read, so that the findings
    stored are those of the bytes keyed)."""
    outcomes: list[Any] = [None] * len(files)
    misses: list[tuple[int, Path, str, str | ReadProblem, str]] = []
    for index, (path, name) in enumerate(zip(files, shown, strict=True)):
        source = planner.read(path)
        plan = planner.plan_for(path)
        key = digest(name, _fingerprint(cache, plan), text_digest(source))
        entry = cache.file_entry(name, key)
        try:
            if entry is not None:
                violations = decode_violations(entry["v"])
                quoted = source if isinstance(source, str) and violations else None
                fail_on = planner.config_for(path).fail_on
                origin = entry["o"] if isinstance(entry["o"], str) else "default"
                outcomes[index] = make_outcome(
                    name, violations, fail_on, frozenset(strings(entry["n"])), plan, origin, quoted
                )
                continue
        except (KeyError, ValueError):
            pass  # a malformed entry is a miss
        misses.append((index, path, name, source, key))
    checked = check([m[1] for m in misses], [m[2] for m in misses], [m[3] for m in misses]) if misses else []
    for (index, _, name, source, key), outcome in zip(misses, checked, strict=True):
        outcomes[index] = outcome
        if not (isinstance(source, str) and _may_name_snapshot(source.encode("utf-8", errors="replace"))):
            entry = {
                "v": encode_violations(outcome.violations),
                "n": sorted(outcome.not_run),
                "o": outcome.dialect_origin,
            }
            cache.keep_file(name, key, entry)
    return [outcome for outcome in outcomes if outcome is not None]


def cached_project(
    root: Path,
    planner: Planner,
    cache: RunCache,
    load: Callable[[Path, Planner], Any],
    check: Callable[[Any, Path, Planner], ProjectResult],
    display: Callable[[Path], str],
) -> ProjectResult:
    """What :func:`~wsync_lint.engine.runner.check_project` gives for the project at ``root``: from
    the cache when its key and every dependency match, else loaded (``load(root, planner)``),
    checked (``check(project, root, planner)``) and kept; ``display`` shows a path as reports do."""
    from wsync_lint.project.project import Project, payload_candidates
    from wsync_lint.project.resources import Kind

    candidates = list(payload_candidates(root, planner.roots))
    if not candidates:  # what load_project gives: nothing to read, nothing worth keeping
        return check(Project(root), root, planner)
    name = str(root)
    key = digest(name, _fingerprint(cache, planner.config_for(root / "-")), *(str(p) for p in candidates))
    found = cache.project_entry(name, key)
    if found is not None:
        dependencies, entry = found
        try:
            if all(
                _dependency(kind, Path(path), planner, root, cache)[0] == value for path, kind, value in dependencies
            ):
                result = _project_result(entry, planner)
                cache.keep_project(name, key, dependencies, entry, new=False)
                return result
        except (TypeError, ValueError, KeyError, UsageError):
            pass  # a malformed entry, or a path no longer usable, is a miss
    project = load(root, planner)
    result = check(project, root, planner)
    named = [("payload", path) for path in candidates]
    # A file a data model names but that is not read (CN03: missing, outside, no regular file) is a
    # dependency too: creating it changes the findings.
    named += [
        ("model" if sql.problem is None else "refused", sql.file)
        for model in project.of_kind(Kind.DATA_MODEL)
        if (sql := project.model_sql(model)) and sql.file
    ]
    dependencies, cacheable = [], True
    try:
        named.append(("schemas", planner.config_for(root / "-").schema_folder(root)))
        for kind, path in named:
            value, names_snapshot = _dependency(kind, path, planner, root, cache)
            dependencies.append([str(path), kind, value])
            cacheable = cacheable and not names_snapshot
    except UsageError:  # a path the configuration cannot be looked up for: checked every time
        cacheable = False
    if cacheable:
        cache.keep_project(name, key, dependencies, _project_entry(result, project, display), new=True)
    return result


def _dependency(kind: str, path: Path, planner: Planner, root: Path, cache: RunCache) -> tuple[str, bool]:
    """The digest of one thing a project run read, and whether it may name a snapshot itself."""
    if kind == "schemas":
        return _snapshot_folder(path), False
    if kind == "refused":
        return file_digest(path, DEFAULT_MAX_FILE_SIZE, root), False
    if kind not in ("payload", "model"):
        raise ValueError(kind)
    config = planner.config_for(path)
    data = read_bounded(path, config.max_file_size, inside=root)
    plan = _fingerprint(cache, planner.plan_for(path))
    may_hold_text = kind == "model" or path.suffix.lower() in PAYLOAD_SUFFIXES
    names_snapshot = may_hold_text and isinstance(data, bytes) and _may_name_snapshot(data)
    return digest(read_digest(data), plan, _fingerprint(cache, config)), names_snapshot


def _snapshot_folder(folder: Path) -> str:
    """The snapshots a pipeline's connection may name: every file of the folder, where it leads and
    its bytes (a folder that appears or changes is a miss)."""
    from wsync_lint.sql.snapshots import MAX_SNAPSHOT_SIZE

    try:
        names = sorted(os.listdir(folder))
    except OSError as error:
        return digest("no folder", type(error).__name__)
    parts = [
        (name, os.path.realpath(folder / name), file_digest(folder / name, MAX_SNAPSHOT_SIZE, None)) for name in names
    ]
    return digest(*(part for triple in parts for part in triple))


def _project_entry(result: ProjectResult, project: Any, display: Callable[[Path], str]) -> dict[str, Any]:
    outcome, payloads, sources = result
    locations = {shown: str(location) for shown, location in project.locations.items()}
    locations.update({display(path): str(path) for path in outcome.checked_sql})
    quoted = {v.path for v in outcome.violations}
    return {
        "violations": encode_violations(outcome.violations),
        "checked_sql": sorted(str(p) for p in outcome.checked_sql),
        "not_run": sorted(outcome.not_run),
        "refused": sorted(str(p) for p in outcome.refused),
        "analysed": [
            [shown, locations[shown], None if plan.bound is None else dataclasses.asdict(plan.bound), origin]
            for shown, plans in outcome.analysed.items()
            for plan, origin in plans
        ],
        "unread_payloads": list(outcome.unread_payloads),
        "payloads": list(payloads),
        "sources": {shown: text for shown, text in sources.items() if shown in quoted},
    }


def _project_result(entry: dict[str, Any], planner: Planner) -> ProjectResult:
    from wsync_lint.engine.project_check import ProjectOutcome
    from wsync_lint.sql.file_settings import FileSettings

    analysed: dict[str, list[tuple[FilePlan, str]]] = {}
    for shown, location, bound, origin in entry["analysed"]:
        plan = planner.plan_for(Path(location))
        if bound is not None:
            plan = dataclasses.replace(plan, bound=FileSettings(**bound))
        analysed.setdefault(str(shown), []).append((plan, str(origin)))
    sources = entry["sources"]
    if not isinstance(sources, dict) or not all(isinstance(text, str) for text in sources.values()):
        raise ValueError("sources")
    outcome = ProjectOutcome(
        violations=decode_violations(entry["violations"]),
        checked_sql={Path(p) for p in strings(entry["checked_sql"])},
        not_run=set(strings(entry["not_run"])),
        refused={Path(p) for p in strings(entry["refused"])},
        analysed=analysed,
        unread_payloads=strings(entry["unread_payloads"]),
    )
    return outcome, strings(entry["payloads"]), dict(sources)

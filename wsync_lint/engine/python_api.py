"""The Python API: lint a string or paths without the command line.

Importable from the package itself (``from wsync_lint import lint_string, lint_paths``), which
loads this module only when one of the two is first used.

>>> from wsync_lint import lint_string
>>> [v.code for v in lint_string("SELECT email FROM mp.crm.users;", select=["ST03"])]
['ST03']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from wsync_lint.contract.rule import Violation
from wsync_lint.engine.config import parse_rule_tables, validate_setting
from wsync_lint.engine.model_check import FilePlan, check_source
from wsync_lint.engine.registry import selected_codes, validate_selectors
from wsync_lint.engine.run_result import RunOptions, RunResult
from wsync_lint.sql.file_settings import FileSettings
from wsync_lint.sql.reading import decode_source


def lint_string(
    sql: str | bytes,
    *,
    dialect: str = "snowflake",
    select: str | Iterable[str] | None = None,
    pipeline_type: str | None = None,
    iterator_field: str | None = None,
    iterator_data_type: str | None = None,
    rule_options: Mapping[str, Mapping[str, Any]] | None = None,
    path: str = "<string>",
    schema: str | None = None,
) -> list[Violation]:
    """Lint one model's text; ``select`` limits the rules (default: the default set).

    Directive comments in the text apply, except that ``dialect`` always wins. ``schema`` is the
    path of a schema snapshot file (rules that need one do not run without it). ``rule_options``
    maps a rule's code or name to its options (and ``severity``), as ``[tool.wsync-lint.rules]``
    does. A bad value raises :class:`~wsync_lint.errors.UsageError`, as the command line would.
    """
    selectors = _selectors(select, "select")
    settings = {"dialect": dialect, "pipeline_type": pipeline_type, "iterator_field": iterator_field}
    settings |= {"iterator_data_type": iterator_data_type, "schema": schema}
    for key, value in settings.items():
        if value is not None:
            validate_setting(key, value, key)
    plan = FilePlan(
        codes=selected_codes(selectors, (), ()),
        settings=FileSettings(dialect, pipeline_type, iterator_field, iterator_data_type, schema),
        forced_dialect=dialect,
        rule_configs=parse_rule_tables(dict(rule_options or {}), "rule_options"),
    )
    source = decode_source(sql.encode("utf-8") if isinstance(sql, str) else sql)
    return check_source(source, path, plan)


def lint_paths(
    paths: Iterable[str | Path],
    *,
    dialect: str | None = None,
    select: str | Iterable[str] | None = None,
    extend_select: str | Iterable[str] = (),
    ignore: str | Iterable[str] = (),
    config: str | Path | None = None,
    jobs: int | None = 1,
) -> RunResult:
    """Check files and folders as ``wsync-lint check PATHS`` does, with the same options.

    Each path's whole project is loaded, so cross-file rules run; the result holds every finding
    (``.violations``, sorted as the command line reports them), the files checked (``.paths``) and
    the counts (``.errors``, ``.warnings``). A bad option or configuration raises
    :class:`~wsync_lint.errors.UsageError` with the message the command line would print.
    """
    if dialect is not None:
        validate_setting("dialect", dialect, "dialect")
    options = RunOptions(
        dialect=dialect,
        select=_selectors(select, "select"),
        extend_select=_selectors(extend_select, "extend_select") or (),
        ignore=_selectors(ignore, "ignore") or (),
        config_path=Path(config) if config is not None else None,
    )
    from wsync_lint.engine.runner import lint_paths as run_paths  # the projects' machinery: not for lint_string

    return run_paths([Path(path) for path in paths], options, jobs)


def _selectors(given: str | Iterable[str] | None, where: str) -> tuple[str, ...] | None:
    """Rule selectors as the command line takes them: one string (``"ST03"``, ``"ST,RF01"``) or
    several; checked, so that a typo is an error rather than a rule silently not run."""
    if given is None:
        return None
    items = [given] if isinstance(given, str) else list(given)
    selectors = tuple(part.strip() for item in items for part in item.split(",") if part.strip())
    validate_selectors(selectors, where)
    return selectors

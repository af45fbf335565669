"""The ``wsync-lint`` command line: wiring only.

Heavy modules (sqlglot, the rules) are imported inside the commands that need them, so
``wsync-lint --version`` and ``--help`` start fast. Every failure ends as an exit code from
:mod:`wsync_lint.exit_codes` with one clear line on standard error, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wsync_lint import __version__
from wsync_lint.errors import UsageError
from wsync_lint.exit_codes import ExitCode

if TYPE_CHECKING:  # annotations only: the commands import these when they run
    from datetime import datetime

    from wsync_lint.context import FileSettings, ReadProblem, SqlContext
    from wsync_lint.project import Binding, Project
    from wsync_lint.resources import Resource
    from wsync_lint.runner import Planner

F = TypeVar("F", bound=Callable[..., Any])

DIALECTS = ("snowflake", "bigquery", "redshift", "databricks")
# The names of wsync_lint.report.REPORTERS, spelled out so that `--help` and `--version` do not
# import the reporters (and sqlglot); a test keeps the two in step.
FORMATS = ("text", "json", "github", "sarif", "junit")


def _selectors(values: tuple[str, ...]) -> tuple[str, ...]:
    """Selectors from repeated and comma-separated options: ``--select ST,RF01 --select CO``."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="wsync-lint", message="%(prog)s %(version)s")
def cli() -> None:
    """Lint mParticle Warehouse Sync data models before the API or the pipeline rejects them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to check (replaces the configured set).")
@click.option("--extend-select", multiple=True, help="Rules to check in addition to the configured set.")
@click.option("--ignore", multiple=True, help="Rules not to check.")
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    help="Warehouse of standalone SQL files (beats config and directives; a model a pipeline uses is "
    "checked in its connection's warehouse).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this configuration file.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Processes to check files in [default: every CPU when there are more than 48 files, else 1].",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option("--diff", is_flag=True, help="Print the safe fixes as a unified diff instead of writing them.")
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    dialect: str | None,
    config_path: Path | None,
    exit_zero: bool,
    quiet: bool,
    statistics: bool,
    jobs: int | None,
    fix: bool,
    diff: bool,
) -> None:
    """Check data models (SQL) and payload files (JSON, YAML) under PATHS (default: the current folder).

    The whole project the PATHS belong to is loaded (everything under the nearest folder with a
    wsync-lint.toml or .git), so that cross-file rules see the pipelines, models and connections
    together; findings are reported for the files under PATHS and cross-file findings involving them.
    """
    from wsync_lint.exit_codes import exit_code_for
    from wsync_lint.report import REPORTERS
    from wsync_lint.runner import RunOptions, freeze_imports, lint_paths

    context = click.get_current_context()
    if context.obj and context.obj.get("own_process"):
        freeze_imports()
    options = RunOptions(
        dialect=dialect,
        select=_selectors(select) or None,
        extend_select=_selectors(extend_select),
        ignore=_selectors(ignore),
        config_path=config_path,
    )
    result = lint_paths(paths or (Path("."),), options, jobs)
    if fix or diff:
        from wsync_lint.fixer import fix_paths

        fixes = fix_paths(result, options, write=not diff)
        if diff:
            click.echo("".join(fixes.diffs), nl=False)
            sys.exit(int(ExitCode.FINDINGS if fixes.diffs else ExitCode.CLEAN))
        result.fixed = fixes.fixed
    if statistics:
        from wsync_lint.report.statistics import render_statistics

        report = render_statistics(result, quiet)
    elif output_format == "text" and output_file is None and _wants_colour():
        from wsync_lint.report.text import render_text

        report = render_text(result, quiet, color=True)
    else:
        report = REPORTERS[output_format](result, quiet)
    if output_file is not None:
        try:
            output_file.write_text(report, encoding="utf-8")
        except OSError as error:
            raise _Fail(f"{output_file}: cannot write the report: {error.strerror}") from None
    else:
        click.echo(report, nl=False)
    sys.exit(int(exit_code_for(result, exit_zero)))


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")), default="text", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    from wsync_lint.docs import render_rule_table, render_rules_markdown
    from wsync_lint.registry import all_rules

    render = render_rules_markdown if output_format == "markdown" else render_rule_table
    click.echo(render(all_rules()), nl=False)


@cli.command()
@click.argument("code_or_name")
def explain(code_or_name: str) -> None:
    """Show the documentation of one rule, by code (ST03) or name (trailing-semicolon)."""
    from wsync_lint.docs import render_explain
    from wsync_lint.registry import find_rule

    rule = find_rule(code_or_name)
    if rule is None:
        raise _Fail(f"unknown rule {code_or_name!r}; `wsync-lint rules` lists them")
    click.echo(render_explain(rule), nl=False)


def _project_option(target: str) -> Callable[[F], F]:
    """``--project``, for the commands that take one pipeline or model of a project."""
    return click.option(
        "--project",
        "project_path",
        type=click.Path(exists=True, path_type=Path),
        help=f"A folder (or file) of the project [default: the folder of {target} when it is a file, "
        "else the current folder].",
    )


def _model_options(command: F) -> F:
    """``--dialect``, ``--config`` and ``--format``, shared by ``render`` and ``columns``."""
    for option in reversed(
        (
            click.option(
                "--dialect",
                type=click.Choice(DIALECTS),
                help="Warehouse of a model no pipeline uses, or whose connection is not in the project.",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="Use this configuration file.",
            ),
            click.option(
                "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
            ),
        )
    ):
        command = option(command)
    return command


@cli.command()
@click.argument("target", metavar="PIPELINE_OR_MODEL")
@_project_option("PIPELINE_OR_MODEL")
@click.option("--from", "start", metavar="TS", help="Start of the sync window, e.g. 2022-10-30T11:00:16Z.")
@click.option("--until", metavar="TS", help="End of the sync window, e.g. 2022-10-30T12:00:16Z.")
@_model_options
def render(
    target: str,
    project_path: Path | None,
    start: str | None,
    until: str | None,
    dialect: str | None,
    config_path: Path | None,
    output_format: str,
) -> None:
    """Print the queries mParticle runs for a pipeline or data model, in its warehouse's SQL.

    PIPELINE_OR_MODEL is a pipeline id, a data model id (`pipeline:ID` or `model:ID` when both
    share the id), a payload file holding one pipeline or data model, or a .sql file a data
    model links. A model is rendered once per pipeline that uses it: the row count over the
    sync window, the LIMIT 0 column probe and the sync run.
    """
    import json
    from datetime import UTC, datetime

    from wsync_lint import wrappers

    start_at = _timestamp_option("--from", start)
    until_at = _timestamp_option("--until", until)
    if start_at is not None and until_at is not None and start_at > until_at:
        raise _Fail(f"--from {start} is after --until {until}")
    planner, project, targets = _load_targets(target, project_path, dialect, config_path)
    now = datetime.now(UTC)
    renderings = []
    for model, bindings in targets:
        text, shown, location = _model_text(project, model, planner)
        if not bindings:
            renderings.append(
                wrappers.render_unused_model(model.id, text, _model_dialect(text, shown, location, planner))
            )
            continue
        for binding in bindings:
            model_dialect = binding.dialect or _model_dialect(text, shown, location, planner)
            rendering = wrappers.render_pipeline(
                binding.pipeline.data,
                model.id,
                text,
                model_dialect,
                binding.connection.id if binding.connection is not None else None,
                now,
                start_at,
                until_at,
            )
            if binding.dialect is None:
                rendering.notes.insert(0, _no_warehouse_note(binding, model_dialect))
            renderings.append(rendering)
    if output_format == "json":
        click.echo(json.dumps([r.as_json() for r in renderings], indent=2))
    else:
        click.echo("".join(r.as_text() for r in renderings).rstrip("\n"))


@cli.command()
@click.argument("target", metavar="MODEL_OR_PIPELINE")
@_project_option("MODEL_OR_PIPELINE")
@_model_options
def columns(
    target: str, project_path: Path | None, dialect: str | None, config_path: Path | None, output_format: str
) -> None:
    """Print what mParticle makes of each output column of a data model: name, type and role.

    MODEL_OR_PIPELINE is a data model id, a pipeline id (`model:ID` or `pipeline:ID` when both
    share the id), a payload file holding one pipeline or data model, or a .sql file (a data
    model's, else shown alone with its directive comment). A model is shown once per pipeline that
    uses it: each column's name after the
    warehouse's case folding, its type where the schema snapshot (the connection's
    <schema-dir>/<connection-id>.json, or the model's `schema=` directive) or the SQL tells it, and
    its role: user or device identity, iterator, custom attribute, or for an events pipeline the
    field transformation's mapping.
    """
    import json

    from wsync_lint.columns_report import ColumnsReport, column_rows
    from wsync_lint.facts import PIPELINE_TYPE_EVENTS
    from wsync_lint.resources import Kind
    from wsync_lint.runner import display_path, snapshot_path

    planner, project, targets = _load_targets(target, project_path, dialect, config_path, standalone_sql=True)
    config = planner.config_for(project.root / "-")
    reports = []
    if not targets:  # a .sql file no data model links: checked with its own settings
        from wsync_lint.context import ReadProblem
        from wsync_lint.source import read_source

        path = Path(target)
        shown = display_path(path)
        text = read_source(path, planner.config_for(path).max_file_size)
        if isinstance(text, ReadProblem):
            raise _Fail(f"{shown}: {text.message}")
        context = _model_context(text, shown, path, planner, None)
        report = ColumnsReport(None, context.settings.dialect, sql_file=shown)
        report.pipeline_type = context.settings.pipeline_type
        report.iterator_field = context.settings.iterator_field
        report.iterator_data_type = context.settings.iterator_data_type
        notes = []
        if context.settings.schema is not None:
            report.schema = display_path(Path(context.settings.schema))
        else:
            notes.append(
                "no schema snapshot (a `-- wsync-lint: schema=...` comment in the model names one): types are "
                "known only where the SQL tells them (casts, functions)"
            )
        report.rows, row_notes = column_rows(context, None)
        report.notes = notes + row_notes
        reports.append(report)
    for model, bindings in targets:
        text, shown, location = _model_text(project, model, planner)
        for binding in bindings or [None]:
            notes = []
            if binding is None:
                context = _model_context(text, shown, location, planner, None)
                report = ColumnsReport(model.id, context.settings.dialect)
                missing = "no schema snapshot (a `-- wsync-lint: schema=...` comment in the model names one)"
            else:
                model_dialect = binding.dialect or _model_dialect(text, shown, location, planner)
                bound = binding.settings(model_dialect, snapshot_path(project.root, config, binding))
                context = _model_context(text, shown, location, planner, bound)
                connection = binding.connection.id if binding.connection is not None else None
                report = ColumnsReport(model.id, model_dialect, binding.pipeline.id, connection)
                if binding.dialect is None:
                    notes.append(_no_warehouse_note(binding, model_dialect))
                base = config.path.parent if config.path is not None else project.root
                expected = base / config.schema_dir / f"{connection}.json"
                missing = (
                    f"no schema snapshot {display_path(expected)}"
                    if connection is not None
                    else "no schema snapshot (the connection is not in the project)"
                )
            settings = context.settings
            report.pipeline_type = settings.pipeline_type
            report.iterator_field = settings.iterator_field
            report.iterator_data_type = settings.iterator_data_type
            mappings = None
            if binding is not None and settings.pipeline_type == PIPELINE_TYPE_EVENTS:
                wanted = binding.pipeline.get("field_transformation_id")
                transformation = project.find(Kind.FIELD_TRANSFORMATION, wanted)
                found = transformation.get("mappings") if transformation is not None else None
                if isinstance(found, list):
                    mappings = found
                else:
                    notes.append(
                        f"field transformation {wanted!r} is not in the project: the columns' mappings are unknown"
                        if isinstance(wanted, str)
                        else "the pipeline names no field_transformation_id: the columns are not mapped"
                    )
            if settings.schema is not None:
                report.schema = display_path(Path(settings.schema))
            else:
                notes.append(f"{missing}: types are known only where the SQL tells them (casts, functions)")
            rows, row_notes = column_rows(context, mappings)
            report.rows = rows
            report.notes = notes + row_notes
            reports.append(report)
    if output_format == "json":
        click.echo(json.dumps([r.as_json() for r in reports], indent=2))
    else:
        click.echo("\n".join(r.as_text() for r in reports).rstrip("\n"))


def _timestamp_option(name: str, value: str | None) -> datetime | None:
    if value is None:
        return None
    from wsync_lint.facts import TIMESTAMP_EXAMPLE
    from wsync_lint.wrappers import parse_timestamp

    parsed = parse_timestamp(value.strip())
    if parsed is None:
        raise _Fail(f"{name}: expected a UTC timestamp like {TIMESTAMP_EXAMPLE}, got {value!r}")
    return parsed


def _load_targets(
    target: str,
    project_path: Path | None,
    dialect: str | None,
    config_path: Path | None,
    standalone_sql: bool = False,
) -> tuple[Planner, Project, list[tuple[Resource, list[Binding]]]]:
    """The project a PIPELINE_OR_MODEL argument belongs to (``--project``, else the file's folder,
    else the current folder) and the data models it names, each with the pipelines that run it.
    With ``standalone_sql``, a .sql file no data model links names nothing (an empty list)
    instead of being an error."""
    from wsync_lint.project import project_root
    from wsync_lint.runner import Planner, RunOptions, load_project

    planner = Planner(RunOptions(dialect=dialect, config_path=config_path))
    named = Path(target)
    anchor = project_path if project_path is not None else (named if named.is_file() else Path("."))
    project = load_project(project_root(anchor), planner)
    return planner, project, _targets(project, target, standalone_sql)


def _targets(project: Project, target: str, standalone_sql: bool = False) -> list[tuple[Resource, list[Binding]]]:
    """The data models PIPELINE_OR_MODEL names, each with the pipelines that run it."""
    from wsync_lint.project import Binding
    from wsync_lint.resources import Kind

    pipelines = project.of_kind(Kind.PIPELINE)
    models = project.of_kind(Kind.DATA_MODEL)

    def of_model(model: Resource) -> tuple[Resource, list[Binding]]:
        return model, [b for b in project.bindings() if b.model is model]

    def of_pipeline(pipeline: Resource) -> tuple[Resource, list[Binding]]:
        model = project.find(Kind.DATA_MODEL, pipeline.get("data_model_id"))
        if model is None:
            wanted = pipeline.get("data_model_id")
            raise _Fail(
                f"pipeline {pipeline.id or '(no id)'} runs data model {wanted!r}, which is not in the project at "
                f"{project.root}"
                if isinstance(wanted, str)
                else f"pipeline {pipeline.id or '(no id)'} names no data_model_id"
            )
        connection = project.find(Kind.CONNECTION, pipeline.get("connection_id"))
        return model, [Binding(pipeline, model, connection)]

    path = Path(target)
    if path.is_file():
        resolved = path.resolve()
        if path.suffix.lower() == ".sql":
            linked = [m for m in models if (sql := project.model_sql(m)) is not None and sql.file == resolved]
            if not linked and standalone_sql:
                return []
            if not linked:
                raise _Fail(
                    f"{target}: no data model of the project at {project.root} links this file (config.sql_file)"
                )
            return [of_model(model) for model in linked]
        shown = next((s for s, location in project.locations.items() if location.resolve() == resolved), None)
        if shown is None:
            raise _Fail(f"{target} is no payload file of the project at {project.root}")
        inside = [r for r in (*pipelines, *models) if r.path == shown]
        if len(inside) != 1:
            held = (
                f"{sum(r.kind is Kind.PIPELINE for r in inside)} pipelines and "
                f"{sum(r.kind is Kind.DATA_MODEL for r in inside)} data models"
            )
            raise _Fail(f"{target} holds {held}, not exactly one: name a pipeline or data model by id")
        return [of_pipeline(inside[0]) if inside[0].kind is Kind.PIPELINE else of_model(inside[0])]

    if path.suffix.lower() in (".sql", ".json", ".yaml", ".yml") or "/" in target or os.sep in target:
        raise _Fail(f"{target}: no such file")
    kind, _, wanted = target.partition(":") if ":" in target else ("", "", target)
    if kind not in ("", "pipeline", "model", "data_model", "data-model"):
        kind, wanted = "", target
    found_pipelines = [p for p in pipelines if p.id == wanted] if kind in ("", "pipeline") else []
    found_models = [m for m in models if m.id == wanted] if kind in ("", "model", "data_model", "data-model") else []
    found = found_pipelines + found_models
    if len(found) == 1:
        return [of_pipeline(found[0]) if found_pipelines else of_model(found[0])]
    if found_pipelines and found_models:
        raise _Fail(f"{wanted!r} is both a pipeline and a data model: write pipeline:{wanted} or model:{wanted}")
    if found:
        files = ", ".join(sorted({r.path for r in found}))
        raise _Fail(f"{len(found)} {found[0].kind.display}s have the id {wanted!r} ({files}): name the payload file")
    known_pipelines = ", ".join(sorted({p.id for p in pipelines if p.id})) or "none"
    known_models = ", ".join(sorted({m.id for m in models if m.id})) or "none"
    raise _Fail(
        f"no pipeline or data model {wanted!r} in the project at {project.root} "
        f"(pipelines: {known_pipelines}; data models: {known_models})"
    )


def _model_text(project: Project, model: Resource, planner: Planner) -> tuple[str, str, Path]:
    """The model's SQL, where it is shown as, and the file whose configuration applies to it."""
    from wsync_lint.context import ReadProblem
    from wsync_lint.runner import read_model

    sql = project.model_sql(model)
    if sql is None:
        raise _Fail(f"data model {model.id or '(no id)'} ({model.path}) has no config.sql_query or config.sql_file")
    text, shown, location = read_model(project, sql, planner)
    if isinstance(text, ReadProblem):
        raise _Fail(f"{shown} (config.sql_file of data model {model.id or '(no id)'}): {text.message}")
    return text, shown, location


def _model_dialect(text: str, shown: str, location: Path, planner: Planner) -> str:
    """The warehouse of a model that no connection decides: --dialect, its directive comment, configuration."""
    return _model_context(text, shown, location, planner, None).settings.dialect


def _model_context(text: str, shown: str, location: Path, planner: Planner, bound: FileSettings | None) -> SqlContext:
    """The model parsed as the engine parses it: for the pipeline that runs it (``bound``), else with
    its directive comment and configuration."""
    from wsync_lint.engine import FilePlan, analyse_source

    plan = planner.plan_for(location)
    _, context = analyse_source(text, shown, FilePlan(frozenset(), plan.settings, plan.forced_dialect, {}, bound))
    return context


def _no_warehouse_note(binding: Binding, model_dialect: str) -> str:
    from wsync_lint.warehouses import WAREHOUSES

    display = WAREHOUSES[model_dialect].display
    if binding.connection is None:
        wanted = binding.pipeline.get("connection_id")
        return f"connection {wanted!r} is not in the project: shown as {display} SQL (--dialect, directive or config)"
    provider = binding.connection.get("service_provider")
    return f"service_provider {provider!r} names no known warehouse: shown as {display} SQL"


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--databricks-share",
    metavar="NAME",
    help="The Delta Sharing share for mParticle [default: the documented pattern, to be replaced].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this configuration file.",
)
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
def grants(paths: tuple[Path, ...], databricks_share: str | None, config_path: Path | None, output_format: str) -> None:
    """Print the GRANT, IAM and share statements each connection needs for the tables its models read.

    The projects of PATHS (default: the current folder) are loaded whole; one block per connection
    that a pipeline uses, with the role, user or service account from the connection's config.
    """
    import json

    from wsync_lint.grants import grant_report
    from wsync_lint.project import project_roots
    from wsync_lint.runner import Planner, RunOptions, load_project, read_model

    if databricks_share is not None and not databricks_share.strip():
        raise _Fail("--databricks-share: the share name is empty")
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    planner = Planner(RunOptions(config_path=config_path))
    owners: dict[int, Project] = {}
    bindings: list[Binding] = []
    for root in project_roots(paths or (Path("."),)):
        project = load_project(root, planner)
        for binding in project.bindings():
            owners[id(binding.model)] = project
            bindings.append(binding)

    def read_sql(model: Resource) -> tuple[str, str | ReadProblem] | None:
        project = owners[id(model)]
        sql = project.model_sql(model)
        if sql is None:
            return None
        text, shown, _ = read_model(project, sql, planner)
        return (shown if sql.file is not None else f"{shown} (config.sql_query)"), text

    report = grant_report(bindings, read_sql, databricks_share.strip() if databricks_share else None)
    if not report.blocks:
        shown = " ".join(str(path) for path in paths) or "."
        reason = report.notes[0] if report.notes else "no pipeline names a data model of the project"
        raise _Fail(f"nothing to grant in {shown}: {reason}")
    if output_format == "json":
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        click.echo(report.as_text(), nl=False)


def _wants_colour() -> bool:
    """Colour only for a person at a terminal who has not asked for none (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


class _Fail(Exception):
    """A usage problem found by the CLI itself."""


def _add_live_commands() -> None:
    from wsync_lint.cli_live import preflight, schema

    cli.add_command(preflight)
    cli.add_command(schema)


_add_live_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into an exit code and one line.

    ``argv`` None means this process runs for the command line alone (the ``wsync-lint`` script,
    ``python -m wsync_lint``), so it may tune the process for one batch and exit; a caller that
    passes ``argv`` (tests, embedding) keeps its process as it is.
    """
    try:
        cli.main(args=argv, prog_name="wsync-lint", standalone_mode=False, obj={"own_process": argv is None})
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(int(ExitCode.ERROR))
    except click.exceptions.Abort:
        click.echo("wsync-lint: aborted", err=True)
        sys.exit(int(ExitCode.ERROR))
    except (_Fail, UsageError) as error:
        click.echo(f"wsync-lint: error: {error}", err=True)
        sys.exit(int(ExitCode.ERROR))
    except BrokenPipeError:
        # The reader went away (`wsync-lint check | head`): stop quietly, as other CLI tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.FINDINGS))
    except RecursionError:
        click.echo("wsync-lint: internal error: input nests too deeply to analyse", err=True)
        sys.exit(int(ExitCode.ERROR))
    except Exception as error:  # a bug: say so in one line, never a traceback
        click.echo(f"wsync-lint: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(int(ExitCode.ERROR))
    sys.exit(int(ExitCode.CLEAN))

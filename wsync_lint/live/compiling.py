"""The model compiled in the warehouse alone and in mParticle's wrappers (LV01), refusals placed in the model."""

from __future__ import annotations

from datetime import datetime

from wsync_lint.contract.live_context import MODEL, Rejection, ResultColumn
from wsync_lint.live.backend import LiveSettings, Session, WarehouseRejected
from wsync_lint.live.planning import Work
from wsync_lint.live.sessions import within
from wsync_lint.live.statements import NotReadOnly, ReadOnlyQuery, read_only
from wsync_lint.project.project import Binding
from wsync_lint.sql.positions import LineIndex, Span
from wsync_lint.sql.rendering import render_pipeline


def compile_pipeline(
    session: Session,
    settings: LiveSettings,
    timeout: float,
    work: Work,
    binding: Binding,
    text: str,
    model_query: ReadOnlyQuery,
    now: datetime,
) -> tuple[list[Rejection], list[ResultColumn]]:
    """The warehouse's refusals of the model alone, else of each wrapper around it (compiled, no rows
    read); and the model's result columns as the warehouse described them (none when it refused it)."""
    try:
        columns = within(timeout, lambda: session.describe(model_query))
    except WarehouseRejected as error:
        return [rejection(settings, MODEL, text, text, error)], []
    rendering = render_pipeline(binding.pipeline.data, binding.model.id, text, work.dialect, work.connection_id, now)
    rejections = []
    for wrapper in rendering.queries:
        try:
            query = read_only(wrapper.sql, work.dialect)
            within(timeout, lambda q=query: session.describe(q))
        except NotReadOnly as error:
            rejections.append(Rejection(wrapper.title, f"not sent: {error}", model_start(text)))
        except WarehouseRejected as error:
            rejections.append(rejection(settings, wrapper.title, wrapper.sql, text, error))
    return rejections, columns


def rejection(settings: LiveSettings, statement: str, sent: str, text: str, error: WarehouseRejected) -> Rejection:
    """The refusal of ``sent``, placed at its position in the model ``text`` (which ``sent`` contains)."""
    message = settings.redact(error.message)
    if error.line is None:
        return Rejection(statement, message, model_start(text))
    lines = LineIndex(sent)
    offset = lines.offset(error.line, error.column or 1)
    model = text.strip()
    begin = sent.find(model)
    if begin < 0 or not begin <= offset <= begin + len(model):
        # The error is in mParticle's part of the wrapper (often caused by the model's end).
        end = len(text.rstrip())
        return Rejection(statement, message, Span(max(0, end - 1), end), positioned=True)
    start = len(text) - len(text.lstrip()) + offset - begin
    return Rejection(statement, message, Span(start, min(start + 1, len(text))), positioned=True)


def model_start(text: str) -> Span:
    """The model's first line (where a finding with no better place points)."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    return Span(start, end if end > start else max(start + 1, len(text.rstrip())))

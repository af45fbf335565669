"""The model's output column that mParticle's iterator names, with its type (SY04, SY06).

mParticle filters the model's result with ``WHERE <iterator_field> BETWEEN ...``, the iterator
written unquoted (GAP-8): the column it names is the one the warehouse's folding of it resolves to
(:func:`wsync_lint.analysis.iterators.resolves`).
"""

from __future__ import annotations

from wsync_lint.analysis.attributes import identity_candidate, item_spans
from wsync_lint.analysis.iterators import resolves
from wsync_lint.analysis.type_inference import output_type
from wsync_lint.analysis.typed_outputs import TypedOutput, typed_outputs
from wsync_lint.contract.sql_context import SqlContext


def iterator_output(ctx: SqlContext) -> TypedOutput | None:
    """The output column mParticle's ``WHERE <iterator_field> BETWEEN ...`` names, compared as
    the warehouse folds the unquoted iterator (GAP-8); None without an iterator or when no
    output column is it (a column of a ``*`` counts when the snapshot expands it)."""
    iterator = (ctx.settings.iterator_field or "").strip()
    if not iterator:
        return None
    for query in ctx.queries:
        columns = ctx.outputs(query)
        for column in columns:  # named columns first: only the iterator's type is needed
            name = None if column.is_star else identity_candidate(column, ctx.warehouse, ctx.text)
            if name is not None and resolves(ctx.warehouse, iterator, name):
                spans = item_spans(ctx, query)
                span = spans[column.index] if column.index < len(spans) else None
                return TypedOutput(name, output_type(ctx, query, column), column, span=span)
        if any(column.is_star for column in columns):
            for output in typed_outputs(ctx, query):
                if output.expanded and output.name is not None and resolves(ctx.warehouse, iterator, output.name):
                    return output
    return None

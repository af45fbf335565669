"""What ``preflight --sample`` and ``--cost`` measured, as every format shows it.

The ``json`` and ``sarif`` formats carry one object per pipeline (:func:`pipeline_objects`, a
documented contract: counts only, a script divides); ``text``, ``concise`` and ``junit`` print a
table per kind (:func:`figure_lines`); ``github`` one notice per pipeline and kind
(:func:`notices`). Pipeline ids, column names, values and the warehouse's messages are quoted from
files or the warehouse, so each goes through :func:`~wsync_lint.printable.one_line` here, where it
is printed: a value cannot forge a line of the report.

The reporters import this module only when a run has figures: ``check`` never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wsync_lint.printable import dollars, figure_text, one_line, size_text

if TYPE_CHECKING:
    from wsync_lint.contract.live_figures import IteratorSample, PipelineFigures, Sample, ScanCost

_UNKNOWN = "n/a"
_PIPELINE_WIDTH = 30
"""Widest pipeline id the cost table keeps on its row; a longer one gets a line of its own, so
that one long id does not push every row past the width of a terminal."""


# -- the JSON objects (json and sarif)


def pipeline_objects(figures: Sequence[PipelineFigures]) -> list[dict[str, Any]]:
    """One object per pipeline, fields in the documented order; ``sample``/``cost`` null when not asked."""
    return [
        {
            "pipeline": figure.pipeline,
            "path": figure.path,
            "connection": figure.connection,
            "warehouse": figure.warehouse,
            "sample": None if figure.sample is None else _sample_object(figure.sample),
            "cost": None if figure.cost is None else _cost_object(figure.cost),
            "not_measured": list(figure.not_measured),
        }
        for figure in figures
    ]


def _sample_object(sample: Sample) -> dict[str, Any]:
    iterator = sample.iterator
    return {
        "limit": sample.limit,
        "of": sample.what,
        "rows": sample.rows,
        "unidentified": sample.unidentified,
        "identities": [
            {
                "column": identity.column,
                "identity": identity.identity,
                "form": identity.form,
                "nulls": identity.nulls,
                "malformed": identity.malformed,
            }
            for identity in sample.identities
        ],
        "iterator": None if iterator is None else _iterator_object(iterator),
    }


def _iterator_object(iterator: IteratorSample) -> dict[str, Any]:
    magnitudes = iterator.magnitudes
    return {
        "column": iterator.column,
        "data_type": iterator.data_type,
        "rows": iterator.rows,
        "nulls": iterator.nulls,
        "min": iterator.minimum,
        "max": iterator.maximum,
        "future": iterator.future,
        "magnitudes": None
        if magnitudes is None
        else {"seconds": magnitudes[0], "milliseconds": magnitudes[1], "microseconds": magnitudes[2]},
    }


def _cost_object(cost: ScanCost) -> dict[str, Any]:
    monthly = cost.monthly
    monthly_cost = cost.monthly_cost
    return {
        "window": cost.window,
        "scanned_bytes": cost.scanned,
        "source": cost.source,
        "unavailable": cost.unavailable,
        "every_row_bytes": cost.every_row,
        "prunes_nothing": cost.prunes_nothing,
        "pruning_keys": list(cost.pruning_keys),
        "schedule": cost.schedule,
        "runs_per_month": None if cost.runs_per_month is None else _number(cost.runs_per_month),
        "monthly_bytes": None if monthly is None else round(monthly),  # bytes are whole
        "price_per_tib": cost.price_per_tib,
        "price_source": cost.price_source,
        "monthly_cost": None if monthly_cost is None else round(monthly_cost, 2),
    }


def _number(value: float) -> int | float:
    """``720`` rather than ``720.0`` for a whole number of runs; a weekly schedule's stays a fraction."""
    return int(value) if float(value).is_integer() else value


# -- figures in words (text, concise, junit and github)


def count_text(part: int, whole: int) -> str:
    """A count with its share of ``whole`` as a percent with one decimal: ``1,204 (12.0%)``; the
    count alone when ``whole`` is 0 (a share of nothing is no figure).

    >>> count_text(1204, 10033), count_text(0, 0)
    ('1,204 (12.0%)', '0')
    """
    if whole <= 0:
        return f"{part:,}"
    return f"{part:,} ({part / whole:.1%})"


def _runs_text(runs: float | None) -> str:
    return _UNKNOWN if runs is None else figure_text(runs)


def _price_text(cost: ScanCost) -> str | None:
    """``$6.25 per TiB (BigQuery on-demand ...)``; None when no price is configured."""
    if cost.price_per_tib is None:
        return None
    source = f" ({one_line(cost.price_source)})" if cost.price_source else ""
    return f"{dollars(cost.price_per_tib)} per TiB{source}"


def _identity_line(sample: Sample) -> str:
    """``812 rows of the first hourly sync window (...)``; ``identities not read`` when no identity
    figures were (``Not measured`` says why)."""
    if sample.what is None:
        return "identities not read"
    rows = "1 row" if sample.rows == 1 else f"{sample.rows:,} rows"
    return f"{rows} of {one_line(sample.what)}"


def _iterator_lines(iterator: IteratorSample) -> list[str]:
    """The iterator's figures: a heading, its values, and (for an epoch type) their sizes."""
    declared = f" ({one_line(iterator.data_type)})" if iterator.data_type else ""
    rows = "1 row" if iterator.rows == 1 else f"{iterator.rows:,} rows"
    if iterator.bounds_withheld is not None:
        bounds = f"min and max not read ({one_line(iterator.bounds_withheld)})"
    elif iterator.minimum is None and iterator.maximum is None:
        bounds = "no value but NULL"
    else:
        bounds = f"min {_value_text(iterator.minimum)}, max {_value_text(iterator.maximum)}"
    future = "future not checked" if iterator.future is None else f"{iterator.future:,} in the future"
    lines = [
        f"iterator {one_line(iterator.column)}{declared}, {rows} of the model:",
        f"NULL {count_text(iterator.nulls, iterator.rows)}; {bounds}; {future}",
    ]
    if iterator.magnitudes is not None:
        seconds, milliseconds, microseconds = iterator.magnitudes
        lines.append(
            f"sized as epoch seconds: {seconds:,}, milliseconds: {milliseconds:,}, microseconds: {microseconds:,}"
        )
    return lines


def _value_text(value: str | None) -> str:
    return "NULL" if value is None else one_line(value)


def _measured_line(cost: ScanCost) -> str:
    """Where the per-run figure comes from, or why there is none."""
    if cost.scanned is None:
        why = f": {one_line(cost.unavailable)}" if cost.unavailable else ""
        return f"not available ({one_line(cost.source)}){why}"
    return f"{one_line(cost.source)} of {one_line(cost.window)}"


def _pruning_lines(cost: ScanCost) -> list[str]:
    """Why a run costs what every row costs (LV07 says it too): only when the filter prunes nothing."""
    if not cost.prunes_nothing or cost.every_row is None:
        return []
    lines = [f"the iterator filter prunes nothing: one window scans as much as every row ({size_text(cost.every_row)})"]
    if cost.pruning_keys:
        lines.extend(f"  {one_line(key)}" for key in cost.pruning_keys)
    else:
        lines.append("  the warehouse reports no partitioning or clustering of the tables the model reads")
    return lines


# -- the text tables


def figure_lines(figures: Sequence[PipelineFigures]) -> list[str]:
    """The sample table, the scan table, then what was asked and not measured; no line at all
    when nothing was measured."""
    lines: list[str] = []
    sampled = [figure for figure in figures if figure.sample is not None]
    if sampled:
        lines.append(_sample_heading([figure.sample.limit for figure in sampled if figure.sample is not None]))
        for figure in sampled:
            lines.extend(_sample_block(figure))
    costed = [figure for figure in figures if figure.cost is not None]
    if costed:
        lines.append("Scan per run and per month (a 30-day month):")
        lines.extend(_cost_table(costed))
    missing = [(figure, why) for figure in figures for why in figure.not_measured]
    if missing:
        lines.append("Not measured:")
        lines.extend(f"  {one_line(figure.pipeline)}: {one_line(why)}" for figure, why in missing)
    return lines


def _sample_heading(limits: list[int]) -> str:
    low, high = min(limits), max(limits)
    most = f"{high:,}" if low == high else f"{low:,} to {high:,}"
    return f"Sample (at most {most} rows per pipeline; only counts, and the iterator's minimum and maximum, leave the warehouse):"


_IDENTITY_NUMBERS = frozenset({2, 3})
"""The identity table's columns of figures (NULL, malformed)."""


def _sample_block(figure: PipelineFigures) -> list[str]:
    sample = figure.sample
    assert sample is not None  # only sampled pipelines come here
    lines = [f"  {one_line(figure.pipeline)} ({one_line(figure.warehouse)}): {_identity_line(sample)}"]
    if sample.identities:
        rows = [["column", "identity", "NULL (of rows)", "malformed (of values set)"]]
        rows.extend(
            [
                one_line(identity.column),
                one_line(identity.identity),
                count_text(identity.nulls, sample.rows),
                count_text(identity.malformed, sample.rows - identity.nulls),
            ]
            for identity in sample.identities
        )
        lines.extend(_table(rows, "    ", _IDENTITY_NUMBERS))
        lines.append(f"    rows with no identity: {count_text(sample.unidentified, sample.rows)}")
    if sample.iterator is not None:
        heading, *details = _iterator_lines(sample.iterator)
        lines.append(f"    {heading}")
        lines.extend(f"      {detail}" for detail in details)
    return lines


_COST_HEADER = ["pipeline", "warehouse", "per run", "schedule", "runs/month", "per month", "cost/month"]
_COST_NUMBERS = frozenset({2, 4, 5, 6})
"""Columns of figures, aligned on the right."""


def _cost_table(costed: list[PipelineFigures]) -> list[str]:
    """A row per pipeline, each followed by its notes: where the figure comes from, the price,
    and why the filter prunes nothing."""
    rows = [list(_COST_HEADER)]
    notes: list[list[str]] = [[]]
    long_ids: dict[int, str] = {}
    for figure in costed:
        cost = figure.cost
        assert cost is not None  # only measured pipelines come here
        pipeline = one_line(figure.pipeline)
        if len(pipeline) > _PIPELINE_WIDTH:
            long_ids[len(rows)] = pipeline
            pipeline = ""
        rows.append(
            [
                pipeline,
                one_line(figure.warehouse),
                _UNKNOWN if cost.scanned is None else size_text(cost.scanned),
                one_line(cost.schedule),
                _runs_text(cost.runs_per_month),
                _UNKNOWN if cost.monthly is None else size_text(cost.monthly),
                _cost_cell(cost),
            ]
        )
        price = _price_text(cost)
        notes.append([_measured_line(cost), *([f"price: {price}"] if price else []), *_pruning_lines(cost)])
    lines = []
    for index, (line, row_notes) in enumerate(zip(_table(rows, "  ", _COST_NUMBERS), notes, strict=True)):
        if index in long_ids:
            lines.append(f"  {long_ids[index]}")
        lines.append(line)
        lines.extend(f"    {note}" for note in row_notes)
    return lines


def _cost_cell(cost: ScanCost) -> str:
    monthly_cost = cost.monthly_cost
    if monthly_cost is not None:
        return dollars(monthly_cost)
    return "no price" if cost.monthly is not None else _UNKNOWN


def _table(rows: list[list[str]], indent: str, right: frozenset[int]) -> list[str]:
    """Rows in columns two spaces apart (the first row is the header); the ``right`` columns (figures)
    aligned on the right."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        (
            indent
            + "  ".join(
                cell.rjust(width) if column in right else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        ).rstrip()
        for row in rows
    ]


# -- github


def notices(figures: Sequence[PipelineFigures]) -> list[tuple[str, str]]:
    """``(title, message)`` per pipeline and kind (``wsync-lint sample users-hourly``), each message
    of several lines, then one per figure not measured: the github format escapes both."""
    said: list[tuple[str, str]] = []
    for figure in figures:
        pipeline = one_line(figure.pipeline)
        if figure.sample is not None:
            said.append((f"wsync-lint sample {pipeline}", "\n".join(_sample_sentences(figure.sample))))
        if figure.cost is not None:
            said.append((f"wsync-lint cost {pipeline}", "\n".join(_cost_sentences(figure))))
        said.extend((f"wsync-lint not measured {pipeline}", one_line(why)) for why in figure.not_measured)
    return said


def _sample_sentences(sample: Sample) -> list[str]:
    sentences = [_identity_line(sample)]
    sentences.extend(
        f"{one_line(identity.column)} ({one_line(identity.identity)}): NULL {count_text(identity.nulls, sample.rows)}, "
        f"malformed {count_text(identity.malformed, sample.rows - identity.nulls)} of the values set"
        for identity in sample.identities
    )
    if sample.identities:
        sentences.append(f"rows with no identity: {count_text(sample.unidentified, sample.rows)}")
    if sample.iterator is not None:
        sentences.extend(_iterator_lines(sample.iterator))
    return sentences


def _cost_sentences(figure: PipelineFigures) -> list[str]:
    cost = figure.cost
    assert cost is not None  # only measured pipelines come here
    warehouse = one_line(figure.warehouse)
    schedule = one_line(cost.schedule)
    runs = "runs when asked" if cost.runs_per_month is None else f"{_runs_text(cost.runs_per_month)} runs a month"
    if cost.scanned is None:
        return [f"{warehouse}: {schedule}, {runs}; the bytes per run are {_measured_line(cost)}"]
    monthly = "" if cost.monthly is None else f": {size_text(cost.monthly)} a month"
    price = _price_text(cost)
    priced = f", {_cost_cell(cost)} at {price}" if price and cost.monthly_cost is not None else ""
    sentences = [
        f"{warehouse}: {size_text(cost.scanned)} per run ({_measured_line(cost)}); {schedule}, {runs}{monthly}{priced}"
    ]
    sentences.extend(line.strip() for line in _pruning_lines(cost))
    return sentences

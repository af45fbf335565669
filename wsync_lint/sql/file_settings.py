"""How a model will be used: its warehouse and, when known, its pipeline (from configuration,
directive comments or the pipeline that uses it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileSettings:
    """How a model will be used: its warehouse and, when known, its pipeline."""

    dialect: str
    pipeline_type: str | None = None
    iterator_field: str | None = None
    iterator_data_type: str | None = None
    schema: str | None = None
    """The schema snapshot's file (an absolute path), when one applies."""

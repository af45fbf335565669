"""Reading and writing files safely: every file wsync-lint reads goes through
:func:`~wsync_lint.files.reading.read_bounded` (bounded, regular files only, never out of the
project through a link), every file it writes through :mod:`~wsync_lint.files.writing`
(atomic, never through a link)."""

from wsync_lint.files.reading import (
    DEFAULT_MAX_FILE_SIZE,
    Unreadable,
    Why,
    is_within,
    may_hold,
    names_in,
    read_bounded,
    read_config_bytes,
    resolved_or_none,
)
from wsync_lint.files.writing import check_output_file, check_target, write_atomically, write_output_file

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "Unreadable",
    "Why",
    "check_output_file",
    "check_target",
    "is_within",
    "may_hold",
    "names_in",
    "read_bounded",
    "read_config_bytes",
    "resolved_or_none",
    "write_atomically",
    "write_output_file",
]

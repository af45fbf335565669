"""wsync-lint: a linter and preflight validator for mParticle Warehouse Sync data models.

Kept import-light on purpose: ``import wsync_lint`` and ``wsync-lint --version`` must not
load sqlglot or any warehouse driver. The Python API (:func:`lint_string`, :func:`lint_paths`,
from :mod:`wsync_lint.engine.python_api`) is loaded on first use.

The packages are layers, highest first; each imports only from those below it (CONTRIBUTING.md
has the map, pyproject.toml the import-linter contract): ``cli``, ``live``, ``commands``,
``report``, ``engine``, ``rules``, ``analysis``, ``contract``, ``project``, ``sql``,
``mparticle``, ``errors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsync_lint.engine.python_api import lint_paths, lint_string

__version__ = "0.1.0"

__all__ = ["__version__", "lint_paths", "lint_string"]


def __getattr__(name: str) -> Any:
    # The API pulls in sqlglot and the rules: loaded when asked for, not by `import wsync_lint`.
    if name in ("lint_string", "lint_paths"):
        from wsync_lint.engine import python_api

        return getattr(python_api, name)
    raise AttributeError(f"module 'wsync_lint' has no attribute {name!r}")

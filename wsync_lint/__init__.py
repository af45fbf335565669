"""wsync-lint: a linter and preflight validator for mParticle Warehouse Sync data models.

Kept import-light on purpose: ``import wsync_lint`` and ``wsync-lint --version`` must not
load sqlglot or any warehouse driver.
"""

__version__ = "0.1.0"

"""The live layer: preflight a project against the real warehouse, sending only reading statements.

Nothing here imports a warehouse driver at import time: each connector module
(:mod:`~wsync_lint.live.snowflake`, ``bigquery``, ``redshift``, ``databricks``) imports its driver
inside :func:`connect`, so ``import wsync_lint`` and the pre-commit path stay fast and a user
needs only the extra of the warehouse they use.

Imports :mod:`wsync_lint.commands` and every layer below it; only :mod:`wsync_lint.cli` imports it.
"""

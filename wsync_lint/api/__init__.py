"""The Warehouse Sync API layer: the client, and ``plan``, ``deploy``, ``status`` and ``import``.

The HTTP library (requests) is imported only by :mod:`wsync_lint.api.client`, and only when a
command that talks to the API runs, so ``check`` and the pre-commit hook never load it.
"""

"""The printing commands' reports: ``render``'s inputs, ``columns`` and ``grants``.

Imports only :mod:`wsync_lint.report` and below.
"""

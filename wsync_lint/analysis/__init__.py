"""What rules and commands derive from a model or payload: scopes, FROM items, columns and types
from snapshots, output attributes, iterators, payload values and shapes.

Imports only :mod:`wsync_lint.contract` and below.
"""

"""Reading a model file and its SQL: text, tokens, parse, positions, table names, output columns,
aggregates, schema snapshots and the queries mParticle wraps a model in.

Imports only :mod:`wsync_lint.mparticle` and :mod:`wsync_lint.errors`.
"""

"""The rule contract: what a rule is, what it yields, and what it sees (SQL, project, live).

Imports only :mod:`wsync_lint.project`, :mod:`wsync_lint.sql` and below; never how
configuration is parsed or how rules are run.
"""

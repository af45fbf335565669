"""The payload project: payload files, the resources they hold, the project and its links.

Imports only :mod:`wsync_lint.sql` and below.
"""

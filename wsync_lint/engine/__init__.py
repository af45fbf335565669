"""The lint engine: configuration, directive comments, the rule registry, running rules over
files and projects, safe fixes, rule documentation and the Python API.

Imports only :mod:`wsync_lint.rules` and below.
"""

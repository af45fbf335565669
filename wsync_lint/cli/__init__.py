"""The command line: one module per group of commands, wiring only.

May import every other layer; nothing imports it.
"""

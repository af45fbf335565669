"""The ground floor: mParticle's documented Warehouse Sync facts and what each warehouse does with names.

Imports nothing of wsync_lint.
"""

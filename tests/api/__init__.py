"""Tests of the Warehouse Sync API layer, against the local fake of the API (real HTTP on loopback)."""

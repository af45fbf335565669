"""The fake Warehouse Sync API, one fresh workspace per test (tests/live/standins/mparticle_api.py)."""

from tests.live.standins.mparticle_api import fake_api  # noqa: F401

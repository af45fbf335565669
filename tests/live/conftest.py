"""The stand-in fixtures, defined once for every live test module (one server per test session)."""

from tests.live.standins.bigquery import bigquery_standin  # noqa: F401
from tests.live.standins.databricks import databricks_standin  # noqa: F401
from tests.live.standins.mparticle_api import fake_api  # noqa: F401
from tests.live.standins.redshift import redshift_server_version_shim, redshift_standin  # noqa: F401
from tests.live.standins.snowflake import snowflake_standin  # noqa: F401

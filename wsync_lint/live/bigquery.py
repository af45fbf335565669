"""BigQuery connector of the live preflight, on Google's ``google-cloud-bigquery`` client (REST).

Settings come from the connection payload's ``config`` (WS-CONN-10): ``project_id`` (the project
jobs run in and the default project of table names), ``dataset_id`` (the default dataset of
unqualified table names), ``region`` (the jobs' location) and ``service_account_id`` (who needs the
grants). Credentials and overrides come from the environment, ``<ID>`` being the connection id in
upper case with every other character turned into ``_``:

- ``WSYNC_LINT_<ID>_CREDENTIALS_FILE``: a service-account key file (the JSON file whose content
  mParticle's ``service_account_key`` holds);
- otherwise Google's Application Default Credentials: ``GOOGLE_APPLICATION_CREDENTIALS``, or the
  file ``gcloud auth application-default login`` writes;
- ``WSYNC_LINT_<ID>_ENDPOINT``: the API's address instead of ``https://bigquery.googleapis.com``
  (tests, private endpoints). With an endpoint and no credentials file the client sends no
  credentials at all (a local emulator wants none).

Compiling is a dry-run query job (it reads nothing, runs nothing and costs nothing), counting is a
query job, and tables are read with ``tables.get``. BigQuery has no read-only session or
transaction mode: a single query cannot change a table (DML and scripts are other statements, which
are never sent), but it can call a remote function, which may do anything; what stops that is the
model gate and a service account that can only read. A query job is bounded by ``job_timeout_ms``
(the timeout) and labelled ``wsync-lint: preflight`` so that its cost can be traced; no byte limit is
set (``maximum_bytes_billed`` would need a figure only the user can choose). Grants (WS-GRANT-BQ-01..03): the dry run at connect proves the
permission to create jobs; ``tables.testIamPermissions`` tells whether each table can be read.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from wsync_lint.contract.live_context import GrantCheck, GrantGap, LiveTable, ResultColumn
from wsync_lint.live.backend import (
    LiveSettings,
    ScanEstimate,
    WarehouseNotTried,
    WarehouseRejected,
    WarehouseUnreachable,
    driver_missing,
    env_name,
    one_row,
)
from wsync_lint.live.bigquery_scan import NO_BYTE_FIGURE, SOURCE, pruning_line, scanned_bytes
from wsync_lint.live.statements import ReadOnlyQuery, read_only, sendable
from wsync_lint.mparticle import facts

DIALECT = "bigquery"
PUBLIC_ENDPOINT = "https://bigquery.googleapis.com"
# What reading a table takes, and the role of mParticle's setup that grants it (WS-GRANT-BQ-02/03);
# running jobs, and its role (WS-GRANT-BQ-01).
TABLE_PERMISSIONS = ("bigquery.tables.get", "bigquery.tables.getData")
TABLE_ROLE = next(role for role in facts.BIGQUERY_DATASET_ROLES if role.endswith(".dataViewer"))
JOB_PERMISSION = "bigquery.jobs.create"
(JOB_ROLE,) = facts.BIGQUERY_PROJECT_ROLES

# The client prefixes the API's message with the request: "POST https://...?prettyPrint=false: ".
_REQUEST_PREFIX = re.compile(r"^[A-Z]+ \S+: ")
_POSITION = re.compile(r"\bat \[(\d+):(\d+)\]")
# Legacy SQL names the API still returns in schemas, and their Standard SQL spelling (as
# INFORMATION_SCHEMA.COLUMNS and DDL write them).
_STANDARD_NAMES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "RECORD": "STRUCT"}
_CONNECTION_REASONS = (
    ("refused", "connection refused"),
    ("timed out", "timed out"),
    ("resolve", "host name not found"),
)


def connect(settings: LiveSettings) -> BigQuerySession:
    """A session on the connection's project, proven by a dry run of ``SELECT 1``."""
    try:
        from google.api_core.client_options import ClientOptions
        from google.cloud import bigquery
    except ImportError:
        raise driver_missing("BigQuery", "bigquery") from None

    endpoint = settings.endpoint
    credentials, default_project = _credentials(settings, bigquery.Client.SCOPE)
    project = settings.text("project_id") or default_project
    if not project:
        raise WarehouseNotTried("the connection's config has no project_id: BigQuery needs the project to run jobs in")
    client = bigquery.Client(
        project=project,
        credentials=credentials,
        client_options=ClientOptions(api_endpoint=endpoint.url) if endpoint else None,
        location=settings.text("region"),
    )
    session = BigQuerySession(settings, client, credentials)
    try:
        session.describe(read_only("SELECT 1", DIALECT))
    except WarehouseRejected as refusal:
        if JOB_PERMISSION not in refusal.message:
            session.close()
            raise WarehouseUnreachable(
                f"BigQuery at {session.where} refused a dry run of SELECT 1: {refusal.message}"
            ) from None
        # Reported by check_grants as the missing project role (WS-GRANT-BQ-01), not as no session.
        session.jobs_denied = True
    except WarehouseUnreachable:
        session.close()
        raise
    return session


def _credentials(settings: LiveSettings, scopes: Sequence[str]) -> tuple[Any, str | None]:
    """The key file's service account; else none at all for an endpoint; else Google's defaults."""
    from google.auth import exceptions as auth_errors

    key_file = settings.setting("CREDENTIALS_FILE")
    if key_file:
        from google.oauth2 import service_account

        try:
            return service_account.Credentials.from_service_account_file(key_file, scopes=scopes), None
        except (OSError, ValueError) as error:
            # The library's messages name what is wrong, never the key's content.
            message = f"the credentials file {key_file} is not a usable service-account key: {_first_line(error)}"
            raise WarehouseNotTried(settings.redact(message)) from None
    if settings.endpoint:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials(), None
    import google.auth

    try:
        return google.auth.default(scopes=scopes)
    except auth_errors.DefaultCredentialsError as error:
        variable = env_name(settings.connection_id, "CREDENTIALS_FILE")
        message = (
            f"no usable Google credentials ({_first_line(error)}): export {variable} (a service-account key file) "
            "or GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`"
        )
        raise WarehouseNotTried(settings.redact(message)) from None


class BigQuerySession:
    """An open BigQuery client; every statement it sends is a :class:`ReadOnlyQuery`."""

    def __init__(self, settings: LiveSettings, client: Any, credentials: Any) -> None:
        import requests
        from google.api_core import exceptions as api_errors
        from google.auth import exceptions as auth_errors
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery
        from google.cloud.bigquery.retry import DEFAULT_RETRY

        self._settings = settings
        self._client = client
        self._bigquery = bigquery
        # The client's own retry, cut to the timeout, so that a dead host fails fast.
        self._retry = DEFAULT_RETRY.with_timeout(settings.timeout)
        self._driver_errors = (
            api_errors.GoogleAPIError,
            auth_errors.GoogleAuthError,
            requests.exceptions.RequestException,
            TimeoutError,
        )
        dataset = settings.text("dataset_id")
        self._dataset = bigquery.DatasetReference.from_string(dataset, client.project) if dataset else None
        self.where = settings.endpoint.url if settings.endpoint else PUBLIC_ENDPOINT
        # Google answers permission tests for whoever the credentials are: the key's service account,
        # the user or machine account behind Google's defaults, or nobody (no credentials, an emulator).
        self._tested_for: str | None = getattr(credentials, "service_account_email", None)
        if self._tested_for is None and not isinstance(credentials, AnonymousCredentials):
            self._tested_for = "the account of Google's default credentials"
        self.grantee: str = settings.text("service_account_id") or self._tested_for or "the connection's credentials"
        """Who needs the grants: the connection's ``service_account_id`` (mParticle's account)."""
        self.jobs_denied = False
        """The dry run at connect was refused for want of ``bigquery.jobs.create``."""

    def describe(self, query: ReadOnlyQuery) -> list[ResultColumn]:
        """The result columns of a dry run: compiled, not run, no bytes billed."""
        job = self._query(query, dry_run=True)
        return [ResultColumn(field.name, column_type(field)) for field in job.schema or ()]

    def count(self, query: ReadOnlyQuery) -> int:
        """The number a ``SELECT COUNT(*)`` query returns."""
        rows = [tuple(row.values()) for row in self._query(query, dry_run=False)]
        if len(rows) != 1 or len(rows[0]) != 1 or not isinstance(rows[0][0], int):
            raise WarehouseRejected(f"the count query did not return one number ({len(rows)} rows)")
        return rows[0][0]

    def aggregate(self, query: ReadOnlyQuery) -> tuple[Any, ...]:
        """The one row of a query of aggregates, its values in select-list order as the client gives them."""
        return one_row([tuple(row.values()) for row in self._query(query, dry_run=False)])

    def scan(self, query: ReadOnlyQuery, tables: Sequence[LiveTable]) -> ScanEstimate:
        """The bytes a dry run of ``query`` would process, and how each table is partitioned or
        clustered (``tables.get``; a table this account cannot get gives no line)."""
        from google.api_core import exceptions as api_errors

        scanned = scanned_bytes(self._query(query, dry_run=True))
        keys: list[str] = []
        for table in tables:
            if len(table.name) != 3:  # not a table this session resolved
                continue
            try:
                found = self._client.get_table(
                    self._reference(table.name), retry=self._retry, timeout=self._settings.timeout
                )
            except (api_errors.BadRequest, api_errors.Forbidden, api_errors.NotFound):
                continue
            except self._driver_errors as error:
                raise self._failure(error) from None
            if (line := pruning_line(found)) is not None:
                keys.append(line)
        unavailable = NO_BYTE_FIGURE if scanned is None else None
        return ScanEstimate(scanned, SOURCE, unavailable=unavailable, pruning_keys=tuple(keys))

    def table(self, reference: str, parts: Sequence[str]) -> LiveTable | None:
        """``tables.get`` on the name completed with the connection's project and dataset."""
        from google.api_core import exceptions as api_errors

        name = self._full_name(parts)
        if name is None:
            return None
        try:
            found = self._client.get_table(self._reference(name), retry=self._retry, timeout=self._settings.timeout)
        except (api_errors.BadRequest, api_errors.Forbidden, api_errors.NotFound):
            return None  # an invalid name, or a table this account cannot see: to it, no such table
        except self._driver_errors as error:
            raise self._failure(error) from None
        columns = tuple(ResultColumn(field.name, column_type(field)) for field in found.schema)
        return LiveTable((found.project, found.dataset_id, found.table_id), columns)

    def check_grants(self, tables: Sequence[tuple[str, LiveTable]]) -> GrantCheck:
        """Job creation (proven by the dry run at connect) and, per table, the read permissions."""
        from google.api_core import exceptions as api_errors

        gaps: list[GrantGap] = []
        unchecked: list[str] = []
        if self.jobs_denied:
            gaps.append(GrantGap(JOB_ROLE, "project", self._client.project, self.grantee))
        for reference, table in tables:
            if len(table.name) != 3:  # not a table this session resolved
                unchecked.append(f"permissions on {reference}: not a project.dataset.table name")
                continue
            project, dataset, _ = table.name
            try:
                answer = self._client.test_iam_permissions(
                    self._reference(table.name),
                    list(TABLE_PERMISSIONS),
                    retry=self._retry,
                    timeout=self._settings.timeout,
                )
            except (api_errors.MethodNotAllowed, api_errors.MethodNotImplemented) as error:
                unchecked.append(
                    f"table permissions ({TABLE_ROLE}): BigQuery at {self.where} does not answer "
                    f"tables.testIamPermissions ({error.code})"
                )
                break
            except self._driver_errors as error:
                unchecked.append(f"permissions on {reference}: {self._failure(error)}")
                continue
            if not set(TABLE_PERMISSIONS) <= set(answer.get("permissions", ())):
                gaps.append(GrantGap(TABLE_ROLE, "dataset", f"{project}.{dataset}", self.grantee, table=reference))
        if self._tested_for is not None and self._tested_for != self.grantee:
            unchecked.append(f"permissions were tested for {self._tested_for}, not for {self.grantee}")
        return GrantCheck(tuple(gaps), tuple(unchecked))

    def close(self) -> None:
        """Close the client's HTTP session; never raises."""
        with contextlib.suppress(Exception):  # best effort: closing must not hide the run's outcome
            self._client.close()

    def _query(self, query: ReadOnlyQuery, *, dry_run: bool) -> Any:
        sendable(query, DIALECT)
        timeout = self._settings.timeout
        config = self._bigquery.QueryJobConfig(
            dry_run=dry_run, job_timeout_ms=int(timeout * 1000), labels={"wsync-lint": "preflight"}
        )
        if dry_run:
            config.use_query_cache = False  # a cached result would hide the compile
        if self._dataset is not None:
            config.default_dataset = self._dataset
        try:
            if dry_run:
                return self._client.query(
                    query.sql, job_config=config, retry=self._retry, timeout=timeout, job_retry=None
                )
            return self._client.query_and_wait(
                query.sql,
                job_config=config,
                retry=self._retry,
                api_timeout=timeout,
                wait_timeout=timeout,
                job_retry=None,
            )
        except self._driver_errors as error:
            raise self._failure(error) from None

    def _full_name(self, parts: Sequence[str]) -> tuple[str, str, str] | None:
        if len(parts) == 1:
            return (self._dataset.project, self._dataset.dataset_id, parts[0]) if self._dataset else None
        if len(parts) == 2:
            return (self._client.project, parts[0], parts[1])
        # A project id may hold dots (`example.com:project`): everything before the dataset.
        return (".".join(parts[:-2]), parts[-2], parts[-1]) if parts else None

    def _reference(self, name: Sequence[str]) -> Any:
        project, dataset, table = name
        return self._bigquery.TableReference(self._bigquery.DatasetReference(project, dataset), table)

    def _failure(self, error: BaseException) -> WarehouseRejected | WarehouseUnreachable:
        """The exception for a driver error: the warehouse refused the statement, or is out of reach."""
        from google.api_core import exceptions as api_errors
        from google.auth import exceptions as auth_errors

        redact = self._settings.redact
        if isinstance(error, api_errors.RetryError) and error.cause is not None:
            error = error.cause  # the retry gave up at the timeout: what failed last
        if isinstance(error, api_errors.GoogleAPICallError) and error.code in (400, 403, 404):
            message = redact(api_message(error))
            position = _POSITION.search(message)
            if position:
                return WarehouseRejected(message, int(position.group(1)), int(position.group(2)))
            return WarehouseRejected(message)
        if isinstance(error, api_errors.GoogleAPICallError):
            message = f"BigQuery at {self.where} answered {error.code}: {api_message(error)}"
        elif isinstance(error, auth_errors.RefreshError):
            detail = error.args[0] if error.args and isinstance(error.args[0], str) else type(error).__name__
            message = f"Google refused the credentials: {_first_line(detail)}"
        elif isinstance(error, TimeoutError):
            message = f"BigQuery at {self.where} did not answer within {self._settings.timeout:g} s"
        else:
            text = str(error).lower()
            reason = next((said for found, said in _CONNECTION_REASONS if found in text), type(error).__name__)
            # A transport error of google.auth happens on the way to a token, before any query.
            target = (
                "Google's token service"
                if isinstance(error, auth_errors.TransportError)
                else f"BigQuery at {self.where}"
            )
            message = f"cannot reach {target}: {reason}"
        return WarehouseUnreachable(redact(message))


def column_type(field: Any) -> str:
    """A schema field's type as BigQuery's DDL and INFORMATION_SCHEMA spell it: ``INT64`` for
    ``INTEGER``, ``ARRAY<STRING>`` for a repeated ``STRING``, ``STRUCT<n INT64, x FLOAT64>`` for a
    ``RECORD``, ``NUMERIC(18, 4)`` when the column has a precision."""
    name = str(field.field_type).upper()
    name = _STANDARD_NAMES.get(name, name)
    if name == "STRUCT":
        name = "STRUCT<" + ", ".join(f"{sub.name} {column_type(sub)}" for sub in field.fields) + ">"
    elif name in ("NUMERIC", "BIGNUMERIC") and field.precision is not None:
        name += f"({field.precision}, {field.scale})" if field.scale is not None else f"({field.precision})"
    elif name in ("STRING", "BYTES") and field.max_length is not None:
        name += f"({field.max_length})"
    elif name == "RANGE" and field.range_element_type is not None:
        name += f"<{field.range_element_type.element_type}>"
    return f"ARRAY<{name}>" if field.mode == "REPEATED" else name


def api_message(error: Any) -> str:
    """BigQuery's own message of an API error: its first line, without the request the client
    puts first and the job id and location it appends (``Unrecognized name: nope at [3:7]``)."""
    for detail in getattr(error, "errors", None) or ():
        if isinstance(detail, dict) and detail.get("message"):
            return _first_line(detail["message"])
    return _first_line(_REQUEST_PREFIX.sub("", getattr(error, "message", None) or str(error)))


def _first_line(text: object) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines()]
    return lines[0] if lines else ""

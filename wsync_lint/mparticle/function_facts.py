"""What warehouse functions do that matters when mParticle runs a model on every sync: the calls
that change state or hold the session (ST08; the live layer never sends a model that makes one)."""

from __future__ import annotations

# ST08 (warehouse documentation, not mParticle's: WS-SM-01, mParticle runs the model on every
# sync): calls that change state or hold the session, per warehouse, with what each call does.
# Upper-case names; a trailing `*` matches every name that starts with the rest. Redshift
# documents PG_CANCEL_BACKEND, PG_TERMINATE_BACKEND and SET_CONFIG; the other Redshift entries
# are PostgreSQL's, which Redshift lists as unsupported but "some unsupported functions will not
# return an error when run on the leader node" (and a PostgreSQL stand-in runs them all).
SIDE_EFFECT_FUNCTIONS: dict[str, dict[str, str]] = {
    "snowflake": {"SYSTEM$CANCEL_*": "cancels running queries", "SYSTEM$ABORT_*": "aborts a session or transaction",
                  "SYSTEM$WAIT": "holds the session idle", "SYSTEM$SEND_EMAIL": "sends an email"},
    "bigquery": {},
    "redshift": {"NEXTVAL": "advances a sequence", "SETVAL": "sets a sequence's value",
                 "PG_TERMINATE_BACKEND": "terminates another session", "PG_CANCEL_BACKEND": "cancels another session's query",
                 "SET_CONFIG": "changes a setting of the session", "PG_ADVISORY_*": "takes or releases an advisory lock",
                 "PG_TRY_ADVISORY_*": "takes an advisory lock", "PG_SLEEP*": "holds the session idle",
                 "LO_IMPORT": "reads a file of the database server", "LO_EXPORT": "writes a file on the database server",
                 "DBLINK_EXEC": "runs a statement in a remote database"},
    "databricks": {"REFLECT": "calls a Java method on the cluster", "TRY_REFLECT": "calls a Java method on the cluster",
                   "JAVA_METHOD": "calls a Java method on the cluster"},
}  # fmt: skip
# Snowflake: `<sequence>.NEXTVAL` "generates a set of distinct numbers" (advances the sequence).
SNOWFLAKE_SEQUENCE_NEXTVAL = ("NEXTVAL", "advances a sequence")
SIDE_EFFECT_FUNCTIONS_SOURCES: dict[str, tuple[str, ...]] = {
    "snowflake": ("https://docs.snowflake.com/en/sql-reference/functions-system",
                  "https://docs.snowflake.com/en/user-guide/querying-sequences"),
    "redshift": ("https://docs.aws.amazon.com/redshift/latest/dg/r_System_administration_functions.html",
                 "https://docs.aws.amazon.com/redshift/latest/dg/c_unsupported-postgresql-functions.html",
                 "https://www.postgresql.org/docs/current/functions-admin.html"),
    "databricks": ("https://docs.databricks.com/en/sql/language-manual/functions/reflect.html",
                   "https://docs.databricks.com/en/sql/language-manual/functions/java_method.html"),
}  # fmt: skip

"""Built-in functions each warehouse documents as computing a value and nothing else.

``wsync-lint preflight`` sends a model only when every function it calls is known to be free of
side effects (:mod:`wsync_lint.analysis.function_purity`). A function sqlglot parses into one of
its own typed classes is a built-in; these lists name the documented built-ins sqlglot leaves
untyped (``exp.Anonymous``), so that a model calling, say, Redshift's ``JSON_SERIALIZE`` is still
sent. A name missing here is not sent: precision is lost, never safety. Upper-case; a name with a
dot is a function of a documented namespace (BigQuery's ``HLL_COUNT.MERGE``).

Built from each warehouse's function reference (sources below), keeping the names sqlglot 30
leaves untyped, and from the untyped calls of the real-world corpus's single-SELECT models
(Redshift ``PG_BACKEND_PID``, Snowflake ``TO_TIMESTAMP``, ``TO_TIMESTAMP_NTZ`` and
``SYSTEM$ESTIMATE_QUERY_ACCELERATION``, BigQuery ``ERROR`` and ``NET.PUBLIC_SUFFIX``), then from
every query of the corpus (Snowflake's geospatial ``ST_*`` and ``H3_*``, ``MATCH_RECOGNIZE``'s
``MATCH_NUMBER`` and ``CLASSIFIER``, ``RESULT_SCAN``; Databricks ``IDENTIFIER`` and ``TIMEDIFF``).
Deliberately absent although built in: functions that reach outside the query (BigQuery's
``EXTERNAL_QUERY``, Databricks' ``http_request``, ``ai_query`` and ``read_files``) and
PostgreSQL's administration functions (``pg_notify``, ``lo_create``, ``txid_current`` ...).
"""

from __future__ import annotations


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


PURE_BUILTINS: dict[str, frozenset[str]] = {
    "redshift": _names("""
        ARRAY_FLATTEN BPCHARCMP BTTEXT_PATTERN_CMP BYTEA CAN_JSON_PARSE CARDINALITY CHECKSUM CRC32 DATE_CMP
        DATE_CMP_TIMESTAMP DATE_CMP_TIMESTAMPTZ DATE_PART_YEAR DEXP DIFFERENCE DLOG1 DLOG10 FNV_HASH
        FUNC_SHA1 GET_ARRAY_LENGTH GET_BIT GET_BYTE HAS_ASSUMEROLE_PRIVILEGE HAS_DATABASE_PRIVILEGE
        HAS_SCHEMA_PRIVILEGE HAS_TABLE_PRIVILEGE INTERVAL_CMP IS_BIGINT IS_BOOLEAN IS_CHAR IS_DECIMAL
        IS_FLOAT IS_INTEGER IS_OBJECT IS_SCALAR IS_SMALLINT IS_VALID_JSON IS_VALID_JSON_ARRAY IS_VARCHAR
        JSON_ARRAY_LENGTH JSON_EXTRACT_ARRAY_ELEMENT_TEXT JSON_SERIALIZE JSON_SERIALIZE_TO_VARBYTE JSON_SIZE
        JSON_TYPEOF OCTET_LENGTH OCTETINDEX PG_BACKEND_PID PG_GET_COLS PG_GET_LATE_BINDING_VIEW_COLS
        PG_LAST_COPY_COUNT PG_LAST_COPY_ID PG_LAST_QUERY_ID PG_LAST_UNLOAD_COUNT PG_LAST_UNLOAD_ID
        QUOTE_IDENT QUOTE_LITERAL RATIO_TO_REPORT REPLICATE ST_ASTEXT SUBARRAY TIMEOFDAY TIMESTAMP_CMP
        TIMESTAMP_CMP_DATE TIMESTAMPTZ_CMP TIMEZONE TO_VARBYTE USER FROM_HEX FROM_VARBYTE
    """),
    "snowflake": _names("""
        AS_ARRAY AS_BOOLEAN AS_CHAR AS_DATE AS_DECIMAL AS_DOUBLE AS_INTEGER AS_NUMBER AS_OBJECT
        AS_TIMESTAMP_LTZ AS_TIMESTAMP_NTZ AS_TIMESTAMP_TZ AS_VARCHAR GET_DDL HASH HAVERSINE INVOKER_ROLE
        IS_BOOLEAN IS_DATE IS_INTEGER IS_OBJECT IS_REAL IS_ROLE_IN_SESSION IS_VARCHAR LAST_QUERY_ID
        OBJECT_DELETE OBJECT_PICK PARSE_XML RATIO_TO_REPORT TO_OBJECT TO_TIMESTAMP TO_TIMESTAMP_LTZ
        TO_TIMESTAMP_NTZ TO_TIMESTAMP_TZ TO_XML TRY_TO_TIMESTAMP TRY_TO_TIMESTAMP_LTZ TRY_TO_TIMESTAMP_NTZ
        TRY_TO_TIMESTAMP_TZ SYSTEM$TYPEOF SYSTEM$ESTIMATE_QUERY_ACCELERATION SYSTEM$CLUSTERING_INFORMATION
        SYSTEM$CLUSTERING_DEPTH SYSTEM$EXPLAIN_PLAN_JSON SYSTEM$EXPLAIN_JSON_TO_TEXT
        ST_AREA ST_ASGEOJSON ST_ASTEXT ST_ASWKB ST_ASWKT ST_CENTROID ST_COLLECT ST_ENVELOPE
        ST_MAKEPOLYGONORIENTED ST_NPOINTS ST_X ST_Y TO_GEOGRAPHY TO_GEOMETRY H3_LATLNG_TO_CELL
        H3_LATLNG_TO_CELL_STRING MATCH_NUMBER CLASSIFIER SYS_CONNECT_BY_PATH RESULT_SCAN
        BUILD_SCOPED_FILE_URL SYSTEM$CURRENT_USER_TASK_NAME
    """),
    "bigquery": _names("""
        DATE_BUCKET DATETIME_BUCKET DETERMINISTIC_DECRYPT_BYTES DETERMINISTIC_DECRYPT_STRING
        DETERMINISTIC_ENCRYPT ERROR IEEE_DIVIDE ST_ASTEXT ST_GEOGFROMGEOJSON ST_GEOGPOINT TIMESTAMP_BUCKET NET.PUBLIC_SUFFIX
        HLL_COUNT.EXTRACT HLL_COUNT.INIT HLL_COUNT.MERGE HLL_COUNT.MERGE_PARTIAL KEYS.KEYSET_CHAIN
        KEYS.NEW_KEYSET KEYS.ADD_KEY_FROM_RAW_BYTES KEYS.KEYSET_FROM_JSON KEYS.KEYSET_TO_JSON
        KEYS.KEYSET_LENGTH KEYS.ROTATE_KEYSET AEAD.DECRYPT_BYTES AEAD.DECRYPT_STRING AEAD.ENCRYPT
        KLL_QUANTILES.EXTRACT_INT64 KLL_QUANTILES.INIT_INT64 KLL_QUANTILES.MERGE_INT64
    """),
    "databricks": _names("""
        AES_DECRYPT AES_ENCRYPT ARRAY_REPEAT ARRAY_UNION ARRAYS_OVERLAP BIN BROUND BTRIM CARDINALITY CONV
        CRC32 CURRENT_METASTORE DATE_PART E EVERY EXPM1 FIND_IN_SET FORALL FORMAT_NUMBER FROM_CSV GET HASH
        HYPOT INLINE_OUTER INPUT_FILE_NAME IS_ACCOUNT_GROUP_MEMBER IS_MEMBER ISNOTNULL ISNULL
        JSON_ARRAY_LENGTH JSON_TUPLE LOG1P MAKE_DATE MAP_CONCAT MAP_ENTRIES MAP_FILTER MAP_VALUES MASK MEAN
        MONOTONICALLY_INCREASING_ID NULLIFZERO OCTET_LENGTH PMOD POSITIVE RAISE_ERROR RANGE REGEXP
        SCHEMA_OF_JSON SENTENCES STD TIMESTAMP_MICROS TIMESTAMP_MILLIS TIMESTAMP_SECONDS TO_CSV TO_VARCHAR
        TRANSFORM_KEYS TRANSFORM_VALUES TRY_AVG TRY_PARSE_JSON TRY_SUM TRY_TO_NUMBER TRY_TO_TIMESTAMP
        URL_DECODE URL_ENCODE VARIANT_GET VERSION WEEKDAY XPATH XXHASH64 ZIP_WITH IDENTIFIER TIMEDIFF
    """),
}  # fmt: skip

BUILTIN_SCHEMAS: dict[str, frozenset[str]] = {
    "redshift": frozenset({"PG_CATALOG"}),
    "snowflake": frozenset({"INFORMATION_SCHEMA"}),
    "bigquery": frozenset({"ML", "NET"}),
}
"""Schemas that hold only the warehouse's own functions: a call qualified with one of them is a
built-in (still checked against the lists). PostgreSQL's ``pg_catalog`` holds its administration
functions too; Snowflake's ``INFORMATION_SCHEMA`` holds documented table functions that read
account metadata (``QUERY_HISTORY`` ...), so every function in it is taken as reading only."""

READ_ONLY_SCHEMAS: dict[str, frozenset[str]] = {
    "snowflake": frozenset({"INFORMATION_SCHEMA"}),
    "bigquery": frozenset({"ML"}),
}
"""Built-in schemas whose every function only reads (BigQuery ML's functions evaluate a model)."""

PURE_BUILTINS_SOURCES: dict[str, tuple[str, ...]] = {
    "redshift": ("https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_functions.html",),
    "snowflake": ("https://docs.snowflake.com/en/sql-reference/functions-all",
                  "https://docs.snowflake.com/en/sql-reference/info-schema#list-of-information-schema-table-functions"),
    "bigquery": ("https://cloud.google.com/bigquery/docs/reference/standard-sql/functions-all",
                 "https://cloud.google.com/bigquery/docs/reference/standard-sql/bigqueryml-syntax-e2e-journey"),
    "databricks": ("https://docs.databricks.com/en/sql/language-manual/sql-ref-functions-builtin-alpha.html",),
}  # fmt: skip

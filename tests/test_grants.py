"""`wsync-lint grants`: the statements each connection's user or role needs for its models' tables.

Every generated SQL statement is parsed back with sqlglot in its warehouse's dialect.
"""

from __future__ import annotations

import json

import pytest
import sqlglot
from sqlglot import exp

from tests.conftest import write

SETUP_PAGE = "https://docs.mparticle.com/developers/apis/warehouse-sync-api/quickstart/"
SNOWFLAKE_ADMIN = (
    "mParticle's script runs as ACCOUNTADMIN (USE ROLE ACCOUNTADMIN), which may create the role, the user "
    "and the storage integration (WS-GRANT-SF-09)"
)


def connection(connection_id: str, service_provider: str, **config: str) -> dict:
    return {
        "id": connection_id,
        "name": connection_id,
        "state": "active",
        "service_provider": service_provider,
        "config": config,
    }


def model(model_id: str, sql: str | None = None, sql_file: str | None = None) -> dict:
    config = {"sql_file": sql_file} if sql_file else {"sql_query": sql}
    return {"id": model_id, "name": model_id, "state": "active", "type": "sql", "config": config}


def pipeline(pipeline_id: str, connection_id: str, model_id: str) -> dict:
    return {
        "id": pipeline_id,
        "name": pipeline_id,
        "pipeline_type": "user_attributes",
        "connection_id": connection_id,
        "data_model_id": model_id,
        "state": "active",
        "sync_mode": {"type": "incremental", "iterator_field": "updated_at", "iterator_data_type": "date"},
        "schedule": {"type": "interval", "frequency": "daily", "delay": "5m", "start": "2023-02-01T00:00:00Z"},
        "environment": "development",
    }


def project(folder, connections: list[dict], models: list[dict], pipelines: list[dict], files: dict | None = None):
    write(folder, "wsync-lint.toml", "")
    write(folder, "connections.json", json.dumps(connections, indent=2))
    write(folder, "models.json", json.dumps(models, indent=2))
    write(folder, "pipelines.json", json.dumps(pipelines, indent=2))
    for name, text in (files or {}).items():
        write(folder, name, text)


SNOWFLAKE = connection(
    "snowflake-prod",
    "Snowflake",
    account_identifier="gd12345",
    region="us-central1.gcp",
    warehouse="compute_wh",
    database="mp",
    role="mparticle_role",
    user="mparticle_user",
    storage_integration="mp_us1_123_123_s3",
)
USERS_SQL = """WITH recent AS (
    SELECT * FROM mp.crm.customers WHERE updated_at > DATEADD(day, -30, CURRENT_DATE)
)
SELECT r.customer_id, r.email, s."Score" AS score, f.value::string AS tag, r.updated_at
FROM recent AS r
JOIN crm.consents AS k ON k.customer_id = r.customer_id
JOIN "Analytics"."ML"."Scores" AS s ON s.customer_id = r.customer_id
JOIN MP.CRM.CUSTOMERS AS again ON again.customer_id = r.customer_id,
LATERAL FLATTEN(input => r.tags) AS f
"""
ORDERS_SQL = (
    "SELECT o.customer_id, o.total, o.updated_at FROM sales.orders o "
    "LEFT JOIN other_db.sales.refunds r ON r.order_id = o.id"
)


def snowflake_project(folder) -> None:
    project(
        folder,
        [SNOWFLAKE],
        [model("users", sql_file="models/users.sql"), model("orders", ORDERS_SQL)],
        [
            pipeline("users-hourly", "snowflake-prod", "users"),
            pipeline("users-daily", "snowflake-prod", "users"),
            pipeline("orders-daily", "snowflake-prod", "orders"),
        ],
        {"models/users.sql": USERS_SQL},
    )


def redshift_project(folder) -> None:
    sql = (
        'SELECT c.customer_id, c.updated_at FROM crm.customers c JOIN "Sales"."Orders" o ON o.customer_id = '
        "c.customer_id JOIN dev.crm.consents k ON k.customer_id = c.customer_id JOIN extras x ON x.id = c.customer_id "
        "JOIN archive.crm.customers a ON a.customer_id = c.customer_id JOIN stl_query q ON q.userid = 1"
    )
    rs = connection(
        "redshift-prod",
        "Redshift",
        database="dev",
        host="dwi-test.ab123yyxwwzz.us-east-1.redshift.amazonaws.com",
        user="mParticle",
        aws_iam_role_arn="arn:aws:iam::123456789012:role/mParticle_role",
    )
    project(folder, [rs], [model("users", sql)], [pipeline("users-daily", "redshift-prod", "users")])


def bigquery_project(folder) -> None:
    sql = (
        "WITH recent AS (SELECT * FROM `my-gcp-project.crm.customers`) "
        "SELECT r.customer_id, r.updated_at, o.total, tag FROM recent r JOIN orders o ON o.customer_id = r.customer_id "
        "JOIN sales.refunds f ON f.id = o.id JOIN other_project.ml.scores s ON s.id = r.customer_id, UNNEST(r.tags) AS tag"
    )
    bq = connection(
        "bigquery-prod",
        "BigQuery",
        region="us-east1",
        project_id="my-gcp-project",
        dataset_id="crm",
        service_account_id="mparticle-account@my-gcp-project.iam.gserviceaccount.com",
    )
    project(folder, [bq], [model("users", sql)], [pipeline("users-daily", "bigquery-prod", "users")])


def databricks_project(folder) -> None:
    sql = (
        "SELECT c.customer_id, c.updated_at, t.tag FROM main.crm.customers c "
        "LATERAL VIEW explode(c.tags) t AS tag UNION ALL SELECT customer_id, updated_at, NULL FROM customers_archive"
    )
    dbx = connection("databricks-prod", "Databricks", provider="acme", schema="crm")
    project(folder, [dbx], [model("users", sql)], [pipeline("users-daily", "databricks-prod", "users")])


PROJECTS = {
    "snowflake": snowflake_project,
    "redshift": redshift_project,
    "bigquery": bigquery_project,
    "databricks": databricks_project,
}


def grants_of(run_cli, folder, *args: str) -> str:
    result = run_cli("grants", *args, cwd=folder)
    assert (result.code, result.err) == (0, "")
    return result.out


# -- exact output per warehouse --------------------------------------------------------------------------


def test_snowflake_usage_then_select_deduplicated_and_ordered(tmp_path, run_cli):
    snowflake_project(tmp_path)
    assert grants_of(run_cli, tmp_path) == (
        "-- connection snowflake-prod (Snowflake), role mparticle_role\n"
        "-- data model orders: models.json (config.sql_query) (pipeline orders-daily)\n"
        "-- data model users: models/users.sql (pipelines users-daily, users-hourly)\n"
        "-- note: for a view, Snowflake expects GRANT SELECT ON VIEW instead of ON TABLE\n"
        f"-- setup: {SNOWFLAKE_ADMIN}\n"
        "-- setup: the user mparticle_user, mParticle's alone, is a legacy service user, which multi-factor "
        "authentication does not block (WS-GRANT-SF-06): CREATE USER IF NOT EXISTS mparticle_user "
        "PASSWORD = '<password>' TYPE = LEGACY_SERVICE, or for an existing user "
        "ALTER USER mparticle_user SET TYPE = LEGACY_SERVICE\n"
        "-- setup: the storage integration mp_us1_123_123_s3 (config.storage_integration) is created with your "
        "mParticle pod's AWS account id and your org and account ids (WS-GRANT-SF-07/08), as in mParticle's "
        f"setup script: {SETUP_PAGE}\n"
        "CREATE ROLE IF NOT EXISTS mparticle_role;\n"
        "GRANT USAGE ON WAREHOUSE compute_wh TO ROLE mparticle_role;\n"
        'GRANT USAGE ON DATABASE "Analytics" TO ROLE mparticle_role;\n'
        "GRANT USAGE ON DATABASE mp TO ROLE mparticle_role;\n"
        "GRANT USAGE ON DATABASE other_db TO ROLE mparticle_role;\n"
        'GRANT USAGE ON SCHEMA "Analytics".ML TO ROLE mparticle_role;\n'
        "GRANT USAGE ON SCHEMA mp.crm TO ROLE mparticle_role;\n"
        "GRANT USAGE ON SCHEMA mp.sales TO ROLE mparticle_role;\n"
        "GRANT USAGE ON SCHEMA other_db.sales TO ROLE mparticle_role;\n"
        'GRANT SELECT ON TABLE "Analytics".ML."Scores" TO ROLE mparticle_role;\n'
        "GRANT SELECT ON TABLE mp.crm.consents TO ROLE mparticle_role;\n"
        "GRANT SELECT ON TABLE mp.crm.customers TO ROLE mparticle_role;\n"
        "GRANT SELECT ON TABLE mp.sales.orders TO ROLE mparticle_role;\n"
        "GRANT SELECT ON TABLE other_db.sales.refunds TO ROLE mparticle_role;\n"
        "GRANT ROLE mparticle_role TO USER mparticle_user;\n"
        "GRANT USAGE ON INTEGRATION mp_us1_123_123_s3 TO ROLE mparticle_role;\n"
    )


def test_redshift_schema_usage_and_select_to_the_user(tmp_path, run_cli):
    redshift_project(tmp_path)
    assert grants_of(run_cli, tmp_path) == (
        "-- connection redshift-prod (Redshift), user mParticle\n"
        "-- data model users: models.json (config.sql_query) (pipeline users-daily)\n"
        "-- note: extras names no schema: Redshift looks it up in the user's search_path "
        "('$user', public by default); public assumed\n"
        "-- note: archive.crm.customers is in database archive, not the connection database dev: "
        "run its grants connected to that database\n"
        "-- setup: the user mParticle is mParticle's alone (WS-GRANT-RS-01): "
        "CREATE USER mParticle WITH PASSWORD '<password>'\n"
        "-- setup: the IAM role arn:aws:iam::123456789012:role/mParticle_role (config.aws_iam_role_arn) may assume "
        "your mParticle pod's role and is associated with the cluster or Serverless namespace (WS-GRANT-RS-04), "
        f"as in mParticle's setup: {SETUP_PAGE}\n"
        "GRANT USAGE ON SCHEMA crm TO mParticle;\n"
        "GRANT USAGE ON SCHEMA public TO mParticle;\n"
        'GRANT USAGE ON SCHEMA "Sales" TO mParticle;\n'
        "GRANT SELECT ON TABLE crm.consents TO mParticle;\n"
        "GRANT SELECT ON TABLE crm.customers TO mParticle;\n"
        "GRANT SELECT ON TABLE public.extras TO mParticle;\n"
        'GRANT SELECT ON TABLE "Sales"."Orders" TO mParticle;\n'
    )


def test_bigquery_job_user_on_the_project_and_dataset_roles(tmp_path, run_cli):
    bigquery_project(tmp_path)
    member = "serviceAccount:mparticle-account@my-gcp-project.iam.gserviceaccount.com"
    roles = "GRANT `roles/bigquery.dataViewer`, `roles/bigquery.user` ON SCHEMA"
    assert grants_of(run_cli, tmp_path) == (
        "-- connection bigquery-prod (BigQuery), service account "
        "mparticle-account@my-gcp-project.iam.gserviceaccount.com\n"
        "-- data model users: models.json (config.sql_query) (pipeline users-daily)\n"
        "-- note: orders names no dataset: assumed the connection's dataset crm (config.dataset_id); "
        "qualify it in the model (RF01)\n"
        "-- note: the project role is granted with gcloud (run it in a shell); the dataset roles with BigQuery DCL\n"
        "-- setup: the service account is mParticle's alone (WS-GRANT-BQ-01): "
        "gcloud iam service-accounts create mparticle-account --project=my-gcp-project\n"
        "-- setup: the service account's key is the connection's service_account_key, never in the repository "
        "(WS-GRANT-BQ-04): gcloud iam service-accounts keys create mparticle-key.json "
        "--iam-account=mparticle-account@my-gcp-project.iam.gserviceaccount.com\n"
        f"gcloud projects add-iam-policy-binding my-gcp-project --member={member} --role=roles/bigquery.jobUser\n"
        f'{roles} `my-gcp-project`.crm TO "{member}";\n'
        f'{roles} `my-gcp-project`.sales TO "{member}";\n'
        f'{roles} other_project.ml TO "{member}";\n'
    )


def test_databricks_share_with_the_documented_name_to_replace(tmp_path, run_cli):
    databricks_project(tmp_path)
    share = "`mparticle_<org-id>_<account-id>`"
    assert grants_of(run_cli, tmp_path) == (
        f"-- connection databricks-prod (Databricks), share {share}\n"
        "-- data model users: models.json (config.sql_query) (pipeline users-daily)\n"
        "-- note: replace the share name mparticle_<org-id>_<account-id> with "
        "mparticle_<your mParticle org id>_<account id>, or pass --databricks-share\n"
        "-- note: crm.customers_archive names no catalog: ALTER SHARE resolves it in the current catalog "
        "where you run it; qualify it as catalog.schema.table\n"
        "-- note: replace <pod> in the recipient mParticle_<pod> with us1, us2, eu1 or au1\n"
        "-- setup: the recipient is created once with your pod's sharing identifier (WS-GRANT-DBX-02/03): "
        "CREATE RECIPIENT IF NOT EXISTS `mParticle_<pod>` USING ID '<sharing identifier>'\n"
        "-- setup: the sharing identifiers (WS-GRANT-DBX-03): "
        "us1 aws:us-east-1:e92fd7c1-5d24-4113-b83d-07e0edbb787b, us2 aws:us-east-1:e92fd7c1-5d24-4113-b83d-07e0edbb787b, "
        "eu1 aws:eu-central-1:2b8d9413-05fe-43ce-a570-3f6bc5fc3acf, au1 aws:ap-southeast-2:ac9a9fc4-22a2-40cc-a706-fef8a4cd554e\n"
        f"CREATE SHARE IF NOT EXISTS {share};\n"
        f"ALTER SHARE {share} ADD TABLE crm.customers_archive;\n"
        f"ALTER SHARE {share} ADD TABLE main.crm.customers;\n"
        f"GRANT SELECT ON SHARE {share} TO RECIPIENT `mParticle_<pod>`;\n"
    )
    named = grants_of(run_cli, tmp_path, "--databricks-share", "mparticle_1234_5678")
    assert "-- connection databricks-prod (Databricks), share mparticle_1234_5678\n" in named
    assert "ALTER SHARE mparticle_1234_5678 ADD TABLE main.crm.customers;\n" in named
    assert "replace the share name" not in named


# -- every statement parses -------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", list(PROJECTS))
def test_every_sql_statement_parses_in_its_dialect(tmp_path, run_cli, dialect):
    PROJECTS[dialect](tmp_path)
    document = json.loads(grants_of(run_cli, tmp_path, "--format", "json"))
    [block] = document["connections"]
    assert block["dialect"] == dialect
    statements = [s for s in block["statements"] if s["language"] == "sql"]
    assert statements
    for statement in statements:
        parsed = sqlglot.parse_one(statement["text"], read=dialect)
        if dialect in ("snowflake", "redshift") and not statement["text"].startswith(("GRANT ROLE", "CREATE ROLE")):
            assert isinstance(parsed, exp.Grant)
    # The whole text output is a script the warehouse's SQL reads (comments included), shell lines aside.
    text = grants_of(run_cli, tmp_path)
    script = "\n".join(line for line in text.splitlines() if not line.startswith("gcloud "))
    assert len(sqlglot.parse(script, read=dialect)) == len(statements)


def test_json_format(tmp_path, run_cli):
    redshift_project(tmp_path)
    document = json.loads(grants_of(run_cli, tmp_path, "--format", "json"))
    assert document["notes"] == []
    [block] = document["connections"]
    assert {k: v for k, v in block.items() if k not in ("statements", "notes", "setup")} == {
        "connection": "redshift-prod",
        "path": "connections.json",
        "service_provider": "Redshift",
        "dialect": "redshift",
        "grantee": {"kind": "user", "name": "mParticle"},
        "data_models": [{"data_model": "users", "sql": "models.json (config.sql_query)", "pipelines": ["users-daily"]}],
        "tables": ["crm.consents", "crm.customers", "public.extras", '"Sales"."Orders"'],
    }
    assert block["statements"][0] == {"language": "sql", "text": "GRANT USAGE ON SCHEMA crm TO mParticle"}


# -- names, placeholders and problems ---------------------------------------------------------------------


def test_snowflake_names_keep_quotes_only_where_they_matter(tmp_path, run_cli):
    sql = 'SELECT * FROM "MP"."CRM"."CUSTOMERS" JOIN "mp"."crm"."Mixed Case" ON TRUE JOIN mp.crm."order" ON TRUE'
    project(tmp_path, [SNOWFLAKE], [model("m", sql)], [pipeline("p", "snowflake-prod", "m")])
    out = grants_of(run_cli, tmp_path)
    assert "GRANT SELECT ON TABLE MP.CRM.CUSTOMERS TO ROLE mparticle_role;\n" in out
    assert 'GRANT SELECT ON TABLE "mp"."crm"."Mixed Case" TO ROLE mparticle_role;\n' in out
    assert 'GRANT SELECT ON TABLE mp.crm."order" TO ROLE mparticle_role;\n' in out
    assert 'GRANT USAGE ON SCHEMA "mp"."crm" TO ROLE mparticle_role;\n' in out
    assert "GRANT USAGE ON SCHEMA MP.CRM TO ROLE mparticle_role;\n" in out


def test_snowflake_table_without_schema_is_kept_as_written_with_a_note(tmp_path, run_cli):
    project(tmp_path, [SNOWFLAKE], [model("m", "SELECT * FROM customers")], [pipeline("p", "snowflake-prod", "m")])
    out = grants_of(run_cli, tmp_path)
    assert (
        "-- note: customers names no schema: Snowflake resolves it in the session's current schema, "
        "so its USAGE grants are unknown; qualify it in the model (RF01)\n"
    ) in out
    assert "GRANT SELECT ON TABLE customers TO ROLE mparticle_role;\n" in out
    assert "GRANT USAGE ON DATABASE mp TO ROLE mparticle_role;\n" in out


def test_missing_role_and_user_become_placeholders(tmp_path, run_cli):
    bare = connection("sf", "Snowflake", account_identifier="gd12345", region="us-central1.gcp", database="mp")
    rs = connection("rs", "Redshift", database="dev", host="h.redshift.amazonaws.com")
    models = [model("m", "SELECT * FROM mp.crm.customers"), model("r", "SELECT * FROM crm.customers")]
    project(tmp_path, [bare, rs], models, [pipeline("p", "sf", "m"), pipeline("q", "rs", "r")])
    document = json.loads(grants_of(run_cli, tmp_path, "--format", "json"))
    redshift, snowflake = document["connections"]
    assert snowflake["grantee"] == {"kind": "role", "name": '"<role>"'}
    assert snowflake["notes"][:2] == [
        "the connection has no config.role: replace <role> with the role mParticle uses",
        "the connection has no config.warehouse: replace <warehouse> with the warehouse mParticle runs on",
    ]
    assert [s["text"] for s in snowflake["statements"]][:2] == [
        'CREATE ROLE IF NOT EXISTS "<role>"',
        'GRANT USAGE ON WAREHOUSE "<warehouse>" TO ROLE "<role>"',
    ]
    assert not any(s["text"].startswith(("GRANT ROLE", "GRANT USAGE ON INTEGRATION")) for s in snowflake["statements"])
    assert snowflake["notes"][-2:] == [
        'the connection has no config.user: grant the role to mParticle\'s user (GRANT ROLE "<role>" TO USER ...)',
        "the connection has no config.storage_integration: mParticle's setup creates one with your pod's AWS "
        "account id and your org and account ids, and grants its USAGE to the role (WS-GRANT-SF-07/08): "
        f"{SETUP_PAGE}",
    ]
    assert redshift["notes"] == [
        "the connection has no config.user: replace <user> with the user mParticle connects as",
        "the connection has no config.aws_iam_role_arn: mParticle's setup creates an IAM role that may assume "
        "your pod's role and associates it with the cluster or Serverless namespace (WS-GRANT-RS-04): "
        f"{SETUP_PAGE}",
    ]
    assert redshift["grantee"] == {"kind": "user", "name": '"<user>"'}
    assert redshift["statements"][-1]["text"] == 'GRANT SELECT ON TABLE crm.customers TO "<user>"'
    for block in document["connections"]:
        for statement in block["statements"]:
            sqlglot.parse_one(statement["text"], read=block["dialect"])


def test_model_that_does_not_parse_is_skipped_with_a_note(tmp_path, run_cli):
    models = [model("broken", sql_file="models/broken.sql"), model("orders", ORDERS_SQL)]
    pipelines = [pipeline("a", "snowflake-prod", "broken"), pipeline("b", "snowflake-prod", "orders")]
    project(tmp_path, [SNOWFLAKE], models, pipelines, {"models/broken.sql": "SELECT customer_id FROM WHERE\n"})
    out = grants_of(run_cli, tmp_path)
    assert (
        "-- note: data model broken: models/broken.sql does not parse as Snowflake SQL; its tables are not listed "
        "(`wsync-lint check` says why)\n"
    ) in out
    assert "GRANT SELECT ON TABLE mp.sales.orders TO ROLE mparticle_role;\n" in out


def test_missing_sql_file_is_a_note(tmp_path, run_cli):
    project(tmp_path, [SNOWFLAKE], [model("m", sql_file="models/nowhere.sql")], [pipeline("p", "snowflake-prod", "m")])
    out = grants_of(run_cli, tmp_path)
    assert "-- note: data model m: models/nowhere.sql: no such file; its tables are not listed\n" in out
    assert "GRANT USAGE ON WAREHOUSE compute_wh TO ROLE mparticle_role;\n" in out


def test_one_block_per_connection_in_id_order(tmp_path, run_cli):
    rs = connection("a-redshift", "Redshift", database="dev", host="h", user="mparticle")
    models = [model("m", "SELECT * FROM mp.crm.customers"), model("r", "SELECT * FROM crm.customers")]
    pipelines = [pipeline("p", "snowflake-prod", "m"), pipeline("q", "a-redshift", "r"), pipeline("x", "gone", "r")]
    project(tmp_path, [SNOWFLAKE, rs], models, pipelines)
    out = grants_of(run_cli, tmp_path)
    assert out.startswith(
        "-- note: pipeline x: its connection `gone` is not in the project, so its grants are unknown\n"
        "\n"
        "-- connection a-redshift (Redshift), user mparticle\n"
    )
    assert "\n\n-- connection snowflake-prod (Snowflake), role mparticle_role\n" in out
    # Naming the project twice (a folder and a file in it) loads it once.
    assert grants_of(run_cli, tmp_path, ".", "models.json") == out


def test_no_pipeline_to_grant_is_a_usage_error(tmp_path, run_cli):
    project(tmp_path, [SNOWFLAKE], [model("m", "SELECT 1 AS x")], [])
    result = run_cli("grants", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == ("wsync-lint: error: nothing to grant in .: no pipeline names a data model of the project\n")
    project(tmp_path, [SNOWFLAKE], [model("m", "SELECT 1 AS x")], [pipeline("p", "nowhere", "m")])
    result = run_cli("grants", cwd=tmp_path)
    assert result.code == 2
    assert result.err == (
        "wsync-lint: error: nothing to grant in .: pipeline p: its connection `nowhere` is not in the project, "
        "so its grants are unknown\n"
    )


def test_missing_path_is_a_usage_error(tmp_path, run_cli):
    result = run_cli("grants", "nowhere", cwd=tmp_path)
    assert (result.code, result.err) == (2, "wsync-lint: error: nowhere: no such file or folder\n")


# -- what the scripts need beyond the grants -----------------------------------------------------------------


def test_json_lists_the_setup_steps(tmp_path, run_cli):
    redshift_project(tmp_path)
    [block] = json.loads(grants_of(run_cli, tmp_path, "--format", "json"))["connections"]
    assert block["setup"] == [
        "the user mParticle is mParticle's alone (WS-GRANT-RS-01): CREATE USER mParticle WITH PASSWORD '<password>'",
        "the IAM role arn:aws:iam::123456789012:role/mParticle_role (config.aws_iam_role_arn) may assume your "
        "mParticle pod's role and is associated with the cluster or Serverless namespace (WS-GRANT-RS-04), as in "
        f"mParticle's setup: {SETUP_PAGE}",
    ]


def test_a_service_account_that_is_no_gcp_e_mail_gets_only_its_key_step(tmp_path, run_cli):
    bq = connection("bq", "BigQuery", project_id="p-123456", dataset_id="crm", service_account_id="Someone Else")
    project(tmp_path, [bq], [model("m", "SELECT 1 AS customer_id FROM crm.t")], [pipeline("p", "bq", "m")])
    [block] = json.loads(grants_of(run_cli, tmp_path, "--format", "json"))["connections"]
    assert block["setup"] == [
        "the service account's key is the connection's service_account_key, never in the repository "
        "(WS-GRANT-BQ-04): gcloud iam service-accounts keys create mparticle-key.json --iam-account='Someone Else'"
    ]


def test_storage_integration_name_is_quoted_where_snowflake_needs_it(tmp_path, run_cli):
    odd = dict(SNOWFLAKE, config={**SNOWFLAKE["config"], "storage_integration": "mp us1"})
    project(
        tmp_path, [odd], [model("m", "SELECT 1 AS customer_id FROM mp.crm.t")], [pipeline("p", "snowflake-prod", "m")]
    )
    out = grants_of(run_cli, tmp_path)
    assert out.endswith('GRANT USAGE ON INTEGRATION "mp us1" TO ROLE mparticle_role;\n')


def test_readme_sample_is_what_grants_prints(run_cli):
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```text\n$ wsync-lint grants examples/\n") + len("```text\n$ wsync-lint grants examples/\n")
    shown = readme[start : readme.index("```\n", start)]
    result = run_cli("grants", "examples/", cwd=REPO)
    assert (result.code, result.err) == (0, "")
    assert result.out == shown, "README.md's grants sample is stale: paste `wsync-lint grants examples/` into it"

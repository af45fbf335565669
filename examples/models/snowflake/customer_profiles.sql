-- Customer profile attributes, synced hourly. Attribute names keep their case because they are quoted.
SELECT
    c.customer_id,
    c.email,
    c.first_name AS "$firstname",
    c.last_name AS "$lastname",
    c.loyalty_tier AS "loyalty_tier",
    c.lifetime_value_usd AS "lifetime_value_usd",
    c.updated_at AS UPDATED_AT
FROM analytics.crm.customers c
WHERE c.is_deleted = FALSE

-- Lifetime order attributes per customer (BigQuery).
SELECT
    o.customer_id,
    COUNT(o.order_id) AS lifetime_orders,
    SUM(o.total_usd) AS lifetime_revenue_usd,
    ARRAY_AGG(DISTINCT o.category IGNORE NULLS) AS purchased_categories,
    MAX(o.ordered_at) AS last_order_at
FROM `acme-prod.sales.orders` AS o
WHERE o.status = 'complete'
GROUP BY o.customer_id

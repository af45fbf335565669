-- Active subscriptions, synced as they change (Redshift).
SELECT
    s.customer_id,
    s.plan_code AS subscription_plan,
    s.renews_on AS subscription_renews_on,
    s.updated_at
FROM billing.public.subscriptions s
WHERE s.state = 'active'

-- Active subscriptions
SELECT s.customer_id, s.plan_code AS subscription_plan, s.updated_at
FROM billing.public.subscriptions s
WHERE s.state = 'active'

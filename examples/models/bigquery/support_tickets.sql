-- wsync-lint: dialect=bigquery schema=../../schemas/bigquery-prod.json
-- Open support tickets per user, adapted from mParticle's SQL reference. (Deliberate mistakes.)
SELECT
    u.email AS email,
    COUNT(t.id) AS "count_of_open_tickets"
FROM `acme-prod.support.tickets` t
JOIN `acme-prod.support.users` u
ON u.id = t.requester_user_id
WHERE t.status = 'open'

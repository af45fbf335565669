-- Page views and purchases from the web, as mParticle events (mapped by field-transformations/web-events.json).
SELECT
    e.event_id,
    e.session_id,
    UNIX_MILLIS(e.event_time) AS timestamp_unixtime_ms,
    e.event_type,
    e.customer_id,
    e.page_url,
    e.loaded_at
FROM `acme-prod.web.events` AS e
WHERE e.event_type IN ('page_view', 'purchase')

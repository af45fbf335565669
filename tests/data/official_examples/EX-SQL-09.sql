SELECT scanned_timestamp_ms, cid AS “customer_id”, propensity_to_buy
FROM demo.mp_dw_demo_attr

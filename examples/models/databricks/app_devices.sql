-- Device identities of active app installs (Databricks), synced as they change.
SELECT
    d.customer_id,
    d.ios_idfv,
    d.android_advertising_id,
    d.push_token,
    d.app_version AS last_app_version,
    d.updated_at
FROM main.mobile.devices d
WHERE d.is_active

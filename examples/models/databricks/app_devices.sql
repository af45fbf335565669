-- Device identities of active app installs (Databricks), synced in full when triggered.
SELECT
    d.customer_id,
    d.ios_idfv,
    d.android_advertising_id,
    d.push_token,
    d.app_version AS last_app_version
FROM main.mobile.devices d
WHERE d.is_active

-- Nightly propensity scores from the ML team. (Has deliberate mistakes: see the README.)
SELECT
    s.user_id,
    s.propensity_to_buy,
    s.churn_risk AS "churn_risk",
    s.scored_at AS SCORED_AT
FROM analytics.ml.propensity_scores s;

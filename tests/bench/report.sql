-- The SQL a criterion report over the what-if data set is measured against:
-- for each criterion, the share of the CAEs' latest audits that do not meet
-- it (partial or not met, among the applicable answers).
WITH latest AS (
  SELECT max(id) AS id FROM assessments
  WHERE kind = 'audit' AND status <> 'draft'
  GROUP BY organisation_id
)
SELECT criterion,
       round(avg(status IN ('partial', 'not_met')), 4) AS not_met_share,
       count(*) AS audits
FROM answers
WHERE assessment_id IN (SELECT id FROM latest) AND status <> 'not_applicable'
GROUP BY criterion
ORDER BY criterion;

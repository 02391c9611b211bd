-- The what-if data set: 1,000 CAEs x 10 submitted audits x every criterion,
-- written straight into an initialized database whose rules are active.
-- Run by run.sh as `sqlite3 DB < whatif_data.sql` from a folder holding
-- criteria.json (the output of `labelcoop rules list --format json`).
-- Answers are deterministic: mandatory criteria are met but for a few (about
-- one audit in five fails one); each audit has its own share of recommended
-- criteria met or partial, from 40% to 89%, so that raising the threshold
-- changes many outcomes; two internal stakeholders per audit.
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE crit AS
  SELECT key AS idx, value ->> 'id' AS id, value ->> 'level' AS level
  FROM json_each(readfile('criteria.json'), '$.criteria');
CREATE TEMP TABLE active AS
  SELECT hash FROM activations ORDER BY id DESC LIMIT 1;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO organisations (id, name, legal_form, city, region, member_since, created_at)
  SELECT i, printf('CAE banc d''essai %04d', i), 'SCOP', 'Lyon', 'Auvergne-Rhône-Alpes',
         '2015-01-01', '2026-01-01T00:00:00Z'
  FROM n;

WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
INSERT INTO assessments (id, organisation_id, kind, status, ruleset, created_at, submitted_at)
  SELECT i + 1, i / 10 + 1, 'audit', 'submitted', (SELECT hash FROM active),
         printf('%04d-03-01T09:00:00Z', 2016 + i % 10),
         printf('%04d-03-02T09:00:00Z', 2016 + i % 10)
  FROM n;

INSERT INTO stakeholders (assessment_id, name, role)
  SELECT a.id, s.name, s.role FROM assessments a,
    (SELECT 'Salariée' AS name, 'entrepreneure salariée associée' AS role
     UNION ALL SELECT 'Gérant', 'gérant') s;

INSERT INTO answers (assessment_id, criterion, status, updated_at)
  SELECT id, criterion,
    CASE
      WHEN level = 'mandatory' THEN
        CASE WHEN h >= 3 THEN 'met' WHEN h < 2 THEN 'partial' ELSE 'not_met' END
      WHEN level = 'recommended' THEN
        CASE WHEN h % 100 < q - 15 THEN 'met' WHEN h % 100 < q THEN 'partial' ELSE 'not_met' END
      ELSE
        CASE WHEN h % 100 < 60 THEN 'met' WHEN h % 100 < 80 THEN 'partial' ELSE 'not_met' END
    END,
    submitted_at
  FROM (SELECT a.id, a.submitted_at, c.id AS criterion, c.level,
               (((((a.id * 1103515245 + c.idx * 12345 + 7) % 2147483648) * 1103515245 + 12345)
                  % 2147483648) / 65536) % 1000 AS h,
               40 + (a.id * 37) % 50 AS q
        FROM assessments a CROSS JOIN crit c
        ORDER BY a.id, c.id);
COMMIT;
SELECT count(*) FROM answers;

/* store: SQLite access for labelcoop. All SQL is in this file: the schema as
 * numbered migrations (PRAGMA user_version), then one prepared statement per
 * operation, cached for the connection's life. Rows become cJSON objects:
 * a column named "x_json" holds JSON text and becomes key "x".
 * Uses SQLite 3 and cJSON; dates come from the date module. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "date.h"

/* Each entry migrates from version i to i + 1; never edit one that shipped. */
static const char *const migrations[] = {
    /* 1: the platform's first schema */
    "CREATE TABLE organisations ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  legal_form TEXT, city TEXT, region TEXT, member_since TEXT,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('cae', 'auditor', 'committee', 'admin')),"
    "  organisation_id INTEGER REFERENCES organisations(id),"
    "  certified_until TEXT,"
    "  password_hash TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  CHECK (role <> 'cae' OR organisation_id IS NOT NULL));"
    "CREATE TABLE sessions ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),"
    "  name TEXT,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE assessments ("
    "  id INTEGER PRIMARY KEY,"
    "  organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('self_assessment', 'audit')),"
    "  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'decided')),"
    "  ruleset TEXT NOT NULL,"
    "  auditor_id INTEGER REFERENCES users(id),"
    "  created_by INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  submitted_at TEXT,"
    "  evaluation TEXT,"
    "  CHECK (kind = 'audit' OR auditor_id IS NULL));"
    "CREATE INDEX assessments_org ON assessments(organisation_id, kind);"
    "CREATE INDEX assessments_auditor ON assessments(auditor_id);"
    "CREATE TABLE answers ("
    "  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,"
    "  criterion TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('met', 'partial', 'not_met', 'not_applicable')),"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  evidence TEXT NOT NULL DEFAULT '[]',"
    "  updated_by INTEGER REFERENCES users(id),"
    "  updated_at TEXT NOT NULL,"
    "  PRIMARY KEY (assessment_id, criterion)) WITHOUT ROWID;"
    "CREATE TABLE stakeholders ("
    "  id INTEGER PRIMARY KEY,"
    "  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL);"
    "CREATE INDEX stakeholders_assessment ON stakeholders(assessment_id);"
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  assessment_id INTEGER NOT NULL REFERENCES assessments(id),"
    "  organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  outcome TEXT NOT NULL CHECK (outcome IN ('awarded', 'refused', 'deferred')),"
    "  decided_on TEXT NOT NULL,"
    "  valid_until TEXT,"
    "  recommendations TEXT NOT NULL DEFAULT '[]',"
    "  evaluation TEXT NOT NULL,"
    "  ruleset TEXT NOT NULL,"
    "  decided_by INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX decisions_org ON decisions(organisation_id, outcome);"
    "CREATE INDEX decisions_assessment ON decisions(assessment_id);"
    "CREATE TABLE good_practices ("
    "  id INTEGER PRIMARY KEY,"
    "  decision_id INTEGER NOT NULL REFERENCES decisions(id),"
    "  organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  criterion TEXT,"
    "  text TEXT NOT NULL,"
    "  shared INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX good_practices_criterion ON good_practices(criterion);"
    "CREATE TABLE action_items ("
    "  id INTEGER PRIMARY KEY,"
    "  organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  criterion TEXT,"
    "  action TEXT NOT NULL,"
    "  owner TEXT NOT NULL DEFAULT '',"
    "  due TEXT,"
    "  status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "CREATE INDEX action_items_org ON action_items(organisation_id);"
    "CREATE TABLE journal ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  user_id INTEGER,"
    "  action TEXT NOT NULL,"
    "  entity TEXT NOT NULL,"
    "  entity_id INTEGER,"
    "  before TEXT,"
    "  after TEXT);"
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
    "  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;",
    /* 2: versioned rule sets, replayable decisions, a chained journal */
    "CREATE TABLE rulesets ("
    "  hash TEXT PRIMARY KEY,"
    "  created_at TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE ruleset_files ("
    "  hash TEXT NOT NULL REFERENCES rulesets(hash),"
    "  path TEXT NOT NULL,"
    "  content BLOB NOT NULL,"
    "  PRIMARY KEY (hash, path)) WITHOUT ROWID;"
    "CREATE TABLE activations ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL REFERENCES rulesets(hash),"
    "  label TEXT,"
    "  note TEXT NOT NULL,"
    "  activated_by INTEGER REFERENCES users(id),"
    "  activated_at TEXT NOT NULL);"
    "CREATE TRIGGER rulesets_frozen BEFORE UPDATE ON rulesets"
    "  BEGIN SELECT RAISE(ABORT, 'an activated rule set never changes'); END;"
    "CREATE TRIGGER rulesets_kept BEFORE DELETE ON rulesets"
    "  BEGIN SELECT RAISE(ABORT, 'an activated rule set is never deleted'); END;"
    "CREATE TRIGGER ruleset_files_frozen BEFORE UPDATE ON ruleset_files"
    "  BEGIN SELECT RAISE(ABORT, 'an activated rule set never changes'); END;"
    "CREATE TRIGGER ruleset_files_kept BEFORE DELETE ON ruleset_files"
    "  BEGIN SELECT RAISE(ABORT, 'an activated rule set is never deleted'); END;"
    "CREATE TRIGGER activations_frozen BEFORE UPDATE ON activations"
    "  BEGIN SELECT RAISE(ABORT, 'the activation history is append-only'); END;"
    "CREATE TRIGGER activations_kept BEFORE DELETE ON activations"
    "  BEGIN SELECT RAISE(ABORT, 'the activation history is append-only'); END;"
    "ALTER TABLE decisions ADD COLUMN record TEXT;"
    "ALTER TABLE decisions ADD COLUMN record_hash TEXT;"
    "ALTER TABLE decisions ADD COLUMN prev_hash TEXT;"
    "ALTER TABLE journal ADD COLUMN hash TEXT;"
    "ALTER TABLE journal ADD COLUMN prev_hash TEXT;",
    /* 3: the event outbox and webhook deliveries */
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  data TEXT NOT NULL);"
    "CREATE TABLE webhooks ("
    "  id INTEGER PRIMARY KEY,"
    "  url TEXT NOT NULL,"
    "  events TEXT NOT NULL DEFAULT '[\"*\"]',"
    "  enabled INTEGER NOT NULL DEFAULT 1,"
    "  secret TEXT NOT NULL,"
    "  old_secret TEXT,"
    "  old_secret_until INTEGER,"
    "  disabled_reason TEXT,"
    "  failing_since INTEGER,"
    "  plugin TEXT,"
    "  deleted INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE deliveries ("
    "  id INTEGER PRIMARY KEY,"
    "  webhook_id INTEGER NOT NULL REFERENCES webhooks(id),"
    "  event_id INTEGER NOT NULL REFERENCES events(id),"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  lease_until INTEGER,"
    "  created_at TEXT NOT NULL);"
    /* Due deliveries are read in event order: this index needs no sort. */
    "CREATE INDEX deliveries_due ON deliveries(state, event_id, id);"
    "CREATE INDEX deliveries_webhook ON deliveries(webhook_id, event_id);"
    "CREATE TABLE attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),"
    "  at TEXT NOT NULL,"
    "  status INTEGER,"
    "  duration_ms INTEGER,"
    "  response TEXT,"
    "  error TEXT);"
    "CREATE INDEX attempts_delivery ON attempts(delivery_id);"
    "CREATE TABLE marks (key TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE cursors (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE plugin_state (name TEXT PRIMARY KEY, enabled INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL) WITHOUT ROWID;",
    /* 4: the same check on answers.status, spelled so that SQLite compares
     * instead of building a temporary table of the IN list at every write
     * (it does for lists of more than two). The table is rebuilt, as SQLite
     * documents for a changed constraint; nothing refers to it. */
    "CREATE TABLE answers_4 ("
    "  assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,"
    "  criterion TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status = 'met' OR status = 'partial' OR status = 'not_met'"
    "                              OR status = 'not_applicable'),"
    "  comment TEXT NOT NULL DEFAULT '',"
    "  evidence TEXT NOT NULL DEFAULT '[]',"
    "  updated_by INTEGER REFERENCES users(id),"
    "  updated_at TEXT NOT NULL,"
    "  PRIMARY KEY (assessment_id, criterion)) WITHOUT ROWID;"
    "INSERT INTO answers_4 (assessment_id, criterion, status, comment, evidence, updated_by,"
    "  updated_at) SELECT assessment_id, criterion, status, comment, evidence, updated_by,"
    "  updated_at FROM answers;"
    "DROP TABLE answers;"
    "ALTER TABLE answers_4 RENAME TO answers;",
    /* 5: accounts an administrator disabled: no login, no session, no token */
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));",
    /* 6: a counter of the changes to what a server keeps in memory between
     * requests (sessions and accounts, the active rule set, the plugins'
     * states), kept by triggers so that every writer counts, the command
     * line and the sqlite3 shell included; answers and audits, written all
     * day long, leave it alone. */
    "CREATE TABLE settings_generation (id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  n INTEGER NOT NULL);"
    "INSERT INTO settings_generation (id, n) VALUES (1, 0);"
    "CREATE TRIGGER users_insert_settings AFTER INSERT ON users"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER users_update_settings AFTER UPDATE ON users"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER users_delete_settings AFTER DELETE ON users"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER sessions_insert_settings AFTER INSERT ON sessions"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER sessions_update_settings AFTER UPDATE ON sessions"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER sessions_delete_settings AFTER DELETE ON sessions"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER activations_insert_settings AFTER INSERT ON activations"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER activations_update_settings AFTER UPDATE ON activations"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER activations_delete_settings AFTER DELETE ON activations"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER plugin_state_insert_settings AFTER INSERT ON plugin_state"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER plugin_state_update_settings AFTER UPDATE ON plugin_state"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER plugin_state_delete_settings AFTER DELETE ON plugin_state"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;",
    /* 7: the points a deferral sends back to the auditor ([{"criterion","text"}]) */
    "ALTER TABLE decisions ADD COLUMN points TEXT NOT NULL DEFAULT '[]';",
    /* 8: a committee role given through the API waits for another committee
     * member's confirmation. Until then role holds the role given and
     * acting_role the one the account acts with ('none' for a new account,
     * which the role column's check could not hold without rebuilding a
     * table half the schema refers to); NULL once confirmed. */
    "ALTER TABLE users ADD COLUMN acting_role TEXT"
    "  CHECK (acting_role IS NULL OR acting_role IN ('none', 'cae', 'auditor', 'admin'));",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof *migrations))

enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SAVEPOINT,
    Q_RELEASE,
    Q_ROLLBACK_TO,
    Q_ORG_ADD,
    Q_ORG_GET,
    Q_ORG_LIST,
    Q_USER_ADD,
    Q_USER_GET,
    Q_USER_BY_EMAIL,
    Q_USER_LIST,
    Q_USER_SET_PASSWORD,
    Q_SESSION_ADD,
    Q_SESSION_GET,
    Q_SESSION_TOUCH,
    Q_SESSION_DELETE,
    Q_SESSION_DELETE_OTHERS,
    Q_USER_UPDATE,
    Q_ADMIN_COUNT,
    Q_USER_CONFIRM_ROLE,
    Q_SESSION_DELETE_USER,
    Q_TOKEN_LIST,
    Q_TOKEN_DELETE,
    Q_ASSESSMENT_ADD,
    Q_ASSESSMENT_GET,
    Q_ASSESSMENT_JSON,
    Q_ASSESSMENT_LIST,
    Q_ANSWERS,
    Q_ANSWERS_JSON,
    Q_ANSWER_PUT,
    Q_ANSWER_JSON,
    Q_STAKEHOLDERS_JSON,
    Q_STAKEHOLDERS_CLEAR,
    Q_STAKEHOLDER_ADD,
    Q_STAKEHOLDER_COUNT,
    Q_ASSESSMENT_SUBMIT,
    Q_ASSESSMENT_AUDITOR,
    Q_ASSESSMENT_EVALUATION,
    Q_DECISION_ADD,
    Q_DECISION_JSON,
    Q_DECISIONS_OF,
    Q_GOOD_PRACTICE_ADD,
    Q_GOOD_PRACTICES_OF,
    Q_GOOD_PRACTICE_LIST,
    Q_GOOD_PRACTICES_ORG,
    Q_GOOD_PRACTICE_GET,
    Q_GOOD_PRACTICE_SHARE,
    Q_LABELS,
    Q_ACTION_LIST,
    Q_ACTION_GET,
    Q_ACTION_ADD,
    Q_ACTION_UPDATE,
    Q_JOURNAL_ADD,
    Q_JOURNAL_COUNT,
    Q_JOURNAL_LAST,
    Q_JOURNAL_ALL,
    Q_RULESET_ADD,
    Q_RULESET_FILE_ADD,
    Q_RULESET_FILES,
    Q_ACTIVATION_ADD,
    Q_ACTIVE,
    Q_HISTORY,
    Q_DECISION_LAST,
    Q_DECISION_RECORDS,
    Q_ASSESSMENT_MIGRATE,
    Q_BEGIN_READ,
    Q_DATA_VERSION,
    Q_SETTINGS,
    Q_WHATIF_TARGETS,
    Q_EVENT_ADD,
    Q_EVENT_FANOUT,
    Q_MARK,
    Q_WEBHOOK_ADD,
    Q_WEBHOOK_GET,
    Q_WEBHOOK_LIST,
    Q_WEBHOOK_UPDATE,
    Q_WEBHOOK_SECRET,
    Q_WEBHOOK_DELETE,
    Q_WEBHOOK_CANCEL,
    Q_DUE,
    Q_LEASE,
    Q_UNLEASE,
    Q_DELIVERED,
    Q_RETRY,
    Q_GIVE_UP,
    Q_ATTEMPT_ADD,
    Q_WEBHOOK_FAILING,
    Q_WEBHOOK_OK,
    Q_WEBHOOK_DISABLE,
    Q_WEBHOOK_DISABLE_ALL,
    Q_DELIVERY_LOG,
    Q_REPLAY_EVENT,
    Q_REPLAY_SINCE,
    Q_EXPIRING,
    Q_OVERDUE,
    Q_AUDITS_UNCERTIFIED,
    Q_EVENTS_AFTER,
    Q_AUDITING_ORG,
    Q_VERIFY_CODE,
    Q_DECISION_LIST,
    Q_LATEST_ANSWERS,
    Q_CURSOR_GET,
    Q_CURSOR_SET,
    Q_PLUGIN_STATES,
    Q_PLUGIN_STATE_SET,
    Q_ASSESSMENT_SUBMITTED_ON,
    Q_ASSESSMENT_DECIDED,
    Q_COUNT
};

#define ASSESSMENT_COLUMNS                                                                         \
    "a.id, a.organisation_id, o.name AS organisation, a.kind, a.status, a.ruleset,"                \
    " a.auditor_id, a.created_by, a.created_at, a.submitted_at"

/* A user's role in effect, then the role waiting for confirmation (or NULL). */
#define USER_ROLES                                                                                 \
    "coalesce(acting_role, role) AS role,"                                                         \
    " CASE WHEN acting_role IS NULL THEN NULL ELSE role END AS pending_role"

static const char *const sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT part",
    [Q_RELEASE] = "RELEASE part",
    [Q_ROLLBACK_TO] = "ROLLBACK TO part",
    [Q_ORG_ADD] = "INSERT INTO organisations (name, legal_form, city, region, member_since,"
                  " created_at) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_ORG_GET] = "SELECT id, name, legal_form, city, region, member_since, created_at"
                  " FROM organisations WHERE id = ?",
    [Q_ORG_LIST] = "SELECT id, name, legal_form, city, region, member_since, created_at"
                   " FROM organisations WHERE ?1 = 0 OR id = ?1 ORDER BY name, id",
    [Q_USER_ADD] = "INSERT INTO users (email, name, role, organisation_id, certified_until,"
                   " acting_role, password_hash, created_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_USER_GET] = "SELECT id, email, name, " USER_ROLES ", organisation_id, certified_until,"
                   " disabled FROM users WHERE id = ?",
    [Q_USER_BY_EMAIL] = "SELECT id, email, name, " USER_ROLES ", organisation_id,"
                        " certified_until, disabled, password_hash FROM users WHERE email = ?",
    [Q_USER_LIST] = "SELECT id, email, name, " USER_ROLES ", organisation_id, certified_until,"
                    " CASE WHEN disabled THEN 'true' ELSE 'false' END AS disabled_json, created_at"
                    " FROM users ORDER BY id",
    [Q_USER_SET_PASSWORD] = "UPDATE users SET password_hash = ? WHERE id = ?",
    [Q_SESSION_ADD] = "INSERT INTO sessions (token_hash, user_id, kind, name, created_at,"
                      " last_seen) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_SESSION_GET] = "SELECT u.id, u.email, u.name, coalesce(u.acting_role, u.role),"
                      " CASE WHEN u.acting_role IS NULL THEN NULL ELSE u.role END,"
                      " u.organisation_id, u.certified_until, u.disabled, s.kind, s.created_at,"
                      " s.last_seen"
                      " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
    [Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
    [Q_SESSION_DELETE_OTHERS] = "DELETE FROM sessions WHERE user_id = ? AND kind = 'session'"
                                " AND token_hash <> ?",
    [Q_USER_UPDATE] = "UPDATE users SET email = ?1, name = ?2, role = ?3, organisation_id = ?4,"
                      " certified_until = ?5, acting_role = ?6, disabled = ?7 WHERE id = ?8",
    /* Guarded: the role confirmed is the one still waiting. */
    [Q_USER_CONFIRM_ROLE] = "UPDATE users SET acting_role = NULL"
                            " WHERE id = ? AND acting_role IS NOT NULL AND role = ?",
    [Q_ADMIN_COUNT] = "SELECT count(*) FROM users WHERE coalesce(acting_role, role) = 'admin'"
                      " AND NOT disabled",
    [Q_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?",
    /* A token is named by the first 16 hex digits of its hash: enough to
     * tell tokens apart, nothing that helps to find the token. */
    [Q_TOKEN_LIST] = "SELECT substr(s.token_hash, 1, 16) AS id, s.name, s.user_id,"
                     " u.name AS user_name,"
                     " strftime('%Y-%m-%dT%H:%M:%SZ', s.created_at, 'unixepoch') AS created_at,"
                     " strftime('%Y-%m-%dT%H:%M:%SZ', s.last_seen, 'unixepoch') AS last_used_at"
                     " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.kind = 'api'"
                     " ORDER BY s.created_at, s.token_hash",
    [Q_TOKEN_DELETE] = "DELETE FROM sessions WHERE kind = 'api' AND substr(token_hash, 1, 16) = ?",
    [Q_ASSESSMENT_ADD] = "INSERT INTO assessments (organisation_id, kind, ruleset, auditor_id,"
                         " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_ASSESSMENT_GET] = "SELECT id, organisation_id, kind, status, ruleset, auditor_id,"
                         " created_by FROM assessments WHERE id = ?",
    [Q_ASSESSMENT_JSON] = "SELECT " ASSESSMENT_COLUMNS ", a.evaluation AS evaluation_json"
                          " FROM assessments a JOIN organisations o ON o.id = a.organisation_id"
                          " WHERE a.id = ?",
    [Q_ASSESSMENT_LIST] = "SELECT " ASSESSMENT_COLUMNS
                          " FROM assessments a JOIN organisations o ON o.id = a.organisation_id"
                          " WHERE (?1 = 0 OR a.organisation_id = ?1)"
                          " AND (?2 = 0 OR a.auditor_id = ?2) ORDER BY a.id",
    [Q_ANSWERS] = "SELECT criterion, status FROM answers WHERE assessment_id = ?"
                  " ORDER BY criterion",
    [Q_ANSWERS_JSON] = "SELECT criterion, status, comment, evidence AS evidence_json,"
                       " updated_at FROM answers WHERE assessment_id = ? ORDER BY criterion",
    [Q_ANSWER_PUT] = "INSERT INTO answers (assessment_id, criterion, status, comment, evidence,"
                     " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT (assessment_id, criterion) DO UPDATE SET"
                     " status = excluded.status, comment = excluded.comment,"
                     " evidence = excluded.evidence, updated_by = excluded.updated_by,"
                     " updated_at = excluded.updated_at",
    /* An answer's keys as store_assessment_json gives them, in their order;
     * evidence is always written valid (a bad one reads as null, as in row_json). */
    [Q_ANSWER_JSON] = "SELECT json_object('criterion', criterion, 'status', status,"
                      " 'comment', comment, 'evidence',"
                      " CASE WHEN json_valid(evidence) THEN json(evidence) END,"
                      " 'updated_at', updated_at)"
                      " FROM answers WHERE assessment_id = ? AND criterion = ?",
    [Q_STAKEHOLDERS_JSON] = "SELECT name, role FROM stakeholders WHERE assessment_id = ?"
                            " ORDER BY id",
    [Q_STAKEHOLDERS_CLEAR] = "DELETE FROM stakeholders WHERE assessment_id = ?",
    [Q_STAKEHOLDER_ADD] = "INSERT INTO stakeholders (assessment_id, name, role) VALUES (?, ?, ?)",
    [Q_STAKEHOLDER_COUNT] = "SELECT count(*) FROM stakeholders WHERE assessment_id = ?",
    [Q_ASSESSMENT_SUBMIT] = "UPDATE assessments SET status = 'submitted', submitted_at = ?,"
                            " evaluation = ? WHERE id = ? AND status = 'draft'",
    [Q_ASSESSMENT_AUDITOR] = "UPDATE assessments SET auditor_id = ? WHERE id = ? AND kind = 'audit'"
                             " AND status = 'draft'",
    [Q_ASSESSMENT_EVALUATION] = "SELECT evaluation FROM assessments WHERE id = ?",
    [Q_DECISION_ADD] = "INSERT INTO decisions (assessment_id, organisation_id, outcome,"
                       " decided_on, valid_until, recommendations, evaluation, ruleset,"
                       " decided_by, created_at, record, record_hash, prev_hash, points)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, '[]'))",
    [Q_DECISION_JSON] = "SELECT id, assessment_id, organisation_id, outcome, decided_on AS date,"
                        " valid_until, recommendations AS recommendations_json,"
                        " points AS points_json,"
                        " evaluation AS evaluation_json, ruleset, decided_by, created_at,"
                        " record_hash FROM decisions WHERE id = ?",
    [Q_DECISIONS_OF] =
        "SELECT d.id, d.outcome, d.decided_on AS date, d.valid_until,"
        " d.recommendations AS recommendations_json, d.points AS points_json, d.record_hash,"
        " (SELECT json_group_array(json_object('id', g.id, 'criterion', g.criterion,"
        "   'text', g.text, 'shared', json(CASE WHEN g.shared THEN 'true' ELSE 'false' END)))"
        "   FROM good_practices g"
        "   WHERE g.decision_id = d.id) AS good_practices_json"
        " FROM decisions d WHERE d.assessment_id = ? ORDER BY d.id",
    [Q_GOOD_PRACTICE_ADD] = "INSERT INTO good_practices (decision_id, organisation_id,"
                            " criterion, text) VALUES (?, ?, ?, ?)",
    [Q_GOOD_PRACTICES_OF] = "SELECT id, criterion, text FROM good_practices"
                            " WHERE decision_id = ? ORDER BY id",
    [Q_GOOD_PRACTICE_LIST] = "SELECT g.id, g.criterion, g.text, g.organisation_id,"
                             " o.name AS organisation FROM good_practices g"
                             " JOIN organisations o ON o.id = g.organisation_id"
                             " WHERE g.shared AND (?1 IS NULL OR g.criterion = ?1)"
                             " ORDER BY g.criterion, g.id",
    [Q_GOOD_PRACTICES_ORG] = "SELECT g.id, g.criterion, g.text,"
                             " CASE WHEN g.shared THEN 'true' ELSE 'false' END AS shared_json,"
                             " d.assessment_id,"
                             " d.decided_on AS date FROM good_practices g"
                             " JOIN decisions d ON d.id = g.decision_id"
                             " WHERE g.organisation_id = ? ORDER BY g.id",
    [Q_GOOD_PRACTICE_GET] = "SELECT id, organisation_id, criterion, text,"
                            " CASE WHEN shared THEN 'true' ELSE 'false' END AS shared_json"
                            " FROM good_practices WHERE id = ?",
    [Q_GOOD_PRACTICE_SHARE] = "UPDATE good_practices SET shared = ? WHERE id = ?",
    [Q_LABELS] = "SELECT o.id, o.name, o.city,"
                 " (SELECT max(valid_until) FROM decisions d"
                 "   WHERE d.organisation_id = o.id AND d.outcome = 'awarded') AS valid_until,"
                 " EXISTS (SELECT 1 FROM assessments a WHERE a.organisation_id = o.id) AS engaged"
                 " FROM organisations o ORDER BY o.name, o.id",
    [Q_ACTION_LIST] = "SELECT id, organisation_id, criterion, action, owner, due, status,"
                      " created_at, updated_at FROM action_items WHERE organisation_id = ?"
                      " ORDER BY id",
    [Q_ACTION_GET] = "SELECT id, organisation_id, criterion, action, owner, due, status,"
                     " created_at, updated_at FROM action_items WHERE id = ?",
    [Q_ACTION_ADD] = "INSERT INTO action_items (organisation_id, criterion, action, owner, due,"
                     " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_ACTION_UPDATE] = "UPDATE action_items SET criterion = ?, action = ?, owner = ?, due = ?,"
                        " status = ?, updated_at = ? WHERE id = ?",
    [Q_JOURNAL_ADD] = "INSERT INTO journal (at, user_id, action, entity, entity_id, before, after,"
                      " hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_JOURNAL_LAST] = "SELECT hash FROM journal ORDER BY id DESC LIMIT 1",
    [Q_JOURNAL_ALL] = "SELECT id, at, user_id, action, entity, entity_id, before, after, hash,"
                      " prev_hash FROM journal ORDER BY id",
    [Q_RULESET_ADD] = "INSERT OR IGNORE INTO rulesets (hash, created_at) VALUES (?, ?)",
    [Q_RULESET_FILE_ADD] = "INSERT OR IGNORE INTO ruleset_files (hash, path, content)"
                           " VALUES (?, ?, ?)",
    [Q_RULESET_FILES] = "SELECT path, content FROM ruleset_files WHERE hash = ? ORDER BY path",
    [Q_ACTIVATION_ADD] = "INSERT INTO activations (hash, label, note, activated_by, activated_at)"
                         " VALUES (?, ?, ?, ?, ?)",
    [Q_ACTIVE] = "SELECT hash, id FROM activations ORDER BY id DESC LIMIT 1",
    [Q_HISTORY] = "SELECT a.id, a.hash AS ruleset, a.label, a.note, a.activated_by,"
                  " u.email AS activated_by_email, a.activated_at FROM activations a"
                  " LEFT JOIN users u ON u.id = a.activated_by ORDER BY a.id",
    [Q_DECISION_LAST] = "SELECT record_hash FROM decisions WHERE record_hash IS NOT NULL"
                        " ORDER BY id DESC LIMIT 1",
    [Q_DECISION_RECORDS] = "SELECT id, assessment_id, outcome, decided_on, valid_until, record,"
                           " record_hash, prev_hash FROM decisions ORDER BY id",
    [Q_BEGIN_READ] = "BEGIN",
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_SETTINGS] = "SELECT n FROM settings_generation",
    [Q_WHATIF_TARGETS] = "SELECT a.id, a.organisation_id, o.name AS organisation, a.kind, a.status,"
                         " a.evaluation AS evaluation_json,"
                         " (SELECT max(d.valid_until) FROM decisions d WHERE d.assessment_id = a.id"
                         "   AND d.outcome = 'awarded') AS label_until FROM assessments a"
                         " JOIN organisations o ON o.id = a.organisation_id"
                         " WHERE (a.kind = 'audit' AND a.id = (SELECT max(b.id) FROM assessments b"
                         "   WHERE b.organisation_id = a.organisation_id AND b.kind = 'audit'"
                         "   AND b.status <> 'draft'))"
                         " OR (a.kind = 'self_assessment' AND a.status = 'draft') ORDER BY a.id",
    [Q_EVENT_ADD] = "INSERT INTO events (type, at, data) VALUES (?, ?, ?)",
    /* The outbox: deliveries are due in the same transaction as the event. */
    [Q_EVENT_FANOUT] = "INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)"
                       " SELECT w.id, ?1, ?2, ?3 FROM webhooks w WHERE w.enabled AND NOT w.deleted"
                       " AND EXISTS (SELECT 1 FROM json_each(w.events) j"
                       "   WHERE j.value = '*' OR j.value = ?4)",
    [Q_MARK] = "INSERT OR IGNORE INTO marks (key, at) VALUES (?, ?)",
    [Q_WEBHOOK_ADD] = "INSERT INTO webhooks (url, events, secret, created_at, plugin)"
                      " VALUES (?, ?, ?, ?, ?)",
    [Q_WEBHOOK_GET] = "SELECT id, url, events AS events_json,"
                      " CASE WHEN enabled THEN 'true' ELSE 'false' END AS enabled_json,"
                      " disabled_reason, plugin,"
                      " created_at FROM webhooks WHERE id = ? AND NOT deleted",
    [Q_WEBHOOK_LIST] = "SELECT id, url, events AS events_json,"
                       " CASE WHEN enabled THEN 'true' ELSE 'false' END AS enabled_json,"
                       " disabled_reason, plugin,"
                       " created_at FROM webhooks WHERE NOT deleted ORDER BY id",
    [Q_WEBHOOK_UPDATE] = "UPDATE webhooks SET url = coalesce(?2, url),"
                         " events = coalesce(?3, events), enabled = coalesce(?4, enabled),"
                         " disabled_reason = CASE WHEN ?4 = 1 THEN NULL ELSE disabled_reason END,"
                         " failing_since = CASE WHEN ?4 = 1 THEN NULL ELSE failing_since END"
                         " WHERE id = ?1 AND NOT deleted",
    [Q_WEBHOOK_SECRET] = "UPDATE webhooks SET old_secret = secret, old_secret_until = ?3,"
                         " secret = ?2 WHERE id = ?1 AND NOT deleted",
    [Q_WEBHOOK_DELETE] =
        "UPDATE webhooks SET deleted = 1, enabled = 0 WHERE id = ? AND NOT deleted",
    [Q_WEBHOOK_CANCEL] = "UPDATE deliveries SET state = 'failed'"
                         " WHERE webhook_id = ? AND state = 'pending'",
    /* First attempts go in event order: the oldest due delivery first. */
    [Q_DUE] = "SELECT d.id, d.webhook_id, d.event_id, d.attempts, w.url, w.secret,"
              " CASE WHEN w.old_secret_until > ?1 THEN w.old_secret END, e.type, e.at, e.data,"
              " w.plugin"
              " FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id"
              " JOIN events e ON e.id = d.event_id"
              " WHERE d.state = 'pending' AND d.next_at <= ?1 AND w.enabled"
              " AND (d.lease_until IS NULL OR d.lease_until < ?1)"
              " ORDER BY d.event_id, d.id LIMIT ?2",
    [Q_LEASE] = "UPDATE deliveries SET lease_until = ?2 WHERE id = ?1",
    [Q_UNLEASE] = "UPDATE deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL",
    [Q_DELIVERED] = "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1,"
                    " lease_until = NULL WHERE id = ?",
    [Q_RETRY] = "UPDATE deliveries SET attempts = attempts + 1, next_at = ?2, lease_until = NULL"
                " WHERE id = ?1",
    [Q_GIVE_UP] = "UPDATE deliveries SET state = 'failed', attempts = attempts + 1,"
                  " lease_until = NULL WHERE id = ?",
    [Q_ATTEMPT_ADD] = "INSERT INTO attempts (delivery_id, at, status, duration_ms, response, error)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
    [Q_WEBHOOK_FAILING] = "UPDATE webhooks SET failing_since = coalesce(failing_since, ?2)"
                          " WHERE id = ?1 RETURNING failing_since",
    [Q_WEBHOOK_OK] = "UPDATE webhooks SET failing_since = NULL WHERE id = ?",
    [Q_WEBHOOK_DISABLE] = "UPDATE webhooks SET enabled = 0, disabled_reason = ?2"
                          " WHERE id = ?1 AND enabled",
    [Q_WEBHOOK_DISABLE_ALL] = "UPDATE deliveries SET state = 'failed'"
                              " WHERE webhook_id = ? AND state = 'pending'",
    [Q_DELIVERY_LOG] = "SELECT a.id, d.id AS delivery_id, d.event_id, e.type, a.at, a.status,"
                       " a.duration_ms, a.response, a.error, d.state, d.attempts"
                       " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
                       " JOIN events e ON e.id = d.event_id"
                       " WHERE d.webhook_id = ?1 ORDER BY a.id DESC LIMIT ?2",
    [Q_REPLAY_EVENT] = "INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)"
                       " SELECT ?1, id, ?3, ?4 FROM events WHERE id = ?2",
    [Q_REPLAY_SINCE] = "INSERT INTO deliveries (webhook_id, event_id, next_at, created_at)"
                       " SELECT ?1, e.id, ?3, ?4 FROM events e WHERE e.at >= ?2"
                       " AND EXISTS (SELECT 1 FROM webhooks w, json_each(w.events) j"
                       "   WHERE w.id = ?1 AND (j.value = '*' OR j.value = e.type))"
                       " ORDER BY e.id",
    [Q_EXPIRING] = "SELECT d.id, d.organisation_id, o.name, d.valid_until, d.assessment_id"
                   " FROM decisions d JOIN organisations o ON o.id = d.organisation_id"
                   " WHERE d.outcome = 'awarded' AND d.valid_until IS NOT NULL AND d.id ="
                   " (SELECT max(x.id) FROM decisions x WHERE x.organisation_id ="
                   " d.organisation_id AND x.outcome = 'awarded')",
    [Q_OVERDUE] = "SELECT i.id, i.organisation_id, o.name, i.criterion, i.action, i.due"
                  " FROM action_items i JOIN organisations o ON o.id = i.organisation_id"
                  " WHERE i.status <> 'done' AND i.due IS NOT NULL AND i.due < ?",
    [Q_AUDITS_UNCERTIFIED] = "SELECT a.id, a.organisation_id, a.ruleset, a.auditor_id,"
                             " COALESCE(u.certified_until, '') AS certified_until"
                             " FROM assessments a JOIN users u ON u.id = a.auditor_id"
                             " WHERE a.kind = 'audit' AND a.status = 'draft' AND u.disabled = 0"
                             " AND COALESCE(u.certified_until, '') < ? ORDER BY a.id",
    [Q_DECISION_LIST] = "SELECT d.id, d.assessment_id, d.organisation_id, o.name AS organisation,"
                        " d.outcome, d.decided_on AS date, d.valid_until,"
                        " d.recommendations AS recommendations_json, d.ruleset FROM decisions d"
                        " JOIN organisations o ON o.id = d.organisation_id"
                        " WHERE ?1 = 0 OR d.organisation_id = ?1 ORDER BY d.id",
    /* Each CAE's latest audit past draft, and its answers. */
    [Q_LATEST_ANSWERS] = "SELECT a.id, a.organisation_id, x.criterion, x.status"
                         " FROM assessments a JOIN answers x ON x.assessment_id = a.id"
                         " WHERE a.kind = ?1 AND (?2 = 0 OR a.organisation_id = ?2) AND a.id ="
                         " (SELECT max(b.id) FROM assessments b WHERE b.organisation_id ="
                         " a.organisation_id AND b.kind = ?1 AND b.status <> 'draft')"
                         " ORDER BY a.id",
    [Q_VERIFY_CODE] = "SELECT d.id AS decision_id, o.name AS organisation, o.city, d.outcome,"
                      " d.decided_on AS date, d.valid_until, d.ruleset FROM decisions d"
                      " JOIN organisations o ON o.id = d.organisation_id WHERE d.record_hash = ?",
    [Q_AUDITING_ORG] = "SELECT count(*) FROM assessments WHERE auditor_id = ? AND"
                       " organisation_id = ? AND kind = 'audit'",
    [Q_EVENTS_AFTER] = "SELECT id, type, at, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
    [Q_CURSOR_GET] = "SELECT value FROM cursors WHERE name = ?",
    [Q_CURSOR_SET] = "INSERT INTO cursors (name, value) VALUES (?1, ?2)"
                     " ON CONFLICT (name) DO UPDATE SET value = ?2",
    [Q_PLUGIN_STATES] = "SELECT name, enabled FROM plugin_state",
    [Q_PLUGIN_STATE_SET] =
        "INSERT INTO plugin_state (name, enabled, updated_at) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (name) DO UPDATE SET enabled = ?2, updated_at = ?3",
    [Q_ASSESSMENT_MIGRATE] = "UPDATE assessments SET ruleset = ?2"
                             " WHERE id = ?1 AND status = 'draft'",
    [Q_JOURNAL_COUNT] = "SELECT count(*) FROM journal",
    [Q_ASSESSMENT_SUBMITTED_ON] = "SELECT substr(submitted_at, 1, 10) FROM assessments"
                                  " WHERE id = ? AND status = 'submitted'",
    /* A deferral gives the audit back to its auditor as a draft: what was
     * submitted stays in the deferral's record, not on the draft. */
    [Q_ASSESSMENT_DECIDED] =
        "UPDATE assessments SET status = CASE WHEN ?2 THEN 'draft' ELSE 'decided' END,"
        " submitted_at = CASE WHEN ?2 THEN NULL ELSE submitted_at END,"
        " evaluation = CASE WHEN ?2 THEN NULL ELSE evaluation END"
        " WHERE id = ?1 AND kind = 'audit' AND status = 'submitted'",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[Q_COUNT];
    bool writing;          /* holds write_lock: a write transaction is open */
    bool snapshot;         /* a read transaction of store_snapshot is open */
    unsigned events_added; /* since store_events_taken */
    void (*wal_fn)(void *arg, int pages);
    void *wal_arg;
    store_version seen; /* the last version read, settings included; settings -1: none */
    /* The hash of the journal row this write transaction wrote last, so that
     * the next row need not read it back; forgotten at the transaction's
     * end and whenever a savepoint is rolled back. */
    char chain[65];
    bool chain_known;
};

/* Writers of this process queue here rather than in SQLite's busy handler,
 * which polls with sleeps of a millisecond and more: under concurrent writes
 * the lock then passes at once from one thread to the next. Other processes
 * still meet the busy handler. A thread may hold it for several stores. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int write_depth;

static void write_acquire(store *s)
{
    if (write_depth++ == 0)
        pthread_mutex_lock(&write_lock);
    s->writing = true;
    s->chain_known = false;
}

static void write_release(store *s)
{
    s->chain_known = false;
    if (!s->writing)
        return;
    s->writing = false;
    if (--write_depth == 0)
        pthread_mutex_unlock(&write_lock);
}

/* The error of the last failed call, mapped to what the edges report. */
static int db_fail(store *s, err *e, const char *what)
{
    int sys = errno; /* first: nothing below may change it */
    int rc = sqlite3_extended_errcode(s->db);
    int code = ERR_FAIL;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = ERR_CONFLICT;
    else if ((rc & 0xff) == SQLITE_CONSTRAINT)
        code = ERR_INPUT;
    else if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_READONLY ||
             (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_IOERR ||
             (rc & 0xff) == SQLITE_CANTOPEN)
        code = ERR_UNAVAILABLE;
    /* SQLite says "disk I/O error" for a write refused past a file size limit
     * (EFBIG) as for a failing disk (EIO): errno, still the write's, says which. */
    if (sys &&
        (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE))
        return err_set(e, code, "%s: %s (%s)", what, sqlite3_errmsg(s->db), strerror(sys));
    return err_set(e, code, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* The cached statement q, reset and cleared; NULL (with e set) on failure. */
static sqlite3_stmt *stmt(store *s, int q, err *e)
{
    sqlite3_stmt *st = s->stmts[q];
    if (!st) {
        if (sqlite3_prepare_v3(s->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            db_fail(s, e, "prepare");
            return NULL;
        }
        s->stmts[q] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    /* A write inside the snapshot would turn it into a write transaction
     * that started from old data, and keep the write lock till its end. */
    if (s->snapshot && !sqlite3_stmt_readonly(st))
        store_snapshot_end(s);
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, long long v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no row. */
static int exec_stmt(store *s, sqlite3_stmt *st, const char *what, err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(s, e, what);
    return ERR_OK;
}

/* The current row as an object; "x_json" columns are parsed into key "x". */
static cJSON *row_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        size_t len = strlen(name);
        cJSON *v;
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
            v = cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
            break;
        case SQLITE_FLOAT:
            v = cJSON_CreateNumber(sqlite3_column_double(st, i));
            break;
        case SQLITE_TEXT: {
            const char *text = (const char *)sqlite3_column_text(st, i);
            if (len > 5 && strcmp(name + len - 5, "_json") == 0) {
                v = cJSON_Parse(text);
                if (!v)
                    v = cJSON_CreateNull();
            } else {
                v = cJSON_CreateString(text);
            }
            break;
        }
        default:
            v = cJSON_CreateNull();
        }
        if (len > 5 && len < 64 && strcmp(name + len - 5, "_json") == 0) {
            char key[64];
            memcpy(key, name, len - 5);
            key[len - 5] = '\0';
            cJSON_AddItemToObject(o, key, v);
        } else {
            cJSON_AddItemToObject(o, name, v);
        }
    }
    return o;
}

/* Collects the rows of st into a list (one: the single row, ERR_NOT_FOUND if none). */
static int rows_json(store *s, sqlite3_stmt *st, bool one, const char *what, cJSON **out, err *e)
{
    *out = NULL;
    cJSON *list = one ? NULL : cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *row = row_json(st);
        if (one) {
            *out = row;
            sqlite3_reset(st);
            return ERR_OK;
        }
        cJSON_AddItemToArray(list, row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(list);
        return db_fail(s, e, what);
    }
    if (one)
        return err_set(e, ERR_NOT_FOUND, "%s not found", what);
    *out = list;
    return ERR_OK;
}

/* Runs st and reports ERR_NOT_FOUND when it changed no row. */
static int exec_one(store *s, sqlite3_stmt *st, const char *what, err *e)
{
    if (exec_stmt(s, st, what, e))
        return e->code;
    return sqlite3_changes(s->db) ? ERR_OK : err_set(e, ERR_NOT_FOUND, "%s not found", what);
}

static int count_rows(store *s, sqlite3_stmt *st, long long *n, err *e)
{
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ERR_OK : db_fail(s, e, "count");
}

/* ---- opening and migrating ---------------------------------------------- */

static int exec_sql(store *s, const char *text, err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, text, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, ERR_FAIL, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return ERR_FAIL;
    }
    return ERR_OK;
}

int store_schema_version(store *s)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* Applies the migrations the database lacks, each in its own transaction. */
static int migrate(store *s, err *e)
{
    int v = store_schema_version(s);
    if (v < 0)
        return err_set(e, ERR_FAIL, "cannot read the schema version: %s", sqlite3_errmsg(s->db));
    if (v > N_MIGRATIONS)
        return err_set(e, ERR_FAIL,
                       "the database has schema version %d, newer than this labelcoop (%d)", v,
                       N_MIGRATIONS);
    for (; v < N_MIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (exec_sql(s, "BEGIN IMMEDIATE", e) || exec_sql(s, migrations[v], e) ||
            exec_sql(s, pragma, e) || exec_sql(s, "COMMIT", e)) {
            exec_sql(s, "ROLLBACK", NULL);
            return err_set(e, ERR_FAIL, "migration %d failed: %s", v + 1, err_msg(e));
        }
    }
    return ERR_OK;
}

/* SQLite keeps allocation statistics under one global mutex, taken on every
 * allocation of every connection: worker threads would queue on it. */
static void configure_once(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, store **out, err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_FAIL, "out of memory");
    s->seen.settings = -1;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        err_set(e, ERR_UNAVAILABLE, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        store_close(s);
        return ERR_UNAVAILABLE;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 5000);
    /* temp_store = MEMORY: an upsert into a WITHOUT ROWID table goes through
     * an ephemeral table, which would otherwise get a temporary file and a
     * page cache of its own at every statement. */
    if (exec_sql(s,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;",
                 e) != ERR_OK ||
        migrate(s, e) != ERR_OK) {
        err_set(e, ERR_UNAVAILABLE, "%s: %s", path, err_msg(e));
        store_close(s);
        return ERR_UNAVAILABLE;
    }
    *out = s;
    return ERR_OK;
}

void store_close(store *s)
{
    if (!s)
        return;
    write_release(s);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->db);
    free(s);
}

int store_begin(store *s, err *e)
{
    store_snapshot_end(s);
    sqlite3_stmt *st = stmt(s, Q_BEGIN, e);
    if (!st)
        return e->code;
    write_acquire(s);
    int rc = exec_stmt(s, st, "begin", e);
    if (rc != ERR_OK)
        write_release(s);
    return rc;
}

int store_version_get(store *s, store_version *v, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DATA_VERSION, e);
    if (!st)
        return e->code;
    if (count_rows(s, st, &v->data, e))
        return e->code;
    v->own = (long long)sqlite3_total_changes64(s->db);
    /* Nothing committed since the last read: the settings did not move
     * either, and a request that only reads pays for one statement. */
    if (s->seen.settings >= 0 && store_version_same(v, &s->seen)) {
        v->settings = s->seen.settings;
        return ERR_OK;
    }
    if (store_settings_get(s, &v->settings, e))
        return e->code;
    s->seen = *v;
    return ERR_OK;
}

bool store_version_same(const store_version *a, const store_version *b)
{
    return a->data == b->data && a->own == b->own;
}

bool store_settings_same(const store_version *a, const store_version *b)
{
    return a->settings == b->settings;
}

int store_settings_get(store *s, long long *settings, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SETTINGS, e);
    return st ? count_rows(s, st, settings, e) : e->code;
}

int store_begin_read(store *s, err *e)
{
    if (s->snapshot) { /* already in one: the caller's commit ends it */
        s->snapshot = false;
        return ERR_OK;
    }
    sqlite3_stmt *st = stmt(s, Q_BEGIN_READ, e);
    return st ? exec_stmt(s, st, "begin", e) : e->code;
}

int store_snapshot(store *s, err *e)
{
    if (!sqlite3_get_autocommit(s->db))
        return ERR_OK; /* a transaction is open: its reads are one snapshot already */
    int rc = store_begin_read(s, e);
    s->snapshot = rc == ERR_OK;
    return rc;
}

void store_snapshot_end(store *s)
{
    if (!s->snapshot)
        return;
    s->snapshot = false;
    if (!sqlite3_get_autocommit(s->db)) {
        err e = ERR_INIT;
        sqlite3_stmt *st = stmt(s, Q_COMMIT, &e);
        if (st) /* a read transaction: ending it cannot lose anything */
            exec_stmt(s, st, "commit", &e);
        err_clear(&e);
    }
}

int store_whatif_targets(store *s, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WHATIF_TARGETS, e);
    return st ? rows_json(s, st, false, "assessments", out, e) : e->code;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)db, (void)name;
    store *s = arg;
    s->wal_fn(s->wal_arg, pages);
    return SQLITE_OK;
}

void store_wal_watch(store *s, void (*fn)(void *arg, int pages), void *arg)
{
    s->wal_fn = fn;
    s->wal_arg = arg;
    sqlite3_wal_hook(s->db, wal_hook, s); /* replaces the automatic checkpoint */
}

int store_checkpoint(store *s, err *e)
{
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return rc == SQLITE_OK ? ERR_OK : db_fail(s, e, "checkpoint");
}

int store_commit(store *s, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_COMMIT, e);
    int rc = st ? exec_stmt(s, st, "commit", e) : e->code;
    if (rc != ERR_OK)
        store_rollback(s);
    else
        write_release(s);
    return rc;
}

void store_rollback(store *s)
{
    s->snapshot = false;
    if (!sqlite3_get_autocommit(s->db)) { /* else SQLite already rolled back */
        err e = ERR_INIT;
        sqlite3_stmt *st = stmt(s, Q_ROLLBACK, &e);
        if (st)
            exec_stmt(s, st, "rollback", &e);
        err_clear(&e);
    }
    write_release(s);
}

int store_savepoint(store *s, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SAVEPOINT, e);
    return st ? exec_stmt(s, st, "savepoint", e) : e->code;
}

int store_release(store *s, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_RELEASE, e);
    return st ? exec_stmt(s, st, "release", e) : e->code;
}

bool store_rollback_to(store *s)
{
    s->chain_known = false;            /* the row it names may be undone */
    if (sqlite3_get_autocommit(s->db)) /* SQLite rolled the whole transaction back */
        return false;
    err e = ERR_INIT;
    sqlite3_stmt *st = stmt(s, Q_ROLLBACK_TO, &e);
    bool ok = st && exec_stmt(s, st, "rollback to", &e) == ERR_OK;
    if (ok && (st = stmt(s, Q_RELEASE, &e)) != NULL)
        ok = exec_stmt(s, st, "release", &e) == ERR_OK;
    err_clear(&e);
    return ok && !sqlite3_get_autocommit(s->db);
}

int store_backup(store *s, const char *file, err *e)
{
    sqlite3 *dst;
    if (sqlite3_open_v2(file, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err_set(e, ERR_INPUT, "%s: %s", file, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return ERR_INPUT;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
    int rc = SQLITE_ERROR;
    if (b) {
        /* Small steps: writers get the lock between them. */
        while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
               rc == SQLITE_LOCKED)
            sqlite3_sleep(rc == SQLITE_OK ? 0 : 10);
        sqlite3_backup_finish(b);
    }
    int status = rc == SQLITE_DONE
                     ? ERR_OK
                     : err_set(e, ERR_FAIL, "backup to %s: %s", file, sqlite3_errmsg(dst));
    sqlite3_close(dst);
    return status;
}

/* ---- organisations ------------------------------------------------------ */

static const char *field_str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

int store_org_add(store *s, const cJSON *f, long long *id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ORG_ADD, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    bind_text(st, 1, field_str(f, "name"));
    bind_text(st, 2, field_str(f, "legal_form"));
    bind_text(st, 3, field_str(f, "city"));
    bind_text(st, 4, field_str(f, "region"));
    bind_text(st, 5, field_str(f, "member_since"));
    bind_text(st, 6, now);
    if (exec_stmt(s, st, "organisation", e) != ERR_OK)
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

int store_org_get(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ORG_GET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return rows_json(s, st, true, "organisation", out, e);
}

int store_org_list(store *s, long long only, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ORG_LIST, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, only);
    return rows_json(s, st, false, "organisations", out, e);
}

/* ---- users -------------------------------------------------------------- */

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    snprintf(dst, size, "%s", v ? v : "");
}

static void read_user(sqlite3_stmt *st, int first, store_user *u)
{
    u->id = sqlite3_column_int64(st, first);
    copy_col(st, first + 1, u->email, sizeof u->email);
    copy_col(st, first + 2, u->name, sizeof u->name);
    copy_col(st, first + 3, u->role, sizeof u->role);
    copy_col(st, first + 4, u->pending_role, sizeof u->pending_role);
    u->org_id = sqlite3_column_int64(st, first + 5);
    copy_col(st, first + 6, u->certified_until, sizeof u->certified_until);
    u->disabled = sqlite3_column_int(st, first + 7) != 0;
}

cJSON *store_user_json(const store_user *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)u->id);
    cJSON_AddStringToObject(o, "email", u->email);
    cJSON_AddStringToObject(o, "name", u->name);
    cJSON_AddStringToObject(o, "role", u->role);
    if (u->pending_role[0])
        cJSON_AddStringToObject(o, "pending_role", u->pending_role);
    else
        cJSON_AddNullToObject(o, "pending_role");
    if (u->org_id)
        cJSON_AddNumberToObject(o, "organisation_id", (double)u->org_id);
    else
        cJSON_AddNullToObject(o, "organisation_id");
    if (u->certified_until[0])
        cJSON_AddStringToObject(o, "certified_until", u->certified_until);
    else
        cJSON_AddNullToObject(o, "certified_until");
    cJSON_AddBoolToObject(o, "disabled", u->disabled);
    return o;
}

/* Binds u's email, name, role, organisation, certification and acting role
 * to ?1 to ?6: a role waiting for confirmation is the role column's, and the
 * one in effect meanwhile the acting role's. */
static void bind_user(sqlite3_stmt *st, const store_user *u)
{
    bool pending = u->pending_role[0] != '\0';
    bind_text(st, 1, u->email);
    bind_text(st, 2, u->name);
    bind_text(st, 3, pending ? u->pending_role : u->role);
    bind_id(st, 4, u->org_id);
    bind_text(st, 5, u->certified_until);
    bind_text(st, 6, pending ? u->role : NULL);
}

/* The error of a failed user write, saying which email is taken. */
static int email_taken(err *e, const store_user *u)
{
    if (e->code == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "a user with the email %s already exists", u->email);
    return e->code;
}

int store_user_add(store *s, const store_user *u, const char *password_hash, long long *id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_ADD, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    bind_user(st, u);
    bind_text(st, 7, password_hash);
    bind_text(st, 8, now);
    if (exec_stmt(s, st, "user", e) != ERR_OK)
        return email_taken(e, u);
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

static int one_user(store *s, sqlite3_stmt *st, store_user *u, char *hash, size_t hash_size, err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, 0, u);
        if (hash)
            copy_col(st, 8, hash, hash_size);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(e, ERR_NOT_FOUND, "user not found") : db_fail(s, e, "user");
}

int store_user_get(store *s, long long id, store_user *u, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_GET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return one_user(s, st, u, NULL, 0, e);
}

int store_user_by_email(store *s, const char *email, store_user *u, char *hash, size_t hash_size,
                        err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_BY_EMAIL, e);
    if (!st)
        return e->code;
    bind_text(st, 1, email);
    return one_user(s, st, u, hash, hash_size, e);
}

int store_user_list(store *s, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_LIST, e);
    return st ? rows_json(s, st, false, "users", out, e) : e->code;
}

int store_user_set_password(store *s, long long id, const char *password_hash, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_SET_PASSWORD, e);
    if (!st)
        return e->code;
    bind_text(st, 1, password_hash);
    sqlite3_bind_int64(st, 2, id);
    return exec_stmt(s, st, "password", e);
}

int store_user_update(store *s, const store_user *u, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_UPDATE, e);
    if (!st)
        return e->code;
    bind_user(st, u);
    sqlite3_bind_int(st, 7, u->disabled);
    sqlite3_bind_int64(st, 8, u->id);
    return exec_one(s, st, "user", e) == ERR_OK ? ERR_OK : email_taken(e, u);
}

int store_user_confirm_role(store *s, long long id, const char *role, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_USER_CONFIRM_ROLE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, role);
    return exec_one(s, st, "role awaiting confirmation", e);
}

int store_admin_count(store *s, long long *n, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ADMIN_COUNT, e);
    return st ? count_rows(s, st, n, e) : e->code;
}

/* ---- sessions ------------------------------------------------------------ */

int store_session_add(store *s, const char *token_hash, long long user, const char *kind,
                      const char *name, long long now, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SESSION_ADD, e);
    if (!st)
        return e->code;
    bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, user);
    bind_text(st, 3, kind);
    bind_text(st, 4, name);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, now);
    return exec_stmt(s, st, "session", e);
}

int store_session_get(store *s, const char *token_hash, store_user *u, char kind[8],
                      long long *created, long long *last_seen, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SESSION_GET, e);
    if (!st)
        return e->code;
    bind_text(st, 1, token_hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_user(st, 0, u);
        copy_col(st, 8, kind, 8);
        *created = sqlite3_column_int64(st, 9);
        *last_seen = sqlite3_column_int64(st, 10);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(e, ERR_NOT_FOUND, "no such session")
                             : db_fail(s, e, "session");
}

int store_session_touch(store *s, const char *token_hash, long long now, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SESSION_TOUCH, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, now);
    bind_text(st, 2, token_hash);
    return exec_stmt(s, st, "session", e);
}

/* Runs statement q on text, its one parameter; with one, a statement that
 * changed no row is ERR_NOT_FOUND. */
static int exec_on_text(store *s, int q, const char *text, bool one, const char *what, err *e)
{
    sqlite3_stmt *st = stmt(s, q, e);
    if (!st)
        return e->code;
    bind_text(st, 1, text);
    return one ? exec_one(s, st, what, e) : exec_stmt(s, st, what, e);
}

int store_session_delete(store *s, const char *token_hash, err *e)
{
    return exec_on_text(s, Q_SESSION_DELETE, token_hash, false, "session", e);
}

int store_session_delete_others(store *s, long long user, const char *keep, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SESSION_DELETE_OTHERS, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, user);
    bind_text(st, 2, keep ? keep : "-");
    return exec_stmt(s, st, "sessions", e);
}

int store_session_delete_user(store *s, long long user, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_SESSION_DELETE_USER, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, user);
    return exec_stmt(s, st, "sessions", e);
}

int store_token_list(store *s, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_TOKEN_LIST, e);
    return st ? rows_json(s, st, false, "tokens", out, e) : e->code;
}

int store_token_delete(store *s, const char *id, err *e)
{
    return exec_on_text(s, Q_TOKEN_DELETE, id, true, "token", e);
}

/* ---- assessments ---------------------------------------------------------- */

int store_assessment_add(store *s, const store_assessment *a, long long *id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_ADD, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_bind_int64(st, 1, a->org_id);
    bind_text(st, 2, a->kind);
    bind_text(st, 3, a->ruleset);
    bind_id(st, 4, a->auditor_id);
    bind_id(st, 5, a->created_by);
    bind_text(st, 6, now);
    if (exec_stmt(s, st, "assessment", e) != ERR_OK)
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

int store_assessment_get(store *s, long long id, store_assessment *a, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_GET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        a->org_id = sqlite3_column_int64(st, 1);
        copy_col(st, 2, a->kind, sizeof a->kind);
        copy_col(st, 3, a->status, sizeof a->status);
        copy_col(st, 4, a->ruleset, sizeof a->ruleset);
        a->auditor_id = sqlite3_column_int64(st, 5);
        a->created_by = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(e, ERR_NOT_FOUND, "assessment %lld not found", id)
                             : db_fail(s, e, "assessment");
}

/* Adds key: the rows of statement q bound to id. */
static int add_rows(store *s, cJSON *o, const char *key, int q, long long id, err *e)
{
    sqlite3_stmt *st = stmt(s, q, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    cJSON *rows;
    if (rows_json(s, st, false, key, &rows, e) != ERR_OK)
        return e->code;
    cJSON_AddItemToObject(o, key, rows);
    return ERR_OK;
}

int store_assessment_json(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_JSON, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (rows_json(s, st, true, "assessment", out, e) != ERR_OK) {
        if (e->code == ERR_NOT_FOUND)
            err_set(e, ERR_NOT_FOUND, "assessment %lld not found", id);
        return e->code;
    }
    if (add_rows(s, *out, "answers", Q_ANSWERS_JSON, id, e) != ERR_OK ||
        add_rows(s, *out, "stakeholders", Q_STAKEHOLDERS_JSON, id, e) != ERR_OK ||
        add_rows(s, *out, "decisions", Q_DECISIONS_OF, id, e) != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return e->code;
    }
    return ERR_OK;
}

int store_assessment_list(store *s, long long org, long long auditor, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_LIST, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, org);
    sqlite3_bind_int64(st, 2, auditor);
    return rows_json(s, st, false, "assessments", out, e);
}

int store_answers_each(store *s, long long id,
                       void (*fn)(void *ud, const char *criterion, const char *status), void *ud,
                       err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ANSWERS, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ud, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "answers");
}

int store_stakeholder_count(store *s, long long id, int *n, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_STAKEHOLDER_COUNT, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    long long c = 0;
    int rc = count_rows(s, st, &c, e);
    *n = (int)c;
    return rc;
}

int store_answer_put(store *s, long long id, const char *criterion, const char *status,
                     const char *comment, const char *evidence_json, long long user,
                     const char *now, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ANSWER_PUT, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, criterion);
    bind_text(st, 3, status);
    sqlite3_bind_text(st, 4, comment ? comment : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, evidence_json ? evidence_json : "[]", -1, SQLITE_TRANSIENT);
    bind_id(st, 6, user);
    bind_text(st, 7, now);
    return exec_stmt(s, st, "answer", e);
}

int store_answer_text(store *s, long long id, const char *criterion, char **out, err *e)
{
    *out = NULL;
    sqlite3_stmt *st = stmt(s, Q_ANSWER_JSON, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, criterion);
    int rc = sqlite3_step(st);
    const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (rc == SQLITE_ROW && (!text || !(*out = strdup(text))))
        rc = SQLITE_NOMEM;
    sqlite3_reset(st);
    if (rc == SQLITE_NOMEM)
        return err_set(e, ERR_FAIL, "out of memory");
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "answer");
}

int store_stakeholders_put(store *s, long long id, const cJSON *list, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_STAKEHOLDERS_CLEAR, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (exec_stmt(s, st, "stakeholders", e) != ERR_OK)
        return e->code;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (!(st = stmt(s, Q_STAKEHOLDER_ADD, e)))
            return e->code;
        sqlite3_bind_int64(st, 1, id);
        bind_text(st, 2, field_str(item, "name"));
        bind_text(st, 3, field_str(item, "role"));
        if (exec_stmt(s, st, "stakeholder", e) != ERR_OK)
            return e->code;
    }
    return ERR_OK;
}

/* Runs st, a change of draft assessment id (of the kind named, when it
 * must be one); ERR_CONFLICT when the assessment is no such draft (any
 * more: the statement checks in the same step). */
static int exec_on_draft(store *s, sqlite3_stmt *st, long long id, const char *kind, err *e)
{
    if (exec_stmt(s, st, "assessment", e))
        return e->code;
    if (sqlite3_changes(s->db) != 1)
        return err_set(e, ERR_CONFLICT, "assessment %lld is not a draft%s", id, kind);
    return ERR_OK;
}

int store_assessment_submit(store *s, long long id, const char *evaluation_json, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_SUBMIT, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    bind_text(st, 1, now);
    bind_text(st, 2, evaluation_json);
    sqlite3_bind_int64(st, 3, id);
    return exec_on_draft(s, st, id, "", e);
}

int store_assessment_submitted_on(store *s, long long id, char *day, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_SUBMITTED_ON, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    day[0] = '\0';
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        copy_col(st, 0, day, DATE_LEN + 1);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && day[0])
        return ERR_OK;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return err_set(e, ERR_CONFLICT, "audit %lld is not submitted (any more)", id);
    return db_fail(s, e, "assessment");
}

int store_assessment_decided(store *s, long long id, bool reopen, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_DECIDED, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, reopen);
    if (exec_stmt(s, st, "assessment", e))
        return e->code;
    /* The statement checks in the same step: a decision that came first
     * leaves nothing for this one to change. */
    if (sqlite3_changes(s->db) != 1)
        return err_set(e, ERR_CONFLICT,
                       "audit %lld is no longer submitted: another decision was recorded first",
                       id);
    return ERR_OK;
}

int store_assessment_set_auditor(store *s, long long id, long long auditor, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_AUDITOR, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, auditor);
    sqlite3_bind_int64(st, 2, id);
    return exec_on_draft(s, st, id, " audit", e);
}

int store_assessment_evaluation(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_EVALUATION, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    *out = NULL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        *out = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "evaluation");
}

/* ---- decisions, good practices, labels ------------------------------------ */

int store_decision_add(store *s, const store_decision *d, long long *id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_ADD, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_bind_int64(st, 1, d->assessment_id);
    sqlite3_bind_int64(st, 2, d->org_id);
    bind_text(st, 3, d->outcome);
    bind_text(st, 4, d->decided_on);
    bind_text(st, 5, d->valid_until);
    bind_text(st, 6, d->recommendations_json);
    bind_text(st, 7, d->evaluation_json);
    bind_text(st, 8, d->ruleset);
    bind_id(st, 9, d->decided_by);
    bind_text(st, 10, now);
    bind_text(st, 11, d->record_json);
    bind_text(st, 12, d->record_hash);
    bind_text(st, 13, d->prev_hash);
    bind_text(st, 14, d->points_json);
    if (exec_stmt(s, st, "decision", e) != ERR_OK)
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

int store_decision_json(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_JSON, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (rows_json(s, st, true, "decision", out, e) != ERR_OK)
        return e->code;
    if (add_rows(s, *out, "good_practices", Q_GOOD_PRACTICES_OF, id, e) != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return e->code;
    }
    return ERR_OK;
}

int store_good_practice_add(store *s, long long decision, long long org, const char *criterion,
                            const char *text, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_GOOD_PRACTICE_ADD, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, decision);
    sqlite3_bind_int64(st, 2, org);
    bind_text(st, 3, criterion);
    bind_text(st, 4, text);
    return exec_stmt(s, st, "good practice", e);
}

int store_good_practice_list(store *s, const char *criterion, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_GOOD_PRACTICE_LIST, e);
    if (!st)
        return e->code;
    bind_text(st, 1, criterion);
    return rows_json(s, st, false, "good practices", out, e);
}

int store_good_practices_of(store *s, long long org, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_GOOD_PRACTICES_ORG, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, org);
    return rows_json(s, st, false, "good practices", out, e);
}

int store_good_practice_get(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_GOOD_PRACTICE_GET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return rows_json(s, st, true, "good practice", out, e);
}

int store_good_practice_share(store *s, long long id, bool shared, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_GOOD_PRACTICE_SHARE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int(st, 1, shared);
    sqlite3_bind_int64(st, 2, id);
    return exec_stmt(s, st, "good practice", e);
}

int store_labels(store *s, const char *today, bool public_only, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_LABELS, e);
    if (!st)
        return e->code;
    cJSON *list = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *vu = (const char *)sqlite3_column_text(st, 3);
        const char *status = vu && strcmp(vu, today) >= 0 ? "labelled"
                             : vu                         ? "expired"
                             : sqlite3_column_int(st, 4)  ? "engaged"
                                                          : "none";
        if (public_only && strcmp(status, "labelled") != 0)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "organisation_id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "organisation", (const char *)sqlite3_column_text(st, 1));
        const char *city = (const char *)sqlite3_column_text(st, 2);
        if (city)
            cJSON_AddStringToObject(o, "city", city);
        else
            cJSON_AddNullToObject(o, "city");
        cJSON_AddStringToObject(o, "status", status);
        if (vu)
            cJSON_AddStringToObject(o, "valid_until", vu);
        else
            cJSON_AddNullToObject(o, "valid_until");
        cJSON_AddItemToArray(list, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(list);
        return db_fail(s, e, "labels");
    }
    *out = list;
    return ERR_OK;
}

/* ---- action plan ---------------------------------------------------------- */

int store_action_list(store *s, long long org, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ACTION_LIST, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, org);
    return rows_json(s, st, false, "action items", out, e);
}

int store_action_get(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ACTION_GET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return rows_json(s, st, true, "action item", out, e);
}

int store_action_add(store *s, long long org, const cJSON *f, long long *id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ACTION_ADD, e);
    if (!st)
        return e->code;
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    const char *status = field_str(f, "status");
    sqlite3_bind_int64(st, 1, org);
    bind_text(st, 2, field_str(f, "criterion"));
    bind_text(st, 3, field_str(f, "action"));
    sqlite3_bind_text(st, 4, field_str(f, "owner") ? field_str(f, "owner") : "", -1,
                      SQLITE_TRANSIENT);
    bind_text(st, 5, field_str(f, "due"));
    bind_text(st, 6, status ? status : "todo");
    bind_text(st, 7, now);
    bind_text(st, 8, now);
    if (exec_stmt(s, st, "action item", e) != ERR_OK)
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

int store_action_update(store *s, long long id, const cJSON *f, err *e)
{
    cJSON *cur = NULL;
    if (store_action_get(s, id, &cur, e) != ERR_OK)
        return e->code;
    /* Fields not given keep their value; null clears the optional ones. */
    static const char *const keys[] = {"criterion", "action", "owner", "due", "status"};
    sqlite3_stmt *st = stmt(s, Q_ACTION_UPDATE, e);
    if (!st) {
        cJSON_Delete(cur);
        return e->code;
    }
    for (int i = 0; i < 5; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, keys[i]);
        if (!v)
            v = cJSON_GetObjectItemCaseSensitive(cur, keys[i]);
        const char *text = cJSON_GetStringValue(v);
        if (strcmp(keys[i], "owner") == 0)
            sqlite3_bind_text(st, i + 1, text ? text : "", -1, SQLITE_TRANSIENT);
        else
            bind_text(st, i + 1, text);
    }
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    bind_text(st, 6, now);
    sqlite3_bind_int64(st, 7, id);
    cJSON_Delete(cur);
    return exec_stmt(s, st, "action item", e);
}

/* ---- journal -------------------------------------------------------------- */

/* Optional text of the statement's single-row, single-column result into out. */
static int one_text(store *s, sqlite3_stmt *st, char *out, size_t size, err *e)
{
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        copy_col(st, 0, out, size);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "read");
}

/* "LEN:" in decimal into out (24 bytes); its length. What snprintf would
 * write, without its cost: this runs seven times for each journal row,
 * inside the writes' turn. */
static int length_prefix(size_t len, char *out)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + len % 10);
        len /= 10;
    } while (len);
    for (int i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    out[n] = ':';
    return n + 1;
}

void store_chain_hash(const char *prev, const char *const *fields, int n, char *hex)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)(prev ? prev : ""),
                              strlen(prev ? prev : "") + 1);
    for (int i = 0; i < n; i++) {
        const char *f = fields[i] ? fields[i] : "";
        /* Length-prefixed, so no two field lists hash alike. */
        char len[24];
        int k = length_prefix(strlen(f), len);
        crypto_hash_sha256_update(&st, (const unsigned char *)len, (unsigned long long)k);
        crypto_hash_sha256_update(&st, (const unsigned char *)f, strlen(f));
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

int store_journal(store *s, long long user, const char *action, const char *entity,
                  long long entity_id, const cJSON *before, const cJSON *after, err *e)
{
    char *b = before ? cJSON_PrintUnformatted(before) : NULL;
    char *a = after ? cJSON_PrintUnformatted(after) : NULL;
    int rc = (before && !b) || (after && !a)
                 ? err_set(e, ERR_FAIL, "out of memory")
                 : store_journal_text(s, NULL, user, action, entity, entity_id, b, a, e);
    free(b);
    free(a);
    return rc;
}

int store_journal_text(store *s, const char *at, long long user, const char *action,
                       const char *entity, long long entity_id, const char *b, const char *a,
                       err *e)
{
    char prev[65], hash[65], now[DATE_TIME_LEN + 1], user_text[24], id_text[24];
    /* Within one write transaction (which holds the write lock, so no one
     * else appends), the last row is the one written last here. */
    bool chained = s->writing && !sqlite3_get_autocommit(s->db);
    sqlite3_stmt *st;
    if (chained && s->chain_known)
        memcpy(prev, s->chain, sizeof prev);
    else if (!(st = stmt(s, Q_JOURNAL_LAST, e)) || one_text(s, st, prev, sizeof prev, e))
        return e->code;
    if (!(st = stmt(s, Q_JOURNAL_ADD, e)))
        return e->code;
    if (at)
        snprintf(now, sizeof now, "%s", at);
    else
        date_now(now);
    snprintf(user_text, sizeof user_text, "%lld", user);
    snprintf(id_text, sizeof id_text, "%lld", entity_id);
    const char *fields[] = {now, user_text, action, entity, id_text, b, a};
    store_chain_hash(prev, fields, 7, hash);
    bind_text(st, 1, now);
    bind_id(st, 2, user);
    bind_text(st, 3, action);
    bind_text(st, 4, entity);
    bind_id(st, 5, entity_id);
    bind_text(st, 6, b);
    bind_text(st, 7, a);
    bind_text(st, 8, hash);
    bind_text(st, 9, prev[0] ? prev : NULL);
    int rc = exec_stmt(s, st, "journal", e);
    if (rc == ERR_OK && chained) {
        memcpy(s->chain, hash, sizeof s->chain);
        s->chain_known = true;
    }
    return rc;
}

int store_journal_verify(store *s, long long *rows, long long *bad_id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_JOURNAL_ALL, e);
    if (!st)
        return e->code;
    char prev[65] = "";
    int rc;
    *rows = 0;
    *bad_id = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *col[10];
        for (int i = 0; i < 10; i++)
            col[i] = (const char *)sqlite3_column_text(st, i);
        char user_text[24], id_text[24], hash[65];
        snprintf(user_text, sizeof user_text, "%lld", (long long)sqlite3_column_int64(st, 2));
        snprintf(id_text, sizeof id_text, "%lld", (long long)sqlite3_column_int64(st, 5));
        const char *fields[] = {col[1], user_text, col[3], col[4], id_text, col[6], col[7]};
        store_chain_hash(prev, fields, 7, hash);
        bool prev_ok = prev[0] ? col[9] && strcmp(col[9], prev) == 0 : col[9] == NULL;
        (*rows)++;
        if (!col[8] || strcmp(col[8], hash) != 0 || !prev_ok) {
            *bad_id = sqlite3_column_int64(st, 0);
            break;
        }
        snprintf(prev, sizeof prev, "%s", col[8]);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "journal");
}

/* ---- rule sets ------------------------------------------------------------- */

int store_ruleset_put(store *s, const char *hash, const files_tree *tree, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, Q_RULESET_ADD, e);
    if (!st)
        return e->code;
    bind_text(st, 1, hash);
    bind_text(st, 2, now);
    if (exec_stmt(s, st, "rule set", e))
        return e->code;
    for (size_t i = 0; i < tree->count; i++) {
        if (!(st = stmt(s, Q_RULESET_FILE_ADD, e)))
            return e->code;
        bind_text(st, 1, hash);
        bind_text(st, 2, tree->paths[i]);
        sqlite3_bind_blob(st, 3, tree->data[i], (int)tree->lens[i], SQLITE_TRANSIENT);
        if (exec_stmt(s, st, "rule file", e))
            return e->code;
    }
    return ERR_OK;
}

int store_ruleset_files(store *s, const char *hash, files_tree *out, err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = stmt(s, Q_RULESET_FILES, e);
    if (!st)
        return e->code;
    bind_text(st, 1, hash);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(out->paths, cap * sizeof *p);
            char **d = p ? realloc(out->data, cap * sizeof *d) : NULL;
            size_t *l = d ? realloc(out->lens, cap * sizeof *l) : NULL;
            if (p)
                out->paths = p;
            if (d)
                out->data = d;
            if (!l) {
                sqlite3_reset(st);
                files_tree_free(out);
                return err_set(e, ERR_FAIL, "out of memory");
            }
            out->lens = l;
        }
        int n = sqlite3_column_bytes(st, 1);
        char *data = malloc((size_t)n + 1);
        char *path = strdup((const char *)sqlite3_column_text(st, 0));
        if (!data || !path) {
            free(data);
            free(path);
            sqlite3_reset(st);
            files_tree_free(out);
            return err_set(e, ERR_FAIL, "out of memory");
        }
        memcpy(data, sqlite3_column_blob(st, 1), (size_t)n);
        data[n] = '\0';
        out->paths[out->count] = path;
        out->data[out->count] = data;
        out->lens[out->count++] = (size_t)n;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        files_tree_free(out);
        return db_fail(s, e, "rule files");
    }
    if (!out->count)
        return err_set(e, ERR_NOT_FOUND, "no rule set %s in this database", hash);
    return ERR_OK;
}

int store_activation_add(store *s, const char *hash, const char *label, const char *note,
                         long long user, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, Q_ACTIVATION_ADD, e);
    if (!st)
        return e->code;
    bind_text(st, 1, hash);
    bind_text(st, 2, label);
    bind_text(st, 3, note);
    bind_id(st, 4, user);
    bind_text(st, 5, now);
    if (exec_stmt(s, st, "activation", e))
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

int store_active_ruleset(store *s, char *hash, long long *generation, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ACTIVE, e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    hash[0] = '\0';
    *generation = 0;
    if (rc == SQLITE_ROW) {
        copy_col(st, 0, hash, 65);
        *generation = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(e, ERR_NOT_FOUND, "no rule set was ever activated")
                             : db_fail(s, e, "active rule set");
}

int store_ruleset_history(store *s, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_HISTORY, e);
    return st ? rows_json(s, st, false, "activations", out, e) : e->code;
}

int store_decision_last_hash(store *s, char *hash, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_LAST, e);
    return st ? one_text(s, st, hash, 65, e) : e->code;
}

int store_decision_each(store *s, int (*fn)(void *ud, const store_record *rec), void *ud, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_RECORDS, e);
    if (!st)
        return e->code;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_record r = {
            .id = sqlite3_column_int64(st, 0),
            .assessment_id = sqlite3_column_int64(st, 1),
            .outcome = (const char *)sqlite3_column_text(st, 2),
            .date = (const char *)sqlite3_column_text(st, 3),
            .valid_until = (const char *)sqlite3_column_text(st, 4),
            .record = (const char *)sqlite3_column_text(st, 5),
            .record_hash = (const char *)sqlite3_column_text(st, 6),
            .prev_hash = (const char *)sqlite3_column_text(st, 7),
        };
        stop = fn(ud, &r);
    }
    sqlite3_reset(st);
    return stop || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "decisions");
}

int store_assessment_migrate(store *s, long long id, const char *ruleset, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_ASSESSMENT_MIGRATE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, ruleset);
    if (exec_stmt(s, st, "migrate", e))
        return e->code;
    return sqlite3_changes(s->db) == 1
               ? ERR_OK
               : err_set(e, ERR_CONFLICT,
                         "assessment %lld is no longer a draft: it keeps its rules", id);
}

int store_journal_count(store *s, long long *n, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_JOURNAL_COUNT, e);
    return st ? count_rows(s, st, n, e) : e->code;
}

/* ---- events and webhooks ------------------------------------------------------ */

long long store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned store_events_taken(store *s)
{
    unsigned n = s->events_added;
    s->events_added = 0;
    return n;
}

int store_event_add(store *s, const char *type, const cJSON *data, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    char *text = cJSON_PrintUnformatted(data);
    sqlite3_stmt *st = stmt(s, Q_EVENT_ADD, e);
    int rc = st ? ERR_OK : e->code;
    if (rc == ERR_OK) {
        bind_text(st, 1, type);
        bind_text(st, 2, now);
        bind_text(st, 3, text ? text : "{}");
        rc = exec_stmt(s, st, "event", e);
    }
    free(text);
    if (rc != ERR_OK)
        return rc;
    long long event = sqlite3_last_insert_rowid(s->db);
    s->events_added++;
    if (id)
        *id = event;
    if (!(st = stmt(s, Q_EVENT_FANOUT, e)))
        return e->code;
    sqlite3_bind_int64(st, 1, event);
    sqlite3_bind_int64(st, 2, store_now_ms());
    bind_text(st, 3, now);
    bind_text(st, 4, type);
    return exec_stmt(s, st, "deliveries", e);
}

int store_mark(store *s, const char *key, bool *fresh, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, Q_MARK, e);
    if (!st)
        return e->code;
    bind_text(st, 1, key);
    bind_text(st, 2, now);
    if (exec_stmt(s, st, "mark", e))
        return e->code;
    *fresh = sqlite3_changes(s->db) == 1;
    return ERR_OK;
}

int store_webhook_add(store *s, const char *url, const char *events_json, const char *secret,
                      const char *plugin, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_ADD, e);
    if (!st)
        return e->code;
    bind_text(st, 1, url);
    bind_text(st, 2, events_json);
    bind_text(st, 3, secret);
    bind_text(st, 4, now);
    bind_text(st, 5, plugin);
    if (exec_stmt(s, st, "webhook", e))
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

int store_webhook_get(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_GET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return rows_json(s, st, true, "webhook", out, e);
}

int store_webhook_list(store *s, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_LIST, e);
    return st ? rows_json(s, st, false, "webhooks", out, e) : e->code;
}

int store_webhook_update(store *s, long long id, const char *url, const char *events_json,
                         int enabled, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_UPDATE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, url);
    bind_text(st, 3, events_json);
    if (enabled >= 0)
        sqlite3_bind_int(st, 4, enabled);
    else
        sqlite3_bind_null(st, 4);
    return exec_one(s, st, "webhook", e);
}

int store_webhook_rotate(store *s, long long id, const char *secret, long long old_until_ms, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_SECRET, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, secret);
    sqlite3_bind_int64(st, 3, old_until_ms);
    return exec_one(s, st, "webhook", e);
}

int store_webhook_delete(store *s, long long id, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_DELETE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (exec_one(s, st, "webhook", e))
        return e->code;
    if (!(st = stmt(s, Q_WEBHOOK_CANCEL, e)))
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return exec_stmt(s, st, "deliveries", e);
}

int store_due(store *s, long long now_ms, int limit, store_due_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DUE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_due_row row = {
            .delivery = sqlite3_column_int64(st, 0),
            .webhook = sqlite3_column_int64(st, 1),
            .event = sqlite3_column_int64(st, 2),
            .attempts = sqlite3_column_int(st, 3),
            .url = (const char *)sqlite3_column_text(st, 4),
            .secret = (const char *)sqlite3_column_text(st, 5),
            .old_secret = (const char *)sqlite3_column_text(st, 6),
            .type = (const char *)sqlite3_column_text(st, 7),
            .at = (const char *)sqlite3_column_text(st, 8),
            .data = (const char *)sqlite3_column_text(st, 9),
            .plugin = (const char *)sqlite3_column_text(st, 10),
        };
        fn(ud, &row);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "due deliveries");
}

static int exec_id2(store *s, int q, long long a, long long b, bool two, err *e)
{
    sqlite3_stmt *st = stmt(s, q, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a);
    if (two)
        sqlite3_bind_int64(st, 2, b);
    return exec_stmt(s, st, "delivery", e);
}

int store_delivery_lease(store *s, long long delivery, long long until_ms, err *e)
{
    return exec_id2(s, Q_LEASE, delivery, until_ms, true, e);
}

int store_delivery_unlease(store *s, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_UNLEASE, e);
    return st ? exec_stmt(s, st, "deliveries", e) : e->code;
}

int store_delivery_done(store *s, const store_attempt *a, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, Q_ATTEMPT_ADD, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a->delivery);
    bind_text(st, 2, now);
    if (a->status > 0)
        sqlite3_bind_int(st, 3, a->status);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, a->duration_ms);
    bind_text(st, 5, a->response);
    bind_text(st, 6, a->error);
    if (exec_stmt(s, st, "attempt", e))
        return e->code;
    if (a->outcome == STORE_DELIVERED)
        return exec_id2(s, Q_DELIVERED, a->delivery, 0, false, e) ||
                       exec_id2(s, Q_WEBHOOK_OK, a->webhook, 0, false, e)
                   ? e->code
                   : ERR_OK;
    if (a->outcome == STORE_RETRY)
        return exec_id2(s, Q_RETRY, a->delivery, a->next_ms, true, e);
    return exec_id2(s, Q_GIVE_UP, a->delivery, 0, false, e);
}

int store_webhook_failing(store *s, long long webhook, long long now_ms, long long *since, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_FAILING, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, webhook);
    sqlite3_bind_int64(st, 2, now_ms);
    int rc = sqlite3_step(st);
    *since = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : now_ms;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "webhook");
}

int store_webhook_disable(store *s, long long webhook, const char *reason, bool *changed, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_WEBHOOK_DISABLE, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, webhook);
    bind_text(st, 2, reason);
    if (exec_stmt(s, st, "webhook", e))
        return e->code;
    *changed = sqlite3_changes(s->db) > 0;
    return exec_id2(s, Q_WEBHOOK_DISABLE_ALL, webhook, 0, false, e);
}

int store_delivery_log(store *s, long long webhook, int limit, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DELIVERY_LOG, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, webhook);
    sqlite3_bind_int(st, 2, limit);
    return rows_json(s, st, false, "deliveries", out, e);
}

int store_replay(store *s, long long webhook, long long event, const char *since, int *count,
                 err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, since ? Q_REPLAY_SINCE : Q_REPLAY_EVENT, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, webhook);
    if (since)
        bind_text(st, 2, since);
    else
        sqlite3_bind_int64(st, 2, event);
    sqlite3_bind_int64(st, 3, store_now_ms());
    bind_text(st, 4, now);
    if (exec_stmt(s, st, "replay", e))
        return e->code;
    *count = sqlite3_changes(s->db);
    return ERR_OK;
}

int store_expiring(store *s, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_EXPIRING, e);
    return st ? rows_json(s, st, false, "labels", out, e) : e->code;
}

int store_overdue(store *s, const char *today, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_OVERDUE, e);
    if (!st)
        return e->code;
    bind_text(st, 1, today);
    return rows_json(s, st, false, "action items", out, e);
}

int store_audits_uncertified(store *s, const char *today, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_AUDITS_UNCERTIFIED, e);
    if (!st)
        return e->code;
    bind_text(st, 1, today);
    return rows_json(s, st, false, "audits", out, e);
}

int store_events_after(store *s, long long after, int limit, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_EVENTS_AFTER, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, limit);
    return rows_json(s, st, false, "events", out, e);
}

int store_cursor_get(store *s, const char *name, long long *value, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_CURSOR_GET, e);
    if (!st)
        return e->code;
    bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "cursor");
}

int store_cursor_set(store *s, const char *name, long long value, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_CURSOR_SET, e);
    if (!st)
        return e->code;
    bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, value);
    return exec_stmt(s, st, "cursor", e);
}

int store_plugin_states(store *s, void (*fn)(void *ud, const char *name, bool enabled), void *ud,
                        err *e)
{
    sqlite3_stmt *st = stmt(s, Q_PLUGIN_STATES, e);
    if (!st)
        return e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ud, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1) != 0);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "plugins");
}

int store_plugin_state_set(store *s, const char *name, bool enabled, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt(s, Q_PLUGIN_STATE_SET, e);
    if (!st)
        return e->code;
    bind_text(st, 1, name);
    sqlite3_bind_int(st, 2, enabled);
    bind_text(st, 3, now);
    return exec_stmt(s, st, "plugin", e);
}

int store_auditing_org(store *s, long long auditor, long long org, bool *yes, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_AUDITING_ORG, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, auditor);
    sqlite3_bind_int64(st, 2, org);
    long long n = 0;
    int rc = count_rows(s, st, &n, e);
    *yes = n > 0;
    return rc;
}

int store_decision_by_code(store *s, const char *code, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_VERIFY_CODE, e);
    if (!st)
        return e->code;
    bind_text(st, 1, code);
    return rows_json(s, st, true, "decision", out, e);
}

int store_decision_list(store *s, long long org, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_DECISION_LIST, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, org);
    return rows_json(s, st, false, "decisions", out, e);
}

int store_latest_answers(store *s, const char *kind, long long org,
                         void (*fn)(void *ud, long long assessment, long long org,
                                    const char *criterion, const char *status),
                         void *ud, err *e)
{
    sqlite3_stmt *st = stmt(s, Q_LATEST_ANSWERS, e);
    if (!st)
        return e->code;
    bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, org);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "answers");
}

/* store_schema: the database schema, as numbered migrations (PRAGMA
 * user_version), and the function applying those a database lacks.
 * A new migration goes at the end of migrations[]. Uses SQLite 3. */
#include <stdio.h>

#include <sqlite3.h>

#include "store_internal.h"

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
    /* 9: a CAE's library of evidence documents. A document is a title and
     * its versions; each version names its bytes by SHA-256 in the
     * documents folder (the same bytes stored once, whoever sent them). A
     * deleted document keeps its rows (the journal names them) and is no
     * longer listed or read. */
    "CREATE TABLE documents ("
    "  id INTEGER PRIMARY KEY,"
    "  organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
    "  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),"
    "  created_at TEXT NOT NULL,"
    "  created_by INTEGER REFERENCES users(id),"
    "  deleted_at TEXT,"
    "  deleted_by INTEGER REFERENCES users(id));"
    "CREATE INDEX documents_organisation ON documents (organisation_id, id);"
    "CREATE TABLE document_versions ("
    "  document_id INTEGER NOT NULL REFERENCES documents(id),"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  size INTEGER NOT NULL CHECK (size >= 0),"
    "  type TEXT NOT NULL,"
    "  filename TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  created_by INTEGER REFERENCES users(id),"
    "  PRIMARY KEY (document_id, version)) WITHOUT ROWID;"
    "CREATE INDEX document_versions_sha256 ON document_versions (sha256);",
    /* The e-mail outbox: one row a message and recipient, written in the
     * transaction of the change that causes it, rendered then; message_id
     * is fixed at insert so that a message sent again after a crash between
     * sending and marking is recognisable as the same one. */
    "CREATE TABLE mail ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  recipient TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  text TEXT NOT NULL,"
    "  html TEXT NOT NULL,"
    "  unsubscribe TEXT,"
    "  message_id TEXT UNIQUE,"
    "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at INTEGER NOT NULL,"
    "  lease_until INTEGER,"
    "  last_error TEXT,"
    "  created_at TEXT NOT NULL,"
    "  sent_at TEXT);"
    "CREATE INDEX mail_due ON mail (status, next_at);",
    /* People, not roles: a person (a users row: one email, one password)
     * holds roles, one row each, and this table is the only source of
     * truth for them. users.role, organisation_id, certified_until and
     * acting_role keep what the account was created with (or had at this
     * migration) and nothing reads them: SQLite cannot drop a column a
     * CHECK names. A role awaiting the committee's confirmation (migration
     * 8) is a row whose pending names it and whose role is the one acted
     * in meanwhile ('none' for none). responsible: the CAE member who
     * manages its team. A session acts in one role (role_id; NULL: the
     * person's first), and ends with it (a trigger, not a foreign key:
     * a column a foreign key names cannot be dropped). */
    "CREATE TABLE roles ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  role TEXT NOT NULL CHECK (role IN ('none', 'cae', 'auditor', 'committee', 'admin')),"
    "  pending TEXT CHECK (pending IS NULL OR pending = 'committee'),"
    "  organisation_id INTEGER REFERENCES organisations(id),"
    "  certified_until TEXT,"
    "  responsible INTEGER NOT NULL DEFAULT 0 CHECK (responsible IN (0, 1)),"
    "  CHECK (role <> 'none' OR pending IS NOT NULL),"
    "  CHECK (role <> 'cae' OR organisation_id IS NOT NULL),"
    "  CHECK (responsible = 0 OR role = 'cae'));"
    "CREATE UNIQUE INDEX roles_person ON roles (user_id, coalesce(pending, role));"
    "CREATE INDEX roles_organisation ON roles (organisation_id, role);"
    "INSERT INTO roles (user_id, role, pending, organisation_id, certified_until)"
    "  SELECT id, coalesce(acting_role, role),"
    "  CASE WHEN acting_role IS NULL THEN NULL ELSE role END, organisation_id, certified_until"
    "  FROM users ORDER BY id;"
    "ALTER TABLE sessions ADD COLUMN role_id INTEGER;"
    "CREATE TRIGGER roles_delete_sessions AFTER DELETE ON roles"
    "  BEGIN DELETE FROM sessions WHERE role_id = old.id; END;"
    "CREATE TRIGGER roles_insert_settings AFTER INSERT ON roles"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER roles_update_settings AFTER UPDATE ON roles"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;"
    "CREATE TRIGGER roles_delete_settings AFTER DELETE ON roles"
    "  BEGIN UPDATE settings_generation SET n = n + 1; END;",
    /* Single-use account tokens: an invitation (the name, role and
     * organisation the account will have) or a password reset (the user).
     * Only a hash of the token is kept; used_at is set in the transaction
     * that uses it, so that a token is used once whatever races it. Times
     * are "YYYY-MM-DDTHH:MM:SSZ", compared as text. */
    "CREATE TABLE account_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),"
    "  kind TEXT NOT NULL CHECK (kind IN ('invitation', 'password_reset')),"
    "  email TEXT NOT NULL COLLATE NOCASE,"
    "  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,"
    "  name TEXT,"
    "  role TEXT,"
    "  organisation_id INTEGER REFERENCES organisations(id),"
    "  invited_by INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  expires_at TEXT NOT NULL,"
    "  used_at TEXT,"
    "  CHECK (kind <> 'password_reset' OR user_id IS NOT NULL),"
    "  CHECK (kind <> 'invitation' OR (name IS NOT NULL AND role IS NOT NULL)));"
    "CREATE INDEX account_tokens_email ON account_tokens (kind, email);",
    /* Notifications: each one a person is told, kept for the page's list
     * whether or not it was mailed; the kinds a person receives no e-mail
     * for; and the secret their unsubscribe links are signed with (an
     * HMAC of the person: nothing per person to store, nothing a link
     * reveals). */
    "CREATE TABLE notifications ("
    "  id INTEGER PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  link TEXT,"
    "  created_at TEXT NOT NULL,"
    "  read_at TEXT);"
    "CREATE INDEX notifications_user ON notifications (user_id, id);"
    "CREATE TABLE notification_optouts ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  PRIMARY KEY (user_id, kind)) WITHOUT ROWID;"
    "CREATE TABLE notify_secret ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  secret TEXT NOT NULL CHECK (length(secret) = 64));"
    "INSERT INTO notify_secret (id, secret) VALUES (1, lower(hex(randomblob(32))));",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof *migrations))

int store_schema_count(void)
{
    return N_MIGRATIONS;
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
int store_schema_migrate(store *s, err *e)
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

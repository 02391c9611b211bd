/* store: SQLite access for labelcoop: the connection, the text of every
 * statement (one table, prepared once and cached for the connection's life),
 * transactions, read snapshots and the helpers the store_* files share.
 * Rows become cJSON objects: a column named "x_json" holds JSON text and
 * becomes key "x". The schema is in store_schema.c; the wrappers by area in
 * store_accounts.c, store_workflow.c, store_ledger.c and store_outbox.c.
 * Uses SQLite 3 and cJSON; dates come from the date module. */
#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

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
int db_fail(store *s, err *e, const char *what)
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
sqlite3_stmt *stmt(store *s, int q, err *e)
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

void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void bind_id(sqlite3_stmt *st, int i, long long v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no row. */
int exec_stmt(store *s, sqlite3_stmt *st, const char *what, err *e)
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
int rows_json(store *s, sqlite3_stmt *st, bool one, const char *what, cJSON **out, err *e)
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
int exec_one(store *s, sqlite3_stmt *st, const char *what, err *e)
{
    if (exec_stmt(s, st, what, e))
        return e->code;
    return sqlite3_changes(s->db) ? ERR_OK : err_set(e, ERR_NOT_FOUND, "%s not found", what);
}

int count_rows(store *s, sqlite3_stmt *st, long long *n, err *e)
{
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? ERR_OK : db_fail(s, e, "count");
}

/* The cached statement q with args bound to ?1, ?2... in order; NULL (with
 * e set) on failure. */
sqlite3_stmt *stmt_bound(store *s, int q, const store_arg *args, err *e)
{
    sqlite3_stmt *st = stmt(s, q, e);
    for (int i = 0; st && args && args[i].kind != ARG_END; i++) {
        if (args[i].kind == ARG_TEXT)
            bind_text(st, i + 1, args[i].text);
        else if (args[i].kind == ARG_ID)
            bind_id(st, i + 1, args[i].n);
        else
            sqlite3_bind_int64(st, i + 1, args[i].n);
    }
    return st;
}

/* Runs q on args and collects its rows as rows_json does. */
int query_json(store *s, int q, const store_arg *args, bool one, const char *what, cJSON **out,
               err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, args, e);
    return st ? rows_json(s, st, one, what, out, e) : e->code;
}

/* Runs q on args, a statement that returns no row; with one, a statement
 * that changed no row is ERR_NOT_FOUND. */
int query_exec(store *s, int q, const store_arg *args, bool one, const char *what, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, args, e);
    if (!st)
        return e->code;
    return one ? exec_one(s, st, what, e) : exec_stmt(s, st, what, e);
}

/* The outcome of a single-row read whose step returned rc (st reset since):
 * ERR_OK for a row, ERR_NOT_FOUND saying missing for none, else the failure. */
int row_found(store *s, int rc, const char *missing, const char *what, err *e)
{
    if (rc == SQLITE_ROW)
        return ERR_OK;
    return rc == SQLITE_DONE ? err_set(e, ERR_NOT_FOUND, "%s", missing) : db_fail(s, e, what);
}

/* Runs q on args, an insert, and gives the new row's id. */
int query_insert(store *s, int q, const store_arg *args, const char *what, long long *id, err *e)
{
    if (query_exec(s, q, args, false, what, e) != ERR_OK)
        return e->code;
    *id = sqlite3_last_insert_rowid(s->db);
    return ERR_OK;
}

/* Runs q on args and reads the integer of its first row into n. */
int query_count(store *s, int q, const store_arg *args, long long *n, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, args, e);
    return st ? count_rows(s, st, n, e) : e->code;
}

const char *field_str(const cJSON *o, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

void copy_col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    snprintf(dst, size, "%s", v ? v : "");
}

/* ---- opening and migrating ---------------------------------------------- */

int exec_sql(store *s, const char *text, err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, text, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, ERR_FAIL, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return ERR_FAIL;
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
        store_schema_migrate(s, e) != ERR_OK) {
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
    return query_count(s, Q_SETTINGS, NULL, settings, e);
}

int store_begin_read(store *s, err *e)
{
    if (s->snapshot) { /* already in one: the caller's commit ends it */
        s->snapshot = false;
        return ERR_OK;
    }
    return query_exec(s, Q_BEGIN_READ, NULL, false, "begin", e);
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
    return query_json(s, Q_WHATIF_TARGETS, NULL, false, "assessments", out, e);
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
    return query_exec(s, Q_SAVEPOINT, NULL, false, "savepoint", e);
}

int store_release(store *s, err *e)
{
    return query_exec(s, Q_RELEASE, NULL, false, "release", e);
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


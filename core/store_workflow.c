/* store_workflow: assessments, answers, stakeholders, decisions, good
 * practices, labels and the action plan, with the daily tick's reads.
 * Its statements' text first, then their wrappers; helpers in store_internal.h. */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

#define ASSESSMENT_COLUMNS                                                                         \
    "a.id, a.organisation_id, o.name AS organisation, a.kind, a.status, a.ruleset,"                \
    " a.auditor_id, a.created_by, a.created_at, a.submitted_at"

/* The text of this area's statements, by id (the others' are NULL): the
 * statement cache in store.c prepares each once per connection. */
const char *const store_sql_workflow[Q_COUNT] = {
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
    [Q_EXPIRING] = "SELECT d.id, d.organisation_id, o.name, d.valid_until, d.assessment_id"
                   " FROM decisions d JOIN organisations o ON o.id = d.organisation_id"
                   " WHERE d.outcome = 'awarded' AND d.valid_until IS NOT NULL AND d.id ="
                   " (SELECT max(x.id) FROM decisions x WHERE x.organisation_id ="
                   " d.organisation_id AND x.outcome = 'awarded')",
    [Q_OVERDUE] = "SELECT i.id, i.organisation_id, o.name, i.criterion, i.action, i.due"
                  " FROM action_items i JOIN organisations o ON o.id = i.organisation_id"
                  " WHERE i.status <> 'done' AND i.due IS NOT NULL AND i.due < ?",
    /* The certification is the auditor role's (the roles table): a person
     * who no longer holds that role is certified no more. */
    [Q_AUDITS_UNCERTIFIED] = "SELECT a.id, a.organisation_id, a.ruleset, a.auditor_id,"
                             " COALESCE(r.certified_until, '') AS certified_until"
                             " FROM assessments a JOIN users u ON u.id = a.auditor_id"
                             " LEFT JOIN roles r ON r.user_id = u.id AND r.role = 'auditor'"
                             " WHERE a.kind = 'audit' AND a.status = 'draft' AND u.disabled = 0"
                             " AND COALESCE(r.certified_until, '') < ? ORDER BY a.id",
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

/* ---- assessments ---------------------------------------------------------- */

int store_assessment_add(store *s, const store_assessment *a, long long *id, err *e)
{
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    return query_insert(s, Q_ASSESSMENT_ADD,
                        ARGS(A_INT(a->org_id), A_TEXT(a->kind), A_TEXT(a->ruleset),
                             A_ID(a->auditor_id), A_ID(a->created_by), A_TEXT(now)),
                        "assessment", id, e);
}

int store_assessment_get(store *s, long long id, store_assessment *a, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_ASSESSMENT_GET, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
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
    if (rc == SQLITE_DONE)
        return err_set(e, ERR_NOT_FOUND, "assessment %lld not found", id);
    return row_found(s, rc, NULL, "assessment", e);
}

/* Adds key: the rows of statement q bound to id. */
static int add_rows(store *s, cJSON *o, const char *key, int q, long long id, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, q, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
    cJSON *rows;
    if (rows_json(s, st, false, key, &rows, e) != ERR_OK)
        return e->code;
    cJSON_AddItemToObject(o, key, rows);
    return ERR_OK;
}

int store_assessment_json(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_ASSESSMENT_JSON, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
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
    return query_json(s, Q_ASSESSMENT_LIST, ARGS(A_INT(org), A_INT(auditor)), false, "assessments",
                      out, e);
}

int store_answers_each(store *s, long long id,
                       void (*fn)(void *ud, const char *criterion, const char *status), void *ud,
                       err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_ANSWERS, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ud, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "answers");
}

int store_stakeholder_count(store *s, long long id, int *n, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_STAKEHOLDER_COUNT, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
    long long c = 0;
    int rc = count_rows(s, st, &c, e);
    *n = (int)c;
    return rc;
}

int store_answer_put(store *s, long long id, const char *criterion, const char *status,
                     const char *comment, const char *evidence_json, long long user,
                     const char *now, err *e)
{
    sqlite3_stmt *st =
        stmt_bound(s, Q_ANSWER_PUT, ARGS(A_INT(id), A_TEXT(criterion), A_TEXT(status)), e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 4, comment ? comment : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, evidence_json ? evidence_json : "[]", -1, SQLITE_TRANSIENT);
    bind_id(st, 6, user);
    bind_text(st, 7, now);
    return exec_stmt(s, st, "answer", e);
}

int store_answer_text(store *s, long long id, const char *criterion, char **out, err *e)
{
    *out = NULL;
    sqlite3_stmt *st = stmt_bound(s, Q_ANSWER_JSON, ARGS(A_INT(id), A_TEXT(criterion)), e);
    if (!st)
        return e->code;
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
    if (query_exec(s, Q_STAKEHOLDERS_CLEAR, ARGS(A_INT(id)), false, "stakeholders", e))
        return e->code;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (query_exec(
                s, Q_STAKEHOLDER_ADD,
                ARGS(A_INT(id), A_TEXT(field_str(item, "name")), A_TEXT(field_str(item, "role"))),
                false, "stakeholder", e))
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
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    sqlite3_stmt *st = stmt_bound(s, Q_ASSESSMENT_SUBMIT,
                                  ARGS(A_TEXT(now), A_TEXT(evaluation_json), A_INT(id)), e);
    if (!st)
        return e->code;
    return exec_on_draft(s, st, id, "", e);
}

int store_assessment_submitted_on(store *s, long long id, char *day, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_ASSESSMENT_SUBMITTED_ON, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
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
    if (query_exec(s, Q_ASSESSMENT_DECIDED, ARGS(A_INT(id), A_INT(reopen)), false, "assessment", e))
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
    sqlite3_stmt *st = stmt_bound(s, Q_ASSESSMENT_AUDITOR, ARGS(A_INT(auditor), A_INT(id)), e);
    if (!st)
        return e->code;
    return exec_on_draft(s, st, id, " audit", e);
}

int store_assessment_evaluation(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_ASSESSMENT_EVALUATION, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
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
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    return query_insert(
        s, Q_DECISION_ADD,
        ARGS(A_INT(d->assessment_id), A_INT(d->org_id), A_TEXT(d->outcome), A_TEXT(d->decided_on),
             A_TEXT(d->valid_until), A_TEXT(d->recommendations_json), A_TEXT(d->evaluation_json),
             A_TEXT(d->ruleset), A_ID(d->decided_by), A_TEXT(now), A_TEXT(d->record_json),
             A_TEXT(d->record_hash), A_TEXT(d->prev_hash), A_TEXT(d->points_json)),
        "decision", id, e);
}

int store_decision_json(store *s, long long id, cJSON **out, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_DECISION_JSON, ARGS(A_INT(id)), e);
    if (!st)
        return e->code;
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
    return query_exec(s, Q_GOOD_PRACTICE_ADD,
                      ARGS(A_INT(decision), A_INT(org), A_TEXT(criterion), A_TEXT(text)), false,
                      "good practice", e);
}

int store_good_practice_list(store *s, const char *criterion, cJSON **out, err *e)
{
    return query_json(s, Q_GOOD_PRACTICE_LIST, ARGS(A_TEXT(criterion)), false, "good practices",
                      out, e);
}

int store_good_practices_of(store *s, long long org, cJSON **out, err *e)
{
    return query_json(s, Q_GOOD_PRACTICES_ORG, ARGS(A_INT(org)), false, "good practices", out, e);
}

int store_good_practice_get(store *s, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_GOOD_PRACTICE_GET, ARGS(A_INT(id)), true, "good practice", out, e);
}

int store_good_practice_share(store *s, long long id, bool shared, err *e)
{
    return query_exec(s, Q_GOOD_PRACTICE_SHARE, ARGS(A_INT(shared), A_INT(id)), false,
                      "good practice", e);
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
    return query_json(s, Q_ACTION_LIST, ARGS(A_INT(org)), false, "action items", out, e);
}

int store_action_get(store *s, long long id, cJSON **out, err *e)
{
    return query_json(s, Q_ACTION_GET, ARGS(A_INT(id)), true, "action item", out, e);
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

int store_expiring(store *s, cJSON **out, err *e)
{
    return query_json(s, Q_EXPIRING, NULL, false, "labels", out, e);
}

int store_overdue(store *s, const char *today, cJSON **out, err *e)
{
    return query_json(s, Q_OVERDUE, ARGS(A_TEXT(today)), false, "action items", out, e);
}

int store_audits_uncertified(store *s, const char *today, cJSON **out, err *e)
{
    return query_json(s, Q_AUDITS_UNCERTIFIED, ARGS(A_TEXT(today)), false, "audits", out, e);
}

int store_auditing_org(store *s, long long auditor, long long org, bool *yes, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_AUDITING_ORG, ARGS(A_INT(auditor), A_INT(org)), e);
    if (!st)
        return e->code;
    long long n = 0;
    int rc = count_rows(s, st, &n, e);
    *yes = n > 0;
    return rc;
}

int store_decision_by_code(store *s, const char *code, cJSON **out, err *e)
{
    return query_json(s, Q_VERIFY_CODE, ARGS(A_TEXT(code)), true, "decision", out, e);
}

int store_decision_list(store *s, long long org, cJSON **out, err *e)
{
    return query_json(s, Q_DECISION_LIST, ARGS(A_INT(org)), false, "decisions", out, e);
}

int store_latest_answers(store *s, const char *kind, long long org,
                         void (*fn)(void *ud, long long assessment, long long org,
                                    const char *criterion, const char *status),
                         void *ud, err *e)
{
    sqlite3_stmt *st = stmt_bound(s, Q_LATEST_ANSWERS, ARGS(A_TEXT(kind), A_INT(org)), e);
    if (!st)
        return e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? ERR_OK : db_fail(s, e, "answers");
}

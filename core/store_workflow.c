/* store_workflow: assessments, answers, stakeholders, decisions, good
 * practices, labels and the action plan, with the daily tick's reads.
 * The statements' text is in store.c's table; helpers in store_internal.h. */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "date.h"
#include "store_internal.h"

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

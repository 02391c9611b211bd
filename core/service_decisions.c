/* service_decisions: the committee's decision on a submitted audit, with
 * its record, its good practices, and its event; a deferral gives the audit
 * back to its auditor. */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "events.h"
#include "text.h"

/* ---- decisions ------------------------------------------------------------------ */

static const char *outcome_of(const char *o)
{
    static const char *const outcomes[] = {"awarded", "refused", "deferred", NULL};
    for (const char *const *x = outcomes; *x; x++)
        if (strcmp(*x, o) == 0)
            return *x;
    return NULL;
}

/* good_practices, points: strings, or {"criterion", "text"} linking one to
 * a criterion of r; *count: how many. */
static int notes_field(const rules *r, const cJSON *body, const char *key, int *count, err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    *count = 0;
    if (!v || cJSON_IsNull(v))
        return ERR_OK;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > svc_text_items(key))
        return bad(e, key, "must be a list of at most %d items", svc_text_items(key));
    int i = 0;
    for (const cJSON *x = v->child; x; x = x->next, i++, (*count)++) {
        char at[64];
        snprintf(at, sizeof at, "%s[%d]", key, i);
        const cJSON *text = cJSON_IsObject(x) ? cJSON_GetObjectItemCaseSensitive(x, "text") : x;
        const cJSON *crit =
            cJSON_IsObject(x) ? cJSON_GetObjectItemCaseSensitive(x, "criterion") : NULL;
        if (!cJSON_IsString(text) || !text->valuestring[0])
            return bad(e, at, "must be a text or {\"criterion\", \"text\"}");
        if (svc_check_text(text->valuestring, at, MAX_TEXT, e))
            return e->code;
        if (crit && (!cJSON_IsString(crit) || rules_find(r, crit->valuestring) < 0)) {
            strncat(at, ".criterion", sizeof at - strlen(at) - 1);
            return bad(e, at, "names no criterion of the référentiel");
        }
    }
    return ERR_OK;
}

static int save_practices(service *s, const cJSON *body, long long decision, long long org, err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "good_practices");
    for (const cJSON *x = v ? v->child : NULL; x; x = x->next) {
        const cJSON *text = cJSON_IsObject(x) ? cJSON_GetObjectItemCaseSensitive(x, "text") : x;
        const char *crit =
            cJSON_IsObject(x)
                ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "criterion"))
                : NULL;
        if (store_good_practice_add(s->db, decision, org, crit, text->valuestring, e))
            return e->code;
    }
    return ERR_OK;
}

static int validity_years(const rules *r)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rules_parameters(r), "validity_years");
    /* checked when the rules load: a whole number from 1 to 99, or absent */
    return cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 99 ? (int)v->valuedouble
                                                                            : 3;
}

typedef struct answers_json {
    const rules *r;
    cJSON *map;
} answers_json;

static void add_answer(void *ud, const char *criterion, const char *status)
{
    answers_json *a = ud;
    if (rules_find(a->r, criterion) >= 0) /* what the evaluation read, no more */
        cJSON_AddStringToObject(a->map, criterion, status);
}

/* The decision record: what went in, under which rules and engine, what came
 * out, the decision, and the previous record's hash. Built in a fixed key
 * order, so its text, and so its hash, is reproducible. */
static int decision_record(service *s, rules *r, const store_assessment *a, const store_decision *d,
                           const cJSON *body, const cJSON *evaluation, cJSON **out, err *e)
{
    cJSON *rec = cJSON_CreateObject();
    cJSON *dec = cJSON_AddObjectToObject(rec, "decision");
    cJSON_AddNumberToObject(dec, "assessment_id", (double)a->id);
    cJSON_AddNumberToObject(dec, "organisation_id", (double)a->org_id);
    cJSON_AddStringToObject(dec, "outcome", d->outcome);
    cJSON_AddStringToObject(dec, "date", d->decided_on);
    if (d->valid_until)
        cJSON_AddStringToObject(dec, "valid_until", d->valid_until);
    else
        cJSON_AddNullToObject(dec, "valid_until");
    const cJSON *rec_list = cJSON_GetObjectItemCaseSensitive(body, "recommendations");
    const cJSON *practices = cJSON_GetObjectItemCaseSensitive(body, "good_practices");
    cJSON_AddItemToObject(dec, "recommendations",
                          rec_list ? cJSON_Duplicate(rec_list, 1) : cJSON_CreateArray());
    cJSON_AddItemToObject(dec, "good_practices",
                          practices ? cJSON_Duplicate(practices, 1) : cJSON_CreateArray());
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(body, "points");
    if (strcmp(d->outcome, "deferred") == 0) /* what the auditor is sent back for */
        cJSON_AddItemToObject(dec, "points", cJSON_Duplicate(points, 1));
    cJSON *input = cJSON_AddObjectToObject(rec, "input");
    cJSON_AddStringToObject(input, "kind", a->kind);
    cJSON_AddItemToObject(input, "date",
                          cJSON_Duplicate(cJSON_GetObjectItem(evaluation, "date"), 1));
    int stakeholders = 0;
    answers_json aj = {r, cJSON_CreateObject()};
    int rc = store_stakeholder_count(s->db, a->id, &stakeholders, e);
    if (rc == ERR_OK)
        rc = store_answers_each(s->db, a->id, add_answer, &aj, e);
    cJSON_AddNumberToObject(input, "internal_stakeholders", stakeholders);
    cJSON_AddItemToObject(input, "answers", aj.map);
    cJSON_AddStringToObject(rec, "ruleset", rules_hash(r));
    cJSON_AddStringToObject(rec, "engine", "labelcoop " LABELCOOP_VERSION);
    /* The evaluation as the rules give it (verify replays it byte for
     * byte), and apart the documents its submission froze: their SHA-256
     * in the record, so the chain covers the bytes the auditor saw. */
    cJSON *replayed = cJSON_Duplicate(evaluation, 1);
    cJSON *documents = cJSON_DetachItemFromObject(replayed, "documents");
    cJSON_AddItemToObject(rec, "evaluation", replayed);
    if (documents)
        cJSON_AddItemToObject(rec, "documents", documents);
    if (d->prev_hash && d->prev_hash[0])
        cJSON_AddStringToObject(rec, "prev", d->prev_hash);
    else
        cJSON_AddNullToObject(rec, "prev");
    if (rc != ERR_OK) {
        cJSON_Delete(rec);
        return rc;
    }
    *out = rec;
    return ERR_OK;
}

/* decision.recorded, and label.awarded or label.refused after it. */
static int emit_decision(service *s, const store_decision *d, long long id, err *e)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddNumberToObject(data, "decision_id", (double)id);
    cJSON_AddStringToObject(data, "outcome", d->outcome);
    cJSON_AddStringToObject(data, "date", d->decided_on);
    if (d->valid_until)
        cJSON_AddStringToObject(data, "valid_until", d->valid_until);
    else
        cJSON_AddNullToObject(data, "valid_until");
    cJSON_AddStringToObject(data, "ruleset", d->ruleset);
    if (d->points_json) /* a deferral: the audit is its auditor's again, for these */
        cJSON_AddItemToObject(data, "points", cJSON_Parse(d->points_json));
    int rc = events_emit(s->db, "decision.recorded", d->org_id, d->assessment_id, data, e);
    const char *label = strcmp(d->outcome, "awarded") == 0   ? "label.awarded"
                        : strcmp(d->outcome, "refused") == 0 ? "label.refused"
                                                             : NULL;
    if (rc == ERR_OK && label)
        rc = events_emit(s->db, label, d->org_id, d->assessment_id, data, e);
    cJSON_Delete(data);
    return rc;
}

/* Whether audit a is waiting for a decision. */
static int decidable(const store_assessment *a, err *e)
{
    if (strcmp(a->kind, "audit") != 0)
        return err_set(e, ERR_CONFLICT, "only an audit is decided; %lld is a self-assessment",
                       a->id);
    if (strcmp(a->status, "submitted") != 0)
        return err_set(e, ERR_CONFLICT, "audit %lld is %s: only a submitted audit is decided",
                       a->id, a->status);
    return ERR_OK;
}

/* A decision request, checked. */
typedef struct decision_req {
    long long id;
    const cJSON *body;
    rules *r; /* the audit's rule set */
    const char *outcome, *date;
} decision_req;

/* points: named by a deferral, which sends the audit back to its auditor
 * for them; no other outcome names any. */
static int points_field(const decision_req *q, err *e)
{
    int n;
    if (notes_field(q->r, q->body, "points", &n, e))
        return e->code;
    bool deferral = strcmp(q->outcome, "deferred") == 0;
    if (deferral && !n)
        return bad(e, "points",
                   "a deferral names at least one point for the auditor to take up "
                   "(a text, or {\"criterion\", \"text\"})");
    if (!deferral && n)
        return bad(e, "points", "only a deferral names points for the auditor");
    return ERR_OK;
}

/* Checks a decision request before its write: the input, and what the
 * database says now (the write checks the latter again). */
static int check_decision(service *s, decision_req *q, const char *today, err *e)
{
    static const char *const keys[] = {"outcome",        "date",   "recommendations",
                                       "good_practices", "points", NULL};
    const char *text;
    store_assessment a;
    int n;
    if (svc_allow(s, POLICY_DECIDE, 0, NULL, e) ||
        svc_load(s, q->id, POLICY_ASSESSMENT_READ, &a, e) || svc_need_object(q->body, keys, e) ||
        svc_text_field(q->body, "outcome", true, 32, &text, e) ||
        svc_date_field(q->body, "date", false, &q->date, e))
        return e->code;
    if (q->date && strcmp(q->date, today) > 0)
        return bad(e, "date", "%s is after today (%s): a decision is dated the day it is taken",
                   q->date, today);
    if (!(q->outcome = outcome_of(text)))
        return bad(e, "outcome", "must be \"awarded\", \"refused\" or \"deferred\"");
    /* A practice or a point names a criterion of the rules the audit ran under. */
    if (svc_rules_of(s, &a, &q->r, e) || notes_field(q->r, q->body, "good_practices", &n, e) ||
        points_field(q, e))
        return e->code;
    return decidable(&a, e);
}

/* What decides whether the decision may be written, read inside its write,
 * where no other decision, submission or change of the caller's account
 * can come between: the caller, the audit's state, its submission's day. */
static int decision_holds(service *s, const decision_req *q, store_assessment *a, err *e)
{
    service in = *s;
    auth_actor now;
    char submitted[DATE_LEN + 1];
    if (svc_caller_now(&in, &now, e) || svc_allow(&in, POLICY_DECIDE, 0, NULL, e) ||
        svc_load(&in, q->id, POLICY_ASSESSMENT_READ, a, e) || decidable(a, e))
        return e->code;
    if (strcmp(a->ruleset, rules_hash(q->r)) != 0)
        return err_set(e, ERR_CONFLICT,
                       "audit %lld moved to another rule set meanwhile: decide again", q->id);
    if (store_assessment_submitted_on(s->db, q->id, submitted, e))
        return e->code;
    if (strcmp(q->date, submitted) < 0)
        return bad(e, "date", "%s is before the audit's submission (%s)", q->date, submitted);
    return ERR_OK;
}

/* The decision's outcome against the audit's frozen evaluation: an award
 * needs an eligible one, and is valid for the rules' years from its date. */
static int decision_outcome(const decision_req *q, const cJSON *evaluation, char *valid_until,
                            err *e)
{
    if (!evaluation)
        return err_set(e, ERR_FAIL, "audit %lld has no frozen evaluation", q->id);
    if (strcmp(q->outcome, "awarded") != 0)
        return ERR_OK;
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(evaluation, "eligible")))
        return err_set(e, ERR_CONFLICT,
                       "the label follows the rules: audit %lld's evaluation is not eligible, "
                       "so it cannot be awarded",
                       q->id);
    date_add_years(q->date, validity_years(q->r), valid_until);
    return ERR_OK;
}

/* Chains, stores and announces decision d (its record built here): the
 * write's last steps. One submission takes one decision: the audit leaves
 * "submitted" in the same statement that checks it still is. */
static int decision_write(service *s, const decision_req *q, const store_assessment *a,
                          store_decision *d, const cJSON *evaluation, cJSON **out, err *e)
{
    char prev[65] = "", hash[65];
    cJSON *record = NULL;
    char *record_text = NULL;
    long long decision = 0;
    int rc = store_decision_last_hash(s->db, prev, e);
    d->prev_hash = prev;
    if (rc == ERR_OK)
        rc = decision_record(s, q->r, a, d, q->body, evaluation, &record, e);
    if (rc == ERR_OK && !(record_text = cJSON_PrintUnformatted(record)))
        rc = err_set(e, ERR_FAIL, "out of memory");
    if (rc == ERR_OK) {
        text_sha256_hex(record_text, hash);
        d->record_json = record_text;
        d->record_hash = hash;
        rc = store_decision_add(s->db, d, &decision, e);
    }
    if (rc == ERR_OK)
        rc = save_practices(s, q->body, decision, a->org_id, e);
    if (rc == ERR_OK)
        rc = store_assessment_decided(s->db, q->id, d->points_json != NULL, e);
    if (rc == ERR_OK)
        rc = store_decision_json(s->db, decision, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "decision.record", "assessment", q->id, NULL, *out, e);
    if (rc == ERR_OK)
        rc = emit_decision(s, d, decision, e);
    if (rc == ERR_OK)
        rc = svc_notify_decision(s, d->org_id, q->id, a->auditor_id, d->outcome, d->decided_on,
                                 d->valid_until, d->points_json, e);
    /* d outlives this function: nothing of it points into it once it returns. */
    d->prev_hash = d->record_hash = d->record_json = NULL;
    free(record_text);
    cJSON_Delete(record);
    return rc;
}

/* The decision inside its transaction. */
static int decide_in_write(service *s, const decision_req *q, const char *recommendations,
                           const char *points, cJSON **out, err *e)
{
    store_assessment a = {0};
    cJSON *evaluation = NULL;
    char valid_until[DATE_LEN + 1] = "";
    char *eval_text = NULL;
    int rc = decision_holds(s, q, &a, e);
    if (rc == ERR_OK)
        rc = store_assessment_evaluation(s->db, q->id, &evaluation, e);
    if (rc == ERR_OK)
        rc = decision_outcome(q, evaluation, valid_until, e);
    if (rc == ERR_OK && !(eval_text = cJSON_PrintUnformatted(evaluation)))
        rc = err_set(e, ERR_FAIL, "out of memory");
    store_decision d = {.assessment_id = q->id,
                        .org_id = a.org_id,
                        .decided_by = svc_actor(s),
                        .outcome = q->outcome,
                        .decided_on = q->date,
                        .valid_until = valid_until[0] ? valid_until : NULL,
                        .recommendations_json = recommendations,
                        .evaluation_json = eval_text,
                        .ruleset = rules_hash(q->r),
                        .points_json = points};
    if (rc == ERR_OK)
        rc = decision_write(s, q, &a, &d, evaluation, out, e);
    free(eval_text);
    cJSON_Delete(evaluation);
    return rc;
}

int service_decide(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    decision_req q = {.id = id, .body = body};
    char today[DATE_LEN + 1];
    date_today(today);
    if (check_decision(s, &q, today, e))
        return e->code;
    if (!q.date)
        q.date = today;
    cJSON *recommendations = NULL;
    char *rec_text = NULL, *points = NULL;
    const cJSON *named = cJSON_GetObjectItemCaseSensitive(body, "points");
    int rc = svc_strings_field(body, "recommendations", &recommendations, e);
    if (rc == ERR_OK && !(rec_text = cJSON_PrintUnformatted(recommendations)))
        rc = err_set(e, ERR_FAIL, "out of memory");
    /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): check_decision set it, or failed */
    if (rc == ERR_OK && strcmp(q.outcome, "deferred") == 0 &&
        !(points = cJSON_PrintUnformatted(named)))
        rc = err_set(e, ERR_FAIL, "out of memory");
    if (rc == ERR_OK && (rc = store_begin(s->db, e)) == ERR_OK)
        rc = svc_finish(s, decide_in_write(s, &q, rec_text, points, out, e), e);
    free(rec_text);
    free(points);
    cJSON_Delete(recommendations);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

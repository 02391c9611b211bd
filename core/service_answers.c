/* service_answers: assessments, their answers and stakeholders, their
 * evaluation and submission. An answer PUT goes through the group commit,
 * the usual way (read here, checked again in the write) or the fast one
 * (checked in the write against what this thread last read). */
#include "service_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "events.h"
#include "plugin.h"
#include "text.h"

/* ---- assessments -------------------------------------------------------------- */

/* Whether person auditor may be given an audit of org, as the caller's
 * write transaction reads them: they hold the auditor role, certified
 * today, and none of their roles (whichever they log in with) names org. */
static int check_auditor(service *s, long long auditor, long long org, err *e)
{
    store_user u;
    bool member = false;
    int rc = store_user_in_role(s->db, auditor, 0, "auditor", &u, e);
    if (rc == ERR_NOT_FOUND || (rc == ERR_OK && strcmp(u.role, "auditor") != 0))
        return bad(e, "auditor_id", "user %lld is not an auditor", auditor);
    if (rc == ERR_OK)
        rc = store_person_in_org(s->db, auditor, org, &member, e);
    if (rc != ERR_OK)
        return rc;
    char today[DATE_LEN + 1];
    date_today(today);
    /* 409s, not 400s: the request is right, the auditor's state is not;
     * the path still says which value the conflict is about. */
    if (!svc_certified(&u, today))
        return err_set(e, ERR_CONFLICT,
                       "$.auditor_id: auditor %lld is not certified (certification valid until "
                       "%s)",
                       auditor, u.certified_until[0] ? u.certified_until : "never given");
    if (member)
        return err_set(e, ERR_CONFLICT,
                       "$.auditor_id: auditor %lld belongs to this CAE: an auditor never "
                       "audits their own CAE",
                       auditor);
    return ERR_OK;
}

int service_assessment_add(service *s, long long org, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"kind", "auditor_id", NULL};
    const char *kind;
    store_assessment a = {0};
    if (svc_need_object(body, keys, e) || svc_text_field(body, "kind", true, 32, &kind, e) ||
        svc_id_field(body, "auditor_id", &a.auditor_id, e))
        return e->code;
    bool audit = strcmp(kind, "audit") == 0;
    if (!audit && strcmp(kind, "self_assessment") != 0)
        return bad(e, "kind", "must be \"self_assessment\" or \"audit\"");
    if (audit && !a.auditor_id)
        return bad(e, "auditor_id", "is required for an audit");
    if (!audit && a.auditor_id)
        return bad(e, "auditor_id", "only an audit has an auditor");
    if (svc_allow(s, audit ? POLICY_AUDIT_CREATE : POLICY_SELF_ASSESS, org, NULL, e))
        return e->code;
    a.org_id = org;
    a.created_by = svc_actor(s);
    snprintf(a.kind, sizeof a.kind, "%s", kind);
    snprintf(a.ruleset, sizeof a.ruleset, "%s", rules_hash(s->rules));
    if (store_begin(s->db, e))
        return e->code;
    cJSON *org_json = NULL;
    int rc = store_org_get(s->db, org, &org_json, e);
    cJSON_Delete(org_json);
    if (rc == ERR_OK && audit)
        rc = check_auditor(s, a.auditor_id, org, e);
    if (rc == ERR_OK)
        rc = store_assessment_add(s->db, &a, &a.id, e);
    if (rc == ERR_OK)
        rc = store_assessment_json(s->db, a.id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "assessment.create", "assessment", a.id, NULL, *out, e);
    if (rc == ERR_OK) {
        cJSON *data = events_assessment_data(a.kind, a.ruleset, audit ? a.auditor_id : 0);
        rc = events_emit(s->db, "assessment.created", org, a.id, data, e);
        if (rc == ERR_OK && audit)
            rc = events_emit(s->db, "audit.assigned", org, a.id, data, e);
        if (rc == ERR_OK && audit)
            rc = svc_notify_audit_assigned(s, org, a.id, a.auditor_id, e);
        cJSON_Delete(data);
    }
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

int service_assessment_list(service *s, cJSON **out, err *e)
{
    *out = NULL;
    const store_user *u = s->who ? &s->who->user : NULL;
    long long org = 0;
    const char *q = s->query_org;
    if (q && (org = atoll(q)) <= 0)
        return bad(e, NULL, "?organisation_id must be an organisation id");
    if (u && strcmp(u->role, "cae") == 0) {
        if (org && org != u->org_id)
            return err_set(e, ERR_FORBIDDEN, "this organisation is not yours");
        return store_assessment_list(s->db, u->org_id, 0, out, e);
    }
    if (u && strcmp(u->role, "auditor") == 0 && !org)
        return store_assessment_list(s->db, 0, u->id, out, e);
    if (u && strcmp(u->role, "auditor") == 0) {
        /* The audited CAE's assessments: its self-assessments beside the audit. */
        bool auditing;
        if (store_auditing_org(s->db, u->id, org, &auditing, e))
            return e->code;
        if (!auditing)
            return err_set(e, ERR_FORBIDDEN, "you audit no assessment of this organisation");
        cJSON *all;
        if (store_assessment_list(s->db, org, 0, &all, e))
            return e->code;
        *out = cJSON_CreateArray();
        cJSON *x;
        cJSON_ArrayForEach(x, all)
        {
            const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(x, "kind"));
            double auditor = cJSON_GetNumberValue(cJSON_GetObjectItem(x, "auditor_id"));
            const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(x, "status"));
            if ((strcmp(kind, "self_assessment") == 0 && strcmp(status, "draft") != 0) ||
                auditor == (double)u->id)
                cJSON_AddItemToArray(*out, cJSON_Duplicate(x, 1));
        }
        cJSON_Delete(all);
        return ERR_OK;
    }
    return store_assessment_list(s->db, org, 0, out, e);
}

/* Loads assessment id and checks the caller may act on it. */
int svc_load(service *s, long long id, policy_action action, store_assessment *a, err *e)
{
    if (store_assessment_get(s->db, id, a, e))
        return e->code;
    return svc_allow(s, action, a->org_id, a, e);
}

/* Points s->who at *now: the caller's account, in the role they act in, as
 * s's open write transaction sees it, so that a role, certification or
 * account changed since the session was read is the one checked. */
int svc_caller_now(service *s, auth_actor *now, err *e)
{
    if (!s->who)
        return ERR_OK;
    *now = *s->who;
    int rc = store_user_in_role(s->db, now->user.id, now->user.role_id, NULL, &now->user, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_FORBIDDEN, "your account, or the role you act in, no longer exists");
    if (rc == ERR_OK)
        s->who = now;
    return rc;
}

/* svc_load(), inside a write transaction: with the caller as it sees them. */
static int load_in_write(service *s, long long id, policy_action action, store_assessment *a,
                         err *e)
{
    service in = *s;
    auth_actor now;
    if (svc_caller_now(&in, &now, e))
        return e->code;
    return svc_load(&in, id, action, a, e);
}

/* The document of the loaded assessment a. */
/* An answer's entity tag: of the answer as a PUT answers it ({"criterion",
 * "status", "comment", "evidence", "updated_at"}, printed by cJSON), so that
 * the tag a PUT sends and the one the assessment lists are the same. */
static int answer_etag(const cJSON *answer, char *etag)
{
    char *text = cJSON_PrintUnformatted(answer);
    if (!text)
        return ERR_FAIL;
    text_etag(text, strlen(text), etag);
    free(text);
    return ERR_OK;
}

/* Whether a write's conditions hold for the answer the database holds
 * (before: its JSON as store_answer_text gives it, NULL when none): If-Match
 * names it, If-None-Match: * finds none; ERR_PRECONDITION otherwise. */
static int answer_conditions(const service *s, const char *before, err *e)
{
    const char *if_match = s->if_match, *none = s->if_none_match;
    if (none && before && strcmp(none, "*") == 0)
        return err_set(e, ERR_PRECONDITION,
                       "the answer was given meanwhile (If-None-Match: *): read it first");
    if (!if_match)
        return ERR_OK;
    char etag[TEXT_ETAG_SIZE];
    cJSON *now = before ? cJSON_Parse(before) : NULL;
    bool found = now && answer_etag(now, etag) == ERR_OK;
    cJSON_Delete(now);
    if (text_etag_matches(if_match, found ? etag : NULL))
        return ERR_OK;
    return err_set(e, ERR_PRECONDITION, "the answer changed since it was read (If-Match: %.80s)%s",
                   if_match, found ? "" : ": there is none now");
}

static int assessment_doc(service *s, const store_assessment *a, cJSON **out, err *e)
{
    rules *r;
    if (store_assessment_json(s->db, a->id, out, e))
        return e->code;
    /* Answers to criteria the assessment's rule set no longer has are kept,
     * and flagged so nobody mistakes them for scored ones. */
    if (svc_rules_of(s, a, &r, e) != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        return e->code;
    }
    cJSON *answer;
    cJSON_ArrayForEach(answer, cJSON_GetObjectItem(*out, "answers"))
    {
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(answer, "criterion"));
        char etag[TEXT_ETAG_SIZE];
        if (answer_etag(answer, etag) != ERR_OK) {
            cJSON_Delete(*out);
            *out = NULL;
            return err_set(e, ERR_FAIL, "out of memory");
        }
        cJSON_AddStringToObject(answer, "etag", etag);
        cJSON_AddBoolToObject(answer, "orphan", !c || rules_find(r, c) < 0);
        svc_links_describe(s->db, a->org_id, answer); /* after its tag: not part of it */
    }
    return ERR_OK;
}

/* What a rendered assessment is kept with: the record its reader's right is
 * checked against, and its entity tag. */
typedef struct assessment_meta {
    store_assessment a;
    char etag[TEXT_ETAG_SIZE];
} assessment_meta;

int service_assessment_text(service *s, long long id, char **text, size_t *len, char *etag,
                            err *e)
{
    *text = NULL;
    store_version v;
    if (s->version)
        v = *s->version;
    else if (store_version_get(s->db, &v, e))
        return e->code;
    /* A copy rendered at this version holds the assessment as it is now,
     * and the record it was read from: the caller's right to read is checked
     * against it on every request. */
    const void *kept = NULL;
    const char *hit = s->docs ? doccache_get(s->docs, id, &v, len, &kept) : NULL;
    assessment_meta meta;
    if (hit && kept) {
        memcpy(&meta, kept, sizeof meta);
        if (svc_allow(s, POLICY_ASSESSMENT_READ, meta.a.org_id, &meta.a, e))
            return e->code;
        if (!(*text = malloc(*len)))
            return err_set(e, ERR_FAIL, "out of memory");
        memcpy(*text, hit, *len);
        if (etag)
            memcpy(etag, meta.etag, sizeof meta.etag);
        return ERR_OK;
    }
    /* The version is read before rendering, so a change in between only
     * makes the copy miss. */
    cJSON *doc;
    if (svc_load(s, id, POLICY_ASSESSMENT_READ, &meta.a, e) || assessment_doc(s, &meta.a, &doc, e))
        return e->code;
    *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!*text)
        return err_set(e, ERR_FAIL, "out of memory");
    *len = strlen(*text);
    text_etag(*text, *len, meta.etag);
    if (etag)
        memcpy(etag, meta.etag, sizeof meta.etag);
    if (s->docs)
        doccache_put(s->docs, id, &v, *text, *len, &meta, sizeof meta);
    return ERR_OK;
}

int svc_need_draft(const store_assessment *a, err *e)
{
    if (strcmp(a->status, "draft") != 0)
        return err_set(e, ERR_CONFLICT, "assessment %lld is %s: only a draft can change", a->id,
                       a->status);
    return ERR_OK;
}

/* The change of auditor, inside its transaction. */
static int reassign(service *s, const store_assessment *a, long long auditor, cJSON **out, err *e)
{
    cJSON *before = NULL;
    int rc = check_auditor(s, auditor, a->org_id, e);
    if (rc == ERR_OK)
        rc = store_assessment_json(s->db, a->id, &before, e);
    if (rc == ERR_OK)
        rc = store_assessment_set_auditor(s->db, a->id, auditor, e);
    if (rc == ERR_OK)
        rc = store_assessment_json(s->db, a->id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "assessment.reassign", "assessment", a->id, before, *out, e);
    cJSON_Delete(before);
    if (rc == ERR_OK) {
        cJSON *data = events_assessment_data(a->kind, a->ruleset, auditor);
        cJSON_AddNumberToObject(data, "previous_auditor_id", (double)a->auditor_id);
        rc = events_emit(s->db, "audit.assigned", a->org_id, a->id, data, e);
        cJSON_Delete(data);
        if (rc == ERR_OK)
            rc = svc_notify_audit_assigned(s, a->org_id, a->id, auditor, e);
    }
    return rc;
}

/* Whether a write's If-Match still names the assessment as GET serves it
 * now (read in the write's own transaction); ERR_PRECONDITION otherwise. */
static int assessment_if_match(service *s, const store_assessment *a, err *e)
{
    cJSON *doc;
    if (assessment_doc(s, a, &doc, e))
        return e->code;
    char *text = cJSON_PrintUnformatted(doc), etag[TEXT_ETAG_SIZE];
    cJSON_Delete(doc);
    if (!text)
        return err_set(e, ERR_FAIL, "out of memory");
    text_etag(text, strlen(text), etag);
    free(text);
    if (text_etag_matches(s->if_match, etag))
        return ERR_OK;
    return err_set(e, ERR_PRECONDITION,
                   "assessment %lld changed since it was read (If-Match: %.80s)", a->id,
                   s->if_match);
}

int service_assessment_update(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    static const char *const keys[] = {"auditor_id", NULL};
    long long auditor = 0;
    store_assessment a;
    if (svc_need_object(body, keys, e) || svc_id_field(body, "auditor_id", &auditor, e))
        return e->code;
    if (!auditor)
        return bad(e, "auditor_id", "is required");
    if (store_begin(s->db, e))
        return e->code;
    /* The caller's right, the audit's state and the new auditor's, all as
     * this write sees them: no submission or account change comes between. */
    service in = *s;
    auth_actor now;
    int rc = svc_caller_now(&in, &now, e);
    if (rc == ERR_OK)
        rc = svc_allow(&in, POLICY_AUDIT_CREATE, 0, NULL, e);
    if (rc == ERR_OK)
        rc = svc_load(&in, id, POLICY_ASSESSMENT_READ, &a, e);
    if (rc == ERR_OK && strcmp(a.kind, "audit") != 0)
        rc =
            err_set(e, ERR_CONFLICT, "assessment %lld is a self-assessment: it has no auditor", id);
    if (rc == ERR_OK)
        rc = svc_need_draft(&a, e);
    if (rc == ERR_OK && s->if_match)
        rc = assessment_if_match(&in, &a, e);
    if (rc == ERR_OK && a.auditor_id == auditor) /* already theirs: nothing to change */
        rc = store_assessment_json(s->db, id, out, e);
    else if (rc == ERR_OK)
        rc = reassign(s, &a, auditor, out, e);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* validate_answer of the enabled plugins: a refusal is the caller's 400. */
static int plugins_accept(service *s, const rules *r, int idx, const cJSON *body, err *e)
{
    if (!s->plugins || svc_refresh_plugins(s, e))
        return s->plugins ? e->code : ERR_OK;
    if (!plugin_validates(s->plugins))
        return ERR_OK;
    const rules_criterion *c = rules_criterion_at(r, idx);
    cJSON *crit = rules_criterion_json(c);
    cJSON_AddBoolToObject(crit, "na_allowed", c->na_allowed);
    cJSON *answer = cJSON_Duplicate(body, 1);
    if (!cJSON_GetObjectItem(answer, "evidence"))
        cJSON_AddArrayToObject(answer, "evidence");
    char *refusal = plugin_validate_answer(s->plugins, crit, answer);
    cJSON_Delete(crit);
    cJSON_Delete(answer);
    if (!refusal)
        return ERR_OK;
    err_at(e, "$", "%s", refusal);
    free(refusal);
    return ERR_INPUT;
}

/* An answer PUT, checked, on its way to the database. */
typedef struct answer_write {
    service *s;
    long long id;
    const char *criterion, *status, *comment;
    char *evidence;   /* JSON text */
    char ruleset[65]; /* the rule set the answer was checked against */
    cJSON *out;       /* the answer as stored: built by the checks, dated by the write */
    char *out_text;   /* and as JSON text, journaled (its after image) and sent */
    /* Checked with what the caller's thread knew (service_answer_submit_fast):
     * the settings its session, rules and plugins were read at, and what the
     * answer's own checks found, told once the write has checked the
     * assessment, since that comes first the usual way. */
    bool fast;
    long long settings;
    err found;
} answer_write;

/* Whether a write checked with what its thread knew still holds: ERR_AGAIN
 * when the settings moved since. Accounts are settings: while they hold,
 * the caller's account is the one the thread read. */
static int answer_fast_holds(store *db, const answer_write *w, err *e)
{
    long long settings;
    if (store_settings_get(db, &settings, e))
        return e->code;
    if (settings != w->settings)
        return err_set(e, ERR_AGAIN, "checked against settings no longer current");
    return ERR_OK;
}

/* The transaction of an answer PUT. The caller and the assessment are read
 * again inside it, so that a submission, or a change of the caller's role,
 * certification or account, committed since the checks is seen: no answer
 * lands on an assessment that is no longer a draft, nor from someone who
 * may no longer write it. */
static int answer_write_apply(store *db, void *ctx, err *e)
{
    answer_write *w = ctx;
    service in = *w->s;
    in.db = db;
    auth_actor caller;
    store_assessment a;
    if (w->fast ? answer_fast_holds(db, w, e) : svc_caller_now(&in, &caller, e))
        return e->code;
    if (svc_load(&in, w->id, POLICY_ASSESSMENT_EDIT, &a, e) || svc_need_draft(&a, e))
        return e->code;
    if (strcmp(a.ruleset, w->ruleset) != 0 && w->fast) /* checked under the active rules */
        return err_set(e, ERR_AGAIN, "checked against rules no longer current");
    if (strcmp(a.ruleset, w->ruleset) != 0)
        return err_set(e, ERR_CONFLICT,
                       "assessment %lld moved to another rule set meanwhile: send the answer again",
                       w->id);
    if (w->found.code) /* the answer's own faults, found before */
        return err_set(e, w->found.code, "%s", err_msg(&w->found));
    /* The images as JSON text, printed once (this runs while every other
     * write waits): the one before by SQLite, the answer as stored, which is
     * the checked one with its date, not read back. */
    char *before = NULL;
    int rc = store_answer_text(db, w->id, w->criterion, &before, e);
    if (rc == ERR_OK)
        rc = answer_conditions(w->s, before, e);
    /* The documents it links, as this write sees them: none deleted since. */
    svc_link_write lw = {a.org_id, w->id, w->criterion};
    if (rc == ERR_OK)
        rc = svc_links_check(db, &lw, cJSON_GetObjectItem(w->out, "evidence"), before, e);
    char now[DATE_TIME_LEN + 1];
    date_now(now);
    if (rc == ERR_OK)
        rc = store_answer_put(db, w->id, w->criterion, w->status, w->comment, w->evidence,
                              svc_actor(w->s), now, e);
    if (rc == ERR_OK && (!cJSON_AddStringToObject(w->out, "updated_at", now) ||
                         !(w->out_text = cJSON_PrintUnformatted(w->out))))
        rc = err_set(e, ERR_FAIL, "out of memory");
    if (rc == ERR_OK)
        rc = store_journal_text(db, now, svc_actor(w->s), "answer.put", "assessment", w->id, before,
                                w->out_text, e); /* the answer's date: one moment, one clock read */
    free(before);
    return rc;
}

/* The checks of the answer itself under r (the plugins' included, which may
 * take a while): builds w's columns and w->out. */
static int answer_check_body(service *s, answer_write *w, const rules *r, const cJSON *body, err *e)
{
    static const char *const keys[] = {"status", "comment", "evidence", NULL};
    cJSON *evidence = NULL;
    int idx = rules_find(r, w->criterion);
    if (idx < 0)
        return err_set(e, ERR_NOT_FOUND, "no criterion %s in this référentiel", w->criterion);
    if (svc_need_object(body, keys, e) || svc_text_field(body, "status", true, 32, &w->status, e) ||
        svc_text_field(body, "comment", false, MAX_TEXT, &w->comment, e) ||
        svc_evidence_field(body, &evidence, e))
        return e->code;
    rules_answer ans = rules_answer_parse(w->status);
    int rc = ERR_OK;
    if (ans == ANSWER_NONE)
        rc = bad(e, "status", "must be \"met\", \"partial\", \"not_met\" or \"not_applicable\"");
    else if (ans == ANSWER_NOT_APPLICABLE && !rules_criterion_at(r, idx)->na_allowed)
        rc = bad(e, "status", "criterion %s does not allow \"not_applicable\"", w->criterion);
    if (rc == ERR_OK)
        rc = plugins_accept(s, r, idx, body, e);
    if (rc == ERR_OK && !(w->evidence = cJSON_PrintUnformatted(evidence)))
        rc = err_set(e, ERR_FAIL, "out of memory");
    if (rc == ERR_OK) { /* the columns of store_answer_text, in its order */
        w->out = cJSON_CreateObject();
        if (!cJSON_AddStringToObject(w->out, "criterion", w->criterion) ||
            !cJSON_AddStringToObject(w->out, "status", w->status) ||
            !cJSON_AddStringToObject(w->out, "comment", w->comment ? w->comment : "") ||
            !cJSON_AddItemToObject(w->out, "evidence", evidence))
            rc = err_set(e, ERR_FAIL, "out of memory"); /* the caller deletes w->out */
        else
            evidence = NULL; /* w->out's now */
    }
    cJSON_Delete(evidence);
    return rc;
}

/* The checks of an answer PUT: first those that read the database (the
 * assessment, which the caller may edit, a draft, and the rules it runs
 * under), made again inside the write (answer_write_apply); then the
 * answer's own, under those rules. */
static int answer_check(service *s, answer_write *w, const cJSON *body, err *e)
{
    store_assessment a;
    rules *r = NULL;
    if (svc_load(s, w->id, POLICY_ASSESSMENT_EDIT, &a, e) || svc_need_draft(&a, e) ||
        svc_rules_of(s, &a, &r, e))
        return e->code;
    snprintf(w->ruleset, sizeof w->ruleset, "%s", a.ruleset);
    return answer_check_body(s, w, r, body, e);
}

int service_answer_put(service *s, long long id, const char *criterion, const cJSON *body,
                       cJSON **out, err *e)
{
    answer_write w = {.s = s, .id = id, .criterion = criterion};
    int rc = answer_check(s, &w, body, e);
    if (rc == ERR_OK)
        rc = svc_transact(s, answer_write_apply, &w, e);
    free(w.evidence);
    free(w.out_text);
    if (rc != ERR_OK) { /* the batch it was written in may have failed after it */
        cJSON_Delete(w.out);
        w.out = NULL;
    }
    *out = w.out;
    return rc;
}

/* An answer PUT on its way through the group commit, owning copies of
 * everything the caller's request held. */
typedef struct answer_job {
    answer_write w;
    service svc; /* for the write: its caller only (the db is the writer's) */
    auth_actor who;
    char *criterion;
    char *if_match, *if_none_match; /* the request's conditions, which the write checks; owned */
    cJSON *body;
    service_done done;
    void *ud;
} answer_job;

static void answer_job_free(answer_job *j)
{
    cJSON_Delete(j->w.out);
    free(j->w.out_text);
    free(j->w.evidence);
    err_clear(&j->w.found);
    free(j->criterion);
    free(j->if_match);
    free(j->if_none_match);
    cJSON_Delete(j->body);
    free(j);
}

static void answer_job_done(void *ctx, int rc, err *e)
{
    answer_job *j = ctx;
    char *out = rc == ERR_OK ? j->w.out_text : NULL;
    if (rc == ERR_OK)
        j->w.out_text = NULL; /* done's */
    j->done(j->ud, rc, out, e);
    answer_job_free(j);
}

/* A job for an answer PUT, not checked yet, holding body; NULL when out of memory. */
static answer_job *answer_job_new(service *s, long long id, const char *criterion, cJSON *body,
                                  service_done done, void *ud, err *e)
{
    answer_job *j = calloc(1, sizeof *j);
    if (j) {
        j->criterion = strdup(criterion);
        j->body = body;
    }
    if (!j || !j->criterion) {
        if (j)
            answer_job_free(j);
        else
            cJSON_Delete(body);
        err_set(e, ERR_FAIL, "out of memory");
        return NULL;
    }
    /* Not a copy of s: the write runs on the group's thread, which must
     * not reach this worker's connection, rules or plugins. */
    if (s->who) {
        j->who = *s->who;
        j->svc.who = &j->who;
    }
    if ((s->if_match && !(j->svc.if_match = j->if_match = strdup(s->if_match))) ||
        (s->if_none_match && !(j->svc.if_none_match = j->if_none_match = strdup(s->if_none_match)))) {
        answer_job_free(j);
        err_set(e, ERR_FAIL, "out of memory");
        return NULL;
    }
    j->done = done;
    j->ud = ud;
    j->w.s = &j->svc;
    j->w.id = id;
    j->w.criterion = j->criterion;
    j->w.found = (err)ERR_INIT;
    return j;
}

/* Queues j once checked (rc), else frees it. */
static int answer_job_queue(service *s, answer_job *j, int rc, err *e)
{
    if (rc == ERR_OK) {
        store_snapshot_end(s->db);
        rc = commit_submit(s->commits, answer_write_apply, answer_job_done, j, e);
    }
    if (rc != ERR_OK)
        answer_job_free(j);
    return rc;
}

int service_answer_submit(service *s, long long id, const char *criterion, cJSON *body,
                          service_done done, void *ud, err *e)
{
    answer_job *j = answer_job_new(s, id, criterion, body, done, ud, e);
    if (!j)
        return e->code;
    return answer_job_queue(s, j, answer_check(s, &j->w, j->body, e), e);
}

bool service_answer_fast_possible(const service *s)
{
    /* The plugins run on this thread, the write's cannot run them. */
    return s->commits && s->version && s->rules &&
           (!s->plugins || (s->plugins_read && store_settings_same(s->plugins_read, s->version) &&
                            !plugin_validates(s->plugins)));
}

int service_answer_submit_fast(service *s, long long id, const char *criterion, cJSON *body,
                               service_done done, void *ud, err *e)
{
    answer_job *j = answer_job_new(s, id, criterion, body, done, ud, e);
    if (!j)
        return e->code;
    j->w.fast = true;
    j->w.settings = s->version->settings;
    snprintf(j->w.ruleset, sizeof j->w.ruleset, "%s", rules_hash(s->rules));
    answer_check_body(s, &j->w, s->rules, j->body, &j->w.found);
    return answer_job_queue(s, j, ERR_OK, e);
}

/* Whether the caller may write audit id's stakeholders: checked before the
 * body, and again inside the write with the caller as it sees them. */
static int stakeholders_allowed(service *s, long long id, bool in_write, err *e)
{
    store_assessment a = {0}; /* filled by either loader (cppcheck cannot tell) */
    if ((in_write ? load_in_write : svc_load)(s, id, POLICY_ASSESSMENT_EDIT, &a, e) ||
        svc_need_draft(&a, e))
        return e->code;
    if (strcmp(a.kind, "audit") != 0)
        return err_set(e, ERR_CONFLICT, "only an audit records internal stakeholders");
    return ERR_OK;
}

int service_stakeholders_put(service *s, long long id, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    if (stakeholders_allowed(s, id, false, e))
        return e->code;
    if (!cJSON_IsArray(body) || cJSON_GetArraySize(body) > MAX_ITEMS)
        return bad(e, NULL, "must be a list of at most %d {\"name\", \"role\"}", MAX_ITEMS);
    static const char *const keys[] = {"name", "role", NULL};
    int i = 0;
    for (const cJSON *x = body->child; x; x = x->next, i++) {
        const char *v;
        char at[32];
        snprintf(at, sizeof at, "[%d]", i);
        if (svc_need_object(x, keys, e) || svc_text_field(x, "name", true, MAX_NAME, &v, e) ||
            svc_text_field(x, "role", true, MAX_NAME, &v, e)) {
            /* "$.name: ..." becomes "$[i].name: ..." */
            char *msg = strdup(err_msg(e) + 1);
            err_set(e, ERR_INPUT, "$%s%s", at, msg ? msg : "");
            free(msg);
            return ERR_INPUT;
        }
    }
    if (store_begin(s->db, e))
        return e->code;
    int rc = stakeholders_allowed(s, id, true, e);
    if (rc == ERR_OK)
        rc = store_stakeholders_put(s->db, id, body, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "stakeholders.put", "assessment", id, NULL, body, e);
    rc = svc_finish(s, rc, e);
    if (rc == ERR_OK)
        *out = cJSON_Duplicate(body, 1);
    return rc;
}

typedef struct collected {
    const rules *r;
    unsigned char *answers;
} collected;

static void collect(void *ud, const char *criterion, const char *status)
{
    collected *c = ud;
    int i = rules_find(c->r, criterion);
    if (i >= 0) /* answers to criteria a later référentiel dropped are kept, not scored */
        c->answers[i] = (unsigned char)rules_answer_parse(status);
}

/* Evaluates the assessment's current answers under r, dated date. */
static int evaluate_under(service *s, rules *r, const store_assessment *a, const char *date,
                          cJSON **out, err *e)
{
    int n = rules_criterion_count(r);
    unsigned char *answers = calloc((size_t)n + 1, 1);
    if (!answers)
        return err_set(e, ERR_FAIL, "out of memory");
    collected c = {r, answers};
    rules_input in = {strcmp(a->kind, "audit") == 0 ? KIND_AUDIT : KIND_SELF_ASSESSMENT, "", 0,
                      answers};
    snprintf(in.date, sizeof in.date, "%s", date);
    int rc = store_answers_each(s->db, a->id, collect, &c, e);
    if (rc == ERR_OK)
        rc = store_stakeholder_count(s->db, a->id, &in.internal_stakeholders, e);
    if (rc == ERR_OK)
        rc = rules_evaluate(r, &in, out, e);
    free(answers);
    return rc;
}

/* Evaluates the assessment under its own rule set. */
static int evaluate(service *s, const store_assessment *a, const char *date, cJSON **out, err *e)
{
    rules *r;
    if (svc_rules_of(s, a, &r, e))
        return e->code;
    return evaluate_under(s, r, a, date, out, e);
}

int service_evaluation(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a;
    if (svc_load(s, id, POLICY_ASSESSMENT_READ, &a, e))
        return e->code;
    if (strcmp(a.status, "draft") != 0) {
        if (store_assessment_evaluation(s->db, id, out, e))
            return e->code;
        return *out ? ERR_OK : err_set(e, ERR_FAIL, "assessment %lld has no frozen evaluation", id);
    }
    char today[DATE_LEN + 1];
    date_today(today);
    return evaluate(s, &a, today, out, e);
}

int service_submit(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    store_assessment a = {0};
    char today[DATE_LEN + 1];
    date_today(today);
    if (store_begin(s->db, e))
        return e->code;
    /* Who may submit, and whether it is a draft, as the write sees them. */
    cJSON *evaluation = NULL;
    int rc = load_in_write(s, id, POLICY_ASSESSMENT_EDIT, &a, e);
    if (rc == ERR_OK)
        rc = svc_need_draft(&a, e);
    if (rc == ERR_OK)
        rc = evaluate(s, &a, today, &evaluation, e);
    if (rc == ERR_OK) /* the exact versions its answers link */
        rc = svc_links_freeze(s->db, &a, evaluation, e);
    char *frozen = rc == ERR_OK ? cJSON_PrintUnformatted(evaluation) : NULL;
    if (rc == ERR_OK)
        rc = store_assessment_submit(s->db, id, frozen, e);
    if (rc == ERR_OK)
        rc = store_assessment_json(s->db, id, out, e);
    if (rc == ERR_OK)
        rc = svc_journal(s, "assessment.submit", "assessment", id, NULL, evaluation, e);
    if (rc == ERR_OK) {
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "kind", a.kind);
        cJSON_AddItemToObject(data, "outcome",
                              cJSON_Duplicate(cJSON_GetObjectItem(evaluation, "outcome"), 1));
        cJSON_AddItemToObject(data, "ruleset",
                              cJSON_Duplicate(cJSON_GetObjectItem(evaluation, "ruleset"), 1));
        rc = events_emit(s->db,
                         strcmp(a.kind, "audit") == 0 ? "audit.submitted" : "assessment.submitted",
                         a.org_id, id, data, e);
        cJSON_Delete(data);
    }
    if (rc == ERR_OK && strcmp(a.kind, "audit") == 0)
        rc = svc_notify_audit_submitted(s, a.org_id, id, e);
    free(frozen);
    cJSON_Delete(evaluation);
    rc = svc_finish(s, rc, e);
    if (rc != ERR_OK && *out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

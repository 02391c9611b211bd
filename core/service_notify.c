/* service_notify: the notifications. Each is told, in the transaction of
 * the change that causes it, to the recipients store_notify chooses: kept
 * for their list in the page, and mailed (service_mail) unless they turned
 * its kind off, with a one-click unsubscribe link signed for them. Also the
 * person's list, preferences and unsubscribing. Uses store, service_mail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "date.h"
#include "service_internal.h"
#include "store.h"

#define NOTIFY_LIST_LIMIT 1000
#define TOKEN_HEX 32 /* 128 bits of the HMAC: unguessable, short enough for a link */

/* The kinds a person may turn off, as the page and the unsubscribe page
 * name them. Messages about one's own account are not notifications. */
static const struct {
    const char *kind, *title;
} kinds[] = {
    {"audit_assigned", "Audit confié"},
    {"audit_submitted", "Audit remis au comité"},
    {"decision_recorded", "Décision du comité"},
    {"audit_deferred", "Audit ajourné : points à compléter"},
    {"label_expiring", "Label bientôt échu"},
    {"label_expired", "Label échu"},
    {"actions_overdue", "Actions en retard (résumé de la semaine)"},
    {"webhook_disabled", "Webhook désactivé"},
};
#define N_KINDS (sizeof kinds / sizeof *kinds)

/* kind's title, or NULL when it is not a notification's kind. */
static const char *kind_title(const char *kind)
{
    for (size_t i = 0; kind && i < N_KINDS; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].title;
    return NULL;
}

/* ---- unsubscribe tokens ----------------------------------------------------------- */

/* "USER-HMAC": the HMAC of the person with the database's secret, so that
 * nothing per person is stored and a link cannot be made for another. */
static int make_token(service *s, long long user, char *out, size_t size, err *e)
{
    char secret[65], msg[64];
    if (store_notify_secret(s->db, secret, e))
        return e->code;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    snprintf(msg, sizeof msg, "unsubscribe:%lld", user);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, size, "%lld-%.*s", user, TOKEN_HEX, hex);
    return ERR_OK;
}

void svc_notify_unsubscribe_link(service *s, long long user, const char *kind, char *buf,
                                 size_t size)
{
    char token[96], path[200];
    err e = ERR_INIT;
    buf[0] = '\0';
    if (make_token(s, user, token, sizeof token, &e) == ERR_OK) {
        snprintf(path, sizeof path, "/api/v1/unsubscribe/%s/%s", token, kind);
        svc_mail_link(s, path, buf, size);
    }
    err_clear(&e);
}

/* The person a token names, or ERR_NOT_FOUND (a wrong token says no more). */
static int token_user(service *s, const char *token, long long *user, err *e)
{
    char *end;
    long long id = token ? strtoll(token, &end, 10) : 0;
    char expected[96];
    if (id <= 0 || *end != '-' || make_token(s, id, expected, sizeof expected, e))
        return err_set(e, ERR_NOT_FOUND, "no such unsubscribe link");
    size_t n = strlen(expected);
    if (strlen(token) != n || sodium_memcmp(token, expected, n) != 0)
        return err_set(e, ERR_NOT_FOUND, "no such unsubscribe link");
    *user = id;
    return ERR_OK;
}

/* ---- telling recipients ----------------------------------------------------------- */

/* Whether a recipient before to in recipients is the same person (one
 * holding two of the roles told: one message). */
static bool told_already(const cJSON *recipients, const cJSON *to, long long id)
{
    for (const cJSON *r = recipients->child; r && r != to; r = r->next)
        if ((long long)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "id")) == id)
            return true;
    return false;
}

/* kind to each of recipients: kept for their list with path (the page's
 * "/#/..."), mailed unless they turned it off. data borrowed; its "link"
 * is path on the public URL. */
static int notify(service *s, const char *kind, const cJSON *recipients, cJSON *data,
                  const char *path, err *e)
{
    char link[700];
    svc_mail_link(s, path, link, sizeof link);
    cJSON_DeleteItemFromObject(data, "link");
    cJSON_AddStringToObject(data, "link", link);
    const cJSON *to;
    cJSON_ArrayForEach(to, recipients)
    {
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(to, "id"));
        if (told_already(recipients, to, id))
            continue;
        bool off = false;
        char unsubscribe[700] = "", title[400] = "";
        if (store_optout_has(s->db, id, kind, &off, e))
            return e->code;
        svc_notify_unsubscribe_link(s, id, kind, unsubscribe, sizeof unsubscribe);
        if (svc_mail_one(s, kind, to, data, unsubscribe[0] ? unsubscribe : NULL, !off, title,
                         sizeof title, e))
            return e->code;
        if (store_notification_add(s->db, id, kind, title[0] ? title : kind_title(kind), path, e))
            return e->code;
    }
    return ERR_OK;
}

/* {"organisation": {"id", "name"}, "assessment_id"} (assessment 0: none). */
static int base_data(service *s, long long org, long long assessment, cJSON **out, err *e)
{
    cJSON *o = NULL;
    *out = NULL;
    if (store_org_get(s->db, org, &o, e))
        return e->code;
    cJSON *data = cJSON_CreateObject();
    cJSON *org_json = cJSON_AddObjectToObject(data, "organisation");
    cJSON_AddNumberToObject(org_json, "id", (double)org);
    cJSON_AddStringToObject(org_json, "name", cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")));
    if (assessment > 0)
        cJSON_AddNumberToObject(data, "assessment_id", (double)assessment);
    cJSON_Delete(o);
    *out = data;
    return ERR_OK;
}

/* Appends every item of *more (freed) to list. */
static void append_all(cJSON *list, cJSON **more)
{
    cJSON *item;
    while (*more && (item = cJSON_DetachItemFromArray(*more, 0)) != NULL)
        cJSON_AddItemToArray(list, item);
    cJSON_Delete(*more);
    *more = NULL;
}

/* kind about org's assessment, to recipients, then frees both. */
static int send_and_free(service *s, const char *kind, cJSON *to, cJSON *data, const char *path,
                         int rc, err *e)
{
    if (rc == ERR_OK)
        rc = notify(s, kind, to, data, path, e);
    cJSON_Delete(to);
    cJSON_Delete(data);
    return rc;
}

int svc_notify_audit_assigned(service *s, long long org, long long assessment, long long auditor,
                              err *e)
{
    cJSON *data = NULL, *to = NULL, *members = NULL;
    int rc = base_data(s, org, assessment, &data, e);
    if (rc == ERR_OK)
        rc = store_notify_user(s->db, auditor, "auditor", &to, e);
    if (rc == ERR_OK)
        rc = store_notify_members(s->db, org, &members, e);
    if (rc == ERR_OK) {
        store_user a;
        rc = store_user_get(s->db, auditor, &a, e);
        cJSON *who = cJSON_AddObjectToObject(data, "auditor");
        cJSON_AddStringToObject(who, "name", rc == ERR_OK ? a.name : "");
        cJSON_AddStringToObject(who, "email", rc == ERR_OK ? a.email : "");
        append_all(to, &members);
    }
    char path[64];
    snprintf(path, sizeof path, "/#/evaluations/%lld", assessment);
    return send_and_free(s, "audit_assigned", to, data, path, rc, e);
}

int svc_notify_audit_submitted(service *s, long long org, long long assessment, err *e)
{
    cJSON *data = NULL, *to = NULL;
    int rc = base_data(s, org, assessment, &data, e);
    if (rc == ERR_OK)
        rc = store_notify_committee(s->db, &to, e);
    char path[64];
    snprintf(path, sizeof path, "/#/comite/audits/%lld", assessment);
    return send_and_free(s, "audit_submitted", to, data, path, rc, e);
}

/* audit_deferred to the audit's auditor, with the points. */
static int notify_deferral(service *s, long long org, long long assessment, long long auditor,
                           const char *points_json, err *e)
{
    cJSON *data = NULL, *to = NULL;
    int rc = base_data(s, org, assessment, &data, e);
    if (rc == ERR_OK)
        rc = store_notify_user(s->db, auditor, "auditor", &to, e);
    if (rc == ERR_OK) {
        cJSON *points = cJSON_Parse(points_json ? points_json : "[]");
        cJSON_AddItemToObject(data, "points", points ? points : cJSON_CreateArray());
    }
    char path[64];
    snprintf(path, sizeof path, "/#/evaluations/%lld", assessment);
    return send_and_free(s, "audit_deferred", to, data, path, rc, e);
}

int svc_notify_decision(service *s, long long org, long long assessment, long long auditor,
                        const char *outcome, const char *date, const char *valid_until,
                        const char *points_json, err *e)
{
    cJSON *data = NULL, *to = NULL;
    int rc = base_data(s, org, assessment, &data, e);
    if (rc == ERR_OK)
        rc = store_notify_members(s->db, org, &to, e);
    if (rc == ERR_OK) {
        cJSON_AddStringToObject(data, "outcome", outcome);
        cJSON_AddStringToObject(data, "date", date);
        if (valid_until)
            cJSON_AddStringToObject(data, "valid_until", valid_until);
        /* The certificate is a link to its PDF, made when it is read: the
         * decision's transaction does not render a PDF for every member. */
        if (strcmp(outcome, "awarded") == 0) {
            char path[96], link[700];
            snprintf(path, sizeof path, "/api/v1/assessments/%lld/certificate.pdf", assessment);
            svc_mail_link(s, path, link, sizeof link);
            cJSON_AddStringToObject(data, "certificate", link);
        }
    }
    char path[64];
    snprintf(path, sizeof path, "/#/evaluations/%lld/resultats", assessment);
    rc = send_and_free(s, "decision_recorded", to, data, path, rc, e);
    if (rc == ERR_OK && strcmp(outcome, "deferred") == 0 && auditor > 0)
        rc = notify_deferral(s, org, assessment, auditor, points_json, e);
    return rc;
}

/* ---- the time-based ones, from the delivery thread's tick -------------------------- */

static int notify_label(service *s, const char *kind, long long org, long long assessment,
                        const cJSON *event, err *e)
{
    cJSON *data = NULL, *to = NULL;
    int rc = base_data(s, org, assessment, &data, e);
    if (rc == ERR_OK)
        rc = store_notify_members(s->db, org, &to, e);
    static const char *const keys[] = {"valid_until", "days_left", "lead_days"};
    for (size_t i = 0; rc == ERR_OK && i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = cJSON_GetObjectItem(event, keys[i]);
        if (v)
            cJSON_AddItemToObject(data, keys[i], cJSON_Duplicate(v, true));
    }
    char path[64];
    snprintf(path, sizeof path, "/#/cae/%lld", org);
    return send_and_free(s, kind, to, data, path, rc, e);
}

static int notify_webhook_disabled(service *s, const cJSON *event, err *e)
{
    long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(event, "webhook_id"));
    cJSON *hook = NULL, *to = NULL, *data = cJSON_CreateObject();
    int rc = store_webhook_get(s->db, id, &hook, e);
    if (rc == ERR_OK)
        rc = store_notify_admins(s->db, &to, e);
    if (rc == ERR_OK) {
        cJSON *w = cJSON_AddObjectToObject(data, "webhook");
        cJSON_AddNumberToObject(w, "id", (double)id);
        cJSON_AddStringToObject(w, "url", cJSON_GetStringValue(cJSON_GetObjectItem(hook, "url")));
        cJSON_AddItemToObject(data, "reason",
                              cJSON_Duplicate(cJSON_GetObjectItem(event, "reason"), true));
    }
    cJSON_Delete(hook);
    char path[64];
    snprintf(path, sizeof path, "/#/admin/webhooks/%lld", id);
    return send_and_free(s, "webhook_disabled", to, data, path, rc, e);
}

int service_notify_event(service *s, const char *type, long long org, long long assessment,
                         const cJSON *data, err *e)
{
    if (strcmp(type, "label.expiring") == 0)
        return notify_label(s, "label_expiring", org, assessment, data, e);
    if (strcmp(type, "label.expired") == 0)
        return notify_label(s, "label_expired", org, assessment, data, e);
    if (strcmp(type, "webhook.disabled") == 0)
        return notify_webhook_disabled(s, data, e);
    return ERR_OK;
}

static int notifier_event(void *ud, store *db, const char *type, long long org,
                          long long assessment, const cJSON *data, err *e)
{
    const service_notify_ctx *ctx = ud;
    service s = {.db = db, .mail = ctx->mail, .limits = ctx->limits};
    return service_notify_event(&s, type, org, assessment, data, e);
}

static int notifier_tick(void *ud, store *db, const char *today, err *e)
{
    const service_notify_ctx *ctx = ud;
    service s = {.db = db, .mail = ctx->mail, .limits = ctx->limits};
    return service_notify_tick(&s, today, e);
}

events_notifier service_notifier(service_notify_ctx *ctx)
{
    return (events_notifier){notifier_event, notifier_tick, ctx};
}

/* The Monday of today's week, the digest's key. */
static void week_of(const char *today, char *out, size_t size)
{
    long day = date_diff_days("1970-01-01", today); /* a Thursday: day 0 */
    time_t t = (time_t)(day - (day + 3) % 7) * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

/* One CAE's digest of its overdue action items (items: theirs), once a week. */
static int digest(service *s, long long org, cJSON *items, const char *week, err *e)
{
    char key[96];
    bool fresh;
    snprintf(key, sizeof key, "notify.actions_overdue:%lld:%s", org, week);
    if (store_mark(s->db, key, &fresh, e))
        return e->code;
    if (!fresh)
        return ERR_OK;
    cJSON *data = NULL, *to = NULL;
    int rc = base_data(s, org, 0, &data, e);
    if (rc == ERR_OK)
        rc = store_notify_members(s->db, org, &to, e);
    if (rc == ERR_OK) {
        cJSON_AddStringToObject(data, "week", week);
        cJSON_AddItemToObject(data, "items", cJSON_Duplicate(items, true));
    }
    char path[64];
    snprintf(path, sizeof path, "/#/cae/%lld/plan-action", org);
    return send_and_free(s, "actions_overdue", to, data, path, rc, e);
}

int service_notify_tick(service *s, const char *today, err *e)
{
    cJSON *list = NULL;
    if (store_overdue(s->db, today, &list, e))
        return e->code;
    char week[DATE_LEN + 1];
    week_of(today, week, sizeof week);
    int rc = ERR_OK;
    cJSON *done = cJSON_CreateArray(); /* the organisations told */
    const cJSON *i;
    cJSON_ArrayForEach(i, list)
    {
        double org = cJSON_GetNumberValue(cJSON_GetObjectItem(i, "organisation_id"));
        bool seen = false;
        const cJSON *d;
        cJSON_ArrayForEach(d, done) seen = seen || cJSON_GetNumberValue(d) == org;
        if (seen || rc != ERR_OK)
            continue;
        cJSON_AddItemToArray(done, cJSON_CreateNumber(org));
        cJSON *items = cJSON_CreateArray();
        const cJSON *j;
        cJSON_ArrayForEach(j, list)
        {
            if (cJSON_GetNumberValue(cJSON_GetObjectItem(j, "organisation_id")) != org)
                continue;
            cJSON *item = cJSON_CreateObject();
            static const char *const keys[] = {"id", "criterion", "action", "due"};
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
                cJSON_AddItemToObject(item, keys[k],
                                      cJSON_Duplicate(cJSON_GetObjectItem(j, keys[k]), true));
            cJSON_AddItemToArray(items, item);
        }
        rc = digest(s, (long long)org, items, week, e);
        cJSON_Delete(items);
    }
    cJSON_Delete(done);
    cJSON_Delete(list);
    return rc;
}

/* ---- the person's list, preferences and unsubscribing ----------------------------- */

static int need_person(service *s, err *e)
{
    if (!s->who)
        return err_set(e, ERR_INPUT, "notifications are a person's: log in as one");
    return ERR_OK;
}

int service_notifications(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (need_person(s, e))
        return e->code;
    return store_notification_list(s->db, s->who->user.id, NOTIFY_LIST_LIMIT, out, e);
}

int service_notifications_unread(service *s, cJSON **out, err *e)
{
    *out = NULL;
    long long n = 0;
    if (need_person(s, e) || store_notification_unread(s->db, s->who->user.id, &n, e))
        return e->code;
    *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(*out, "unread", (double)n);
    return ERR_OK;
}

int service_notification_read(service *s, long long id, cJSON **out, err *e)
{
    *out = NULL;
    if (need_person(s, e))
        return e->code;
    if (id <= 0)
        return err_set(e, ERR_NOT_FOUND, "no such notification");
    if (store_begin(s->db, e))
        return e->code;
    int rc = store_notification_read(s->db, s->who->user.id, id, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        rc = err_set(e, ERR_NOT_FOUND, "no such notification");
    }
    rc = svc_finish(s, rc, e);
    return rc == ERR_OK ? service_notifications_unread(s, out, e) : rc;
}

int service_notifications_read_all(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (need_person(s, e) || store_begin(s->db, e))
        return e->code;
    int rc = svc_finish(s, store_notification_read(s->db, s->who->user.id, 0, e), e);
    return rc == ERR_OK ? service_notifications_unread(s, out, e) : rc;
}

/* [{"kind", "title", "email"}] for user: every kind, mailed or not. */
static int preferences(service *s, long long user, cJSON **out, err *e)
{
    cJSON *off = NULL;
    *out = NULL;
    if (store_optout_list(s->db, user, &off, e))
        return e->code;
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < N_KINDS; i++) {
        bool mailed = true;
        const cJSON *o;
        cJSON_ArrayForEach(o, off)
        {
            const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(o, "kind"));
            mailed = mailed && !(k && strcmp(k, kinds[i].kind) == 0);
        }
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "kind", kinds[i].kind);
        cJSON_AddStringToObject(p, "title", kinds[i].title);
        cJSON_AddBoolToObject(p, "email", mailed);
        cJSON_AddItemToArray(list, p);
    }
    cJSON_Delete(off);
    *out = list;
    return ERR_OK;
}

int service_notify_preferences(service *s, cJSON **out, err *e)
{
    *out = NULL;
    if (need_person(s, e))
        return e->code;
    return preferences(s, s->who->user.id, out, e);
}

/* body: {"KIND": true|false, ...}; each named kind must be one. */
static int check_preferences(const cJSON *body, err *e)
{
    if (!cJSON_IsObject(body))
        return err_set(e, ERR_INPUT, "$: an object {\"kind\": true or false} is required");
    const cJSON *p;
    cJSON_ArrayForEach(p, body)
    {
        if (!kind_title(p->string))
            return bad(e, p->string, "no such notification");
        if (!cJSON_IsBool(p))
            return bad(e, p->string, "true (mailed) or false (not mailed) is required");
    }
    return ERR_OK;
}

int service_notify_preferences_put(service *s, const cJSON *body, cJSON **out, err *e)
{
    *out = NULL;
    if (need_person(s, e) || check_preferences(body, e) || store_begin(s->db, e))
        return e->code;
    int rc = ERR_OK;
    const cJSON *p;
    cJSON_ArrayForEach(p, body)
    {
        if (rc == ERR_OK)
            rc = store_optout_set(s->db, s->who->user.id, p->string, cJSON_IsFalse(p), e);
    }
    if (svc_finish(s, rc, e))
        return e->code;
    return preferences(s, s->who->user.id, out, e);
}

int service_unsubscribe(service *s, const char *token, const char *kind, bool apply, cJSON **out,
                        err *e)
{
    *out = NULL;
    long long user = 0;
    const char *title = kind_title(kind);
    if (!title)
        return err_set(e, ERR_NOT_FOUND, "no such notification");
    if (token_user(s, token, &user, e))
        return e->code;
    store_user u;
    if (store_user_get(s->db, user, &u, e)) {
        err_clear(e);
        return err_set(e, ERR_NOT_FOUND, "no such unsubscribe link");
    }
    bool off = false;
    int rc = ERR_OK;
    if (apply && (rc = store_begin(s->db, e)) == ERR_OK)
        rc = svc_finish(s, store_optout_set(s->db, user, kind, true, e), e);
    if (rc == ERR_OK)
        rc = store_optout_has(s->db, user, kind, &off, e);
    if (rc != ERR_OK)
        return rc;
    *out = cJSON_CreateObject();
    cJSON_AddStringToObject(*out, "kind", kind);
    cJSON_AddStringToObject(*out, "title", title);
    cJSON_AddStringToObject(*out, "email", u.email);
    cJSON_AddBoolToObject(*out, "unsubscribed", off);
    return ERR_OK;
}
